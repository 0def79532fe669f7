package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"pinsh/host/admincmd"
	"pinsh/host/backupcmd"
	"pinsh/host/builtin"
	"pinsh/host/cmdlet"
	"pinsh/host/engine"
	"pinsh/host/format"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/plugin"
	"pinsh/host/rbac"
	"pinsh/host/repl/about"
	"pinsh/host/store"
)

// Config is what a session is opened with.
type Config struct {
	// Store is the SQLite store's path; created on first use.
	Store string
	// As is the --as identity: run as another principal.
	As string
	// Args are $args for a script.
	Args []string
	// Stdin, Stdout, Stderr are the session's streams.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Interactive is set for a session on a terminal.
	Interactive bool
	// OSAccount overrides the OS account (tests); empty means the real one.
	// It is never read from the environment: that would let anyone claim
	// any operator.
	OSAccount string
	// Getenv reads the environment (default os.Getenv).
	Getenv func(string) string
	// Clock, when set, replaces the clock of the store and the PIN core
	// (lockout windows, expiry, audit times). Tests only: like OSAccount it
	// is never taken from the environment, where it would let anyone step
	// past a lockout.
	Clock func() time.Time
}

// Session is an open pinsh session: a store, its services and an engine.
type Session struct {
	cfg      Config
	store    *store.Store
	pins     *pin.Service
	authz    *rbac.Authorizer
	reg      *cmdlet.Registry
	eng      *engine.Engine
	operator string
	osAcct   string
	term     *terminal
	out      format.Sink // the current Out-Default
	closers  []func() error
	plugins  *plugin.Manager
}

// Open opens the store (creating it and its key on first use, with the OS
// account that creates it as its first administrator), resolves the
// operator, and registers every cmdlet.
func Open(ctx context.Context, cfg Config) (*Session, error) {
	if err := os.MkdirAll(filepath.Dir(cfg.Store), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the store's directory: %w", err)
	}
	st, err := store.OpenWith(cfg.Store, store.Options{Clock: cfg.Clock})
	if err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, store: st, osAcct: cfg.OSAccount}
	s.closers = append(s.closers, st.Close)
	if s.osAcct == "" {
		s.osAcct = rbac.OSAccount()
	}
	if err := s.setUp(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Session) setUp(ctx context.Context) error {
	st := s.store
	if err := rbac.SeedRoles(ctx, st); err != nil {
		return fmt.Errorf("cannot set up the roles: %w", err)
	}
	if err := rbac.Bootstrap(ctx, st, s.osAcct); err != nil {
		return fmt.Errorf("cannot set up the first administrator: %w", err)
	}
	op, err := rbac.Operator(ctx, st, s.osAcct)
	if err != nil {
		return err
	}
	s.authz = rbac.NewAuthorizer(st)
	if s.cfg.As != "" {
		if op, err = s.runAs(ctx, op, s.cfg.As); err != nil {
			return err
		}
	}
	s.operator = op

	if s.pins, err = pin.New(ctx, st, pin.Options{Clock: s.cfg.Clock}); err != nil {
		return err
	}
	s.reg = cmdlet.NewRegistry()
	width := 0
	if f, ok := s.cfg.Stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			width = w
		}
	}
	s.term = s.newTerminal()
	hostOut := &flushingWriter{w: s.term.stdout, s: s}
	builtin.Register(s.reg, builtin.Options{Stdout: hostOut, TerminalWidth: width,
		Topic: about.Topic, TopicNames: about.Names})
	admincmd.Register(s.reg, &admincmd.Deps{Store: st, Authorizer: s.authz, Decider: s.authz, OSAccount: s.osAcct})
	backupcmd.Register(s.reg, &backupcmd.Deps{Store: st, Pin: s.pins, Decider: s.authz, OSAccount: s.osAcct})
	if err := s.registerServices(ctx); err != nil {
		return err
	}

	args := make([]object.Value, len(s.cfg.Args))
	for i, a := range s.cfg.Args {
		args[i] = a
	}
	var host engine.Host
	if s.term.host != nil {
		host = s.term.host
	}
	s.eng = engine.New(engine.Options{
		Registry:   s.reg,
		Stdout:     hostOut,
		Stderr:     s.term.stderr,
		Host:       host,
		Operator:   s.operator,
		Args:       args,
		OnProgress: s.term.progress.Report,
		NewOutput: func(io.Writer) engine.Sink {
			// The formatter writes to the terminal directly; everything else
			// written to stdout first makes it flush its held-back rows.
			s.out = format.NewOutDefault(s.term.stdout, width)
			return s.out
		},
	})
	return nil
}

// runAs checks that op may rehearse another principal and audits the use.
func (s *Session) runAs(ctx context.Context, op, identity string) (string, error) {
	target, err := admincmd.ResolvePrincipal(ctx, s.store, identity)
	if err != nil {
		return "", fmt.Errorf("--as: %w", err)
	}
	rec := &store.AuditRecord{Operator: op, OSAccount: s.osAcct, Cmdlet: "pinsh --as", Target: target, Action: "RunAs"}
	if derr := s.authz.Allow(op, rbac.RunAs, nil); derr != nil {
		rec.Outcome, rec.Detail = "Denied", derr.Error()
		_ = s.store.AppendAudit(ctx, rec)
		return "", fmt.Errorf("--as %s: %w", identity, derr)
	}
	rec.Outcome = "Success"
	if err := s.store.AppendAudit(ctx, rec); err != nil {
		return "", err
	}
	return target, nil
}

// Close releases the store and the plugin runtime.
func (s *Session) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	return errors.Join(errs...)
}

// Run runs a script or command text; name is the script file ("" for -c).
func (s *Session) Run(ctx context.Context, src, name string) int {
	s.term.progress.Begin()
	code := s.eng.Run(ctx, src, name)
	s.term.progress.End()
	if f, ok := s.term.stderr.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
	return code
}

// flushingWriter is stdout for everything but Out-Default (Write-Host,
// What if lines): it flushes the rows Out-Default holds back to size its
// table columns before writing, so that output appears in the order it was
// produced.
type flushingWriter struct {
	w io.Writer
	s *Session
}

func (f *flushingWriter) Write(p []byte) (int, error) {
	if fl, ok := f.s.out.(interface{ Flush() error }); ok {
		if err := fl.Flush(); err != nil {
			return 0, err
		}
	}
	return f.w.Write(p)
}
