package builtin

import (
	"errors"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func even() *sb {
	return block("$_ % 2 -eq 0", func(in object.Value) object.Value { return in.(int64)%2 == 0 })
}

func TestWhereObject(t *testing.T) {
	roleType := object.NewType("Microsoft.Rtc.Management.WritableConfig.Settings.Roles.Role",
		object.P("Identity", object.KindString), object.P("Cmdlets", object.KindStringList))
	roles := []object.Value{
		object.New(roleType, "CsHelpDesk", []object.Value{"Lock-CsClientPin", "Unlock-CsClientPin"}),
		object.New(roleType, "CsUserAdministrator", []object.Value{"Set-CsClientPin", "Get-CsClientPinInfo"}),
	}
	runTests(t, []cmdTest{
		{name: "script block", cmd: "Where-Object", args: cl(even()), in: ints(1, 2, 3, 4), want: "[2,4]"},
		{name: "alias ?", cmd: "?", args: cl(even()), in: ints(1, 2), want: "[2]"},
		{name: "block with several outputs passes", cmd: "where",
			args: cl(block("1,0", func(object.Value) object.Value { return []object.Value{int64(0), int64(0)} })),
			in:   ints(7), want: "[7]"},
		{name: "block with no output fails", cmd: "where",
			args: cl(block("", func(object.Value) object.Value { return nil })), in: ints(7), want: "[]"},
		{name: "block error is terminating", cmd: "where",
			args: cl(&sb{src: "throw", fn: func(object.Value) (object.Value, error) { return nil, errors.New("boom") }}),
			in:   ints(1), err: "boom"},
		{name: "simplified -EQ $false", cmd: "Where-Object", args: cl("IsPinSet", "-EQ", false), in: pins(),
			want: `[{"Identity":"sip:kenmyer@litwareinc.com","IsPinSet":false,"IsLockedOut":false,"LastPinChangeTime":"2012-09-25T13:35:03Z","PinExpirationTime":null}]`},
		{name: "simplified lower-case -eq and text", cmd: "where", args: cl("Identity", "-eq", "SIP:ZOE@litwareinc.com"),
			in: pins(), pick: "Identity", want: `["sip:zoe@litwareinc.com"]`},
		{name: "case-sensitive -CEQ", cmd: "where", args: cl("Identity", "-CEQ", "SIP:ZOE@litwareinc.com"), in: pins(), pick: "Identity", want: `[]`},
		{name: "property truthiness", cmd: "where", args: cl("IsLockedOut"), in: pins(), pick: "Identity", want: `["sip:zoe@litwareinc.com"]`},
		{name: "-Not", cmd: "where", args: cl("-Not", "IsPinSet"), in: pins(), pick: "Identity", want: `["sip:kenmyer@litwareinc.com"]`},
		{name: "-Like", cmd: "where", args: cl("Identity", "-Like", "*PILAR*"), in: pins(), pick: "Identity", want: `["sip:pilar@litwareinc.com"]`},
		{name: "-NotLike", cmd: "where", args: cl("Identity", "-NotLike", "sip:[kp]*"), in: pins(), pick: "Identity", want: `["sip:zoe@litwareinc.com"]`},
		{name: "-Match", cmd: "where", args: cl("Identity", "-Match", `^sip:(ken|zoe)`), in: pins(), pick: "Identity",
			want: `["sip:kenmyer@litwareinc.com","sip:zoe@litwareinc.com"]`},
		{name: "-CMatch", cmd: "where", args: cl("Identity", "-CMatch", `KEN`), in: pins(), pick: "Identity", want: `[]`},
		{name: "-NotMatch", cmd: "where", args: cl("Identity", "-NotMatch", `ken|zoe`), in: pins(), pick: "Identity", want: `["sip:pilar@litwareinc.com"]`},
		{name: "-GT on numbers", cmd: "where", args: cl("Length", "-GT", int64(2)),
			in: []object.Value{"a", "abc", "abcd"}, want: `["abc","abcd"]`},
		{name: "-LE converts the value", cmd: "where", args: cl("Length", "-LE", "3"),
			in: []object.Value{"a", "abc", "abcd"}, want: `["a","abc"]`},
		{name: "-In", cmd: "where", args: cl("Length", "-In", ints(1, 4)),
			in: []object.Value{"a", "abc", "abcd"}, want: `["a","abcd"]`},
		{name: "-NotIn", cmd: "where", args: cl("Length", "-NotIn", ints(1, 4)),
			in: []object.Value{"a", "abc", "abcd"}, want: `["abc"]`},
		{name: "-Contains on a collection", cmd: "where", args: cl("Cmdlets", "-Contains", "set-csclientpin"), in: roles,
			want: `[{"Identity":"CsUserAdministrator","Cmdlets":["Set-CsClientPin","Get-CsClientPinInfo"]}]`},
		{name: "-Match filters a collection", cmd: "where", args: cl("Cmdlets", "-Match", `Lock-CsClientPin\b`), in: roles,
			want: `[{"Identity":"CsHelpDesk","Cmdlets":["Lock-CsClientPin","Unlock-CsClientPin"]}]`},
		{name: "-Value without a switch is -EQ", cmd: "where", args: cl("-Property", "Length", "-Value", int64(1)),
			in: []object.Value{"a", "bb"}, want: `["a"]`},
		{name: "missing property compares as null", cmd: "where", args: cl("Nope", "-EQ", nil), in: ints(1), want: `[1]`},
		{name: "comparison error is per object", cmd: "where", args: cl("Length", "-GT", "x"),
			in: []object.Value{"abc"}, want: `[]`,
			errs: []string{`Cannot compare "3" to "x" because the objects are not the same type or the object "3" does not implement "IComparable".`}},
		{name: "bad regex", cmd: "where", args: cl("Identity", "-Match", "("), in: pins(),
			err: "The regular expression pattern \"(\" is not valid: error parsing regexp: missing closing ): `(`"},
		{name: "no input writes nothing", cmd: "where", args: cl(even()), in: noInput, want: `[]`},
		{name: "two operators conflict", cmd: "where", args: cl("A", "-EQ", "-NE", int64(1)), in: ints(1),
			err: "Where-Object : Parameter set cannot be resolved using the specified named parameters. The parameters -EQ, -NE belong to different parameter sets."},
	})
}

func TestForEachObject(t *testing.T) {
	double := block("$_ * 2", func(in object.Value) object.Value { return in.(int64) * 2 })
	say := func(s string) *sb { return block("'"+s+"'", func(object.Value) object.Value { return s }) }
	runTests(t, []cmdTest{
		{name: "process", cmd: "ForEach-Object", args: cl(double), in: ints(1, 2, 3), want: "[2,4,6]"},
		{name: "alias % with begin and end", cmd: "%", args: cl("-Begin", say("start"), "-Process", double, "-End", say("done")),
			in: ints(1, 2), want: `["start",2,4,"done"]`},
		{name: "positional begin process end", cmd: "foreach", args: cl(say("b"), double, say("e")),
			in: ints(5), want: `["b",10,"e"]`},
		{name: "two positional blocks are begin and process", cmd: "foreach", args: cl(say("b"), double),
			in: ints(5), want: `["b",10]`},
		{name: "no input runs once with null", cmd: "foreach", args: cl(block("$_ -eq $null", func(in object.Value) object.Value { return in == nil })),
			in: nil, want: `[true]`},
		{name: "member name", cmd: "foreach", args: cl("Identity"), in: pins()[:2],
			want: `["sip:kenmyer@litwareinc.com","sip:pilar@litwareinc.com"]`},
		{name: "member name unrolls collections", cmd: "foreach", args: cl("-MemberName", "L"),
			in: []object.Value{obj("L", ints(1, 2)), obj("X", int64(1))}, want: `[1,2]`},
		{name: "block output unrolled", cmd: "foreach", args: cl(block("1,2", func(object.Value) object.Value { return ints(1, 2) })),
			in: ints(0), want: `[1,2]`},
		{name: "remaining must be blocks", cmd: "foreach", args: cl(double, "x"), in: ints(1),
			err: `ForEach-Object : Cannot bind parameter 'RemainingScripts'. Cannot convert the "x" value of type "String" to type "ScriptBlock".`},
	})
}

func TestSelectObject(t *testing.T) {
	many := ints(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	runTests(t, []cmdTest{
		{name: "properties", cmd: "Select-Object", args: cl([]object.Value{"identity", "IsPinSet"}), in: pins()[:2],
			want: `[{"Identity":"sip:kenmyer@litwareinc.com","IsPinSet":false},{"Identity":"sip:pilar@litwareinc.com","IsPinSet":true}]`},
		{name: "missing property is null", cmd: "select", args: cl([]object.Value{"Identity", "Nope"}), in: pins()[:1],
			want: `[{"Identity":"sip:kenmyer@litwareinc.com","Nope":null}]`},
		{name: "wildcards", cmd: "select", args: cl("Is*"), in: pins()[2:],
			want: `[{"IsPinSet":true,"IsLockedOut":true}]`},
		{name: "exclude", cmd: "select", args: cl("-Property", "*", "-ExcludeProperty", []object.Value{"*Time", "Is*"}), in: pins()[2:],
			want: `[{"Identity":"sip:zoe@litwareinc.com"}]`},
		{name: "calculated", cmd: "select", args: cl([]object.Value{"Identity", hash("N", "Locked", "E", prop("IsLockedOut")),
			hash("Label", "Id2", "Expression", "Identity")}), in: pins()[2:],
			want: `[{"Identity":"sip:zoe@litwareinc.com","Locked":true,"Id2":"sip:zoe@litwareinc.com"}]`},
		{name: "calculated without name uses the block text", cmd: "select", args: cl(hash("e", prop("Length"))),
			in: []object.Value{"abc"}, want: `[{"$_.Length":3}]`},
		{name: "bad key", cmd: "select", args: cl(hash("Foo", "x")), in: ints(1), err: "The Foo key is not valid."},
		{name: "missing expression", cmd: "select", args: cl(hash("Name", "x")), in: ints(1),
			err: "The Expression key is missing from a calculated property."},
		{name: "duplicate property", cmd: "select", args: cl([]object.Value{"Identity", "identity"}), in: pins()[:1],
			want: `[{"Identity":"sip:kenmyer@litwareinc.com"}]`,
			errs: []string{`The property cannot be processed because the property "Identity" already exists.`}},
		{name: "expand", cmd: "select", args: cl("-ExpandProperty", "L"),
			in: []object.Value{obj("L", ints(1, 2)), obj("L", "x")}, want: `[1,2,"x"]`},
		{name: "expand missing", cmd: "select", args: cl("-Expand", "Q"), in: ints(1),
			want: `[]`, errs: []string{`Property "Q" cannot be found.`}},
		{name: "expand with property", cmd: "select", args: cl("-Property", "Id", "-ExpandProperty", "Sub"),
			in: []object.Value{obj("Id", int64(1), "Sub", obj("A", "a"))}, want: `[{"A":"a","Id":1}]`},
		{name: "first", cmd: "select", args: cl("-First", int64(3)), in: many, want: "[1,2,3]"},
		{name: "last", cmd: "select", args: cl("-Last", int64(3)), in: many, want: "[8,9,10]"},
		{name: "skip", cmd: "select", args: cl("-Skip", int64(8)), in: many, want: "[9,10]"},
		{name: "skip first", cmd: "select", args: cl("-Skip", int64(2), "-First", int64(2)), in: many, want: "[3,4]"},
		{name: "last skip counts from the end", cmd: "select", args: cl("-Last", int64(3), "-Skip", int64(2)), in: many, want: "[6,7,8]"},
		{name: "skiplast", cmd: "select", args: cl("-SkipLast", int64(8)), in: many, want: "[1,2]"},
		{name: "last more than input", cmd: "select", args: cl("-Last", int64(30)), in: ints(1, 2), want: "[1,2]"},
		{name: "unique is case-sensitive", cmd: "select", args: cl("-Unique"), in: []object.Value{"a", "A", "a", int64(1), "1"},
			want: `["a","A",1,"1"]`},
		{name: "unique objects", cmd: "select", args: cl("Identity", "-Unique"), in: append(pins(), pins()...),
			want: `[{"Identity":"sip:kenmyer@litwareinc.com"},{"Identity":"sip:pilar@litwareinc.com"},{"Identity":"sip:zoe@litwareinc.com"}]`},
		{name: "negative first", cmd: "select", args: cl("-First", int64(-1)), in: many,
			err: "Cannot validate argument on parameter 'First'. The -1 argument is less than the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 and then try the command again."},
	})

	// Selected objects share one type per input type and are renamed.
	rt, err := run("select", cl("Identity"), pins())
	if err != nil {
		t.Fatal(err)
	}
	a, b := rt.out[0].(*object.Object), rt.out[2].(*object.Object)
	if a.Type() != b.Type() {
		t.Errorf("selected objects do not share a type")
	}
	if a.TypeName() != "Selected."+pinInfoType.Name() {
		t.Errorf("type name = %s", a.TypeName())
	}
}

func hash(kv ...any) *object.Hashtable {
	h := object.NewHashtable()
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i].(string), kv[i+1])
	}
	return h
}

