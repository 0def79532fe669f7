package cmdlet

import (
	"fmt"
	"sort"
	"strings"

	"pinsh/host/object"
)

// Arg is one element of a command line after evaluation: either a
// parameter name (-Name, or -Name:value with Colon set) or a value. Whether a
// value after -Name belongs to it is decided by the binder from the
// parameter's kind, as in PowerShell: switches take no value unless written
// -Switch:$false.
type Arg struct {
	// Name is the parameter name as typed, without the dash; empty for a
	// value element.
	Name string
	// Value is the element's value, or the value after the colon.
	Value object.Value
	// Colon marks the -Name:value form.
	Colon bool
	// Text is the element's source text, for error messages.
	Text string
}

// CommonParams are the parameters every cmdlet accepts.
var CommonParams = []Param{
	{Name: "ErrorAction", Aliases: []string{"ea"}, Kind: object.KindString, Position: -1,
		Values: []string{"Continue", "SilentlyContinue", "Stop", "Ignore"},
		Help:   "What to do with non-terminating errors from this command."},
	{Name: "ErrorVariable", Aliases: []string{"ev"}, Kind: object.KindString, Position: -1,
		Help: "A variable that receives this command's errors (prefix + to append)."},
	{Name: "WarningAction", Aliases: []string{"wa"}, Kind: object.KindString, Position: -1,
		Values: []string{"Continue", "SilentlyContinue", "Stop", "Ignore"},
		Help:   "What to do with warnings from this command."},
	{Name: "Verbose", Aliases: []string{"vb"}, Kind: object.KindSwitch, Position: -1,
		Help: "Shows verbose messages from this command."},
	{Name: "OutVariable", Aliases: []string{"ov"}, Kind: object.KindString, Position: -1,
		Help: "A variable that also receives this command's output."},
}

// ShouldProcessParams are added to cmdlets that support ShouldProcess.
var ShouldProcessParams = []Param{
	{Name: "WhatIf", Aliases: []string{"wi"}, Kind: object.KindSwitch, Position: -1,
		Help: "Shows what would happen if the command ran, without running it."},
	{Name: "Confirm", Aliases: []string{"cf"}, Kind: object.KindSwitch, Position: -1,
		Help: "Prompts for confirmation before each change."},
}

// AllParams returns the cmdlet's declared parameters followed by the common
// parameters it accepts.
func (in *Info) AllParams() []Param {
	out := append([]Param(nil), in.Params...)
	if in.SupportsShouldProcess {
		out = append(out, ShouldProcessParams...)
	}
	return append(out, CommonParams...)
}

// BindError is a parameter binding failure. Its message names the parameter
// or argument and, where it helps, lists the candidates.
type BindError struct {
	Command string
	Msg     string
	// Param is the parameter concerned, when there is one.
	Param string
}

func (e *BindError) Error() string { return e.Command + " : " + e.Msg }

// Args holds the parameter values bound for one command instance. Values
// bound from the command line stay for the whole stage; values bound from
// pipeline input are replaced for every input object.
type Args struct {
	info   *Info
	params []Param
	vals   []object.Value
	cmd    []bool // bound from the command line
	pipe   []bool // bound from the current input object
	sets   []string
	set    string // resolved parameter set ("" when the cmdlet has none)
	// candidates holds the sets still possible after command-line binding.
	candidates []string
	// inputParams are the indexes of parameters that may take pipeline input.
	inputParams []int
	// cache remembers the outcome of the last successful BindInput: which
	// input parameters it bound, and the candidate sets and set that
	// followed. An object that binds the same parameters resolves the same
	// way, so the per-object cost stays small for cmdlets with many sets.
	cache *inputCache
}

type inputCache struct {
	pattern    []bool // pipe[i] for each of inputParams
	candidates []string
	set        string
}

// Info returns the cmdlet the arguments were bound for.
func (a *Args) Info() *Info { return a.info }

// Set returns the resolved parameter set name.
func (a *Args) Set() string { return a.set }

