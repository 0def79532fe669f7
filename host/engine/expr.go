package engine

import (
	"fmt"
	"strings"
	"time"

	"pinsh/host/object"
	"pinsh/host/syntax"
)

// enumFn writes the elements of an expression's value to out; ranges
// stream without building an array.
type enumFn func(f *frame, out outlet) error

// maxRange is the largest range materialised as an array; pipelines and
// foreach stream ranges of any size.
const maxRange = 10_000_000

func constant(v object.Value) evalFn {
	return func(*frame) (object.Value, error) { return v, nil }
}

// enum compiles an expression for enumeration.
func (c *compiler) enum(e syntax.Expr) enumFn {
	if b, ok := e.(*syntax.Binary); ok && b.Op == ".." {
		lo, hi := c.expr(b.X), c.expr(b.Y)
		pos := b.Start
		return func(f *frame, out outlet) error {
			a, z, err := rangeEnds(f, lo, hi, pos)
			if err != nil {
				return err
			}
			step := int64(1)
			if z < a {
				step = -1
			}
			for i := a; ; i += step {
				if (i-a)&1023 == 1023 {
					if err := f.e.cancelled(); err != nil {
						return err
					}
				}
				if err := out.push(i); err != nil {
					return err
				}
				if i == z {
					return nil
				}
			}
		}
	}
	ev := c.expr(e)
	return func(f *frame, out outlet) error {
		v, err := ev(f)
		if err != nil {
			return err
		}
		return emit(out, v)
	}
}

func rangeEnds(f *frame, lo, hi evalFn, pos syntax.Pos) (int64, int64, error) {
	l, err := lo(f)
	if err != nil {
		return 0, 0, err
	}
	h, err := hi(f)
	if err != nil {
		return 0, 0, err
	}
	a, err := object.ToInt(l)
	if err != nil {
		return 0, 0, f.e.newError(err, "", pos)
	}
	z, err := object.ToInt(h)
	if err != nil {
		return 0, 0, f.e.newError(err, "", pos)
	}
	return a, z, nil
}

