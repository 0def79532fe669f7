package builtin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// lines joins the string outputs of a command as they would print.
func lines(t *testing.T, rt *fakeRT) string {
	t.Helper()
	var sb strings.Builder
	for _, v := range rt.out {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("output %T is not a string", v)
		}
		sb.WriteString(s + "\n")
	}
	return sb.String()
}

func TestFormatCmdlets(t *testing.T) {
	users := []object.Value{
		obj("DisplayName", "Ken Myer", "SipAddress", "sip:kenmyer@litwareinc.com", "Enabled", true, "Pins", int64(3)),
		obj("DisplayName", "Pilar Ackerman", "SipAddress", "sip:pilar@litwareinc.com", "Enabled", false, "Pins", int64(12)),
	}
	tests := []struct {
		name string
		cmd  string
		args []cmdlet.Arg
		in   []object.Value
		want string
	}{
		{"table of all properties", "Format-Table", nil, users, `
DisplayName    SipAddress                 Enabled Pins
-----------    ----------                 ------- ----
Ken Myer       sip:kenmyer@litwareinc.com True       3
Pilar Ackerman sip:pilar@litwareinc.com   False     12

`},
		{"ft with properties and calculated column", "ft", cl([]object.Value{"displayname",
			hash("Label", "Locked", "Expression", prop("Enabled"), "Width", int64(8), "Alignment", "Right")}, "-AutoSize"), users, `
DisplayName      Locked
-----------      ------
Ken Myer           True
Pilar Ackerman    False

`},
		{"ft wildcard", "ft", cl("*Name", "-HideTableHeaders"), users, `
Ken Myer
Pilar Ackerman

`},
		{"pin info as a table, fitted to 80 columns", "ft", nil, pins()[:1], `
Identity             IsPinSet IsLockedOut LastPinChangeTime    PinExpirationTime
--------             -------- ----------- -----------------    -----------------
sip:kenmyer@litware… False    False       9/25/2012 1:35:03 PM

`},
		{"list", "Format-List", cl([]object.Value{"DisplayName", "Pins"}), users, `
DisplayName : Ken Myer
Pins        : 3

DisplayName : Pilar Ackerman
Pins        : 12

`},
		{"fl star", "fl", cl("*"), users[:1], `
DisplayName : Ken Myer
SipAddress  : sip:kenmyer@litwareinc.com
Enabled     : True
Pins        : 3

`},
		{"fl uses the declared view", "fl", nil, pins()[:1], `
Identity          : sip:kenmyer@litwareinc.com
IsPinSet          : False
IsLockedOut       : False
LastPinChangeTime : 9/25/2012 1:35:03 PM
PinExpirationTime :

`},
		{"out-string -stream", "Out-String", cl("-Stream"), []object.Value{"a", int64(1)}, "a\n1\n"},
		{"measure shows as a list", "Out-String", cl("-Stream"), []object.Value{object.New(measureInfoType, int64(500000))}, `
Count    : 500000
Average  :
Sum      :
Maximum  :
Minimum  :
Property :

`},
		{"groups show as a table", "Out-String", cl("-Stream"),
			[]object.Value{object.New(groupInfoType, int64(2), "IT", []object.Value{"a", "b"}, []object.Value{"IT"})}, `
Count Name                      Group
----- ----                      -----
    2 IT                        {a, b}

`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt, err := run(tc.cmd, tc.args, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := lines(t, rt); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}

	rt, err := run("Out-String", nil, pins()[:1])
	if err != nil {
		t.Fatal(err)
	}
	want := "\nIdentity          : sip:kenmyer@litwareinc.com\nIsPinSet          : False\nIsLockedOut       : False\n" +
		"LastPinChangeTime : 9/25/2012 1:35:03 PM\nPinExpirationTime :\n\n"
	if len(rt.out) != 1 || rt.out[0] != want {
		t.Errorf("Out-String = %q, want one string %q", rt.out, want)
	}
}

func TestOutHostAndWriteHost(t *testing.T) {
	hostOut.Reset()
	if _, err := run("Out-Host", nil, []object.Value{"x", obj("A", int64(1))}); err != nil {
		t.Fatal(err)
	}
	if _, err := run("Write-Host", cl("a", int64(1), ints(2, 3)), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := run("Write-Host", cl("-Object", "b", "-NoNewline", "-Separator", ",", "-ForegroundColor", "yellow"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := run("Write-Host", cl("-Separator", "-"), []object.Value{ints(1, 2)}); err != nil {
		t.Fatal(err)
	}
	want := "x\n\nA\n-\n1\n\na 1 2 3\nb1-2\n"
	if got := hostOut.String(); got != want {
		t.Errorf("host output %q, want %q", got, want)
	}
	if _, err := run("Write-Host", cl("-ForegroundColor", "Pink"), nil); err == nil ||
		!strings.Contains(err.Error(), `The argument "Pink" does not belong to the set`) {
		t.Errorf("bad colour: %v", err)
	}
}

func TestWriteCmdlets(t *testing.T) {
	runTests(t, []cmdTest{
		{name: "write-output", cmd: "Write-Output", args: cl("a"), want: `["a"]`},
		{name: "echo several", cmd: "echo", args: cl(int64(1), int64(2), "x"), want: `[1,2,"x"]`},
		{name: "array argument unrolled", cmd: "write", args: cl(ints(1, 2)), want: `[1,2]`},
		{name: "nested arrays keep inner", cmd: "write", args: cl(ints(1, 2), int64(3)), want: `[[1,2],3]`},
		{name: "no enumerate", cmd: "write", args: cl("-NoEnumerate", ints(1, 2)), want: `[[1,2]]`},
		{name: "pipeline", cmd: "write", in: ints(4, 5), want: `[4,5]`},
		{name: "write-error", cmd: "Write-Error", args: cl("boom"), want: `[]`, errs: []string{"boom"}},
		{name: "write-warning from pipeline", cmd: "Write-Warning", in: []object.Value{"w1", "w2"}, want: `[]`, warns: []string{"w1", "w2"}},
	})
	rt, err := run("Write-Error", cl("-Message", "no such user", "-Category", "objectnotfound", "-ErrorId", "UserNotFound",
		"-TargetObject", "ken"), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := rt.errs[0]
	if e.Category != cmdlet.ObjectNotFound || e.ID != "UserNotFound" || e.Target != "ken" || e.Command != "Write-Error" {
		t.Errorf("error record %+v", e)
	}
	rtStop := &fakeRT{stop: true}
	info, _ := testReg.Lookup("Write-Error")
	a, _ := cmdlet.Bind(info, cl("stop"))
	a.Finish()
	if err := info.New().Process(rtStop, a); err == nil || err.Error() != "stop" {
		t.Errorf("Write-Error under Stop returned %v", err)
	}
	rt, _ = run("Write-Verbose", cl("checking"), nil)
	if strings.Join(rt.verbose, "|") != "checking" {
		t.Errorf("verbose %q", rt.verbose)
	}
	for _, tc := range []struct {
		args []cmdlet.Arg
		want string
	}{
		{cl("Resetting PINs", "42 of 100", "-PercentComplete", int64(42)), "Resetting PINs: 42 of 100 42/100"},
		{cl("-Activity", "Import", "-CurrentOperation", "ken"), "Import - ken 0/-1"},
		{cl("Import", "-Completed"), "Import 100/100"},
	} {
		rt, err := run("Write-Progress", tc.args, nil)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rt.progress, "|") != tc.want {
			t.Errorf("progress %q, want %q", rt.progress, tc.want)
		}
	}
}

func TestCsvCmdlets(t *testing.T) {
	dir := t.TempDir()
	reg := cmdlet.NewRegistry()
	Register(reg, Options{Dir: dir, Stdout: &strings.Builder{}})
	do := func(name string, args []cmdlet.Arg, in []object.Value) *fakeRT {
		t.Helper()
		rt, err := runIn(reg, name, args, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rt
	}
	do("Export-Csv", cl("pins.csv", "-NoTypeInformation"), pins()[:2])
	do("Export-Csv", cl("-Path", "pins.csv", "-Append"), []object.Value{obj("IsPinSet", "x", "Identity", "sip:new")})
	b, err := os.ReadFile(filepath.Join(dir, "pins.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := `"Identity","IsPinSet","IsLockedOut","LastPinChangeTime","PinExpirationTime"
"sip:kenmyer@litwareinc.com","False","False","9/25/2012 1:35:03 PM",
"sip:pilar@litwareinc.com","True","False","9/25/2012 1:35:03 PM",
"sip:new","x",,,
`
	if string(b) != want {
		t.Errorf("file:\n%s\nwant:\n%s", b, want)
	}
	rt := do("Import-Csv", cl("pins.csv"), nil)
	if got := js(rt.out); got != `[{"Identity":"sip:kenmyer@litwareinc.com","IsPinSet":"False","IsLockedOut":"False","LastPinChangeTime":"9/25/2012 1:35:03 PM","PinExpirationTime":""},`+
		`{"Identity":"sip:pilar@litwareinc.com","IsPinSet":"True","IsLockedOut":"False","LastPinChangeTime":"9/25/2012 1:35:03 PM","PinExpirationTime":""},`+
		`{"Identity":"sip:new","IsPinSet":"x","IsLockedOut":"","LastPinChangeTime":"","PinExpirationTime":""}]` {
		t.Errorf("Import-Csv gave %s", got)
	}
	os.WriteFile(filepath.Join(dir, "semi.csv"), []byte("\ufeffa;b\n1;2\n"), 0o644)
	rt = do("ipcsv", cl("semi.csv", "-Delimiter", ";"), nil)
	if got := js(rt.out); got != `[{"a":"1","b":"2"}]` {
		t.Errorf("delimiter: %s", got)
	}
	rt = do("Import-Csv", cl("semi.csv", ";", "-Header", []object.Value{"x", "y"}), nil)
	if got := js(rt.out); got != `[{"x":"a","y":"b"},{"x":"1","y":"2"}]` {
		t.Errorf("header: %s", got)
	}
	rt = do("Import-Csv", cl("missing.csv"), nil)
	if len(rt.errs) != 1 || rt.errs[0].Error() != "Could not find file '"+filepath.Join(dir, "missing.csv")+"'." {
		t.Errorf("missing file errors: %v", rt.errs)
	}
	if _, err := runIn(reg, "Export-Csv", cl("pins.csv", "-NoClobber"), pins()); err == nil ||
		err.Error() != "The file '"+filepath.Join(dir, "pins.csv")+"' already exists." {
		t.Errorf("NoClobber: %v", err)
	}
	if _, err := runIn(reg, "Export-Csv", cl(filepath.Join(dir, "no", "such", "dir.csv")), pins()); err == nil ||
		!strings.HasPrefix(err.Error(), "Could not find a part of the path") {
		t.Errorf("bad dir: %v", err)
	}
	if _, err := runIn(reg, "ConvertTo-Csv", cl("-Delimiter", ";;"), pins()); err == nil ||
		err.Error() != `ConvertTo-Csv : Cannot bind parameter 'Delimiter'. Cannot convert value ";;" to type "System.Char". Error: "String must be exactly one character long."` {
		t.Errorf("bad delimiter: %v", err)
	}

	runTests(t, []cmdTest{
		{name: "convertto-csv", cmd: "ConvertTo-Csv", args: cl("-NoTypeInformation"), in: []object.Value{obj("a", `q"`, "b", nil)},
			want: `["\"a\",\"b\"","\"q\"\"\","]`},
		{name: "convertto-csv argument array", cmd: "ConvertTo-Csv", args: cl([]object.Value{obj("a", int64(1)), obj("a", int64(2))}),
			want: `["\"a\"","\"1\"","\"2\""]`},
	})
}

func TestOutFile(t *testing.T) {
	dir := t.TempDir()
	reg := cmdlet.NewRegistry()
	Register(reg, Options{Dir: dir, TerminalWidth: 40})
	if _, err := runIn(reg, "Out-File", cl("out.txt"), []object.Value{"first", obj("A", int64(1))}); err != nil {
		t.Fatal(err)
	}
	if _, err := runIn(reg, "Out-File", cl("-FilePath", "out.txt", "-Append", "-Encoding", "ASCII"), []object.Value{"naïve"}); err != nil {
		t.Fatal(err)
	}
	if _, err := runIn(reg, "Out-File", cl("nl.txt", "-NoNewline"), []object.Value{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := runIn(reg, "Out-File", cl("bom.txt", "utf8BOM"), []object.Value{"x"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"out.txt": "first\n\nA\n-\n1\n\nna?ve\n", "nl.txt": "ab", "bom.txt": "\ufeffx\n"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if string(b) != want {
			t.Errorf("%s = %q, want %q", name, b, want)
		}
	}
	if _, err := runIn(reg, "Out-File", cl("out.txt", "-NoClobber"), []object.Value{"x"}); err == nil {
		t.Errorf("NoClobber overwrote")
	}
	if rt, err := runIn(reg, "Out-Null", nil, ints(1, 2)); err != nil || len(rt.out) != 0 {
		t.Errorf("Out-Null: %v %v", rt.out, err)
	}
}

func TestJSONCmdlets(t *testing.T) {
	runTests(t, []cmdTest{
		{name: "one object", cmd: "ConvertTo-Json", in: []object.Value{obj("a", int64(1), "b", "x")},
			want: `["{\n  \"a\": 1,\n  \"b\": \"x\"\n}"]`},
		{name: "several objects make an array", cmd: "ConvertTo-Json", args: cl("-Compress"), in: ints(1, 2), want: `["[1,2]"]`},
		{name: "as array", cmd: "ConvertTo-Json", args: cl("-Compress", "-AsArray"), in: ints(1), want: `["[1]"]`},
		{name: "argument", cmd: "ConvertTo-Json", args: cl(ints(1, 2), "-Compress"), want: `["[1,2]"]`},
		{name: "depth warning", cmd: "ConvertTo-Json", args: cl("-Compress", "-Depth", int64(1)),
			in: []object.Value{obj("a", obj("b", obj("c", int64(1))))}, want: `["{\"a\":{\"b\":\"@{c=1}\"}}"]`,
			warns: []string{"Resulting JSON is truncated as serialization has exceeded the set depth of 1."}},
		{name: "depth 0", cmd: "ConvertTo-Json", args: cl("-Compress", "-Depth", int64(0)),
			in: []object.Value{obj("a", obj("b", int64(1)), "n", int64(2))}, want: `["{\"a\":\"@{b=1}\",\"n\":2}"]`,
			warns: []string{"Resulting JSON is truncated as serialization has exceeded the set depth of 0."}},
		{name: "from json enumerates arrays", cmd: "ConvertFrom-Json", in: []object.Value{`[{"a":1},{"a":2.5}]`},
			want: `[{"a":1},{"a":2.5}]`},
		{name: "no enumerate", cmd: "ConvertFrom-Json", args: cl("-NoEnumerate"), in: []object.Value{`[1,2]`}, want: `[[1,2]]`},
		{name: "lines are joined", cmd: "ConvertFrom-Json", in: []object.Value{"{", `"a": true`, "}"}, want: `[{"a":true}]`},
		{name: "complete lines each parse", cmd: "ConvertFrom-Json", in: []object.Value{`{"a":1}`, `{"a":2}`}, want: `[{"a":1},{"a":2}]`},
		{name: "argument", cmd: "ConvertFrom-Json", args: cl(`"x"`), want: `["x"]`},
		{name: "bad json", cmd: "ConvertFrom-Json", in: []object.Value{`{"a":}`},
			err: "Conversion from JSON failed with error: invalid character '}' looking for beginning of value"},
	})
	rt, err := run("ConvertFrom-Json", cl("-AsHashtable"), []object.Value{`{"a":1}`})
	if err != nil || object.TypeName(rt.out[0]) != "Hashtable" {
		t.Errorf("AsHashtable gave %v %v", rt.out, err)
	}
}

func TestGetDate(t *testing.T) {
	local := time.Date(2012, 9, 25, 13, 5, 3, 120000000, time.FixedZone("X", 2*3600))
	runTests(t, []cmdTest{
		{name: "now", cmd: "Get-Date", want: `["2012-09-25T13:35:03.12Z"]`},
		{name: "format", cmd: "Get-Date", args: cl("-Format", "yyyy-MM-dd HH:mm:ss"), want: `["2012-09-25 13:35:03"]`},
		{name: "date and parts", cmd: "Get-Date", args: cl("9/25/2012", "-Hour", int64(0), "-Format", "s"),
			want: `["2012-09-25T00:00:00"]`},
		{name: "pipeline", cmd: "Get-Date", args: cl("-Format", "d"), in: []object.Value{local}, want: `["9/25/2012"]`},
		{name: "uformat", cmd: "Get-Date", args: cl("-UFormat", "%Y/%m/%d %H:%M:%S %j %A %%"),
			want: `["2012/09/25 13:35:03 269 Tuesday %"]`},
		{name: "bad month", cmd: "Get-Date", args: cl("-Month", int64(13)),
			err: "Cannot validate argument on parameter 'Month'. The 13 argument is outside the range 1 to 12."},
		{name: "bad day", cmd: "Get-Date", args: cl("-Month", int64(2), "-Day", int64(30)),
			err: "Year, Month, and Day parameters describe an un-representable DateTime."},
		{name: "format and uformat conflict", cmd: "Get-Date", args: cl("-Format", "d", "-UFormat", "%Y"),
			err: "Get-Date : Parameter set cannot be resolved using the specified named parameters. The parameters -Format, -UFormat belong to different parameter sets."},
	})
}

func TestFormatTableWidth(t *testing.T) {
	reg := cmdlet.NewRegistry()
	Register(reg, Options{TerminalWidth: 12})
	rt, err := runIn(reg, "ft", nil, []object.Value{obj("Name", "abcdefghijklmnop", "N", int64(1))})
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(t, rt); got != "\nName       N\n----       -\nabcdefghi… 1\n\n" {
		t.Errorf("got %q", got)
	}
}
