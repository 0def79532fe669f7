package builtin

import (
	"fmt"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func selectObjectInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Select-Object",
		Aliases:  []string{"select"},
		Synopsis: "Selects properties of objects, or a number of objects from the pipeline.",
		Description: "With -Property, Select-Object writes new objects that have only the named properties; " +
			"names may contain wildcards, and a calculated property @{Name='x'; Expression={...}} adds a " +
			"computed one. -ExpandProperty writes the value of one property instead (each element of a " +
			"collection). -First, -Last, -Skip and -SkipLast choose objects by position, and -Unique drops " +
			"repeats (compared case-sensitively). Selected objects have the type name Selected.<type>, so " +
			"they show as a table or list by their own properties.",
		Params: []cmdlet.Param{
			inputObject("The objects to select from, usually from the pipeline."),
			param("Property", object.KindList,
				"The properties to select: names, wildcard patterns, or calculated properties @{Name=...; Expression=...}.",
				pos(0)),
			param("ExpandProperty", object.KindString,
				"A property whose value is written instead of the object; collections are unrolled.", aliases("Expand")),
			param("ExcludeProperty", object.KindStringList, "Properties left out of the selection (wildcards allowed)."),
			param("First", object.KindInt, "Writes only the first N objects."),
			param("Last", object.KindInt, "Writes only the last N objects."),
			param("Skip", object.KindInt, "Skips N objects: from the start, or from the end with -Last."),
			param("SkipLast", object.KindInt, "Skips the last N objects."),
			param("Unique", object.KindSwitch, "Writes each distinct object once."),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Select-Object DisplayName, SipAddress",
				Remark: "Shows two properties of each user."},
			{Code: "Get-CsAdminRole -Identity CsHelpDesk | Select-Object -ExpandProperty Cmdlets",
				Remark: "Lists the cmdlets of the CsHelpDesk role one per line."},
			{Code: "Get-CsClientPinInfo -Identity 'Ken Myer' | Select-Object Identity, @{Name='Locked'; Expression={$_.IsLockedOut}}",
				Remark: "A calculated property renames IsLockedOut to Locked."},
			{Code: "Get-CsUser | Select-Object -First 5",
				Remark: "The first five users."},
		},
		New: func() cmdlet.Command { return &selectObject{} },
	}
}

type selectPlan struct {
	typ   *object.Type
	exprs []propExpr
	slot  []int
	dups  []string
}

type selectObject struct {
	props    []propExpr
	wild     bool
	exclude  []string
	expand   *object.Getter
	plans    map[*object.Type]*selectPlan
	plain    *selectPlan // for values that are not objects
	unique   bool
	seen     map[string]struct{}
	first    int64
	hasFirst bool
	last     int64
	hasLast  bool
	skip     int64
	skipLast int64
	skipped  int64
	emitted  int64
	done     bool
	ring     ring
}

func (s *selectObject) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	props, err := parseProps(list(args, "Property"), keyName|keyExpression)
	if err != nil {
		return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidCalculatedProperty", nil, err)
	}
	s.props = props
	s.exclude = strs(args, "ExcludeProperty")
	s.wild = hasWild(props) || len(s.exclude) > 0
	if args.Has("ExpandProperty") {
		s.expand = object.NewGetter(args.String("ExpandProperty"))
	}
	s.plans = map[*object.Type]*selectPlan{}
	s.unique = args.Bool("Unique")
	if s.unique {
		s.seen = map[string]struct{}{}
	}
	s.first, s.hasFirst = args.Int("First")
	s.last, s.hasLast = args.Int("Last")
	s.skip, _ = args.Int("Skip")
	s.skipLast, _ = args.Int("SkipLast")
	for _, n := range []string{"First", "Last", "Skip", "SkipLast"} {
		if v, ok := args.Int(n); ok && v < 0 {
			return cmdlet.NewError(cmdlet.InvalidArgument, "ParameterArgumentValidationError", v,
				fmt.Errorf("Cannot validate argument on parameter '%s'. The %d argument is less than the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 and then try the command again.", n, v))
		}
	}
	switch {
	case s.hasLast:
		s.ring.size = int(s.last + s.skip)
	case s.skipLast > 0:
		s.ring.size = int(s.skipLast)
	}
	return nil
}

func (s *selectObject) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok || (s.done && !s.hasLast) {
		return nil
	}
	var sel *object.Object
	if len(s.props) > 0 || len(s.exclude) > 0 {
		var err error
		if sel, err = s.selectProps(rt, in); err != nil {
			return err
		}
	}
	if s.expand == nil {
		if sel != nil {
			return s.emit(rt, sel)
		}
		return s.emit(rt, in)
	}
	v, ok := s.expand.Get(in)
	if !ok {
		return rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "ExpandPropertyNotFound", in,
			fmt.Errorf("Property \"%s\" cannot be found.", s.expand.Name())))
	}
	return object.Enumerate(v, func(e object.Value) error {
		if o, isObj := e.(*object.Object); isObj && sel != nil {
			e = merge(o, sel)
		}
		return s.emit(rt, e)
	})
}

// merge adds the selected properties to an expanded object, as
// Select-Object -Property a -ExpandProperty b does.
func merge(o, sel *object.Object) *object.Object {
	b := object.NewBuilder(o.TypeName())
	for i := 0; i < o.Len(); i++ {
		b.Add(o.At(i))
	}
	for i := 0; i < sel.Len(); i++ {
		n, v := sel.At(i)
		if _, exists := o.Get(n); !exists {
			b.Add(n, v)
		}
	}
	return b.Object()
}

