package format

import (
	"errors"
	"strings"
	"testing"
	"time"

	"pinsh/host/object"
)

var pinInfoType = object.NewType(PinInfoDetailsType,
	object.P("Identity", object.KindString),
	object.P("IsPinSet", object.KindBool),
	object.P("IsLockedOut", object.KindBool),
	object.P("LastPinChangeTime", object.KindDateTime),
	object.P("PinExpirationTime", object.KindDateTime))

func ken() *object.Object {
	return object.New(pinInfoType, "sip:kenmyer@litwareinc.com", false, false,
		time.Date(2012, 9, 25, 13, 35, 3, 0, time.Local), nil)
}

func render(t *testing.T, width int, vals ...object.Value) string {
	t.Helper()
	var sb strings.Builder
	s := NewOutDefault(&sb, width)
	for _, v := range vals {
		if err := s.Write(v); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return sb.String()
}

func obj(kv ...any) *object.Object {
	b := object.NewBuilder("")
	for i := 0; i < len(kv); i += 2 {
		b.Add(kv[i].(string), kv[i+1])
	}
	return b.Object()
}

func TestOutDefault(t *testing.T) {
	roleType := object.NewType(RoleType,
		object.P("Identity", object.KindString), object.P("SID", object.KindString),
		object.P("IsStandardRole", object.KindBool), object.P("Cmdlets", object.KindList),
		object.P("ScriptModules", object.KindList), object.P("ConfigScopes", object.KindStringList),
		object.P("UserScopes", object.KindStringList))
	cmdletType := object.NewType("Microsoft.Rtc.Management.WritableConfig.Settings.Roles.CmdletEntry",
		object.P("Name", object.KindString)).WithString(func(o *object.Object) string {
		n, _ := o.Get("Name")
		return "Name=" + object.ToString(n)
	})
	var cmdlets []object.Value
	for _, n := range []string{"Get-CsClientPolicy", "Set-CsClientPolicy", "Get-CsUser", "Set-CsClientPin", "Lock-CsClientPin"} {
		cmdlets = append(cmdlets, object.New(cmdletType, n))
	}
	role := object.New(roleType, "CsAdministrator", "S-1-5-21-1", true, cmdlets, []object.Value{},
		[]object.Value{"Global"}, []object.Value{"Global"})

	tests := []struct {
		name  string
		width int
		in    []object.Value
		want  string
	}{
		{"pin info sample", 0, []object.Value{ken()}, `
Identity          : sip:kenmyer@litwareinc.com
IsPinSet          : False
IsLockedOut       : False
LastPinChangeTime : 9/25/2012 1:35:03 PM
PinExpirationTime :

`},
		{"two list objects", 0, []object.Value{ken(), ken()}, `
Identity          : sip:kenmyer@litwareinc.com
IsPinSet          : False
IsLockedOut       : False
LastPinChangeTime : 9/25/2012 1:35:03 PM
PinExpirationTime :

Identity          : sip:kenmyer@litwareinc.com
IsPinSet          : False
IsLockedOut       : False
LastPinChangeTime : 9/25/2012 1:35:03 PM
PinExpirationTime :

`},
		{"role list", 0, []object.Value{role}, `
Identity       : CsAdministrator
SID            : S-1-5-21-1
IsStandardRole : True
Cmdlets        : {Name=Get-CsClientPolicy, Name=Set-CsClientPolicy, Name=Get-CsUser, Name=Set-CsClientPin...}
ScriptModules  : {}
ConfigScopes   : {Global}
UserScopes     : {Global}

`},
		{"scalars", 0, []object.Value{"a", int64(1), 2.5, true, nil, ""}, "a\n1\n2.5\nTrue\n\n\n"},
		{"array unrolled", 0, []object.Value{[]object.Value{int64(1), []object.Value{"x"}}}, "1\nx\n"},
		{"datetime alone", 0, []object.Value{time.Date(2012, 9, 25, 13, 35, 3, 0, time.UTC)},
			"\nTuesday, September 25, 2012 1:35:03 PM\n\n"},
		{"datetimes grouped", 0, []object.Value{time.Date(2012, 9, 25, 13, 35, 3, 0, time.UTC),
			time.Date(2012, 9, 26, 1, 0, 0, 0, time.UTC), "x"},
			"\nTuesday, September 25, 2012 1:35:03 PM\nWednesday, September 26, 2012 1:00:00 AM\n\nx\n"},
		{"small table", 0, []object.Value{
			obj("Name", "alice", "Id", int64(7), "Enabled", true),
			obj("Name", "bob", "Id", int64(1234), "Enabled", false),
		}, `
Name    Id Enabled
----    -- -------
alice    7 True
bob   1234 False

`},
		{"five properties is a list", 0, []object.Value{obj("a", int64(1), "b", int64(2), "c", int64(3), "dd", int64(4), "e", nil)}, `
a  : 1
b  : 2
c  : 3
dd : 4
e  :

`},
		{"new type new block", 0, []object.Value{obj("A", "x"), obj("B", "y"), "text"}, `
A
-
x


B
-
y

text
`},
		{"hashtable", 0, []object.Value{func() *object.Hashtable {
			h := object.NewHashtable()
			h.Set("Identity", "sip:a@b")
			h.Set("Pin", "12345")
			return h
		}()}, `
Name                           Value
----                           -----
Identity                       sip:a@b
Pin                            12345

`},
		{"truncated to width", 20, []object.Value{obj("Name", strings.Repeat("x", 30), "N", int64(5))}, `
Name               N
----               -
xxxxxxxxxxxxxxxxx… 5

`},
		{"array cell and null number", 0, []object.Value{
			obj("Count", nil, "Group", []object.Value{"a", "b"}),
			obj("Count", int64(12), "Group", []object.Value{int64(1), int64(2), int64(3), int64(4), int64(5)}),
		}, `
Count Group
----- -----
      {a, b}
   12 {1, 2, 3, 4...}

`},
		{"multi-line list value", 0, []object.Value{obj("a", "one\ntwo", "b", "x", "c", "y", "d", "z", "e", "w")}, `
a : one
    two
b : x
c : y
d : z
e : w

`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.width, tc.in...)
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestTableStreamsAfterBuffer(t *testing.T) {
	var lines []string
	f := New(Config{}, func(l string) error { lines = append(lines, l); return nil })
	for i := 0; i < tableBuffer-1; i++ {
		if err := f.Write(obj("N", int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	if len(lines) != 0 {
		t.Fatalf("%d lines before the buffer filled", len(lines))
	}
	if err := f.Write(obj("N", int64(99))); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3+tableBuffer {
		t.Fatalf("got %d lines after the buffer filled, want %d", len(lines), 3+tableBuffer)
	}
	// Later rows keep the widths fixed by the first ones: 12345 is cut.
	if err := f.Write(obj("N", int64(12345))); err != nil {
		t.Fatal(err)
	}
	if got := lines[len(lines)-1]; got != "1…" {
		t.Errorf("streamed row = %q, want %q", got, "1…")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if lines[len(lines)-1] != "" {
		t.Errorf("no blank line after the table")
	}
}

func TestFormatterConfig(t *testing.T) {
	upper := func(v object.Value) (object.Value, error) {
		n, _ := object.Property(v, "Name")
		return strings.ToUpper(object.ToString(n)), nil
	}
	in := []object.Value{obj("Name", "alice", "Id", int64(7)), obj("Name", "bob", "Other", "x")}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"forced list", Config{Kind: List}, `
Name : alice
Id   : 7


Name  : bob
Other : x

`},
		{"fixed columns across types", Config{Kind: Table, Columns: []Column{
			{Label: "Name"}, {Label: "Big", Value: upper, Align: AlignRight}, {Label: "Id"}}}, `
Name    Big Id
----    --- --
alice ALICE  7
bob     BOB

`},
		{"hidden headers", Config{Kind: Table, HideTableHeaders: true, Columns: []Column{{Label: "Name"}}}, `
alice
bob

`},
		{"fixed width", Config{Kind: Table, Columns: []Column{{Label: "Name", Width: 3}, {Label: "Id"}}}, `
Na… Id
--- --
al…  7
bob

`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sb strings.Builder
			s := NewWriter(&sb, tc.cfg)
			for _, v := range in {
				if err := s.Write(v); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if sb.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", sb.String(), tc.want)
			}
		})
	}
}

func TestColumnErrorStops(t *testing.T) {
	boom := errors.New("boom")
	f := New(Config{Kind: List, Columns: []Column{{Label: "x", Value: func(object.Value) (object.Value, error) {
		return nil, boom
	}}}}, func(string) error { return nil })
	if err := f.Write(obj("x", int64(1))); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

func TestText(t *testing.T) {
	h := object.NewHashtable()
	h.Set("a", int64(1))
	tests := []struct {
		in   object.Value
		want string
	}{
		{nil, ""},
		{true, "True"},
		{int64(-3), "-3"},
		{1.5, "1.5"},
		{time.Date(2012, 9, 25, 13, 35, 3, 0, time.UTC), "9/25/2012 1:35:03 PM"},
		{[]object.Value{}, "{}"},
		{[]object.Value{"a", nil, int64(2)}, "{a, , 2}"},
		{[]object.Value{"a", "b", "c", "d"}, "{a, b, c, d}"},
		{[]object.Value{"a", "b", "c", "d", "e"}, "{a, b, c, d...}"},
		{h, "{[a, 1]}"},
		{obj("a", int64(1), "b", "x"), "@{a=1; b=x}"},
	}
	for _, tc := range tests {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTruncateAndFit(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{{"hello", 5, "hello"}, {"hello", 4, "hel…"}, {"hello", 1, "…"}, {"hello", 0, ""}, {"héllo", 3, "hé…"}} {
		if got := truncate(tc.s, tc.w); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
	}
	w := []int{10, 30, 5}
	fitWidths(w, 30)
	if w[0]+w[1]+w[2]+2 != 30 || w[2] != 5 {
		t.Errorf("fitWidths = %v", w)
	}
	w = []int{10, 30}
	fitWidths(w, -1)
	if w[1] != 30 {
		t.Errorf("unlimited width changed %v", w)
	}
}

func TestRegisterView(t *testing.T) {
	typ := object.NewType("Test.Widget", object.P("A", object.KindString), object.P("B", object.KindString),
		object.P("C", object.KindString))
	RegisterView("test.widget", View{Kind: List, Properties: []string{"C", "A"}, Labels: []string{"", "Alpha"}})
	got := render(t, 0, object.New(typ, "a", "b", "c"))
	want := "\nC     : c\nAlpha : a\n\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestFlushEndsHeldBackTable: output written between objects (Write-Host)
// makes the shell flush; the held-back table is written and ended, and the
// next object starts a new table, so the order on screen is the order of
// production.
func TestFlushEndsHeldBackTable(t *testing.T) {
	var lines []string
	f := New(Config{}, func(l string) error { lines = append(lines, l); return nil })
	typ := object.NewType("T", object.P("Name", object.KindString))
	if err := f.Write(object.New(typ, "ab")); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 0 {
		t.Fatalf("rows should be held back before a flush: %q", lines)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	lines = append(lines, "HOST")
	if err := f.Write(object.New(typ, "abcdef")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(lines, "|")
	want := "|Name|----|ab||HOST||Name|----|abcdef|"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
