package syntax

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// equalTrees compares two syntax trees, ignoring positions and the fields
// tagged `syntax:"-"` (how a string was quoted, the source text of a
// block). Nil and empty slices are equal.
func equalTrees(a, b any) bool { return eqValue(reflect.ValueOf(a), reflect.ValueOf(b)) }

var spanType = reflect.TypeOf(Span{})

func eqValue(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return eqValue(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !eqValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if a.Type() == spanType {
			return true
		}
		t := a.Type()
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).Tag.Get("syntax") == "-" {
				continue
			}
			if !eqValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Interface() == b.Interface()
}

// corpus holds valid scripts covering the grammar; it seeds the fuzz
// targets and drives the prefix test.
var corpus = []string{
	`Get-CsAdminRole | Where-Object {$_.Cmdlets –match "Set-CsClientPin"}`,
	`Set-CsClientPin -Identity "litwareinc\kenmyer" -Pin 18723834`,
	`Set-CsClientPin -Identity 'litwareinc\kenmyer' -Pin 0012 -Confirm:$false -WhatIf`,
	"Get-CsUser -Filter {PinPolicy -eq $Null} | Select-Object Identity,DisplayName",
	"$x = 1..10 | % { $_ * 2 }\nforeach ($i in $x) { if ($i -gt 3) { break } elseif ($i) {1} else { \"v: $i $($i+1)\" } }",
	"function f($a, [int]$b = 2) { $a + $b }\nf 1 -b 3",
	"function g {\n  [CmdletBinding(SupportsShouldProcess)]\n  param([Parameter(Mandatory=$true, Position=0)][string]$Name, [switch]$Force)\n  begin { $n = 0 }\n  process { $n++ }\n  end { $n }\n}",
	"@{a=1; b='x'\n c = @(1,2,3)\n 'd e' = $null}",
	"[pscustomobject]@{Name='a'; Count=$x.Count} | Format-List",
	"$h['k'] = $x[-1]; $i++; ++$i; $s += 'x'; $t -= 1; $u *= 2; $v /= 2; $w %= 3; $z--; --$z",
	"@\"\nhello $name `$x $($y.Count)\n\"@",
	"@'\nliteral $x\n'@",
	"for ($i=0; $i -lt 3; $i++) { continue }",
	"do { $x-- } while ($x -gt 0)\ndo { $x++ } until ($x -ge 10)",
	"while ($true) { break }",
	"'it''s' + \"a`tb`n\" + ‘curly’ + “double”",
	"$a = 1, 2, 3; $b = ,1; $c = @(); $d = $a[0..1]; $e = $a.Count",
	"if (-not $x -and !$y -or $z -xor $w) { 'ok' }",
	"$x -ceq 'A'; $x -ilike 'a*'; $x -notmatch '^b'; 1 -in 1,2; $a -notcontains 3; 'a,b' -split ','; $a -join '-'",
	"$r = 'abc' -replace 'b','x'; '{0}-{1}' -f 1, 2",
	"$env:PATH; ${weird name} = 5; $script:x = 1; $global:y; $_; $PSItem; $?; $args",
	"0x1F + 1kb + 1.5 + 2e3 + 10mb - .5",
	"[int]'5' + [string]5 + [bool]1; [datetime]'2012-09-25'; [array]$x",
	"# comment\n<# block\ncomment #>\nGet-Date `\n  -Format 'yyyy'",
	"exit 3",
	"return $x",
	"throw 'boom'",
	":outer foreach ($a in 1..3) { foreach ($b in 1..3) { continue outer } }",
	"Get-Thing | Where-Object Prop -eq Value | Sort-Object -Descending Name",
	"Write-Output a$b c`$d \"e $f\" 'g' @(1) $(2) (3) {4} @{a=5}",
	"& $sb 1 2; & 'Get-Date'; . $sb",
	"$x.Foo.Bar[0].Baz; $x.'odd name'; $x.$name; [math]::Pi; $s.ToUpper(); $s.Substring(1, 2)",
	"Get-Foo @splat -Verbose > $null 2>&1",
	"$x = if ($a) { 1 } else { 2 }",
	"Get-CsUser |\n  Get-CsClientPinInfo |\n  Where-Object {$_.IsLockedOut -eq $True} |\n  Unlock-CsClientPin",
	"$x = -5; $y = - -5; $z = -$x; $w = +3",
	"filter double { $_ * 2 }\n1..3 | double",
	"Set-CsClientPin –Identity \"kenmyer\" —Pin 1234 ―Confirm:$false",
	"$a, $b = 1, 2",
	"{ param($x) $x }.Invoke(1)",
	"$x -is [string]; $x -as [int]; -split 'a b'; -join (1,2)",
	"try { Get-X -ErrorAction Stop } catch [System.Exception], [Other] { $_.Exception.Message } finally { 'done' }",
	"try {\n  1/0\n}\ncatch {\n  'caught'\n}",
	"try { } finally { }",
}

