package engine

import (
	"strings"

	"pinsh/host/object"
	"pinsh/host/syntax"
)

// Compiled code: expressions evaluate to a value; statements push their
// output to an outlet.
type (
	evalFn func(f *frame) (object.Value, error)
	execFn func(f *frame, out outlet) error
)

// outlet receives a statement's or a stage's output, one object at a time.
type outlet interface {
	push(v object.Value) error
}

// sinkOutlet writes to the Out-Default sink, skipping $null.
type sinkOutlet struct{ s Sink }

func (o sinkOutlet) push(v object.Value) error {
	if v == nil {
		return nil
	}
	return o.s.Write(v)
}

// collector gathers output, for assignment, $(...), @(...) and (...).
type collector struct{ vals []object.Value }

func (c *collector) push(v object.Value) error {
	c.vals = append(c.vals, v)
	return nil
}

// result is PowerShell's collected value: $null for nothing, the object
// for one, an array for more.
func (c *collector) result() object.Value {
	switch len(c.vals) {
	case 0:
		return nil
	case 1:
		return c.vals[0]
	}
	return c.vals
}

// funcOutlet adapts a Go callback.
type funcOutlet func(object.Value) error

func (o funcOutlet) push(v object.Value) error { return o(v) }

type discard struct{}

func (discard) push(object.Value) error { return nil }

// emit writes an expression's value to out, unrolling one level of array.
func emit(out outlet, v object.Value) error {
	if l, ok := v.([]object.Value); ok {
		for _, x := range l {
			if err := out.push(x); err != nil {
				return err
			}
		}
		return nil
	}
	return out.push(v)
}

// compiler turns a syntax tree into closures.
type compiler struct {
	src string
}

// text returns the source text of a node.
func (c *compiler) text(n syntax.Node) string {
	r := n.Range()
	if r.Start.Offset <= r.End.Offset && r.End.Offset <= len(c.src) {
		return c.src[r.Start.Offset:r.End.Offset]
	}
	return ""
}

// scriptCode is a compiled script.
type scriptCode struct {
	body *blockCode
}

func (c *compiler) script(s *syntax.Script) *scriptCode {
	return &scriptCode{body: c.block(s.Body)}
}

func (sc *scriptCode) run(f *frame, out outlet) error {
	b := sc.body
	if b.param != nil {
		if err := b.param.bindArgs(f, f.args); err != nil {
			return err
		}
	}
	if err := runStmts(f, b.begin, out); err != nil {
		return err
	}
	if err := runStmts(f, b.process, out); err != nil {
		return err
	}
	return runStmts(f, b.end, out)
}

// blockCode is a compiled script or script block body.
type blockCode struct {
	param               *paramCode
	named               bool
	begin, process, end []execFn
	node                *syntax.Block
}

func (c *compiler) block(b *syntax.Block) *blockCode {
	bc := &blockCode{named: b.Named, node: b}
	if b.Param != nil {
		bc.param = c.paramBlock(b.Param)
	}
	bc.begin = c.stmts(b.Begin)
	bc.process = c.stmts(b.Process)
	bc.end = c.stmts(b.End)
	return bc
}

func (c *compiler) stmts(list []syntax.Stmt) []execFn {
	if len(list) == 0 {
		return nil
	}
	out := make([]execFn, len(list))
	for i, s := range list {
		out[i] = c.stmt(s)
	}
	return out
}

// runStmts runs statements; a statement-terminating error is shown (or
// hidden or escalated by $ErrorActionPreference) and the next statement
// runs, as in PowerShell.
func runStmts(f *frame, stmts []execFn, out outlet) error {
	e := f.e
	for _, s := range stmts {
		before := e.errSeq
		if err := s(f, out); err != nil {
			rt, ok := err.(*rtError)
			if !ok {
				return err
			}
			if err := f.statementError(rt); err != nil {
				return err
			}
		}
		e.lastOK = e.errSeq == before
	}
	return nil
}