func (c *compiler) expr(e syntax.Expr) evalFn {
	switch e := e.(type) {
	case *syntax.NumberLit:
		return constant(e.Value)
	case *syntax.StringLit:
		return constant(e.Value)
	case *syntax.ExpandString:
		return c.expandString(e)
	case *syntax.Variable:
		r := resolveVar(e.Name)
		switch r.kind {
		case vkUnder:
			return func(f *frame) (object.Value, error) { return f.under, nil }
		case vkTrue:
			return constant(true)
		case vkFalse:
			return constant(false)
		case vkNull:
			return constant(nil)
		}
		return func(f *frame) (object.Value, error) { return r.get(f), nil }
	case *syntax.Paren:
		return c.paren(e)
	case *syntax.SubExpr:
		stmts := c.stmts(e.Stmts)
		return func(f *frame) (object.Value, error) {
			var col collector
			if err := runStmts(f, stmts, &col); err != nil {
				return nil, err
			}
			return col.result(), nil
		}
	case *syntax.ArrayExpr:
		stmts := c.stmts(e.Stmts)
		return func(f *frame) (object.Value, error) {
			col := collector{vals: []object.Value{}}
			if err := runStmts(f, stmts, &col); err != nil {
				return nil, err
			}
			return col.vals, nil
		}
	case *syntax.HashLit:
		return c.hash(e)
	case *syntax.ScriptBlockExpr:
		code := c.block(e.Body)
		return func(f *frame) (object.Value, error) {
			return newScriptBlock(f, code, e.Text), nil
		}
	case *syntax.ArrayLit:
		elems := make([]evalFn, len(e.Elems))
		for i, x := range e.Elems {
			elems[i] = c.expr(x)
		}
		return func(f *frame) (object.Value, error) {
			out := make([]object.Value, len(elems))
			for i, el := range elems {
				v, err := el(f)
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, nil
		}
	case *syntax.Unary:
		return c.unary(e)
	case *syntax.Postfix:
		get, set := c.lvalue(e.X)
		delta := int64(1)
		if e.Op == "--" {
			delta = -1
		}
		pos := e.Start
		return func(f *frame) (object.Value, error) {
			old, err := get(f)
			if err != nil {
				return nil, err
			}
			nv, err := object.Arith(object.OpAdd, old, delta)
			if err != nil {
				return nil, f.e.newError(err, "", pos)
			}
			return old, set(f, nv)
		}
	case *syntax.Binary:
		return c.binary(e)
	case *syntax.Cast:
		x := c.expr(e.X)
		if strings.EqualFold(e.Type, "ordered") {
			return x
		}
		t, terr := lookupType(e.Type)
		pos := e.Start
		return func(f *frame) (object.Value, error) {
			if terr != nil {
				return nil, f.e.newError(terr, "", pos)
			}
			v, err := x(f)
			if err != nil {
				return nil, err
			}
			r, err := t.convert(v)
			if err != nil {
				return nil, f.e.newError(err, "", pos)
			}
			return r, nil
		}
	case *syntax.TypeLit:
		t, terr := lookupType(e.Type)
		pos := e.Start
		return func(f *frame) (object.Value, error) {
			if terr != nil {
				return nil, f.e.newError(terr, "", pos)
			}
			return t, nil
		}
	case *syntax.Member:
		return c.member(e)
	case *syntax.InvokeMember:
		return c.invokeMember(e)
	case *syntax.Index:
		x, idx := c.expr(e.X), c.expr(e.Index)
		pos := e.Start
		return func(f *frame) (object.Value, error) {
			v, err := x(f)
			if err != nil {
				return nil, err
			}
			i, err := idx(f)
			if err != nil {
				return nil, err
			}
			r, err := indexValue(v, i)
			if err != nil {
				return nil, f.e.newError(err, "", pos)
			}
			return r, nil
		}
	case *syntax.PropertyRef:
		name := e.Name
		var cache memberCache
		return func(f *frame) (object.Value, error) {
			return cache.get(f.under, name), nil
		}
	case *syntax.Splat:
		pos := e.Start
		return func(f *frame) (object.Value, error) {
			return nil, f.e.newError(fmt.Errorf("Splatted variables like '@%s' can only be used as arguments to commands.", e.Name), "", pos)
		}
	}
	panic(fmt.Sprintf("engine: unknown expression type %T", e))
}

func (c *compiler) expandString(e *syntax.ExpandString) evalFn {
	parts := make([]evalFn, len(e.Parts))
	for i, p := range e.Parts {
		parts[i] = c.expr(p)
	}
	return func(f *frame) (object.Value, error) {
		var sb strings.Builder
		for _, p := range parts {
			v, err := p(f)
			if err != nil {
				return nil, err
			}
			sb.WriteString(invariantString(v))
		}
		return sb.String(), nil
	}
}

// invariantLayout is how a DateTime shows in "$d" and [string]$d:
// PowerShell converts with the invariant culture there, unlike the
// formatter, which uses the en-US culture (object.DateLayout).
const invariantLayout = "01/02/2006 15:04:05"

// invariantString is PowerShell's conversion to string in expandable
// strings and [string] casts: object.ToString, except that dates use the
// invariant culture, also inside arrays.
func invariantString(v object.Value) string {
	switch x := v.(type) {
	case time.Time:
		return x.Format(invariantLayout)
	case []object.Value:
		var sb strings.Builder
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(invariantString(e))
		}
		return sb.String()
	}
	return object.ToString(v)
}

func (c *compiler) paren(e *syntax.Paren) evalFn {
	switch s := e.Stmt.(type) {
	case *syntax.Pipeline:
		if len(s.Cmds) == 0 {
			return c.expr(s.Expr)
		}
	case *syntax.Assignment:
		return c.assignValue(s)
	}
	ex := c.stmt(e.Stmt)
	return func(f *frame) (object.Value, error) {
		var col collector
		if err := ex(f, &col); err != nil {
			return nil, err
		}
		return col.result(), nil
	}
}

func (c *compiler) hash(e *syntax.HashLit) evalFn {
	type entry struct {
		key evalFn
		val evalFn
		pos syntax.Pos
	}
	entries := make([]entry, len(e.Entries))
	for i, en := range e.Entries {
		entries[i] = entry{c.expr(en.Key), c.valueStmt(en.Value), en.Start}
	}
	return func(f *frame) (object.Value, error) {
		h := object.NewHashtable()
		for _, en := range entries {
			k, err := en.key(f)
			if err != nil {
				return nil, err
			}
			ks := object.ToString(k)
			if _, dup := h.Get(ks); dup {
				return nil, f.e.newError(fmt.Errorf("Duplicate keys '%s' are not allowed in hash literals.", ks), "", en.pos)
			}
			v, err := en.val(f)
			if err != nil {
				return nil, err
			}
			h.Set(ks, v)
		}
		return h, nil
	}
}

