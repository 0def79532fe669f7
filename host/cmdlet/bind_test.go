package cmdlet

import (
	"fmt"
	"strings"
	"testing"

	"pinsh/host/object"
)

// testBlock is a script block for binder tests.
type testBlock string

func (b testBlock) String() string { return string(b) }
func (b testBlock) Invoke(object.Value, []object.Value, func(object.Value) error) error {
	return nil
}

// pinCmd is shaped like Set-CsClientPin plus a few parameters of each kind.
var pinCmd = &Info{
	Name: "Set-CsClientPin",
	Params: []Param{
		{Name: "Identity", Aliases: []string{"Id", "SipAddress"}, Kind: object.KindString, Mandatory: true, Position: 0,
			FromPipeline: true, FromPipelineByName: true},
		{Name: "Pin", Kind: object.KindString, Position: 1},
		{Name: "Force", Kind: object.KindSwitch, Position: -1},
		{Name: "Count", Kind: object.KindInt, Position: -1},
		{Name: "Enabled", Kind: object.KindBool, Position: -1},
		{Name: "Expires", Kind: object.KindDateTime, Position: -1},
		{Name: "Scopes", Kind: object.KindStringList, Position: -1},
		{Name: "Mode", Kind: object.KindString, Position: -1, Values: []string{"Fast", "Safe"}},
		{Name: "PinPolicy", Kind: object.KindString, Position: -1},
	},
	SupportsShouldProcess: true,
}

// setsCmd has parameter sets shaped like Get-CsAdminRole and Where-Object.
var setsCmd = &Info{
	Name: "Get-Thing",
	Params: []Param{
		{Name: "InputObject", Kind: object.KindAny, Position: -1, FromPipeline: true},
		{Name: "FilterScript", Kind: object.KindScriptBlock, Mandatory: true, Position: 0, Sets: []string{"Script"}},
		{Name: "Property", Kind: object.KindString, Mandatory: true, Position: 0, Sets: []string{"Equal", "Like"}},
		{Name: "Value", Kind: object.KindAny, Position: 1, Sets: []string{"Equal", "Like"}},
		{Name: "EQ", Kind: object.KindSwitch, Position: -1, Sets: []string{"Equal"}},
		{Name: "Like", Kind: object.KindSwitch, Mandatory: true, Position: -1, Sets: []string{"Like"}},
		{Name: "Filter", Kind: object.KindString, Position: -1, Sets: []string{"Filter"}},
	},
	DefaultSet: "Equal",
}

// echoCmd collects remaining positional values, like Write-Output.
var echoCmd = &Info{
	Name: "Write-Output",
	Params: []Param{
		{Name: "InputObject", Kind: object.KindAny, Position: 0, FromPipeline: true, Remaining: true},
		{Name: "NoEnumerate", Kind: object.KindSwitch, Position: -1},
	},
}

// byNameCmd takes pipeline input only by property name.
var byNameCmd = &Info{
	Name: "Grant-CsPinPolicy",
	Params: []Param{
		{Name: "Identity", Kind: object.KindString, Mandatory: true, Position: 0, FromPipelineByName: true},
		{Name: "PolicyName", Aliases: []string{"PinPolicy"}, Kind: object.KindString, Position: 1, FromPipelineByName: true},
		{Name: "Count", Kind: object.KindInt, Position: -1, FromPipelineByName: true},
	},
}

func args(elems ...any) []Arg {
	var out []Arg
	for i := 0; i < len(elems); i++ {
		if s, ok := elems[i].(string); ok && strings.HasPrefix(s, "-") && len(s) > 1 {
			name := s[1:]
			if strings.HasSuffix(name, ":") {
				out = append(out, Arg{Name: strings.TrimSuffix(name, ":"), Value: elems[i+1], Colon: true, Text: s})
				i++
				continue
			}
			out = append(out, Arg{Name: name, Text: s})
			continue
		}
		out = append(out, Arg{Value: elems[i], Text: fmt.Sprint(elems[i])})
	}
	return out
}

