package cscmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/directory"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/rbac"
	"pinsh/host/store"
	"pinsh/scripts/gendir/litware"
)

// fakeRT is a cmdlet.Runtime that records what a command does.
type fakeRT struct {
	ctx       context.Context
	op        string
	name      string
	whatIf    bool
	out       []object.Value
	errs      []*cmdlet.ErrorRecord
	warnings  []string
	whatIfs   []string
	terminate error
}

func (r *fakeRT) Context() context.Context { return r.ctx }
func (r *fakeRT) WriteObject(v object.Value) error {
	r.out = append(r.out, v)
	return nil
}
func (r *fakeRT) WriteError(rec *cmdlet.ErrorRecord) error {
	r.errs = append(r.errs, rec)
	return nil
}
func (r *fakeRT) WriteWarning(msg string)            { r.warnings = append(r.warnings, msg) }
func (r *fakeRT) WriteVerbose(string)                {}
func (r *fakeRT) WriteProgress(string, int64, int64) {}
func (r *fakeRT) Operator() string                   { return r.op }
func (r *fakeRT) CommandName() string                { return r.name }
func (r *fakeRT) Var(string) (object.Value, bool)    { return nil, false }
func (r *fakeRT) ShouldProcess(target, action string) (bool, error) {
	if r.whatIf {
		r.whatIfs = append(r.whatIfs, fmt.Sprintf("What if: Performing the operation %q on target %q.", action, target))
		return false, nil
	}
	return true, nil
}

// CompileFilter understands "Prop -eq value" clauses joined by -and, which
// is all these tests need; the engine provides the real compiler.
func (r *fakeRT) CompileFilter(text string) (cmdlet.Filter, error) {
	type clause struct {
		prop string
		val  object.Value
	}
	var cs []clause
	for _, part := range strings.Split(text, " -and ") {
		f := strings.Fields(strings.TrimSpace(part))
		if len(f) != 3 || !strings.EqualFold(f[1], "-eq") {
			return nil, fmt.Errorf("unsupported test filter %q", text)
		}
		var v object.Value
		switch strings.ToLower(f[2]) {
		case "$null":
		case "$true":
			v = true
		case "$false":
			v = false
		default:
			v = strings.Trim(f[2], `"'`)
		}
		cs = append(cs, clause{f[0], v})
	}
	return func(obj object.Value) (bool, error) {
		for _, c := range cs {
			pv, _ := object.Property(obj, c.prop)
			if !object.Equal(pv, c.val, false) {
				return false, nil
			}
		}
		return true, nil
	}, nil
}

type scriptBlock string

func (s scriptBlock) String() string { return string(s) }
func (s scriptBlock) Invoke(object.Value, []object.Value, func(object.Value) error) error {
	return nil
}

// env is a store with the demo directory, a PIN service and a registry.
type env struct {
	st   *store.Store
	pin  *pin.Service
	deps *Deps
	reg  *cmdlet.Registry
	dir  string
}

const admin = "CN=Lync Administrator,OU=Users,DC=litwareinc,DC=com"

func newEnv(t testing.TB, users int) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "pinsh.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ldf := filepath.Join(dir, "litware.ldf")
	f, err := os.Create(ldf)
	if err != nil {
		t.Fatal(err)
	}
	if err := litware.Write(f, users, 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := directory.Import(context.Background(), st, ldf, directory.Options{}); err != nil {
		t.Fatal(err)
	}
	svc, err := pin.New(context.Background(), st, pin.Options{Params: pin.Params{Memory: 64, Time: 1, Threads: 1},
		Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, pin: svc, dir: dir, reg: cmdlet.NewRegistry()}
	e.deps = &Deps{Store: st, Pin: svc, OSAccount: "tester"}
	Register(e.reg, e.deps)
	return e
}

// run runs a cmdlet as the engine would: arguments are "-Name" strings,
// values, or positional values; input, when not nil, is piped in.
func (e *env) run(t testing.TB, op string, input []object.Value, name string, args ...object.Value) *fakeRT {
	t.Helper()
	info, ok := e.reg.Lookup(name)
	if !ok {
		t.Fatalf("no cmdlet %s", name)
	}
	var elems []cmdlet.Arg
	rt := &fakeRT{ctx: context.Background(), op: op, name: info.Name}
	for _, a := range args {
		if s, ok := a.(string); ok && strings.HasPrefix(s, "-") && len(s) > 1 && !strings.ContainsAny(s[1:2], "0123456789") {
			elems = append(elems, cmdlet.Arg{Name: s[1:]})
			if strings.EqualFold(s, "-WhatIf") {
				rt.whatIf = true
			}
			continue
		}
		elems = append(elems, cmdlet.Arg{Value: a})
	}
	a, err := cmdlet.Bind(info, elems)
	if err != nil {
		rt.terminate = err
		return rt
	}
	cmd := info.New()
	if input == nil {
		if err := a.Finish(); err != nil {
			rt.terminate = err
			return rt
		}
	}
	if err := cmd.Begin(rt, a); err != nil {
		rt.terminate = err
		return rt
	}
	if input == nil {
		if err := cmd.Process(rt, a); err != nil {
			rt.terminate = err
			return rt
		}
	}
	for _, in := range input {
		if err := a.BindInput(in); err != nil {
			rt.errs = append(rt.errs, cmdlet.NewError(cmdlet.InvalidArgument, "Bind", in, err))
			continue
		}
		if err := cmd.Process(rt, a); err != nil {
			rt.terminate = err
			return rt
		}
	}
	if err := cmd.End(rt, a); err != nil {
		rt.terminate = err
	}
	return rt
}

// prop returns an output object's property as text.
func prop(v object.Value, name string) string {
	x, _ := object.Property(v, name)
	if x == nil {
		return "$null"
	}
	return object.ToString(x)
}

func (r *fakeRT) errText() string {
	var out []string
	for _, e := range r.errs {
		out = append(out, e.Error())
	}
	if r.terminate != nil {
		out = append(out, "TERMINATING: "+r.terminate.Error())
	}
	return strings.Join(out, "\n")
}

func (r *fakeRT) props(name string) string {
	var out []string
	for _, o := range r.out {
		out = append(out, prop(o, name))
	}
	return strings.Join(out, "|")
}

// ouDecider allows every cmdlet, but only on users in one OU subtree, for
// operators other than admin.
type ouDecider struct{ ou string }

func (d ouDecider) Allow(op, cmd string, t *rbac.Target) error {
	if op == admin || t == nil || store.InSubtree(t.DN, d.ou) {
		return nil
	}
	return &rbac.DeniedError{Operator: op, Cmdlet: cmd, Target: t.Display}
}

var _ = time.Now

var pinAudit = pin.AuditInfo{Operator: admin, OSAccount: "tester", Cmdlet: "Set-CsClientPin"}
