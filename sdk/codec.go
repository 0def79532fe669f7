package sdk

import (
	"time"
	"unsafe"

	"pinsh/sdk/abi"
)

// The codec avoids allocating, because in a Go WebAssembly guest each
// allocation costs about half a microsecond (ten times a native one): a
// message is copied once into an arena, strings are views of it, objects
// without nested objects keep their encoded values and decode them only when
// asked (and are written back by copying them), and service replies decode
// straight into structs.

// hostLocal marks DateTimes the host sent in its local time zone, so that
// they go back the same way. A plugin has no time zone database; its own
// time.Now() is UTC.
var hostLocal = time.FixedZone("Local", 0)

// encoder writes values for the host. Object types are numbered per stage:
// a type's first object in a stage carries its definition, later ones its
// number (see abi's TagObject).
type encoder struct {
	epoch  uint32
	nextID uint64
}

var enc = encoder{epoch: 1, nextID: 1}

// reset starts a new stage: every type must be defined again.
func (e *encoder) reset() {
	e.epoch++
	e.nextID = 1
}

func (e *encoder) value(b []byte, v Value, depth int) []byte {
	if depth > abi.MaxDepth {
		panic("sdk: value nested too deeply (a cycle?)")
	}
	switch x := v.(type) {
	case nil:
		return abi.AppendNull(b)
	case bool:
		return abi.AppendBool(b, x)
	case int64:
		return abi.AppendInt(b, x)
	case int:
		return abi.AppendInt(b, int64(x))
	case int32:
		return abi.AppendInt(b, int64(x))
	case uint32:
		return abi.AppendInt(b, int64(x))
	case float64:
		return abi.AppendFloat(b, x)
	case string:
		return abi.AppendString(b, x)
	case time.Time:
		zone := byte(abi.ZoneUTC)
		if x.Location() == hostLocal {
			zone = abi.ZoneLocal
		}
		return abi.AppendDateTime(b, x.Unix(), int32(x.Nanosecond()), zone)
	case *time.Time:
		if x == nil {
			return abi.AppendNull(b)
		}
		return e.value(b, *x, depth)
	case []string:
		return abi.AppendStringList(b, x)
	case []Value:
		b = abi.AppendListHeader(b, len(x))
		for _, el := range x {
			b = e.value(b, el, depth+1)
		}
		return b
	case *Hashtable:
		if x == nil {
			return abi.AppendNull(b)
		}
		b = abi.AppendHashtableHeader(b, len(x.Keys))
		for i, k := range x.Keys {
			b = abi.AppendRawString(b, k)
			var val Value
			if i < len(x.Values) {
				val = x.Values[i]
			}
			b = e.value(b, val, depth+1)
		}
		return b
	case *Object:
		if x == nil {
			return abi.AppendNull(b)
		}
		return e.object(b, x, depth)
	}
	panic("sdk: a value of an unsupported Go type cannot be sent to pinsh")
}

func (e *encoder) object(b []byte, o *Object, depth int) []byte {
	b = e.header(b, o.typ)
	if o.raw != nil {
		return append(b, o.raw...)
	}
	for _, v := range o.vals {
		b = e.value(b, v, depth+1)
	}
	return b
}

// values writes an object of type t with the given values (nil for the
// missing ones).
func (e *encoder) values(b []byte, t *Type, vals []Value, depth int) []byte {
	b = e.header(b, t)
	for i := range t.props {
		if i < len(vals) {
			b = e.value(b, vals[i], depth+1)
		} else {
			b = abi.AppendNull(b)
		}
	}
	return b
}

// header writes the tag and the type of an object: its number, or its
// definition the first time in a stage.
func (e *encoder) header(b []byte, t *Type) []byte {
	b = append(b, abi.TagObject)
	if t.epoch == e.epoch {
		b = abi.AppendUvarint(b, t.id)
	} else {
		if e.nextID > abi.MaxTypes {
			panic("sdk: too many object types in one stage")
		}
		t.epoch, t.id = e.epoch, e.nextID
		e.nextID++
		b = abi.AppendUvarint(b, 0)
		b = abi.AppendRawString(b, t.name)
		b = abi.AppendUvarint(b, uint64(len(t.props)))
		for _, p := range t.props {
			b = abi.AppendRawString(b, p.Name)
			b = append(b, byte(p.Kind))
		}
	}
	return b
}

// decoder reads values from the host, keeping the host's type numbers for
// the stage.
type decoder struct {
	types []*Type
}

var dec decoder

func (d *decoder) reset() { d.types = d.types[:0] }

// arena copies a message the host wrote (into a buffer it will overwrite)
// into memory the decoded strings can share. Messages are packed into
// 32 KiB chunks that are never written again, so most messages cost no
// allocation; a chunk is freed when no string from it is left.
func arena(msg []byte) []byte {
	if len(msg) > len(chunk) {
		if len(msg) > chunkSize/4 {
			return append([]byte(nil), msg...)
		}
		chunk = make([]byte, chunkSize)
	}
	a := chunk[:len(msg):len(msg)]
	copy(a, msg)
	chunk = chunk[len(msg):]
	return a
}

const chunkSize = 32 << 10

var chunk []byte

// str reads a string (or null, as "") as a view of the arena.
func str(r *abi.Reader) string {
	switch r.Tag() {
	case abi.TagString:
		return view(r.RawBytes())
	case abi.TagNull:
	default:
		r.Failf("expected a string")
	}
	return ""
}

