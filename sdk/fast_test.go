package sdk

import (
	"reflect"
	"testing"
	"time"

	"pinsh/sdk/abi"
)

// The fast paths (bindFast, skipSimple, pinInfoFast) index bytes instead
// of going through a Reader. These tests hold them to the general
// decoders: whenever a fast path accepts a message, it must produce what
// the general path produces.

func TestSkipSimple(t *testing.T) {
	when := time.Date(2012, 9, 25, 13, 35, 3, 5, time.UTC)
	long := string(make([]byte, 300)) // a two-byte length
	simple := []Value{nil, true, false, int64(0), int64(-1 << 40), "", "Ken Myer", long, when, when.In(hostLocal)}
	for _, v := range simple {
		enc.reset()
		b := enc.value(nil, v, 0)
		b = append(b, 0xEE) // the next value
		if got := skipSimple(b, 0, 1); got != len(b)-1 {
			t.Errorf("%#v: skipSimple = %d, want %d", v, got, len(b)-1)
		}
		for cut := 0; cut < len(b)-1; cut++ {
			if got := skipSimple(b[:cut], 0, 1); got >= 0 {
				t.Errorf("%#v cut to %d bytes: skipSimple = %d, want -1", v, cut, got)
			}
		}
	}
	typ := NewType("T", P("A", KindString))
	for _, v := range []Value{[]string{"a"}, []Value{"a"}, typ.New("a"), &Hashtable{Keys: []string{"k"}, Values: []Value{"v"}}, 1.5} {
		enc.reset()
		if got := skipSimple(enc.value(nil, v, 0), 0, 1); got != -1 {
			t.Errorf("%#v is not simple, skipSimple = %d", v, got)
		}
	}
}

// bindBoth binds msg with bindFast (when it accepts it) and with bind, on
// two contexts of the same cmdlet, and compares what they bound.
func bindBoth(t testing.TB, params []Param, types []*Type, msg []byte) (fast bool) {
	t.Helper()
	newCtx := func() *Context {
		n := len(params)
		return &Context{cmdlet: &Cmdlet{Name: "Test-X", Params: params}, vals: make([]Value, n), strs: make([]string, n),
			isStr: make([]bool, n), bound: make([]bool, n), fixed: make([]bool, n)}
	}
	dec.types = append(dec.types[:0], types...)
	a, b := newCtx(), newCtx()
	fast = a.bindFast(msg, false)
	if !fast {
		return false
	}
	if len(dec.types) != len(types) {
		t.Fatalf("bindFast defined a type: %q", msg)
	}
	r := abi.NewReader(msg)
	if err := b.bind(r, false); err != nil {
		t.Fatalf("bindFast accepted %q, which bind refuses: %v", msg, err)
	}
	for i := range params {
		av, aok := a.Value(params[i].Name)
		bv, bok := b.Value(params[i].Name)
		if ao, ok := av.(*Object); ok {
			av = ao.values()
		}
		if bo, ok := bv.(*Object); ok {
			bv = bo.values()
		}
		if aok != bok || !reflect.DeepEqual(av, bv) {
			t.Fatalf("%q: parameter %s: fast %#v (%v), general %#v (%v)", msg, params[i].Name, av, aok, bv, bok)
		}
	}
	if a.set != b.set {
		t.Fatalf("%q: set %q vs %q", msg, a.set, b.set)
	}
	return true
}

func processMsg(set string, pairs ...any) []byte {
	b := abi.AppendString(nil, set)
	b = abi.AppendInt(b, int64(len(pairs)/2))
	for i := 0; i < len(pairs); i += 2 {
		b = abi.AppendInt(b, int64(pairs[i].(int)))
		b = enc.value(b, pairs[i+1], 0)
	}
	return b
}

func TestBindFast(t *testing.T) {
	params := []Param{{Name: "Identity", Kind: KindString}, {Name: "InputObject", Kind: KindAny}, {Name: "Pin", Kind: KindString}}
	user := NewType(abi.TypeUser, P("Identity", KindString), P("Enabled", KindBool), P("WhenCreated", KindDateTime))
	when := time.Unix(1348580103, 0).UTC()
	// The guest's decoder knows the type as number 1 (defined earlier in
	// the stage); the message refers to it.
	enc.reset()
	_ = enc.value(nil, user.New("x", true, when), 0) // defines it as 1
	obj := enc.value(nil, user.New("CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com", true, when), 0)
	known := NewType(abi.TypeUser, user.props...)
	tests := []struct {
		name string
		msg  []byte
		fast bool
	}{
		{"one string", processMsg("", 0, "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"), true},
		{"two strings", processMsg("", 0, "kenmyer", 2, "40917"), true},
		{"empty string", processMsg("", 0, ""), true},
		{"no parameter", processMsg(""), true},
		{"object of a known type", append(processMsg(""), obj...), false}, // count 0 but trailing bytes
		{"long string", processMsg("", 0, string(make([]byte, 200))), false},
		{"parameter set", processMsg("Set1", 0, "x"), false},
		{"int value", processMsg("", 1, int64(5)), false},
		{"null value", processMsg("", 1, nil), false},
		{"index out of range", processMsg("", 7, "x"), false},
		{"trailing byte", append(processMsg("", 0, "x"), 0), false},
		{"truncated", processMsg("", 0, "kenmyer")[:6], false},
	}
	// An object of a known type: splice its encoding in as a value.
	m := abi.AppendString(nil, "")
	m = abi.AppendInt(m, 1)
	m = abi.AppendInt(m, 1)
	m = append(m, obj...)
	tests = append(tests, struct {
		name string
		msg  []byte
		fast bool
	}{"object", m, true})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bindBoth(t, params, []*Type{known}, tc.msg); got != tc.fast {
				t.Errorf("bindFast accepted = %v, want %v", got, tc.fast)
			}
		})
	}
}

