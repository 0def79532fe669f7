package object

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	list := []Value{int64(1), int64(2), int64(3), "Set-CsClientPin"}
	tests := []struct {
		name  string
		op    string
		l, r  Value
		want  Value
		wantM string // $Matches[0] when a scalar -match succeeds
	}{
		{"int eq string converts right", "eq", int64(1), "1", true, ""},
		{"string eq int compares text", "eq", "1.0", int64(1), false, ""},
		{"int eq double text", "eq", int64(1), "1.0", true, ""},
		{"case-insensitive by default", "eq", "ABC", "abc", true, ""},
		{"-ceq is case-sensitive", "ceq", "ABC", "abc", false, ""},
		{"-ieq explicit", "ieq", "ABC", "abc", true, ""},
		{"non-ASCII folding", "eq", "Zoë", "ZOË", true, ""},
		{"null eq null", "eq", nil, nil, true, ""},
		{"null on the right", "eq", "", nil, false, ""},
		{"bool eq string is truthiness", "eq", false, "False", false, ""},
		{"bool eq false", "eq", false, false, true, ""},
		{"gt ints", "gt", int64(3), int64(2), true, ""},
		{"lt strings", "lt", "apple", "Banana", true, ""},
		{"le mixed", "le", int64(2), "2", true, ""},
		{"like star", "like", "Ken Myer", "* Myer", true, ""},
		{"like question", "like", "Ken", "K?n", true, ""},
		{"like set", "like", "Kan", "K[ae]n", true, ""},
		{"notlike", "notlike", "Ken", "J*", true, ""},
		{"like is case-insensitive", "like", "KEN", "ken", true, ""},
		{"clike", "clike", "KEN", "ken", false, ""},
		{"match sets $Matches", "match", "Name=Set-CsClientPin", "Set-(\\w+)", true, "Set-CsClientPin"},
		{"notmatch", "notmatch", "abc", "x", true, ""},
		{"collection filters -eq", "eq", list, int64(2), []Value{int64(2)}, ""},
		{"collection filters -match", "match", list, "client", []Value{"Set-CsClientPin"}, ""},
		{"collection filters -gt", "gt", list, int64(1), []Value{int64(2), int64(3), "Set-CsClientPin"}, ""},
		{"contains", "contains", list, "3", true, ""},
		{"notcontains", "notcontains", list, int64(9), true, ""},
		{"in", "in", int64(3), list, true, ""},
		{"notin", "notin", "x", list, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, cs, ok := LookupOp(tt.op)
			if !ok {
				t.Fatalf("LookupOp(%q) failed", tt.op)
			}
			got, m, err := Compare(op, cs, tt.l, tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if ToString(got) != ToString(tt.want) || IsList(got) != IsList(tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			if tt.wantM != "" {
				if m == nil {
					t.Fatal("no $Matches")
				}
				if v, _ := m.Get("0"); v != tt.wantM {
					t.Errorf("$Matches[0] = %v, want %v", v, tt.wantM)
				}
			}
		})
	}
}

func TestBadRegexNamesPattern(t *testing.T) {
	_, _, err := Compare(OpMatch, false, "x", "(")
	if err == nil || !strings.Contains(err.Error(), `"("`) || strings.Contains(err.Error(), "(?i)") {
		t.Fatalf("error %v should name the pattern as given", err)
	}
}

