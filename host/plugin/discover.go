package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero/api"

	"pinsh/host/plugin/instrument"
	"pinsh/sdk/abi"
)

// DefaultSearchPath returns where plugins are looked for, in order: the
// plugins shipped with pinsh (<dir of the executable>/plugins, then
// <dir>/../lib/pinsh/plugins for installed layouts), the user's plugin
// directory ([UserPluginDir]), then the directories of PINSH_PLUGIN_PATH
// (separated by the OS list separator, ':' on Unix). A cmdlet name belongs
// to the first plugin that declares it.
func DefaultSearchPath() []string {
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		d := filepath.Dir(exe)
		dirs = append(dirs, filepath.Join(d, "plugins"), filepath.Join(d, "..", "lib", "pinsh", "plugins"))
	}
	if d, err := UserPluginDir(); err == nil {
		dirs = append(dirs, d)
	}
	for _, d := range filepath.SplitList(os.Getenv("PINSH_PLUGIN_PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// UserPluginDir is the per-user plugin directory, where Install-CsPlugin
// puts plugins: $XDG_DATA_HOME/pinsh/plugins (default
// ~/.local/share/pinsh/plugins) on Unix, the user configuration directory
// elsewhere.
func UserPluginDir() (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(d, "pinsh", "plugins"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "pinsh", "plugins"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "pinsh", "plugins"), nil
}

// Discover scans the search path and loads every *.wasm plugin found: from
// the manifest cache when the file is known (no compilation, no
// instantiation), else by inspecting it (instrument, compile into the
// cache, read its manifest in the sandbox), which costs about a second per
// plugin once. Files that cannot be used are reported, one error each
// naming the file and the reason; the others load.
func (m *Manager) Discover(ctx context.Context) ([]*Plugin, []error) {
	var found []*Plugin
	var errs []error
	var paths []string
	seen := map[string]bool{} // a directory listed twice is read once
	for _, dir := range m.opts.SearchPath {
		if abs, err := filepath.Abs(dir); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			if seen[abs] {
				continue
			}
			seen[abs] = true
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("plugin directory %s: %w", dir, err))
			}
			continue
		}
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".wasm") {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	// New modules are inspected on every core at once (a quarter of a
	// second each); known ones cost a manifest read. They are then added
	// in search-path order, which decides name clashes.
	type loaded struct {
		p   *Plugin
		err error
	}
	results := make([]loaded, len(paths))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, path := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i].p, results[i].err = m.load(ctx, path)
		}()
	}
	wg.Wait()
	m.saveIndex()
	for i, r := range results {
		p, err := r.p, r.err
		if err == nil {
			p, err = m.add(p, paths[i])
		}
		if err != nil {
			if !errors.Is(err, errDuplicate) {
				errs = append(errs, err)
			}
			continue
		}
		found = append(found, p)
	}
	return found, errs
}

var errDuplicate = errors.New("already loaded")

// Load reads one plugin file (as Install-CsPlugin validates it) and adds
// it to the manager's plugins. A module that is not WebAssembly, is
// truncated, speaks another ABI version, uses unsupported features or
// declares an invalid manifest is refused with an error naming the file
// and the reason.
func (m *Manager) Load(ctx context.Context, path string) (*Plugin, error) {
	p, err := m.load(ctx, path)
	m.saveIndex()
	if err != nil {
		return nil, err
	}
	return m.add(p, path)
}

// add makes a loaded plugin one of the manager's, unless a plugin with the
// same hash (errDuplicate) or name is there already.
func (m *Manager) add(p *Plugin, path string) (*Plugin, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.plugins {
		if q.Hash == p.Hash {
			return q, errDuplicate
		}
	}
	if q, ok := m.byName[strings.ToLower(p.Name)]; ok {
		return nil, fileErrorf(path, nil, "declares the plugin name %q, already used by %s", p.Name, q.Path)
	}
	m.plugins = append(m.plugins, p)
	m.byName[strings.ToLower(p.Name)] = p
	return p, nil
}

