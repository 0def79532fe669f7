package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/syntax"
)

// stage is one running element of a pipeline. push binds an input object
// and processes it; begin, processFirst (the single Process call of a
// first stage, which has no input) and end follow the cmdlet lifecycle.
type stage interface {
	outlet
	begin() error
	processFirst() error
	end() error
	base() *stageBase
}

// cmdCode is a compiled command element of a pipeline.
type cmdCode struct {
	name   evalFn
	dot    bool
	elems  []elemCode
	redirs []redirCode
	pos    syntax.Pos
	text   string
}

type elemCode struct {
	param bool
	name  string
	colon bool
	val   evalFn
	text  string
	splat *varRef
}

type redirCode struct {
	stream byte
	append bool
	merge  bool
	target evalFn
	null   bool // > $null
}

func (c *compiler) command(cmd *syntax.Command) *cmdCode {
	cc := &cmdCode{dot: cmd.Dot, pos: cmd.Start, text: c.text(cmd)}
	cc.name = c.expr(cmd.Name)
	for _, el := range cmd.Elems {
		switch el := el.(type) {
		case *syntax.CommandParam:
			ec := elemCode{param: true, name: el.Name, colon: el.Colon, text: c.text(el)}
			if el.Colon {
				ec.val = c.argValue(el.Arg)
			}
			cc.elems = append(cc.elems, ec)
		case *syntax.CommandArg:
			if sp, ok := el.Value.(*syntax.Splat); ok {
				r := resolveVar(sp.Name)
				cc.elems = append(cc.elems, elemCode{splat: &r, text: c.text(el)})
				continue
			}
			cc.elems = append(cc.elems, elemCode{val: c.argValue(el.Value), text: c.text(el)})
		}
	}
	for _, r := range cmd.Redirs {
		rc := redirCode{stream: r.Stream, append: r.Append, merge: r.Merge}
		if r.Target != nil {
			if v, ok := r.Target.(*syntax.Variable); ok && strings.EqualFold(v.Name, "null") {
				rc.null = true
			} else {
				rc.target = c.argValue(r.Target)
			}
		}
		cc.redirs = append(cc.redirs, rc)
	}
	return cc
}

// argValue compiles a command argument. A number written in a form that
// its value does not print back to (0012, 0x10, 1kb) is passed as its
// text, so that a [string] parameter such as -Pin keeps the digits as
// typed; parameters of numeric types convert the text as they would the
// number.
func (c *compiler) argValue(e syntax.Expr) evalFn {
	if n, ok := e.(*syntax.NumberLit); ok && object.ToString(n.Value) != n.Text {
		text := n.Text
		if r := []rune(text); len(r) > 0 && r[0] != '-' && (r[0] == '\u2013' || r[0] == '\u2014' || r[0] == '\u2015') {
			text = "-" + string(r[1:])
		}
		return constant(text)
	}
	return c.expr(e)
}

func (c *compiler) pipeline(p *syntax.Pipeline) execFn {
	if len(p.Cmds) == 0 && len(p.Redirs) > 0 {
		return c.redirectedExpr(p)
	}
	if len(p.Cmds) == 0 {
		if quietExpr(p.Expr) {
			ev := c.expr(p.Expr)
			return func(f *frame, out outlet) error {
				_, err := ev(f)
				return err
			}
		}
		en := c.enum(p.Expr)
		return func(f *frame, out outlet) error { return en(f, out) }
	}
	var en enumFn
	if p.Expr != nil {
		en = c.enum(p.Expr)
	}
	cmds := make([]*cmdCode, len(p.Cmds))
	for i, cmd := range p.Cmds {
		cmds[i] = c.command(cmd)
	}
	return func(f *frame, out outlet) error {
		return runPipeline(f, en, cmds, out)
	}
}

