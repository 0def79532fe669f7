package plugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"

	"pinsh/host/cmdlet"
	"pinsh/host/rbac"
)

// Options configure a [Manager]. Only Services is required.
type Options struct {
	// Services are the host services plugins call.
	Services Services
	// Authorizer decides per operator, cmdlet and target; nil allows all
	// (rbac.AllowAll).
	Authorizer Authorizer
	// CacheDir holds instrumented modules, manifests and compiled code;
	// default os.UserCacheDir()/pinsh. "-" disables the disk caches (every
	// start compiles again; for tests of the cold path).
	CacheDir string
	// SearchPath lists the directories scanned for *.wasm plugins, in
	// order; default [DefaultSearchPath].
	SearchPath []string
	// MemoryLimit caps each instance's linear memory, in bytes (rounded
	// down to 64 KiB pages); default 64 MiB.
	MemoryLimit int64
	// InitTimeout bounds instantiation (the Go runtime's start) and the
	// reading of a new plugin's manifest; default 10 s.
	InitTimeout time.Duration
	// Window is the number of input records whose outputs may be held
	// while their PIN hashes are computed in parallel; default
	// max(64, 16 × GOMAXPROCS). A smaller window leaves the hash workers
	// idle whenever the pipeline's goroutine is descheduled for a moment.
	Window int
	// Grant returns the capabilities granted to a plugin; default: every
	// capability its manifest requests (installing a plugin on the search
	// path is the administrator's grant). A capability not granted makes
	// the plugin's call to that service fail the stage.
	Grant func(p *Plugin) []string
}

// Manager finds, validates, caches and runs plugins. Create one per
// process with [NewManager]; it is safe for concurrent use.
type Manager struct {
	opts Options

	mu      sync.Mutex
	eng     *engine
	engErr  error
	plugins []*Plugin
	byName  map[string]*Plugin
	index   *index
}

// Plugin is a discovered (or loaded) plugin module.
type Plugin struct {
	Name    string
	Version string
	// Path is the module file; Hash its SHA-256 (hex), which keys every
	// cache.
	Path string
	Hash string
	// ABI is the plugin's ABI version, major<<16 | minor.
	ABI int
	// Capabilities are those the manifest requests; Granted those the
	// host granted.
	Capabilities []string
	Granted      []string
	// Cmdlets are ready to register; their New instantiates the module
	// lazily, so registering costs no compilation.
	Cmdlets []*cmdlet.Info

	m        *Manager
	granted  capSet
	params   [][]cmdlet.Param // per cmdlet, the declared parameters
	modPath  string           // instrumented module in the cache
	module   []byte           // instrumented bytes when not cached on disk
	mu       sync.Mutex
	compiled wazero.CompiledModule
	skeleton bool // compiled was loaded through the skeleton
	idle     []*instance
}

// NewManager returns a manager. It does no work: modules are read by
// [Manager.Discover] or [Manager.Load], and the WebAssembly runtime starts
// when a plugin is first inspected or run.
func NewManager(opts Options) (*Manager, error) {
	if opts.Services == nil {
		return nil, errors.New("plugin.NewManager: Options.Services is required")
	}
	if opts.Authorizer == nil {
		opts.Authorizer = rbac.AllowAll{}
	}
	if opts.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("plugin cache: %w", err)
		}
		opts.CacheDir = filepath.Join(dir, "pinsh")
	}
	if opts.CacheDir == "-" {
		opts.CacheDir = ""
	}
	if opts.SearchPath == nil {
		opts.SearchPath = DefaultSearchPath()
	}
	if opts.MemoryLimit <= 0 {
		opts.MemoryLimit = 64 << 20
	}
	if opts.MemoryLimit < 1<<20 {
		opts.MemoryLimit = 1 << 20
	}
	if opts.MemoryLimit > 4<<30 {
		opts.MemoryLimit = 4 << 30
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = 10 * time.Second
	}
	if opts.Window <= 0 {
		opts.Window = max(64, 16*runtime.GOMAXPROCS(0))
	}
	return &Manager{opts: opts, byName: map[string]*Plugin{}}, nil
}

// engine starts the WebAssembly runtime on first use.
func (m *Manager) engine(ctx context.Context) (*engine, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.eng == nil && m.engErr == nil {
		dir := ""
		if m.opts.CacheDir != "" {
			dir = m.opts.CacheDir
		}
		m.eng, m.engErr = newEngine(context.WithoutCancel(ctx), dir, m.opts.MemoryLimit)
	}
	return m.eng, m.engErr
}

