package object

// Getter reads one named property from a stream of values. It remembers
// where the property sits in the last object [Type] it saw, so reading the
// same property of a million objects of one type costs one map lookup in
// all, not one per object (Where-Object, Sort-Object, the formatter).
//
// A Getter is not safe for concurrent use; give each goroutine its own.
type Getter struct {
	name   string
	folded string
	typ    *Type
	idx    int
}

// NewGetter returns a getter for the named property.
func NewGetter(name string) *Getter {
	return &Getter{name: name, folded: Fold(name), idx: -1}
}

// Name returns the property name the getter reads.
func (g *Getter) Name() string { return g.name }

// Get returns the property of v as [Property] does: an object's property, a
// hashtable's key, the synthetic Count and Length, or member enumeration on
// an array. The second result is false when v has no such property.
func (g *Getter) Get(v Value) (Value, bool) {
	if o, ok := v.(*Object); ok {
		if o.typ == g.typ {
			if g.idx < 0 {
				return Property(v, g.name)
			}
			return o.vals[g.idx], true
		}
		g.typ = o.typ
		g.idx = o.typ.Index(g.folded)
		if g.idx >= 0 {
			return o.vals[g.idx], true
		}
	}
	return Property(v, g.name)
}

// ResolvedName returns the property's name as the object spells it when v
// is an object that has it (Select-Object identity shows as "Identity"), and
// the requested name otherwise.
func (g *Getter) ResolvedName(v Value) string {
	if o, ok := v.(*Object); ok {
		if i := o.typ.Index(g.folded); i >= 0 {
			return o.typ.props[i].Name
		}
	}
	if h, ok := v.(*Hashtable); ok {
		if i, ok := h.index[g.folded]; ok {
			return h.keys[i]
		}
	}
	return g.name
}
