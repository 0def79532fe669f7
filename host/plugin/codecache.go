package plugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"

	"pinsh/host/plugin/instrument"
)

// Loading compiled code without validating the module again.
//
// On a file-cache hit, wazero's CompileModule still decodes and validates
// the whole module before it looks the compiled code up: about 40 ms for a
// Go plugin, most of a warm start, and wazero has no option to skip it.
// The code is looked up by a key derived from the module's bytes only, and
// on a hit the engine uses the module for its shape (types, imports,
// globals, memory, tables, exports, data), never the function bodies.
//
// So when a plugin is first compiled, the host also writes its skeleton
// ([instrument.Skeleton]: the same module with every body replaced by
// `unreachable`, tagged with the plugin's hash), learns the skeleton's
// cache key by compiling it once, and stores the real compiled code under
// that key. From then on, every process compiles the skeleton, which
// validates in about 0.7 ms and hits the real code.
//
// What if the real code is not there (the wazero cache was cleaned, or the
// cache directory moved to a machine with other CPU features, which are
// part of wazero's key)? The host checks that the file it wrote is present
// before using the skeleton; if wazero still misses, it compiles the
// skeleton itself, whose every function traps, so the instance fails at its
// first instruction (the Go runtime's _initialize) with "unreachable": the
// host then forgets the skeleton, compiles the real module again and
// writes the code under this machine's key. A mix-up costs time; it cannot
// run wrong code.

// skeletonFiles are the cache files of a plugin's skeleton: the module, and
// the record of the wazero cache entry holding the real code ("key size").
func (m *Manager) skeletonFiles(p *Plugin) (module, record string) {
	dir := m.modulesDir()
	return filepath.Join(dir, p.Hash+".skel.wasm"), filepath.Join(dir, p.Hash+".skel")
}

// wazeroDir is the directory of wazero's file cache under CacheDir
// (wazero names it after its version, the architecture and the OS).
func wazeroDir(cacheDir string) string {
	return filepath.Join(cacheDir, "wazero-"+wazeroVersion()+"-"+runtime.GOARCH+"-"+runtime.GOOS)
}

// fromSkeleton loads the plugin's compiled code through its skeleton, or
// returns nil when the plugin has no usable skeleton.
func (m *Manager) fromSkeleton(ctx context.Context, e *engine, p *Plugin) wazero.CompiledModule {
	if m.opts.CacheDir == "" {
		return nil
	}
	modPath, recPath := m.skeletonFiles(p)
	rec, err := os.ReadFile(recPath)
	if err != nil {
		return nil
	}
	key, size, ok := strings.Cut(strings.TrimSpace(string(rec)), " ")
	want, err := strconv.ParseInt(size, 10, 64)
	if !ok || err != nil || strings.ContainsAny(key, `/\.`) {
		return nil
	}
	if st, err := os.Stat(filepath.Join(wazeroDir(m.opts.CacheDir), key)); err != nil || st.Size() != want {
		return nil
	}
	skel, err := os.ReadFile(modPath)
	if err != nil {
		return nil
	}
	cm, err := e.rt.CompileModule(context.WithoutCancel(ctx), skel)
	if err != nil {
		return nil
	}
	return cm
}

// forgetSkeleton removes the plugin's skeleton after wazero compiled it for
// itself (its code trapped), so that the next load compiles the real
// module and makes a new one.
func (m *Manager) forgetSkeleton(p *Plugin) {
	modPath, recPath := m.skeletonFiles(p)
	os.Remove(recPath)
	os.Remove(modPath)
}

// makeSkeleton compiles the real module mod, in a runtime of its own whose
// file cache is a new temporary directory, together with its skeleton; moves
// the real code into the engine's file cache under the skeleton's key; and
// records the skeleton. It returns the compilation error of mod, if any,
// and any other failure as errSkeleton (the caller then compiles mod
// without a skeleton).
func (m *Manager) makeSkeleton(ctx context.Context, e *engine, p *Plugin, mod []byte) error {
	skip := func(err error) error { return fmt.Errorf("%w: %v", errSkeleton, err) }
	skel, err := instrument.Skeleton(mod, []byte(p.Hash))
	if err != nil {
		return skip(err)
	}
	tmp, err := os.MkdirTemp(m.opts.CacheDir, ".compile-")
	if err != nil {
		return skip(err)
	}
	defer os.RemoveAll(tmp)
	cache, err := wazero.NewCompilationCacheWithDir(tmp)
	if err != nil {
		return skip(err)
	}
	defer cache.Close(ctx)
	rt := wazero.NewRuntimeWithConfig(ctx, e.config().WithCompilationCache(cache))
	defer rt.Close(ctx)
	dir := wazeroDir(tmp)

	// The skeleton first (20-50 ms), to tell the two cache entries apart.
	if _, err := rt.CompileModule(ctx, skel); err != nil {
		return skip(err)
	}
	key, err := onlyEntry(dir, "")
	if err != nil {
		return skip(err)
	}
	// A cold compilation (1-1.5 s for a Go plugin) uses every core: 0.4 to
	// 0.6 s less on 2 cores when the other one is free.
	cctx := experimental.WithCompilationWorkers(ctx, runtime.GOMAXPROCS(0))
	if _, err := rt.CompileModule(cctx, mod); err != nil {
		return err
	}
	code, err := onlyEntry(dir, key)
	if err != nil {
		return skip(err)
	}
	st, err := os.Stat(filepath.Join(dir, code))
	if err != nil {
		return skip(err)
	}
	modPath, recPath := m.skeletonFiles(p)
	target := wazeroDir(m.opts.CacheDir)
	if err := os.MkdirAll(target, 0o700); err != nil {
		return skip(err)
	}
	if err := os.Rename(filepath.Join(dir, code), filepath.Join(target, key)); err != nil {
		return skip(err)
	}
	if err := writeAtomic(modPath, skel); err != nil {
		return skip(err)
	}
	if err := writeAtomic(recPath, []byte(key+" "+strconv.FormatInt(st.Size(), 10)+"\n")); err != nil {
		return skip(err)
	}
	return nil
}

var errSkeleton = errors.New("no skeleton")

// wazeroVersion is the version wazero names its cache directory after: as
// wazero finds it, the version of the module in the build information.
var wazeroVersion = sync.OnceValue(func() string {
	v := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if strings.Contains(dep.Path, "github.com/tetratelabs/wazero") {
				v = dep.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "dev"
	}
	return v
})

// onlyEntry returns the name of the one file in dir other than except.
func onlyEntry(dir, except string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); n != except && !strings.Contains(n, ".tmp") {
			names = append(names, n)
		}
	}
	if len(names) != 1 {
		return "", fmt.Errorf("%d new entries in %s, want 1", len(names), dir)
	}
	return names[0], nil
}
