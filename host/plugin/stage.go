package plugin

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/tetratelabs/wazero/api"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/sdk/abi"
)

// stage runs one plugin cmdlet in one pipeline stage: it implements
// cmdlet.Command, so plugin cmdlets go through the same engine and binder
// as built-ins, and adapts it to the ABI's begin/process/end exports.
//
// PIN changes are the one place where it does more than forward calls. A
// set_pin call validates (or generates) the PIN synchronously and returns
// it to the guest, but only queues the expensive hash on a worker pool.
// From then on, everything the guest writes is held, record by record,
// until the record's changes are committed: committed changes release
// their record's outputs in input order; a failed commit replaces the
// outputs that followed the failed change by the error. Hashing thus runs
// on every core while the observable order stays PowerShell's. At most
// Options.Window records are in flight; when the window is full, its first
// half is committed in one transaction.
type stage struct {
	m      *Manager
	p      *Plugin
	info   *cmdlet.Info
	params []cmdlet.Param

	in   *instance
	res  *resources
	rt   cmdlet.Runtime
	args *cmdlet.Args
	// ctx is the engine's context with the instance attached, for the
	// host functions; parent is the engine's context it was made from.
	ctx    context.Context
	parent context.Context
	call   Call

	enc     encoder
	dec     decoder
	rd      abi.Reader
	msg     []byte
	reply   []byte
	users   map[string]*User
	failRec *cmdlet.ErrorRecord
	// prompting: ShouldProcess may print or prompt (-WhatIf, -Confirm or
	// the preferences), so held outputs are released before it.
	prompting bool

	cur    *record
	window []*record

	// batching: the cmdlet is read-only (cmdlet.Info.Pure, which the host
	// functions enforce), its plugin speaks ABI 1.2, and everything before
	// it in the pipeline is pure; its input objects then go to the plugin
	// in batches (see Flush). batch holds the encoded records (each length
	// first), nbatch counts them; rec is the scratch of one record.
	batching bool
	batch    []byte
	nbatch   int
	rec      []byte
}

var _ cmdlet.Batcher = (*stage)(nil)

// Batches are sent when they hold maxBatch records or maxBatchBytes:
// entering a Go plugin costs about a microsecond, against 3-6 µs for the
// rest of a record's crossing, so 64 records make it noise.
const (
	maxBatch      = 64
	maxBatchBytes = 64 << 10
)

// record is what one input object produced while outputs are held.
type record struct {
	held []held
	sets []*pending
}

// held is one output of the guest, kept until its record is committed.
type held struct {
	kind        uint32 // abi.Write*
	v           object.Value
	rec         *cmdlet.ErrorRecord
	msg         string
	done, total int64
	// set is the record's latest PIN change when this was written (-1:
	// none); a failed commit replaces that change's outputs.
	set int
}

// pending is a queued PIN change.
type pending struct {
	set  PendingSet
	user *User
	err  error
	done chan struct{}
}

// resources are what a stage must give back, kept apart from the stage so
// that a stage the engine abandons (without End or Dispose) can be cleaned
// up once it is garbage.
type resources struct {
	mu      sync.Mutex
	in      *instance
	jobs    chan *pending
	stopped atomic.Bool
}

func (r *resources) free(m *Manager, keep bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.jobs != nil {
		if !keep {
			r.stopped.Store(true)
		}
		close(r.jobs)
		r.jobs = nil
	}
	if r.in != nil {
		if keep && m != nil {
			m.release(r.in)
		} else {
			r.in.close()
		}
		r.in = nil
	}
}

func (m *Manager) newStage(p *Plugin, idx int) cmdlet.Command {
	st := &stage{m: m, p: p, info: p.Cmdlets[idx], params: p.params[idx], res: &resources{}}
	runtime.AddCleanup(st, func(r *resources) { r.free(nil, false) }, st.res)
	return st
}

