// Package engine runs pinsh scripts: it compiles a syntax tree once into a
// tree of Go closures (parse once, compile once, run many, as Elvish does),
// evaluates statements, variables, operators and script blocks, and runs
// pipelines in PowerShell's push model: every object goes through all the
// downstream stages before the upstream stage produces the next, with no
// goroutine or channel per object.
//
// Cmdlets come from a [cmdlet.Registry]; the engine implements
// [cmdlet.Runtime] for every pipeline stage (output, the error stream,
// warnings, -WhatIf/-Confirm) and [cmdlet.ScriptBlock] for { ... } values.
//
// An Engine is not safe for concurrent use: one session, one goroutine.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/syntax"
)

// Host is the terminal a session may prompt on (-Confirm, missing
// mandatory parameters).
type Host interface {
	// Interactive reports whether a user can answer prompts.
	Interactive() bool
	// ReadLine shows prompt and reads one line of input.
	ReadLine(prompt string) (string, error)
}

// SecretReader is implemented by hosts that can read a line without
// echoing it; the engine uses it for parameters marked Secret (a PIN).
type SecretReader interface {
	ReadSecret(prompt string) (string, error)
}

// Sink receives a script's output objects: Out-Default, the formatter at
// the end of every top-level pipeline.
type Sink interface {
	Write(v object.Value) error
	Close() error
}

// Progress is the latest Write-Progress report.
type Progress struct {
	Command  string
	Activity string
	Done     int64
	Total    int64 // -1 when unknown
}

// Options configures an [Engine].
type Options struct {
	// Registry holds the cmdlets the session can run.
	Registry *cmdlet.Registry
	// Stdout receives formatted output and What if lines; Stderr errors,
	// warnings and verbose messages. Nil means discard.
	Stdout, Stderr io.Writer
	// Host is the terminal for prompts; nil or non-interactive makes every
	// prompt a terminating error rather than a hang.
	Host Host
	// Operator is the principal commands run as.
	Operator string
	// Args is $args for a script.
	Args []object.Value
	// NewOutput makes the Out-Default sink for one Run; nil writes each
	// object's text form on a line.
	NewOutput func(w io.Writer) Sink
	// OnProgress, when set, is called for every Write-Progress report.
	OnProgress func(Progress)
}

// Engine is one session: variables, functions and $Error persist across
// [Engine.Run] calls.
type Engine struct {
	opts   Options
	reg    *cmdlet.Registry
	global *scope
	stdout io.Writer
	stderr io.Writer

	// errList is $Error, newest first.
	errList []object.Value
	// errorsWritten counts the error records shown (or that stopped a
	// script); errSeq counts every error event, for $?.
	errorsWritten int
	errSeq        int
	lastOK        bool

	ctx      context.Context
	done     <-chan struct{}
	file     string
	src      string
	progress Progress
	exited   bool
	exitCode int
	// tryDepth counts the try blocks running; inside one, statement-
	// terminating errors go to the catch block instead of the screen.
	tryDepth int
	// callDepth counts nested function and script block calls.
	callDepth int
}

// MaxCallDepth is the deepest nesting of function and script block calls;
// deeper recursion is a terminating error, never a crash.
const MaxCallDepth = 1000

// enterCall counts one call level; leave must be called when it ends.
func (e *Engine) enterCall(pos syntax.Pos) error {
	if e.callDepth >= MaxCallDepth {
		return &stopError{err: &rtError{pos: pos, msg: fmt.Sprintf("The script failed due to call depth overflow (more than %d nested calls).", MaxCallDepth)}}
	}
	e.callDepth++
	return nil
}

