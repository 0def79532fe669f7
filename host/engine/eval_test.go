package engine

import "testing"

func TestOperators(t *testing.T) {
	checkCases(t, []tcase{
		{name: "arith", script: "1 + 2; 7 - 10; 3 * 4; 10 / 4; 10 / 5; 7 % 3; -7 % 3; 2 + 3 * 4; (2 + 3) * 4", out: lines("3", "-3", "12", "2.5", "2", "1", "-1", "14", "20")},
		{name: "string arith", script: "'a' + 1; '1' + 1; 1 + '1'; 'ab' * 3; 1 + '0x10'", out: lines("a1", "11", "2", "ababab", "17")},
		{name: "array arith", script: "(1,2 + 3).Count; (@(1) * 3).Count; ($null + 'x')", out: lines("3", "3", "x")},
		{name: "hash add", script: "$h = @{a=1} + @{b=2}; $h.Count; $h.b", out: lines("2", "2")},
		{name: "numbers", script: "0x1F; 1kb; 1.5; 2e3; .5; 10mb; 1d", out: lines("31", "1024", "1.5", "2000", "0.5", "10485760", "1")},
		{name: "overflow to double", script: "9223372036854775807 + 1 -gt 0", out: lines("True")},
		{name: "div by zero", script: "1/0; 'after'", out: lines("after"), err: "Attempted to divide by zero.\nAt line:1 char:1\n", code: 1},
		{name: "eq", script: "1 -eq 1; 'A' -eq 'a'; 'A' -ceq 'a'; 'A' -ieq 'a'; 1 -eq '1.0'; '1.0' -eq 1; $null -eq $null; $null -eq 0", out: lines("True", "True", "False", "True", "True", "False", "True", "False")},
		{name: "ne gt lt", script: "1 -ne 2; 3 -gt 2; 2 -ge 2; 'a' -lt 'B'; 'b' -le 'a'", out: lines("True", "True", "True", "True", "False")},
		{name: "collection filters", script: "(1,2,3,2 -eq 2).Count; 1,2,3 -gt 1; 'ab','cd','ax' -like 'a*'", out: lines("2", "2", "3", "ab", "ax")},
		{name: "like", script: "'Set-CsClientPin' -like 'set-cs*'; 'abc' -clike 'A*'; 'abc' -notlike '*z*'; 'a[b' -like 'a`[b'; 'abc' -like 'a?c'", out: lines("True", "False", "True", "True", "True")},
		{name: "match", script: "if ('Set-CsClientPin' -match 'cs(?<what>\\w+)pin') { $Matches[0]; $Matches.what }; 'x' -match 'y'; $Matches[0]", out: lines("CsClientPin", "Client", "False", "CsClientPin")},
		{name: "match collection no matches", script: "$Matches = $null; ('a1','b2' -match '\\d').Count; $Matches -eq $null", out: lines("2", "True")},
		{name: "contains in", script: "1,2,3 -contains 2; 1,2,3 -notcontains 2; 2 -in 1,2; 'A' -in 'a','b'; 'A' -cin 'a','b'; 5 -notin 1,2", out: lines("True", "False", "True", "True", "False", "True")},
		{name: "logic", script: "$true -and $false; $true -or $false; -not $true; !0; $true -xor $true; !$null", out: lines("False", "True", "False", "True", "False", "True")},
		{name: "short circuit", script: "$false -and (1/0); $true -or (1/0); 'ok'", out: lines("False", "True", "ok")},
		{name: "replace", script: "'abcb' -replace 'b','x'; 'abc' -replace 'B'; 'abc' -creplace 'B','x'; 'John Smith' -replace '(\\w+) (\\w+)', '$2, $1'", out: lines("axcx", "ac", "abc", "Smith, John")},
		{name: "split join", script: "('a,b,,c' -split ',').Count; (-split ' a  b ').Count; 1,2,3 -join '-'; -join ('a','b')", out: lines("4", "2", "1-2-3", "ab")},
		{name: "format", script: "'{0}-{1}' -f 1,'x'; '{0:N2}' -f 1234.5; '{0,5}|' -f 'ab'; '{0:D4}' -f 7; '{{x}}' -f 1", out: lines("1-x", "1,234.50", "   ab|", "0007", "{x}")},
		{name: "is as", script: "1 -is [int]; 'x' -is [string]; 1 -isnot [string]; '5' -as [int]; ('x' -as [int]) -eq $null", out: lines("True", "True", "True", "5", "True")},
		{name: "bitwise", script: "5 -band 3; 5 -bor 3; 5 -bxor 3; 1 -shl 4", out: lines("1", "7", "6", "16")},
		{name: "unary", script: "-(3); +'4'; - -5; $x = 2; -$x", out: lines("-3", "4", "5", "-2")},
		{name: "range", script: "1..3; 3..1; (1..10).Count; $r = 5..7; $r[-1]", out: lines("1", "2", "3", "3", "2", "1", "10", "7")},
		{name: "casts", script: "[int]'42'; [int]2.5; [int]3.5; [string]12; [bool]'False'; [bool]0; [array]5 | % { $_ }; ([datetime]'2012-09-25 13:35:03').Year", out: lines("42", "2", "4", "12", "True", "False", "5", "2012")},
		{name: "cast error", script: "[int]'abc'", err: "Cannot convert value \"abc\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\"\nAt line:1 char:1\n", code: 1},
		{name: "unknown type", script: "[Foo.Bar]1", err: "Unable to find type [Foo.Bar].\nAt line:1 char:1\n", code: 1},
		{name: "pscustomobject", script: "$o = [pscustomobject]@{Name='a'; Count=2}; $o.Name; $o.Count; $o", out: lines("a", "2", "@{Name=a; Count=2}")},
	})
}