func (m *Manager) load(ctx context.Context, path string) (*Plugin, error) {
	abs, err := filepath.Abs(path)
	if err == nil {
		path = abs
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fileErrorf(path, err, "cannot be read: %v", errors.Unwrap(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fileErrorf(path, nil, "is not a regular file")
	}
	cache := m.modulesDir()
	idx := m.loadIndex()
	// Known file, unchanged since it was inspected: its manifest is
	// cached by hash and nothing needs reading but the manifest.
	if h, ok := idx.lookup(path, st); ok && cache != "" {
		if raw, err := os.ReadFile(filepath.Join(cache, h+".manifest")); err == nil {
			if p, err := m.fromManifest(path, h, raw); err == nil {
				p.modPath = filepath.Join(cache, h+".wasm")
				if _, err := os.Stat(p.modPath); err == nil {
					return p, nil
				}
			}
		}
	}
	data, err := readModule(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	defer idx.record(path, st, h)
	if cache != "" {
		raw, err1 := os.ReadFile(filepath.Join(cache, h+".manifest"))
		_, err2 := os.Stat(filepath.Join(cache, h+".wasm"))
		if err1 == nil && err2 == nil {
			if p, err := m.fromManifest(path, h, raw); err == nil {
				p.modPath = filepath.Join(cache, h+".wasm")
				return p, nil
			}
		}
		// A module refused before is refused again without compiling it.
		if why, err := os.ReadFile(filepath.Join(cache, h+".refused")); err == nil {
			return nil, fileErrorf(path, nil, "%s", why)
		}
	}
	p, err := m.inspect(ctx, path, h, data)
	if err != nil && cache != "" && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		// Refusals are properties of the module's bytes; a deadline may
		// be the machine's fault, so it is not remembered.
		var pe *Error
		if errors.As(err, &pe) && os.MkdirAll(cache, 0o700) == nil {
			writeAtomic(filepath.Join(cache, h+".refused"), []byte(pe.Msg))
		}
	}
	return p, err
}

// maxModuleSize bounds what is read as a plugin.
const maxModuleSize = 256 << 20

func readModule(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileErrorf(path, err, "cannot be read: %v", errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxModuleSize+1))
	if err != nil {
		return nil, fileErrorf(path, err, "cannot be read: %v", err)
	}
	if len(data) > maxModuleSize {
		return nil, fileErrorf(path, nil, "is larger than %d MiB", maxModuleSize>>20)
	}
	return data, nil
}

// inspect validates a module seen for the first time: instrument it, check
// its imports and exports against the ABI, read its manifest by calling
// pinsh_describe in the sandbox (under the interpreter: see
// engine.interpreter), and cache the instrumented module and the manifest
// under the module's hash. The optimizing compiler runs when the plugin is
// first used, or when it is installed ([Manager.Install]).
func (m *Manager) inspect(ctx context.Context, path, hash string, data []byte) (*Plugin, error) {
	module, raw, q, err := m.readManifest(ctx, path, hash, data)
	if err != nil {
		return nil, err
	}
	q.module = module
	if dir := m.modulesDir(); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err == nil {
			modPath := filepath.Join(dir, hash+".wasm")
			if writeAtomic(modPath, module) == nil && writeAtomic(filepath.Join(dir, hash+".manifest"), raw) == nil {
				q.modPath = modPath
				q.module = nil
			}
		}
	}
	return q, nil
}

// readManifest instruments a module, checks its imports and exports, and
// reads its manifest: from its pinsh.manifest section, else by asking it
// (describeModule). It returns the instrumented module, the manifest as
// encoded and the plugin it declares.
func (m *Manager) readManifest(ctx context.Context, path, hash string, data []byte) (module, raw []byte, p *Plugin, err error) {
	res, err := instrument.Instrument(data)
	if err != nil {
		return nil, nil, nil, fileErrorf(path, err, "%s", refusal(err))
	}
	if err := checkInterface(res); err != nil {
		return nil, nil, nil, fileErrorf(path, err, "%v", err)
	}
	raw, ok := res.Custom[abi.ManifestSection]
	if !ok {
		if raw, err = m.describeModule(ctx, path, hash, res.Module); err != nil {
			return nil, nil, nil, err
		}
	}
	if p, err = m.fromManifest(path, hash, raw); err != nil {
		return nil, nil, nil, err
	}
	return res.Module, raw, p, nil
}

