package reliability

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
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

	"golang.org/x/crypto/argon2"

	"pinsh/host/store" // also registers the "sqlite" driver
	"pinsh/scripts/gendir/litware"
)

// The pinsh binary and its plugins are built once per test run into binDir;
// every pinsh the tests start shares cacheHome, so plugins compile once.
var (
	binDir    string
	pinshBin  string
	cacheHome string
	modRoot   string
)

// stress reports whether the long variants run (PINSH_STRESS=1).
func stress() bool { return os.Getenv("PINSH_STRESS") == "1" }

// envInt reads a size override from the environment.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "pinsh-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if err := build(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		return 1
	}
	code := m.Run()
	if err := writeTable(); err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// build builds bin/pinsh and every plugins/<name> the way the Makefile
// does, into dir.
func build(dir string) error {
	var err error
	if modRoot, err = moduleRoot(); err != nil {
		return err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is needed to build pinsh: %v", err)
	}
	binDir = filepath.Join(dir, "bin")
	pinshBin = filepath.Join(binDir, "pinsh")
	cacheHome = filepath.Join(dir, "cache")
	run := func(env []string, args ...string) error {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = modRoot
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run(nil, "build", "-o", pinshBin, "./host/cmd/pinsh"); err != nil {
		return err
	}
	dirs, err := filepath.Glob(filepath.Join(modRoot, "plugins", "*", "*.go"))
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range dirs {
		name := filepath.Base(filepath.Dir(f))
		if seen[name] {
			continue
		}
		seen[name] = true
		out := filepath.Join(binDir, "plugins", name+".wasm")
		if err := run([]string{"GOOS=wasip1", "GOARCH=wasm"}, "build", "-buildmode=c-shared", "-o", out, "./plugins/"+name); err != nil {
			return err
		}
	}
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module pinsh")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod of module pinsh not found above the working directory")
		}
		dir = parent
	}
}

// shell runs pinsh on one store in its own directory, with an environment
// of its own: no PINSH_PIN_KEY, no user plugin directory.
type shell struct {
	t     testing.TB
	dir   string
	store string
	extra []string // KEY=VALUE added to the environment
}

func newShell(t testing.TB) *shell {
	t.Helper()
	dir := t.TempDir()
	return &shell{t: t, dir: dir, store: filepath.Join(dir, "pinsh.db")}
}

func (sh *shell) environ() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(sh.dir, "home"),
		"XDG_DATA_HOME=" + filepath.Join(sh.dir, "data"),
		"XDG_CACHE_HOME=" + cacheHome,
		"PINSH_STORE=" + sh.store,
		"LANG=C.UTF-8",
	}
	return append(env, sh.extra...)
}

// command returns an unstarted pinsh -c script.
func (sh *shell) command(script string) *exec.Cmd {
	cmd := exec.Command(pinshBin, "-c", script)
	cmd.Dir = sh.dir
	cmd.Env = sh.environ()
	return cmd
}

// result is what a pinsh run printed and returned.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
	rssKB          int64 // peak resident memory, sampled (Linux)
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs pinsh -c script (or pinsh with argv when script is "" and args
// are given) to its end.
func (sh *shell) run(script string) result {
	return sh.exec(sh.command(script), nil)
}

func (sh *shell) exec(cmd *exec.Cmd, stdin []byte) result {
	sh.t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	start := time.Now()
	err := cmd.Start()
	var peak int64
	if err == nil {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	poll:
		for {
			select {
			case err = <-done:
				break poll
			case <-time.After(2 * time.Millisecond):
				peak = max(peak, hwm(status))
			}
		}
	}
	r := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start), rssKB: peak}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		sh.t.Fatalf("pinsh did not run: %v", err)
	}
	return r
}

