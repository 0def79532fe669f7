package object

import "testing"

func TestGetter(t *testing.T) {
	a := NewType("T.A", P("Name", KindString), P("Id", KindInt))
	b := NewType("T.B", P("Id", KindInt), P("Name", KindString))
	h := NewHashtable()
	h.Set("NAME", "h")
	g := NewGetter("name")
	for _, tc := range []struct {
		in   Value
		want Value
		ok   bool
		res  string
	}{
		{New(a, "x", int64(1)), "x", true, "Name"},
		{New(a, "y", int64(2)), "y", true, "Name"}, // cached position
		{New(b, int64(3), "z"), "z", true, "Name"}, // another type
		{New(a, "w", int64(4)), "w", true, "Name"},
		{h, "h", true, "NAME"},
		{"text", nil, false, "name"},
		{[]Value{New(a, "p", int64(1)), New(b, int64(2), "q")}, []Value{"p", "q"}, true, "name"},
	} {
		got, ok := g.Get(tc.in)
		if ok != tc.ok || ToString(got) != ToString(tc.want) {
			t.Errorf("Get(%v) = %v, %v; want %v, %v", ToString(tc.in), got, ok, tc.want, tc.ok)
		}
		if r := g.ResolvedName(tc.in); r != tc.res {
			t.Errorf("ResolvedName(%v) = %q, want %q", ToString(tc.in), r, tc.res)
		}
	}
	// Synthetic properties still work on typed objects.
	c := NewGetter("Count")
	for i := 0; i < 2; i++ {
		if v, ok := c.Get(New(a, "x", int64(1))); !ok || v != int64(1) {
			t.Errorf("Count = %v %v", v, ok)
		}
	}
	if g.Name() != "name" {
		t.Errorf("Name = %q", g.Name())
	}
}

func BenchmarkGetter(b *testing.B) {
	typ := NewType("T", P("A", KindString), P("B", KindString), P("Name", KindString))
	var o Value = New(typ, "a", "b", "n")
	g := NewGetter("name")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		g.Get(o)
	}
}
