package shell

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"pinsh/host/cscmd"
	"pinsh/host/plugin"
	"pinsh/host/plugincmd"
	"pinsh/host/rbac"
)

// registerServices registers the directory and PIN-policy cmdlets and the
// plugin cmdlets.
func (s *Session) registerServices(ctx context.Context) error {
	cscmd.Register(s.reg, &cscmd.Deps{Store: s.store, Pin: s.pins, Decider: s.authz, OSAccount: s.osAcct})

	// Plugins cannot be trusted to report their own denials, and every
	// denial must be on record, so the host records them.
	guard := rbac.Audited{Decider: s.authz, Log: s.store, OSAccount: s.osAcct}
	m, err := plugin.NewManager(plugin.Options{
		Services:   &pinServices{st: s.store, pins: s.pins, osAcct: s.osAcct},
		Authorizer: guard,
		CacheDir:   s.cacheDir(),
		SearchPath: s.searchPath(),
	})
	if err != nil {
		return err
	}
	s.plugins = m
	s.closers = append(s.closers, func() error { return m.Close(context.Background()) })
	_, errs := m.Discover(ctx)
	errs = append(errs, m.Register(s.reg)...)
	plugincmd.Register(s.reg, &plugincmd.Deps{Manager: m, Store: s.store, Decider: s.authz, OSAccount: s.osAcct})
	for _, e := range errs {
		fmt.Fprintf(s.cfg.Stderr, "WARNING: %v\n", e)
	}
	return nil
}

func (s *Session) getenv(k string) string {
	if s.cfg.Getenv != nil {
		return s.cfg.Getenv(k)
	}
	return os.Getenv(k)
}

// cacheDir is where compiled plugins are cached: $XDG_CACHE_HOME/pinsh.
func (s *Session) cacheDir() string {
	if d := s.getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "pinsh")
	}
	if h := s.getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache", "pinsh")
	}
	return "" // the manager's default
}

// searchPath is the plugin search path: the plugins shipped next to the
// binary, the user's plugin directory, then PINSH_PLUGIN_PATH.
func (s *Session) searchPath() []string {
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		d := filepath.Dir(exe)
		dirs = append(dirs, filepath.Join(d, "plugins"), filepath.Join(d, "..", "lib", "pinsh", "plugins"))
	}
	if d := s.getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		dirs = append(dirs, filepath.Join(d, "pinsh", "plugins"))
	} else if h := s.getenv("HOME"); filepath.IsAbs(h) {
		dirs = append(dirs, filepath.Join(h, ".local", "share", "pinsh", "plugins"))
	}
	for _, d := range filepath.SplitList(s.getenv("PINSH_PLUGIN_PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}