func (c *compiler) stmt(s syntax.Stmt) execFn {
	switch s := s.(type) {
	case *syntax.Pipeline:
		return c.pipeline(s)
	case *syntax.Assignment:
		return c.assignment(s)
	case *syntax.If:
		return c.ifStmt(s)
	case *syntax.Foreach:
		return c.foreach(s)
	case *syntax.While:
		return c.while(s)
	case *syntax.DoLoop:
		return c.doLoop(s)
	case *syntax.For:
		return c.forStmt(s)
	case *syntax.Break:
		label := s.Label
		return func(*frame, outlet) error { return &breakError{label: label} }
	case *syntax.Continue:
		label := s.Label
		return func(*frame, outlet) error { return &continueError{label: label} }
	case *syntax.Return:
		var val execFn
		if s.Value != nil {
			val = c.stmt(s.Value)
		}
		return func(f *frame, out outlet) error {
			if val != nil {
				if err := val(f, out); err != nil {
					return err
				}
			}
			return &returnError{}
		}
	case *syntax.Exit:
		var val evalFn
		if s.Value != nil {
			val = c.valueStmt(s.Value)
		}
		pos := s.Start
		return func(f *frame, out outlet) error {
			if val == nil {
				return &exitError{auto: true}
			}
			v, err := val(f)
			if err != nil {
				return err
			}
			n, err := object.ToInt(v)
			if err != nil {
				return f.e.newError(err, "", pos)
			}
			return &exitError{code: int(n)}
		}
	case *syntax.Throw:
		var val evalFn
		if s.Value != nil {
			val = c.valueStmt(s.Value)
		}
		pos := s.Start
		return func(f *frame, out outlet) error {
			msg := "ScriptHalted"
			var target object.Value
			if val != nil {
				v, err := val(f)
				if err != nil {
					return err
				}
				target = v
				if o, ok := v.(*object.Object); ok && o.Type() == errorRecordType {
					msg = object.ToString(o)
				} else {
					msg = object.ToString(v)
				}
			}
			r := &rtError{msg: msg, pos: pos}
			_ = target
			f.e.errSeq++
			f.e.record(r)
			return &stopError{err: r}
		}
	case *syntax.FunctionDef:
		return c.functionDef(s)
	case *syntax.Try:
		return c.tryStmt(s)
	}
	panic("engine: unknown statement type")
}

// valueStmt compiles a statement used as a value (assignment right side,
// hash entry, exit code): a pure expression keeps its value as is; a
// pipeline or keyword statement collects its output.
func (c *compiler) valueStmt(s syntax.Stmt) evalFn {
	if p, ok := s.(*syntax.Pipeline); ok && len(p.Cmds) == 0 {
		return c.expr(p.Expr)
	}
	if a, ok := s.(*syntax.Assignment); ok {
		return c.assignValue(a)
	}
	ex := c.stmt(s)
	return func(f *frame) (object.Value, error) {
		var col collector
		if err := ex(f, &col); err != nil {
			return nil, err
		}
		return col.result(), nil
	}
}

func (c *compiler) stmtBlock(b *syntax.StmtBlock) []execFn { return c.stmts(b.Stmts) }

func (c *compiler) ifStmt(s *syntax.If) execFn {
	type clause struct {
		cond evalFn
		body []execFn
	}
	clauses := make([]clause, len(s.Clauses))
	for i, cl := range s.Clauses {
		clauses[i] = clause{c.condition(cl.Cond), c.stmtBlock(cl.Body)}
	}
	var elseBody []execFn
	if s.Else != nil {
		elseBody = c.stmtBlock(s.Else)
	}
	return func(f *frame, out outlet) error {
		for _, cl := range clauses {
			v, err := cl.cond(f)
			if err != nil {
				return err
			}
			if object.ToBool(v) {
				return runStmts(f, cl.body, out)
			}
		}
		if elseBody != nil {
			return runStmts(f, elseBody, out)
		}
		return nil
	}
}

// condition compiles an if/while condition.
func (c *compiler) condition(s syntax.Stmt) evalFn { return c.valueStmt(s) }

// loopControl handles break/continue for a loop labelled label: it
// reports whether to stop the loop, or the error to pass on.
func loopControl(err error, label string) (stop bool, pass error) {
	switch x := err.(type) {
	case *breakError:
		if x.label == "" || strings.EqualFold(x.label, label) {
			return true, nil
		}
	case *continueError:
		if x.label == "" || strings.EqualFold(x.label, label) {
			return false, nil
		}
	}
	return true, err
}