func TestStringsAndVariables(t *testing.T) {
	checkCases(t, []tcase{
		{name: "expand", script: "$n = 'World'; \"Hello $n!\"; \"${n}s\"; \"$($n.Length) chars\"; 'no $n'", out: lines("Hello World!", "Worlds", "5 chars", "no $n")},
		{name: "expand member not", script: "$o = [pscustomobject]@{P=1}; \"$o.P\"", out: lines("@{P=1}.P")},
		{name: "escapes", script: "\"a`tb\"; \"q`\"q\"; \"d`$x\"; 'it''s'; \"say \"\"hi\"\"\"", out: lines("a\tb", "q\"q", "d$x", "it's", "say \"hi\"")},
		{name: "here", script: "$x = 'v'\n@\"\nline $x\n  two\n\"@\n@'\nraw $x\n'@", out: lines("line v\n  two", "raw $x")},
		{name: "curly quotes", script: "‘single’; “double $true”", out: lines("single", "double True")},
		{name: "env", script: "$env:PINSH_TEST_X = 'yes'; $env:PINSH_TEST_X; \"[$env:PINSH_TEST_X]\"", out: lines("yes", "[yes]")},
		{name: "weird var", script: "${my var} = 3; ${my var} + 1", out: lines("4")},
		{name: "case insensitive", script: "$Abc = 1; $aBC", out: lines("1")},
		{name: "assign ops", script: "$x = 10; $x += 5; $x -= 3; $x *= 2; $x /= 4; $x %= 4; $x; $s = 'a'; $s += 'b'; $s", out: lines("2", "ab")},
		{name: "inc dec", script: "$i = 1; $i++; ++$i; $i; $i--; $i; ($i++); $i; (++$i)", out: lines("3", "2", "2", "3", "4")},
		{name: "array", script: "$a = 1,2,3; $a[0]; $a[-1]; $a.Count; $a[0..1] -join ','; $a[5] -eq $null; $b = ,7; $b.Count; @().Count; @(1).Count; @($null).Count", out: lines("1", "3", "3", "1,2", "True", "1", "0", "1", "1")},
		{name: "array add", script: "$a = @(); $a += 1; $a += 2,3; $a.Count; $a[1] = 9; $a -join ''", out: lines("3", "193")},
		{name: "hashtable", script: "$h = @{a=1; b='x'\n c = 3}\n$h.a; $h['b']; $h.Count; $h.c = 4; $h['d'] = 5; $h.Keys -join ','; $h.ContainsKey('D')", out: lines("1", "x", "3", "a,b,c,d", "True")},
		{name: "hashtable enumerator", script: "$h = @{b=2; a=1}; foreach ($kv in $h.GetEnumerator()) { \"$($kv.Key)=$($kv.Value)\" }; $h.Values -join ','", out: lines("b=2", "a=1", "2,1")},
		{name: "multi assign", script: "$a, $b = 1, 2, 3; $a; $b -join ','", out: lines("1", "2,3")},
		{name: "null assign", script: "$null = 5; $x = $null; $x -eq $null", out: lines("True")},
		{name: "member", script: "$s = 'hello'; $s.Length; $s.ToUpper(); $s.Substring(1,3); 'a,b'.Split(',').Count; (1,2).Count; $null.Foo -eq $null", out: lines("5", "HELLO", "ell", "2", "2", "True")},
		{name: "member enumeration", script: "$u = Get-User 3; $u.Name -join ','; $u.Count", out: lines("user0,user1,user2", "3")},
		{name: "static", script: "[math]::Round(2.5); [math]::Max(3, 7); [int]::MaxValue; [string]::IsNullOrEmpty('')", out: lines("2", "7", "2147483647", "True")},
		{name: "gettype", script: "(1).GetType().Name; 'x'.GetType().FullName", out: lines("Int64", "System.String")},
		{name: "subexpr", script: "$(1; 2).Count; $(); @(Get-User 2).Count", out: lines("2", "2")},
		{name: "automatic", script: "$true; $false; $null; $HOME -ne $null", out: lines("True", "False", "True")},
	})
}

