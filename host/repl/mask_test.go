package repl

import (
	"strings"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func TestMask(t *testing.T) {
	withReg := NewMasker(testRegistry())
	bare := NewMasker(nil)
	tests := []struct {
		name, in, want string
	}{
		{"named", "Set-CsClientPin -Identity ken -Pin 1234", "Set-CsClientPin -Identity ken -Pin ***"},
		{"colon", "Set-CsClientPin ken -Pin:1234", "Set-CsClientPin ken -Pin:***"},
		{"colon space", "Set-CsClientPin ken -Pin: 1234", "Set-CsClientPin ken -Pin: ***"},
		{"quoted colon", "Set-CsClientPin ken -Pin:'1234'", "Set-CsClientPin ken -Pin:***"},
		{"prefix pi", "Set-CsClientPin ken -pi 1234", "Set-CsClientPin ken -pi ***"},
		{"prefix p", "Set-CsClientPin ken -p 1234", "Set-CsClientPin ken -p ***"},
		{"case", "set-csclientpin ken -PIN 1234", "set-csclientpin ken -PIN ***"},
		{"en dash", "Set-CsClientPin ken –Pin 1234", "Set-CsClientPin ken –Pin ***"},
		{"double quoted", `Set-CsClientPin ken -Pin "12 34"`, `Set-CsClientPin ken -Pin ***`},
		{"positional", "Set-CsClientPin kenmyer 1234", "Set-CsClientPin kenmyer ***"},
		{"positional lower", "set-csclientpin 'Ken Myer' 1234 -Force", "set-csclientpin 'Ken Myer' *** -Force"},
		{"positional after named identity", "Set-CsClientPin -Identity ken 1234", "Set-CsClientPin -Identity ken ***"},
		{"positional after switch", "Set-CsClientPin ken -Force 1234", "Set-CsClientPin ken -Force ***"},
		{"test cmdlet", "Test-CsClientPin sip:ken@litwareinc.com 98765", "Test-CsClientPin sip:ken@litwareinc.com ***"},
		{"identity only", "Set-CsClientPin -Identity ken -Force", "Set-CsClientPin -Identity ken -Force"},
		{"no pin", "Get-CsUser -Identity ken | Set-CsClientPin", "Get-CsUser -Identity ken | Set-CsClientPin"},
		{"pipeline stage", "Get-CsUser ken | Set-CsClientPin -Pin 55555", "Get-CsUser ken | Set-CsClientPin -Pin ***"},
		{"in script block", "Get-CsUser | ForEach-Object { Set-CsClientPin $_ 24680 }", "Get-CsUser | ForEach-Object { Set-CsClientPin $_ *** }"},
		{"variable kept", "Set-CsClientPin ken -Pin $newPin", "Set-CsClientPin ken -Pin $newPin"},
		{"variable positional kept", "Set-CsClientPin ken $p", "Set-CsClientPin ken $p"},
		{"member kept", "Set-CsClientPin ken -Pin $row.Pin", "Set-CsClientPin ken -Pin $row.Pin"},
		{"subexpression masked", `Set-CsClientPin ken -Pin $("1234")`, `Set-CsClientPin ken -Pin ***`},
		{"paren masked", `Set-CsClientPin ken -Pin ("12"+"34")`, `Set-CsClientPin ken -Pin ***`},
		{"unclosed paren", `Set-CsClientPin ken -Pin ("1234"`, `Set-CsClientPin ken -Pin ***`},
		{"splat table", "$a = @{Identity='ken'; Pin='1234'}", "$a = @{Identity='ken'; Pin=***}"},
		{"splat table spaces", "$a = @{ pin = 1234 }", "$a = @{ pin = *** }"},
		{"other cmdlet -p", "Write-Output -p 1234", "Write-Output -p ***"},
		{"other cmdlet positional", "Write-Output ken 1234", "Write-Output ken 1234"},
		{"two statements", "Set-CsClientPin a -Pin 1111; Set-CsClientPin b 2222", "Set-CsClientPin a -Pin ***; Set-CsClientPin b ***"},
		{"multi-line", "Set-CsClientPin a `\n  -Pin 1111", "Set-CsClientPin a `\n  -Pin ***"},
		{"assignment", "$r = Set-CsClientPin ken 1234", "$r = Set-CsClientPin ken ***"},
		{"call operator", "& Set-CsClientPin ken 1234", "& Set-CsClientPin ken ***"},
		{"comment", "Set-CsClientPin ken # 1234", "Set-CsClientPin ken # 1234"},
		{"string with pin word", `Write-Output "-Pin 1234"`, `Write-Output "-Pin 1234"`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := withReg.Mask(tt.in)
			if got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if changed != (tt.in != tt.want) {
				t.Errorf("Mask(%q) changed = %v", tt.in, changed)
			}
		})
	}
	// Without metadata the masker is at least as strict for the PIN cmdlets.
	for _, tt := range tests {
		got, _ := bare.Mask(tt.in)
		if strings.Count(got, Mask) < strings.Count(tt.want, Mask) {
			t.Errorf("bare Mask(%q) = %q, masks less than %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskExtraSecrets(t *testing.T) {
	m := NewMasker(nil, "Password")
	if got, _ := m.Mask("Connect-Thing -Password hunter2 -User bob"); got != "Connect-Thing -Password *** -User bob" {
		t.Errorf("got %q", got)
	}
	// Secret parameters declared in the registry join, with their aliases.
	reg := testRegistry()
	in, _ := reg.Lookup("Set-CsClientPin")
	in.Params[1].Aliases = []string{"Code"}
	m = NewMasker(reg)
	if got, _ := m.Mask("Set-CsClientPin ken -Code 1234"); got != "Set-CsClientPin ken -Code ***" {
		t.Errorf("alias: got %q", got)
	}
	// A cmdlet registered later (a plugin installed during the session)
	// is masked too.
	reg.MustAdd(&cmdlet.Info{Name: "Set-Voicemail", New: func() cmdlet.Command { return &cmdlet.Funcs{} },
		Params: []cmdlet.Param{{Name: "Identity", Kind: object.KindString, Position: 0},
			{Name: "Passcode", Kind: object.KindString, Position: 1, Secret: true}}})
	if got, _ := m.Mask("Set-Voicemail ken 7777"); got != "Set-Voicemail ken ***" {
		t.Errorf("later plugin: got %q", got)
	}
	if got, _ := m.Mask("Set-Voicemail ken -pass 7777"); got != "Set-Voicemail ken -pass ***" {
		t.Errorf("later plugin named: got %q", got)
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"Set-CsClientPin ken -Pin 1234",
		"Set-CsClientPin ken 1234",
		"@{Pin='1'}",
		"Get-CsUser | % { Set-CsClientPin $_ -p:(1) }",
		`"unterminated -Pin 1`,
		"$(", "@{", "-Pin:", "a `\n b",
	} {
		f.Add(s)
	}
	m := NewMasker(testRegistry())
	f.Fuzz(func(t *testing.T, s string) {
		got, changed := m.Mask(s)
		if !changed && got != s {
			t.Fatalf("Mask(%q) changed the line without saying so: %q", s, got)
		}
		// Masking is idempotent: a masked line has nothing left to mask
		// beyond the masks themselves.
		again, _ := m.Mask(got)
		if again != got {
			t.Fatalf("Mask not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}