func (a *Args) index(name string) int {
	for i := range a.params {
		if a.params[i].Name == name || strings.EqualFold(a.params[i].Name, name) {
			return i
		}
	}
	return -1
}

// Get returns the bound value of the named parameter.
func (a *Args) Get(name string) (object.Value, bool) {
	i := a.index(name)
	if i < 0 || !(a.cmd[i] || a.pipe[i]) {
		return nil, false
	}
	return a.vals[i], true
}

// Has reports whether the named parameter is bound.
func (a *Args) Has(name string) bool {
	_, ok := a.Get(name)
	return ok
}

// String returns the named parameter as a string ("" when unbound).
func (a *Args) String(name string) string {
	v, _ := a.Get(name)
	return object.ToString(v)
}

// Bool returns the named switch or bool parameter (false when unbound).
func (a *Args) Bool(name string) bool {
	v, _ := a.Get(name)
	b, _ := v.(bool)
	return b
}

// Int returns the named int parameter and whether it is bound.
func (a *Args) Int(name string) (int64, bool) {
	v, ok := a.Get(name)
	if !ok {
		return 0, false
	}
	n, _ := v.(int64)
	return n, true
}

// FromPipeline reports whether the named parameter was bound from the
// current input object.
func (a *Args) FromPipeline(name string) bool {
	i := a.index(name)
	return i >= 0 && a.pipe[i]
}

// SetValue binds a value after conversion, as an answer to a prompt for a
// missing mandatory parameter does.
func (a *Args) SetValue(name string, v object.Value) error {
	i := a.index(name)
	if i < 0 {
		return &BindError{Command: a.info.Name, Msg: fmt.Sprintf("A parameter cannot be found that matches parameter name '%s'.", name)}
	}
	cv, err := convertParam(a.info.Name, &a.params[i], v)
	if err != nil {
		return err
	}
	a.vals[i] = cv
	a.cmd[i] = true
	a.cache = nil
	return nil
}

// ExpectsInput reports whether some unbound parameter can take pipeline
// input.
func (a *Args) ExpectsInput() bool { return len(a.inputParams) > 0 }

