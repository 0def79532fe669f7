package plugin

import (
	"errors"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"pinsh/host/object"
	"pinsh/sdk/abi"
)

// encoder writes host values for a guest. Object types are numbered per
// stage in the host-to-guest direction: the first object of a type carries
// its definition, later ones its number.
type encoder struct {
	types map[*object.Type]uint64
	err   error
}

// simpleObject reports whether v is an object whose type the encoder has
// sent before and whose values are all null, bool, int, string or DateTime
// (the values the SDK's skipSimple walks): its encoding then holds no type
// definition and no nesting.
func (e *encoder) simpleObject(v object.Value) bool {
	o, ok := v.(*object.Object)
	if !ok || o == nil {
		return false
	}
	if _, ok := e.types[o.Type()]; !ok {
		return false
	}
	for i := 0; i < o.Len(); i++ {
		switch o.Value(i).(type) {
		case nil, bool, int64, string, time.Time:
		default:
			return false
		}
	}
	return true
}

func (e *encoder) reset() {
	clear(e.types)
	e.err = nil
}

var errTooDeep = errors.New("the value is nested too deeply to pass to a plugin")

func (e *encoder) value(b []byte, v object.Value, depth int) []byte {
	if depth > abi.MaxDepth {
		if e.err == nil {
			e.err = errTooDeep
		}
		return abi.AppendNull(b)
	}
	switch x := v.(type) {
	case nil:
		return abi.AppendNull(b)
	case bool:
		return abi.AppendBool(b, x)
	case int64:
		return abi.AppendInt(b, x)
	case float64:
		return abi.AppendFloat(b, x)
	case string:
		return abi.AppendString(b, x)
	case time.Time:
		zone := byte(abi.ZoneUTC)
		if x.Location() == time.Local {
			zone = abi.ZoneLocal
		}
		return abi.AppendDateTime(b, x.Unix(), int32(x.Nanosecond()), zone)
	case []object.Value:
		b = abi.AppendListHeader(b, len(x))
		for _, el := range x {
			b = e.value(b, el, depth+1)
		}
		return b
	case *object.Hashtable:
		b = abi.AppendHashtableHeader(b, x.Len())
		for i := 0; i < x.Len(); i++ {
			k, val := x.At(i)
			b = abi.AppendRawString(b, k)
			b = e.value(b, val, depth+1)
		}
		return b
	case *object.Object:
		return e.object(b, x, depth)
	}
	// Script blocks and other host-only values cross as their text.
	return abi.AppendString(b, object.ToString(v))
}

func (e *encoder) object(b []byte, o *object.Object, depth int) []byte {
	n := len(b)
	b = e.header(b, o.Type())
	if len(b) == n+1 && b[n] == abi.TagNull { // too many types (e.err)
		return b
	}
	for i := 0; i < o.Len(); i++ {
		b = e.value(b, o.Value(i), depth+1)
	}
	return b
}

// header appends the tag and the type reference (or definition) of an
// object of type t; its property values follow.
func (e *encoder) header(b []byte, t *object.Type) []byte {
	b = append(b, abi.TagObject)
	if id, ok := e.types[t]; ok {
		b = abi.AppendUvarint(b, id)
	} else {
		if e.types == nil {
			e.types = map[*object.Type]uint64{}
		}
		if len(e.types) >= abi.MaxTypes {
			if e.err == nil {
				e.err = errors.New("too many object types in one stage to pass to a plugin")
			}
			return append(b[:len(b)-1], abi.TagNull)
		}
		e.types[t] = uint64(len(e.types) + 1)
		b = abi.AppendUvarint(b, 0)
		b = abi.AppendRawString(b, t.Name())
		props := t.Properties()
		b = abi.AppendUvarint(b, uint64(len(props)))
		for _, p := range props {
			b = abi.AppendRawString(b, p.Name)
			b = append(b, byte(p.Kind))
		}
	}
	return b
}

// decoder reads values a guest wrote. It is the host's first line of
// defence against a hostile plugin: whatever the bytes, it returns a
// well-formed value or an error naming the fault, and never panics.
type decoder struct {
	types []wireType
	// text is the message being decoded as one string: decoded strings
	// are slices of it, one allocation per message instead of one per
	// string.
	text string
}

// wireType is a type the guest defined in this stage.
type wireType struct {
	t *object.Type
}

func (d *decoder) reset() { d.types = d.types[:0] }

// decode decodes exactly one value filling the whole message.
func (d *decoder) decode(msg []byte) (object.Value, error) {
	r := abi.NewReader(msg)
	d.start(msg)
	v := d.value(r, 0)
	d.text = ""
	if err := r.End(); err != nil {
		return nil, err
	}
	return v, nil
}

