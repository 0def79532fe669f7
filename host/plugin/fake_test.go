package plugin

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/rbac"
)

// fakeServices is an in-memory directory and PIN store.
type fakeServices struct {
	mu       sync.Mutex
	users    []*User
	state    map[string]*pinState // by DN
	hashCost time.Duration        // CPU time per Hash
	calls    []string             // "Service operator cmdlet plugin target"
	batches  []int                // sizes of CommitSets calls
	failDN   string               // CommitSets fails for this user
	byKey    map[string]*User
	quiet    bool // no call log (benchmarks)
	hashed   atomic.Int64
	resolves atomic.Int64
}

type pinState struct {
	set        bool
	locked     bool
	hash       [32]byte
	lastChange time.Time
}

var changeTime = time.Date(2012, 9, 25, 13, 35, 3, 0, time.Local)

func newFakeServices() *fakeServices {
	f := &fakeServices{state: map[string]*pinState{}}
	add := func(logon, display string, set, locked bool) {
		u := &User{
			DN:                "CN=" + display + ",OU=Finance,DC=litwareinc,DC=com",
			SipAddress:        "sip:" + logon + "@litwareinc.com",
			DisplayName:       display,
			UserPrincipalName: logon + "@litwareinc.com",
			SamAccountName:    `litwareinc\` + logon,
			Enabled:           true,
		}
		f.users = append(f.users, u)
		f.state[u.DN] = &pinState{set: set, locked: locked, lastChange: changeTime}
	}
	add("kenmyer", "Ken Myer", false, false)
	add("pilar", "Pilar Ackerman", true, true)
	add("davids", "David Smith", true, false)
	add("nancys", "Nancy Smith", false, false)
	return f
}

// addUsers adds n users user0..user<n-1>.
func (f *fakeServices) addUsers(n int) []object.Value {
	ids := make([]object.Value, n)
	for i := 0; i < n; i++ {
		logon := fmt.Sprintf("user%d", i)
		u := &User{DN: "CN=" + logon + ",OU=Bulk,DC=litwareinc,DC=com", SipAddress: "sip:" + logon + "@litwareinc.com",
			DisplayName: logon, UserPrincipalName: logon + "@litwareinc.com", SamAccountName: `litwareinc\` + logon, Enabled: true}
		f.users = append(f.users, u)
		f.state[u.DN] = &pinState{}
		ids[i] = u.DN
	}
	return ids
}

func (f *fakeServices) log(svc string, c Call, target string) {
	if f.quiet {
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, strings.Join([]string{svc, c.Operator, c.Cmdlet, c.Plugin, target}, " "))
	f.mu.Unlock()
}

func (f *fakeServices) ResolveUsers(ctx context.Context, c Call, id string) ([]*User, error) {
	f.resolves.Add(1)
	if id == "explode" {
		return nil, errors.New("the directory is unavailable")
	}
	f.mu.Lock()
	if f.byKey == nil || len(f.byKey) < len(f.users) {
		f.byKey = map[string]*User{}
		for _, u := range f.users {
			for _, k := range []string{u.DN, u.SipAddress, u.UserPrincipalName, u.SamAccountName} {
				f.byKey[strings.ToLower(k)] = u
			}
		}
	}
	u, ok := f.byKey[strings.ToLower(id)]
	f.mu.Unlock()
	if ok {
		return []*User{u}, nil
	}
	var out []*User
	for _, u := range f.users {
		switch {
		case strings.EqualFold(id, u.DN), strings.EqualFold(id, u.SipAddress),
			strings.EqualFold("sip:"+id, u.SipAddress), strings.EqualFold(id, u.UserPrincipalName),
			strings.EqualFold(id, u.SamAccountName), object.Like(u.DisplayName, id, false):
			out = append(out, u)
		}
	}
	return out, nil
}

func (f *fakeServices) PinInfo(ctx context.Context, c Call, u *User) (*PinInfo, error) {
	f.log("PinInfo", c, u.DN)
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.state[u.DN]
	pi := &PinInfo{Identity: u.SipAddress, IsPinSet: s.set, IsLockedOut: s.locked, LastPinChangeTime: s.lastChange}
	if s.set {
		pi.PinExpirationTime = s.lastChange.AddDate(0, 0, 90)
	}
	return pi, nil
}

func (f *fakeServices) Policy(ctx context.Context, c Call, u *User) (*Policy, error) {
	return &Policy{Identity: "Global", MinPasswordLength: 5}, nil
}

type fakePending struct {
	f    *fakeServices
	dn   string
	pin  string
	hash [32]byte
	done bool
}

func (p *fakePending) Hash() error {
	// Burn CPU like a slow hash does.
	h := sha256.Sum256([]byte(p.pin))
	start := time.Now()
	for time.Since(start) < p.f.hashCost {
		for i := 0; i < 64; i++ {
			h = sha256.Sum256(h[:])
		}
	}
	p.hash, p.done = h, true
	p.f.hashed.Add(1)
	return nil
}

func (f *fakeServices) PrepareSet(ctx context.Context, c Call, u *User, pin string, generate bool) (PendingSet, string, error) {
	f.log("PrepareSet", c, u.DN)
	f.mu.Lock()
	locked := f.state[u.DN].locked
	f.mu.Unlock()
	if locked {
		return nil, "", cmdlet.NewError(cmdlet.InvalidOperation, "PinLocked", u.SipAddress,
			fmt.Errorf("The PIN of %s is locked. Unlock it with Unlock-CsClientPin before setting a new one.", u.SipAddress))
	}
	if generate {
		pin = "40917"
	} else {
		for _, r := range pin {
			if r < '0' || r > '9' {
				return nil, "", cmdlet.NewError(cmdlet.InvalidArgument, "PinNotDigits", u.SipAddress, errors.New("The PIN must contain only digits."))
			}
		}
		if len(pin) < 5 {
			return nil, "", cmdlet.NewError(cmdlet.InvalidArgument, "PinTooShort", u.SipAddress, errors.New("The PIN must be at least 5 digits long."))
		}
	}
	return &fakePending{f: f, dn: u.DN, pin: pin}, pin, nil
}

func (f *fakeServices) CommitSets(ctx context.Context, c Call, sets []PendingSet) []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, len(sets))
	errs := make([]error, len(sets))
	for i, s := range sets {
		p := s.(*fakePending)
		if !p.done {
			panic("commit before hash")
		}
		if p.dn == f.failDN {
			errs[i] = errors.New("the store refused the change")
			continue
		}
		st := f.state[p.dn]
		st.set, st.hash, st.lastChange = true, p.hash, time.Now()
	}
	return errs
}

func (f *fakeServices) Lock(ctx context.Context, c Call, u *User) error {
	f.log("Lock", c, u.DN)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state[u.DN].locked = true
	return nil
}

func (f *fakeServices) Unlock(ctx context.Context, c Call, u *User) error {
	f.log("Unlock", c, u.DN)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state[u.DN].locked = false
	return nil
}

// denyDN denies every cmdlet on one user.
type denyDN string

func (d denyDN) Allow(op, cmd string, t *rbac.Target) error {
	if t != nil && t.DN == string(d) {
		return &rbac.DeniedError{Operator: op, Cmdlet: cmd, Target: t.Display}
	}
	return nil
}

// fakeRuntime is the engine's side of a running command.
type fakeRuntime struct {
	ctx     context.Context
	name    string
	events  []string // in order: "obj ...", "err ...", "warn ...", "verbose ...", "whatif ...", "prompt ..."
	objects []object.Value
	errors  []*cmdlet.ErrorRecord
	whatIf  bool
	confirm bool // answer yes to every prompt, logging it
	vars    map[string]object.Value
	stopAt  int // WriteObject fails after this many objects (0: never)
	// pure: what the stage is told of its upstream (cmdlet.Purity), so
	// read-only cmdlets batch their input.
	pure bool
}

func (r *fakeRuntime) UpstreamPure() bool { return r.pure }

var errStopPipeline = errors.New("pipeline stopped")

func (r *fakeRuntime) Context() context.Context { return r.ctx }
func (r *fakeRuntime) WriteObject(v object.Value) error {
	r.objects = append(r.objects, v)
	r.events = append(r.events, "obj "+object.ToString(v))
	if r.stopAt > 0 && len(r.objects) >= r.stopAt {
		return errStopPipeline
	}
	return nil
}
func (r *fakeRuntime) WriteError(rec *cmdlet.ErrorRecord) error {
	r.errors = append(r.errors, rec)
	r.events = append(r.events, "err "+rec.Error())
	return nil
}
func (r *fakeRuntime) WriteWarning(msg string)                   { r.events = append(r.events, "warn "+msg) }
func (r *fakeRuntime) WriteVerbose(msg string)                   { r.events = append(r.events, "verbose "+msg) }
func (r *fakeRuntime) WriteProgress(a string, done, total int64) {}
func (r *fakeRuntime) ShouldProcess(target, action string) (bool, error) {
	line := fmt.Sprintf("Performing the operation %q on target %q.", action, target)
	if r.whatIf {
		r.events = append(r.events, "whatif "+line)
		return false, nil
	}
	if r.confirm {
		r.events = append(r.events, "prompt "+line)
	}
	return true, nil
}
func (r *fakeRuntime) Operator() string    { return "litwareinc\\admin" }
func (r *fakeRuntime) CommandName() string { return r.name }
func (r *fakeRuntime) Var(name string) (object.Value, bool) {
	v, ok := r.vars[name]
	return v, ok
}
func (r *fakeRuntime) CompileFilter(string) (cmdlet.Filter, error) {
	return nil, errors.New("no filters here")
}

// begin binds in's command line and runs Begin of a new command.
func begin(t testing.TB, in *cmdlet.Info, rt cmdlet.Runtime, elems []cmdlet.Arg) (cmdlet.Command, *cmdlet.Args) {
	t.Helper()
	args, err := cmdlet.Bind(in, elems)
	if err != nil {
		t.Fatal(err)
	}
	cmd := in.New()
	if err := cmd.Begin(rt, args); err != nil {
		t.Fatal(err)
	}
	return cmd, args
}

// run drives a command as the engine does: bind the command line, Begin,
// one Process per input (binding it) or one without input, End.
func run(ctx context.Context, in *cmdlet.Info, rt *fakeRuntime, elems []cmdlet.Arg, inputs ...object.Value) error {
	rt.ctx = ctx
	rt.name = in.Name
	args, err := cmdlet.Bind(in, elems)
	if err != nil {
		return err
	}
	cmd := in.New()
	if err := cmd.Begin(rt, args); err != nil {
		return err
	}
	if len(inputs) == 0 {
		if err := args.Finish(); err != nil {
			return err
		}
		if err := cmd.Process(rt, args); err != nil {
			return err
		}
	}
	for _, v := range inputs {
		if err := args.BindInput(v); err != nil {
			rt.errors = append(rt.errors, &cmdlet.ErrorRecord{Err: err})
			rt.events = append(rt.events, "err "+err.Error())
			continue
		}
		if err := cmd.Process(rt, args); err != nil {
			return err
		}
	}
	return cmd.End(rt, args)
}

// named returns -Name value elements.
func named(kv ...any) []cmdlet.Arg {
	var out []cmdlet.Arg
	for i := 0; i < len(kv); i += 2 {
		out = append(out, cmdlet.Arg{Name: kv[i].(string)})
		if kv[i+1] != nil {
			out = append(out, cmdlet.Arg{Value: kv[i+1]})
		}
	}
	return out
}