// enter records the runtime of the current engine call.
func (st *stage) enter(rt cmdlet.Runtime, args *cmdlet.Args) {
	st.rt, st.args = rt, args
	if parent := rt.Context(); parent != st.parent || st.ctx == nil {
		st.parent = parent
		st.ctx = context.WithValue(parent, instKey{}, st.in)
	}
}

// Begin instantiates the plugin (or reuses an idle instance) and calls its
// begin export with the parameters bound on the command line.
func (st *stage) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	st.rt, st.args = rt, args
	in, err := st.m.acquire(rt.Context(), st.p)
	if err != nil {
		return st.fail(err)
	}
	st.in = in
	st.res.in = in
	st.ctx = nil
	st.enter(rt, args)
	st.call = Call{Operator: rt.Operator(), Cmdlet: rt.CommandName(), Plugin: st.p.Name}
	st.enc.reset()
	st.dec.reset()
	st.prompting = st.mayPrompt()
	st.batch, st.nbatch = st.batch[:0], 0
	st.batching = false
	if pu, ok := rt.(cmdlet.Purity); ok && st.info.Pure && in.fnBatch != nil {
		st.batching = pu.UpstreamPure()
	}
	msg := abi.AppendString(st.msg[:0], st.info.Name)
	msg = st.appendParams(msg, false, false)
	st.msg = msg
	if st.enc.err != nil {
		return st.fail(st.p.errorf(st.enc.err, "cannot be given its parameters: %v", st.enc.err))
	}
	return st.run(st.in.fnBegin, msg, true, "beginning")
}

// Process calls the process export with the parameters bound from the
// current input object.
func (st *stage) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if st.in == nil {
		return st.fail(errors.New("Process called before Begin or after a failure"))
	}
	st.enter(rt, args)
	if st.batching {
		st.rec = st.appendParams(append(st.rec[:0], 0), true, true)
		if st.enc.err != nil {
			return st.fail(st.p.errorf(st.enc.err, "cannot be given its input: %v", st.enc.err))
		}
		st.batch = abi.AppendUvarint(st.batch, uint64(len(st.rec)))
		st.batch = append(st.batch, st.rec...)
		if st.nbatch++; st.nbatch < maxBatch && len(st.batch) < maxBatchBytes {
			return nil
		}
		return st.flush()
	}
	msg := st.appendParams(st.msg[:0], true, false)
	st.msg = msg // reused: the next message is encoded in place
	if st.enc.err != nil {
		return st.fail(st.p.errorf(st.enc.err, "cannot be given its input: %v", st.enc.err))
	}
	if err := st.run(st.in.fnProc, msg, true, "processing"); err != nil {
		return err
	}
	if err := st.settle(false); err != nil {
		return st.fail(err)
	}
	return nil
}

// Flush sends the input objects held for a batch to the plugin now
// (cmdlet.Batcher): the engine calls it before an earlier command of the
// pipeline shows anything, so that the order of what is seen is that of
// one object at a time.
func (st *stage) Flush(rt cmdlet.Runtime) error {
	if st.in == nil || st.nbatch == 0 {
		return nil
	}
	st.enter(rt, st.args)
	return st.flush()
}

// flush processes the batch: one call of the batch export for all its
// records, which the plugin processes in order.
func (st *stage) flush() error {
	if st.nbatch == 0 {
		return nil
	}
	msg := abi.AppendUvarint(st.msg[:0], uint64(st.nbatch))
	msg = append(msg, st.batch...)
	st.msg, st.batch, st.nbatch = msg, st.batch[:0], 0
	if err := st.run(st.in.fnBatch, msg, true, "processing"); err != nil {
		return err
	}
	if err := st.settle(false); err != nil {
		return st.fail(err)
	}
	return nil
}