// New returns an engine with the given options.
func New(opts Options) *Engine {
	e := &Engine{opts: opts, reg: opts.Registry, lastOK: true, ctx: context.Background()}
	if e.reg == nil {
		e.reg = cmdlet.NewRegistry()
	}
	e.stdout, e.stderr = opts.Stdout, opts.Stderr
	if e.stdout == nil {
		e.stdout = io.Discard
	}
	if e.stderr == nil {
		e.stderr = io.Discard
	}
	e.global = newScope(nil)
	home, _ := os.UserHomeDir()
	for name, v := range map[string]object.Value{
		"ErrorActionPreference": "Continue",
		"WarningPreference":     "Continue",
		"VerbosePreference":     "SilentlyContinue",
		"DebugPreference":       "SilentlyContinue",
		"InformationPreference": "SilentlyContinue",
		"ProgressPreference":    "Continue",
		"ConfirmPreference":     "High",
		"WhatIfPreference":      false,
		"HOME":                  home,
		"OFS":                   " ",
		"MaximumErrorCount":     int64(256),
		"PSVersionTable":        psVersionTable(),
		"PSCulture":             "en-US",
		"PSUICulture":           "en-US",
		"ShellId":               "pinsh",
		"NestedPromptLevel":     int64(0),
		"PSEdition":             "Core",
	} {
		e.global.set(name, v)
	}
	return e
}

func psVersionTable() *object.Hashtable {
	h := object.NewHashtable()
	h.Set("PSVersion", "5.1")
	h.Set("PSEdition", "pinsh")
	return h
}

// SetVar sets a global variable.
func (e *Engine) SetVar(name string, v object.Value) { e.global.set(name, v) }

// Var reads a variable as the global scope sees it, automatic variables
// included.
func (e *Engine) Var(name string) (object.Value, bool) {
	f := &frame{e: e, sc: e.global}
	return f.lookup(name)
}

// ErrorsWritten returns the number of error records shown so far.
func (e *Engine) ErrorsWritten() int { return e.errorsWritten }

// Exited reports whether a script ran `exit`, and its code; the REPL ends
// the session then.
func (e *Engine) Exited() (code int, ok bool) { return e.exitCode, e.exited }

// LastProgress returns the latest Write-Progress report.
func (e *Engine) LastProgress() Progress { return e.progress }

// Parse checks src without running it. The error, if any, is a
// *syntax.Error whose Partial flag tells the REPL to read more lines.
func (e *Engine) Parse(src, filename string) error {
	_, err := syntax.Parse(src)
	if err != nil {
		return err
	}
	return nil
}

// Run parses, compiles and runs src. filename names the script in error
// positions ("At FILE:L char:C"); empty for commands typed or given with
// -c ("At line:L char:C"). It returns the exit status: the code of `exit
// N`, 2 when src does not parse (nothing runs then), 1 when an error
// record was written, else 0.
func (e *Engine) Run(ctx context.Context, src, filename string) (exitCode int) {
	script, err := syntax.Parse(src)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			fmt.Fprint(e.stderr, se.Format(filename))
		} else {
			fmt.Fprintln(e.stderr, err)
		}
		return 2
	}
	c := &compiler{src: src}
	code := c.script(script)

	if ctx == nil {
		ctx = context.Background()
	}
	savedCtx, savedDone, savedFile, savedSrc := e.ctx, e.done, e.file, e.src
	e.ctx, e.done, e.file, e.src = ctx, ctx.Done(), filename, src
	defer func() { e.ctx, e.done, e.file, e.src = savedCtx, savedDone, savedFile, savedSrc }()
	e.exited = false
	e.tryDepth, e.callDepth = 0, 0
	if filename != "" {
		if abs, err := filepath.Abs(filename); err == nil {
			e.global.set("PSCommandPath", abs)
			e.global.set("PSScriptRoot", filepath.Dir(abs))
		}
	}

	var sink Sink
	if e.opts.NewOutput != nil {
		sink = e.opts.NewOutput(e.stdout)
	} else {
		sink = &lineSink{w: e.stdout}
	}
	before := e.errorsWritten
	f := &frame{e: e, sc: e.global, args: e.opts.Args}
	err = e.runProtected(code, f, sinkOutlet{sink})
	if cerr := sink.Close(); cerr != nil && err == nil {
		err = e.newError(cerr, "", syntax.Pos{Line: 1, Col: 1})
	}
	switch x := err.(type) {
	case nil:
	case *exitError:
		code := x.code
		if x.auto {
			code = 0
			if e.errorsWritten > before {
				code = 1
			}
		}
		e.exited, e.exitCode = true, code
		return code
	case *stopError:
		if !x.printed {
			e.print(x.err)
			e.errorsWritten++
		}
	case *rtError:
		e.print(x)
		e.errorsWritten++
	case *breakError, *continueError, *returnError, *stopUpstream:
	default:
		if ctx.Err() != nil {
			return 130
		}
		fmt.Fprintln(e.stderr, err)
		e.errorsWritten++
	}
	if ctx.Err() != nil {
		return 130
	}
	if e.errorsWritten > before {
		return 1
	}
	return 0
}

