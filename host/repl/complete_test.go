package repl

import (
	"reflect"
	"strings"
	"testing"
)

func testSources() *Sources {
	return &Sources{
		Registry: testRegistry(),
		Values: func(kind, prefix string) []string {
			var all []string
			switch kind {
			case "identity":
				all = []string{"Ken Myer", "Kendra Lee", "Pilar Ackerman", "sip:kenmyer@litwareinc.com"}
			case "ou":
				all = []string{"OU=Finance,DC=litwareinc,DC=com", "OU=Sales,DC=litwareinc,DC=com"}
			case "policy":
				all = []string{"RedmondPinPolicy", "Tag:Strict"}
			}
			return matchPrefix(all, prefix)
		},
		Variables: func() []string { return []string{"users", "User2", "HOME", "ProgressPreference"} },
		Properties: func(typ string) []string {
			switch typ {
			case adUserType:
				return []string{"DisplayName", "SipAddress", "Identity", "PinPolicy", "Enabled"}
			case pinInfoType:
				return []string{"Identity", "IsPinSet", "IsLockedOut", "LastPinChangeTime", "PinExpirationTime"}
			}
			return nil
		},
		Commands: func() []string { return []string{"Get-MyThing"} },
		Topics:   func() []string { return []string{"about_pin_policy", "about_rbac"} },
	}
}