// bound renders the bound parameters as name=value in declaration order,
// with the resolved set.
func bound(a *Args) string {
	var parts []string
	for i, p := range a.params {
		if a.cmd[i] || a.pipe[i] {
			v := a.vals[i]
			s := object.ToString(v)
			if l, ok := v.([]object.Value); ok {
				s = fmt.Sprintf("%d:%s", len(l), object.ToString(l))
			}
			parts = append(parts, fmt.Sprintf("%s=%s(%s)", p.Name, s, object.TypeName(v)))
		}
	}
	if a.set != "" {
		parts = append(parts, "set="+a.set)
	}
	return strings.Join(parts, " ")
}

func TestBind(t *testing.T) {
	tests := []struct {
		name string
		info *Info
		args []Arg
		want string
		err  string
	}{
		{"named", pinCmd, args("-Identity", "ken", "-Pin", "12345"),
			"Identity=ken(String) Pin=12345(String)", ""},
		{"case-insensitive name", pinCmd, args("-identity", "ken"), "Identity=ken(String)", ""},
		{"alias", pinCmd, args("-SipAddress", "sip:ken@x"), "Identity=sip:ken@x(String)", ""},
		{"unique prefix", pinCmd, args("-Ident", "ken", "-Fo"), "Identity=ken(String) Force=True(Boolean)", ""},
		{"exact name wins over prefix", pinCmd, args("-Pin", "1"), "Pin=1(String)", ""},
		{"ambiguous prefix", pinCmd, args("-P", "1"), "",
			"Set-CsClientPin : Parameter cannot be processed because the parameter name 'P' is ambiguous. Possible matches include: -Pin -PinPolicy."},
		{"unknown parameter", pinCmd, args("-Bogus", "1"), "",
			"Set-CsClientPin : A parameter cannot be found that matches parameter name 'Bogus'. Valid parameters are: -Identity, -Pin, -Force, -Count, -Enabled, -Expires, -Scopes, -Mode, -PinPolicy."},
		{"positional", pinCmd, args("ken", int64(1234)), "Identity=ken(String) Pin=1234(String)", ""},
		{"positional after named", pinCmd, args("-Pin", "9", "ken"), "Identity=ken(String) Pin=9(String)", ""},
		{"too many positional", pinCmd, args("ken", "1", "extra"), "",
			"Set-CsClientPin : A positional parameter cannot be found that accepts argument 'extra'."},
		{"switch takes no value", pinCmd, args("-Force", "ken"), "Identity=ken(String) Force=True(Boolean)", ""},
		{"switch with colon false", pinCmd, args("-Force:", false, "-Confirm:", false, "ken"),
			"Identity=ken(String) Force=False(Boolean) Confirm=False(Boolean)", ""},
		{"colon value", pinCmd, args("-Count:", "7"), "Count=7(Int64)", ""},
		{"common parameters", pinCmd, args("ken", "-ea", "stop", "-WhatIf"),
			"Identity=ken(String) WhatIf=True(Boolean) ErrorAction=Stop(String)", ""},
		{"repeated parameter", pinCmd, args("-Pin", "1", "-Pin", "2"), "",
			"Set-CsClientPin : Cannot bind parameter because parameter 'Pin' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."},
		{"missing argument", pinCmd, args("-Pin"), "",
			"Set-CsClientPin : Missing an argument for parameter 'Pin'. Specify a parameter of type 'String' and try again."},
		{"missing argument before a name", pinCmd, args("-Count", "-Force"), "",
			"Set-CsClientPin : Missing an argument for parameter 'Count'. Specify a parameter of type 'Int64' and try again."},
		{"int conversion", pinCmd, args("-Count", "0x10"), "Count=16(Int64)", ""},
		{"int conversion error", pinCmd, args("-Count", "ten"), "",
			"Set-CsClientPin : Cannot bind parameter 'Count'. Cannot convert value \"ten\" to type \"Int64\". Input string was not in a correct format."},
		{"bool conversion error", pinCmd, args("-Enabled", "false"), "Enabled=False(Boolean)", ""},
		{"bool from text rejected", pinCmd, args("-Enabled", "yes"), "",
			"Set-CsClientPin : Cannot bind parameter 'Enabled'. Cannot convert value \"yes\" to type \"Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0."},
		{"date conversion", pinCmd, args("-Expires", "2012-09-25"), "Expires=9/25/2012 12:00:00 AM(DateTime)", ""},
		{"date conversion error", pinCmd, args("-Expires", "soon"), "",
			"Set-CsClientPin : Cannot bind parameter 'Expires'. Cannot convert value \"soon\" to type \"DateTime\". The string was not recognized as a valid DateTime."},
		{"string list from scalar", pinCmd, args("-Scopes", "global"), "Scopes=1:global(Object[])", ""},
		{"string list from array", pinCmd, args("-Scopes", []object.Value{"a", int64(2)}), "Scopes=2:a 2(Object[])", ""},
		{"validate set normalises case", pinCmd, args("-Mode", "safe"), "Mode=Safe(String)", ""},
		{"validate set error", pinCmd, args("-Mode", "slow"), "",
			"Set-CsClientPin : Cannot validate argument on parameter 'Mode'. The argument \"slow\" does not belong to the set \"Fast,Safe\" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again."},
		{"script block positional picks the script set", setsCmd, args(testBlock("$_")), "FilterScript=$_(cmdlet.testBlock) set=Script", ""},
		{"text positional picks the property sets", setsCmd, args("Name", "x"), "Property=Name(String) Value=x(String)", ""},
		{"switch selects the set", setsCmd, args("Name", "-Like", "a*"),
			"Property=Name(String) Value=a*(String) Like=True(Boolean) set=Like", ""},
		{"named script block", setsCmd, args("-FilterScript", testBlock("1")), "FilterScript=1(cmdlet.testBlock) set=Script", ""},
		{"script block parameter rejects text", setsCmd, args("-FilterScript", "1"), "",
			"Get-Thing : Cannot bind parameter 'FilterScript'. Cannot convert the \"1\" value of type \"String\" to type \"ScriptBlock\"."},
		{"conflicting sets", setsCmd, args("-EQ", "-Like", "p"), "",
			"Get-Thing : Parameter set cannot be resolved using the specified named parameters. The parameters -EQ, -Like belong to different parameter sets."},
		{"conflicting sets after positional", setsCmd, args("-Filter", "x", testBlock("1")), "",
			"Get-Thing : A positional parameter cannot be found that accepts argument '1'."},
		{"remaining: one value", echoCmd, args("a"), "InputObject=a(String)", ""},
		{"remaining: several values", echoCmd, args("a", int64(1), "-NoEnumerate", "b"),
			"InputObject=3:a 1 b(Object[]) NoEnumerate=True(Boolean)", ""},
		{"remaining: arrays stay nested", echoCmd, args([]object.Value{int64(1), int64(2)}, int64(3)),
			"InputObject=2:1 2 3(Object[])", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Bind(tc.info, tc.args)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v\nwant %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := bound(a); got != tc.want {
				t.Errorf("bound %s\n want %s", got, tc.want)
			}
		})
	}
}