func TestConvert(t *testing.T) {
	tests := []struct {
		v    Value
		k    Kind
		want Value
		err  bool
	}{
		{"42", KindInt, int64(42), false},
		{" 0x1F ", KindInt, int64(31), false},
		{"1kb", KindInt, int64(1024), false},
		{"2.5", KindInt, int64(2), false}, // banker's rounding
		{"3.5", KindInt, int64(4), false},
		{"abc", KindInt, nil, true},
		{int64(7), KindString, "7", false},
		{"00123", KindString, "00123", false}, // leading zeros kept
		{true, KindString, "True", false},
		{"true", KindBool, true, false},
		{int64(0), KindBool, false, false},
		{"yes", KindBool, nil, true},
		{"2012-09-25 13:35:03", KindDateTime, time.Date(2012, 9, 25, 13, 35, 3, 0, time.Local), false},
		{"9/25/2012 1:35:03 PM", KindDateTime, time.Date(2012, 9, 25, 13, 35, 3, 0, time.Local), false},
		{"not a date", KindDateTime, nil, true},
		{[]Value{int64(1), "a"}, KindStringList, []Value{"1", "a"}, false},
		{"one", KindStringList, []Value{"one"}, false},
	}
	for _, tt := range tests {
		got, err := ConvertTo(tt.v, tt.k)
		if tt.err {
			var ce *ConversionError
			if !errors.As(err, &ce) {
				t.Errorf("ConvertTo(%#v, %v): want a ConversionError, got %v, %v", tt.v, tt.k, got, err)
			} else if !strings.Contains(err.Error(), ToString(tt.v)) {
				t.Errorf("error %q does not name the value", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ConvertTo(%#v, %v): %v", tt.v, tt.k, err)
			continue
		}
		if ToString(got) != ToString(tt.want) {
			t.Errorf("ConvertTo(%#v, %v) = %#v, want %#v", tt.v, tt.k, got, tt.want)
		}
	}
}

func TestTruthAndText(t *testing.T) {
	truth := []struct {
		v    Value
		want bool
	}{
		{nil, false}, {false, false}, {int64(0), false}, {"", false}, {[]Value{}, false},
		{[]Value{int64(0)}, false}, {[]Value{int64(0), int64(0)}, true}, {"False", true},
		{0.5, true}, {NewHashtable(), true},
	}
	for _, tt := range truth {
		if got := ToBool(tt.v); got != tt.want {
			t.Errorf("ToBool(%#v) = %v", tt.v, got)
		}
	}
	typ := NewType("T", P("A", KindString), P("B", KindInt))
	o := New(typ, "x", int64(1))
	text := []struct {
		v    Value
		want string
	}{
		{nil, ""}, {true, "True"}, {int64(-3), "-3"}, {0.1, "0.1"}, {1e20, "1E+20"},
		{[]Value{int64(1), "b"}, "1 b"}, {o, "@{A=x; B=1}"},
		{time.Date(2012, 9, 25, 13, 35, 3, 0, time.UTC), "9/25/2012 1:35:03 PM"},
	}
	for _, tt := range text {
		if got := ToString(tt.v); got != tt.want {
			t.Errorf("ToString(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestObjectsAndProperties(t *testing.T) {
	typ := NewType("Microsoft.Rtc.Management.UserPinService.PinInfoDetails",
		P("Identity", KindString), P("IsPinSet", KindBool))
	o := New(typ, "sip:kenmyer@litwareinc.com", false)
	if v, ok := Property(o, "ispinset"); !ok || v != false {
		t.Errorf("case-insensitive property: %v %v", v, ok)
	}
	if _, ok := Property(o, "Nope"); ok {
		t.Error("missing property found")
	}
	list := []Value{o, New(typ, "sip:b@x", true)}
	if v, _ := Property(list, "Identity"); ToString(v) != "sip:kenmyer@litwareinc.com sip:b@x" {
		t.Errorf("member enumeration: %v", v)
	}
	if v, _ := Property(list, "Count"); v != int64(2) {
		t.Errorf("Count = %v", v)
	}
	b1 := NewBuilder("").Add("a", int64(1)).Add("b", "x").Object()
	b2 := NewBuilder("").Add("a", int64(2)).Add("b", "y").Object()
	if b1.Type() != b2.Type() {
		t.Error("objects with the same shape should share one Type")
	}
	h := NewHashtable()
	h.Set("Key", int64(1))
	h.Set("KEY", int64(2))
	h.Set("other", int64(3))
	h.Delete("Other")
	if v, _ := h.Get("key"); v != int64(2) || h.Len() != 1 {
		t.Errorf("hashtable: %v len %d", v, h.Len())
	}
}

func BenchmarkEqualStrings(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Equal("Finance", "Sales", false)
	}
}

func TestFold(t *testing.T) {
	pairs := [][2]string{{"Zoë", "ZOË"}, {"Aſ", "aſ"}, {"ΟΔΟΣ", "οδος"}, {"Ken Myer", "ken myer"}, {"Ångström", "ÅNGSTRÖM"}}
	for _, p := range pairs {
		if Fold(p[0]) != Fold(p[1]) {
			t.Errorf("Fold(%q)=%q, Fold(%q)=%q", p[0], Fold(p[0]), p[1], Fold(p[1]))
		}
	}
}