// FuzzBindFast checks that bindFast never panics and, whenever it accepts
// a message, binds what bind binds.
func FuzzBindFast(f *testing.F) {
	f.Add(processMsg("", 0, "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"))
	f.Add(processMsg("", 0, "kenmyer", 2, "40917"))
	f.Add([]byte{abi.TagString, 0, abi.TagInt, 2, abi.TagInt, 2, abi.TagObject, 1, abi.TagString, 1, 'x', abi.TagBool, 1, abi.TagNull})
	params := []Param{{Name: "Identity", Kind: KindString}, {Name: "InputObject", Kind: KindAny}, {Name: "Pin", Kind: KindString}}
	known := NewType(abi.TypeUser, P("Identity", KindString), P("Enabled", KindBool), P("WhenCreated", KindDateTime))
	f.Fuzz(func(t *testing.T, msg []byte) {
		bindBoth(t, params, []*Type{known}, msg)
	})
}

func TestPinInfoFast(t *testing.T) {
	when := time.Unix(1348580103, 0)
	infoType := NewType(abi.TypePinInfo, P("Identity", KindString), P("IsPinSet", KindBool), P("IsLockedOut", KindBool),
		P("LastPinChangeTime", KindDateTime), P("PinExpirationTime", KindDateTime))
	other := NewType(abi.TypePinInfo, P("IsPinSet", KindBool), P("Identity", KindString))
	entry := func(ref byte, vals ...[]byte) []byte {
		b := []byte{abi.TagObject, ref}
		for _, v := range vals {
			b = append(b, v...)
		}
		return b
	}
	val := func(v Value) []byte { enc.reset(); return enc.value(nil, v, 0) }
	tests := []struct {
		name  string
		entry []byte
		fast  bool
	}{
		{"no PIN", entry(1, val("sip:kenmyer@litwareinc.com"), val(false), val(false), val(nil), val(nil)), true},
		{"PIN set", entry(1, val("sip:davids@litwareinc.com"), val(true), val(true), val(when.In(hostLocal)), val(when.UTC())), true},
		{"other layout", entry(2, val(true), val("sip:x@y")), false},
		{"unknown type", entry(3, val("x")), false},
		{"long identity", entry(1, val(string(make([]byte, 130))), val(false), val(false), val(nil), val(nil)), false},
		{"int where a bool is", entry(1, val("x"), val(int64(1)), val(false), val(nil), val(nil)), false},
		{"bad DateTime zone", entry(1, val("x"), val(false), val(false), []byte{abi.TagDateTime, 2, 0, 9}, val(nil)), false},
		{"trailing byte", append(entry(1, val("x"), val(false), val(false), val(nil), val(nil)), 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dec.types = append(dec.types[:0], infoType, other)
			var fast PinInfo
			r := abi.NewReader(tc.entry)
			ok := pinInfoFast(r, &fast)
			if ok != tc.fast {
				t.Fatalf("pinInfoFast accepted = %v, want %v", ok, tc.fast)
			}
			if !ok {
				if r.Offset() != 0 {
					t.Fatal("a refused entry was consumed")
				}
				return
			}
			if r.Len() != 0 {
				t.Fatal("the entry was not consumed")
			}
			var slow PinInfo
			r = abi.NewReader(tc.entry)
			pinInfo(r, &slow)
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
			if fast.Identity != slow.Identity || fast.IsPinSet != slow.IsPinSet || fast.IsLockedOut != slow.IsLockedOut ||
				!sameTime(fast.LastPinChangeTime, slow.LastPinChangeTime) || !sameTime(fast.PinExpirationTime, slow.PinExpirationTime) {
				t.Fatalf("fast %+v\nslow %+v", fast, slow)
			}
		})
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b) && a.Location() == b.Location()
}
