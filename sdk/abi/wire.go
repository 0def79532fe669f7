package abi

import (
	"errors"
	"math"
	"strconv"
)

// Tags of encoded values. They are the numbers of pinsh's object.Kind, so
// a property's declared kind and its value's tag speak the same language.
const (
	TagNull       = 0 // no payload
	TagBool       = 1 // 1 byte: 0 or 1
	TagInt        = 2 // zigzag varint
	TagFloat      = 3 // 8 bytes, IEEE 754 little endian
	TagString     = 4 // uvarint length + UTF-8 bytes
	TagDateTime   = 5 // zigzag varint Unix seconds, uvarint nanoseconds, zone byte
	TagStringList = 6 // uvarint count + count raw strings
	TagObject     = 7 // uvarint type reference (0 = definition follows), values
	TagList       = 8 // uvarint count + count values
	TagHashtable  = 9 // uvarint count + count (raw string key, value)
	maxTag        = TagHashtable
	ZoneUTC       = 0 // a DateTime in UTC
	ZoneLocal     = 1 // a DateTime in the host's local time zone
	MaxDepth      = 64
	MaxTypes      = 4096 // object types one side may define per stage
	MaxProps      = 1024 // properties of one object type
	MaxKind       = 11   // highest property kind number (object.KindSwitch)
	maxUvarintLen = 10
)

// An object type definition (after TagObject and a zero reference) is: the
// type name (raw string), a uvarint property count, then per property its
// name (raw string) and declared kind (1 byte). The definition gets the next
// type number of its direction, counting from 1 at each begin; later objects
// of the type write that number instead of 0. The property values follow,
// one tagged value each, in declaration order.

// ErrShort reports a message that ends in the middle of a value.
var ErrShort = errors.New("message ends early")

// AppendUvarint appends x as an unsigned LEB128 varint.
func AppendUvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

// AppendVarint appends x zigzag-encoded.
func AppendVarint(b []byte, x int64) []byte {
	return AppendUvarint(b, uint64(x<<1)^uint64(x>>63))
}

// AppendRawString appends a length-prefixed string without a tag.
func AppendRawString(b []byte, s string) []byte {
	b = AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// AppendNull appends a null value.
func AppendNull(b []byte) []byte { return append(b, TagNull) }

// AppendBool appends a tagged bool.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, TagBool, 1)
	}
	return append(b, TagBool, 0)
}

// AppendInt appends a tagged integer.
func AppendInt(b []byte, v int64) []byte { return AppendVarint(append(b, TagInt), v) }

// AppendFloat appends a tagged double.
func AppendFloat(b []byte, v float64) []byte {
	u := math.Float64bits(v)
	return append(b, TagFloat, byte(u), byte(u>>8), byte(u>>16), byte(u>>24),
		byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56))
}

// AppendString appends a tagged string.
func AppendString(b []byte, s string) []byte { return AppendRawString(append(b, TagString), s) }

// AppendDateTime appends a tagged DateTime from Unix seconds, nanoseconds
// (0..999999999) and a zone (ZoneUTC or ZoneLocal).
func AppendDateTime(b []byte, sec int64, nsec int32, zone byte) []byte {
	b = AppendVarint(append(b, TagDateTime), sec)
	b = AppendUvarint(b, uint64(nsec))
	return append(b, zone)
}

// AppendStringList appends a tagged list of strings.
func AppendStringList(b []byte, list []string) []byte {
	b = AppendUvarint(append(b, TagStringList), uint64(len(list)))
	for _, s := range list {
		b = AppendRawString(b, s)
	}
	return b
}

// AppendListHeader appends the tag and count of a list; the caller appends
// count values.
func AppendListHeader(b []byte, n int) []byte {
	return AppendUvarint(append(b, TagList), uint64(n))
}

// AppendHashtableHeader appends the tag and count of a hashtable; the
// caller appends count (AppendRawString key, value) pairs.
func AppendHashtableHeader(b []byte, n int) []byte {
	return AppendUvarint(append(b, TagHashtable), uint64(n))
}

// Reader decodes a message. Its methods record the first error and return
// zero values afterwards, so a decoder can read a whole structure and check
// [Reader.Err] once. It never panics, whatever the bytes.
type Reader struct {
	b   []byte
	off int
	err error
}

// NewReader returns a reader over b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Reset makes r read b from the start and clears its error.
func (r *Reader) Reset(b []byte) { r.b, r.off, r.err = b, 0, nil }

// Err returns the first decoding error.
func (r *Reader) Err() error { return r.err }

// Len returns the number of unread bytes.
func (r *Reader) Len() int { return len(r.b) - r.off }

// Offset returns the position of the next byte.
func (r *Reader) Offset() int { return r.off }