// compiled returns the plugin's compiled module: through its skeleton when
// it has one (codecache.go), else compiled (or loaded from the file cache)
// and given a skeleton for the next process.
func (m *Manager) compiled(ctx context.Context, p *Plugin) (wazero.CompiledModule, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.compiled != nil {
		return p.compiled, nil
	}
	e, err := m.engine(ctx)
	if err != nil {
		return nil, err
	}
	if cm := m.fromSkeleton(ctx, e, p); cm != nil {
		p.compiled, p.skeleton = cm, true
		return cm, nil
	}
	mod := p.module
	if mod == nil {
		mod, err = os.ReadFile(p.modPath)
		if err != nil {
			return nil, p.errorf(err, "cannot be loaded from the cache: %v (reinstall it, or delete %s)", err, filepath.Dir(p.modPath))
		}
	}
	if m.opts.CacheDir != "" {
		err := m.makeSkeleton(context.WithoutCancel(ctx), e, p, mod)
		if err == nil {
			if cm := m.fromSkeleton(ctx, e, p); cm != nil {
				p.compiled, p.skeleton = cm, true
				return cm, nil
			}
		} else if !errors.Is(err, errSkeleton) {
			return nil, p.errorf(err, "does not compile: %v", err)
		}
	}
	// Without a skeleton (no disk cache, or it could not be made).
	cctx := experimental.WithCompilationWorkers(context.WithoutCancel(ctx), runtime.GOMAXPROCS(0))
	cm, err := e.rt.CompileModule(cctx, mod)
	if err != nil {
		return nil, p.errorf(err, "does not compile: %v", err)
	}
	p.compiled, p.skeleton = cm, false
	return cm, nil
}

// dropSkeleton discards a compiled skeleton whose code turned out to be
// the skeleton's own (see codecache.go) and reports whether it did.
func (m *Manager) dropSkeleton(ctx context.Context, p *Plugin) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.skeleton || p.compiled == nil {
		return false
	}
	p.compiled.Close(context.WithoutCancel(ctx))
	p.compiled, p.skeleton = nil, false
	m.forgetSkeleton(p)
	return true
}

// acquire returns an instance for a stage: an idle one left by a stage that
// ended cleanly, or a new one.
func (m *Manager) acquire(ctx context.Context, p *Plugin) (*instance, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		in := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return in, nil
	}
	p.mu.Unlock()
	return m.instantiate(ctx, p)
}

// release keeps a healthy instance for the next stage (one per plugin, so
// that `foreach` loops over a plugin cmdlet do not pay the 3-8 ms start
// each time), and closes any other.
func (m *Manager) release(in *instance) {
	if in.dead {
		return
	}
	in.st = nil
	p := in.p
	p.mu.Lock()
	if len(p.idle) == 0 {
		p.idle = append(p.idle, in)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	in.close()
}

// Plugins returns the plugins discovered or loaded so far, by name.
func (m *Manager) Plugins() []*Plugin {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]*Plugin(nil), m.plugins...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Register adds every cmdlet of every discovered plugin to reg. A cmdlet
// whose name is already taken (by a built-in or another plugin) is not
// registered; the error names both.
func (m *Manager) Register(reg *cmdlet.Registry) []error {
	var errs []error
	for _, p := range m.Plugins() {
		errs = append(errs, p.Register(reg)...)
	}
	return errs
}

// Register adds the plugin's cmdlets to reg.
func (p *Plugin) Register(reg *cmdlet.Registry) []error {
	var errs []error
	for _, in := range p.Cmdlets {
		if err := reg.Add(in); err != nil {
			errs = append(errs, fmt.Errorf("plugin %s (%s): %w", p.Name, p.Path, err))
		}
	}
	return errs
}

// Close releases the runtime and every instance.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	e := m.eng
	m.eng, m.engErr = nil, errors.New("plugin manager closed")
	for _, p := range m.plugins {
		p.mu.Lock()
		p.idle, p.compiled = nil, nil
		p.mu.Unlock()
	}
	m.mu.Unlock()
	if e != nil {
		return e.close(ctx)
	}
	return nil
}

// Error is a plugin failure: a refused module, a stage ended by a trap, a
// panic, exhausted memory, a deadline or Ctrl-C, or a protocol violation.
// It names the plugin (and its file) and the cause.
type Error struct {
	Plugin string
	Path   string
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	if e.Plugin != "" {
		return "plugin " + e.Plugin + " " + e.Msg
	}
	return "plugin file " + e.Path + " " + e.Msg
}

// Unwrap returns the underlying cause (context.DeadlineExceeded,
// *sys.ExitError, ...).
func (e *Error) Unwrap() error { return e.Err }

func (p *Plugin) errorf(cause error, format string, args ...any) *Error {
	return &Error{Plugin: p.Name, Path: p.Path, Msg: fmt.Sprintf(format, args...), Err: cause}
}

func fileErrorf(path string, cause error, format string, args ...any) *Error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// Prepare starts loading the plugin's compiled code in the background and
// returns at once, so that a command about to run one of its cmdlets does
// not wait for it: call it as soon as the command line is parsed, while
// the store opens. Loading costs 25-60 ms per plugin, most of it wazero
// validating the module, which it does even when the compiled code comes
// from the cache. Errors surface when the cmdlet runs.
func (p *Plugin) Prepare(ctx context.Context) {
	go p.m.compiled(context.WithoutCancel(ctx), p)
}