func TestControlFlow(t *testing.T) {
	checkCases(t, []tcase{
		{name: "if", script: "$x = 5\nif ($x -gt 10) { 'big' } elseif ($x -gt 3) { 'mid' } else { 'small' }", out: lines("mid")},
		{name: "if else newline", script: "if ($false) {\n 'a'\n}\nelse {\n 'b'\n}", out: lines("b")},
		{name: "foreach", script: "foreach ($x in 1..3) { $x * 2 }", out: lines("2", "4", "6")},
		{name: "foreach break continue", script: "foreach ($x in 1..10) { if ($x -eq 2) { continue }; if ($x -eq 4) { break }; $x }", out: lines("1", "3")},
		{name: "labels", script: ":outer foreach ($a in 1..3) { foreach ($b in 1..3) { if ($b -eq 2) { continue outer }; \"$a$b\" } }", out: lines("11", "21", "31")},
		{name: "while", script: "$i = 0; while ($i -lt 3) { $i; $i++ }", out: lines("0", "1", "2")},
		{name: "do while until", script: "$i = 0; do { $i++ } while ($i -lt 5); $i; do { $i-- } until ($i -le 2); $i", out: lines("5", "2")},
		{name: "for", script: "for ($i = 0; $i -lt 3; $i++) { $i }", out: lines("0", "1", "2")},
		{name: "collect if", script: "$v = if ($true) { 'yes' } else { 'no' }; $v", out: lines("yes")},
		{name: "collect foreach", script: "$v = foreach ($i in 1..3) { $i }; $v.Count", out: lines("3")},
		{name: "exit", script: "'a'; exit 3; 'b'", out: lines("a"), code: 3},
		{name: "exit in function", script: "function f { exit 4 }; f; 'no'", code: 4},
		{name: "return", script: "function f { 1; return 2; 3 }; f", out: lines("1", "2")},
		{name: "return top", script: "'a'; return; 'b'", out: lines("a")},
		{name: "throw", script: "'a'; throw 'boom'; 'b'", out: lines("a"), err: "boom\nAt line:1 char:6\n", code: 1},
		{name: "break in pipeline block", script: "foreach ($i in 1..2) { 1..5 | % { if ($_ -eq 3) { break }; \"$i.$_\" } }; 'end'", out: lines("1.1", "1.2", "end")},
	})
}

