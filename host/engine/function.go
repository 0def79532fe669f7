package engine

import (
	"fmt"
	"sort"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/syntax"
)

// function is a user function (or a script block run as a command).
type function struct {
	name     string
	filter   bool
	body     *blockCode
	params   *paramCode
	defScope *scope
}

// paramCode is a compiled param(...) block; its parameters are declared
// to the binder like a cmdlet's, so functions bind, convert and report
// errors exactly as cmdlets do.
type paramCode struct {
	params []paramDef
	info   *cmdlet.Info
}

type paramDef struct {
	ref  varRef
	name string
	def  evalFn
	typ  *typeValue
}

// zeroByType lists the parameter types whose unbound value is the type's
// zero value rather than $null.
var zeroByType = map[string]bool{"int": true, "long": true, "double": true, "string": true, "bool": true}

var kindOfType = map[string]object.Kind{
	"int": object.KindInt, "long": object.KindInt, "double": object.KindFloat,
	"string": object.KindString, "bool": object.KindBool, "datetime": object.KindDateTime,
	"hashtable": object.KindHashtable, "scriptblock": object.KindScriptBlock,
	"pscustomobject": object.KindObject, "psobject": object.KindObject,
}

func (c *compiler) paramBlock(pb *syntax.ParamBlock) *paramCode {
	pc := &paramCode{info: &cmdlet.Info{Name: "", Source: "function"}}
	explicitPos := false
	for _, a := range pb.Attrs {
		if strings.EqualFold(a.Name, "CmdletBinding") {
			for _, arg := range a.Args {
				switch strings.ToLower(arg.Name) {
				case "supportsshouldprocess":
					pc.info.SupportsShouldProcess = attrBool(arg)
				case "confirmimpact":
					if lit, ok := arg.Value.(*syntax.StringLit); ok {
						pc.info.ConfirmImpact, _ = cmdlet.ParseImpact(lit.Value)
					}
				case "defaultparametersetname":
					if lit, ok := arg.Value.(*syntax.StringLit); ok {
						pc.info.DefaultSet = lit.Value
					}
				}
			}
		}
	}
	if !pc.info.SupportsShouldProcess {
		pc.info.ConfirmImpact = cmdlet.ImpactMedium
	} else if pc.info.ConfirmImpact == cmdlet.ImpactNone {
		pc.info.ConfirmImpact = cmdlet.ImpactMedium
	}
	for _, p := range pb.Params {
		prm := cmdlet.Param{Name: p.Name, Position: -2, Kind: object.KindAny}
		var typ *typeValue
		for _, a := range p.Attrs {
			if a.IsType {
				t, _ := lookupType(a.Name)
				typ = t
				if strings.EqualFold(a.Name, "switch") || strings.EqualFold(a.Name, "SwitchParameter") {
					prm.Kind = object.KindSwitch
				} else if t.kind == "array" {
					prm.Kind = object.KindList
					if t.elem != nil && t.elem.kind == "string" {
						prm.Kind = object.KindStringList
					}
				} else if k, ok := kindOfType[t.kind]; ok {
					prm.Kind = k
				}
				continue
			}
			switch strings.ToLower(a.Name) {
			case "parameter":
				for _, arg := range a.Args {
					switch strings.ToLower(arg.Name) {
					case "mandatory":
						prm.Mandatory = attrBool(arg)
					case "position":
						if n, ok := arg.Value.(*syntax.NumberLit); ok {
							if i, ok := n.Value.(int64); ok {
								prm.Position = int(i)
								explicitPos = true
							}
						}
					case "valuefrompipeline":
						prm.FromPipeline = attrBool(arg)
					case "valuefrompipelinebypropertyname":
						prm.FromPipelineByName = attrBool(arg)
					case "parametersetname":
						if lit, ok := arg.Value.(*syntax.StringLit); ok {
							prm.Sets = append(prm.Sets, lit.Value)
						}
					case "helpmessage":
						if lit, ok := arg.Value.(*syntax.StringLit); ok {
							prm.Help = lit.Value
						}
					}
				}
			case "alias":
				for _, arg := range a.Args {
					prm.Aliases = append(prm.Aliases, constStrings(arg.Value)...)
				}
			case "validateset":
				for _, arg := range a.Args {
					prm.Values = append(prm.Values, constStrings(arg.Value)...)
				}
			}
		}
		def := paramDef{ref: resolveVar(p.Name), name: p.Name, typ: typ}
		if p.Default != nil {
			def.def = c.expr(p.Default)
		}
		pc.params = append(pc.params, def)
		pc.info.Params = append(pc.info.Params, prm)
	}
	// Positions: declaration order unless some parameter states one.
	pos := 0
	for i := range pc.info.Params {
		p := &pc.info.Params[i]
		switch {
		case p.Position >= 0:
		case explicitPos || p.Kind == object.KindSwitch:
			p.Position = -1
		default:
			p.Position = pos
			pos++
		}
	}
	return pc
}

