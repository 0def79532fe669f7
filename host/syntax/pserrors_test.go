package syntax

import "testing"

// TestErrorPositionsMatchPowerShell checks where parse errors are
// reported against PowerShell's own parser tests
// (test/powershell/Language/Parser/Parser.Tests.ps1 and friends,
// "ShouldBeParseError script ErrorId position"): PowerShell reports a
// missing closing token or a missing part just after the last token it
// read, and an unclosed '{' at the brace.
func TestErrorPositionsMatchPowerShell(t *testing.T) {
	cases := []struct {
		src string
		col int // 1-based column of the first error
	}{
		{"for", 4}, {"for(", 5}, {"for(;", 6}, {"for(;;", 7}, {"for($a", 7}, {"for($a;", 8},
		{"for($a;$b", 10}, {"for($a;$b;", 11}, {"for($a;$b;$c", 13}, {"for($a;$b;$c)", 14},
		{"foreach", 8}, {"foreach (", 10}, {"foreach ($a", 12}, {"foreach ($a into", 12},
		{"foreach ($a in", 15}, {"foreach ($a in $x", 18}, {"foreach ($a in $x)", 19},
		{"do", 3}, {"do {}", 6}, {"do {} while", 12}, {"do {} while (", 14}, {"do {} while (1", 15},
		{"do {} until", 12}, {"try", 4}, {"try {}", 7}, {"try {} catch", 13}, {"try {} finally", 15},
		{"try {} catch [int]", 19}, {"try {} catch {} finally", 24},
		{"function", 9}, {"function foo", 13}, {"function foo(", 14}, {"function foo {", 14},
		{"function foo { function bar { if (1) {} }", 14}, {"function foo {param(}", 21},
		{"gps|", 5}, {"1|1", 3}, {"$a=", 4}, {"gcm -a:", 8}, {"gcm ,", 5},
		{"   )", 4}, {"   }", 4}, {"1+", 3},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		se, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: got %v, want a parse error at column %d", c.src, err, c.col)
			continue
		}
		if se.Start.Line != 1 || se.Start.Col != c.col {
			t.Errorf("%q: error at %d:%d (%s), want 1:%d", c.src, se.Start.Line, se.Start.Col, se.Msg, c.col)
		}
	}
}