func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func (d *decoder) value(r *abi.Reader, depth int) Value {
	if depth > abi.MaxDepth {
		r.Failf("values nested too deeply")
		return nil
	}
	switch t := r.Tag(); t {
	case abi.TagNull:
		return nil
	case abi.TagBool:
		return r.BoolPayload()
	case abi.TagInt:
		return r.Varint()
	case abi.TagFloat:
		return r.Float64()
	case abi.TagString:
		return view(r.RawBytes())
	case abi.TagDateTime:
		return dateTime(r)
	case abi.TagStringList:
		n := r.Count(1)
		list := make([]string, n)
		for i := range list {
			list[i] = view(r.RawBytes())
		}
		return list
	case abi.TagList:
		n := r.Count(1)
		list := make([]Value, n)
		for i := range list {
			list[i] = d.value(r, depth+1)
		}
		return list
	case abi.TagHashtable:
		n := r.Count(2)
		h := &Hashtable{Keys: make([]string, n), Values: make([]Value, n)}
		for i := 0; i < n; i++ {
			h.Keys[i] = view(r.RawBytes())
			h.Values[i] = d.value(r, depth+1)
		}
		return h
	case abi.TagObject:
		return d.object(r, depth)
	}
	return nil
}

func dateTime(r *abi.Reader) time.Time {
	sec, nsec, zone := r.DateTimePayload()
	tm := time.Unix(sec, int64(nsec)).UTC()
	if zone == abi.ZoneLocal {
		tm = tm.In(hostLocal)
	}
	return tm
}

// header reads an object's type reference or definition.
func (d *decoder) header(r *abi.Reader) *Type {
	ref := r.Uvarint()
	switch {
	case r.Err() != nil:
	case ref == 0:
		name := view(r.RawBytes())
		n := r.Count(2)
		if n > abi.MaxProps || len(d.types) >= abi.MaxTypes {
			r.Failf("object type too large")
			return nil
		}
		props := make([]Prop, n)
		for i := range props {
			props[i].Name = view(r.RawBytes())
			props[i].Kind = Kind(r.Byte())
		}
		if r.Err() != nil {
			return nil
		}
		t := NewType(name, props...)
		d.types = append(d.types, t)
		return t
	case ref <= uint64(len(d.types)):
		return d.types[ref-1]
	default:
		r.Failf("undefined object type")
	}
	return nil
}

func (d *decoder) object(r *abi.Reader, depth int) *Object {
	t := d.header(r)
	if t == nil {
		return nil
	}
	// Fast paths: no nested object, so keep the encoded values.
	if b := r.Rest(); b != nil {
		if end := skipSimple(b, 0, len(t.props)); end >= 0 {
			r.Advance(end)
			return rawObject(t, b[:end])
		}
	}
	start := r.Offset()
	for range t.props {
		r.Skip(nil, depth+1)
	}
	if r.Err() == nil {
		return rawObject(t, r.Bytes(start))
	}
	r.Rewind(start)
	o := newObject(t)
	for i := range o.vals {
		o.vals[i] = d.value(r, depth+1)
	}
	return o
}

// skip reads and discards a value, keeping the type table in step.
func (d *decoder) skip(r *abi.Reader) { d.value(r, 1) }

// skipSimple returns the offset in b after the n values that start at p
// when they are all simple ones (null, bool, int, string, DateTime), or
// -1. It indexes the bytes instead of going through a Reader, which in a
// WebAssembly guest costs several times as much. It only measures: the
// values are checked when they are decoded.
func skipSimple(b []byte, p, n int) int {
	for ; n > 0; n-- {
		if p >= len(b) {
			return -1
		}
		tag := b[p]
		p++
		switch tag {
		case abi.TagNull:
		case abi.TagBool:
			p++
		case abi.TagInt:
			p = skipVarint(b, p)
		case abi.TagString:
			if p < len(b) && b[p] < 0x80 {
				p += 1 + int(b[p])
			} else if l, q := varint(b, p); q < 0 || l > uint64(len(b)) {
				return -1
			} else {
				p = q + int(l)
			}
		case abi.TagDateTime:
			if p = skipVarint(b, skipVarint(b, p)); p >= 0 {
				p++ // the zone
			}
		default:
			return -1
		}
		if p < 0 || p > len(b) {
			return -1
		}
	}
	return p
}

// skipVarint returns the offset after the varint at p, or -1.
func skipVarint(b []byte, p int) int {
	if p < 0 {
		return -1
	}
	for end := min(p+10, len(b)); p < end; p++ {
		if b[p] < 0x80 {
			return p + 1
		}
	}
	return -1
}

// varint reads the uvarint at p and returns it and the offset after it
// (-1 when malformed).
func varint(b []byte, p int) (uint64, int) {
	var x uint64
	for s := uint(0); s < 70 && p < len(b); s += 7 {
		c := b[p]
		p++
		x |= uint64(c&0x7f) << s
		if c < 0x80 {
			return x, p
		}
	}
	return 0, -1
}

// Objects received from pinsh are handed out from slabs, as service
// results are (see newInfos).
var objectSlab []Object

func rawObject(t *Type, raw []byte) *Object {
	if len(objectSlab) == 0 {
		objectSlab = make([]Object, slabSize)
	}
	o := &objectSlab[0]
	objectSlab = objectSlab[1:]
	o.typ, o.raw = t, raw
	return o
}