// redirectedExpr compiles an expression whose output is redirected
// ('text' > file.txt, $x >> log.txt, $y > $null): the output goes to the
// file as text lines, as a command's redirected output does. Redirections
// of the other streams are accepted and change nothing: an expression
// writes no warnings or verbose messages, and its errors are terminating.
func (c *compiler) redirectedExpr(p *syntax.Pipeline) execFn {
	en := c.enum(p.Expr)
	var reds []redirCode
	for _, r := range p.Redirs {
		rc := redirCode{stream: r.Stream, append: r.Append, merge: r.Merge}
		if r.Target != nil {
			if v, ok := r.Target.(*syntax.Variable); ok && strings.EqualFold(v.Name, "null") {
				rc.null = true
			} else {
				rc.target = c.argValue(r.Target)
			}
		}
		reds = append(reds, rc)
	}
	pos := p.Start
	return func(f *frame, out outlet) (err error) {
		o := out
		for _, r := range reds {
			if r.merge || (r.stream != '1' && r.stream != '*') {
				continue
			}
			if r.null {
				o = discard{}
				continue
			}
			tv, terr := r.target(f)
			if terr != nil {
				return terr
			}
			path := object.ToString(tv)
			flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
			if r.append {
				flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
			}
			file, ferr := os.OpenFile(path, flags, 0o644)
			if ferr != nil {
				return &rtError{pos: pos, msg: fmt.Sprintf("Could not open the file '%s': %v", path, ferr)}
			}
			w := bufio.NewWriter(file)
			defer func() {
				ferr := w.Flush()
				if cerr := file.Close(); ferr == nil {
					ferr = cerr
				}
				if ferr != nil && err == nil {
					err = f.e.newError(ferr, "", pos)
				}
			}()
			o = funcOutlet(func(v object.Value) error {
				if v == nil {
					return nil
				}
				_, err := fmt.Fprintln(w, object.ToString(v))
				return err
			})
		}
		return en(f, o)
	}
}

// quietExpr reports whether an expression statement outputs nothing:
// ++ and -- and a [void] cast.
func quietExpr(e syntax.Expr) bool {
	switch e := e.(type) {
	case *syntax.Unary:
		return e.Op == "++" || e.Op == "--"
	case *syntax.Postfix:
		return true
	case *syntax.Cast:
		return strings.EqualFold(e.Type, "void")
	}
	return false
}