// describeModule reads the manifest of an instrumented module by calling
// pinsh_describe in a sandboxed instance under the interpreter (its
// compilation costs about a tenth of the optimizing compiler's).
func (m *Manager) describeModule(ctx context.Context, path, hash string, module []byte) ([]byte, error) {
	// An anonymous plugin (errors name the file) that may call nothing.
	p := &Plugin{Path: path, Hash: hash, m: m, module: module}
	e, err := m.engine(ctx)
	if err != nil {
		return nil, err
	}
	rt, err := e.interpreter(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	cm, err := rt.CompileModule(context.WithoutCancel(ctx), module)
	if err != nil {
		return nil, p.errorf(err, "does not compile: %v", err)
	}
	defer cm.Close(context.WithoutCancel(ctx))
	in, err := m.start(ctx, e, rt, cm, p)
	if err != nil {
		return nil, err
	}
	raw, err := describe(ctx, m, in)
	in.close()
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, fileErrorf(path, err, "%v", err)
	}
	return raw, nil
}

// refusal words an instrumenter error for the user.
func refusal(err error) string {
	var ie *instrument.Error
	if !errors.As(err, &ie) {
		return err.Error()
	}
	switch {
	case errors.Is(err, instrument.ErrMalformed) && ie.Offset < 8:
		return "is not a WebAssembly module"
	case errors.Is(err, instrument.ErrMalformed):
		return fmt.Sprintf("is not a valid WebAssembly module (truncated or corrupt): %s at byte %d", ie.Msg, ie.Offset)
	case errors.Is(err, instrument.ErrUnsupported):
		return fmt.Sprintf("uses a WebAssembly feature pinsh does not run: %s (at byte %d)", ie.Msg, ie.Offset)
	case errors.Is(err, instrument.ErrNoYield):
		return "cannot be made stoppable: " + ie.Msg
	case errors.Is(err, instrument.ErrCounter):
		return "is refused: " + ie.Msg
	}
	return err.Error()
}

// checkInterface checks a module's imports and exports against ABI 1
// before anything runs.
func checkInterface(res *instrument.Result) error {
	for _, im := range res.Imports {
		switch {
		case im.Module == "wasi_snapshot_preview1":
		case im.Module == abi.ImportModule:
			if im.Kind != 0 || !knownHostFunc(im.Name) {
				return fmt.Errorf("imports %s.%s, which plugin ABI %d.%d does not define (a plugin built for a later ABI %d.x needs a newer pinsh)",
					im.Module, im.Name, abi.Major, abi.Minor, abi.Major)
			}
		case strings.HasPrefix(im.Module, abi.ImportModulePrefix):
			v := strings.TrimPrefix(im.Module, abi.ImportModulePrefix)
			return fmt.Errorf("speaks plugin ABI %s; this pinsh speaks ABI %d (rebuild the plugin with a matching SDK)", v, abi.Major)
		default:
			return fmt.Errorf("imports from module %q, which pinsh does not provide", im.Module)
		}
	}
	want := map[string]int{abi.ExportVersion: 0, abi.ExportBuffer: 0, abi.ExportDescribe: 0,
		abi.ExportBegin: 0, abi.ExportProcess: 0, abi.ExportEnd: 0, abi.ExportStart: 0, "memory": 2}
	for _, ex := range res.Exports {
		if k, ok := want[ex.Name]; ok && int(ex.Kind) == k {
			delete(want, ex.Name)
		}
	}
	if _, ok := want[abi.ExportVersion]; ok {
		return fmt.Errorf("is not a pinsh plugin (it does not export %s)", abi.ExportVersion)
	}
	if len(want) > 0 {
		var missing []string
		for n := range want {
			missing = append(missing, n)
		}
		sort.Strings(missing)
		return fmt.Errorf("does not export %s, which plugin ABI %d requires", strings.Join(missing, ", "), abi.Major)
	}
	return nil
}

