package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// Tiny cmdlets for the engine's own tests; the real built-ins live in
// host/builtin.

type funcCmd struct {
	begin   func(rt cmdlet.Runtime, a *cmdlet.Args) error
	process func(rt cmdlet.Runtime, a *cmdlet.Args) error
	end     func(rt cmdlet.Runtime, a *cmdlet.Args) error
}

func (c *funcCmd) Begin(rt cmdlet.Runtime, a *cmdlet.Args) error {
	if c.begin != nil {
		return c.begin(rt, a)
	}
	return nil
}

func (c *funcCmd) Process(rt cmdlet.Runtime, a *cmdlet.Args) error {
	if c.process != nil {
		return c.process(rt, a)
	}
	return nil
}

func (c *funcCmd) End(rt cmdlet.Runtime, a *cmdlet.Args) error {
	if c.end != nil {
		return c.end(rt, a)
	}
	return nil
}

// whereCmd is a minimal Where-Object: one script block call per object,
// no allocation per object.
type whereCmd struct {
	sb   cmdlet.ScriptBlock
	keep bool
	out  func(object.Value) error
}

func (w *whereCmd) Begin(rt cmdlet.Runtime, a *cmdlet.Args) error {
	v, _ := a.Get("FilterScript")
	w.sb = v.(cmdlet.ScriptBlock)
	w.out = func(v object.Value) error {
		if object.ToBool(v) {
			w.keep = true
		}
		return nil
	}
	return nil
}

func (w *whereCmd) Process(rt cmdlet.Runtime, a *cmdlet.Args) error {
	in, _ := a.Get("InputObject")
	w.keep = false
	if err := w.sb.Invoke(in, nil, w.out); err != nil {
		return err
	}
	if w.keep {
		return rt.WriteObject(in)
	}
	return nil
}

func (w *whereCmd) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }

// countCmd is a minimal Measure-Object that only counts.
type countCmd struct{ n int64 }

func (c *countCmd) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }
func (c *countCmd) Process(rt cmdlet.Runtime, a *cmdlet.Args) error {
	if a.Has("InputObject") {
		c.n++
	}
	return nil
}
func (c *countCmd) End(rt cmdlet.Runtime, a *cmdlet.Args) error {
	return rt.WriteObject(object.New(measureType, c.n))
}

var measureType = object.NewType("Microsoft.PowerShell.Commands.GenericMeasureInfo", object.P("Count", object.KindInt))

var userType = object.NewType("Test.User",
	object.P("Name", object.KindString), object.P("Department", object.KindString),
	object.P("Pin", object.KindString), object.P("Enabled", object.KindBool), object.P("Count", object.KindInt))

func inputParam() cmdlet.Param {
	return cmdlet.Param{Name: "InputObject", Kind: object.KindAny, Position: -1, FromPipeline: true}
}