// End processes what a batch holds, calls the end export, commits what is
// still pending, and keeps the instance for the next stage.
func (st *stage) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if st.in == nil {
		return st.fail(errors.New("End called before Begin or after a failure"))
	}
	st.enter(rt, args)
	if err := st.flush(); err != nil {
		return err
	}
	if err := st.run(st.in.fnEnd, nil, false, "ending"); err != nil {
		return err
	}
	if err := st.settle(true); err != nil {
		return st.fail(err)
	}
	st.res.free(st.m, true)
	st.in = nil
	return nil
}

// Dispose releases the stage when the engine abandons it (a downstream
// error, Ctrl-C) without calling End. Uncommitted PIN changes are dropped:
// their outputs were never shown, and the store is unchanged for them.
func (st *stage) Dispose() {
	st.res.free(st.m, false)
	st.in = nil
	st.window, st.cur = nil, nil
	st.batch, st.nbatch = st.batch[:0], 0
}

// fail ends the stage with a terminating error.
func (st *stage) fail(err error) error {
	st.Dispose()
	var rec *cmdlet.ErrorRecord
	if errors.As(err, &rec) {
		return err
	}
	var pe *Error
	if errors.As(err, &pe) {
		return &cmdlet.ErrorRecord{Err: err, Category: cmdlet.OperationStopped, ID: "PluginFailed"}
	}
	return err
}

// run passes msg to an export and handles its status.
func (st *stage) run(fn api.Function, msg []byte, withInput bool, what string) error {
	in := st.in
	if withInput {
		if err := in.input(st.ctx, msg); err != nil {
			return st.fail(err)
		}
	}
	st.failRec = nil
	in.st = st
	status, err := in.call(st.ctx, fn, uint64(len(msg)), what)
	in.st = nil
	if err != nil {
		return st.fail(err)
	}
	switch status {
	case abi.StatusOK:
		return nil
	case abi.StatusFailed:
		if st.failRec != nil {
			return st.fail(st.failRec)
		}
		return st.fail(st.p.errorf(nil, "failed while %s without saying why", what))
	}
	return st.fail(st.p.errorf(nil, "returned the unknown status %d while %s", status, what))
}

// appendParams encodes the parameter set and the declared parameters bound
// on the command line (pipeline false) or from the current input object
// (pipeline true), as (index, value) pairs. Only parameters that take
// pipeline input can change per object, so Process looks at those alone.
// In a batch record (record true), b's last byte is the record's flags,
// which get abi.BatchLastSimple when the last value is a simple object.
func (st *stage) appendParams(b []byte, pipeline, record bool) []byte {
	flags := len(b) - 1
	b = abi.AppendString(b, st.args.Set())
	var idx [8]int
	bound := idx[:0]
	var vals [8]object.Value
	values := vals[:0]
	for i := range st.params {
		p := &st.params[i]
		if pipeline && !p.FromPipeline && !p.FromPipelineByName {
			continue
		}
		v, ok := st.args.Get(p.Name)
		if !ok || st.args.FromPipeline(p.Name) != pipeline {
			continue
		}
		bound = append(bound, i)
		values = append(values, v)
	}
	b = abi.AppendInt(b, int64(len(bound)))
	if record && len(values) > 0 && st.enc.simpleObject(values[len(values)-1]) {
		b[flags] |= abi.BatchLastSimple // checked before encoding: a type sent before
	}
	for k, i := range bound {
		b = abi.AppendInt(b, int64(i))
		b = st.enc.value(b, values[k], 0)
	}
	return b
}

// mayPrompt reports whether ShouldProcess may print a What if line or
// prompt in this stage.
func (st *stage) mayPrompt() bool {
	if !st.info.SupportsShouldProcess {
		return false
	}
	if v, ok := st.args.Get("Confirm"); ok {
		if object.ToBool(v) {
			return true
		}
	} else if v, ok := st.rt.Var("ConfirmPreference"); ok {
		imp, ok := cmdlet.ParseImpact(object.ToString(v))
		if ok && imp != cmdlet.ImpactNone && imp <= st.info.ConfirmImpact {
			return true
		}
	}
	if st.args.Bool("WhatIf") {
		return true
	}
	v, _ := st.rt.Var("WhatIfPreference")
	return object.ToBool(v)
}