func runPipeline(f *frame, en enumFn, cmds []*cmdCode, out outlet) (err error) {
	stages := make([]stage, len(cmds))
	for i, cc := range cmds {
		st, err := cc.newStage(f, i, i == 0 && en == nil)
		if err != nil {
			return err
		}
		stages[i] = st
	}
	ps := &pipeState{stages: stages}
	allPure := true
	for i, st := range stages {
		b := st.base()
		b.ps, b.index = ps, i
		// The first command's input, if any, is a value computed before.
		b.upstreamPure = (i == 0 && en != nil) || (i > 0 && allPure)
		allPure = allPure && pureStage(st, cmds[i])
	}
	// A command whose End never runs (its stage was stopped, or a
	// terminating error ended the pipeline) is disposed of if it can be:
	// a plugin stage then frees its instance and commits nothing more.
	ended := make([]bool, len(stages))
	defer func() {
		for i, st := range stages {
			if ended[i] {
				continue
			}
			if cs, ok := st.(*cmdStage); ok {
				if d, ok := cs.cmd.(interface{ Dispose() }); ok {
					d.Dispose()
				}
			}
		}
	}()
	var closers []func() error
	defer func() {
		for _, c := range closers {
			if cerr := c(); cerr != nil && err == nil {
				err = f.e.newError(cerr, "", cmds[0].pos)
			}
		}
	}()
	for i := len(stages) - 1; i >= 0; i-- {
		b := stages[i].base()
		if i == len(stages)-1 {
			b.next = out
		} else {
			b.next = stages[i+1]
		}
		for _, r := range cmds[i].redirs {
			closer, err := b.redirect(r)
			if err != nil {
				return err
			}
			if closer != nil {
				closers = append(closers, closer)
			}
		}
	}
	// A stage may ask for no more input (cmdlet.ErrStopUpstream): the
	// stages up to and including it then stop, their End blocks skipped,
	// and the stages after it end normally, as in PowerShell.
	from, stopped := 0, false
	stop := func(err error) error {
		i := stopIndex(stages, err)
		if i < 0 {
			return err
		}
		stopped = true
		if i+1 > from {
			from = i + 1
		}
		return nil
	}
	for i, st := range stages {
		if err := st.begin(); err != nil {
			if err := stop(err); err != nil {
				return err
			}
		}
		st.base().started = true
		if cs, ok := st.(*cmdStage); ok {
			if _, ok := cs.cmd.(cmdlet.Batcher); ok {
				ps.batchers = append(ps.batchers, i)
			}
		}
	}
	// Objects written by Begin blocks waited for the downstream Begin;
	// deliver them, last stage first, so each stage sees them in the order
	// they were written.
	for i := len(stages) - 1; i >= 0 && !stopped; i-- {
		b := stages[i].base()
		pending := b.pending
		b.pending = nil
		for _, v := range pending {
			if err := stages[i].push(v); err != nil {
				if err := stop(err); err != nil {
					return err
				}
				break
			}
		}
	}
	if !stopped {
		if en != nil {
			err = en(f, stages[0])
		} else {
			err = stages[0].processFirst()
		}
		if err != nil {
			if err := stop(err); err != nil {
				return err
			}
		}
	}
	for i := from; i < len(stages); i++ {
		ended[i] = true
		if err := stages[i].end(); err != nil {
			if j := stopIndex(stages, err); j >= i {
				i = j
				continue
			}
			return err
		}
	}
	for _, st := range stages {
		st.base().finish()
	}
	return nil
}

// pipeState is what the stages of one running pipeline know of each other:
// which of them may hold input objects (cmdlet.Batcher).
type pipeState struct {
	stages   []stage
	batchers []int // indexes in stages, ascending
}

// pureStage reports whether a stage does nothing observable but write its
// output and error streams (cmdlet.Info.Pure, with no redirection or
// variable of its own).
func pureStage(st stage, cc *cmdCode) bool {
	cs, ok := st.(*cmdStage)
	return ok && cs.info.Pure && len(cc.redirs) == 0 && !cs.mergeErr && cs.errVar == "" && cs.outVar == ""
}

// flushDownstream has the batching commands after s process what they
// hold, before s does something observable (writes an error, a warning, a
// verbose message, or fails), so that everything s wrote before has been
// processed as if nobody had held it. A failing flush ends that stage:
// its error is returned here and by its next push.
func (s *stageBase) flushDownstream() error {
	ps := s.ps
	if ps == nil || len(ps.batchers) == 0 {
		return nil
	}
	for _, i := range ps.batchers {
		if i <= s.index {
			continue
		}
		if err := ps.stages[i].(*cmdStage).flush(); err != nil {
			return err
		}
	}
	return nil
}

// flush has the stage's command process the input objects it holds, if it
// is a cmdlet.Batcher that has not failed. A failure ends the stage: it is
// returned here and by the stage's next push or end.
func (s *cmdStage) flush() error {
	b, ok := s.cmd.(cmdlet.Batcher)
	if !ok || s.flushErr != nil {
		return nil
	}
	if err := b.Flush(s); err != nil {
		s.flushErr = s.after(err)
		return s.flushErr
	}
	return nil
}

// UpstreamPure implements cmdlet.Purity.
func (s *stageBase) UpstreamPure() bool { return s.upstreamPure }

// stopIndex returns the index among stages of the stage that asked to
// stop its upstream commands with err, or -1 when err is not such a
// request from one of them.
func stopIndex(stages []stage, err error) int {
	var su *stopUpstream
	if !errors.As(err, &su) {
		return -1
	}
	for i, st := range stages {
		if st.base() == su.st {
			return i
		}
	}
	return -1
}

