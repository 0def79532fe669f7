// Package shell is the pinsh command: it parses the command line, opens the
// store, wires the services, built-in cmdlets and plugins into an engine, and
// runs a command, a script or an interactive session.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"golang.org/x/term"
)

// Version is the pinsh release.
const Version = "0.1.0"

const usage = `usage: pinsh [options] [-c TEXT | FILE.ps1 [ARGS...] | -]

  -c TEXT          run TEXT and exit
  FILE.ps1 ARGS    run a saved script; ARGS are its $args
  -                run a script read from standard input
  (none)           interactive session on a terminal, else read a script from stdin

options:
  --store PATH     the SQLite store (default $PINSH_STORE, else
                   $XDG_DATA_HOME/pinsh/pinsh.db, created on first use)
  --as IDENTITY    run as another principal (needs the right to rehearse)
  --version        print the version
  --help           print this help
`

// invocation is a parsed command line.
type invocation struct {
	store   string
	as      string
	command string // -c TEXT
	hasCmd  bool
	script  string // FILE, or "-" for stdin
	args    []string
}

func parseArgs(argv []string, getenv func(string) string) (*invocation, error) {
	inv := &invocation{store: getenv("PINSH_STORE")}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		value := func() (string, error) {
			if k := strings.IndexByte(a, '='); k >= 0 && strings.HasPrefix(a, "--") {
				return a[k+1:], nil
			}
			if i+1 >= len(argv) {
				return "", fmt.Errorf("option %s needs a value", a)
			}
			i++
			return argv[i], nil
		}
		switch name, _, _ := strings.Cut(a, "="); name {
		case "--store", "-store":
			v, err := value()
			if err != nil {
				return nil, err
			}
			inv.store = v
		case "--as", "-as":
			v, err := value()
			if err != nil {
				return nil, err
			}
			inv.as = v
		case "-c", "-Command", "-command":
			if i+1 >= len(argv) {
				return nil, errors.New("option -c needs the command text")
			}
			inv.command, inv.hasCmd = argv[i+1], true
			if i+2 < len(argv) {
				inv.args = argv[i+2:]
			}
			return inv, nil
		case "-":
			inv.script = "-"
			inv.args = argv[i+1:]
			return inv, nil
		default:
			if strings.HasPrefix(a, "-") {
				return nil, fmt.Errorf("unknown option %q", a)
			}
			inv.script = a
			inv.args = argv[i+1:]
			return inv, nil
		}
	}
	return inv, nil
}

// DefaultStore returns the store used when neither --store nor PINSH_STORE
// is given: pinsh.db in the user's XDG data directory.
func DefaultStore(getenv func(string) string) (string, error) {
	dir := getenv("XDG_DATA_HOME")
	if dir == "" {
		home := getenv("HOME")
		var err error
		if home == "" {
			home, err = os.UserHomeDir()
		}
		if err != nil {
			return "", fmt.Errorf("cannot find a data directory for the default store: %w (use --store PATH)", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "pinsh", "pinsh.db"), nil
}

// Main runs pinsh with the given arguments (without the program name) and
// returns the exit status.
func Main(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(Config{Getenv: os.Getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr}, argv)
}

// Run is [Main] with a configuration: the environment and streams come
// from cfg (tests run sessions in-process this way); cfg's Store, As, Args
// and Interactive are set from argv.
func Run(cfg Config, argv []string) int {
	stdin, stdout, stderr := cfg.Stdin, cfg.Stdout, cfg.Stderr
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	for _, a := range argv {
		if a == "-c" || a == "-" {
			break
		}
		switch a {
		case "--help", "-h", "-help", "-?":
			fmt.Fprint(stdout, usage)
			return 0
		case "--version", "-version":
			fmt.Fprintf(stdout, "pinsh %s\n", Version)
			return 0
		}
	}
	inv, err := parseArgs(argv, cfg.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "pinsh: %v\n%s", err, usage)
		return 2
	}
	if inv.store == "" {
		if inv.store, err = DefaultStore(cfg.Getenv); err != nil {
			fmt.Fprintf(stderr, "pinsh: %v\n", err)
			return 2
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var src, name string
	interactive := false
	switch {
	case inv.hasCmd:
		src, name = inv.command, ""
	case inv.script == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "pinsh: reading standard input: %v\n", err)
			return 2
		}
		src, name = string(b), ""
	case inv.script != "":
		b, err := os.ReadFile(inv.script)
		if err != nil {
			fmt.Fprintf(stderr, "pinsh: cannot read the script: %v\n", err)
			return 2
		}
		src, name = string(b), inv.script
	default:
		if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			interactive = true
		} else {
			b, err := io.ReadAll(stdin)
			if err != nil {
				fmt.Fprintf(stderr, "pinsh: reading standard input: %v\n", err)
				return 2
			}
			src = string(b)
		}
	}

	cfg.Store, cfg.As, cfg.Args, cfg.Interactive = inv.store, inv.as, inv.args, interactive
	sess, err := Open(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "pinsh: %v\n", err)
		return 1
	}
	defer sess.Close()
	if interactive {
		// The REPL catches Ctrl-C itself, per command: a session-wide
		// handler would end the shell at the first Ctrl-C.
		stop()
		return sess.REPL(context.Background())
	}
	return sess.Run(ctx, src, name)
}