// write handles a record the guest writes.
func (st *stage) write(kind uint32, msg []byte) {
	r := &st.rd
	r.Reset(msg)
	st.dec.start(msg)
	defer func() { st.dec.text = "" }()
	var h held
	h.kind = kind
	switch kind {
	case abi.WriteObject:
		h.v = st.dec.value(r, 0)
	case abi.WriteError, abi.WriteFail:
		text := st.text(r)
		cat := st.text(r)
		id := st.text(r)
		if cat == "" {
			cat = string(cmdlet.NotSpecified)
		}
		h.rec = &cmdlet.ErrorRecord{Err: errors.New(text), Category: cmdlet.Category(cat), ID: id}
		if kind == abi.WriteError {
			h.rec.Target = st.dec.value(r, 0)
		}
	case abi.WriteWarning, abi.WriteVerbose:
		h.msg = st.text(r)
	case abi.WriteProgress:
		h.msg = st.text(r)
		h.done = r.Int()
		h.total = r.Int()
	default:
		st.in.stopf("wrote a record of unknown kind %d", kind)
	}
	if err := r.End(); err != nil {
		what := map[uint32]string{abi.WriteObject: "object", abi.WriteError: "error record",
			abi.WriteFail: "error record", abi.WriteWarning: "warning", abi.WriteVerbose: "message",
			abi.WriteProgress: "progress record"}[kind]
		st.in.stop(st.p.errorf(err, "wrote a malformed %s: %v", what, err))
	}
	if kind == abi.WriteFail {
		st.failRec = h.rec
		return
	}
	st.emit(h)
}

// text reads a string field of a written record (a string or null).
func (st *stage) text(r *abi.Reader) string {
	switch t := r.Tag(); t {
	case abi.TagString:
		b := r.RawBytes()
		if !utf8.Valid(b) {
			r.Failf("string is not valid UTF-8")
			return ""
		}
		return string(b)
	case abi.TagNull:
	default:
		if r.Err() == nil {
			r.Failf("expected a string, found tag " + strconv.Itoa(int(t)))
		}
	}
	return ""
}

func (st *stage) holding() bool {
	return len(st.window) > 0 || (st.cur != nil && len(st.cur.sets) > 0)
}

func (st *stage) record() *record {
	if st.cur == nil {
		st.cur = &record{}
	}
	return st.cur
}

// emit delivers an output now, or holds it behind pending PIN changes.
func (st *stage) emit(h held) {
	if st.holding() {
		rec := st.record()
		h.set = len(rec.sets) - 1
		rec.held = append(rec.held, h)
		return
	}
	if err := st.deliver(h); err != nil {
		st.in.stop(err)
	}
}

func (st *stage) deliver(h held) error {
	switch h.kind {
	case abi.WriteObject:
		return st.rt.WriteObject(h.v)
	case abi.WriteError:
		return st.rt.WriteError(h.rec)
	case abi.WriteWarning:
		st.rt.WriteWarning(h.msg)
	case abi.WriteVerbose:
		st.rt.WriteVerbose(h.msg)
	case abi.WriteProgress:
		st.rt.WriteProgress(h.msg, h.done, h.total)
	}
	return nil
}

// shouldProcess asks the engine, after releasing held outputs when the
// answer may print or prompt (so What if lines and prompts appear after
// the outputs of earlier records, as in PowerShell).
func (st *stage) shouldProcess(target, action string) bool {
	if st.prompting && st.holding() {
		if err := st.settle(true); err != nil {
			st.in.stop(err)
		}
	}
	ok, err := st.rt.ShouldProcess(target, action)
	if err != nil {
		st.in.stop(err)
	}
	return ok
}