func (c *compiler) unary(e *syntax.Unary) evalFn {
	pos := e.Start
	switch e.Op {
	case "++", "--":
		get, set := c.lvalue(e.X)
		delta := int64(1)
		if e.Op == "--" {
			delta = -1
		}
		return func(f *frame) (object.Value, error) {
			old, err := get(f)
			if err != nil {
				return nil, err
			}
			nv, err := object.Arith(object.OpAdd, old, delta)
			if err != nil {
				return nil, f.e.newError(err, "", pos)
			}
			return nv, set(f, nv)
		}
	}
	x := c.expr(e.X)
	if n, ok := e.X.(*syntax.NumberLit); ok && e.Op == "-" {
		if v, err := object.Negate(n.Value); err == nil {
			return constant(v)
		}
	}
	var op func(v object.Value) (object.Value, error)
	switch e.Op {
	case "-":
		op = object.Negate
	case "+":
		op = object.ToNumber
	case "!", "-not":
		op = func(v object.Value) (object.Value, error) { return !object.ToBool(v), nil }
	case "-bnot":
		op = func(v object.Value) (object.Value, error) {
			n, err := object.ToInt(v)
			return ^n, err
		}
	case ",":
		op = func(v object.Value) (object.Value, error) { return []object.Value{v}, nil }
	case "-split":
		op = func(v object.Value) (object.Value, error) { return splitWhite(v), nil }
	case "-join":
		op = func(v object.Value) (object.Value, error) { return joinValues(v, ""), nil }
	default:
		panic("engine: unknown unary operator " + e.Op)
	}
	return func(f *frame) (object.Value, error) {
		v, err := x(f)
		if err != nil {
			return nil, err
		}
		r, err := op(v)
		if err != nil {
			return nil, f.e.newError(err, "", pos)
		}
		return r, nil
	}
}

func (c *compiler) binary(e *syntax.Binary) evalFn {
	x, y := c.expr(e.X), c.expr(e.Y)
	pos := e.Start
	fail := func(f *frame, err error) (object.Value, error) { return nil, f.e.newError(err, "", pos) }
	switch e.Op {
	case "-and", "-or":
		and := e.Op == "-and"
		return func(f *frame) (object.Value, error) {
			l, err := x(f)
			if err != nil {
				return nil, err
			}
			if object.ToBool(l) != and {
				return !and, nil
			}
			r, err := y(f)
			if err != nil {
				return nil, err
			}
			return object.ToBool(r), nil
		}
	case "..":
		return func(f *frame) (object.Value, error) {
			a, z, err := rangeEnds(f, x, y, pos)
			if err != nil {
				return nil, err
			}
			n := z - a
			if n < 0 {
				n = -n
			}
			if n >= maxRange {
				return fail(f, fmt.Errorf("The range %d..%d is too large to build as an array (%d elements); pipe it or use it in foreach instead.", a, z, n+1))
			}
			out := make([]object.Value, 0, n+1)
			step := int64(1)
			if z < a {
				step = -1
			}
			for i := a; ; i += step {
				out = append(out, i)
				if i == z {
					break
				}
			}
			return out, nil
		}
	}
	var op func(l, r object.Value) (object.Value, error)
	switch e.Op {
	case "+", "-", "*", "/", "%":
		aop := map[string]object.ArithOp{"+": object.OpAdd, "-": object.OpSub, "*": object.OpMul, "/": object.OpDiv, "%": object.OpMod}[e.Op]
		return func(f *frame) (object.Value, error) {
			l, err := x(f)
			if err != nil {
				return nil, err
			}
			r, err := y(f)
			if err != nil {
				return nil, err
			}
			if v, ok := dateArith(aop, l, r); ok {
				return v, nil
			}
			v, err := object.Arith(aop, l, r)
			if err != nil {
				return fail(f, err)
			}
			return v, nil
		}
	case "-xor":
		op = func(l, r object.Value) (object.Value, error) { return object.ToBool(l) != object.ToBool(r), nil }
	case "-f":
		op = formatOp
	case "-join":
		op = func(l, r object.Value) (object.Value, error) { return joinValues(l, object.ToString(r)), nil }
	case "-split", "-isplit", "-csplit":
		cs := e.Op == "-csplit"
		op = func(l, r object.Value) (object.Value, error) { return splitOp(l, r, cs) }
	case "-replace", "-ireplace", "-creplace":
		cs := e.Op == "-creplace"
		op = func(l, r object.Value) (object.Value, error) { return replaceOp(l, r, cs) }
	case "-is", "-isnot":
		neg := e.Op == "-isnot"
		op = func(l, r object.Value) (object.Value, error) {
			t, err := typeOperand(r)
			if err != nil {
				return nil, err
			}
			return t.is(l) != neg, nil
		}
	case "-as":
		op = func(l, r object.Value) (object.Value, error) {
			t, err := typeOperand(r)
			if err != nil {
				return nil, err
			}
			v, err := t.convert(l)
			if err != nil {
				return nil, nil
			}
			return v, nil
		}
	case "-band", "-bor", "-bxor", "-shl", "-shr":
		name := e.Op
		op = func(l, r object.Value) (object.Value, error) {
			a, err := object.ToInt(l)
			if err != nil {
				return nil, err
			}
			b, err := object.ToInt(r)
			if err != nil {
				return nil, err
			}
			switch name {
			case "-band":
				return a & b, nil
			case "-bor":
				return a | b, nil
			case "-bxor":
				return a ^ b, nil
			case "-shl":
				return a << uint(b&63), nil
			}
			return a >> uint(b&63), nil
		}
	default:
		cop, cs, ok := object.LookupOp(e.Op[1:])
		if !ok {
			panic("engine: unknown binary operator " + e.Op)
		}
		return func(f *frame) (object.Value, error) {
			l, err := x(f)
			if err != nil {
				return nil, err
			}
			r, err := y(f)
			if err != nil {
				return nil, err
			}
			if cop == object.OpEq {
				if a, ok := l.(int64); ok {
					if b, ok := r.(int64); ok {
						return a == b, nil
					}
				}
			}
			v, m, err := object.Compare(cop, cs, l, r)
			if err != nil {
				return fail(f, err)
			}
			if m != nil {
				f.sc.setFolded("matches", "Matches", m)
			}
			return v, nil
		}
	}
	return func(f *frame) (object.Value, error) {
		l, err := x(f)
		if err != nil {
			return nil, err
		}
		r, err := y(f)
		if err != nil {
			return nil, err
		}
		v, err := op(l, r)
		if err != nil {
			return fail(f, err)
		}
		return v, nil
	}
}