func TestSortObject(t *testing.T) {
	people := []object.Value{
		obj("N", "bob", "D", "IT", "A", int64(30)),
		obj("N", "alice", "D", "Finance", "A", int64(25)),
		obj("N", "Carol", "D", "IT", "A", int64(25)),
		obj("N", "dave", "D", "finance", "A", nil),
	}
	names := func(order ...string) string {
		out := make([]object.Value, len(order))
		for i, s := range order {
			out[i] = s
		}
		return js(out)
	}
	sortNames := func(args ...any) []object.Value {
		rt, err := run("sort", cl(args...), people)
		if err != nil {
			t.Fatal(err)
		}
		var out []object.Value
		for _, o := range rt.out {
			n, _ := object.Property(o, "N")
			out = append(out, n)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		args []any
		want string
	}{
		{"by name, case-insensitive", []any{"N"}, names("alice", "bob", "Carol", "dave")},
		{"descending", []any{"N", "-Descending"}, names("dave", "Carol", "bob", "alice")},
		{"numbers with null first, stable", []any{"A"}, names("dave", "alice", "Carol", "bob")},
		{"two keys", []any{[]object.Value{"D", "N"}}, names("alice", "dave", "bob", "Carol")},
		{"per-key order", []any{[]object.Value{hash("Expression", "D", "Descending", true), "A"}}, names("Carol", "bob", "dave", "alice")},
		{"script block key", []any{block("$_.N.Length", func(in object.Value) object.Value {
			n, _ := object.Property(in, "N")
			return int64(len(n.(string)))
		})}, names("bob", "dave", "alice", "Carol")},
		{"unique keys", []any{"D", "-Unique"}, names("alice", "bob")},
		{"top", []any{"N", "-Top", int64(2)}, names("alice", "bob")},
		{"bottom", []any{"N", "-Bottom", int64(1)}, names("dave")},
	} {
		if got := js(sortNames(tc.args...)); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	runTests(t, []cmdTest{
		{name: "scalars", cmd: "Sort-Object", in: ints(3, 1, 2), want: "[1,2,3]"},
		{name: "text ignores case, stable", cmd: "sort", in: []object.Value{"b", "B", "a"}, want: `["a","b","B"]`},
		{name: "case-sensitive puts lower case first", cmd: "sort", args: cl("-CaseSensitive"), in: []object.Value{"B", "b", "a", "A"},
			want: `["a","A","b","B"]`},
		{name: "case-sensitive unique", cmd: "sort", args: cl("-Unique", "-CaseSensitive"), in: []object.Value{"B", "b", "B"}, want: `["b","B"]`},
		{name: "unique ignores case", cmd: "sort", args: cl("-Unique"), in: []object.Value{"B", "b", "B"}, want: `["B"]`},
		{name: "no input", cmd: "sort", in: nil, want: "[]"},
	})
}

func TestGroupObject(t *testing.T) {
	in := []object.Value{
		obj("N", "bob", "D", "IT"), obj("N", "alice", "D", "Finance"),
		obj("N", "carol", "D", "it"), obj("N", "dave", "D", nil),
	}
	runTests(t, []cmdTest{
		{name: "by property sorted", cmd: "Group-Object", args: cl("D"), in: in,
			want: `[{"Count":1,"Name":"","Group":[{"N":"dave","D":null}],"Values":[null]},` +
				`{"Count":1,"Name":"Finance","Group":[{"N":"alice","D":"Finance"}],"Values":["Finance"]},` +
				`{"Count":2,"Name":"IT","Group":[{"N":"bob","D":"IT"},{"N":"carol","D":"it"}],"Values":["IT"]}]`},
		{name: "no element", cmd: "group", args: cl("D", "-NoElement"), in: in[:3],
			want: `[{"Count":1,"Name":"Finance","Values":["Finance"]},{"Count":2,"Name":"IT","Values":["IT"]}]`},
		{name: "case-sensitive", cmd: "group", args: cl("D", "-CaseSensitive", "-NoElement"), in: in[:3],
			want: `[{"Count":1,"Name":"Finance","Values":["Finance"]},{"Count":1,"Name":"it","Values":["it"]},{"Count":1,"Name":"IT","Values":["IT"]}]`},
		{name: "two keys", cmd: "group", args: cl([]object.Value{"D", block("$_.N.Length", func(in object.Value) object.Value {
			n, _ := object.Property(in, "N")
			return int64(len(n.(string)))
		})}, "-NoElement"), in: in[:3],
			want: `[{"Count":1,"Name":"Finance, 5","Values":["Finance",5]},{"Count":1,"Name":"IT, 3","Values":["IT",3]},{"Count":1,"Name":"it, 5","Values":["it",5]}]`},
		{name: "scalars in first-seen order when mixed", cmd: "group", args: cl("-NoElement"), in: []object.Value{"b", int64(1), "b"},
			want: `[{"Count":2,"Name":"b","Values":["b"]},{"Count":1,"Name":"1","Values":[1]}]`},
		{name: "as hashtable", cmd: "group", args: cl("D", "-AsHashTable"), in: in[:2],
			want: `[{"Finance":[{"N":"alice","D":"Finance"}],"IT":[{"N":"bob","D":"IT"}]}]`},
		{name: "as string needs hashtable", cmd: "group", args: cl("D", "-AsString"), in: in,
			err: "The AsString parameter requires the AsHashTable parameter."},
	})
}

func TestMeasureObject(t *testing.T) {
	runTests(t, []cmdTest{
		{name: "count", cmd: "Measure-Object", in: ints(1, 2, 3),
			want: `[{"Count":3,"Average":null,"Sum":null,"Maximum":null,"Minimum":null,"Property":null}]`},
		{name: "count ignores null", cmd: "measure", in: []object.Value{int64(1), nil},
			want: `[{"Count":1,"Average":null,"Sum":null,"Maximum":null,"Minimum":null,"Property":null}]`},
		{name: "no input", cmd: "measure", in: nil,
			want: `[{"Count":0,"Average":null,"Sum":null,"Maximum":null,"Minimum":null,"Property":null}]`},
		{name: "all stats", cmd: "measure", args: cl("-Sum", "-Average", "-Maximum", "-Minimum"), in: ints(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
			want: `[{"Count":10,"Average":5.5,"Sum":55.0,"Maximum":10.0,"Minimum":1.0,"Property":null}]`},
		{name: "property", cmd: "measure", args: cl("Length", "-AllStats"), in: []object.Value{"a", "abc"},
			want: `[{"Count":2,"Average":2.0,"Sum":4.0,"Maximum":3.0,"Minimum":1.0,"Property":"Length"}]`},
		{name: "text maximum", cmd: "measure", args: cl("-Maximum", "-Minimum"), in: []object.Value{"pear", "Apple", "fig"},
			want: `[{"Count":3,"Average":null,"Sum":null,"Maximum":"pear","Minimum":"Apple","Property":null}]`},
		{name: "non-numeric sum", cmd: "measure", args: cl("-Sum"), in: []object.Value{int64(2), "x"},
			want: `[{"Count":1,"Average":null,"Sum":2.0,"Maximum":null,"Minimum":null,"Property":null}]`,
			errs: []string{`Input object "x" is not numeric.`}},
		{name: "missing property", cmd: "measure", args: cl([]object.Value{"Length", "Nope"}), in: []object.Value{"ab"},
			want: `[{"Count":1,"Average":null,"Sum":null,"Maximum":null,"Minimum":null,"Property":"Length"}]`,
			errs: []string{`The property "Nope" cannot be found in the input for any objects.`}},
		{name: "null property values are not counted", cmd: "measure", args: cl("V", "-Sum"),
			in:   []object.Value{obj("V", int64(2)), obj("V", nil), obj("V", 2.5)},
			want: `[{"Count":2,"Average":null,"Sum":4.5,"Maximum":null,"Minimum":null,"Property":"V"}]`},
	})
}

// TestSelectFirstStopsUpstream checks that Select-Object -First asks the
// engine to stop the upstream commands once it has its objects, and only
// then; with -Last it must read all of its input.
func TestSelectFirstStopsUpstream(t *testing.T) {
	many := ints(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	for _, tc := range []struct {
		name    string
		args    []cmdlet.Arg
		in      []object.Value
		stopped bool
		want    string
	}{
		{"first", cl("-First", int64(3)), many, true, "[1,2,3]"},
		{"first zero", cl("-First", int64(0)), many, true, "[]"},
		{"first more than input", cl("-First", int64(30)), ints(1, 2), false, "[1,2]"},
		{"skip first", cl("-Skip", int64(2), "-First", int64(2)), many, true, "[3,4]"},
		{"first unique", cl("-First", int64(2), "-Unique"), ints(1, 1, 1, 2, 3), true, "[1,2]"},
		{"first and last", cl("-First", int64(1), "-Last", int64(1)), many, false, "[1,10]"},
		{"no first", cl("-Skip", int64(8)), many, false, "[9,10]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, err := run("Select-Object", tc.args, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if rt.stopped != tc.stopped {
				t.Errorf("stopped = %v, want %v", rt.stopped, tc.stopped)
			}
			if got := js(rt.out); got != tc.want {
				t.Errorf("output %s, want %s", got, tc.want)
			}
		})
	}
}