// queue hands a prepared PIN change to the hash workers.
func (st *stage) queue(ps PendingSet, u *User) {
	rec := st.record()
	p := &pending{set: ps, user: u, done: make(chan struct{})}
	rec.sets = append(rec.sets, p)
	jobs := st.workers()
	select {
	case jobs <- p:
	case <-st.ctx.Done():
		panic(errStopped)
	}
}

// workers starts the hash workers on first use: one per core.
func (st *stage) workers() chan *pending {
	r := st.res
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.jobs == nil {
		r.stopped.Store(false)
		r.jobs = make(chan *pending, 256)
		for i := 0; i < runtime.GOMAXPROCS(0); i++ {
			go hashWorker(r.jobs, &r.stopped)
		}
	}
	return r.jobs
}

var errAbandoned = errors.New("the stage ended before the PIN was committed")

func hashWorker(jobs <-chan *pending, stopped *atomic.Bool) {
	for p := range jobs {
		if stopped.Load() {
			p.err = errAbandoned
		} else {
			p.err = safeHash(p.set)
		}
		close(p.done)
	}
}

func safeHash(s PendingSet) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("hashing the PIN failed: %v", r)
		}
	}()
	return s.Hash()
}

// settle moves the current record into the window and commits: the whole
// window when final, else its first half once it is full.
func (st *stage) settle(final bool) error {
	if st.cur != nil {
		if st.holding() {
			st.window = append(st.window, st.cur)
		}
		st.cur = nil
	}
	for len(st.window) > 0 && (final || len(st.window) >= st.m.opts.Window) {
		k := len(st.window)
		if !final {
			k = max(1, k/2)
		}
		if err := st.commit(k); err != nil {
			return err
		}
	}
	return nil
}

// commit waits for the hashes of the first k records, commits their
// changes in one transaction, and releases their outputs in order.
func (st *stage) commit(k int) error {
	recs := st.window[:k]
	var sets []PendingSet
	var owners []*pending
	for _, rec := range recs {
		for _, p := range rec.sets {
			select {
			case <-p.done:
			case <-st.ctx.Done():
				return st.p.errorf(st.ctx.Err(), "was stopped while its PIN changes were hashed: %v", st.ctx.Err())
			}
			if p.err == nil {
				sets = append(sets, p.set)
				owners = append(owners, p)
			}
		}
	}
	if len(sets) > 0 {
		errs := st.m.opts.Services.CommitSets(st.ctx, st.call, sets)
		for i, err := range errs {
			if err != nil && i < len(owners) {
				owners[i].err = err
			}
		}
	}
	done := append([]*record(nil), recs...)
	n := copy(st.window, st.window[k:])
	clear(st.window[n:])
	st.window = st.window[:n]
	for _, rec := range done {
		if err := st.release(rec); err != nil {
			return err
		}
	}
	return nil
}

// release delivers a committed record's outputs, replacing those of a
// failed change by its error.
func (st *stage) release(rec *record) error {
	var reported []bool
	for _, h := range rec.held {
		if h.set >= 0 && rec.sets[h.set].err != nil {
			if reported == nil {
				reported = make([]bool, len(rec.sets))
			}
			if !reported[h.set] {
				reported[h.set] = true
				if err := st.deliver(st.setError(rec.sets[h.set])); err != nil {
					return err
				}
			}
			continue
		}
		if err := st.deliver(h); err != nil {
			return err
		}
	}
	for i, p := range rec.sets {
		if p.err != nil && (reported == nil || !reported[i]) {
			if err := st.deliver(st.setError(p)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (st *stage) setError(p *pending) held {
	target := object.Value(p.user.SipAddress)
	if p.user.SipAddress == "" {
		target = p.user.DN
	}
	var rec *cmdlet.ErrorRecord
	if errors.As(p.err, &rec) {
		if rec.Target == nil {
			c := *rec
			c.Target = target
			rec = &c
		}
	} else {
		rec = cmdlet.NewError(cmdlet.InvalidOperation, "PinNotSet", target, p.err)
	}
	return held{kind: abi.WriteError, rec: rec, set: -1}
}