func TestFunctions(t *testing.T) {
	checkCases(t, []tcase{
		{name: "simple args", script: "function f { $args.Count; $args[1] }; f a b c", out: lines("3", "b")},
		{name: "paren params", script: "function add($a, $b) { $a + $b }; add 1 2; add -b 3 -a 4", out: lines("3", "7")},
		{name: "param block", script: "function g { param([int]$n = 5, [string]$s) \"$n $s\" }; g; g 7 x; g -s y", out: lines("5 ", "7 x", "5 y")},
		{name: "switch", script: "function sw { param([switch]$Force) $Force }; sw; sw -Force; sw -Force:$false", out: lines("False", "True", "False")},
		{name: "mandatory no host", script: "function m { param([Parameter(Mandatory)]$Name) $Name }; m", err: "m : Cannot process command because of one or more missing mandatory parameters: Name.\nAt line:1 char:58\n", code: 1},
		{name: "bind error", script: "function b { param($x) }; b -y 1", err: "b : A parameter cannot be found that matches parameter name 'y'. Valid parameters are: -x.\nAt line:1 char:27\n", code: 1},
		{name: "scope", script: "$x = 1; function s { $x; $x = 2; $x }; s; $x", out: lines("1", "2", "1")},
		{name: "global", script: "function s { $global:y = 5 }; s; $y", out: lines("5")},
		{name: "pipeline input", script: "function dbl { process { $_ * 2 } }; 1..3 | dbl", out: lines("2", "4", "6")},
		{name: "filter", script: "filter inc { $_ + 1 }; 1,2 | inc", out: lines("2", "3")},
		{name: "input var", script: "function sum { $t = 0; foreach ($i in $input) { $t += $i }; $t }; 1..4 | sum", out: lines("10")},
		{name: "begin end", script: "function c { begin { $n = 0 } process { $n++ } end { \"n=$n\" } }; 'a','b' | c", out: lines("n=2")},
		{name: "pipeline param", script: "function p { param([Parameter(ValueFromPipeline)]$In) process { \"<$In>\" } }; 1,2 | p", out: lines("<1>", "<2>")},
		{name: "recursion", script: "function fact($n) { if ($n -le 1) { 1 } else { $n * (fact ($n - 1)) } }; fact 10", out: lines("3628800")},
		{name: "script block", script: "$sb = { param($a) $a * 3 }; & $sb 2; $sb.Invoke(4); & { 'inline' }", out: lines("6", "12", "inline")},
		{name: "foreach scope", script: "$sum = 0; 1..10 | % { $sum += $_ }; $sum", out: lines("55")},
		{name: "splat", script: "function sp($a, $b) { \"$a-$b\" }; $h = @{b=2; a=1}; sp @h; $l = 3,4; sp @l", out: lines("1-2", "3-4")},
		{name: "where", script: "1..6 | Where-Object { $_ % 2 -eq 0 } | % { \"n$_\" }", out: lines("n2", "n4", "n6")},
		{name: "measure", script: "(1..1000 | Where-Object {$_ % 2 -eq 0} | Measure-Object).Count", out: lines("500")},
		{name: "property filter", script: "Get-User 6 | ? { $_.Department -eq 'Sales' } | % { $_.Name }", out: lines("user1", "user4")},
	})
}

// TestPipelineOrder checks PowerShell's one-at-a-time model: Begin of
// every stage in order, each object through all stages before the next,
// End in order with End output flowing downstream before the next End.
func TestPipelineOrder(t *testing.T) {
	script := `
$log = @()
function A { begin { $global:log += 'A begin'; 'from A begin' } process { $global:log += "A $_"; $_ } end { $global:log += 'A end'; 'from A end' } }
function B { begin { $global:log += 'B begin' } process { $global:log += "B $_" } end { $global:log += 'B end' } }
1..2 | A | B
$log -join ', '`
	want := "A begin, B begin, B from A begin, A 1, B 1, A 2, B 2, A end, B from A end, B end\n"
	if r := run(t, script); r.out != want {
		t.Fatalf("got  %q\nwant %q", r.out, want)
	}
	// The first object reaches the last stage before the first stage
	// produces the second, even for a lazy range.
	r := run(t, "$seen = 0; foreach ($once in 1) { 1..1000000000 | % { $seen++; $_ } | % { if ($_ -eq 3) { break } } }; $seen")
	if r.out != "3\n" {
		t.Fatalf("streaming: %q %q", r.out, r.err)
	}
}
