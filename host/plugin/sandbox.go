package plugin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"pinsh/sdk/abi"
)

// features are the WebAssembly features plugins may use: those the
// instrumenter understands (WebAssembly 2.0 without SIMD).
const features = api.CoreFeaturesV2 &^ api.CoreFeatureSIMD

// engine is the one wazero runtime of a Manager, with the host modules
// every plugin imports, and an interpreter runtime for reading the
// manifests of new modules.
type engine struct {
	rt       wazero.Runtime
	cache    wazero.CompilationCache
	memLimit uint32 // pages
	alloc    experimental.MemoryAllocator

	interpMu  sync.Mutex
	interp    wazero.Runtime
	interpErr error
}

func newEngine(ctx context.Context, cacheDir string, memLimitBytes int64) (*engine, error) {
	e := &engine{memLimit: uint32(memLimitBytes / 65536)}
	cfg := e.config()
	if cacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(cacheDir)
		if err != nil {
			return nil, fmt.Errorf("plugin compilation cache %s: %w", cacheDir, err)
		}
		e.cache = c
		cfg = cfg.WithCompilationCache(c)
	}
	e.rt = wazero.NewRuntimeWithConfig(ctx, cfg)
	e.alloc = newMmapAllocator()
	if err := hostModules(ctx, e.rt); err != nil {
		e.close(ctx)
		return nil, err
	}
	return e, nil
}

// config is the configuration of the engine's runtime, without its
// compilation cache. Compiled code depends on it: code compiled elsewhere
// for this engine (makeSkeleton) must use the same.
func (e *engine) config() wazero.RuntimeConfig {
	return wazero.NewRuntimeConfigCompiler().
		WithCoreFeatures(features).
		WithMemoryLimitPages(e.memLimit).
		WithMemoryCapacityFromMax(true).
		WithCloseOnContextDone(false) // safe points instead; see the package doc
}

// interpreter returns the interpreter runtime, starting it on first use.
// A module seen for the first time only has to report its manifest, which
// the interpreter runs after a compilation about ten times cheaper than
// the optimizing compiler's (0.1-0.2 s against 1-1.5 s for a Go plugin):
// so discovering new plugins costs little, and only the plugins that run
// are compiled for real (into the file cache, once).
func (e *engine) interpreter(ctx context.Context) (wazero.Runtime, error) {
	e.interpMu.Lock()
	defer e.interpMu.Unlock()
	if e.interp == nil && e.interpErr == nil {
		cfg := wazero.NewRuntimeConfigInterpreter().
			WithCoreFeatures(features).
			WithMemoryLimitPages(e.memLimit).
			WithMemoryCapacityFromMax(true).
			WithCloseOnContextDone(false)
		rt := wazero.NewRuntimeWithConfig(ctx, cfg)
		if err := hostModules(ctx, rt); err != nil {
			rt.Close(ctx)
			e.interpErr = err
		} else {
			e.interp = rt
		}
	}
	return e.interp, e.interpErr
}

func (e *engine) close(ctx context.Context) error {
	err := e.rt.Close(ctx)
	e.interpMu.Lock()
	if e.interp != nil {
		e.interp.Close(ctx)
		e.interp = nil
	}
	e.interpMu.Unlock()
	if e.cache != nil {
		e.cache.Close(ctx)
	}
	return err
}

// errStopped is what the safe point panics with when the call's context is
// done; wazero returns it (wrapped) from the call.
var errStopped = errors.New("plugin stopped at a safe point")

// schedYield replaces WASI's sched_yield. Every loop iteration and every
// entry of a calling function in an instrumented module counts down a
// counter and calls it every 4096 checks, so a guest cannot run for more
// than a few microseconds without passing here. The context is the one the
// host passed to the export call, so a deadline or Ctrl-C needs no watcher
// goroutine and costs nothing per call.
func schedYield(ctx context.Context, _ api.Module, stack []uint64) {
	if ctx.Err() != nil {
		panic(errStopped)
	}
	stack[0] = 0
}

// hostModules instantiates, in rt, the WASI functions (with sched_yield
// replaced by the safe point) and pinsh's host functions.
func hostModules(ctx context.Context, rt wazero.Runtime) error {
	w := rt.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(w)
	w.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(schedYield), nil, []api.ValueType{api.ValueTypeI32}).
		WithParameterNames().WithResultNames("errno").
		Export("sched_yield")
	if _, err := w.Instantiate(ctx); err != nil {
		return err
	}
	i32 := api.ValueTypeI32
	h := rt.NewHostModuleBuilder(abi.ImportModule)
	def := func(name string, f api.GoModuleFunc, nparams int) {
		params := make([]api.ValueType, nparams)
		for i := range params {
			params[i] = i32
		}
		h.NewFunctionBuilder().WithGoModuleFunction(f, params, []api.ValueType{i32}).Export(name)
	}
	def(abi.FuncWrite, hostWrite, 3)
	def(abi.FuncShouldProcess, hostShouldProcess, 2)
	def(abi.FuncTake, hostTake, 2)
	for _, s := range serviceList {
		def(s.name, serviceFunc(s), 4)
	}
	_, err := h.Instantiate(ctx)
	return err
}