// newStage resolves and binds one command of a pipeline.
func (cc *cmdCode) newStage(f *frame, index int, first bool) (stage, error) {
	e := f.e
	nv, err := cc.name(f)
	if err != nil {
		return nil, err
	}
	args, raw, err := cc.evalArgs(f)
	if err != nil {
		return nil, err
	}
	switch n := nv.(type) {
	case *ScriptBlock:
		fn := &function{name: "<ScriptBlock>", body: n.code, params: n.code.param, defScope: n.sc}
		return newFuncStage(f, fn, cc, args, raw, first, cc.dot)
	case string:
		if fn := f.sc.findFunc(object.Fold(n)); fn != nil {
			return newFuncStage(f, fn, cc, args, raw, first, cc.dot)
		}
		info, ok := e.reg.Lookup(n)
		if !ok {
			return nil, &rtError{cmd: n, pos: cc.pos,
				msg: fmt.Sprintf("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.", n),
				rec: &cmdlet.ErrorRecord{Category: cmdlet.ObjectNotFound, ID: "CommandNotFoundException", Target: n, Err: errors.New("command not found")}}
		}
		return newCmdStage(f, info, n, cc, args, index, first)
	}
	return nil, &rtError{pos: cc.pos, msg: "The expression after '&' in a pipeline element produced an object that was not valid. It must result in a command name or a script block."}
}

// evalArgs evaluates a command's elements into binder arguments, and into
// plain values for functions without a param block ($args).
func (cc *cmdCode) evalArgs(f *frame) ([]cmdlet.Arg, []object.Value, error) {
	if len(cc.elems) == 0 {
		return nil, nil, nil
	}
	args := make([]cmdlet.Arg, 0, len(cc.elems))
	raw := make([]object.Value, 0, len(cc.elems))
	for _, el := range cc.elems {
		switch {
		case el.splat != nil:
			v := el.splat.get(f)
			switch x := v.(type) {
			case *object.Hashtable:
				for i := 0; i < x.Len(); i++ {
					k, val := x.At(i)
					args = append(args, cmdlet.Arg{Name: k, Value: val, Colon: true, Text: "-" + k})
					raw = append(raw, "-"+k+":", val)
				}
			case []object.Value:
				for _, val := range x {
					args = append(args, cmdlet.Arg{Value: val, Text: object.ToString(val)})
					raw = append(raw, val)
				}
			case nil:
			default:
				args = append(args, cmdlet.Arg{Value: x, Text: object.ToString(x)})
				raw = append(raw, x)
			}
		case el.param:
			a := cmdlet.Arg{Name: el.name, Colon: el.colon, Text: el.text}
			if el.colon {
				v, err := el.val(f)
				if err != nil {
					return nil, nil, err
				}
				a.Value = v
				raw = append(raw, "-"+el.name+":", v)
			} else {
				raw = append(raw, "-"+el.name)
			}
			args = append(args, a)
		default:
			v, err := el.val(f)
			if err != nil {
				return nil, nil, err
			}
			args = append(args, cmdlet.Arg{Value: v, Text: el.text})
			raw = append(raw, v)
		}
	}
	return args, raw, nil
}

// stageBase is what every stage shares: the statement's frame, the next
// stage, the common parameters, and the cmdlet.Runtime methods.
type stageBase struct {
	e    *Engine
	f    *frame
	name string
	text string // the command's source text
	pos  syntax.Pos
	next outlet
	args *cmdlet.Args

	supportsSP bool
	impact     cmdlet.Impact
	errAction  string
	warnAction string
	verbose    bool
	whatIf     bool
	confirm    int8 // -1 unset, 0 -Confirm:$false, 1 -Confirm
	mergeErr   bool

	errVar       string
	errVarAppend bool
	outVar       string
	outVals      []object.Value

	yesAll, noAll bool
	pendingStop   error
	written       int

	ps           *pipeState
	index        int   // in ps.stages
	upstreamPure bool  // cmdlet.Purity
	flushErr     error // a failed Flush of this stage's command

	// started is set once Begin ran; objects pushed before wait in
	// pending.
	started bool
	pending []object.Value
}

