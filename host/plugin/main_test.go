package plugin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/plugin/internal/plugintest"
)

// The plugins under test are built once per test binary (about a second
// each with a warm Go build cache) into pluginDir, and compiled once into
// cacheDir, which every Manager of the package's tests shares.
var (
	pluginDir string
	cacheDir  string
	wasmOf    map[string]string // package -> .wasm
)

var pluginPkgs = []string{
	"./plugins/getclientpininfo",
	"./plugins/setclientpin",
	"./plugins/lockpin",
	"./host/plugin/testdata/testplugin",
}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "pinsh-plugin-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	pluginDir = filepath.Join(tmp, "plugins")
	cacheDir = filepath.Join(tmp, "cache")
	os.MkdirAll(pluginDir, 0o755)
	wasmOf, err = plugintest.Build(pluginDir, pluginPkgs...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// shared is a manager over the built plugins, discovered once.
var shared struct {
	once sync.Once
	m    *Manager
	svc  *fakeServices
	reg  *cmdlet.Registry
	err  error
}

// sharedManager returns the package's manager and registry. Tests that
// change PIN state use their own services (newManager).
func sharedManager(t testing.TB) (*Manager, *cmdlet.Registry, *fakeServices) {
	t.Helper()
	shared.once.Do(func() {
		shared.svc = newFakeServices()
		shared.m, shared.reg, shared.err = discover(shared.svc, nil)
		// Discovery does not compile (see inspect); compile now, so that
		// no test's deadline includes a first compilation.
		if shared.err != nil {
			return
		}
		for _, p := range shared.m.Plugins() {
			if _, err := shared.m.compiled(context.Background(), p); err != nil && shared.err == nil {
				shared.err = err
			}
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.m, shared.reg, shared.svc
}

func discover(svc Services, adjust func(*Options)) (*Manager, *cmdlet.Registry, error) {
	opts := Options{Services: svc, CacheDir: cacheDir, SearchPath: []string{pluginDir}}
	if adjust != nil {
		adjust(&opts)
	}
	m, err := NewManager(opts)
	if err != nil {
		return nil, nil, err
	}
	_, errs := m.Discover(context.Background())
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("discover: %v", errs)
	}
	reg := cmdlet.NewRegistry()
	if errs := m.Register(reg); len(errs) > 0 {
		return nil, nil, fmt.Errorf("register: %v", errs)
	}
	return m, reg, nil
}

func newManager(t testing.TB, svc Services, adjust func(*Options)) (*Manager, *cmdlet.Registry) {
	t.Helper()
	m, reg, err := discover(svc, adjust)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	return m, reg
}

// discoverOne makes a manager over dir with the given cache, discovers the
// one plugin dir holds, and closes the manager when t ends.
func discoverOne(t *testing.T, dir, cache string) (*Manager, *Plugin) {
	t.Helper()
	m, err := NewManager(Options{Services: newFakeServices(), CacheDir: cache, SearchPath: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	ps, errs := m.Discover(context.Background())
	if len(ps) != 1 || len(errs) != 0 {
		t.Fatal(ps, errs)
	}
	return m, ps[0]
}

func lookup(t testing.TB, reg *cmdlet.Registry, name string) *cmdlet.Info {
	t.Helper()
	in, ok := reg.Lookup(name)
	if !ok {
		t.Fatalf("%s is not registered", name)
	}
	return in
}