func knownHostFunc(name string) bool {
	switch name {
	case abi.FuncWrite, abi.FuncShouldProcess, abi.FuncTake:
		return true
	}
	for _, s := range serviceList {
		if s.name == name {
			return true
		}
	}
	return false
}

// describe asks a fresh instance for its ABI version and manifest.
func describe(ctx context.Context, m *Manager, in *instance) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, m.opts.InitTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, instKey{}, in)
	i32, i64 := []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI64}
	for _, f := range []struct {
		name            string
		params, results []api.ValueType
	}{
		{abi.ExportVersion, nil, i32}, {abi.ExportBuffer, i32, i32}, {abi.ExportDescribe, nil, i64},
		{abi.ExportBegin, i32, i32}, {abi.ExportProcess, i32, i32}, {abi.ExportEnd, nil, i32},
	} {
		if err := checkSignature(in.mod.ExportedFunction(f.name), f.params, f.results); err != nil {
			return nil, fmt.Errorf("export %s %v", f.name, err)
		}
	}
	v, err := in.call(ctx, in.mod.ExportedFunction(abi.ExportVersion), 0, "reporting its ABI version")
	if err != nil {
		return nil, err
	}
	if major := uint32(v) >> 16; major != abi.Major {
		return nil, fmt.Errorf("speaks plugin ABI %d.%d; this pinsh speaks ABI %d (rebuild the plugin with a matching SDK)", major, uint32(v)&0xffff, abi.Major)
	}
	if minor := uint32(v) & 0xffff; minor > abi.Minor {
		return nil, fmt.Errorf("speaks plugin ABI %d.%d; this pinsh speaks ABI %d.%d (use a newer pinsh)", abi.Major, minor, abi.Major, abi.Minor)
	}
	df := in.mod.ExportedFunction(abi.ExportDescribe)
	r, err := in.call(ctx, df, 0, "describing itself")
	if err != nil {
		return nil, err
	}
	ptr, n := uint32(r>>32), uint32(r)
	if n > 1<<20 {
		return nil, fmt.Errorf("declares a manifest of %d bytes (at most 1 MiB)", n)
	}
	b, ok := in.mod.Memory().Read(ptr, n)
	if !ok {
		return nil, errors.New("returned a manifest outside its memory")
	}
	return append([]byte(nil), b...), nil
}

func checkSignature(f api.Function, params, results []api.ValueType) error {
	if f == nil {
		return errors.New("not exported")
	}
	d := f.Definition()
	if !slices.Equal(d.ParamTypes(), params) || !slices.Equal(d.ResultTypes(), results) {
		return fmt.Errorf("has type %v -> %v, want %v -> %v", d.ParamTypes(), d.ResultTypes(), params, results)
	}
	return nil
}

func (m *Manager) modulesDir() string {
	if m.opts.CacheDir == "" {
		return ""
	}
	return filepath.Join(m.opts.CacheDir, "modules-v"+strconv.Itoa(instrument.Version)+"-abi"+strconv.Itoa(abi.Major))
}

// writeAtomic writes a cache file so that a concurrent reader sees the old
// file or the whole new one.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// index remembers, per plugin file, the size and modification time it had
// when it was hashed, so that start-up does not hash unchanged modules.
// (Replacing a plugin with another of the same size and modification time
// is the one change it misses; anyone able to do that can replace the
// plugin anyway.)
type index struct {
	mu      sync.Mutex
	path    string
	entries map[string]indexEntry
	dirty   bool
}

type indexEntry struct {
	size  int64
	mtime int64
	hash  string
}