// Rewind moves back to an earlier offset and clears the error, so that a
// decoder can try a fast path and fall back.
func (r *Reader) Rewind(off int) {
	if off >= 0 && off <= len(r.b) {
		r.off, r.err = off, nil
	}
}

// Rest returns the unread bytes (nil after an error), for a decoder that
// indexes them directly; [Reader.Advance] then consumes what it used.
func (r *Reader) Rest() []byte {
	if r.err != nil {
		return nil
	}
	return r.b[r.off:]
}

// Advance consumes n unread bytes (at most [Reader.Len]).
func (r *Reader) Advance(n int) {
	if r.err == nil && n >= 0 && n <= len(r.b)-r.off {
		r.off += n
	}
}

// Bytes returns the message bytes from offset from to the current offset.
func (r *Reader) Bytes(from int) []byte {
	if from < 0 || from > r.off {
		return nil
	}
	return r.b[from:r.off]
}

// Fail records err (with the current offset) unless an error is recorded.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = &DecodeError{Offset: r.off, Err: err}
	}
}

// Failf records a message as the error.
func (r *Reader) Failf(msg string) { r.Fail(errors.New(msg)) }

// DecodeError is a malformed message, with the offset of the bad byte.
type DecodeError struct {
	Offset int
	Err    error
}