func (s *stageBase) base() *stageBase { return s }

// setup resolves the common parameters and preference variables.
func (s *stageBase) setup() {
	f, a := s.f, s.args
	has := func(name string) bool { return a != nil && a.Has(name) }
	s.errAction = strings.ToLower(f.preference("ErrorActionPreference", "Continue"))
	if has("ErrorAction") {
		s.errAction = strings.ToLower(a.String("ErrorAction"))
	}
	s.warnAction = strings.ToLower(f.preference("WarningPreference", "Continue"))
	if has("WarningAction") {
		s.warnAction = strings.ToLower(a.String("WarningAction"))
	}
	s.verbose = strings.EqualFold(f.preference("VerbosePreference", "SilentlyContinue"), "Continue")
	if has("Verbose") {
		s.verbose = a.Bool("Verbose")
	}
	wi, _ := f.lookup("WhatIfPreference")
	s.whatIf = object.ToBool(wi)
	s.confirm = -1
	if s.supportsSP {
		if has("WhatIf") {
			s.whatIf = a.Bool("WhatIf")
		}
		if has("Confirm") {
			s.confirm = 0
			if a.Bool("Confirm") {
				s.confirm = 1
			}
		}
	}
	if has("ErrorVariable") {
		s.errVar = a.String("ErrorVariable")
		if strings.HasPrefix(s.errVar, "+") {
			s.errVar, s.errVarAppend = s.errVar[1:], true
		}
		if !s.errVarAppend {
			s.f.sc.set(s.errVar, []object.Value{})
		}
	}
	if has("OutVariable") {
		s.outVar = a.String("OutVariable")
	}
}

// redirect applies one redirection to the stage; it returns a closer for
// files.
func (s *stageBase) redirect(r redirCode) (func() error, error) {
	if r.merge {
		if r.stream == '2' || r.stream == '*' {
			s.mergeErr = true
		}
		return nil, nil
	}
	if r.null {
		switch r.stream {
		case '1':
			s.next = discard{}
		case '2':
			s.errAction = "silentlycontinue"
		case '3':
			s.warnAction = "silentlycontinue"
		case '4':
			s.verbose = false
		case '*':
			s.next = discard{}
			s.errAction, s.warnAction, s.verbose = "silentlycontinue", "silentlycontinue", false
		}
		return nil, nil
	}
	tv, err := r.target(s.f)
	if err != nil {
		return nil, err
	}
	path := object.ToString(tv)
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if r.append {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	file, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, &rtError{cmd: s.name, pos: s.pos, msg: fmt.Sprintf("Could not open the file '%s': %v", path, err)}
	}
	w := bufio.NewWriter(file)
	if r.stream == '1' || r.stream == '*' {
		s.next = funcOutlet(func(v object.Value) error {
			if v == nil {
				return nil
			}
			_, err := fmt.Fprintln(w, object.ToString(v))
			return err
		})
	}
	return func() error {
		if err := w.Flush(); err != nil {
			file.Close()
			return err
		}
		return file.Close()
	}, nil
}

// after turns what a cmdlet call returned into the stage's result.
func (s *stageBase) after(err error) error {
	if err == nil {
		if s.pendingStop != nil {
			err, s.pendingStop = s.pendingStop, nil
			return err
		}
		return nil
	}
	var su *stopUpstream
	if errors.As(err, &su) {
		return su
	}
	if errors.Is(err, cmdlet.ErrStopUpstream) {
		return &stopUpstream{st: s}
	}
	if isControl(err) {
		return err
	}
	var st *stopError
	if errors.As(err, &st) {
		return st
	}
	var rt *rtError
	if !errors.As(err, &rt) && s.e.ctx.Err() == nil {
		// This command failed (an error from downstream is an *rtError
		// already): what it wrote before is processed first.
		if ferr := s.flushDownstream(); ferr != nil {
			return ferr
		}
	}
	return s.e.newError(err, s.name, s.pos)
}

