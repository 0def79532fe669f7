package syntax

import (
	"strings"
	"testing"
)

// TestParseCanonical parses scripts and compares the printed tree, which
// makes the parse's structure visible: quotes show how words were read,
// parameters are normalised to "-Name", operators to "-op".
func TestParseCanonical(t *testing.T) {
	cases := []struct{ src, want string }{
		{`Get-CsAdminRole | Where-Object {$_.Cmdlets –match "Set-CsClientPin"}`,
			"Get-CsAdminRole | Where-Object {\n    $_.Cmdlets -match 'Set-CsClientPin'\n}"},
		{`Set-CsClientPin -Identity "litwareinc\kenmyer" -Pin 18723834`,
			`Set-CsClientPin -Identity 'litwareinc\kenmyer' -Pin 18723834`},
		{`Set-CsClientPin -Identity litwareinc\kenmyer -Confirm:$false`,
			`Set-CsClientPin -Identity 'litwareinc\kenmyer' -Confirm:$false`},
		// Every dash variant is a dash, in parameters and operators.
		{"Set-X –A 1 —B 2 ―C:3; 5 – 2; 5 — 2; $a –eq $b; $a ―and $b",
			"Set-X -A 1 -B 2 -C:3\n5 - 2\n5 - 2\n$a -eq $b\n$a -and $b"},
		// Every curly quote is a quote.
		{"‘a’; ‚b‛; “c $x”; „d”", "'a'\n'b'\n\"c ${x}\"\n'd'"},
		{"'it''s'; 'a’’b'", "'it''s'\n'a’’b'"},
		{"Write-Output a$b c`$d 'e' \"f\" 1,2 -5 0012 1kb a1 -x -y:1",
			"Write-Output \"a${b}\" 'c$d' 'e' 'f' 1,2 -5 0012 1kb 'a1' -x -y:1"},
		{"Get-Foo -Name:  value", "Get-Foo -Name:'value'"},
		{"$x = 1..10 | % { $_ }", "$x = 1..10 | % {\n    $_\n}"},
		{"1, 2 + 3", "1, 2 + 3"},
		{"-not $a -eq $b", "-not $a -eq $b"},
		{"$a -and $b -or $c", "$a -and $b -or $c"},
		{"[int]$x + 1", "[int]$x + 1"},
		{"[int] -5", "[int]-5"},
		{"[datetime]::Now", "[datetime]::Now"},
		{"$x.Prop.Count; $x[0]; $x[-1]; $x.'a b'; $x.$n", "$x.Prop.Count\n$x[0]\n$x[-1]\n$x.'a b'\n$x.$n"},
		{"@{a=1; b='x'\n c = @(1,2)}", "@{a = 1; b = 'x'; c = @(1, 2)}"},
		{"$h = @{\n  Name = 'a'\n  Count = 2\n}", "$h = @{Name = 'a'; Count = 2}"},
		{"\"a`tb`n$env:USERNAME ${weird name} $($x + 1) $x.Prop\"", "\"a\tb\n${env:USERNAME} ${weird name} $($x + 1) ${x}.Prop\""},
		{"@\"\nline1\n$x\n\"@", "\"line1\n${x}\""},
		{"@'\n$x ''y''\n'@", "'$x ''''y'''''"},
		{"Get-Date `\n  -Format 'yyyy'", "Get-Date -Format 'yyyy'"},
		{"Get-A |\n  Get-B |\n\n  Get-C", "Get-A | Get-B | Get-C"},
		{"a # comment\n<# block\n comment #> b", "a\nb"},
		{"if ($a) { 1 }\nelseif ($b) { 2 }\nelse { 3 }", "if ($a) {\n    1\n} elseif ($b) {\n    2\n} else {\n    3\n}"},
		{"function f($a, $b) { $a }", "function f {\n    param($a, $b)\n    $a\n}"},
		{"$i++; ++$i; $i--; --$i; $x += 1", "$i++\n++$i\n$i--\n--$i\n$x += 1"},
		{"0x1F; 1.5e3; .5; 2mb; 7l", "0x1F\n1.5e3\n.5\n2mb\n7l"},
		{"$a = ,1", "$a = ,1"},
		{"& 'Get-Date'; & $sb 1; . $sb", "Get-Date\n& $sb 1\n. $sb"},
		{"Get-X > $null 2>&1", "Get-X > $null 2>&1"},
		{"'text' > out.txt; $x >> 'log.txt'; 1..3 > $null", "'text' > 'out.txt'\n$x >> 'log.txt'\n1..3 > $null"},
		{"& 'if' 1", "& 'if' 1"},
		{"1..3 | foreach { $_ }", "1..3 | foreach {\n    $_\n}"},
	}
	for _, c := range cases {
		s, err := Parse(c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := Print(s); got != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}

func TestParseStructure(t *testing.T) {
	s, err := Parse(`Set-CsClientPin –Identity "litwareinc\kenmyer" -Pin 18723834 -Confirm:$false`)
	if err != nil {
		t.Fatal(err)
	}
	cmd := s.Body.End[0].(*Pipeline).Cmds[0]
	if cmd.Name.(*StringLit).Value != "Set-CsClientPin" || len(cmd.Elems) != 5 {
		t.Fatalf("command %+v", cmd)
	}
	if p := cmd.Elems[0].(*CommandParam); p.Name != "Identity" || p.Colon {
		t.Fatalf("elem 0 %+v", p)
	}
	if v := cmd.Elems[1].(*CommandArg).Value.(*StringLit); v.Value != `litwareinc\kenmyer` {
		t.Fatalf("identity %q", v.Value)
	}
	if n := cmd.Elems[3].(*CommandArg).Value.(*NumberLit); n.Value != int64(18723834) || n.Text != "18723834" {
		t.Fatalf("pin %+v", n)
	}
	c := cmd.Elems[4].(*CommandParam)
	if c.Name != "Confirm" || !c.Colon || c.Arg.(*Variable).Name != "false" {
		t.Fatalf("confirm %+v", c)
	}
	if c.Start.Line != 1 || c.Start.Col != 62 || c.Start.Offset != len(`Set-CsClientPin –Identity "litwareinc\kenmyer" -Pin 18723834 `) {
		t.Fatalf("position %+v", c.Start)
	}
	// A filter: bare words are properties.
	e, err := ParseFilter(`Department -eq "Finance" -and PinPolicy -eq $null`)
	if err != nil {
		t.Fatal(err)
	}
	and := e.(*Binary)
	if and.Op != "-and" || and.X.(*Binary).X.(*PropertyRef).Name != "Department" {
		t.Fatalf("filter %s", Print(e))
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src     string
		line    int
		col     int
		msg     string
		partial bool
	}{
		{"foreach ($x in 1..3) {", 1, 22, "Missing closing '}' in statement block or type definition.", true},
		{"'a'\nforeach ($x in 1..3) {\n $x", 2, 22, "Missing closing '}' in statement block or type definition.", true},
		{"Get-Foo |", 1, 10, "An empty pipe element is not allowed.", true},
		{"Get-Foo | | Get-Bar", 1, 11, "An empty pipe element is not allowed.", false},
		{`Write-Output "abc`, 1, 14, `The string is missing the terminator: ".`, true},
		{`'abc`, 1, 1, `The string is missing the terminator: '.`, true},
		{"@\"\nabc", 1, 1, `The string is missing the terminator: "@.`, true},
		{"if ($x", 1, 7, "Missing closing ')' after expression in 'if' statement.", true},
		{"if ($x) 'a'", 1, 9, "Missing statement block after if ( condition ).", false},
		{"if", 1, 3, "Missing '(' after 'if' in if statement.", true},
		{"1 +", 1, 4, "You must provide a value expression following the '+' operator.", true},
		{"$x -eq", 1, 7, "You must provide a value expression following the '-eq' operator.", true},
		{"$x =", 1, 5, "You must provide a value expression following the '=' operator.", true},
		{"@{a=1", 1, 1, "Missing closing '}' in hash literal.", true},
		{"@{a 1}", 1, 4, "Missing '=' operator after key in hash literal.", false},
		{"1 2", 1, 3, "Unexpected token '2' in expression or statement.", false},
		{"}", 1, 1, "Unexpected token '}' in expression or statement.", false},
		{"$x -foo 1", 1, 4, "Unexpected token '-foo' in expression or statement.", false},
		{"Get-Foo | 5", 1, 11, "Expressions are only allowed as the first element of a pipeline.", false},
		{"(1", 1, 3, "Missing closing ')' in expression.", true},
		{"()", 1, 2, "An expression was expected after '('.", false},
		{"$(1", 1, 1, "Missing closing ')' in subexpression.", true},
		{"$x.", 1, 3, "Missing property name after reference operator.", true},
		{"$x[", 1, 3, "Array index expression is missing or not valid.", true},
		{"1 = 2", 1, 1, "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.", false},
		{"[int", 1, 1, "Missing ] at end of attribute or type literal.", true},
		{"try { }", 1, 8, "The Try statement is missing its Catch or Finally block.", true},
		{"try { } catch", 1, 14, "Missing statement block in catch block.", true},
		{"switch ($x) {}", 1, 1, "The 'switch' statement is not supported by pinsh.", false},
		{"foreach $x in 1", 1, 9, "Missing opening '(' after keyword 'foreach'.", false},
		{"foreach ($x 1) {}", 1, 12, "Missing 'in' after variable in foreach loop.", false},
		{"do { } 1", 1, 8, "Missing while or until keyword in do loop.", false},
		{"function { }", 1, 9, "Missing name after 'function' keyword.", false},
		{"function f", 1, 11, "Missing function body in function declaration.", true},
		{"Get-Foo -Name:", 1, 15, "Missing an argument for parameter 'Name'.", true},
		{"Get-Foo & x", 1, 9, "The ampersand (&) character is not allowed. The & operator is reserved for future use; wrap an ampersand in double quotation marks (\"&\") to pass it as part of a string.", false},
		{"a && b", 1, 3, "The token '&&' is not a valid statement separator in this version.", false},
		{"<# never closed", 1, 1, "Missing the terminator '#>' of the block comment.", true},
		{"Get-Foo `", 1, 9, "The line continuation character (`) is not followed by a new line.", true},
		{"$ x", 1, 1, "Variable reference is not valid. '$' was not followed by a valid variable name character. Consider using ${} to delimit the name.", false},
		{"-not", 1, 5, "Missing expression after unary operator '-not'.", true},
		{"1,", 1, 3, "Missing expression after ','.", true},
		{"$x.Foo(1,", 1, 7, "Missing ')' in method call.", true},
		{"1 < 2", 1, 3, "The '<' operator is reserved for future use.", false},
		{"1abc", 1, 1, "Unexpected token '1abc' in expression or statement.", true},
		{"\t\tGet-Foo |  | x", 1, 14, "An empty pipe element is not allowed.", false},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: got %v, want an error", c.src, err)
			continue
		}
		if e.Msg != c.msg || e.Start.Line != c.line || e.Start.Col != c.col || e.Partial != c.partial {
			t.Errorf("%q:\n got %d:%d partial=%v %q\nwant %d:%d partial=%v %q", c.src, e.Start.Line, e.Start.Col, e.Partial, e.Msg, c.line, c.col, c.partial, c.msg)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	_, err := Parse("'a'\nforeach ($x in 1..3) {\n")
	got := err.(*Error).Format("")
	want := "At line:2 char:22\n+ foreach ($x in 1..3) {\n+                      ~\nMissing closing '}' in statement block or type definition.\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	_, err = Parse("\tWrite-Output \"abc")
	got = err.(*Error).Format("C:\\s.ps1")
	want = "At C:\\s.ps1:1 char:15\n+ \tWrite-Output \"abc\n+ \t             ~~~~\nThe string is missing the terminator: \".\n"
	if got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
	if !strings.Contains(err.Error(), "line 1, column 15") {
		t.Fatalf("Error() = %q", err.Error())
	}
}

func TestNamedBlocksAndParams(t *testing.T) {
	s, err := Parse("[CmdletBinding(SupportsShouldProcess=$true)]\nparam(\n  [Parameter(Mandatory, ValueFromPipeline=$true)]\n  [string[]]$Name,\n  [int]$Count = 3\n)\nbegin { 1 }\nprocess { 2 }\nend { 3 }")
	if err != nil {
		t.Fatal(err)
	}
	b := s.Body
	if !b.Named || len(b.Begin) != 1 || len(b.Process) != 1 || len(b.End) != 1 {
		t.Fatalf("blocks %+v", b)
	}
	pb := b.Param
	if len(pb.Attrs) != 1 || pb.Attrs[0].Name != "CmdletBinding" || len(pb.Params) != 2 {
		t.Fatalf("param block %+v", pb)
	}
	p := pb.Params[0]
	if p.Name != "Name" || len(p.Attrs) != 2 || p.Attrs[1].Name != "string[]" || !p.Attrs[1].IsType {
		t.Fatalf("param %+v", p)
	}
	if a := p.Attrs[0].Args; len(a) != 2 || a[0].Name != "Mandatory" || a[0].Value != nil || a[1].Name != "ValueFromPipeline" {
		t.Fatalf("attr args %+v", a)
	}
	if d := pb.Params[1].Default.(*NumberLit); d.Value != int64(3) {
		t.Fatalf("default %+v", d)
	}
}
