package builtin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
)

// fakeRT is the Runtime the engine would give a command, recording what
// the command writes.
type fakeRT struct {
	out      []object.Value
	errs     []*cmdlet.ErrorRecord
	warnings []string
	verbose  []string
	progress []string
	stop     bool // -ErrorAction Stop
	// stopped is set when the command returned cmdlet.ErrStopUpstream.
	stopped bool
}

func (r *fakeRT) Context() context.Context { return context.Background() }
func (r *fakeRT) WriteObject(v object.Value) error {
	r.out = append(r.out, v)
	return nil
}
func (r *fakeRT) WriteError(rec *cmdlet.ErrorRecord) error {
	r.errs = append(r.errs, rec)
	if r.stop {
		return rec
	}
	return nil
}
func (r *fakeRT) WriteWarning(msg string) { r.warnings = append(r.warnings, msg) }
func (r *fakeRT) WriteVerbose(msg string) { r.verbose = append(r.verbose, msg) }
func (r *fakeRT) WriteProgress(activity string, done, total int64) {
	r.progress = append(r.progress, fmt.Sprintf("%s %d/%d", activity, done, total))
}
func (r *fakeRT) ShouldProcess(target, action string) (bool, error) { return true, nil }
func (r *fakeRT) Operator() string                                  { return "tester" }
func (r *fakeRT) CommandName() string                               { return "test" }
func (r *fakeRT) Var(name string) (object.Value, bool)              { return nil, false }
func (r *fakeRT) CompileFilter(text string) (cmdlet.Filter, error) {
	return nil, errors.New("no filters here")
}

// sb is a fake script block: a Go function of $_.
type sb struct {
	src string
	fn  func(in object.Value) (object.Value, error)
}

func (s *sb) String() string { return s.src }

func (s *sb) Invoke(in object.Value, args []object.Value, out func(object.Value) error) error {
	v, err := s.fn(in)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	return object.Enumerate(v, out)
}

func block(src string, fn func(in object.Value) object.Value) *sb {
	return &sb{src: src, fn: func(in object.Value) (object.Value, error) { return fn(in), nil }}
}

// prop is the block {$_.name}.
func prop(name string) *sb {
	return block("$_."+name, func(in object.Value) object.Value {
		v, _ := object.Property(in, name)
		return v
	})
}

// cl builds a command line: strings starting with "-" are parameter names
// (with "-Name:" taking the next element as its colon value), anything
// else is a value. val forces a value that looks like a name.
func cl(elems ...any) []cmdlet.Arg {
	var out []cmdlet.Arg
	for i := 0; i < len(elems); i++ {
		e := elems[i]
		if s, ok := e.(string); ok && strings.HasPrefix(s, "-") && len(s) > 1 {
			name := s[1:]
			if strings.HasSuffix(name, ":") {
				out = append(out, cmdlet.Arg{Name: strings.TrimSuffix(name, ":"), Value: elems[i+1], Colon: true, Text: s})
				i++
				continue
			}
			out = append(out, cmdlet.Arg{Name: name, Text: s})
			continue
		}
		if v, ok := e.(val); ok {
			e = v.v
		}
		out = append(out, cmdlet.Arg{Value: e})
	}
	return out
}

type val struct{ v object.Value }

// testOpts are the options of the test registry.
var (
	testNow  = time.Date(2012, 9, 25, 13, 35, 3, 120000000, time.UTC)
	hostOut  strings.Builder
	testReg  = newTestRegistry()
	noInput  []object.Value
	testOpts Options
)

func newTestRegistry() *cmdlet.Registry {
	reg := cmdlet.NewRegistry()
	testOpts = Options{Stdout: &hostOut, Now: func() time.Time { return testNow }, TerminalWidth: 80}
	Register(reg, testOpts)
	return reg
}

// run drives a command as the engine does: Bind, Begin, then BindInput and
// Process per input object (or Finish and one Process without input), End.
// input nil means no pipeline input.
func run(name string, args []cmdlet.Arg, input []object.Value) (*fakeRT, error) {
	return runIn(testReg, name, args, input)
}