// finish sets -OutVariable.
func (s *stageBase) finish() {
	if s.outVar != "" {
		s.f.sc.set(s.outVar, s.outVals)
	}
}

// Context implements cmdlet.Runtime.
func (s *stageBase) Context() context.Context { return s.e.ctx }

// WriteObject implements cmdlet.Runtime: a synchronous push downstream.
func (s *stageBase) WriteObject(v object.Value) error {
	if s.written++; s.written&255 == 0 {
		if err := s.e.cancelled(); err != nil {
			return err
		}
	}
	if s.outVar != "" {
		s.outVals = append(s.outVals, v)
	}
	return s.next.push(v)
}

// WriteError implements cmdlet.Runtime.
//
// As in PowerShell, an error written by Write-Error is shown as the
// calling function's ("f : message", at the call of f), or with the
// command's text at top level ("Write-Error 'x' : x").
func (s *stageBase) WriteError(rec *cmdlet.ErrorRecord) error {
	pos := s.pos
	if rec.Command == "" {
		rec.Command = s.name
	}
	// display is the name the error is shown under, suffix what follows
	// the error ID in FullyQualifiedErrorId; the record keeps the command
	// that wrote it (CategoryInfo's activity).
	display, suffix := rec.Command, rec.Command
	if strings.EqualFold(s.name, "Write-Error") && strings.EqualFold(rec.Command, "Write-Error") {
		if caller := s.f.cmd; caller != nil {
			display, suffix, pos = caller.name, caller.name, caller.pos
		} else if s.text != "" {
			display, suffix = s.text, ""
		}
	}
	msg := "Error"
	if rec.Err != nil {
		msg = rec.Err.Error()
	}
	return s.writeError(&rtError{msg: msg, cmd: display, idSuffix: &suffix, pos: pos, rec: rec, err: rec})
}

// writeError is the error stream of the stage, honouring -ErrorAction,
// $ErrorActionPreference and -ErrorVariable.
func (s *stageBase) writeError(r *rtError) error {
	e := s.e
	if s.errAction == "ignore" {
		return nil
	}
	if err := s.flushDownstream(); err != nil {
		return err
	}
	e.errSeq++
	// -ErrorVariable of this command and of the functions it runs in (an
	// advanced function's -ErrorVariable collects the errors written inside
	// it, as in PowerShell).
	var rec object.Value
	for st := s; st != nil; st = st.f.cmd {
		if st.errVar == "" {
			continue
		}
		if rec == nil {
			rec = errorRecordValue(r)
		}
		old, _ := st.f.sc.get(object.Fold(st.errVar))
		list, _ := old.([]object.Value)
		if old != nil && list == nil {
			list = []object.Value{old}
		}
		st.f.sc.set(st.errVar, append(append([]object.Value(nil), list...), rec))
	}
	e.record(r)
	if s.mergeErr {
		return s.next.push(errorRecordValue(r))
	}
	switch s.errAction {
	case "silentlycontinue":
		return nil
	case "stop":
		st := &stopError{err: r}
		s.pendingStop = st
		return st
	}
	e.print(r)
	e.errorsWritten++
	return nil
}

// WriteWarning implements cmdlet.Runtime.
func (s *stageBase) WriteWarning(msg string) {
	switch s.warnAction {
	case "silentlycontinue", "ignore":
		return
	}
	s.flushDownstream() // a failure is the flushed stage's, returned by its next push
	fmt.Fprintf(s.e.stderr, "WARNING: %s\n", msg)
	if s.warnAction == "stop" && s.pendingStop == nil {
		s.pendingStop = &stopError{printed: true, err: &rtError{cmd: s.name, pos: s.pos,
			msg: "The running command stopped because the preference variable \"WarningPreference\" or common parameter is set to Stop: " + msg}}
		s.e.print(s.pendingStop.(*stopError).err)
		s.e.errorsWritten++
	}
}