// runProtected runs a script, turning a panic (a bug in a cmdlet or in
// the engine) into an error so that an interactive session survives it.
func (e *Engine) runProtected(code *scriptCode, f *frame, out outlet) (err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			if len(stack) > 2000 {
				stack = stack[:2000]
			}
			err = &rtError{msg: fmt.Sprintf("pinsh internal error: %v\n%s", r, stack)}
		}
	}()
	return code.run(f, out)
}

// lineSink is the default output: each object's text form on a line.
type lineSink struct{ w io.Writer }

func (s *lineSink) Write(v object.Value) error {
	if v == nil {
		return nil
	}
	_, err := fmt.Fprintln(s.w, object.ToString(v))
	return err
}

func (s *lineSink) Close() error { return nil }

// Errors.

// rtError is a statement-terminating error: it stops the current
// statement, is shown, and the script goes on.
type rtError struct {
	msg string
	// cmd is the command that failed, shown as "cmd : msg".
	cmd string
	pos syntax.Pos
	// rec is the cmdlet's record, when there is one.
	rec *cmdlet.ErrorRecord
	// idSuffix, when set, is what follows the error ID in
	// FullyQualifiedErrorId ("" for none); otherwise cmd is.
	idSuffix *string
	err      error
}

func (e *rtError) Error() string {
	if e.cmd != "" {
		return e.cmd + " : " + e.msg
	}
	return e.msg
}

func (e *rtError) Unwrap() error { return e.err }

// stopError is a script-terminating error: throw, or an error escalated by
// -ErrorAction Stop. printed is set when it was shown already.
type stopError struct {
	err     *rtError
	printed bool
}

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

type exitError struct {
	code int
	// auto is set for a bare exit: the status follows the error rule.
	auto bool
}

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

type breakError struct{ label string }

func (e *breakError) Error() string { return "break outside a loop" }

type continueError struct{ label string }

func (e *continueError) Error() string { return "continue outside a loop" }

type returnError struct{}

func (e *returnError) Error() string { return "return" }

// stopUpstream carries a stage's [cmdlet.ErrStopUpstream] up through the
// upstream stages, which stop producing, to the pipeline that owns the
// stage; that pipeline then ends the stages downstream of it normally.
type stopUpstream struct{ st *stageBase }

func (e *stopUpstream) Error() string { return "the pipeline's upstream commands were stopped" }

// Unwrap lets a cmdlet that receives it from WriteObject recognise it.
func (e *stopUpstream) Unwrap() error { return cmdlet.ErrStopUpstream }

// isControl reports whether err is control flow or a script-terminating
// error that must pass through statement boundaries untouched.
func isControl(err error) bool {
	switch err.(type) {
	case *stopError, *exitError, *breakError, *continueError, *returnError, *stopUpstream:
		return true
	}
	return false
}

// newError makes a statement-terminating error from a Go error at pos.
func (e *Engine) newError(err error, cmd string, pos syntax.Pos) *rtError {
	var rt *rtError
	if errors.As(err, &rt) {
		return rt
	}
	var be *cmdlet.BindError
	if errors.As(err, &be) {
		return &rtError{msg: be.Msg, cmd: be.Command, pos: pos, err: err,
			rec: &cmdlet.ErrorRecord{Err: err, Category: cmdlet.InvalidArgument, ID: "ParameterBindingException", Command: be.Command}}
	}
	var rec *cmdlet.ErrorRecord
	if errors.As(err, &rec) {
		if rec.Command != "" {
			cmd = rec.Command
		}
		return &rtError{msg: rec.Err.Error(), cmd: cmd, pos: pos, rec: rec, err: err}
	}
	return &rtError{msg: err.Error(), cmd: cmd, pos: pos, err: err}
}