func (m *Manager) loadIndex() *index {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.index != nil {
		return m.index
	}
	ix := &index{entries: map[string]indexEntry{}}
	m.index = ix
	if m.opts.CacheDir == "" {
		return ix
	}
	ix.path = filepath.Join(m.modulesDir(), "index")
	data, err := os.ReadFile(ix.path)
	if err != nil {
		return ix
	}
	r := abi.NewReader(data)
	n := r.Count(4)
	for i := 0; i < n && r.Err() == nil; i++ {
		p := r.RawString()
		e := indexEntry{size: r.Varint(), mtime: r.Varint(), hash: r.RawString()}
		if r.Err() == nil {
			ix.entries[p] = e
		}
	}
	if r.End() != nil {
		clear(ix.entries) // corrupt: start over
	}
	return ix
}

func (ix *index) lookup(path string, st os.FileInfo) (string, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.entries[path]
	if !ok || e.size != st.Size() || e.mtime != st.ModTime().UnixNano() || len(e.hash) != 64 {
		return "", false
	}
	return e.hash, true
}

func (ix *index) record(path string, st os.FileInfo, hash string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e := indexEntry{size: st.Size(), mtime: st.ModTime().UnixNano(), hash: hash}
	if ix.entries[path] != e {
		ix.entries[path] = e
		ix.dirty = true
	}
}

func (m *Manager) saveIndex() {
	ix := m.loadIndex()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if !ix.dirty || ix.path == "" {
		return
	}
	paths := make([]string, 0, len(ix.entries))
	for p := range ix.entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	b := abi.AppendUvarint(nil, uint64(len(paths)))
	for _, p := range paths {
		e := ix.entries[p]
		b = abi.AppendRawString(b, p)
		b = abi.AppendVarint(b, e.size)
		b = abi.AppendVarint(b, e.mtime)
		b = abi.AppendRawString(b, e.hash)
	}
	if os.MkdirAll(filepath.Dir(ix.path), 0o700) == nil && writeAtomic(ix.path, b) == nil {
		ix.dirty = false
	}
}

// Inspect validates a plugin file without adding it to the manager: what
// Install-CsPlugin shows before asking whether to grant the capabilities
// the plugin requests. It fills the caches, so installing afterwards is
// fast.
func (m *Manager) Inspect(ctx context.Context, path string) (*Plugin, error) {
	p, err := m.load(ctx, path)
	m.saveIndex()
	return p, err
}

// Install copies an inspected plugin into the user's plugin directory and
// loads it from there. The caller registers its cmdlets; a name clash with
// a loaded plugin is an error, and nothing is copied.
func (m *Manager) Install(ctx context.Context, p *Plugin) (*Plugin, error) {
	dir, err := UserPluginDir()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	q, clash := m.byName[strings.ToLower(p.Name)]
	m.mu.Unlock()
	if clash && q.Hash != p.Hash {
		return nil, fileErrorf(p.Path, nil, "declares the plugin name %q, already used by %s", p.Name, q.Path)
	}
	data, err := readModule(p.Path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	dst := filepath.Join(dir, p.Name+".wasm")
	if err := writeAtomic(dst, data); err != nil {
		return nil, err
	}
	q, err = m.Load(ctx, dst)
	if q != nil {
		// Fill the compilation cache now, so that the first command using
		// the plugin starts as fast as any other.
		if _, cerr := m.compiled(ctx, q); cerr != nil && err == nil {
			return nil, cerr
		}
	}
	return q, err
}

// Uninstall removes a plugin the user installed (one in [UserPluginDir])
// and forgets it; the caller removes its cmdlets from the registry.
// Plugins shipped with pinsh or found through PINSH_PLUGIN_PATH are not
// removed.
func (m *Manager) Uninstall(name string) (*Plugin, error) {
	dir, err := UserPluginDir()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.byName[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("no plugin named %q is loaded", name)
	}
	if filepath.Dir(p.Path) != filepath.Clean(dir) {
		return nil, fmt.Errorf("the plugin %s was not installed by the user (it comes from %s) and cannot be uninstalled", p.Name, p.Path)
	}
	if err := os.Remove(p.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	delete(m.byName, strings.ToLower(name))
	for i, q := range m.plugins {
		if q == p {
			m.plugins = append(m.plugins[:i], m.plugins[i+1:]...)
			break
		}
	}
	return p, nil
}