func TestComplete(t *testing.T) {
	s := testSources()
	tests := []struct {
		name string
		line string // | marks the cursor; at the end when absent
		want []string
		from int // replaceFrom, -1 for "start of the current token" checked via want only
	}{
		{"cmdlet prefix", "get-cs", []string{"Get-CsClientPinInfo", "Get-CsUser"}, 0},
		{"cmdlet exact case-insensitive", "SET-CSCLIENT", []string{"Set-CsClientPin"}, 0},
		{"alias", "whe", []string{"where", "Where-Object"}, 0},
		{"extra commands", "Get-My", []string{"Get-MyThing"}, 0},
		{"after pipe", "Get-CsUser | get-csc", []string{"Get-CsClientPinInfo"}, 13},
		{"after pipe no space", "Get-CsUser |Lock", []string{"Lock-CsClientPin"}, 12},
		{"in block", "Get-CsUser | ForEach-Object { set-", []string{"Set-CsClientPin"}, 30},
		{"after semicolon", "Get-CsUser; Grant", []string{"Grant-CsPinPolicy"}, 12},
		{"after assignment", "$u = Get-CsU", []string{"Get-CsUser"}, 5},
		{"no command", "zzz", nil, 0},
		{"param names", "Set-CsClientPin -", []string{"-Identity", "-Pin", "-Force", "-WhatIf", "-Confirm", "-ErrorAction", "-ErrorVariable", "-WarningAction", "-Verbose", "-OutVariable"}, 16},
		{"param prefix", "Set-CsClientPin -f", []string{"-Force"}, 16},
		{"param case", "get-csuser -ou", []string{"-OU", "-OutVariable"}, 11},
		{"param via alias", "? -fil", []string{"-FilterScript"}, 2},
		{"param used left out", "Set-CsClientPin -Identity ken -Force -", []string{"-Pin", "-WhatIf", "-Confirm", "-ErrorAction", "-ErrorVariable", "-WarningAction", "-Verbose", "-OutVariable"}, 37},
		{"param in middle", "Set-CsClientPin -f| -Identity ken", []string{"-Force"}, 16},
		{"en dash", "Get-CsUser –Resu", []string{"–ResultSize"}, 11},
		{"operator", "$x -eq 1 -an", []string{"-and"}, 9},
		{"switch colon", "Set-CsClientPin -Force:", []string{"$true", "$false"}, 23},
		{"switch colon prefix", "Set-CsClientPin -WhatIf:$f", []string{"$false"}, 24},
		{"validate set", "Export-Csv x.csv -Encoding ", []string{"utf8", "ascii", "unicode"}, 27},
		{"validate set prefix", "Export-Csv x.csv -Encoding U", []string{"utf8", "unicode"}, 27},
		{"validate set colon", "Export-Csv x.csv -Encoding:a", []string{"ascii"}, 27},
		{"bool param", "Export-Csv x.csv -Append ", []string{"$true", "$false"}, 25},
		{"ou values quoted", "Get-CsUser -OU ", []string{"'OU=Finance,DC=litwareinc,DC=com'", "'OU=Sales,DC=litwareinc,DC=com'"}, 15},
		{"ou prefix", "Get-CsUser -OU OU=F", []string{"'OU=Finance,DC=litwareinc,DC=com'"}, 15},
		{"identity by name", "Set-CsClientPin -Identity ken", []string{"'Ken Myer'", "'Kendra Lee'"}, 26},
		{"identity quoted", `Set-CsClientPin -Identity "Ken M`, []string{`"Ken Myer"`}, 26},
		{"identity single quoted", `Set-CsClientPin -Identity 'pil`, []string{`'Pilar Ackerman'`}, 26},
		{"identity positional", "Set-CsClientPin Pil", []string{"'Pilar Ackerman'"}, 16},
		{"identity positional sip", "Lock-CsClientPin sip:k", []string{"sip:kenmyer@litwareinc.com"}, 17},
		{"second positional policy", "Grant-CsPinPolicy ken Red", []string{"RedmondPinPolicy"}, 22},
		{"positional after named", "Grant-CsPinPolicy -Identity ken Tag", []string{"Tag:Strict"}, 32},
		{"no param for value", "Get-CsUser -Filter ", nil, 19},
		{"switch takes no value", "Get-CsUser -UnAssignedUser Pil", []string{"'Pilar Ackerman'"}, 27},
		{"variable", "$us", []string{"$User2", "$users"}, 0},
		{"variable in argument", "Set-CsClientPin -Identity $h", []string{"$HOME"}, 26},
		{"variable all", "Write-Output $P", []string{"$ProgressPreference", "$PSItem"}, 13},
		{"property", "Get-CsUser | Where-Object { $_.Dis", []string{"DisplayName"}, 31},
		{"property no space", "Get-CsUser | Where-Object {$_.", []string{"DisplayName", "Enabled", "Identity", "PinPolicy", "SipAddress"}, 30},
		{"property psitem", "Get-CsUser | % { $PSItem.pin", []string{"PinPolicy"}, 25},
		{"property pin info", "Get-CsUser | Get-CsClientPinInfo | ? { $_.IsL", []string{"IsLockedOut"}, 42},
		{"property through where", "Get-CsClientPinInfo ken | ? {$_.IsPinSet} | Sort-Object | % { $_.Last", []string{"LastPinChangeTime"}, 65},
		{"property in expression", "Get-CsUser | ? { $_.Enabled -and $_.Sip", []string{"SipAddress"}, 36},
		{"property first stage", "ForEach-Object { $_.", nil, 20},
		{"property unknown type", "Get-CsUser | % { $_ } | % { $_.", nil, 31},
		{"property not $_", "Get-CsUser | % { $x.", nil, 17},
		{"help topics", "Get-Help about_p", []string{"about_pin_policy"}, 9},
		{"help command names", "help Set-Cs", []string{"Set-CsClientPin"}, 5},
		{"cursor mid word", "Get-Cs| -Identity x", []string{"Get-CsClientPinInfo", "Get-CsUser"}, 0},
		{"empty line", "", nil, 0},
		{"empty after pipe lists all", "Get-CsUser | ", nil, 13},
		{"inside string no completion", `Write-Output "Get-Cs`, nil, 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, pos := tt.line, len(tt.line)
			if i := strings.Index(line, "|"); i >= 0 && strings.Contains(tt.name, "mid") || strings.Contains(tt.name, "in middle") {
				pos = i
				line = line[:i] + line[i+1:]
			}
			got, from := s.Complete(line, pos)
			if tt.name == "empty after pipe lists all" || tt.name == "empty line" {
				if len(got) < 10 || from != tt.from {
					t.Fatalf("Complete(%q) = %d candidates from %d, want all commands from %d", line, len(got), from, tt.from)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) && (len(got) > 0 || len(tt.want) > 0) {
				t.Errorf("Complete(%q, %d) = %q, want %q", line, pos, got, tt.want)
			}
			if len(tt.want) > 0 && from != tt.from {
				t.Errorf("Complete(%q, %d) replaceFrom = %d, want %d", line, pos, from, tt.from)
			}
		})
	}
}

func FuzzComplete(f *testing.F) {
	for _, s := range []string{"Get-CsUser | ? {$_.", "Set-CsClientPin -Identity 'Ken", "$x -e", "@{a={", "Get-Help about_", "–"} {
		f.Add(s, len(s))
	}
	src := testSources()
	f.Fuzz(func(t *testing.T, line string, pos int) {
		if pos < 0 {
			pos = -pos
		}
		if len(line) > 0 {
			pos %= len(line) + 1
		} else {
			pos = 0
		}
		_, from := src.Complete(line, pos)
		if from < 0 || from > pos {
			t.Fatalf("Complete(%q, %d) replaceFrom = %d out of range", line, pos, from)
		}
	})
}
