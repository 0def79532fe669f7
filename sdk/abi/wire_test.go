package abi

import (
	"math"
	"testing"
)

func TestVarints(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 63, -64, 64, math.MaxInt64, math.MinInt64} {
		r := NewReader(AppendVarint(nil, v))
		if got := r.Varint(); got != v || r.End() != nil {
			t.Errorf("%d -> %d (%v)", v, got, r.Err())
		}
	}
	for _, u := range []uint64{0, 127, 128, math.MaxUint64} {
		r := NewReader(AppendUvarint(nil, u))
		if got := r.Uvarint(); got != u || r.End() != nil {
			t.Errorf("%d -> %d (%v)", u, got, r.Err())
		}
	}
	r := NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02})
	if r.Uvarint(); r.Err() == nil {
		t.Error("a 65-bit varint was accepted")
	}
}

func TestCountBoundsAllocation(t *testing.T) {
	r := NewReader(AppendUvarint(nil, 1<<40))
	if n := r.Count(1); n != 0 || r.Err() == nil {
		t.Fatalf("count %d accepted", n)
	}
}

// FuzzSkip checks that the structural reader never panics and always
// stops inside the message.
func FuzzSkip(f *testing.F) {
	f.Add([]byte{TagList, 2, TagNull, TagString, 1, 'x'})
	f.Add([]byte{TagObject, 0, 1, 'T', 1, 1, 'A', 4, TagNull, TagObject, 1, TagInt, 2})
	f.Add(AppendDateTime(nil, 1, 2, ZoneLocal))
	f.Fuzz(func(t *testing.T, msg []byte) {
		r := NewReader(msg)
		var types []int
		for r.Len() > 0 && r.Err() == nil {
			r.Skip(&types, 0)
		}
		if r.Offset() > len(msg) {
			t.Fatalf("read past the end: %d > %d", r.Offset(), len(msg))
		}
	})
}
