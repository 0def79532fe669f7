package engine

import (
	"fmt"
	"os"
	"strings"

	"pinsh/host/object"
)

// variable is one session variable.
type variable struct {
	name string
	val  object.Value
}

// scope is a variable and function scope. Reads look through the parent
// chain (PowerShell's dynamic scoping); writes go to the scope itself.
type scope struct {
	parent *scope
	vars   map[string]*variable
	funcs  map[string]*function
}

func newScope(parent *scope) *scope {
	return &scope{parent: parent}
}

func (s *scope) find(folded string) *variable {
	for sc := s; sc != nil; sc = sc.parent {
		if v, ok := sc.vars[folded]; ok {
			return v
		}
	}
	return nil
}

func (s *scope) get(folded string) (object.Value, bool) {
	if v := s.find(folded); v != nil {
		return v.val, true
	}
	return nil, false
}

// set assigns name in this scope.
func (s *scope) set(name string, v object.Value) {
	f := object.Fold(name)
	if s.vars == nil {
		s.vars = map[string]*variable{}
	}
	if x, ok := s.vars[f]; ok {
		x.val = v
		return
	}
	s.vars[f] = &variable{name: name, val: v}
}

func (s *scope) setFolded(folded, name string, v object.Value) {
	if x, ok := s.vars[folded]; ok {
		x.val = v
		return
	}
	if s.vars == nil {
		s.vars = map[string]*variable{}
	}
	s.vars[folded] = &variable{name: name, val: v}
}

func (s *scope) findFunc(folded string) *function {
	for sc := s; sc != nil; sc = sc.parent {
		if fn, ok := sc.funcs[folded]; ok {
			return fn
		}
	}
	return nil
}

func (s *scope) setFunc(name string, fn *function) {
	if s.funcs == nil {
		s.funcs = map[string]*function{}
	}
	s.funcs[object.Fold(name)] = fn
}

// frame is the state a compiled statement runs with: the scope, $_ and
// $args. Script blocks invoked per object reuse one frame.
type frame struct {
	e     *Engine
	sc    *scope
	under object.Value
	args  []object.Value
	input []object.Value
	// cmd is the function or script block stage running, for $PSCmdlet.
	cmd *stageBase
}

// varKind classifies a variable reference at compile time.
type varKind uint8

const (
	vkNormal varKind = iota
	vkUnder
	vkTrue
	vkFalse
	vkNull
	vkQuestion
	vkArgs
	vkError
	vkInput
	vkEnv
	vkGlobal
	vkLocal
	vkPSCmdlet
)

// varRef is a compiled variable reference.
type varRef struct {
	kind   varKind
	folded string // name without scope prefix, folded
	name   string // name without scope prefix, as written
}

func resolveVar(name string) varRef {
	raw := name
	kind := vkNormal
	if i := strings.IndexByte(name, ':'); i > 0 {
		switch strings.ToLower(name[:i]) {
		case "env":
			return varRef{kind: vkEnv, name: name[i+1:], folded: object.Fold(name[i+1:])}
		case "global", "script":
			kind = vkGlobal
			raw = name[i+1:]
		case "local", "private":
			kind = vkLocal
			raw = name[i+1:]
		case "variable":
			raw = name[i+1:]
		}
	}
	f := object.Fold(raw)
	if kind == vkNormal {
		switch f {
		case "_", "psitem":
			kind = vkUnder
		case "true":
			kind = vkTrue
		case "false":
			kind = vkFalse
		case "null":
			kind = vkNull
		case "?":
			kind = vkQuestion
		case "args":
			kind = vkArgs
		case "error":
			kind = vkError
		case "input":
			kind = vkInput
		case "pscmdlet":
			kind = vkPSCmdlet
		}
	}
	return varRef{kind: kind, folded: f, name: raw}
}

func (r *varRef) get(f *frame) object.Value {
	switch r.kind {
	case vkNormal:
		for sc := f.sc; sc != nil; sc = sc.parent {
			if v, ok := sc.vars[r.folded]; ok {
				return v.val
			}
		}
		return nil
	case vkUnder:
		return f.under
	case vkTrue:
		return true
	case vkFalse:
		return false
	case vkNull:
		return nil
	case vkQuestion:
		return f.e.lastOK
	case vkArgs:
		if f.args == nil {
			return []object.Value{}
		}
		return f.args
	case vkError:
		return f.e.errList
	case vkInput:
		if f.input == nil {
			return []object.Value{}
		}
		return f.input
	case vkEnv:
		if v, ok := os.LookupEnv(r.name); ok {
			return v
		}
		return nil
	case vkGlobal:
		v, _ := f.e.global.get(r.folded)
		return v
	case vkLocal:
		if v, ok := f.sc.vars[r.folded]; ok {
			return v.val
		}
		return nil
	case vkPSCmdlet:
		if f.cmd != nil {
			return f.cmd
		}
		return nil
	}
	return nil
}

func (r *varRef) set(f *frame, v object.Value) error {
	switch r.kind {
	case vkNormal, vkLocal:
		f.sc.setFolded(r.folded, r.name, v)
	case vkUnder:
		f.under = v
	case vkNull:
	case vkTrue, vkFalse, vkQuestion:
		return fmt.Errorf("Cannot overwrite variable %s because it is read-only or constant.", r.name)
	case vkArgs:
		l, _ := object.ConvertTo(v, object.KindList)
		f.args, _ = l.([]object.Value)
	case vkError:
		return fmt.Errorf("Cannot overwrite variable Error because it is read-only or constant.")
	case vkInput:
		l, _ := object.ConvertTo(v, object.KindList)
		f.input, _ = l.([]object.Value)
	case vkEnv:
		if v == nil || object.ToString(v) == "" {
			os.Unsetenv(r.name)
		} else {
			os.Setenv(r.name, object.ToString(v))
		}
	case vkGlobal:
		f.e.global.setFolded(r.folded, r.name, v)
	case vkPSCmdlet:
		return fmt.Errorf("Cannot overwrite variable PSCmdlet because it is read-only or constant.")
	}
	return nil
}

// lookup reads a variable by name, as Runtime.Var does.
func (f *frame) lookup(name string) (object.Value, bool) {
	r := resolveVar(name)
	switch r.kind {
	case vkNormal:
		return f.sc.get(r.folded)
	case vkGlobal:
		return f.e.global.get(r.folded)
	case vkLocal:
		if v, ok := f.sc.vars[r.folded]; ok {
			return v.val, true
		}
		return nil, false
	case vkEnv:
		v, ok := os.LookupEnv(r.name)
		return v, ok
	}
	return r.get(f), true
}