func TestBindNestedRemaining(t *testing.T) {
	a, err := Bind(echoCmd, args([]object.Value{int64(1), int64(2)}, int64(3)))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := a.Get("InputObject")
	l := v.([]object.Value)
	if inner, ok := l[0].([]object.Value); !ok || len(inner) != 2 {
		t.Errorf("first remaining value %v is not the array", l[0])
	}
}

func TestFinishMandatory(t *testing.T) {
	for _, tc := range []struct {
		name string
		info *Info
		args []Arg
		err  string
		set  string
	}{
		{"missing mandatory", pinCmd, args("-Pin", "1"),
			"Set-CsClientPin : Cannot process command because of one or more missing mandatory parameters: Identity.", ""},
		{"bound", pinCmd, args("ken"), "", ""},
		{"default set needs nothing", setsCmd, args("Name"), "", "Equal"},
		{"no arguments: a set without mandatory parameters", setsCmd, nil, "", "Filter"},
		{"mandatory switch of a chosen set", setsCmd, args("-Like"),
			"Get-Thing : Cannot process command because of one or more missing mandatory parameters: Property.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Bind(tc.info, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			err = a.Finish()
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v\nwant %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Set() != tc.set {
				t.Errorf("set = %q, want %q", a.Set(), tc.set)
			}
		})
	}
}