func runIn(reg *cmdlet.Registry, name string, args []cmdlet.Arg, input []object.Value) (*fakeRT, error) {
	rt := &fakeRT{}
	info, ok := reg.Lookup(name)
	if !ok {
		return rt, fmt.Errorf("no cmdlet %s", name)
	}
	a, err := cmdlet.Bind(info, args)
	if err != nil {
		return rt, err
	}
	cmd := info.New()
	if err := cmd.Begin(rt, a); err != nil {
		return rt, err
	}
	if input != nil {
		for _, v := range input {
			if err := a.BindInput(v); err != nil {
				var be *cmdlet.BindError
				if errors.As(err, &be) {
					rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "InputObjectNotBound", v, err))
					continue
				}
				return rt, err
			}
			if err := cmd.Process(rt, a); err != nil {
				if errors.Is(err, cmdlet.ErrStopUpstream) {
					rt.stopped = true
					return rt, nil // the engine stops the input and skips End
				}
				return rt, err
			}
		}
	} else {
		if err := a.Finish(); err != nil {
			return rt, err
		}
		if err := cmd.Process(rt, a); err != nil {
			if errors.Is(err, cmdlet.ErrStopUpstream) {
				rt.stopped = true
				return rt, nil
			}
			return rt, err
		}
	}
	return rt, cmd.End(rt, a)
}

// js renders outputs compactly for comparison: JSON of the output list.
func js(vals []object.Value) string {
	s, _ := format.ToJSON(vals, format.JSONOptions{Compress: true, Depth: 10})
	return s
}

func ints(ns ...int64) []object.Value {
	out := make([]object.Value, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
}

func obj(kv ...any) *object.Object {
	b := object.NewBuilder("")
	for i := 0; i < len(kv); i += 2 {
		b.Add(kv[i].(string), kv[i+1])
	}
	return b.Object()
}

var pinInfoType = object.NewType(format.PinInfoDetailsType,
	object.P("Identity", object.KindString),
	object.P("IsPinSet", object.KindBool),
	object.P("IsLockedOut", object.KindBool),
	object.P("LastPinChangeTime", object.KindDateTime),
	object.P("PinExpirationTime", object.KindDateTime))

func pinInfo(id string, set, locked bool) *object.Object {
	return object.New(pinInfoType, id, set, locked, time.Date(2012, 9, 25, 13, 35, 3, 0, time.UTC), nil)
}

func pins() []object.Value {
	return []object.Value{
		pinInfo("sip:kenmyer@litwareinc.com", false, false),
		pinInfo("sip:pilar@litwareinc.com", true, false),
		pinInfo("sip:zoe@litwareinc.com", true, true),
	}
}

// cmdTest is one table test of a cmdlet.
type cmdTest struct {
	name  string
	cmd   string
	args  []cmdlet.Arg
	in    []object.Value // nil: no pipeline input
	want  string         // js of the outputs
	errs  []string       // messages of non-terminating errors
	err   string         // terminating error
	warns []string
	pick  string // compare only this property of each output
}

func runTests(t *testing.T, tests []cmdTest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt, err := run(tc.cmd, tc.args, tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.pick != "" {
				for i, o := range rt.out {
					rt.out[i], _ = object.Property(o, tc.pick)
				}
			}
			if tc.err == "" || tc.want != "" {
				if got := js(rt.out); got != tc.want {
					t.Errorf("output\n got %s\nwant %s", got, tc.want)
				}
			}
			var msgs []string
			for _, e := range rt.errs {
				msgs = append(msgs, e.Error())
			}
			if strings.Join(msgs, "|") != strings.Join(tc.errs, "|") {
				t.Errorf("errors\n got %q\nwant %q", msgs, tc.errs)
			}
			if strings.Join(rt.warnings, "|") != strings.Join(tc.warns, "|") {
				t.Errorf("warnings\n got %q\nwant %q", rt.warnings, tc.warns)
			}
		})
	}
}
