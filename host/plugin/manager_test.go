package plugin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pinsh/host/cmdlet"
)

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSearchPathOrderAndClashes(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	gi := wasmOf["./plugins/getclientpininfo"]
	copyFile(t, gi, filepath.Join(a, "getclientpininfo.wasm"))
	copyFile(t, gi, filepath.Join(b, "copy.wasm")) // same module twice: loaded once
	m, err := NewManager(Options{Services: newFakeServices(), CacheDir: cacheDir, SearchPath: []string{a, b, "/nonexistent"}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	ps, errs := m.Discover(context.Background())
	if len(ps) != 1 || len(errs) != 0 || ps[0].Path != filepath.Join(a, "getclientpininfo.wasm") {
		t.Fatalf("plugins %v errors %v", ps, errs)
	}
	// A built-in already owns a name: the plugin cannot replace it.
	reg := cmdlet.NewRegistry()
	reg.MustAdd(&cmdlet.Info{Name: "Get-CsClientPinInfo", Source: "builtin"})
	errs = m.Register(reg)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "plugin getclientpininfo") ||
		!strings.Contains(errs[0].Error(), "already provided by a built-in cmdlet") {
		t.Fatalf("errors %v", errs)
	}
}

func TestInstallUninstall(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", home)
	m, err := NewManager(Options{Services: newFakeServices(), CacheDir: cacheDir, SearchPath: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	p, err := m.Inspect(context.Background(), wasmOf["./plugins/lockpin"])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Capabilities, ",") != "directory.read,pin.lock" || len(p.Cmdlets) != 2 {
		t.Fatalf("inspected %+v", p)
	}
	if len(m.Plugins()) != 0 {
		t.Fatal("Inspect added the plugin")
	}
	q, err := m.Install(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(home, "pinsh", "plugins", "lockpin.wasm")
	if q.Path != want || q.Hash != p.Hash || len(m.Plugins()) != 1 {
		t.Fatalf("installed %+v", q)
	}
	if _, err := m.Uninstall("lockpin"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) || len(m.Plugins()) != 0 {
		t.Fatalf("still installed: %v %v", err, m.Plugins())
	}
	if _, err := m.Uninstall("lockpin"); err == nil {
		t.Fatal("uninstalled twice")
	}
}

func TestManifestCacheSkipsInspection(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, wasmOf["./plugins/setclientpin"], filepath.Join(dir, "setclientpin.wasm"))
	cache := t.TempDir()
	load := func() *Plugin {
		m, p := discoverOne(t, dir, cache)
		if m.eng != nil {
			return nil // the runtime started: the plugin was inspected
		}
		return p
	}
	if load() != nil {
		t.Fatal("a new module was not inspected")
	}
	p := load()
	if p == nil {
		t.Fatal("a known module was inspected again instead of read from the manifest cache")
	}
	if p.Name != "setclientpin" || p.Cmdlets[0].Name != "Set-CsClientPin" || p.Cmdlets[0].Param("Pin") == nil {
		t.Fatalf("cached manifest %+v", p)
	}
	// A changed file is inspected again.
	f, _ := os.OpenFile(filepath.Join(dir, "setclientpin.wasm"), os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{0, 4, 'j', 'u', 'n', 'k'}) // a custom section "j" of 3 bytes... malformed on purpose
	f.Close()
	m, _ := NewManager(Options{Services: newFakeServices(), CacheDir: cache, SearchPath: []string{dir}})
	defer m.Close(context.Background())
	if _, errs := m.Discover(context.Background()); len(errs) != 1 || !strings.Contains(errs[0].Error(), "truncated or corrupt") {
		t.Fatalf("a corrupted plugin was not re-inspected: %v", errs)
	}
}

// A new module is inspected under the interpreter; the optimizing compiler
// runs only for a plugin that is used (or installed), so discovering three
// new plugins does not cost three compilations.
func TestDiscoverCompilesNothing(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, wasmOf["./plugins/getclientpininfo"], filepath.Join(dir, "getclientpininfo.wasm"))
	copyFile(t, wasmOf["./plugins/lockpin"], filepath.Join(dir, "lockpin.wasm"))
	cache := t.TempDir()
	m, err := NewManager(Options{Services: newFakeServices(), CacheDir: cache, SearchPath: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	ps, errs := m.Discover(context.Background())
	if len(ps) != 2 || len(errs) != 0 {
		t.Fatal(ps, errs)
	}
	compiledFiles := func() int {
		n := 0
		filepath.WalkDir(cache, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.Contains(path, "wazero-") {
				n++
			}
			return nil
		})
		return n
	}
	for _, p := range ps {
		if p.compiled != nil {
			t.Errorf("%s was compiled at discovery", p.Name)
		}
	}
	if n := compiledFiles(); n != 0 {
		t.Errorf("%d compiled modules in the cache after discovery", n)
	}
	reg := cmdlet.NewRegistry()
	m.Register(reg)
	rt := &fakeRuntime{}
	if err := run(context.Background(), lookup(t, reg, "Get-CsClientPinInfo"), rt, named("Identity", `litwareinc\kenmyer`)); err != nil || len(rt.objects) != 1 {
		t.Fatal(err, rt.events)
	}
	if n := compiledFiles(); n != 1 {
		t.Errorf("%d compiled modules in the cache after running one plugin, want 1", n)
	}
}