// memberCache remembers where a property lives in the last object type
// seen, so $_.Name over a stream of objects of one type costs a pointer
// comparison and an index.
type memberCache struct {
	typ *object.Type
	idx int
}

func (m *memberCache) get(v object.Value, name string) object.Value {
	if o, ok := v.(*object.Object); ok {
		t := o.Type()
		if t == m.typ {
			return o.Value(m.idx)
		}
		if i := t.Index(name); i >= 0 {
			m.typ, m.idx = t, i
			return o.Value(i)
		}
	}
	return property(v, name)
}

// property is member access on any value.
func property(v object.Value, name string) object.Value {
	if r, ok := object.Property(v, name); ok {
		return r
	}
	switch x := v.(type) {
	case *object.Object:
		if strings.EqualFold(name, "PSTypeNames") {
			names := x.Type().Names()
			out := make([]object.Value, len(names))
			for i, n := range names {
				out[i] = n
			}
			return out
		}
	case *object.Hashtable:
		if strings.EqualFold(name, "Values") {
			out := make([]object.Value, x.Len())
			for i := range out {
				_, out[i] = x.At(i)
			}
			return out
		}
	case *ScriptBlock:
		if strings.EqualFold(name, "Ast") || strings.EqualFold(name, "Text") {
			return x.String()
		}
	case time.Time:
		return timeProperty(x, name)
	case *typeValue:
		switch strings.ToLower(name) {
		case "name":
			return x.name
		case "fullname":
			return x.full
		}
	}
	return nil
}

func (c *compiler) memberName(n syntax.Expr) (string, evalFn) {
	if lit, ok := n.(*syntax.StringLit); ok {
		return lit.Value, nil
	}
	return "", c.expr(n)
}

func (c *compiler) member(e *syntax.Member) evalFn {
	x := c.expr(e.X)
	name, dyn := c.memberName(e.Name)
	pos := e.Start
	if e.Static {
		return func(f *frame) (object.Value, error) {
			v, err := x(f)
			if err != nil {
				return nil, err
			}
			n := name
			if dyn != nil {
				nv, err := dyn(f)
				if err != nil {
					return nil, err
				}
				n = object.ToString(nv)
			}
			r, err := staticMember(v, n)
			if err != nil {
				return nil, f.e.newError(err, "", pos)
			}
			return r, nil
		}
	}
	if dyn == nil {
		var cache memberCache
		return func(f *frame) (object.Value, error) {
			v, err := x(f)
			if err != nil {
				return nil, err
			}
			return cache.get(v, name), nil
		}
	}
	return func(f *frame) (object.Value, error) {
		v, err := x(f)
		if err != nil {
			return nil, err
		}
		nv, err := dyn(f)
		if err != nil {
			return nil, err
		}
		return property(v, object.ToString(nv)), nil
	}
}

