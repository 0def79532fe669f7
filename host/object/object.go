package object

import (
	"strings"
	"sync"
)

// Type describes a family of objects: a PowerShell type name and an ordered
// list of typed properties. Objects of one Type share it, so a property
// lookup can be resolved once and reused (see [Type.Index]).
//
// A Type is immutable once built; create them with [NewType].
type Type struct {
	names []string // type names, most derived first
	props []PropertyInfo
	index map[string]int // folded name -> position
	str   func(*Object) string
}

// WithString sets how objects of this type show as text ([ToString]), for
// types whose .NET counterpart overrides ToString (a role's cmdlet entry
// shows as "Name=Set-CsClientPin"). It returns t and must be called before
// the type is shared.
func (t *Type) WithString(fn func(*Object) string) *Type {
	t.str = fn
	return t
}

// PropertyInfo declares one property of a [Type].
type PropertyInfo struct {
	Name string
	Kind Kind
}

// P is a short constructor for a [PropertyInfo].
func P(name string, kind Kind) PropertyInfo { return PropertyInfo{Name: name, Kind: kind} }

// PSCustomObject is the type name of objects without a declared type.
const PSCustomObject = "System.Management.Automation.PSCustomObject"

// NewType returns a type with the given name and properties. Property names
// must be unique case-insensitively; a duplicate keeps the first.
func NewType(name string, props ...PropertyInfo) *Type {
	t := &Type{index: make(map[string]int, len(props))}
	if name != "" {
		t.names = []string{name}
	}
	if name != PSCustomObject {
		t.names = append(t.names, PSCustomObject)
	}
	for _, p := range props {
		f := Fold(p.Name)
		if _, dup := t.index[f]; dup {
			continue
		}
		t.index[f] = len(t.props)
		t.props = append(t.props, p)
	}
	if name != "" && name != PSCustomObject {
		namedTypes.LoadOrStore(Fold(name), t)
	}
	return t
}

// Name returns the most derived type name.
func (t *Type) Name() string { return t.names[0] }

// Names returns all type names, most derived first.
func (t *Type) Names() []string { return t.names }

// Properties returns the declared properties in order. Do not modify.
func (t *Type) Properties() []PropertyInfo { return t.props }

// Index returns the position of the named property (case-insensitive), or -1.
func (t *Type) Index(name string) int {
	if i, ok := t.index[name]; ok {
		return i
	}
	if i, ok := t.index[Fold(name)]; ok {
		return i
	}
	return -1
}

// Object is a typed object: a [Type] and one value per declared property.
type Object struct {
	typ  *Type
	vals []Value
}

// New returns an object of type t with the given property values, in
// declaration order; missing trailing values are $null.
func New(t *Type, vals ...Value) *Object {
	v := make([]Value, len(t.props))
	copy(v, vals)
	return &Object{typ: t, vals: v}
}

// Type returns the object's type.
func (o *Object) Type() *Type { return o.typ }

// TypeName returns the object's most derived type name.
func (o *Object) TypeName() string { return o.typ.Name() }

// Len returns the number of properties.
func (o *Object) Len() int { return len(o.vals) }

// At returns the name and value of the i-th property.
func (o *Object) At(i int) (string, Value) { return o.typ.props[i].Name, o.vals[i] }

// Value returns the i-th property value.
func (o *Object) Value(i int) Value { return o.vals[i] }

// SetAt replaces the i-th property value.
func (o *Object) SetAt(i int, v Value) { o.vals[i] = v }

// Get returns the named property (case-insensitive).
func (o *Object) Get(name string) (Value, bool) {
	i := o.typ.Index(name)
	if i < 0 {
		return nil, false
	}
	return o.vals[i], true
}

// Set replaces the named property's value. It reports false when the object
// has no such property (objects do not grow; build a new type instead).
func (o *Object) Set(name string, v Value) bool {
	i := o.typ.Index(name)
	if i < 0 {
		return false
	}
	o.vals[i] = v
	return true
}

// Builder assembles a custom object property by property, reusing one
// [Type] for every object built with the same property names, so that
// `Select-Object a,b` over a million objects creates one type.
type Builder struct {
	typeName string
	props    []PropertyInfo
	vals     []Value
}

