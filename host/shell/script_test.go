package shell

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(cleanupM{m}, map[string]func(){
		"pinsh-exe": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// cleanupM removes the plugins built for the run once every test is done.
type cleanupM struct{ m *testing.M }

func (c cleanupM) Run() int {
	code := c.m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	return code
}

// built holds the plugins built once for all the tests of the run.
var built struct {
	once       sync.Once
	dir, cache string
	err        error
}

// TestScripts runs the transcript tests in testdata/script: each txtar file
// is a session of pinsh commands with their exact expected stdout, stderr
// and exit status. Run with -update to regenerate the expected output after
// a deliberate change, then review the diff.
//
// The pinsh command runs a session in-process:
//
//	pinsh [-status N] [-stdin FILE] [-os ACCOUNT] ARGS...
//
// -status N expects exit status N (default 0; with a leading ! any
// non-zero status), -stdin feeds a file to standard input, -os runs as
// another OS account and -clock fixes the clock (RFC 3339, e.g.
// 2026-01-02T15:04:05Z) for lockout and expiry; the real command takes
// neither from outside.
// pinsh-exe runs the real binary in a subprocess.
func TestScripts(t *testing.T) {
	plugins, cache := buildPlugins(t)
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PINSH_STORE", filepath.Join(env.WorkDir, "store.db"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "xdg"))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("NO_COLOR", "1")
			env.Setenv("PINSH_PLUGIN_PATH", plugins)
			// One compilation cache for the whole run: each plugin is
			// compiled once, as after an install.
			env.Setenv("XDG_CACHE_HOME", cache)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"pinsh": runPinsh,
		},
	})
}

// buildPlugins builds every plugins/<name> once per test run, into a
// directory shared by every test, and returns it with a shared compile
// cache (each plugin is compiled once, as after an install).
func buildPlugins(t *testing.T) (dir, cache string) {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "pinsh-plugins-")
		if built.err != nil {
			return
		}
		built.cache = filepath.Join(built.dir, "cache")
		root, err := filepath.Abs("../..")
		if err != nil {
			built.err = err
			return
		}
		entries, err := os.ReadDir(filepath.Join(root, "plugins"))
		if err != nil {
			built.err = err
			return
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o",
				filepath.Join(built.dir, e.Name()+".wasm"), "./plugins/"+e.Name())
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
			if out, err := cmd.CombinedOutput(); err != nil {
				built.err = fmt.Errorf("building plugin %s: %v\n%s", e.Name(), err, out)
				return
			}
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.dir, built.cache
}

func runPinsh(ts *testscript.TestScript, neg bool, args []string) {
	want := 0
	var stdin []byte
	osAcct := "tester"
	var clock func() time.Time
	for len(args) >= 2 {
		switch args[0] {
		case "-status":
			n, err := strconv.Atoi(args[1])
			ts.Check(err)
			want = n
		case "-stdin":
			stdin = []byte(ts.ReadFile(args[1]))
		case "-os":
			osAcct = args[1]
		case "-clock":
			t, err := time.Parse(time.RFC3339, args[1])
			ts.Check(err)
			clock = func() time.Time { return t }
		default:
			goto run
		}
		args = args[2:]
	}
run:
	var out, errOut bytes.Buffer
	cfg := Config{
		Getenv:    ts.Getenv,
		Stdin:     bytes.NewReader(stdin),
		Stdout:    &out,
		Stderr:    &errOut,
		OSAccount: osAcct,
		Clock:     clock,
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "$WORK", ts.Getenv("WORK"))
	}
	got := Run(cfg, args)
	fmt.Fprint(ts.Stdout(), out.String())
	fmt.Fprint(ts.Stderr(), errOut.String())
	switch {
	case neg && got == 0:
		ts.Fatalf("pinsh succeeded unexpectedly")
	case !neg && got != want:
		ts.Fatalf("pinsh exit status %d, want %d", got, want)
	}
}