// start makes the decoder's strings slices of a copy of msg.
func (d *decoder) start(msg []byte) { d.text = string(msg) }

func (d *decoder) str(r *abi.Reader) string {
	b := r.RawBytes()
	if !utf8.Valid(b) {
		r.Failf("string is not valid UTF-8")
		return ""
	}
	if len(b) == 0 {
		return ""
	}
	end := r.Offset()
	if len(d.text) >= end {
		return d.text[end-len(b) : end]
	}
	return string(b)
}

func (d *decoder) value(r *abi.Reader, depth int) object.Value {
	if depth > abi.MaxDepth {
		r.Failf("values nested too deeply")
		return nil
	}
	switch r.Tag() {
	case abi.TagNull:
		return nil
	case abi.TagBool:
		return r.BoolPayload()
	case abi.TagInt:
		return r.Varint()
	case abi.TagFloat:
		return r.Float64()
	case abi.TagString:
		return d.str(r)
	case abi.TagDateTime:
		sec, nsec, zone := r.DateTimePayload()
		t := time.Unix(sec, int64(nsec))
		if zone == abi.ZoneUTC {
			return t.UTC()
		}
		return t
	case abi.TagStringList:
		n := r.Count(1)
		list := make([]object.Value, n)
		for i := range list {
			list[i] = d.str(r)
		}
		return list
	case abi.TagList:
		n := r.Count(1)
		list := make([]object.Value, n)
		for i := range list {
			list[i] = d.value(r, depth+1)
		}
		return list
	case abi.TagHashtable:
		n := r.Count(2)
		h := object.NewHashtable()
		for i := 0; i < n && r.Err() == nil; i++ {
			k := d.str(r)
			h.Set(k, d.value(r, depth+1))
		}
		return h
	case abi.TagObject:
		return d.object(r, depth)
	}
	return nil
}

func (d *decoder) object(r *abi.Reader, depth int) object.Value {
	ref := r.Uvarint()
	if r.Err() != nil {
		return nil
	}
	var t *object.Type
	switch {
	case ref == 0:
		if len(d.types) >= abi.MaxTypes {
			r.Failf("more than " + strconv.Itoa(abi.MaxTypes) + " object types in one stage")
			return nil
		}
		name := d.str(r)
		n := r.Count(2)
		if n > abi.MaxProps {
			r.Failf("object type with more than " + strconv.Itoa(abi.MaxProps) + " properties")
			return nil
		}
		props := make([]object.PropertyInfo, n)
		seen := make(map[string]bool, n)
		for i := range props {
			props[i].Name = d.str(r)
			k := r.Byte()
			if r.Err() != nil {
				return nil
			}
			if k > abi.MaxKind {
				r.Failf("property " + strconv.Quote(props[i].Name) + " has unknown kind " + strconv.Itoa(int(k)))
				return nil
			}
			props[i].Kind = object.Kind(k)
			f := object.Fold(props[i].Name)
			if props[i].Name == "" || seen[f] {
				r.Failf("object type " + strconv.Quote(name) + " has an empty or duplicate property name " + strconv.Quote(props[i].Name))
				return nil
			}
			seen[f] = true
		}
		if r.Err() != nil {
			return nil
		}
		t = internType(name, props)
		d.types = append(d.types, wireType{t: t})
	case ref <= uint64(len(d.types)):
		t = d.types[ref-1].t
	default:
		r.Failf("object of undefined type number " + strconv.FormatUint(ref, 10))
		return nil
	}
	o := object.New(t) // its values are set in place: one allocation fewer
	for i := 0; i < o.Len(); i++ {
		o.SetAt(i, d.value(r, depth+1))
	}
	if r.Err() != nil {
		return nil
	}
	return o
}

// types interns the object types plugins define, so that objects of one
// plugin type share one *object.Type across stages (formatting groups by
// type). It is bounded: a plugin inventing types forever cannot make the
// host grow without limit.
var types struct {
	sync.Mutex
	m map[string]*object.Type
}

const maxInternedTypes = 4096

func internType(name string, props []object.PropertyInfo) *object.Type {
	key := make([]byte, 0, 64)
	key = append(key, name...)
	for _, p := range props {
		key = append(key, 0, byte(p.Kind))
		key = append(key, p.Name...)
	}
	types.Lock()
	defer types.Unlock()
	if t, ok := types.m[string(key)]; ok {
		return t
	}
	tn := name
	if tn == "" {
		tn = object.PSCustomObject
	}
	t := object.NewType(tn, props...)
	if types.m == nil {
		types.m = map[string]*object.Type{}
	}
	if len(types.m) < maxInternedTypes {
		types.m[string(key)] = t
	}
	return t
}