func FuzzParse(f *testing.F) {
	for _, s := range corpus {
		f.Add(s)
	}
	for _, s := range []string{"", "{", "\"$(", "@\"", "$x = ", "1 +", "`", "\xff", "((((", "<#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(src)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error is %T, not *Error", err)
			}
			checkPos(t, src, e.Start)
			checkPos(t, src, e.End)
			if e.End.Offset < e.Start.Offset {
				t.Fatalf("error range reversed: %v..%v", e.Start, e.End)
			}
			return
		}
		if s == nil {
			t.Fatal("nil script without error")
		}
	})
}

// FuzzRoundTrip checks that printing a parsed script and parsing the text
// again gives an equal tree.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range corpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		roundTrip(t, src)
	})
}

func roundTrip(t *testing.T, src string) {
	t.Helper()
	s, err := Parse(src)
	if err != nil {
		return
	}
	out := Print(s)
	s2, err := Parse(out)
	if err != nil {
		t.Fatalf("printed script does not parse: %v\ninput:  %q\nprinted: %q", err, src, out)
	}
	if !equalTrees(s, s2) {
		t.Fatalf("round trip changed the tree\ninput:  %q\nprinted: %q\nreprint: %q", src, out, Print(s2))
	}
}

func checkPos(t *testing.T, src string, p Pos) {
	t.Helper()
	if p.Offset < 0 || p.Offset > len(src) || p.Line < 1 || p.Col < 1 {
		t.Fatalf("invalid position %+v for input of %d bytes", p, len(src))
	}
	lines := 1 + strings.Count(src[:p.Offset], "\n") + strings.Count(strings.ReplaceAll(src[:p.Offset], "\r\n", ""), "\r")
	if lines != p.Line {
		t.Fatalf("position %+v: line should be %d", p, lines)
	}
}

func TestCorpusRoundTrip(t *testing.T) {
	for _, src := range corpus {
		if _, err := Parse(src); err != nil {
			t.Errorf("corpus entry does not parse: %q: %v", src, err)
			continue
		}
		roundTrip(t, src)
	}
}

// TestPrefixesArePartial checks the REPL's invariant: every proper prefix
// of a valid script parses, or fails only with a Partial error.
func TestPrefixesArePartial(t *testing.T) {
	for _, src := range corpus {
		if _, err := Parse(src); err != nil {
			continue // reported by TestCorpusRoundTrip
		}
		for i := 0; i < len(src); i++ {
			_, err := Parse(src[:i])
			if err == nil {
				continue
			}
			if e := err.(*Error); !e.Partial {
				t.Errorf("prefix %q of %q: non-partial error %v", src[:i], src, e)
				break
			}
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	_, err := Parse("Get-Date\n'a\xffb'")
	e, ok := err.(*Error)
	if !ok || e.Partial || e.Start.Line != 2 || e.Start.Col != 3 || !strings.Contains(e.Msg, "UTF-8") {
		t.Fatalf("got %v", err)
	}
	// A rune cut at the end is partial (the rest may still come).
	en := "–"
	_, err = Parse("Get-Foo " + en[:1])
	if e, ok := err.(*Error); !ok || !e.Partial {
		t.Fatalf("truncated rune: got %v", err)
	}
	if !utf8.ValidString(e.Line) {
		t.Fatalf("error line is not valid UTF-8: %q", e.Line)
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300)
	_, err := Parse(deep)
	if e, ok := err.(*Error); !ok || !strings.Contains(e.Msg, "nested too deeply") {
		t.Fatalf("deep nesting: got %v", err)
	}
	blocks := strings.Repeat("{", 10000)
	if _, err := Parse(blocks); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Fatalf("deep blocks: got %v", err)
	}
	chain := strings.Repeat("1+", 5000) + "1"
	if _, err := Parse(chain); err == nil || !strings.Contains(err.Error(), "too complex") {
		t.Fatalf("long chain: got %v", err)
	}
	if _, err := Parse(strings.Repeat("1+", 1000) + "1"); err != nil {
		t.Fatalf("a chain of 1000 should parse: %v", err)
	}
	big := strings.Repeat("#", MaxSize+1)
	if _, err := Parse(big); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("big script: got %v", err)
	}
	nested := strings.Repeat(`"$(`, 200) + strings.Repeat(`)"`, 200)
	if _, err := Parse(nested); err != nil {
		t.Fatalf("nested strings: %v", err)
	}
}
