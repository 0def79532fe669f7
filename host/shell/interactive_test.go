package shell

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"

	"pinsh/scripts/gendir/litware"
)

// TestInteractiveBulkCancel drives the real pinsh binary on a
// pseudo-terminal: a bulk Set-CsClientPin over 10,000 users shows a
// progress bar, Ctrl-C stops it in the middle, the shell answers the next
// command, and the store is consistent: every user has the old PIN state
// or the new one, and each PIN set has its audit record.
func TestInteractiveBulkCancel(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pinsh and a 10,000-user store")
	}
	dir := t.TempDir()
	root, _ := filepath.Abs("../..")
	bin := filepath.Join(dir, "bin", "pinsh")
	build := exec.Command("go", "build", "-o", bin, "./host/cmd/pinsh")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	plugins, cache := buildPlugins(t)
	env := append(os.Environ(), "PINSH_STORE="+filepath.Join(dir, "store.db"), "PINSH_PLUGIN_PATH="+plugins,
		"XDG_CACHE_HOME="+cache, "XDG_DATA_HOME="+dir, "XDG_STATE_HOME="+dir, "HOME="+dir,
		"TERM=xterm-256color", "NO_COLOR=1", "PAGER=", "INPUTRC=/dev/null")

	var ldif bytes.Buffer
	if err := litware.Write(&ldif, 10000, 1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "d.ldif"), ldif.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	imp := exec.Command(bin, "-c", "Import-CsDirectory -Path "+filepath.Join(dir, "d.ldif"))
	imp.Env = env
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}

	cmd := exec.Command(bin)
	cmd.Env = env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	term := &screen{vt: vt10x.New(vt10x.WithSize(120, 30))}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 8192)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				term.write(buf[:n], ptmx)
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		_ = cmd.Process.Kill()
		_ = ptmx.Close()
		<-done
		_ = cmd.Wait()
	}()
	term.waitFor(t, "PS> ", 30*time.Second)
	typeLine(ptmx, "Get-CsUser | Set-CsClientPin | Out-Null")
	// The bar appears after about a second on a terminal.
	term.waitMatch(t, `Setting client PINs.*\d+`, 60*time.Second)
	time.Sleep(2 * time.Second)
	fmt.Fprint(ptmx, "\x03")
	term.waitMatch(t, `stopped after \d+`, 60*time.Second)
	typeLine(ptmx, `"still here"`)
	term.waitFor(t, "still here", 30*time.Second)
	typeLine(ptmx, "exit")
	_ = cmd.Wait()

	// The store: integrity, and PINs set = audit records of PINs set.
	db, err := sql.Open("sqlite", filepath.Join(dir, "store.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	var set, audited int
	if err := db.QueryRow(`SELECT COUNT(*) FROM pin_state WHERE hash IS NOT NULL AND hash <> ''`).Scan(&set); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit WHERE cmdlet = 'Set-CsClientPin' AND outcome = 'Success'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if set == 0 || set >= 10000 {
		t.Errorf("Ctrl-C should stop the job in the middle: %d PINs set", set)
	}
	if set != audited {
		t.Errorf("%d PINs set but %d audit records of a PIN set", set, audited)
	}
	t.Logf("stopped after %d of 10,000 PINs; store consistent", set)

}

func typeLine(f *os.File, s string) {
	for _, r := range s {
		fmt.Fprint(f, string(r))
		time.Sleep(2 * time.Millisecond)
	}
	fmt.Fprint(f, "\r")
}

// screen is a virtual terminal fed by the session's output.
type screen struct {
	mu sync.Mutex
	vt vt10x.Terminal
}

var cursorQuery = []byte("\x1b[6n")

func (s *screen) write(b []byte, reply *os.File) {
	s.mu.Lock()
	s.vt.Write(b)
	cur := s.vt.Cursor()
	s.mu.Unlock()
	if bytes.Contains(b, cursorQuery) {
		fmt.Fprintf(reply, "\x1b[%d;%dR", cur.Y+1, cur.X+1)
	}
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vt.String()
}

func (s *screen) waitFor(t *testing.T, want string, limit time.Duration) {
	t.Helper()
	s.waitUntil(t, want, func(scr string) bool { return strings.Contains(scr, want) }, limit)
}

func (s *screen) waitMatch(t *testing.T, expr string, limit time.Duration) {
	t.Helper()
	re := regexp.MustCompile(expr)
	s.waitUntil(t, expr, re.MatchString, limit)
}

func (s *screen) waitUntil(t *testing.T, what string, ok func(string) bool, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok(s.text()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q; the screen shows:\n%s", what, s.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