// WriteVerbose implements cmdlet.Runtime.
func (s *stageBase) WriteVerbose(msg string) {
	if s.verbose {
		s.flushDownstream()
		fmt.Fprintf(s.e.stderr, "VERBOSE: %s\n", msg)
	}
}

// WriteProgress implements cmdlet.Runtime: the latest report is kept for
// the host ([Engine.LastProgress], [Options.OnProgress]).
func (s *stageBase) WriteProgress(activity string, done, total int64) {
	p := Progress{Command: s.name, Activity: activity, Done: done, Total: total}
	s.e.progress = p
	if s.e.opts.OnProgress != nil {
		s.e.opts.OnProgress(p)
	}
}

// Operator implements cmdlet.Runtime.
func (s *stageBase) Operator() string { return s.e.opts.Operator }

// CommandName implements cmdlet.Runtime.
func (s *stageBase) CommandName() string { return s.name }

// Var implements cmdlet.Runtime.
func (s *stageBase) Var(name string) (object.Value, bool) { return s.f.lookup(name) }

// CompileFilter implements cmdlet.Runtime.
func (s *stageBase) CompileFilter(text string) (cmdlet.Filter, error) {
	return s.e.compileFilter(s.f, text)
}

const confirmHelp = `Y - Continue with only the next step of the operation.
A - Continue with all the steps of the operation.
N - Skip this operation and proceed with the next operation.
L - Skip this operation and all subsequent operations.
S - Pause the current pipeline and return to the command prompt. Type "exit" to resume the pipeline.
`

// ShouldProcess implements cmdlet.Runtime: -WhatIf prints PowerShell's
// line and answers no; a prompt appears with -Confirm or when the
// command's ConfirmImpact is at or above $ConfirmPreference.
func (s *stageBase) ShouldProcess(target, action string) (bool, error) {
	e := s.e
	if action == "" {
		action = s.name
	}
	if s.whatIf {
		fmt.Fprintf(e.stdout, "What if: Performing the operation \"%s\" on target \"%s\".\n", action, target)
		return false, nil
	}
	if s.noAll {
		return false, nil
	}
	if s.yesAll {
		return true, nil
	}
	prompt := false
	switch s.confirm {
	case 1:
		prompt = true
	case 0:
		prompt = false
	default:
		pref := s.f.preference("ConfirmPreference", "High")
		if !strings.EqualFold(pref, "None") {
			level, _ := cmdlet.ParseImpact(pref)
			prompt = s.impact >= level
		}
	}
	if !prompt {
		return true, nil
	}
	h := e.opts.Host
	if h == nil || !h.Interactive() {
		return false, &rtError{cmd: s.name, pos: s.pos, msg: fmt.Sprintf("Cannot confirm the operation \"%s\" on target \"%s\": pinsh has no terminal to prompt on. Use -Confirm:$false to proceed without a prompt, or -WhatIf to see what would happen.", action, target),
			rec: &cmdlet.ErrorRecord{Category: cmdlet.InvalidOperation, ID: "NoTerminal", Err: errors.New("cannot prompt")}}
	}
	text := fmt.Sprintf("Confirm\nAre you sure you want to perform this action?\nPerforming the operation \"%s\" on target \"%s\".\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is \"Y\"): ", action, target)
	for {
		line, err := h.ReadLine(text)
		if err != nil {
			return false, &rtError{cmd: s.name, pos: s.pos, msg: "The confirmation prompt was cancelled: " + err.Error()}
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "", "y", "yes":
			return true, nil
		case "a":
			s.yesAll = true
			return true, nil
		case "n", "no":
			return false, nil
		case "l":
			s.noAll = true
			return false, nil
		case "s":
			return false, &rtError{cmd: s.name, pos: s.pos, msg: "The command was stopped: pinsh cannot suspend a pipeline."}
		case "?":
			fmt.Fprint(e.stdout, confirmHelp)
		}
	}
}