func (c *compiler) foreach(s *syntax.Foreach) execFn {
	v := resolveVar(s.Var.Name)
	body := c.stmtBlock(s.Body)
	label := s.Label
	var coll enumFn
	if p, ok := s.Coll.(*syntax.Pipeline); ok && len(p.Cmds) == 0 {
		coll = c.enum(p.Expr)
	} else {
		val := c.valueStmt(s.Coll)
		coll = func(f *frame, out outlet) error {
			x, err := val(f)
			if err != nil {
				return err
			}
			if x == nil {
				return nil
			}
			return emit(out, x)
		}
	}
	return func(f *frame, out outlet) error {
		n := 0
		err := coll(f, funcOutlet(func(x object.Value) error {
			if n++; n&1023 == 0 {
				if err := f.e.cancelled(); err != nil {
					return err
				}
			}
			if err := v.set(f, x); err != nil {
				return err
			}
			if err := runStmts(f, body, out); err != nil {
				if stop, pass := loopControl(err, label); stop {
					if pass == nil {
						return errLoopDone
					}
					return pass
				}
			}
			return nil
		}))
		if err == errLoopDone {
			return nil
		}
		return err
	}
}

// errLoopDone ends a foreach loop's enumeration early.
var errLoopDone = &breakError{label: "\x00done"}

func (c *compiler) while(s *syntax.While) execFn {
	cond := c.condition(s.Cond)
	body := c.stmtBlock(s.Body)
	label := s.Label
	return func(f *frame, out outlet) error {
		for {
			if err := f.e.cancelled(); err != nil {
				return err
			}
			v, err := cond(f)
			if err != nil {
				return err
			}
			if !object.ToBool(v) {
				return nil
			}
			if err := runStmts(f, body, out); err != nil {
				if stop, pass := loopControl(err, label); stop {
					return pass
				}
			}
		}
	}
}

func (c *compiler) doLoop(s *syntax.DoLoop) execFn {
	cond := c.condition(s.Cond)
	body := c.stmtBlock(s.Body)
	label, until := s.Label, s.Until
	return func(f *frame, out outlet) error {
		for {
			if err := f.e.cancelled(); err != nil {
				return err
			}
			if err := runStmts(f, body, out); err != nil {
				if stop, pass := loopControl(err, label); stop {
					return pass
				}
			}
			v, err := cond(f)
			if err != nil {
				return err
			}
			if object.ToBool(v) == until {
				return nil
			}
		}
	}
}

func (c *compiler) forStmt(s *syntax.For) execFn {
	var init, iter execFn
	var cond evalFn
	if s.Init != nil {
		init = c.quietStmt(s.Init)
	}
	if s.Cond != nil {
		cond = c.condition(s.Cond)
	}
	if s.Iter != nil {
		iter = c.quietStmt(s.Iter)
	}
	body := c.stmtBlock(s.Body)
	label := s.Label
	return func(f *frame, out outlet) error {
		if init != nil {
			if err := init(f, out); err != nil {
				return err
			}
		}
		for {
			if err := f.e.cancelled(); err != nil {
				return err
			}
			if cond != nil {
				v, err := cond(f)
				if err != nil {
					return err
				}
				if !object.ToBool(v) {
					return nil
				}
			}
			if err := runStmts(f, body, out); err != nil {
				if stop, pass := loopControl(err, label); stop {
					return pass
				}
			}
			if iter != nil {
				if err := iter(f, out); err != nil {
					return err
				}
			}
		}
	}
}

// quietStmt compiles a for-loop initializer or iterator, whose output
// goes to the loop's output like any statement.
func (c *compiler) quietStmt(s syntax.Stmt) execFn { return c.stmt(s) }

// tryStmt compiles try/catch/finally. Inside a try block every
// terminating error, statement-terminating ones included, goes to the
// first catch block with $_ set to its error record; typed catch clauses
// are accepted but not distinguished (pinsh has no exception types).
func (c *compiler) tryStmt(s *syntax.Try) execFn {
	body := c.stmtBlock(s.Body)
	var catch []execFn
	hasCatch := len(s.Catches) > 0
	if hasCatch {
		catch = c.stmtBlock(s.Catches[0].Body)
	}
	var finally []execFn
	if s.Finally != nil {
		finally = c.stmtBlock(s.Finally)
	}
	return func(f *frame, out outlet) error {
		e := f.e
		if hasCatch {
			e.tryDepth++
		}
		err := runStmts(f, body, out)
		if hasCatch {
			e.tryDepth--
			if st, ok := err.(*stopError); ok && st != errCancelled {
				saved := f.under
				f.under = errorRecordValue(st.err)
				err = runStmts(f, catch, out)
				f.under = saved
			}
		}
		if finally != nil {
			if ferr := runStmts(f, finally, out); ferr != nil {
				return ferr
			}
		}
		return err
	}
}