// instKey finds the instance a host function serves, on the call's
// context.
type instKey struct{}

// instance is one instantiated plugin module, used by one stage at a time.
type instance struct {
	p        *Plugin
	mod      api.Module
	fnBuffer api.Function
	fnBegin  api.Function
	fnProc   api.Function
	fnEnd    api.Function
	fnBatch  api.Function // ABI 1.2; nil in older plugins
	stack    [1]uint64
	bufPtr   uint32
	bufCap   uint32
	stdout   capture
	stderr   capture
	// done is the current call's ctx.Done, for the sleeper.
	done <-chan struct{}
	// st is the stage being served, set only during a call, so that an
	// idle instance does not keep its last stage alive.
	st *stage
	// abort is why a host function stopped the guest; the call returns it.
	abort error
	// held is a service reply too large for the guest's buffer, until the
	// guest takes it.
	held []byte
	dead bool
}

// sleep is the guest's nanosleep (time.Sleep, poll_oneoff): it ends early
// when the current call's context is done, so a sleeping guest is
// stoppable too; the next safe point then aborts the call.
func (in *instance) sleep(ns int64) {
	if ns <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(ns))
	defer t.Stop()
	select {
	case <-t.C:
	case <-in.done:
	}
}

func (m *Manager) instantiate(ctx context.Context, p *Plugin) (*instance, error) {
	e, err := m.engine(ctx)
	if err != nil {
		return nil, err
	}
	cm, err := m.compiled(ctx, p)
	if err != nil {
		return nil, err
	}
	in, err := m.start(ctx, e, e.rt, cm, p)
	if err != nil && strings.Contains(err.Error(), "unreachable") && m.dropSkeleton(ctx, p) {
		// wazero compiled the skeleton itself: see codecache.go.
		if cm, err = m.compiled(ctx, p); err != nil {
			return nil, err
		}
		in, err = m.start(ctx, e, e.rt, cm, p)
	}
	return in, err
}

// start instantiates a compiled module of rt (the engine's runtime or its
// interpreter) in the sandbox.
func (m *Manager) start(ctx context.Context, e *engine, rt wazero.Runtime, cm wazero.CompiledModule, p *Plugin) (*instance, error) {
	in := &instance{p: p}
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions(abi.ExportStart).
		WithSysWalltime().WithSysNanotime().
		WithNanosleep(in.sleep).
		WithRandSource(rand.Reader).
		// The only environment a plugin sees tunes its Go runtime: its live
		// heap (a few MiB, mostly the runtime's) sits near Go's 4 MiB
		// minimum heap goal, so with the default GOGC=100 a guest collects
		// after every MiB or so it allocates, and a collection costs tens
		// of ms in WebAssembly. GOGC=400 makes them rare (800 was no
		// faster: it touches more fresh memory, which is slow in a VM);
		// GOMEMLIMIT keeps the heap inside the instance's memory cap.
		WithEnv("GOGC", guestGOGC).
		WithEnv("GOMEMLIMIT", strconv.FormatInt(m.opts.MemoryLimit*5/8, 10)).
		WithStdout(&in.stdout).WithStderr(&in.stderr)
	ictx, cancel := context.WithTimeout(ctx, m.opts.InitTimeout)
	defer cancel()
	ictx = context.WithValue(ictx, instKey{}, in)
	if e.alloc != nil {
		ictx = experimental.WithMemoryAllocator(ictx, e.alloc)
	}
	in.done = ictx.Done()
	mod, err := rt.InstantiateModule(ictx, cm, cfg)
	if err != nil {
		return nil, in.failure(ictx, err, "starting")
	}
	in.mod = mod
	in.fnBuffer = mod.ExportedFunction(abi.ExportBuffer)
	in.fnBegin = mod.ExportedFunction(abi.ExportBegin)
	in.fnProc = mod.ExportedFunction(abi.ExportProcess)
	in.fnEnd = mod.ExportedFunction(abi.ExportEnd)
	if p.ABI&0xffff >= 2 {
		in.fnBatch = mod.ExportedFunction(abi.ExportProcessBatch)
	}
	if in.fnBuffer == nil || in.fnBegin == nil || in.fnProc == nil || in.fnEnd == nil {
		in.close()
		return nil, p.errorf(nil, "does not export the functions of plugin ABI %d", abi.Major)
	}
	return in, nil
}

