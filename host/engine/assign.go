package engine

import (
	"fmt"

	"pinsh/host/object"
	"pinsh/host/syntax"
)

type setFn func(f *frame, v object.Value) error

// lvalue compiles an assignable expression into a getter and a setter.
func (c *compiler) lvalue(e syntax.Expr) (evalFn, setFn) {
	switch e := e.(type) {
	case *syntax.Variable:
		r := resolveVar(e.Name)
		pos := e.Start
		return func(f *frame) (object.Value, error) { return r.get(f), nil },
			func(f *frame, v object.Value) error {
				if err := r.set(f, v); err != nil {
					return f.e.newError(err, "", pos)
				}
				return nil
			}
	case *syntax.Cast:
		get, set := c.lvalue(e.X)
		t, terr := lookupType(e.Type)
		pos := e.Start
		return get, func(f *frame, v object.Value) error {
			if terr != nil {
				return f.e.newError(terr, "", pos)
			}
			cv, err := t.convert(v)
			if err != nil {
				return f.e.newError(err, "", pos)
			}
			return set(f, cv)
		}
	case *syntax.Member:
		x := c.expr(e.X)
		name, dyn := c.memberName(e.Name)
		pos := e.Start
		nameOf := func(f *frame) (string, error) {
			if dyn == nil {
				return name, nil
			}
			v, err := dyn(f)
			return object.ToString(v), err
		}
		return func(f *frame) (object.Value, error) {
				v, err := x(f)
				if err != nil {
					return nil, err
				}
				n, err := nameOf(f)
				if err != nil {
					return nil, err
				}
				return property(v, n), nil
			}, func(f *frame, val object.Value) error {
				v, err := x(f)
				if err != nil {
					return err
				}
				n, err := nameOf(f)
				if err != nil {
					return err
				}
				if err := setProperty(v, n, val); err != nil {
					return f.e.newError(err, "", pos)
				}
				return nil
			}
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
			}, func(f *frame, val object.Value) error {
				v, err := x(f)
				if err != nil {
					return err
				}
				i, err := idx(f)
				if err != nil {
					return err
				}
				if err := setIndex(v, i, val); err != nil {
					return f.e.newError(err, "", pos)
				}
				return nil
			}
	case *syntax.ArrayLit:
		sets := make([]setFn, len(e.Elems))
		for i, el := range e.Elems {
			_, sets[i] = c.lvalue(el)
		}
		pos := e.Start
		return func(f *frame) (object.Value, error) {
				return nil, f.e.newError(fmt.Errorf("The assignment operator works only with '=' on a list of variables."), "", pos)
			}, func(f *frame, v object.Value) error {
				list, ok := v.([]object.Value)
				if !ok {
					list = []object.Value{v}
				}
				for i, set := range sets {
					var x object.Value
					switch {
					case i == len(sets)-1 && len(list) > len(sets):
						x = append([]object.Value(nil), list[i:]...)
					case i < len(list):
						x = list[i]
					}
					if err := set(f, x); err != nil {
						return err
					}
				}
				return nil
			}
	}
	pos := e.Range().Start
	return func(f *frame) (object.Value, error) {
			return nil, f.e.newError(fmt.Errorf("The expression is not assignable."), "", pos)
		}, func(f *frame, v object.Value) error {
			return f.e.newError(fmt.Errorf("The expression is not assignable."), "", pos)
		}
}

var assignOps = map[string]object.ArithOp{"+=": object.OpAdd, "-=": object.OpSub, "*=": object.OpMul, "/=": object.OpDiv, "%=": object.OpMod}

// assignValue compiles an assignment that yields the assigned value.
func (c *compiler) assignValue(s *syntax.Assignment) evalFn {
	get, set := c.lvalue(s.Target)
	val := c.valueStmt(s.Value)
	pos := s.Start
	if s.Op == "=" {
		return func(f *frame) (object.Value, error) {
			v, err := val(f)
			if err != nil {
				return nil, err
			}
			return v, set(f, v)
		}
	}
	op := assignOps[s.Op]
	return func(f *frame) (object.Value, error) {
		old, err := get(f)
		if err != nil {
			return nil, err
		}
		r, err := val(f)
		if err != nil {
			return nil, err
		}
		v, err := object.Arith(op, old, r)
		if err != nil {
			return nil, f.e.newError(err, "", pos)
		}
		return v, set(f, v)
	}
}

func (c *compiler) assignment(s *syntax.Assignment) execFn {
	ev := c.assignValue(s)
	return func(f *frame, out outlet) error {
		_, err := ev(f)
		return err
	}
}
