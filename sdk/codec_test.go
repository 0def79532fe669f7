package sdk

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"pinsh/sdk/abi"
)

// roundTrip encodes v as a guest and decodes it as if it came back from
// the host (both directions share the format).
func roundTrip(t *testing.T, v Value) Value {
	t.Helper()
	enc.reset()
	b := enc.value(nil, v, 0)
	var d decoder
	r := abi.NewReader(arena(b))
	got := d.value(r, 0)
	if err := r.End(); err != nil {
		t.Fatalf("%#v: %v", v, err)
	}
	return got
}

func TestCodecRoundTrip(t *testing.T) {
	when := time.Date(2012, 9, 25, 13, 35, 3, 5, time.UTC)
	local := when.In(hostLocal)
	tests := []struct {
		in, want Value
	}{
		{nil, nil},
		{true, true},
		{int64(-5), int64(-5)},
		{42, int64(42)},
		{1.25, 1.25},
		{"0123", "0123"},
		{when, when},
		{local, local},
		{(*time.Time)(nil), nil},
		{&when, when},
		{[]string{"a", "b"}, []string{"a", "b"}},
		{[]Value{int64(1), "x", nil}, []Value{int64(1), "x", nil}},
	}
	for _, tc := range tests {
		got := roundTrip(t, tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%#v -> %#v, want %#v", tc.in, got, tc.want)
		}
	}
	if got := roundTrip(t, local).(time.Time); got.Location() != hostLocal {
		t.Error("a host-local DateTime came back as UTC")
	}
}

func TestObjects(t *testing.T) {
	typ := NewType("T", P("Name", KindString), P("N", KindInt), P("When", KindDateTime))
	when := time.Unix(1348580103, 0).UTC()
	o := typ.New("Ken", int64(3), when)
	got := roundTrip(t, o).(*Object)
	if got.raw == nil {
		t.Fatal("a flat object was decoded eagerly")
	}
	if got.TypeName() != "T" || got.String("name") != "Ken" || got.Len() != 3 {
		t.Fatalf("got %#v", got)
	}
	if v, _ := got.Get("When"); v != when {
		t.Errorf("When = %v", v)
	}
	// Unchanged, it is written back by copying; changed, by encoding.
	e := &enc
	e.reset()
	again := e.value(nil, got, 0)
	e.reset()
	fresh := e.value(nil, o, 0)
	if !bytes.Equal(again, fresh) {
		t.Errorf("re-encoded lazily decoded object differs:\n%v\n%v", again, fresh)
	}
	got.Set("N", int64(4))
	if got.raw != nil {
		t.Error("Set kept the stale encoding")
	}
	if v, _ := roundTrip(t, got).(*Object).Get("N"); v != int64(4) {
		t.Errorf("N = %v after Set", v)
	}
	// Nested objects are decoded eagerly, keeping the type table in step.
	outer := NewType("Outer", P("Inner", KindObject), P("Again", KindObject))
	nested := roundTrip(t, outer.New(o, o)).(*Object)
	if nested.raw != nil || nested.vals[1].(*Object).String("Name") != "Ken" {
		t.Fatalf("nested %#v", nested)
	}
}

func TestSecondObjectOfATypeIsANumber(t *testing.T) {
	typ := NewType("Some.Long.Type.Name", P("Identity", KindString))
	e := &enc
	e.reset()
	first := e.value(nil, typ.New("a"), 0)
	second := e.value(nil, typ.New("a"), 0)
	if len(second) >= len(first) || second[1] != 1 {
		t.Fatalf("first %v second %v", first, second)
	}
	e.reset()
	if third := e.value(nil, typ.New("a"), 0); !bytes.Equal(third, first) {
		t.Fatal("a new stage did not define the type again")
	}
}

func TestManifestIsWellFormed(t *testing.T) {
	p := &Plugin{Name: "x", Version: "1", Capabilities: []string{CapPinRead},
		Cmdlets: []Cmdlet{{Name: "Get-X", Aliases: []string{"gx"}, SupportsShouldProcess: true, ConfirmImpact: ImpactHigh,
			Examples: []Example{{Code: "Get-X", Remark: "r"}},
			Params: []Param{{Name: "Identity", Kind: KindString, Mandatory: true, Position: 1, FromPipeline: true},
				{Name: "Force", Kind: KindSwitch}}}}}
	b := manifest(p)
	r := abi.NewReader(b)
	var types []int
	r.Skip(&types, 0)
	if err := r.End(); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var d decoder
	r = abi.NewReader(arena(b))
	h := d.value(r, 0).(*Hashtable)
	cmds, _ := h.Get(abi.KeyCmdlets)
	c := cmds.([]Value)[0].(*Hashtable)
	params, _ := c.Get(abi.KeyParams)
	pos, _ := params.([]Value)[0].(*Hashtable).Get(abi.KeyPosition)
	if pos != int64(0) {
		t.Errorf("position 1 encoded as %v, want 0-based 0", pos)
	}
	named, _ := params.([]Value)[1].(*Hashtable).Get(abi.KeyPosition)
	if named != int64(-1) {
		t.Errorf("named-only encoded as %v, want -1", named)
	}
}