func attrBool(a *syntax.AttrArg) bool {
	if a.Value == nil {
		return true
	}
	switch v := a.Value.(type) {
	case *syntax.Variable:
		return !strings.EqualFold(v.Name, "false")
	case *syntax.NumberLit:
		return object.ToBool(v.Value)
	}
	return true
}

func constStrings(e syntax.Expr) []string {
	switch v := e.(type) {
	case *syntax.StringLit:
		return []string{v.Value}
	case *syntax.ArrayLit:
		var out []string
		for _, x := range v.Elems {
			out = append(out, constStrings(x)...)
		}
		return out
	case *syntax.NumberLit:
		return []string{v.Text}
	}
	return nil
}

// bind binds command-line arguments for a call of fn named name.
func (pc *paramCode) bind(name string, args []cmdlet.Arg) (*cmdlet.Args, error) {
	info := *pc.info
	info.Name = name
	return cmdlet.Bind(&info, args)
}

// setVars sets the parameter variables in the function's frame from the
// bound arguments, evaluating defaults for the unbound ones.
func (pc *paramCode) setVars(f *frame, a *cmdlet.Args, onlyPipeline bool) error {
	for i, p := range pc.params {
		if onlyPipeline {
			// Per input object: the parameters that take pipeline input
			// and were not given on the command line get this object's
			// value, or their default again when it has none for them
			// (PowerShell restores the defaults before binding each
			// object).
			prm := &pc.info.Params[i]
			if !(prm.FromPipeline || prm.FromPipelineByName) || (a.Has(p.name) && !a.FromPipeline(p.name)) {
				continue
			}
		}
		v, ok := a.Get(p.name)
		if !ok {
			switch {
			case p.def != nil:
				dv, err := p.def(f)
				if err != nil {
					return err
				}
				v = dv
				if p.typ != nil && !p.typ.unknown && pc.info.Params[i].Kind != object.KindAny {
					if cv, err := p.typ.convert(dv); err == nil {
						v = cv
					}
				}
			case pc.info.Params[i].Kind == object.KindSwitch:
				v = false
			case p.typ != nil && zeroByType[p.typ.kind]:
				// An unbound [int] is 0 and an unbound [string] is "",
				// as in PowerShell; other types stay $null.
				v, _ = p.typ.convert(nil)
			}
		}
		if err := p.ref.set(f, v); err != nil {
			return err
		}
	}
	return nil
}

// bindArgs binds plain values (a script's $args, a script block's
// arguments) to a param block: "-Name" strings name parameters.
func (pc *paramCode) bindArgs(f *frame, vals []object.Value) error {
	args := make([]cmdlet.Arg, 0, len(vals))
	for _, v := range vals {
		if s, ok := v.(string); ok && len(s) > 1 && s[0] == '-' && isParamName(s[1:]) {
			name, colon := s[1:], false
			if strings.HasSuffix(name, ":") {
				name, colon = name[:len(name)-1], true
			}
			args = append(args, cmdlet.Arg{Name: name, Colon: colon, Text: s})
			continue
		}
		if n := len(args); n > 0 && args[n-1].Colon && args[n-1].Value == nil {
			args[n-1].Value = v
			continue
		}
		args = append(args, cmdlet.Arg{Value: v, Text: object.ToString(v)})
	}
	a, err := pc.bind("script", args)
	if err == nil {
		err = a.Finish()
	}
	if err != nil {
		return f.e.newError(err, "", syntax.Pos{})
	}
	return pc.setVars(f, a, false)
}

func isParamName(s string) bool {
	s = strings.TrimSuffix(s, ":")
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == '-' || (r >= '0' && r <= '9' && i > 0) || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
			return false
		}
	}
	return true
}

func (c *compiler) functionDef(s *syntax.FunctionDef) execFn {
	body := c.block(s.Body.Body)
	name, filter := s.Name, s.Filter
	return func(f *frame, out outlet) error {
		f.sc.setFunc(name, &function{name: name, filter: filter, body: body, params: body.param, defScope: f.sc})
		return nil
	}
}

