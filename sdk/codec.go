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
	t := o.typ
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
	if o.raw != nil {
		return append(b, o.raw...)
	}
	for _, v := range o.vals {
		b = e.value(b, v, depth+1)
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
	// Fast path: no nested object, so keep the encoded values.
	start := r.Offset()
	for range t.props {
		r.Skip(nil, depth+1)
	}
	if r.Err() == nil {
		return &Object{typ: t, raw: r.Bytes(start)}
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