// cmdStage runs a cmdlet.
type cmdStage struct {
	stageBase
	info *cmdlet.Info
	cmd  cmdlet.Command
}

func newCmdStage(f *frame, info *cmdlet.Info, name string, cc *cmdCode, args []cmdlet.Arg, index int, first bool) (stage, error) {
	e := f.e
	a, err := cmdlet.Bind(info, args)
	if err != nil {
		return nil, e.newError(err, info.Name, cc.pos)
	}
	s := &cmdStage{info: info}
	s.stageBase = stageBase{e: e, f: f, name: info.Name, text: cc.text, pos: cc.pos, args: a,
		supportsSP: info.SupportsShouldProcess, impact: info.ConfirmImpact}
	if err := s.promptMandatory(a, index, first); err != nil {
		return nil, err
	}
	if first {
		if err := a.Finish(); err != nil {
			return nil, e.newError(err, info.Name, cc.pos)
		}
	}
	s.setup()
	return s, nil
}

// promptMandatory asks for missing mandatory parameters on an interactive
// host, as PowerShell does; without one it reports them.
func (s *stageBase) promptMandatory(a *cmdlet.Args, index int, first bool) error {
	miss := a.Missing(!first)
	if len(miss) == 0 {
		return nil
	}
	h := s.e.opts.Host
	if h == nil || !h.Interactive() {
		if first {
			return nil // Finish reports them
		}
		var names []string
		for _, p := range miss {
			names = append(names, p.Name)
		}
		return &rtError{cmd: s.name, pos: s.pos, msg: fmt.Sprintf("Cannot process command because of one or more missing mandatory parameters: %s.", strings.Join(names, " "))}
	}
	fmt.Fprintf(s.e.stdout, "\ncmdlet %s at command pipeline position %d\nSupply values for the following parameters:\n", s.name, index+1)
	for _, p := range miss {
		var line string
		var err error
		if sr, ok := h.(SecretReader); ok && p.Secret {
			line, err = sr.ReadSecret(p.Name + ": ")
		} else {
			line, err = h.ReadLine(p.Name + ": ")
		}
		if err != nil {
			return &rtError{cmd: s.name, pos: s.pos, msg: "The prompt for parameter '" + p.Name + "' was cancelled: " + err.Error()}
		}
		if line == "" {
			return &rtError{cmd: s.name, pos: s.pos, msg: fmt.Sprintf("Cannot bind argument to parameter '%s' because it is an empty string.", p.Name)}
		}
		if err := a.SetValue(p.Name, line); err != nil {
			return s.e.newError(err, s.name, s.pos)
		}
	}
	return nil
}

func (s *cmdStage) begin() error {
	s.cmd = s.info.New()
	return s.after(s.cmd.Begin(s, s.args))
}

func (s *cmdStage) push(v object.Value) error {
	if !s.started {
		s.pending = append(s.pending, v)
		return nil
	}
	if s.flushErr != nil {
		return s.flushErr
	}
	if err := s.args.BindInput(v); err != nil {
		// The error is this object's: the objects held before it are
		// processed first.
		if ferr := s.flush(); ferr != nil {
			return ferr
		}
		rt := s.e.newError(err, s.name, s.pos)
		return s.after(s.writeError(rt))
	}
	return s.after(s.cmd.Process(s, s.args))
}

func (s *cmdStage) processFirst() error { return s.after(s.cmd.Process(s, s.args)) }

func (s *cmdStage) end() error {
	if s.flushErr != nil {
		return s.flushErr
	}
	return s.after(s.cmd.End(s, s.args))
}
