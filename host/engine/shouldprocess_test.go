package engine

import (
	"fmt"
	"strings"
	"testing"
)

func confirmPrompt(action, target string) string {
	return fmt.Sprintf("Confirm\nAre you sure you want to perform this action?\nPerforming the operation \"%s\" on target \"%s\".\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is \"Y\"): ", action, target)
}

func TestWhatIf(t *testing.T) {
	checkCases(t, []tcase{
		{name: "whatif", script: "Set-Thing -Identity 'sip:kenmyer@litwareinc.com' -WhatIf",
			out: lines(`What if: Performing the operation "Set-Thing" on target "sip:kenmyer@litwareinc.com".`)},
		{name: "whatif pipeline", script: "'a','b' | Remove-Thing -WhatIf",
			out: lines(`What if: Performing the operation "Remove-Thing" on target "a".`, `What if: Performing the operation "Remove-Thing" on target "b".`)},
		{name: "whatif preference", script: "$WhatIfPreference = $true; Set-Thing x; Set-Thing y -WhatIf:$false",
			out: lines(`What if: Performing the operation "Set-Thing" on target "x".`, "changed y")},
		{name: "medium no prompt", script: "Set-Thing x", out: lines("changed x")},
		{name: "high needs terminal", script: "Remove-Thing x; 'after'", out: lines("after"),
			err: "Remove-Thing : Cannot confirm the operation \"Remove-Thing\" on target \"x\": pinsh has no terminal to prompt on. Use -Confirm:$false to proceed without a prompt, or -WhatIf to see what would happen.\nAt line:1 char:1\n", code: 1},
		{name: "confirm false", script: "Remove-Thing x -Confirm:$false", out: lines("changed x")},
		{name: "confirm preference none", script: "$ConfirmPreference = 'None'; Remove-Thing x", out: lines("changed x")},
		{name: "confirm preference medium", script: "$ConfirmPreference = 'Medium'; Set-Thing x", out: "",
			err: "Set-Thing : Cannot confirm the operation \"Set-Thing\" on target \"x\": pinsh has no terminal to prompt on. Use -Confirm:$false to proceed without a prompt, or -WhatIf to see what would happen.\nAt line:1 char:32\n", code: 1},
		{name: "confirm switch", script: "Set-Thing x -Confirm", out: "", err: "*", code: 1},
		{name: "function whatif", script: "function Set-Mine { [CmdletBinding(SupportsShouldProcess)] param($Name) if ($PSCmdlet.ShouldProcess($Name, 'Set-Mine')) { \"set $Name\" } }; Set-Mine a -WhatIf; Set-Mine b",
			out: lines(`What if: Performing the operation "Set-Mine" on target "a".`, "set b")},
		{name: "function passes whatif down", script: "function Wrap { [CmdletBinding(SupportsShouldProcess)] param($Name) Set-Thing $Name }; Wrap z -WhatIf",
			out: lines(`What if: Performing the operation "Set-Thing" on target "z".`)},
	})
}

func TestConfirmPrompts(t *testing.T) {
	cases := []struct {
		name    string
		script  string
		answers []string
		out     string
		prompts int
	}{
		{"yes", "Set-Thing x -Confirm", []string{"y"}, lines("changed x"), 1},
		{"default is yes", "Remove-Thing x", []string{""}, lines("changed x"), 1},
		{"no", "'a','b' | Set-Thing -Confirm", []string{"n", "Y"}, lines("changed b"), 2},
		{"yes to all", "'a','b','c' | Set-Thing -Confirm", []string{"A"}, lines("changed a", "changed b", "changed c"), 1},
		{"no to all", "'a','b','c' | Set-Thing -Confirm", []string{"l"}, "", 1},
		{"to all lasts one invocation", "'a','b' | Set-Thing -Confirm; 'c' | Set-Thing -Confirm", []string{"a", "y"}, lines("changed a", "changed b", "changed c"), 2},
		{"help then yes", "Set-Thing x -Confirm", []string{"?", "y"}, confirmHelp + lines("changed x"), 2},
		{"unknown answer asks again", "Set-Thing x -Confirm", []string{"maybe", "y"}, lines("changed x"), 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &fakeHost{answers: c.answers}
			r, _ := runWith(t, Options{Host: h}, c.script)
			if r.out != c.out || r.err != "" {
				t.Fatalf("out %q err %q, want out %q", r.out, r.err, c.out)
			}
			if len(h.prompts) != c.prompts {
				t.Fatalf("%d prompts, want %d: %q", len(h.prompts), c.prompts, h.prompts)
			}
			if !strings.HasPrefix(h.prompts[0], "Confirm\n") {
				t.Fatalf("prompt %q", h.prompts[0])
			}
		})
	}
	h := &fakeHost{answers: []string{"y"}}
	runWith(t, Options{Host: h}, "Set-Thing 'sip:kenmyer@litwareinc.com' -Confirm")
	if want := confirmPrompt("Set-Thing", "sip:kenmyer@litwareinc.com"); h.prompts[0] != want {
		t.Fatalf("prompt:\n%q\nwant\n%q", h.prompts[0], want)
	}
	// Suspend is a terminating error; the script goes on.
	h = &fakeHost{answers: []string{"s"}}
	r, _ := runWith(t, Options{Host: h}, "Set-Thing x -Confirm; 'next'")
	if r.out != "next\n" || !strings.Contains(r.err, "cannot suspend") || r.code != 1 {
		t.Fatalf("suspend: %+v", r)
	}
	// End of input at the prompt is an error, never a hang.
	h = &fakeHost{}
	r, _ = runWith(t, Options{Host: h}, "Set-Thing x -Confirm")
	if r.code != 1 || !strings.Contains(r.err, "cancelled") {
		t.Fatalf("eof: %+v", r)
	}
}

func TestMandatoryPrompt(t *testing.T) {
	h := &fakeHost{answers: []string{"joe"}}
	r, _ := runWith(t, Options{Host: h}, "Set-Thing")
	if r.out != "\ncmdlet Set-Thing at command pipeline position 1\nSupply values for the following parameters:\nchanged joe\n" {
		t.Fatalf("out %q err %q", r.out, r.err)
	}
	if len(h.prompts) != 1 || h.prompts[0] != "Identity: " {
		t.Fatalf("prompts %q", h.prompts)
	}
	r = run(t, "Set-Thing")
	if r.code != 1 || r.err != "Set-Thing : Cannot process command because of one or more missing mandatory parameters: Identity.\nAt line:1 char:1\n" {
		t.Fatalf("no host: %+v", r)
	}
}
