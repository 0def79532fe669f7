package engine

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func TestErrors(t *testing.T) {
	badErr := "Test-Each : The value \"bad\" is bad.\nAt line:1 char:17\n"
	checkCases(t, []tcase{
		{name: "non-terminating", script: "'a','bad','c' | Test-Each", out: lines("ok a", "ok c"), err: badErr, code: 1},
		{name: "silently continue", script: "'a','bad','c' | Test-Each -ErrorAction SilentlyContinue; $?; $Error.Count; $Error[0].Exception.Message",
			out: lines("ok a", "ok c", "False", "1", "The value \"bad\" is bad.")},
		{name: "ignore", script: "'bad' | Test-Each -ea Ignore; $Error.Count", out: lines("0")},
		{name: "stop", script: "'a','bad','c' | Test-Each -ErrorAction Stop; 'after'", out: lines("ok a"), err: badErr, code: 1},
		{name: "preference stop", script: "$ErrorActionPreference = 'Stop'\n'bad' | Test-Each\n'after'", out: "", err: "Test-Each : The value \"bad\" is bad.\nAt line:2 char:9\n", code: 1},
		{name: "preference silently", script: "$ErrorActionPreference = 'SilentlyContinue'; 'bad' | Test-Each; Get-Nope; 1/0; 'after'", out: lines("after")},
		{name: "preference stop terminating", script: "$ErrorActionPreference = 'Stop'; 1/0; 'after'", err: "Attempted to divide by zero.\nAt line:1 char:34\n", code: 1},
		{name: "error variable set", script: "'bad','x','bad' | Test-Each -ErrorVariable ev -ErrorAction SilentlyContinue > $null; $ev.Count; \"$($ev[0])\"; 'bad' | Test-Each -ev +ev -ea SilentlyContinue; $ev.Count; 'x' | Test-Each -ev ev > $null; $ev.Count",
			out: lines("2", "The value \"bad\" is bad.", "3", "0")},
		{name: "dollar question", script: "'x' | Test-Each > $null; $?; 'bad' | Test-Each 2>$null; $?; $true; $?", out: lines("True", "False", "True", "True")},
		{name: "error newest first", script: "Write-Error 'one' 2>$null; Write-Error 'two' 2>$null; $Error[0].Exception.Message; $Error[1].Exception.Message", out: lines("two", "one")},
		{name: "terminating from cmdlet", script: "Stop-Now; 'after'", out: lines("after"), err: "Stop-Now : It stopped.\nAt line:1 char:1\n", code: 1},
		{name: "unknown command", script: "Get-Nope -x 1\n'after'", out: lines("after"),
			err: "Get-Nope : The term 'Get-Nope' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.\nAt line:1 char:1\n", code: 1},
		{name: "binding error", script: "'x' | Test-Each -Bogus 1; 'after'", out: lines("after"),
			err: "Test-Each : A parameter cannot be found that matches parameter name 'Bogus'. Valid parameters are: -InputObject.\nAt line:1 char:7\n", code: 1},
		{name: "input binding error is per object", script: "1, 'x', 2 | Add-One", out: lines("2", "3"),
			err: "Add-One : Cannot bind parameter 'Number'. Cannot convert value \"x\" to type \"Int64\". Input string was not in a correct format.\nAt line:1 char:13\n", code: 1},
		{name: "statement error inside block", script: "1..2 | % { 1/0; \"n$_\" }", out: lines("n1", "n2"),
			err: strings.Repeat("Attempted to divide by zero.\nAt line:1 char:12\n", 2), code: 1},
		{name: "stop inside function", script: "function f { 'in'; 'bad' | Test-Each -ErrorAction Stop; 'not' }; f; 'after'", out: lines("in"), err: badErr[:len(badErr)-len("At line:1 char:19\n")] + "At line:1 char:28\n", code: 1},
		{name: "warning verbose", script: "Say-Things; Say-Things -Verbose -WarningAction SilentlyContinue", out: lines("said", "said"), err: "WARNING: warning text\nVERBOSE: verbose text\n"},
		{name: "verbose preference", script: "$VerbosePreference = 'Continue'; $WarningPreference = 'SilentlyContinue'; Say-Things", out: lines("said"), err: "VERBOSE: verbose text\n"},
		{name: "runtime error position", script: "$a = 1\n  $b = $a.Foo.Bar + (2 / 0)", err: "Attempted to divide by zero.\nAt line:2 char:22\n", code: 1},
		{name: "method error", script: "'x'.Nope()", err: "Method invocation failed because [System.String] does not contain a method named 'Nope'.\nAt line:1 char:1\n", code: 1},
		{name: "null method", script: "$null.ToUpper()", err: "You cannot call a method on a null-valued expression.\nAt line:1 char:1\n", code: 1},
		{name: "merge stream", script: "$r = 'bad' | Test-Each 2>&1; \"got: $r\"", out: lines("got: The value \"bad\" is bad.")},
	})
}