func (s *selectObject) planFor(in object.Value) *selectPlan {
	o, isObj := in.(*object.Object)
	if isObj {
		if p, ok := s.plans[o.Type()]; ok {
			return p
		}
	} else if s.plain != nil {
		return s.plain
	}
	exprs := s.props
	if len(exprs) == 0 {
		exprs = []propExpr{{label: "*", wild: true}}
	}
	if s.wild {
		exprs = expand(exprs, in)
	}
	typeName := ""
	if isObj {
		typeName = "Selected." + o.TypeName()
	}
	p := &selectPlan{}
	b := object.NewBuilder(typeName)
	var names []string
	for _, e := range exprs {
		name := e.label
		if !e.calc && e.get != nil {
			name = e.get.ResolvedName(in)
		}
		if s.excluded(name) {
			continue
		}
		dup := false
		for _, n := range names {
			if strings.EqualFold(n, name) {
				dup = true
			}
		}
		if dup {
			p.dups = append(p.dups, name)
			continue
		}
		names = append(names, name)
		p.exprs = append(p.exprs, e)
		b.Add(name, nil)
	}
	p.typ = b.Object().Type()
	for _, n := range names {
		p.slot = append(p.slot, p.typ.Index(n))
	}
	switch {
	case isObj:
		s.plans[o.Type()] = p
	case !s.wild:
		s.plain = p
	}
	return p
}

func (s *selectObject) excluded(name string) bool {
	for _, pat := range s.exclude {
		if object.Like(name, pat, false) {
			return true
		}
	}
	return false
}

func (s *selectObject) selectProps(rt cmdlet.Runtime, in object.Value) (*object.Object, error) {
	p := s.planFor(in)
	for _, d := range p.dups {
		if err := rt.WriteError(cmdlet.NewError(cmdlet.InvalidOperation, "AlreadyExistingUserSpecifiedPropertyNoExpand", in,
			fmt.Errorf("The property cannot be processed because the property \"%s\" already exists.", d))); err != nil {
			return nil, err
		}
	}
	o := object.New(p.typ)
	for i := range p.exprs {
		v, err := p.exprs[i].eval(in)
		if err != nil {
			return nil, err
		}
		o.SetAt(p.slot[i], v)
	}
	return o, nil
}

// emit applies -Unique, -Skip, -First, -Last and -SkipLast to one output.
func (s *selectObject) emit(rt cmdlet.Runtime, v object.Value) error {
	if s.unique {
		k := uniqueKey(v)
		if _, dup := s.seen[k]; dup {
			return nil
		}
		s.seen[k] = struct{}{}
	}
	if s.hasLast {
		s.ring.push(v)
		if !s.hasFirst {
			return nil
		}
	}
	if s.skipLast > 0 && !s.hasLast {
		old, full := s.ring.push(v)
		if !full {
			return nil
		}
		v = old
	}
	if s.skipped < s.skip && !s.hasLast {
		s.skipped++
		return nil
	}
	if s.hasFirst {
		if s.emitted >= s.first {
			s.done = true
			return s.stopUpstream()
		}
		s.emitted++
		if err := rt.WriteObject(v); err != nil {
			return err
		}
		if s.emitted >= s.first {
			s.done = true
			return s.stopUpstream()
		}
		return nil
	}
	return rt.WriteObject(v)
}

// stopUpstream tells the engine that -First has all its objects, so the
// upstream commands stop, as PowerShell's Select-Object does; with -Last
// the input must still be read to the end.
func (s *selectObject) stopUpstream() error {
	if s.hasLast {
		return nil
	}
	return cmdlet.ErrStopUpstream
}

func (s *selectObject) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if !s.hasLast {
		return nil
	}
	items := s.ring.items()
	// -Skip with -Last counts from the end.
	if n := int64(len(items)) - s.skip; n > 0 {
		items = items[:n]
	} else {
		items = nil
	}
	if int64(len(items)) > s.last {
		items = items[int64(len(items))-s.last:]
	}
	for _, v := range items {
		if err := rt.WriteObject(v); err != nil {
			return err
		}
	}
	return nil
}

// uniqueKey identifies a value for -Unique: its type and the text of its
// properties (or of itself), case-sensitively.
func uniqueKey(v object.Value) string {
	var sb strings.Builder
	sb.WriteString(object.TypeName(v))
	sb.WriteByte(0)
	if o, ok := v.(*object.Object); ok {
		for i := 0; i < o.Len(); i++ {
			sb.WriteString(object.ToString(o.Value(i)))
			sb.WriteByte(0x1f)
		}
		return sb.String()
	}
	sb.WriteString(object.ToString(v))
	return sb.String()
}

// ring keeps the last size values.
type ring struct {
	size int
	buf  []object.Value
	head int
}

// push adds v; when the ring was full it returns the value pushed out.
func (r *ring) push(v object.Value) (object.Value, bool) {
	if r.size <= 0 {
		return v, true
	}
	if len(r.buf) < r.size {
		r.buf = append(r.buf, v)
		return nil, false
	}
	old := r.buf[r.head]
	r.buf[r.head] = v
	r.head = (r.head + 1) % r.size
	return old, true
}

// items returns the kept values, oldest first.
func (r *ring) items() []object.Value {
	if len(r.buf) < r.size {
		return r.buf
	}
	return append(append([]object.Value(nil), r.buf[r.head:]...), r.buf[:r.head]...)
}