// hwm reads a running process's peak resident memory (VmHWM, KiB) from
// its /proc status file; 0 when unknown. (getrusage's ru_maxrss of a child
// is useless here: Linux carries the parent's peak into it across exec.)
func hwm(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(b, []byte("VmHWM:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(string(line)), "kB")), 10, 64)
	return n
}

// mustRun runs a script that must succeed without any error output.
func (sh *shell) mustRun(script string) string {
	sh.t.Helper()
	r := sh.run(script)
	if r.code != 0 || strings.TrimSpace(r.stderr) != "" {
		sh.t.Fatalf("pinsh -c %.200q:\n%s", script, r)
	}
	return r.stdout
}

// importDemo writes the demo directory of n users and imports it.
func (sh *shell) importDemo(n int) {
	sh.t.Helper()
	ldf := filepath.Join(sh.dir, "litware.ldf")
	f, err := os.Create(ldf)
	if err != nil {
		sh.t.Fatal(err)
	}
	if err := litware.Write(f, n, 1); err != nil {
		sh.t.Fatal(err)
	}
	f.Close()
	out := sh.mustRun(`Import-CsDirectory -Path ` + quote(ldf))
	if !strings.Contains(out, "users added") {
		sh.t.Fatalf("import: %s", out)
	}
}

// quote makes s a single-quoted pinsh string.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// db opens the store's file with a connection of the test's own.
func (sh *shell) db() *sql.DB {
	sh.t.Helper()
	db, err := sql.Open("sqlite", "file:"+sh.store+"?_pragma=busy_timeout(10000)")
	if err != nil {
		sh.t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	sh.t.Cleanup(func() { db.Close() })
	return db
}

// integrity runs SQLite's integrity and foreign key checks on the store.
func integrity(db *sql.DB) error {
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	var fk int
	if err := db.QueryRow(`SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil {
		return err
	}
	if fk != 0 {
		return fmt.Errorf("foreign_key_check: %d rows", fk)
	}
	return nil
}

// verifyAudit checks the audit trail's hash chain with the store package.
func (sh *shell) verifyAudit() error {
	st, err := store.Open(sh.store)
	if err != nil {
		return err
	}
	defer st.Close()
	n, problems, err := st.VerifyAudit(context.Background())
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("audit chain (%d records): %v", n, problems)
	}
	return nil
}

// key reads the store's PIN key file.
func (sh *shell) key() []byte {
	sh.t.Helper()
	b, err := os.ReadFile(sh.store + ".key")
	if err != nil {
		sh.t.Fatal(err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != 32 {
		sh.t.Fatalf("key file: %v", err)
	}
	return k
}

// pinMatches checks a PIN against a stored PHC string the way host/pin
// does (argon2id over HMAC-SHA256(key, PIN)), independently of it.
func pinMatches(key []byte, pin, phc string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t, p uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	sum, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(pin))
	got := argon2.IDKey(mac.Sum(nil), salt, t, m, uint8(p), uint32(len(sum)))
	return hmac.Equal(got, sum)
}

// usersOf returns the SIP addresses of the enabled users a Get-CsUser
// argument list selects, with their row ids.
func (sh *shell) usersOf(args string) map[string]int64 {
	sh.t.Helper()
	out := sh.mustRun(`Get-CsUser ` + args + ` | ForEach-Object { "U " + $_.SipAddress }`)
	db := sh.db()
	users := map[string]int64{}
	for _, line := range strings.Split(out, "\n") {
		sip, ok := strings.CutPrefix(strings.TrimSpace(line), "U ")
		if !ok {
			continue
		}
		var id int64
		if err := db.QueryRow(`SELECT id FROM users WHERE sip = ?`, sip).Scan(&id); err != nil {
			sh.t.Fatalf("user %s: %v", sip, err)
		}
		users[sip] = id
	}
	if len(users) == 0 {
		sh.t.Fatalf("Get-CsUser %s selects nobody", args)
	}
	return users
}

// The results table: each test adds the rows it proved.

type row struct{ area, fault, load, result string }

var table struct {
	sync.Mutex
	rows []row
}

// report adds a row to the results table and logs it.
func report(t testing.TB, area, fault, load, result string) {
	t.Helper()
	t.Logf("RESULT | %s | %s | %s | %s", area, fault, load, result)
	table.Lock()
	table.rows = append(table.rows, row{area, fault, load, result})
	table.Unlock()
}

// writeTable prints the table and, when PINSH_RELIABILITY_TABLE names a
// file, writes it there too (scripts/reliability-table.sh assembles
// docs/RELIABILITY.md from it). Known bugs follow the table.
func writeTable() error {
	table.Lock()
	defer table.Unlock()
	if len(table.rows) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("| Area | What was tried (fault, input class) | Load | Result |\n|---|---|---|---|\n")
	for _, r := range table.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(r.area), cell(r.fault), cell(r.load), cell(r.result))
	}
	knownBugs.Lock()
	if len(knownBugs.list) > 0 {
		b.WriteString("\nNot held yet (known bugs, reported; `PINSH_STRICT=1` makes these checks fail):\n\n")
		for _, k := range knownBugs.list {
			fmt.Fprintf(&b, "- %s\n", k)
		}
	}
	knownBugs.Unlock()
	fmt.Print(b.String())
	if path := os.Getenv("PINSH_RELIABILITY_TABLE"); path != "" {
		return os.WriteFile(path, []byte(b.String()), 0o644)
	}
	return nil
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Handy formatting.

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f/s", float64(n)/d.Seconds())
}