func TestParseErrorRunsNothing(t *testing.T) {
	r := run(t, "'first'\nforeach ($x in 1..3) {\n  $x\n")
	want := "At line:2 char:22\n+ foreach ($x in 1..3) {\n+                      ~\nMissing closing '}' in statement block or type definition.\n"
	if r.out != "" || r.err != want || r.code != 2 {
		t.Fatalf("got %+v\nwant stderr %q", r, want)
	}
	var out, errb bytes.Buffer
	e := New(Options{Registry: testRegistry(), Stdout: &out, Stderr: &errb})
	if code := e.Run(context.Background(), "'x'\n1 +", "/tmp/s.ps1"); code != 2 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(errb.String(), "At /tmp/s.ps1:2 char:4\n+ 1 +\n+    ~\nYou must provide a value expression following the '+' operator.\n") {
		t.Fatalf("stderr %q", errb.String())
	}
	if out.Len() != 0 {
		t.Fatalf("something ran: %q", out.String())
	}
}

func TestScriptFilePositions(t *testing.T) {
	var out, errb bytes.Buffer
	e := New(Options{Registry: testRegistry(), Stdout: &out, Stderr: &errb})
	code := e.Run(context.Background(), "'ok'\n\n  Stop-Now", "/scripts/x.ps1")
	if code != 1 || errb.String() != "Stop-Now : It stopped.\nAt /scripts/x.ps1:3 char:3\n" {
		t.Fatalf("code %d stderr %q", code, errb.String())
	}
}

func TestStatePersistsAcrossRuns(t *testing.T) {
	var out bytes.Buffer
	e := New(Options{Registry: testRegistry(), Stdout: &out})
	ctx := context.Background()
	e.Run(ctx, "$x = 41; function inc($n) { $n + 1 }", "")
	e.Run(ctx, "inc $x", "")
	if out.String() != "42\n" {
		t.Fatalf("got %q", out.String())
	}
	e.SetVar("fromHost", "h")
	if v, ok := e.Var("fromhost"); !ok || v != "h" {
		t.Fatalf("Var: %v %v", v, ok)
	}
	if code := e.Run(ctx, "Stop-Now", ""); code != 1 || e.ErrorsWritten() != 1 {
		t.Fatalf("code %d, errors %d", code, e.ErrorsWritten())
	}
	if code := e.Run(ctx, "'fine'", ""); code != 0 {
		t.Fatalf("a clean run after an error: exit %d", code)
	}
	if err := e.Parse("foreach ($x in 1..3) {", ""); err == nil {
		t.Fatal("Parse: no error")
	} else if pe, ok := err.(interface{ Error() string }); !ok || !strings.Contains(pe.Error(), "Missing closing") {
		t.Fatalf("Parse: %v", err)
	}
}