func (in *instance) close() {
	in.dead = true
	if in.mod != nil {
		in.mod.Close(context.Background())
		in.mod = nil
	}
}

// call runs an export with one argument and returns its one result. Any
// failure kills the instance: a Go guest interrupted mid-call is in no
// state to continue.
func (in *instance) call(ctx context.Context, f api.Function, arg uint64, what string) (uint64, error) {
	if in.mod == nil {
		// Calling into a closed module faults the whole process (seen
		// with wazero v1.12.0); no caller should get here.
		return 0, in.p.errorf(nil, "was called while %s after it had stopped", what)
	}
	in.done = ctx.Done()
	in.abort = nil
	in.stack[0] = arg
	if err := f.CallWithStack(ctx, in.stack[:]); err != nil {
		ferr := in.failure(ctx, err, what)
		in.close()
		return 0, ferr
	}
	return in.stack[0], nil
}

// failure explains why a call into the guest failed, naming the plugin and
// the cause: an abort by a host function, a deadline or Ctrl-C, a crash
// (with the Go runtime's "panic:" or "fatal error:" line), a trap.
func (in *instance) failure(ctx context.Context, err error, what string) error {
	if in.abort != nil {
		return in.abort
	}
	p := in.p
	if errors.Is(err, errStopped) || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		cause := ctx.Err()
		if errors.Is(cause, context.DeadlineExceeded) {
			return p.errorf(cause, "was stopped while %s: it ran past its deadline", what)
		}
		return p.errorf(cause, "was stopped while %s: interrupted", what)
	}
	fatal := in.stderr.fatal
	if fatal == "" {
		fatal = in.stdout.fatal
	}
	if strings.Contains(fatal, "out of memory") {
		return p.errorf(err, "ran out of memory (limit %d MiB) while %s: %s", in.p.m.opts.MemoryLimit>>20, what, fatal)
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		if fatal != "" {
			return p.errorf(err, "crashed while %s: %s (exit code %d)", what, fatal, exit.ExitCode())
		}
		return p.errorf(err, "exited with code %d while %s", exit.ExitCode(), what)
	}
	msg := err.Error()
	if i := strings.Index(msg, "\nwasm stack trace"); i >= 0 {
		msg = msg[:i]
	}
	if fatal != "" {
		return p.errorf(err, "crashed while %s: %s (%s)", what, fatal, msg)
	}
	return p.errorf(err, "crashed while %s: %s", what, msg)
}

// input copies a message into the guest's input buffer, growing it first
// when needed.
func (in *instance) input(ctx context.Context, msg []byte) error {
	if uint32(len(msg)) > in.bufCap || in.bufCap == 0 {
		size := uint64(len(msg))
		if size < 4096 {
			size = 4096
		}
		ptr, err := in.call(ctx, in.fnBuffer, size, "allocating its input buffer")
		if err != nil {
			return err
		}
		in.bufPtr, in.bufCap = uint32(ptr), uint32(size)
	}
	if !in.mod.Memory().Write(in.bufPtr, msg) {
		in.close()
		return in.p.errorf(nil, "gave an input buffer outside its memory")
	}
	return nil
}

// capture keeps a plugin's stdout or stderr: the first 4 KiB, and the first
// line that the Go runtime writes when a guest dies ("panic: ...", "fatal
// error: ..."), which names the cause of a crash.
type capture struct {
	buf   []byte
	line  []byte
	fatal string
}

const captureMax = 4096

func (c *capture) Write(p []byte) (int, error) {
	if room := captureMax - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	// "runtime: out of memory: ..." comes before "fatal error: out of
	// memory"; the latter is the one to report.
	if c.fatal != "" && !strings.HasPrefix(c.fatal, "runtime:") {
		return len(p), nil
	}
	for _, b := range p {
		if b != '\n' {
			if len(c.line) < 512 {
				c.line = append(c.line, b)
			}
			continue
		}
		l := string(c.line)
		c.line = c.line[:0]
		switch {
		case strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: "):
			c.fatal = strings.TrimSpace(l)
			return len(p), nil
		case strings.HasPrefix(l, "runtime: out of memory") && c.fatal == "":
			c.fatal = strings.TrimSpace(l)
		}
	}
	return len(p), nil
}

// String returns the captured text.
func (c *capture) String() string { return string(c.buf) }

// guestGOGC is the GOGC of plugin instances; see instantiate.
var guestGOGC = "400"
