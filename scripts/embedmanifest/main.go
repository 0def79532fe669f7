// Command embedmanifest writes each plugin module's manifest into the module
// itself (the custom section pinsh.manifest), so that pinsh finds a new
// plugin without compiling and running it (a quarter of a second of CPU
// per plugin, the larger part of a first start). `make plugins` runs it on
// every plugin it builds:
//
//	go run ./scripts/embedmanifest bin/plugins/*.wasm
//
// The manifest is the one the module's own pinsh_describe returns, read in
// pinsh's sandbox; a module pinsh would refuse is refused here, with the
// same message. A module without the section works as well: pinsh then
// asks it.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"pinsh/host/plugin"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: embedmanifest PLUGIN.wasm...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[1:] {
		if err := embed(path); err != nil {
			fmt.Fprintln(os.Stderr, "embedmanifest:", err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func embed(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	out, err := plugin.EmbedManifest(context.Background(), path, data)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".embed-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