func TestBindInput(t *testing.T) {
	user := object.FromHashtable(func() *object.Hashtable {
		h := object.NewHashtable()
		h.Set("SipAddress", "sip:ken@x")
		h.Set("DisplayName", "Ken")
		return h
	}())
	pinInfo := object.FromHashtable(func() *object.Hashtable {
		h := object.NewHashtable()
		h.Set("Identity", "sip:pilar@x")
		h.Set("IsPinSet", true)
		return h
	}())
	policy := object.FromHashtable(func() *object.Hashtable {
		h := object.NewHashtable()
		h.Set("Identity", "ken")
		h.Set("PinPolicy", "tag:Strict")
		h.Set("Count", "x")
		return h
	}())
	tests := []struct {
		name  string
		info  *Info
		args  []Arg
		input []object.Value
		want  []string // bound after each input, or the error
	}{
		{"by value: a string", pinCmd, nil, []object.Value{"ken", "pilar"},
			[]string{"Identity=ken(String)", "Identity=pilar(String)"}},
		{"by property name through an alias", pinCmd, nil, []object.Value{user},
			[]string{"Identity=sip:ken@x(String)"}},
		{"by property name", pinCmd, args("-Force"), []object.Value{pinInfo},
			[]string{"Identity=sip:pilar@x(String) Force=True(Boolean)"}},
		{"an object without the property", pinCmd, nil, []object.Value{object.FromHashtable(object.NewHashtable()), "ok"},
			[]string{"error: Set-CsClientPin : The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.",
				"Identity=ok(String)"}},
		{"command line wins", pinCmd, args("-Identity", "fixed"), []object.Value{"ignored"},
			[]string{"error: Set-CsClientPin : The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input."}},
		{"several by name with alias and conversion error", byNameCmd, nil, []object.Value{policy},
			[]string{"Identity=ken(String) PolicyName=tag:Strict(String)"}},
		{"by name only: text does not bind", byNameCmd, nil, []object.Value{"ken"},
			[]string{"error: Grant-CsPinPolicy : The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input."}},
		{"pipeline values are replaced per object", setsCmd, args(testBlock("x")), []object.Value{int64(1), nil, "z"},
			[]string{"InputObject=1(Int64) FilterScript=x(cmdlet.testBlock) set=Script",
				"InputObject=(null) FilterScript=x(cmdlet.testBlock) set=Script",
				"InputObject=z(String) FilterScript=x(cmdlet.testBlock) set=Script"}},
		{"set resolved with input", setsCmd, args("Name"), []object.Value{int64(1), int64(2)},
			[]string{"InputObject=1(Int64) Property=Name(String) set=Equal", "InputObject=2(Int64) Property=Name(String) set=Equal"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Bind(tc.info, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Missing(true)) != 0 {
				t.Fatalf("missing before input: %v", a.Missing(true))
			}
			for i, in := range tc.input {
				got := ""
				if err := a.BindInput(in); err != nil {
					got = "error: " + err.Error()
				} else {
					got = bound(a)
				}
				if got != tc.want[i] {
					t.Errorf("input %d: %s\n want %s", i, got, tc.want[i])
				}
			}
		})
	}
	// A pipeline-bound mandatory parameter is not missing (a binder bug
	// that once failed every `"ken" | Set-CsClientPin`).
	a, _ := Bind(pinCmd, nil)
	if err := a.BindInput("ken"); err != nil {
		t.Errorf("mandatory from pipeline: %v", err)
	}
	if !a.FromPipeline("Identity") || a.FromPipeline("Pin") {
		t.Errorf("FromPipeline wrong")
	}
}

func TestSetValueAfterInput(t *testing.T) {
	a, _ := Bind(byNameCmd, nil)
	h := object.NewHashtable()
	h.Set("PolicyName", "p")
	obj := object.FromHashtable(h)
	if err := a.BindInput(obj); err == nil {
		t.Fatal("Identity should be missing")
	}
	if err := a.SetValue("Identity", "ken"); err != nil {
		t.Fatal(err)
	}
	if err := a.BindInput(obj); err != nil {
		t.Errorf("after SetValue: %v", err)
	}
}

func BenchmarkBindInput(b *testing.B) {
	for _, tc := range []struct {
		name string
		info *Info
		args []Arg
	}{
		{"script-set", setsCmd, args(testBlock("x"))},
		{"one-set", echoCmd, args("-NoEnumerate")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			a, err := Bind(tc.info, tc.args)
			if err != nil {
				b.Fatal(err)
			}
			var in object.Value = int64(1)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := a.BindInput(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