// print shows an error record on stderr as PowerShell 5.1 does:
//
//	Cmd : message
//	At line:L char:C
func (e *Engine) print(r *rtError) {
	var sb strings.Builder
	sb.WriteString(r.Error())
	sb.WriteByte('\n')
	if r.pos.Line > 0 {
		loc := "line"
		if e.file != "" {
			loc = e.file
		}
		fmt.Fprintf(&sb, "At %s:%d char:%d\n", loc, r.pos.Line, r.pos.Col)
	}
	io.WriteString(e.stderr, sb.String())
}

// record adds an error to $Error (newest first, at most
// $MaximumErrorCount entries).
func (e *Engine) record(r *rtError) {
	v := errorRecordValue(r)
	max := 256
	if m, ok := e.global.get("maximumerrorcount"); ok {
		if n, err := object.ToInt(m); err == nil && n > 0 {
			max = int(n)
		}
	}
	list := make([]object.Value, 0, len(e.errList)+1)
	list = append(list, v)
	list = append(list, e.errList...)
	if len(list) > max {
		list = list[:max]
	}
	e.errList = list
}

var (
	exceptionType = object.NewType("System.Exception",
		object.P("Message", object.KindString)).WithString(func(o *object.Object) string {
		return object.ToString(o.Value(0))
	})
	errorRecordType = object.NewType("System.Management.Automation.ErrorRecord",
		object.P("Exception", object.KindObject),
		object.P("TargetObject", object.KindAny),
		object.P("CategoryInfo", object.KindString),
		object.P("FullyQualifiedErrorId", object.KindString),
		object.P("ScriptPosition", object.KindString),
	).WithString(func(o *object.Object) string {
		return object.ToString(o.Value(0))
	})
)

func errorRecordValue(r *rtError) object.Value {
	cat := cmdlet.NotSpecified
	var target object.Value
	id := "RuntimeException"
	if r.rec != nil {
		if r.rec.Category != "" {
			cat = r.rec.Category
		}
		target = r.rec.Target
		if r.rec.ID != "" {
			id = r.rec.ID
		}
	}
	suffix, activity := r.cmd, r.cmd
	if r.idSuffix != nil {
		suffix = *r.idSuffix
	}
	if r.rec != nil && r.rec.Command != "" {
		activity = r.rec.Command
	}
	if suffix != "" {
		id += "," + suffix
	}
	// As PowerShell's CategoryInfo: "Category: (target:Type) [Activity]".
	targetText := ":"
	if target != nil {
		targetText = object.ToString(target) + ":" + object.TypeName(target)
	}
	catInfo := fmt.Sprintf("%s: (%s) [%s]", cat, targetText, activity)
	return object.New(errorRecordType,
		object.New(exceptionType, r.msg),
		target, catInfo, id, fmt.Sprintf("%d:%d", r.pos.Line, r.pos.Col))
}

// preference reads a preference variable as the frame sees it.
func (f *frame) preference(name, def string) string {
	v, ok := f.lookup(name)
	if !ok || v == nil {
		return def
	}
	return object.ToString(v)
}

// statementError handles a statement-terminating error at a statement
// boundary: shown, or hidden by $ErrorActionPreference, or escalated to a
// script-terminating error by Stop.
func (f *frame) statementError(r *rtError) error {
	e := f.e
	e.errSeq++
	if e.tryDepth > 0 {
		e.record(r)
		return &stopError{err: r}
	}
	switch strings.ToLower(f.preference("ErrorActionPreference", "Continue")) {
	case "stop":
		e.record(r)
		return &stopError{err: r}
	case "silentlycontinue", "ignore":
		e.record(r)
		return nil
	}
	e.record(r)
	e.print(r)
	e.errorsWritten++
	return nil
}

// cancelled returns a terminating error when the run's context is done.
func (e *Engine) cancelled() error {
	if e.done == nil {
		return nil
	}
	select {
	case <-e.done:
		return errCancelled
	default:
		return nil
	}
}

// errCancelled ends a run stopped by its context (Ctrl-C); try/catch does
// not catch it.
var errCancelled = &stopError{err: &rtError{msg: "The pipeline has been stopped."}, printed: true}