func TestProgressAndCancel(t *testing.T) {
	var got []Progress
	r, e := runWith(t, Options{OnProgress: func(p Progress) { got = append(got, p) }}, "Say-Things")
	if r.out != "said\n" || len(got) != 1 || got[0].Activity != "working" || e.LastProgress().Total != 2 {
		t.Fatalf("progress %+v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e2 := New(Options{Registry: testRegistry()})
	if code := e2.Run(ctx, "1..100000000 | Measure-Object", ""); code != 130 {
		t.Fatalf("cancelled run: exit %d", code)
	}
	if code := e2.Run(ctx, "while ($true) {}", ""); code != 130 {
		t.Fatalf("cancelled loop: exit %d", code)
	}
}

func TestArgumentsKeepText(t *testing.T) {
	checkCases(t, []tcase{
		{name: "pin digits", script: "Get-Pin 0012; Get-Pin -Pin 18723834 -Number 0x10; Get-Pin –Pin 1kb", out: lines("0012", "18723834", "16", "1kb")},
		{name: "backslash", script: "Set-Thing -Identity \"litwareinc\\kenmyer\" -Confirm:$false; Set-Thing litwareinc\\kenmyer", out: lines("changed litwareinc\\kenmyer", "changed litwareinc\\kenmyer")},
		{name: "en dash match", script: "'Set-CsClientPin','Get-X' | Where-Object {$_ –match \"Set-CsClientPin\"}", out: lines("Set-CsClientPin")},
		{name: "dashes", script: "Set-Thing —Identity a ―Confirm:$false; 5 – 2", out: lines("changed a", "3")},
		{name: "bare words", script: "Write-Output a,b; Write-Output c`$d; Write-Output x$true; Write-Output a'b c'd", out: lines("a", "b", "c$d", "xTrue", "ab cd")},
	})
	r := run(t, "Write-Output a$true")
	if r.out != "aTrue\n" {
		t.Fatalf("got %q", r.out)
	}
}

func TestFilter(t *testing.T) {
	checkCases(t, []tcase{
		{name: "opath", script: "Get-User 6 -Filter 'Department -eq \"Finance\" -and Pin -eq $null' | % { $_.Name }", out: lines("user3")},
		{name: "opath vars", script: "$d = 'Sales'; Get-User 6 -Filter \"Department -eq `$d -and Enabled -eq `$True\" | % Name2", out: "", err: "*", code: 1},
		{name: "opath scriptblock text", script: "$f = {Enabled -eq $True}; Get-User 4 -Filter $f.ToString() | % { $_.Name }", out: lines("user0", "user2")},
		{name: "opath error", script: "Get-User -Filter 'Department -eq'", err: "Get-User : Cannot process the filter \"Department -eq\": You must provide a value expression following the '-eq' operator. (at character 15)\nAt line:1 char:1\n", code: 1},
	})
}

func TestErrorRecordValue(t *testing.T) {
	_, e := runWith(t, Options{}, "'bad' | Test-Each 2>$null")
	v, _ := e.Var("Error")
	list := v.([]object.Value)
	rec := list[0].(*object.Object)
	if id, _ := rec.Get("FullyQualifiedErrorId"); id != "Bad,Test-Each" {
		t.Fatalf("id %v", id)
	}
	if tgt, _ := rec.Get("TargetObject"); tgt != "bad" {
		t.Fatalf("target %v", tgt)
	}
}

func TestTryCatch(t *testing.T) {
	checkCases(t, []tcase{
		{name: "catch stop", script: "try { 'bad' | Test-Each -ErrorAction Stop; 'no' } catch { \"caught: $($_.Exception.Message)\" } finally { 'finally' }; 'after'",
			out: lines("caught: The value \"bad\" is bad.", "finally", "after")},
		{name: "catch statement error", script: "try { 1/0 } catch [System.DivideByZeroException] { 'div' }", out: lines("div")},
		{name: "catch throw", script: "function f { throw 'boom' }; try { f } catch { $_.Exception.Message }; $Error.Count", out: lines("boom", "1")},
		{name: "non-terminating not caught", script: "try { 'bad' | Test-Each } catch { 'no' }", err: "Test-Each : The value \"bad\" is bad.\nAt line:1 char:15\n", code: 1},
		{name: "finally on exit", script: "try { exit 5 } finally { 'f' }", out: lines("f"), code: 5},
		{name: "rethrow", script: "try { throw 'x' } catch { throw \"re: $_\" }", err: "re: x\nAt line:1 char:27\n", code: 1},
		{name: "nested", script: "try { try { throw 'in' } finally { 'inner finally' } } catch { \"outer $_\" }", out: lines("inner finally", "outer in")},
	})
}

func TestWriteErrorAttribution(t *testing.T) {
	checkCases(t, []tcase{
		{name: "in function", script: "function f { Write-Error 'oops'; 'after' }; f", out: lines("after"), err: "f : oops\nAt line:1 char:45\n", code: 1},
		{name: "top level", script: "Write-Error 'oops'", err: "Write-Error 'oops' : oops\nAt line:1 char:1\n", code: 1},
	})
}

func TestScriptParams(t *testing.T) {
	r, e := runWith(t, Options{Args: []object.Value{"-Count", "3", "joe"}}, "param($Name, [int]$Count = 1) \"$Name $Count\"; $Count.GetType().Name")
	if r.out != "joe 3\nInt64\n" || r.code != 0 {
		t.Fatalf("%+v", r)
	}
	_ = e
	r, _ = runWith(t, Options{Args: []object.Value{"a", "b"}}, "$args.Count; $args[1]")
	if r.out != "2\nb\n" {
		t.Fatalf("%+v", r)
	}
}

func TestLimits(t *testing.T) {
	r := run(t, "function f { f }; f; 'after'")
	if !strings.Contains(r.err, "call depth overflow") || r.code != 1 || r.out != "" {
		t.Fatalf("recursion: %+v", r)
	}
	r = run(t, "$sb = { & $sb }; & $sb")
	if !strings.Contains(r.err, "call depth overflow") {
		t.Fatalf("block recursion: %+v", r)
	}
	r = run(t, "$a = 1..100000000")
	if !strings.Contains(r.err, "too large") {
		t.Fatalf("range: %+v", r)
	}
}

func TestPanicInCmdletIsAnError(t *testing.T) {
	reg := testRegistry()
	reg.MustAdd(&cmdlet.Info{Name: "Bug-Out", New: func() cmdlet.Command {
		return &funcCmd{process: func(cmdlet.Runtime, *cmdlet.Args) error { panic("oops") }}
	}})
	r, e := runWith(t, Options{Registry: reg}, "Bug-Out")
	if r.code != 1 || !strings.Contains(r.err, "internal error: oops") {
		t.Fatalf("%+v", r)
	}
	if code := e.Run(context.Background(), "'still alive'", ""); code != 0 {
		t.Fatalf("next run: %d", code)
	}
}
