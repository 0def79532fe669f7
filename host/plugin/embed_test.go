package plugin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pinsh/host/plugin/instrument"
	"pinsh/sdk/abi"
)

// A module carrying its manifest is discovered without starting any
// WebAssembly runtime, declares what its pinsh_describe declares, and runs.
func TestEmbeddedManifest(t *testing.T) {
	src := wasmOf["./plugins/getclientpininfo"]
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := EmbedManifest(context.Background(), src, data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EmbedManifest(context.Background(), src, emb)
	if err != nil || len(again) != len(emb) {
		t.Fatalf("embedding twice: %d bytes then %d (%v)", len(emb), len(again), err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "getclientpininfo.wasm"), emb, 0o644)
	m, p := discoverOne(t, dir, t.TempDir())
	if m.eng != nil {
		t.Error("discovering a module with an embedded manifest started a runtime")
	}
	described, _, _ := sharedManager(t)
	want := described.byName["getclientpininfo"]
	if g, w := manifestSummary(p), manifestSummary(want); g != w {
		t.Errorf("embedded manifest declares\n%s\nits code describes\n%s", g, w)
	}
	runPinInfo(t, m)
}

// manifestSummary lists what a manifest declares, for comparisons.
func manifestSummary(p *Plugin) string {
	var b strings.Builder
	b.WriteString(p.Name + " " + p.Version + " " + strings.Join(p.Capabilities, ","))
	for _, c := range p.Cmdlets {
		b.WriteString("\n" + c.Name)
		for _, prm := range c.Params {
			b.WriteString(" " + prm.Name)
		}
	}
	return b.String()
}

// A manifest section that does not decode is refused, naming the file.
func TestEmbeddedManifestMalformed(t *testing.T) {
	data, _ := os.ReadFile(wasmOf["./plugins/lockpin"])
	bad, err := instrument.WithCustomSection(data, abi.ManifestSection, []byte{200, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "lockpin.wasm")
	os.WriteFile(path, bad, 0o644)
	m, _ := NewManager(Options{Services: newFakeServices(), CacheDir: t.TempDir(), SearchPath: []string{dir}})
	defer m.Close(context.Background())
	_, errs := m.Discover(context.Background())
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), path) || !strings.Contains(errs[0].Error(), "malformed manifest") {
		t.Fatalf("errs = %v", errs)
	}
}
