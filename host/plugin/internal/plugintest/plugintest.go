// Package plugintest builds plugin modules for tests, the way the Makefile
// does: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared.
package plugintest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildCommand returns the command that builds the plugin package pkg
// (relative to the module root, e.g. "./plugins/getclientpininfo") into
// out.
func BuildCommand(pkg, out string) []string {
	return []string{"go", "build", "-buildmode=c-shared", "-o", out, pkg}
}

// Build builds each package (relative to the module root) into dir, as
// <last path element>.wasm, and returns the paths by package.
func Build(dir string, pkgs ...string) (map[string]string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	// The go command that runs the tests builds the plugins.
	goBin := "go"
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if p := filepath.Join(strings.TrimSpace(string(out)), "bin", "go"); fileExists(p) {
			goBin = p
		}
	}
	out := map[string]string{}
	for _, pkg := range pkgs {
		path := filepath.Join(dir, filepath.Base(pkg)+".wasm")
		args := BuildCommand(pkg, path)
		cmd := exec.Command(goBin, args[1:]...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building %s: %v\n%s", pkg, err, b)
		}
		out[pkg] = path
	}
	return out, nil
}

// ModuleRoot returns the directory holding go.mod, from the working
// directory up.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module pinsh") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod of module pinsh not found above the working directory")
		}
		dir = parent
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