// funcStage runs a user function or a script block as a pipeline stage.
type funcStage struct {
	stageBase
	fn    *function
	fr    frame
	dot   bool
	input []object.Value
	raw   []object.Value
	// pipeParams is set when the param block takes pipeline input.
	pipeParams bool
}

func newFuncStage(f *frame, fn *function, cc *cmdCode, args []cmdlet.Arg, raw []object.Value, first, dot bool) (stage, error) {
	s := &funcStage{fn: fn, dot: dot, raw: raw}
	s.stageBase = stageBase{e: f.e, f: f, name: fn.name, pos: cc.pos}
	if fn.params != nil {
		a, err := fn.params.bind(fn.name, args)
		if err != nil {
			return nil, f.e.newError(err, fn.name, cc.pos)
		}
		s.args = a
		s.supportsSP = fn.params.info.SupportsShouldProcess
		s.impact = fn.params.info.ConfirmImpact
		if err := s.promptMandatory(a, 0, first); err != nil {
			return nil, err
		}
		if first {
			if err := a.Finish(); err != nil {
				return nil, f.e.newError(err, fn.name, cc.pos)
			}
		}
		s.pipeParams = a.ExpectsInput()
		s.raw = nil
	}
	s.setup()
	return s, nil
}

func (s *funcStage) begin() error {
	sc := s.f.sc
	if !s.dot {
		sc = newScope(s.f.sc)
	}
	s.fr = frame{e: s.e, sc: sc, under: s.f.under, args: s.raw, cmd: &s.stageBase}
	if s.fn.params != nil {
		if err := s.fn.params.setVars(&s.fr, s.args, false); err != nil {
			return err
		}
		// Common parameters act through the function's preferences.
		a := s.args
		if a.Has("ErrorAction") {
			sc.set("ErrorActionPreference", a.String("ErrorAction"))
		}
		if a.Has("WarningAction") {
			sc.set("WarningPreference", a.String("WarningAction"))
		}
		if a.Has("Verbose") && a.Bool("Verbose") {
			sc.set("VerbosePreference", "Continue")
		}
		if s.supportsSP && a.Has("WhatIf") {
			sc.set("WhatIfPreference", a.Bool("WhatIf"))
		}
		if s.supportsSP && a.Has("Confirm") {
			if a.Bool("Confirm") {
				sc.set("ConfirmPreference", "Low")
			} else {
				sc.set("ConfirmPreference", "None")
			}
		}
	}
	return s.run(s.fn.body.begin)
}

func (s *funcStage) run(stmts []execFn) error {
	if len(stmts) == 0 {
		return nil
	}
	if err := s.e.enterCall(s.pos); err != nil {
		return err
	}
	err := runStmts(&s.fr, stmts, s.next)
	s.e.callDepth--
	if _, ok := err.(*returnError); ok {
		return nil
	}
	return err
}

// perObject reports whether the function has a process block.
func (s *funcStage) perObject() bool { return s.fn.filter || s.fn.body.named }

func (s *funcStage) push(v object.Value) error {
	if !s.started {
		s.pending = append(s.pending, v)
		return nil
	}
	if s.args != nil && s.pipeParams {
		if err := s.args.BindInput(v); err != nil {
			return s.after(s.writeError(s.e.newError(err, s.name, s.pos)))
		}
		if err := s.fn.params.setVars(&s.fr, s.args, true); err != nil {
			return err
		}
	}
	if !s.perObject() {
		s.input = append(s.input, v)
		return nil
	}
	s.fr.under = v
	stmts := s.fn.body.process
	if s.fn.filter {
		stmts = s.fn.body.end
	}
	return s.run(stmts)
}

func (s *funcStage) processFirst() error {
	if !s.perObject() {
		return nil
	}
	stmts := s.fn.body.process
	if s.fn.filter {
		stmts = s.fn.body.end
	}
	return s.run(stmts)
}

func (s *funcStage) end() error {
	if s.fn.filter {
		return nil
	}
	if !s.fn.body.named {
		s.fr.input = s.input
		if s.input == nil {
			s.fr.input = []object.Value{}
		}
	}
	return s.run(s.fn.body.end)
}

// ScriptBlock is a { ... } value. It implements cmdlet.ScriptBlock.
type ScriptBlock struct {
	e    *Engine
	code *blockCode
	text string
	sc   *scope
	fr   frame
	busy bool
}