func (c *compiler) invokeMember(e *syntax.InvokeMember) evalFn {
	x := c.expr(e.X)
	name, dyn := c.memberName(e.Name)
	args := make([]evalFn, len(e.Args))
	for i, a := range e.Args {
		args[i] = c.expr(a)
	}
	pos := e.Start
	static := e.Static
	return func(f *frame) (object.Value, error) {
		v, err := x(f)
		if err != nil {
			return nil, err
		}
		n := name
		if dyn != nil {
			nv, err := dyn(f)
			if err != nil {
				return nil, err
			}
			n = object.ToString(nv)
		}
		av := make([]object.Value, len(args))
		for i, a := range args {
			if av[i], err = a(f); err != nil {
				return nil, err
			}
		}
		var r object.Value
		if static {
			r, err = callStatic(f, v, n, av)
		} else {
			r, err = callMethod(f, v, n, av)
		}
		if err != nil {
			if isControl(err) {
				return nil, err
			}
			return nil, f.e.newError(err, "", pos)
		}
		return r, nil
	}
}

// indexValue is v[i]: arrays by position (negative from the end, an
// array of indexes for a slice), hashtables by key, strings by character.
func indexValue(v, i object.Value) (object.Value, error) {
	if il, ok := i.([]object.Value); ok {
		if h, isHash := v.(*object.Hashtable); isHash {
			out := make([]object.Value, 0, len(il))
			for _, k := range il {
				r, _ := h.Get(object.ToString(k))
				out = append(out, r)
			}
			return out, nil
		}
		out := make([]object.Value, 0, len(il))
		for _, k := range il {
			r, err := indexValue(v, k)
			if err != nil {
				return nil, err
			}
			if r != nil {
				out = append(out, r)
			}
		}
		return out, nil
	}
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("Cannot index into a null array.")
	case []object.Value:
		n, err := object.ToInt(i)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			n += int64(len(x))
		}
		if n < 0 || n >= int64(len(x)) {
			return nil, nil
		}
		return x[n], nil
	case *object.Hashtable:
		r, _ := x.Get(object.ToString(i))
		return r, nil
	case string:
		n, err := object.ToInt(i)
		if err != nil {
			return nil, err
		}
		rs := []rune(x)
		if n < 0 {
			n += int64(len(rs))
		}
		if n < 0 || n >= int64(len(rs)) {
			return nil, nil
		}
		return string(rs[n]), nil
	case *object.Object:
		if s, ok := i.(string); ok {
			r, _ := x.Get(s)
			return r, nil
		}
	}
	n, err := object.ToInt(i)
	if err == nil && (n == 0 || n == -1) {
		return v, nil
	}
	return nil, fmt.Errorf("Unable to index into an object of type %s.", object.TypeName(v))
}

// setIndex is v[i] = val.
func setIndex(v, i, val object.Value) error {
	switch x := v.(type) {
	case []object.Value:
		n, err := object.ToInt(i)
		if err != nil {
			return err
		}
		if n < 0 {
			n += int64(len(x))
		}
		if n < 0 || n >= int64(len(x)) {
			return fmt.Errorf("Index was outside the bounds of the array.")
		}
		x[n] = val
		return nil
	case *object.Hashtable:
		x.Set(object.ToString(i), val)
		return nil
	case nil:
		return fmt.Errorf("Cannot index into a null array.")
	}
	return fmt.Errorf("Unable to index into an object of type %s.", object.TypeName(v))
}

// setProperty is v.name = val.
func setProperty(v object.Value, name string, val object.Value) error {
	switch x := v.(type) {
	case *object.Object:
		if x.Set(name, val) {
			return nil
		}
	case *object.Hashtable:
		x.Set(name, val)
		return nil
	case nil:
		return fmt.Errorf("The property '%s' cannot be found on this object. Verify that the property exists and can be set.", name)
	}
	return fmt.Errorf("The property '%s' cannot be found on this object. Verify that the property exists and can be set.", name)
}

// timeProperty is a DateTime property.
func timeProperty(t time.Time, name string) object.Value {
	switch strings.ToLower(name) {
	case "year":
		return int64(t.Year())
	case "month":
		return int64(t.Month())
	case "day":
		return int64(t.Day())
	case "hour":
		return int64(t.Hour())
	case "minute":
		return int64(t.Minute())
	case "second":
		return int64(t.Second())
	case "millisecond":
		return int64(t.Nanosecond() / 1e6)
	case "dayofweek":
		return t.Weekday().String()
	case "dayofyear":
		return int64(t.YearDay())
	case "date":
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	case "ticks":
		return (t.UnixNano() / 100) + 621355968000000000
	case "kind":
		if t.Location() == time.UTC {
			return "Utc"
		}
		return "Local"
	}
	return nil
}
