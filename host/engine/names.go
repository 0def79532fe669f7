package engine

import "sort"

// VarNames returns the names of the session's global variables, sorted,
// for completion after `$`.
func (e *Engine) VarNames() []string {
	var out []string
	for _, v := range e.global.vars {
		out = append(out, v.name)
	}
	sort.Strings(out)
	return out
}

// FunctionNames returns the names of the functions defined in the
// session, sorted, for completion and Get-Command.
func (e *Engine) FunctionNames() []string {
	var out []string
	for _, fn := range e.global.funcs {
		out = append(out, fn.name)
	}
	sort.Strings(out)
	return out
}