func newScriptBlock(f *frame, code *blockCode, text string) *ScriptBlock {
	return &ScriptBlock{e: f.e, code: code, text: text, sc: f.sc}
}

// String returns the block's source text without the braces.
func (b *ScriptBlock) String() string { return b.text }

// Invoke runs the block in the scope it was written in (as ForEach-Object
// and Where-Object do: `$sum += $_` updates the caller's $sum), with $_
// and $PSItem set to input and $args to args; out receives each output
// object. A block with a param block binds args to it in a child scope.
func (b *ScriptBlock) Invoke(input object.Value, args []object.Value, out func(object.Value) error) error {
	var o outlet = discard{}
	if out != nil {
		o = funcOutlet(out)
	}
	fr := &b.fr
	if b.busy {
		fr = &frame{}
	} else {
		b.busy = true
		defer func() { b.busy = false }()
	}
	*fr = frame{e: b.e, sc: b.sc, under: input, args: args}
	if b.code.param != nil {
		fr.sc = newScope(b.sc)
		if err := b.code.param.bindArgs(fr, args); err != nil {
			return err
		}
	}
	return b.runBody(fr, o)
}

func (b *ScriptBlock) runBody(fr *frame, o outlet) error {
	c := b.code
	e := b.e
	if e.callDepth >= MaxCallDepth {
		return e.enterCall(syntax.Pos{})
	}
	e.callDepth++
	var err error
	if c.named {
		if err = runStmts(fr, c.begin, o); err == nil {
			if err = runStmts(fr, c.process, o); err == nil {
				err = runStmts(fr, c.end, o)
			}
		}
	} else {
		err = runStmts(fr, c.end, o)
	}
	e.callDepth--
	if _, ok := err.(*returnError); ok {
		return nil
	}
	return err
}

// call runs the block in a new child scope of the caller, as & { } and
// .Invoke() do.
func (b *ScriptBlock) call(f *frame, input object.Value, args []object.Value, out outlet) error {
	fr := &frame{e: b.e, sc: newScope(f.sc), under: input, args: args}
	if b.code.param != nil {
		if err := b.code.param.bindArgs(fr, args); err != nil {
			return err
		}
	}
	return b.runBody(fr, out)
}

// compileFilter compiles an OPATH filter for Runtime.CompileFilter.
func (e *Engine) compileFilter(f *frame, text string) (cmdlet.Filter, error) {
	x, err := syntax.ParseFilter(text)
	if err != nil {
		msg := err.Error()
		if se, ok := err.(*syntax.Error); ok {
			msg = fmt.Sprintf("%s (at character %d)", se.Msg, se.Start.Col)
		}
		return nil, fmt.Errorf("Cannot process the filter %q: %s", text, msg)
	}
	c := &compiler{src: text}
	ev := c.expr(x)
	fr := &frame{e: e, sc: f.sc}
	return func(obj object.Value) (bool, error) {
		fr.under = obj
		v, err := ev(fr)
		if err != nil {
			var rt *rtError
			if ok := asRt(err, &rt); ok {
				return false, fmt.Errorf("%s", rt.msg)
			}
			return false, err
		}
		return object.ToBool(v), nil
	}, nil
}

func asRt(err error, rt **rtError) bool {
	r, ok := err.(*rtError)
	if ok {
		*rt = r
	}
	return ok
}

// compileBlockText makes a script block from text ([scriptblock]::Create).
func (e *Engine) compileBlockText(f *frame, text string) (object.Value, error) {
	s, err := syntax.Parse(text)
	if err != nil {
		return nil, err
	}
	c := &compiler{src: text}
	return newScriptBlock(f, c.block(s.Body), text), nil
}

// Functions implements cmdlet.FunctionLister: the functions visible from
// the running command's scope, innermost definitions first, each once.
func (s *stageBase) Functions() []*cmdlet.Info {
	var out []*cmdlet.Info
	seen := map[string]bool{}
	for sc := s.f.sc; sc != nil; sc = sc.parent {
		names := make([]string, 0, len(sc.funcs))
		for k := range sc.funcs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if seen[k] {
				continue
			}
			seen[k] = true
			fn := sc.funcs[k]
			in := &cmdlet.Info{Name: fn.name, Source: "function"}
			if fn.params != nil {
				cp := *fn.params.info
				cp.Name, cp.Source = fn.name, "function"
				in = &cp
			}
			out = append(out, in)
		}
	}
	return out
}
