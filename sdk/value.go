package sdk

import "pinsh/sdk/abi"

// Value is a value crossing the plugin boundary. Its dynamic type is one
// of: nil ($null), bool, int64, float64, string, time.Time, []string,
// []Value, *Object, *Hashtable. When writing, int, int32, uint32 and
// *time.Time (nil for $null) are accepted too.
type Value = any

// Prop declares one property of a [Type].
type Prop struct {
	Name string
	Kind Kind
}

// P is a short constructor for a [Prop].
func P(name string, kind Kind) Prop { return Prop{Name: name, Kind: kind} }

// Type is a family of objects: a type name (such as
// Microsoft.Rtc.Management.UserPinService.PinInfoDetails) and ordered
// properties. Declare the types a plugin writes once, as package
// variables, and create objects with [Type.New]: the type then crosses
// the boundary once per stage, not once per object.
type Type struct {
	name  string
	props []Prop
	// wire state: the stage epoch in which the type was last sent, and
	// the number it got then.
	epoch uint32
	id    uint64
	// fields maps each property of a type pinsh defined to a field of
	// the struct the SDK decodes it into (see fieldsOf), computed once
	// per type instead of comparing property names for every object.
	fields    []int8
	fieldsFor *string
	// exact is the number of properties when they are the first fields
	// in order (a fast decoder may assume the layout), else -1.
	exact int
}

// NewType declares an object type.
func NewType(name string, props ...Prop) *Type {
	return &Type{name: name, props: props}
}

// Name returns the type name.
func (t *Type) Name() string { return t.name }

// Props returns the declared properties. Do not modify them.
func (t *Type) Props() []Prop { return t.props }

// Index returns the position of the named property (case-insensitive), or
// -1.
func (t *Type) Index(name string) int {
	for i := range t.props {
		if equalFold(t.props[i].Name, name) {
			return i
		}
	}
	return -1
}

// New returns an object of the type with the given values, in declaration
// order; missing trailing values are $null.
func (t *Type) New(vals ...Value) *Object {
	o := newObject(t)
	copy(o.vals, vals)
	return o
}

// smallObject puts an object and its values in one allocation: each
// allocation costs about half a microsecond in a WebAssembly guest.
type smallObject struct {
	o   Object
	buf [8]Value
}

func newObject(t *Type) *Object {
	n := len(t.props)
	if n <= 8 {
		x := &smallObject{}
		x.o.typ = t
		x.o.vals = x.buf[:n:n]
		return &x.o
	}
	return &Object{typ: t, vals: make([]Value, n)}
}

// Object is a typed object with ordered properties.
type Object struct {
	typ  *Type
	vals []Value
	// raw holds the encoded values of an object received from pinsh that
	// contains no nested object; they are decoded on first access, and
	// written back as they are while the object is unchanged.
	raw []byte
}

func (o *Object) values() []Value {
	if o.vals == nil {
		var r abi.Reader
		r.Reset(o.raw)
		var d decoder
		o.vals = make([]Value, len(o.typ.props))
		for i := range o.vals {
			o.vals[i] = d.value(&r, 1)
		}
	}
	return o.vals
}

// Type returns the object's type.
func (o *Object) Type() *Type { return o.typ }

// TypeName returns the object's type name.
func (o *Object) TypeName() string { return o.typ.name }

// Len returns the number of properties.
func (o *Object) Len() int { return len(o.typ.props) }

// At returns the name and value of the i-th property.
func (o *Object) At(i int) (string, Value) { return o.typ.props[i].Name, o.values()[i] }

// Get returns the named property (case-insensitive).
func (o *Object) Get(name string) (Value, bool) {
	i := o.typ.Index(name)
	if i < 0 {
		return nil, false
	}
	return o.values()[i], true
}

// Set replaces the named property's value; it reports false when the
// object has no such property.
func (o *Object) Set(name string, v Value) bool {
	i := o.typ.Index(name)
	if i < 0 {
		return false
	}
	o.values()[i] = v
	o.raw = nil
	return true
}

// String returns the named property as text ("" when absent or not a
// string).
func (o *Object) String(name string) string {
	v, _ := o.Get(name)
	s, _ := v.(string)
	return s
}

// Builder makes objects whose properties are known only at run time
// (Select-Object style). Objects built with the same type name and
// property names share one [Type].
type Builder struct {
	typeName string
	props    []Prop
	vals     []Value
}

// NewBuilder starts an object ("" for PSCustomObject).
func NewBuilder(typeName string) *Builder { return &Builder{typeName: typeName} }

// Add appends a property; a name already present is replaced.
func (b *Builder) Add(name string, v Value) *Builder {
	for i := range b.props {
		if equalFold(b.props[i].Name, name) {
			b.vals[i] = v
			return b
		}
	}
	b.props = append(b.props, Prop{Name: name})
	b.vals = append(b.vals, v)
	return b
}

var builtTypes = map[string]*Type{}

// Object returns the built object.
func (b *Builder) Object() *Object {
	kb := append([]byte(nil), b.typeName...)
	for _, p := range b.props {
		kb = append(kb, 0)
		kb = append(kb, p.Name...)
	}
	key := string(kb)
	t := builtTypes[key]
	if t == nil {
		t = NewType(b.typeName, b.props...)
		builtTypes[key] = t
	}
	return &Object{typ: t, vals: b.vals}
}

// Hashtable is an insertion-ordered table with string keys (@{...}).
type Hashtable struct {
	Keys   []string
	Values []Value
}

// Get returns the value for key, case-insensitively.
func (h *Hashtable) Get(key string) (Value, bool) {
	for i, k := range h.Keys {
		if equalFold(k, key) {
			return h.Values[i], true
		}
	}
	return nil, false
}

// equalFold compares names case-insensitively. Names are ASCII in practice;
// other letters must match exactly. (strings.EqualFold would pull Unicode's
// case tables into every plugin.)
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