func (e *DecodeError) Error() string {
	return "malformed message at byte " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Byte reads one byte.
func (r *Reader) Byte() byte {
	// The fast paths of the Reader are small enough to be inlined: a call
	// costs tens of nanoseconds in a WebAssembly guest.
	if b, off := r.b, r.off; uint(off) < uint(len(b)) && r.err == nil {
		r.off = off + 1
		return b[off]
	}
	return r.byteSlow()
}

//go:noinline
func (r *Reader) byteSlow() byte {
	if r.err == nil {
		r.Fail(ErrShort)
	}
	return 0
}

// Peek returns the next byte without consuming it (0 at the end).
func (r *Reader) Peek() byte {
	if r.err != nil || r.off >= len(r.b) {
		return 0
	}
	return r.b[r.off]
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	// One-byte values (counts, lengths, type numbers) are the common case;
	// this part is small enough to inline.
	if b, off := r.b, r.off; uint(off) < uint(len(b)) {
		if c := b[off]; c < 0x80 && r.err == nil {
			r.off = off + 1
			return uint64(c)
		}
	}
	return r.uvarint()
}

//go:noinline
func (r *Reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var x uint64
	var s uint
	for i := 0; i < maxUvarintLen; i++ {
		if r.off >= len(r.b) {
			r.Fail(ErrShort)
			return 0
		}
		c := r.b[r.off]
		r.off++
		if c < 0x80 {
			if i == maxUvarintLen-1 && c > 1 {
				break
			}
			return x | uint64(c)<<s
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	r.Failf("varint overflows 64 bits")
	return 0
}

// Varint reads a zigzag varint.
func (r *Reader) Varint() int64 {
	u := r.Uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// Count reads a uvarint element count and checks that at least min bytes
// per element remain, so a lying count cannot make a decoder allocate.
func (r *Reader) Count(min int) int {
	n := r.Uvarint()
	if r.err != nil {
		return 0
	}
	if min < 1 {
		min = 1
	}
	if n > uint64(r.Len()/min) {
		r.Failf("count " + strconv.FormatUint(n, 10) + " exceeds the message")
		return 0
	}
	return int(n)
}

// RawBytes reads a length-prefixed byte string as a view into the message.
func (r *Reader) RawBytes() []byte {
	if b, off := r.b, r.off; uint(off) < uint(len(b)) && r.err == nil {
		if n := int(b[off]); n < 0x80 && off+1+n <= len(b) {
			r.off = off + 1 + n
			return b[off+1 : off+1+n]
		}
	}
	return r.rawBytesSlow()
}

//go:noinline
func (r *Reader) rawBytesSlow() []byte {
	n := r.Uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(r.Len()) {
		r.Fail(ErrShort)
		return nil
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

// RawString reads a length-prefixed string without a tag.
func (r *Reader) RawString() string { return string(r.RawBytes()) }

// Float64 reads 8 little-endian bytes.
func (r *Reader) Float64() float64 {
	if r.err != nil {
		return 0
	}
	if r.Len() < 8 {
		r.Fail(ErrShort)
		return 0
	}
	p := r.b[r.off : r.off+8]
	v := uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
	r.off += 8
	return math.Float64frombits(v)
}

// Tag reads a value tag and checks it is known.
func (r *Reader) Tag() byte {
	if b, off := r.b, r.off; uint(off) < uint(len(b)) {
		if t := b[off]; t <= maxTag && r.err == nil {
			r.off = off + 1
			return t
		}
	}
	return r.tagSlow()
}

//go:noinline
func (r *Reader) tagSlow() byte {
	t := r.Byte()
	if t > maxTag && r.err == nil {
		r.off--
		r.Failf("unknown value tag " + strconv.Itoa(int(t)))
		return 0
	}
	return t
}

// BoolPayload reads the byte after TagBool.
func (r *Reader) BoolPayload() bool {
	if b, off := r.b, r.off; uint(off) < uint(len(b)) {
		if v := b[off]; v <= 1 && r.err == nil {
			r.off = off + 1
			return v == 1
		}
	}
	return r.boolSlow()
}

//go:noinline
func (r *Reader) boolSlow() bool {
	switch r.Byte() {
	case 0:
		return false
	case 1:
		return true
	}
	if r.err == nil {
		r.off--
		r.Failf("bool byte is neither 0 nor 1")
	}
	return false
}

// DateTimePayload reads the fields after TagDateTime.
func (r *Reader) DateTimePayload() (sec int64, nsec int32, zone byte) {
	sec = r.Varint()
	ns := r.Uvarint()
	zone = r.Byte()
	if r.err != nil {
		return 0, 0, 0
	}
	if ns > 999999999 {
		r.Failf("DateTime nanoseconds out of range")
		return 0, 0, 0
	}
	if zone > ZoneLocal {
		r.Failf("unknown DateTime zone " + strconv.Itoa(int(zone)))
		return 0, 0, 0
	}
	// Keep far inside the range Go's time arithmetic handles (about
	// 142 million years either side of 1970).
	const lim = 1 << 52
	if sec > lim || sec < -lim {
		r.Failf("DateTime out of range")
		return 0, 0, 0
	}
	return sec, int32(ns), zone
}

// String reads a value that must be a string (or null, read as "").
func (r *Reader) String() string {
	switch t := r.Tag(); t {
	case TagString:
		return r.RawString()
	case TagNull:
		return ""
	default:
		if r.err == nil {
			r.Failf("expected a string, found tag " + strconv.Itoa(int(t)))
		}
	}
	return ""
}

// Int reads a value that must be an integer.
func (r *Reader) Int() int64 {
	if t := r.Tag(); t != TagInt {
		if r.err == nil {
			r.Failf("expected an integer, found tag " + strconv.Itoa(int(t)))
		}
		return 0
	}
	return r.Varint()
}

// Skip reads and discards one value of any kind, checking its structure.
// Object type definitions met while skipping are counted in *types, which
// the caller must keep in step with its own type table (nil: objects are
// not allowed here).
func (r *Reader) Skip(types *[]int, depth int) {
	if depth > MaxDepth {
		r.Failf("values nested too deeply")
		return
	}
	switch t := r.Tag(); t {
	case TagNull:
	case TagBool:
		r.BoolPayload()
	case TagInt:
		r.Varint()
	case TagFloat:
		r.Float64()
	case TagString:
		r.RawBytes()
	case TagDateTime:
		r.DateTimePayload()
	case TagStringList:
		n := r.Count(1)
		for i := 0; i < n && r.err == nil; i++ {
			r.RawBytes()
		}
	case TagList:
		n := r.Count(1)
		for i := 0; i < n && r.err == nil; i++ {
			r.Skip(types, depth+1)
		}
	case TagHashtable:
		n := r.Count(2)
		for i := 0; i < n && r.err == nil; i++ {
			r.RawBytes()
			r.Skip(types, depth+1)
		}
	case TagObject:
		if types == nil {
			r.Failf("object not allowed here")
			return
		}
		ref := r.Uvarint()
		var nprops int
		switch {
		case ref == 0:
			if len(*types) >= MaxTypes {
				r.Failf("too many object types")
				return
			}
			r.RawBytes()
			nprops = r.Count(2)
			if nprops > MaxProps {
				r.Failf("too many properties")
				return
			}
			for i := 0; i < nprops && r.err == nil; i++ {
				r.RawBytes()
				if k := r.Byte(); k > MaxKind {
					r.Failf("unknown property kind")
				}
			}
			if r.err == nil {
				*types = append(*types, nprops)
			}
		case ref <= uint64(len(*types)):
			nprops = (*types)[ref-1]
		default:
			r.Failf("undefined object type " + strconv.FormatUint(ref, 10))
			return
		}
		for i := 0; i < nprops && r.err == nil; i++ {
			r.Skip(types, depth+1)
		}
	}
}

// End checks that the whole message was read.
func (r *Reader) End() error {
	if r.err == nil && r.off != len(r.b) {
		r.Failf(strconv.Itoa(len(r.b)-r.off) + " unexpected bytes after the message")
	}
	return r.err
}