// NewBuilder starts an object of the given type name ("" for PSCustomObject).
func NewBuilder(typeName string) *Builder { return &Builder{typeName: typeName} }

// Add appends a property; a name already present is replaced.
func (b *Builder) Add(name string, v Value) *Builder {
	for i, p := range b.props {
		if strings.EqualFold(p.Name, name) {
			b.vals[i] = v
			return b
		}
	}
	b.props = append(b.props, PropertyInfo{Name: name, Kind: KindAny})
	b.vals = append(b.vals, v)
	return b
}

// Object returns the built object.
func (b *Builder) Object() *Object {
	t := internType(b.typeName, b.props)
	return &Object{typ: t, vals: b.vals}
}

var typeCache sync.Map // key string -> *Type

func internType(name string, props []PropertyInfo) *Type {
	var sb strings.Builder
	sb.WriteString(name)
	for _, p := range props {
		sb.WriteByte(0)
		sb.WriteString(p.Name)
	}
	key := sb.String()
	if t, ok := typeCache.Load(key); ok {
		return t.(*Type)
	}
	tn := name
	if tn == "" {
		tn = PSCustomObject
	}
	t, _ := typeCache.LoadOrStore(key, NewType(tn, props...))
	return t.(*Type)
}

// FromHashtable builds a PSCustomObject from a hashtable, as
// [pscustomobject]@{...} does.
func FromHashtable(h *Hashtable) *Object {
	b := NewBuilder("")
	for i := 0; i < h.Len(); i++ {
		k, v := h.At(i)
		b.Add(k, v)
	}
	return b.Object()
}

// Property returns the named property of any value: an object's property, a
// hashtable's key, or the synthetic properties every value has (Count and
// Length of arrays and strings). Member access on an array that lacks the
// property applies to each element, as PowerShell's member enumeration does.
// The second result is false when nothing has that property.
func Property(v Value, name string) (Value, bool) {
	switch x := v.(type) {
	case *Object:
		if r, ok := x.Get(name); ok {
			return r, true
		}
		if strings.EqualFold(name, "PSTypeName") {
			return x.TypeName(), true
		}
	case *Hashtable:
		if r, ok := x.Get(name); ok {
			return r, true
		}
		if strings.EqualFold(name, "Count") || strings.EqualFold(name, "Keys") {
			if strings.EqualFold(name, "Count") {
				return int64(x.Len()), true
			}
			keys := make([]Value, x.Len())
			for i, k := range x.Keys() {
				keys[i] = k
			}
			return keys, true
		}
	case []Value:
		if strings.EqualFold(name, "Count") || strings.EqualFold(name, "Length") {
			return int64(len(x)), true
		}
		var out []Value
		found := false
		for _, e := range x {
			if r, ok := Property(e, name); ok {
				found = true
				if l, isList := r.([]Value); isList {
					out = append(out, l...)
				} else {
					out = append(out, r)
				}
			}
		}
		if !found {
			return nil, false
		}
		if len(out) == 1 {
			return out[0], true
		}
		return out, true
	case string:
		if strings.EqualFold(name, "Length") {
			return int64(len([]rune(x))), true
		}
	case nil:
		return nil, false
	}
	if strings.EqualFold(name, "Count") {
		if v == nil {
			return int64(0), true
		}
		return int64(1), true
	}
	return nil, false
}

// PropertyNames returns the property names of an object or the keys of a
// hashtable, in order; nil for anything else.
func PropertyNames(v Value) []string {
	switch x := v.(type) {
	case *Object:
		names := make([]string, x.Len())
		for i := range names {
			names[i], _ = x.At(i)
		}
		return names
	case *Hashtable:
		return x.Keys()
	}
	return nil
}

var namedTypes sync.Map // folded type name -> *Type, the first declared

// LookupType returns a type declared with [NewType] under that name
// (case-insensitive), so completion can list the properties of the objects
// a cmdlet declares it writes (cmdlet.Info.OutputType).
func LookupType(name string) (*Type, bool) {
	t, ok := namedTypes.Load(Fold(name))
	if !ok {
		return nil, false
	}
	return t.(*Type), true
}
