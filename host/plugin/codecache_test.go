package plugin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pinsh/host/cmdlet"
)

// A plugin compiled once is loaded by later managers through its skeleton,
// and runs exactly as before.
func TestSkeletonWarmLoad(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, wasmOf["./plugins/getclientpininfo"], filepath.Join(dir, "getclientpininfo.wasm"))
	cache := t.TempDir()
	for i, want := range []bool{true, true} {
		m, err := NewManager(Options{Services: newFakeServices(), CacheDir: cache, SearchPath: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		runPinInfo(t, m)
		p := m.Plugins()[0]
		if p.skeleton != want {
			t.Errorf("run %d: loaded through the skeleton = %v, want %v", i, p.skeleton, want)
		}
		m.Close(context.Background())
	}
	// One compiled module in wazero's cache (the real code, under the
	// skeleton's key), the skeleton and its record next to the module.
	entries, _ := filepath.Glob(filepath.Join(cache, "wazero-*", "*"))
	if len(entries) != 1 {
		t.Errorf("wazero cache holds %v, want one entry", entries)
	}
	for _, suffix := range []string{".skel", ".skel.wasm"} {
		if m, _ := filepath.Glob(filepath.Join(cache, "modules-*", "*"+suffix)); len(m) != 1 {
			t.Errorf("%s files: %v", suffix, m)
		}
	}
}

// When wazero does not find the real code under the skeleton's key (here:
// the record names another file of the right size), it compiles the
// skeleton itself; the instance traps at once, and the manager recompiles
// the real module, makes a new skeleton and runs the cmdlet.
func TestSkeletonMixUpHeals(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, wasmOf["./plugins/getclientpininfo"], filepath.Join(dir, "getclientpininfo.wasm"))
	cache := t.TempDir()
	m, err := NewManager(Options{Services: newFakeServices(), CacheDir: cache, SearchPath: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	runPinInfo(t, m)
	p := m.Plugins()[0]
	m.Close(context.Background())

	_, recPath := m.skeletonFiles(p)
	rec, err := os.ReadFile(recPath)
	if err != nil {
		t.Fatal(err)
	}
	key, size, _ := strings.Cut(strings.TrimSpace(string(rec)), " ")
	wdir := wazeroDir(cache)
	bogus := strings.Repeat("0", len(key))
	if err := os.Rename(filepath.Join(wdir, key), filepath.Join(wdir, bogus)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recPath, []byte(bogus+" "+size+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	m, err = NewManager(Options{Services: newFakeServices(), CacheDir: cache, SearchPath: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	runPinInfo(t, m)
	p = m.Plugins()[0]
	if !p.skeleton {
		t.Error("no new skeleton after the mix-up")
	}
	rec, _ = os.ReadFile(recPath)
	if !strings.HasPrefix(string(rec), key+" ") {
		t.Errorf("new record %q, want the key %s", rec, key)
	}
}

// Without a disk cache there is no skeleton: the module is compiled.
func TestNoCacheNoSkeleton(t *testing.T) {
	m, err := NewManager(Options{Services: newFakeServices(), CacheDir: "-", SearchPath: []string{pluginDir}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	runPinInfo(t, m)
	for _, p := range m.Plugins() {
		if p.skeleton {
			t.Errorf("%s loaded through a skeleton without a cache", p.Name)
		}
	}
}

// runPinInfo discovers m's plugins and runs Get-CsClientPinInfo once.
func runPinInfo(t *testing.T, m *Manager) {
	t.Helper()
	ctx := context.Background()
	if _, errs := m.Discover(ctx); len(errs) > 0 {
		t.Fatal(errs)
	}
	reg := cmdlet.NewRegistry()
	m.Register(reg)
	rt := &fakeRuntime{}
	if err := run(ctx, lookup(t, reg, "Get-CsClientPinInfo"), rt, named("Identity", `litwareinc\kenmyer`)); err != nil || len(rt.objects) != 1 {
		t.Fatal(err, rt.events)
	}
}
