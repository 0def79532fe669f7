package builtin

import (
	"strings"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// setClientPin is the reference cmdlet's metadata, as the plugin declares it.
var setClientPin = &cmdlet.Info{
	Name:     "Set-CsClientPin",
	Synopsis: "Sets a user's dial-in conferencing PIN.",
	Params: []cmdlet.Param{
		{Name: "Identity", Kind: object.KindString, Mandatory: true, Position: 0, FromPipeline: true, FromPipelineByName: true,
			Help: "The user whose PIN is set."},
		{Name: "Pin", Kind: object.KindString, Position: 1, Help: "The new PIN; generated when omitted.", Secret: true},
		{Name: "Force", Kind: object.KindSwitch, Position: -1, Help: "Hides non-fatal errors."},
	},
	SupportsShouldProcess: true,
	ConfirmImpact:         cmdlet.ImpactMedium,
	Source:                "setclientpin",
	Examples:              []cmdlet.Example{{Code: "Set-CsClientPin -Identity 'Ken Myer' -Pin 5551212", Remark: "Sets Ken's PIN."}},
	New:                   func() cmdlet.Command { return outNull{} },
}

func TestSyntax(t *testing.T) {
	tests := []struct {
		in   *cmdlet.Info
		want []string
	}{
		{setClientPin, []string{"Set-CsClientPin [-Identity] <String> [[-Pin] <String>] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]"}},
		{whereObjectInfo(), nil},
		{outFileInfo(&Options{}), []string{"Out-File [-FilePath] <String> [[-Encoding] {utf8 | utf8NoBOM | utf8BOM | ascii | default | oem}] " +
			"[-InputObject <Object>] [-Append] [-NoClobber] [-Force] [-NoNewline] [-Width <Int64>] [<CommonParameters>]"}},
		{forEachObjectInfo(), []string{
			"ForEach-Object [-Process] <ScriptBlock> [-InputObject <Object>] [-Begin <ScriptBlock>] [-End <ScriptBlock>] [-RemainingScripts <Object[]>] [<CommonParameters>]",
			"ForEach-Object [-MemberName] <String> [-InputObject <Object>] [<CommonParameters>]"}},
	}
	for _, tc := range tests {
		got := Syntax(tc.in)
		if tc.in.Name == "Where-Object" {
			if len(got) != 30 ||
				got[0] != "Where-Object [-FilterScript] <ScriptBlock> [-InputObject <Object>] [<CommonParameters>]" ||
				got[1] != "Where-Object [-Property] <String> [[-Value] <Object>] [-InputObject <Object>] [-EQ] [<CommonParameters>]" ||
				got[2] != "Where-Object [-Property] <String> [[-Value] <Object>] -NE [-InputObject <Object>] [<CommonParameters>]" ||
				got[29] != "Where-Object [-Property] <String> -Not [-InputObject <Object>] [<CommonParameters>]" {
				t.Errorf("Where-Object syntax:\n%s", strings.Join(got, "\n"))
			}
			continue
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("Syntax(%s):\n got %q\nwant %q", tc.in.Name, got, tc.want)
		}
	}
}

func TestRenderHelp(t *testing.T) {
	got, err := RenderHelp(setClientPin, HelpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `
NAME
    Set-CsClientPin

SYNOPSIS
    Sets a user's dial-in conferencing PIN.


SYNTAX
    Set-CsClientPin [-Identity] <String> [[-Pin] <String>] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]


REMARKS
    To see the examples, type: "Get-Help Set-CsClientPin -Examples".
    For more information, type: "Get-Help Set-CsClientPin -Detailed".
    For technical information, type: "Get-Help Set-CsClientPin -Full".
`
	if got != want {
		t.Errorf("default help:\n%s\nwant:\n%s", got, want)
	}

	got, _ = RenderHelp(setClientPin, HelpOptions{Parameter: "id*"})
	want = `    -Identity <String>
        The user whose PIN is set.

        Required?                    True
        Position?                    0
        Accept pipeline input?       True (ByValue, ByPropertyName)
        Aliases                      None
        Accept wildcard characters?  False

`
	if got != want {
		t.Errorf("-Parameter help:\n%s\nwant:\n%s", got, want)
	}
	got, _ = RenderHelp(setClientPin, HelpOptions{Parameter: "ErrorAction"})
	if !strings.Contains(got, "Accepted values              Continue, SilentlyContinue, Stop, Ignore\n") ||
		!strings.Contains(got, "Aliases                      ea\n") {
		t.Errorf("common parameter help:\n%s", got)
	}
	if _, err := RenderHelp(setClientPin, HelpOptions{Parameter: "Nope"}); err == nil || err.Error() != "No parameter matches criteria Nope." {
		t.Errorf("unknown parameter: %v", err)
	}

	got, _ = RenderHelp(setClientPin, HelpOptions{Examples: true})
	want = `
NAME
    Set-CsClientPin

SYNOPSIS
    Sets a user's dial-in conferencing PIN.


EXAMPLES
    -------------------------- Example 1 --------------------------

    PS> Set-CsClientPin -Identity 'Ken Myer' -Pin 5551212

    Sets Ken's PIN.

`
	if got != want {
		t.Errorf("-Examples help:\n%s\nwant:\n%s", got, want)
	}

	got, _ = RenderHelp(setClientPin, HelpOptions{Full: true})
	for _, part := range []string{
		"PARAMETERS\n    -Identity <String>\n",
		"    -Force\n        Hides non-fatal errors.\n",
		"    -WhatIf\n        Shows what would happen if the command ran, without running it.\n",
		"    <CommonParameters>\n        This cmdlet supports the common parameters: ErrorAction, ErrorVariable,\n        WarningAction, Verbose, OutVariable.\n",
		"INPUTS\n    String (Identity)\n",
		"OUTPUTS\n    Object\n",
		"EXAMPLES\n",
	} {
		if !strings.Contains(got, part) {
			t.Errorf("-Full help lacks %q:\n%s", part, got)
		}
	}
	if strings.Contains(got, "REMARKS") {
		t.Errorf("-Full help has remarks")
	}
}

// TestBuiltinMetadata checks what every built-in must have: a synopsis, a
// description, help on each parameter, an example, and a positional layout
// the binder can use.
func TestBuiltinMetadata(t *testing.T) {
	all := testReg.All()
	if len(all) != 26 {
		t.Errorf("%d built-ins registered", len(all))
	}
	for _, in := range all {
		if in.Synopsis == "" || in.Description == "" || len(in.Examples) == 0 || in.Source != "builtin" || in.New == nil {
			t.Errorf("%s: incomplete metadata", in.Name)
		}
		for _, p := range in.Params {
			if p.Help == "" {
				t.Errorf("%s -%s has no help", in.Name, p.Name)
			}
		}
		if _, err := RenderHelp(in, HelpOptions{Full: true}); err != nil {
			t.Errorf("%s: %v", in.Name, err)
		}
	}
	for alias, name := range map[string]string{"where": "Where-Object", "?": "Where-Object", "foreach": "ForEach-Object",
		"%": "ForEach-Object", "select": "Select-Object", "sort": "Sort-Object", "group": "Group-Object",
		"measure": "Measure-Object", "ft": "Format-Table", "fl": "Format-List", "echo": "Write-Output", "write": "Write-Output"} {
		if in, ok := testReg.Lookup(alias); !ok || in.Name != name {
			t.Errorf("alias %s does not resolve to %s", alias, name)
		}
	}
}

func TestGetCommand(t *testing.T) {
	reg := cmdlet.NewRegistry()
	Register(reg, Options{})
	reg.MustAdd(setClientPin)
	names := func(args []cmdlet.Arg) (string, []string) {
		rt, err := runIn(reg, "Get-Command", args, nil)
		if err != nil {
			t.Fatal(err)
		}
		var names, errs []string
		for _, o := range rt.out {
			if s, ok := o.(string); ok {
				names = append(names, s)
				continue
			}
			d, _ := object.Property(o, "DisplayName")
			names = append(names, object.ToString(d))
		}
		for _, e := range rt.errs {
			errs = append(errs, e.Error())
		}
		return strings.Join(names, ","), errs
	}
	for _, tc := range []struct {
		args []cmdlet.Arg
		want string
		errs []string
	}{
		{cl("*-CsClientPin"), "Set-CsClientPin", nil},
		{cl("s*"), "select -> Select-Object,sort -> Sort-Object,Select-Object,Set-CsClientPin,Sort-Object", nil},
		{cl("-Verb", "ConvertTo"), "ConvertTo-Csv,ConvertTo-Json", nil},
		{cl("-Noun", "Csv", "-Verb", []object.Value{"Export", "Import"}), "Export-Csv,Import-Csv", nil},
		{cl("-Module", "setclientpin"), "Set-CsClientPin", nil},
		{cl("-CommandType", "Alias", "-Name", "f*"), "fl -> Format-List,foreach -> ForEach-Object,ft -> Format-Table", nil},
		{cl("where"), "where -> Where-Object", nil},
		{cl([]object.Value{"Nope", "gcm"}), "gcm -> Get-Command", []string{"The term 'Nope' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again."}},
		{cl("Set-CsClientPin", "-Syntax"), "Set-CsClientPin [-Identity] <String> [[-Pin] <String>] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]", nil},
		{cl("-TotalCount", int64(2)), "%,? -> Where-Object", nil},
	} {
		got, errs := names(tc.args)
		if tc.want == "%,? -> Where-Object" {
			tc.want = "% -> ForEach-Object,? -> Where-Object"
		}
		if got != tc.want || strings.Join(errs, "|") != strings.Join(tc.errs, "|") {
			t.Errorf("Get-Command %v = %q %q, want %q %q", tc.args, got, errs, tc.want, tc.errs)
		}
	}
	rt, _ := runIn(reg, "Get-Command", cl("gcm"), nil)
	text, _ := run("Out-String", nil, rt.out)
	want := "\nCommandType     Name                                               Source\n-----------     ----                                               ------\nAlias           gcm -> Get-Command                                 builtin\n\n"
	if text.out[0] != want {
		t.Errorf("Get-Command table:\n%q\nwant\n%q", text.out[0], want)
	}
}

func TestGetHelp(t *testing.T) {
	reg := cmdlet.NewRegistry()
	Register(reg, Options{})
	reg.MustAdd(setClientPin)
	get := func(args ...any) *fakeRT {
		rt, err := runIn(reg, "Get-Help", cl(args...), nil)
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}
	want, _ := RenderHelp(setClientPin, HelpOptions{Full: true})
	if rt := get("Set-CsClientPin", "-Full"); len(rt.out) != 1 || rt.out[0] != want {
		t.Errorf("Get-Help -Full = %q", rt.out)
	}
	want, _ = RenderHelp(whereObjectInfoFrom(reg), HelpOptions{Examples: true})
	if rt := get("?", "-Examples"); len(rt.out) != 1 || rt.out[0] != want {
		t.Errorf("Get-Help ? -Examples = %q", rt.out)
	}
	if rt := get("clientpin"); len(rt.out) != 1 || !strings.Contains(rt.out[0].(string), "NAME\n    Set-CsClientPin\n") {
		t.Errorf("Get-Help by part of a name = %q", rt.out)
	}
	rt := get("*-Json")
	if js(rt.out) != `[{"Name":"ConvertFrom-Json","Category":"Cmdlet","Module":"builtin","Synopsis":"Converts JSON text to objects."},`+
		`{"Name":"ConvertTo-Json","Category":"Cmdlet","Module":"builtin","Synopsis":"Converts objects to JSON text."}]` {
		t.Errorf("Get-Help *-Json = %s", js(rt.out))
	}
	if rt := get("about_Nothing"); len(rt.errs) != 1 || rt.errs[0].Error() != "Get-Help could not find about_Nothing in a help file in this session." {
		t.Errorf("missing topic: %v", rt.errs)
	}
	if rt := get("Set-CsClientPin", "-Parameter", "Nope"); len(rt.errs) != 1 || rt.errs[0].Error() != "No parameter matches criteria Nope." {
		t.Errorf("missing parameter: %v", rt.errs)
	}
	if rt := get(); len(rt.out) != 1 || !strings.Contains(rt.out[0].(string), "pinsh help system") {
		t.Errorf("overview: %v", rt.out)
	}
	if _, err := runIn(reg, "Get-Help", cl("x", "-Full", "-Examples"), nil); err == nil {
		t.Errorf("-Full with -Examples did not fail")
	}
}

func whereObjectInfoFrom(reg *cmdlet.Registry) *cmdlet.Info {
	in, _ := reg.Lookup("Where-Object")
	return in
}
