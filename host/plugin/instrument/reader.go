package instrument

import "fmt"

// reader decodes the binary format. Like the wire reader of the ABI, it
// records the first error and reads zeros afterwards, so callers check the
// error once per structure; it never indexes outside its slice.
type reader struct {
	b    []byte
	off  int
	base int // offset of b[0] in the module, for error positions
	err  error
}

func (r *reader) pos() int       { return r.base + r.off }
func (r *reader) remaining() int { return len(r.b) - r.off }

func (r *reader) fail(class error, msg string) error {
	return r.failAt(r.off, class, msg)
}

func (r *reader) failAt(off int, class error, msg string) error {
	if r.err == nil {
		r.err = &Error{Class: class, Offset: r.base + off, Msg: msg}
	}
	return r.err
}

// finish checks that a section was read exactly.
func (r *reader) finish() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail(ErrMalformed, fmt.Sprintf("%d unexpected bytes at the end of the section", len(r.b)-r.off))
	}
	return r.err
}

// section reads the header of the next section and returns its id, its
// contents and their offset, and moves past it.
func (r *reader) section() (id byte, body []byte, off int, err error) {
	start := r.off
	id = r.byte()
	size := r.u32()
	if r.err != nil {
		return 0, nil, 0, r.err
	}
	if uint64(size) > uint64(r.remaining()) {
		return 0, nil, 0, &Error{ErrMalformed, r.base + start, fmt.Sprintf("section %d claims %d bytes, only %d remain", id, size, r.remaining())}
	}
	off = r.off
	r.off += int(size)
	return id, r.b[off:r.off], r.base + off, nil
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail(ErrMalformed, "unexpected end")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *reader) skip(n uint32) {
	if r.err != nil {
		return
	}
	if uint64(n) > uint64(r.remaining()) {
		r.fail(ErrMalformed, "unexpected end")
		return
	}
	r.off += int(n)
}

// u32 reads an unsigned LEB128 of at most 5 bytes whose value fits 32 bits.
func (r *reader) u32() uint32 {
	var x uint32
	for i := 0; i < 5; i++ {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		if i == 4 && c > 0x0f {
			r.fail(ErrMalformed, "u32 overflows 32 bits")
			return 0
		}
		x |= uint32(c&0x7f) << (7 * i)
		if c < 0x80 {
			return x
		}
	}
	r.fail(ErrMalformed, "u32 longer than 5 bytes")
	return 0
}

// sleb reads a signed LEB128 of up to bits bits, strictly: the unused bits
// of the last byte must repeat the sign, as the specification requires.
func (r *reader) sleb(bits int) int64 {
	maxLen := (bits + 6) / 7
	var x int64
	for i := 0; i < maxLen; i++ {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		shift := 7 * i
		x |= int64(c&0x7f) << shift
		if c&0x80 != 0 {
			continue
		}
		if i == maxLen-1 {
			// Bits of this byte beyond the value width must all equal
			// the sign bit.
			used := bits - shift // value bits in this byte, 1..7
			signBit := (c >> (used - 1)) & 1
			extra := c >> used & (0x7f >> used)
			want := byte(0)
			if signBit == 1 {
				want = 0x7f >> used
			}
			if extra != want {
				r.fail(ErrMalformed, fmt.Sprintf("signed integer overflows %d bits", bits))
				return 0
			}
		}
		shift += 7
		if shift < 64 && c&0x40 != 0 {
			x |= -1 << shift
		}
		return x
	}
	r.fail(ErrMalformed, fmt.Sprintf("signed integer longer than %d bytes", maxLen))
	return 0
}

func (r *reader) s32() int32 { return int32(r.sleb(32)) }
func (r *reader) s64() int64 { return r.sleb(64) }

// count reads a vector length, bounded by the bytes left (every element
// takes at least one byte), so a lying count cannot cause a long loop.
func (r *reader) count() uint32 {
	off := r.off
	n := r.u32()
	if r.err == nil && uint64(n) > uint64(r.remaining()) {
		r.failAt(off, ErrMalformed, fmt.Sprintf("vector of %d elements in %d bytes", n, r.remaining()))
		return 0
	}
	return n
}

func (r *reader) name() string {
	n := r.u32()
	if r.err != nil {
		return ""
	}
	if uint64(n) > uint64(r.remaining()) {
		r.fail(ErrMalformed, "name runs past the end")
		return ""
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s
}

func (r *reader) valType() byte {
	off := r.off
	t := r.byte()
	switch t {
	case valI32, valI64, valF32, valF64, valFuncref, valExternref:
	case valV128:
		r.failAt(off, ErrUnsupported, "SIMD (v128 values)")
	case 0x63, 0x64, 0x69, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x71, 0x72, 0x73, 0x74:
		r.failAt(off, ErrUnsupported, "typed references, garbage collection or exception handling")
	default:
		if r.err == nil {
			r.failAt(off, ErrMalformed, fmt.Sprintf("unknown value type 0x%02x", t))
		}
	}
	return t
}

func (r *reader) refType() {
	off := r.off
	switch t := r.byte(); t {
	case valFuncref, valExternref:
	case 0x63, 0x64, 0x69:
		r.failAt(off, ErrUnsupported, "typed references or exception handling")
	default:
		if r.err == nil {
			r.failAt(off, ErrMalformed, fmt.Sprintf("unknown reference type 0x%02x", t))
		}
	}
}

func (r *reader) mut() {
	if m := r.byte(); m > 1 && r.err == nil {
		r.fail(ErrMalformed, "global mutability is neither 0 nor 1")
	}
}

func (r *reader) elemKind() {
	if k := r.byte(); k != 0 && r.err == nil {
		r.fail(ErrMalformed, "element kind is not 0 (funcref)")
	}
}

func (r *reader) limits() {
	off := r.off
	switch f := r.byte(); f {
	case 0:
		r.u32()
	case 1:
		r.u32()
		r.u32()
	case 2, 3:
		r.failAt(off, ErrUnsupported, "threads (shared memory)")
	case 4, 5, 6, 7:
		r.failAt(off, ErrUnsupported, "memory64")
	default:
		if r.err == nil {
			r.failAt(off, ErrMalformed, fmt.Sprintf("unknown limits flags 0x%02x", f))
		}
	}
}

// blockType reads a block type: empty, one value type, or a type index
// (a signed 33-bit LEB128).
func (r *reader) blockType(s *state) {
	off := r.off
	v := r.sleb(33)
	if r.err != nil {
		return
	}
	switch {
	case v == -64, v == -1, v == -2, v == -3, v == -4, v == -16, v == -17:
	case v == -5:
		r.failAt(off, ErrUnsupported, "SIMD (v128 block type)")
	case v < 0:
		r.failAt(off, ErrUnsupported, fmt.Sprintf("block type %d", v))
	case v >= int64(len(s.types)):
		r.failAt(off, ErrMalformed, fmt.Sprintf("block type index %d out of range", v))
	}
}

func appendU32(b []byte, x uint32) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func appendS32(b []byte, x int32) []byte {
	v := int64(x)
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