func testRegistry() *cmdlet.Registry {
	r := cmdlet.NewRegistry()
	r.MustAdd(&cmdlet.Info{Name: "Where-Object", Aliases: []string{"?", "where"},
		Params: []cmdlet.Param{{Name: "FilterScript", Kind: object.KindScriptBlock, Position: 0, Mandatory: true}, inputParam()},
		New:    func() cmdlet.Command { return &whereCmd{} }})
	r.MustAdd(&cmdlet.Info{Name: "Measure-Object", Aliases: []string{"measure"},
		Params: []cmdlet.Param{inputParam()},
		New:    func() cmdlet.Command { return &countCmd{} }})
	r.MustAdd(&cmdlet.Info{Name: "ForEach-Object", Aliases: []string{"%", "foreach"},
		Params: []cmdlet.Param{{Name: "Process", Kind: object.KindScriptBlock, Position: 0, Mandatory: true}, inputParam()},
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				sb, _ := a.Get("Process")
				in, _ := a.Get("InputObject")
				return sb.(cmdlet.ScriptBlock).Invoke(in, nil, rt.WriteObject)
			}}
		}})
	r.MustAdd(&cmdlet.Info{Name: "Write-Output", Aliases: []string{"echo"},
		Params: []cmdlet.Param{{Name: "InputObject", Kind: object.KindAny, Position: 0, FromPipeline: true}},
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				v, _ := a.Get("InputObject")
				return object.Enumerate(v, rt.WriteObject)
			}}
		}})
	r.MustAdd(&cmdlet.Info{Name: "Write-Error",
		Params: []cmdlet.Param{{Name: "Message", Kind: object.KindString, Position: 0}},
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				return rt.WriteError(cmdlet.NewError(cmdlet.NotSpecified, "WriteError", nil, errors.New(a.String("Message"))))
			}}
		}})
	r.MustAdd(&cmdlet.Info{Name: "Test-Each",
		Params: []cmdlet.Param{{Name: "InputObject", Kind: object.KindAny, Position: 0, FromPipeline: true, Mandatory: true}},
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				v, _ := a.Get("InputObject")
				if object.ToString(v) == "bad" {
					return rt.WriteError(cmdlet.NewError(cmdlet.InvalidData, "Bad", v, fmt.Errorf("The value %q is bad.", "bad")))
				}
				return rt.WriteObject("ok " + object.ToString(v))
			}}
		}})
	r.MustAdd(&cmdlet.Info{Name: "Add-One",
		Params: []cmdlet.Param{{Name: "Number", Kind: object.KindInt, Position: 0, FromPipeline: true, Mandatory: true}},
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				n, _ := a.Int("Number")
				return rt.WriteObject(n + 1)
			}}
		}})
	r.MustAdd(&cmdlet.Info{Name: "Stop-Now",
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				return cmdlet.NewError(cmdlet.InvalidOperation, "Stopped", nil, errors.New("It stopped."))
			}}
		}})
	shouldProcess := func(name string, impact cmdlet.Impact) *cmdlet.Info {
		return &cmdlet.Info{Name: name, SupportsShouldProcess: true, ConfirmImpact: impact,
			Params: []cmdlet.Param{{Name: "Identity", Kind: object.KindString, Position: 0, Mandatory: true, FromPipeline: true}},
			New: func() cmdlet.Command {
				return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
					id := a.String("Identity")
					ok, err := rt.ShouldProcess(id, rt.CommandName())
					if err != nil {
						return err
					}
					if ok {
						return rt.WriteObject("changed " + id)
					}
					return nil
				}}
			}}
	}
	r.MustAdd(shouldProcess("Set-Thing", cmdlet.ImpactMedium))
	r.MustAdd(shouldProcess("Remove-Thing", cmdlet.ImpactHigh))
	r.MustAdd(&cmdlet.Info{Name: "Get-User",
		Params: []cmdlet.Param{{Name: "Count", Kind: object.KindInt, Position: 0}, {Name: "Filter", Kind: object.KindString, Position: -1}},
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				n, ok := a.Int("Count")
				if !ok {
					n = 3
				}
				var filter cmdlet.Filter
				if a.Has("Filter") {
					f, err := rt.CompileFilter(a.String("Filter"))
					if err != nil {
						return err
					}
					filter = f
				}
				depts := []string{"Finance", "Sales", "IT"}
				for i := int64(0); i < n; i++ {
					var pin object.Value
					if i%2 == 0 {
						pin = "PinPolicy"
					}
					u := object.New(userType, fmt.Sprintf("user%d", i), depts[i%3], pin, i%2 == 0, i)
					if filter != nil {
						ok, err := filter(u)
						if err != nil {
							return err
						}
						if !ok {
							continue
						}
					}
					if err := rt.WriteObject(u); err != nil {
						return err
					}
				}
				return nil
			}}
		}})
	r.MustAdd(&cmdlet.Info{Name: "Say-Things",
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				rt.WriteVerbose("verbose text")
				rt.WriteWarning("warning text")
				rt.WriteProgress("working", 1, 2)
				return rt.WriteObject("said")
			}}
		}})
	r.MustAdd(&cmdlet.Info{Name: "Get-Pin",
		Params: []cmdlet.Param{{Name: "Pin", Kind: object.KindString, Position: 0, Secret: true, Mandatory: true},
			{Name: "Number", Kind: object.KindInt, Position: -1}},
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				pin, _ := a.Get("Pin")
				if err := rt.WriteObject(pin); err != nil {
					return err
				}
				if n, ok := a.Int("Number"); ok {
					return rt.WriteObject(n)
				}
				return nil
			}}
		}})
	return r
}

// fakeHost answers prompts from a list and records them.
type fakeHost struct {
	answers []string
	prompts []string
}

func (h *fakeHost) Interactive() bool { return true }
func (h *fakeHost) ReadLine(prompt string) (string, error) {
	h.prompts = append(h.prompts, prompt)
	if len(h.answers) == 0 {
		return "", errors.New("end of input")
	}
	a := h.answers[0]
	h.answers = h.answers[1:]
	return a, nil
}

type result struct {
	out, err string
	code     int
}

func runWith(t testing.TB, opts Options, script string) (result, *Engine) {
	t.Helper()
	var out, errb bytes.Buffer
	opts.Stdout, opts.Stderr = &out, &errb
	if opts.Registry == nil {
		opts.Registry = testRegistry()
	}
	e := New(opts)
	code := e.Run(context.Background(), script, "")
	return result{out.String(), errb.String(), code}, e
}

func run(t testing.TB, script string) result {
	t.Helper()
	r, _ := runWith(t, Options{}, script)
	return r
}

// check runs a table of scripts and compares stdout (and, when given,
// stderr and exit status).
type tcase struct {
	name   string
	script string
	out    string
	err    string // "" means no stderr; "*" means do not check
	code   int
}

func checkCases(t *testing.T, cases []tcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.script)
			if r.out != c.out {
				t.Errorf("stdout:\n got %q\nwant %q", r.out, c.out)
			}
			if c.err != "*" && r.err != c.err {
				t.Errorf("stderr:\n got %q\nwant %q", r.err, c.err)
			}
			if r.code != c.code {
				t.Errorf("exit status %d, want %d", r.code, c.code)
			}
		})
	}
}

func lines(s ...string) string {
	if len(s) == 0 {
		return ""
	}
	return strings.Join(s, "\n") + "\n"
}