// Missing returns the mandatory parameters of the resolved (or default) set
// that are unbound and cannot come from the pipeline; when input is true the
// pipeline may still supply the rest.
func (a *Args) Missing(input bool) []*Param {
	var out []*Param
	set := a.set
	if set == "" && len(a.candidates) > 0 {
		set = a.preferredSet()
	}
	for i := range a.params {
		p := &a.params[i]
		if !p.Mandatory || !p.InSet(set) || a.cmd[i] || a.pipe[i] {
			continue
		}
		if input && (p.FromPipeline || p.FromPipelineByName) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Bind binds command-line elements to the cmdlet's parameters: named first
// (exact names, then aliases, then unique prefixes), then positional values
// by Position within the possible parameter sets. Mandatory parameters are
// checked later, by [Args.Missing] and [Args.BindInput], because pipeline
// input or a prompt may still supply them.
func Bind(in *Info, elems []Arg) (*Args, error) {
	a := &Args{info: in, params: in.AllParams(), sets: in.Sets()}
	n := len(a.params)
	a.vals = make([]object.Value, n)
	a.cmd = make([]bool, n)
	a.pipe = make([]bool, n)

	var positional []Arg
	for i := 0; i < len(elems); i++ {
		e := elems[i]
		if e.Name == "" {
			positional = append(positional, e)
			continue
		}
		pi, err := a.resolve(e.Name)
		if err != nil {
			return nil, err
		}
		p := &a.params[pi]
		if a.cmd[pi] {
			return nil, a.errorf(p.Name, "Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", p.Name)
		}
		var v object.Value
		switch {
		case e.Colon:
			v = e.Value
		case p.Kind == object.KindSwitch:
			v = true
		default:
			if i+1 >= len(elems) || elems[i+1].Name != "" {
				return nil, a.errorf(p.Name, "Missing an argument for parameter '%s'. Specify a parameter of type '%s' and try again.", p.Name, p.Kind)
			}
			i++
			v = elems[i].Value
		}
		cv, err := convertParam(in.Name, p, v)
		if err != nil {
			return nil, err
		}
		a.vals[pi], a.cmd[pi] = cv, true
	}

	a.candidates = a.possibleSets()
	if len(a.candidates) == 0 {
		return nil, a.errorf("", "Parameter set cannot be resolved using the specified named parameters. The parameters %s belong to different parameter sets.", a.boundNames())
	}
	if err := a.bindPositional(positional); err != nil {
		return nil, err
	}
	a.candidates = a.possibleSets()
	if len(a.candidates) == 0 {
		return nil, a.errorf("", "Parameter set cannot be resolved using the specified named parameters. The parameters %s belong to different parameter sets.", a.boundNames())
	}
	a.resolveSet(false)
	for i := range a.params {
		p := &a.params[i]
		if !a.cmd[i] && (p.FromPipeline || p.FromPipelineByName) && a.inCandidates(p) {
			a.inputParams = append(a.inputParams, i)
		}
	}
	return a, nil
}

func (a *Args) errorf(param, format string, args ...any) *BindError {
	return &BindError{Command: a.info.Name, Param: param, Msg: fmt.Sprintf(format, args...)}
}

func (a *Args) boundNames() string {
	var names []string
	for i := range a.params {
		if a.cmd[i] || a.pipe[i] {
			names = append(names, "-"+a.params[i].Name)
		}
	}
	return strings.Join(names, ", ")
}

// resolve finds the parameter an element names: an exact name, an alias,
// then a unique prefix of names.
func (a *Args) resolve(name string) (int, error) {
	for i := range a.params {
		if strings.EqualFold(a.params[i].Name, name) {
			return i, nil
		}
	}
	for i := range a.params {
		for _, al := range a.params[i].Aliases {
			if strings.EqualFold(al, name) {
				return i, nil
			}
		}
	}
	var matches []int
	lname := strings.ToLower(name)
	for i := range a.params {
		if strings.HasPrefix(strings.ToLower(a.params[i].Name), lname) {
			matches = append(matches, i)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return -1, a.errorf(name, "A parameter cannot be found that matches parameter name '%s'. Valid parameters are: %s.", name, a.paramList())
	}
	var names []string
	for _, m := range matches {
		names = append(names, "-"+a.params[m].Name)
	}
	return -1, a.errorf(name, "Parameter cannot be processed because the parameter name '%s' is ambiguous. Possible matches include: %s.", name, strings.Join(names, " "))
}

func (a *Args) paramList() string {
	var names []string
	for _, p := range a.info.Params {
		names = append(names, "-"+p.Name)
	}
	if len(names) == 0 {
		return "(none besides the common parameters)"
	}
	return strings.Join(names, ", ")
}

// possibleSets returns the sets that contain every bound parameter.
func (a *Args) possibleSets() []string {
	var out []string
	for _, s := range a.sets {
		ok := true
		for i := range a.params {
			if (a.cmd[i] || a.pipe[i]) && !a.params[i].InSet(s) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

func (a *Args) inCandidates(p *Param) bool {
	for _, s := range a.candidates {
		if p.InSet(s) {
			return true
		}
	}
	return false
}

// bindPositional binds values to unbound parameters by Position, in order,
// considering only parameters of the candidate sets.
func (a *Args) bindPositional(values []Arg) error {
	if len(values) == 0 {
		return nil
	}
	type slot struct {
		pos int
		idx int
	}
	var slots []slot
	for i := range a.params {
		p := &a.params[i]
		if p.Position < 0 || a.cmd[i] || !a.inCandidates(p) {
			continue
		}
		slots = append(slots, slot{p.Position, i})
	}
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].pos < slots[j].pos })
	used := map[int]bool{} // positions already taken
	taken := map[int]bool{}
	// rem collects the values nothing else takes (ValueFromRemainingArguments).
	rem := -1
	for i := range a.params {
		if p := &a.params[i]; p.Remaining && !a.cmd[i] && a.inCandidates(p) {
			rem = i
			break
		}
	}
	var extra []object.Value
	for vi, v := range values {
		var firstErr error
		ok := false
		// The lowest free position wins; parameters of different sets may
		// share a position, and the value goes to the first whose type
		// accepts it (a script block to -FilterScript, text to -Property).
		pos := -1
		for _, s := range slots {
			if used[s.pos] || taken[s.idx] || a.cmd[s.idx] {
				continue
			}
			if pos >= 0 && s.pos != pos {
				break
			}
			pos = s.pos
			p := &a.params[s.idx]
			if !a.inCandidates(p) {
				continue
			}
			if s.idx == rem {
				extra = append(extra, v.Value)
				taken[s.idx] = true
				used[s.pos] = true
				ok = true
				break
			}
			cv, err := convertParam(a.info.Name, p, v.Value)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			a.vals[s.idx], a.cmd[s.idx] = cv, true
			taken[s.idx] = true
			used[s.pos] = true
			ok = true
			if c := a.possibleSets(); len(c) > 0 {
				a.candidates = c
			}
			break
		}
		if !ok && rem >= 0 && firstErr == nil {
			extra = append(extra, v.Value)
			ok = true
		}
		if !ok {
			if firstErr != nil {
				return firstErr
			}
			return a.errorf("", "A positional parameter cannot be found that accepts argument '%s'.", argText(values[vi]))
		}
	}
	if len(extra) > 0 {
		var v object.Value = extra[0]
		if len(extra) > 1 {
			v = extra
		}
		cv, err := convertParam(a.info.Name, &a.params[rem], v)
		if err != nil {
			return err
		}
		a.vals[rem], a.cmd[rem] = cv, true
		if c := a.possibleSets(); len(c) > 0 {
			a.candidates = c
		}
	}
	return nil
}

func argText(e Arg) string {
	if e.Text != "" {
		return e.Text
	}
	return object.ToString(e.Value)
}

// preferredSet picks the default set among the candidates, else the first.
func (a *Args) preferredSet() string {
	for _, s := range a.candidates {
		if strings.EqualFold(s, a.info.DefaultSet) {
			return s
		}
	}
	if len(a.candidates) > 0 {
		return a.candidates[0]
	}
	return ""
}

// resolveSet settles the parameter set when one candidate remains, or, when
// final, by preferring the default set and then sets whose mandatory
// parameters are all bound.
func (a *Args) resolveSet(final bool) error {
	switch {
	case len(a.candidates) == 1:
		a.set = a.candidates[0]
		return nil
	case len(a.candidates) == 0:
		return a.errorf("", "Parameter set cannot be resolved using the specified named parameters.")
	}
	if !final {
		a.set = ""
		return nil
	}
	var complete []string
	for _, s := range a.candidates {
		ok := true
		for i := range a.params {
			p := &a.params[i]
			if p.Mandatory && p.InSet(s) && !(a.cmd[i] || a.pipe[i]) {
				ok = false
				break
			}
		}
		if ok {
			complete = append(complete, s)
		}
	}
	for _, s := range complete {
		if strings.EqualFold(s, a.info.DefaultSet) {
			a.set = s
			return nil
		}
	}
	if len(complete) >= 1 {
		a.set = complete[0]
		return nil
	}
	a.set = a.preferredSet()
	return nil
}

// Finish settles the parameter set once all command-line binding is done
// and no pipeline input will come, and checks mandatory parameters.
func (a *Args) Finish() error {
	a.resolveSet(true)
	if miss := a.Missing(false); len(miss) > 0 {
		return a.missingError(miss)
	}
	return nil
}

func (a *Args) missingError(miss []*Param) error {
	var names []string
	for _, p := range miss {
		names = append(names, p.Name)
	}
	return a.errorf(names[0], "Cannot process command because of one or more missing mandatory parameters: %s.", strings.Join(names, " "))
}

// BindInput binds one pipeline input object to the parameters that take
// pipeline input and are not bound on the command line: by value first,
// then by property name, converting as needed. An object that binds to
// nothing, or that leaves a mandatory parameter unbound, is an error for
// that object only.
func (a *Args) BindInput(input object.Value) error {
	for _, i := range a.inputParams {
		a.pipe[i] = false
		a.vals[i] = nil
	}
	bound := false
	var firstErr error
	// By value: parameters of the candidate sets declared FromPipeline.
	for _, i := range a.inputParams {
		p := &a.params[i]
		if !p.FromPipeline {
			continue
		}
		if _, isObj := input.(*object.Object); isObj && p.FromPipelineByName && !acceptsObject(p.Kind) {
			continue // an object binds by its properties, not its text form
		}
		cv, err := convertParam(a.info.Name, p, input)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		a.vals[i], a.pipe[i] = cv, true
		bound = true
	}
	// By property name.
	if !bound {
		for _, i := range a.inputParams {
			p := &a.params[i]
			if !p.FromPipelineByName || a.pipe[i] {
				continue
			}
			v, ok := propertyFor(input, p)
			if !ok {
				continue
			}
			cv, err := convertParam(a.info.Name, p, v)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			a.vals[i], a.pipe[i] = cv, true
			bound = true
		}
	}
	if !bound {
		if firstErr != nil {
			return firstErr
		}
		return a.errorf("", "The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.")
	}
	if c := a.cache; c != nil && a.samePattern(c.pattern) {
		a.candidates, a.set = c.candidates, c.set
		return nil
	}
	a.candidates = a.possibleSets()
	a.resolveSet(true)
	if miss := a.Missing(false); len(miss) > 0 {
		return a.missingError(miss)
	}
	c := &inputCache{pattern: make([]bool, len(a.inputParams)), candidates: a.candidates, set: a.set}
	for k, i := range a.inputParams {
		c.pattern[k] = a.pipe[i]
	}
	a.cache = c
	return nil
}

func (a *Args) samePattern(pattern []bool) bool {
	for k, i := range a.inputParams {
		if a.pipe[i] != pattern[k] {
			return false
		}
	}
	return true
}

func acceptsObject(k object.Kind) bool {
	return k == object.KindAny || k == object.KindObject
}

func propertyFor(input object.Value, p *Param) (object.Value, bool) {
	if _, ok := input.(*object.Object); !ok {
		if _, ok := input.(*object.Hashtable); !ok {
			return nil, false
		}
	}
	if v, ok := object.Property(input, p.Name); ok {
		return v, true
	}
	for _, al := range p.Aliases {
		if v, ok := object.Property(input, al); ok {
			return v, true
		}
	}
	return nil, false
}

// convertParam converts a value to the parameter's kind and checks its
// value set, with errors in PowerShell's words that name the parameter.
func convertParam(cmd string, p *Param, v object.Value) (object.Value, error) {
	if p.Kind == object.KindScriptBlock {
		if _, ok := v.(ScriptBlock); !ok {
			return nil, &BindError{Command: cmd, Param: p.Name, Msg: fmt.Sprintf(
				"Cannot bind parameter '%s'. Cannot convert the %q value of type %q to type \"ScriptBlock\".",
				p.Name, object.ToString(v), object.TypeName(v))}
		}
		return v, nil
	}
	cv, err := object.ConvertTo(v, p.Kind)
	if err != nil {
		return nil, &BindError{Command: cmd, Param: p.Name, Msg: fmt.Sprintf("Cannot bind parameter '%s'. %v", p.Name, err)}
	}
	if len(p.Values) > 0 && cv != nil {
		s := object.ToString(cv)
		for _, ok := range p.Values {
			if strings.EqualFold(ok, s) {
				return ok, nil
			}
		}
		return nil, &BindError{Command: cmd, Param: p.Name, Msg: fmt.Sprintf(
			"Cannot validate argument on parameter '%s'. The argument \"%s\" does not belong to the set \"%s\" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.",
			p.Name, s, strings.Join(p.Values, ","))}
	}
	return cv, nil
}
