package repl

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestHistoryEncoding(t *testing.T) {
	entries := []string{
		"Get-CsUser",
		"Get-CsUser |\n  Where-Object { $_.Enabled }",
		"Get-CsUser `\n  -OU x",
		"Write-Output 'a\\b'",
		"if ($true) {\n\n  1\n}",
		"ends with tick`",
	}
	var data []byte
	for _, e := range entries {
		data = append(data, encodeEntry(e)...)
	}
	got := decodeHistory(data)
	want := append([]string(nil), entries...)
	want[5] = "ends with tick` " // kept apart from the next entry
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %q\nwant %q", got, want)
	}
	// CRLF files and a torn last line read sensibly.
	if got := decodeHistory([]byte("a\r\nb`\r\nc\r\nd`")); !reflect.DeepEqual(got, []string{"a", "b\nc", "d"}) {
		t.Fatalf("crlf/torn: got %q", got)
	}
}

func FuzzHistoryEncoding(f *testing.F) {
	f.Add("Get-CsUser |\n Sort-Object")
	f.Add("a`")
	f.Add("x\r\ny")
	f.Fuzz(func(t *testing.T, e string) {
		e = strings.ReplaceAll(e, "\r", "")
		if strings.TrimSpace(e) == "" || strings.HasSuffix(e, "`") {
			return
		}
		got := decodeHistory(encodeEntry(e))
		// Blank lines inside an entry survive; leading/trailing blank
		// entries do not exist because Add trims them.
		if len(got) != 1 || got[0] != e {
			t.Fatalf("round trip of %q gave %q", e, got)
		}
	})
}

func TestHistoryMasksAndPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "pinsh", "history")
	h, err := OpenHistory(path, NewMasker(testRegistry()), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"Get-CsUser", "Set-CsClientPin ken -Pin 1234", "Set-CsClientPin ken 9876", "Get-CsUser", "Get-CsUser", "   "} {
		if _, err := h.Add(l); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"Get-CsUser", "Set-CsClientPin ken -Pin ***", "Set-CsClientPin ken ***", "Get-CsUser"}
	if got := h.Entries(); !reflect.DeepEqual(got, want) {
		t.Fatalf("entries = %q, want %q", got, want)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "1234") || strings.Contains(string(data), "9876") {
		t.Fatalf("a PIN reached the history file:\n%s", data)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("history file mode = %v, want 0600", st.Mode().Perm())
	}
	// A new session sees it all.
	h2, err := OpenHistory(path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := h2.Entries(); !reflect.DeepEqual(got, want) {
		t.Fatalf("reopened entries = %q, want %q", got, want)
	}
	// And a session sees what another appends after a reload.
	if _, err := h2.Add("Get-CsPinPolicy"); err != nil {
		t.Fatal(err)
	}
	if err := h.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := h.Entries(); got[len(got)-1] != "Get-CsPinPolicy" {
		t.Fatalf("after reload the last entry is %q", got[len(got)-1])
	}
}

func TestHistoryTrim(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	h, err := OpenHistory(path, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 35; i++ {
		h.Add(fmt.Sprintf("Write-Output %d", i))
	}
	if got := h.Entries(); len(got) != 10 || got[9] != "Write-Output 34" {
		t.Fatalf("entries after trim = %q", got)
	}
	data, _ := os.ReadFile(path)
	if n := len(decodeHistory(data)); n > 20 {
		t.Fatalf("file holds %d entries, want at most 20", n)
	}
}

// appendMany adds n multi-line entries tagged with who.
func appendMany(path, who string, n int) error {
	h, err := OpenHistory(path, nil, 100000)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if _, err := h.Add(fmt.Sprintf("Write-Output %s-%d |\n  Out-Null # %s", who, i, strings.Repeat("x", i%50))); err != nil {
			return err
		}
	}
	return nil
}

func checkAllEntries(t *testing.T, path string, whos []string, n int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range decodeHistory(data) {
		var who string
		var i int
		lines := strings.Split(e, "\n")
		if len(lines) != 2 {
			t.Fatalf("torn entry %q", e)
		}
		if _, err := fmt.Sscanf(strings.Replace(lines[0], "-", " ", 1), "Write Output %s", &who); err != nil {
			t.Fatalf("bad entry %q", e)
		}
		k := strings.LastIndexByte(who, '-')
		i, _ = strconv.Atoi(who[k+1:])
		if want := "  Out-Null # " + strings.Repeat("x", i%50); lines[1] != want {
			t.Fatalf("entry %q has a corrupt second line", e)
		}
		if seen[who] {
			t.Fatalf("entry %s twice", who)
		}
		seen[who] = true
	}
	if len(seen) != len(whos)*n {
		t.Fatalf("file has %d entries, want %d", len(seen), len(whos)*n)
	}
}

func TestHistoryConcurrentGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	whos := []string{"a", "b", "c"}
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, len(whos))
	for _, w := range whos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- appendMany(path, w, n)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkAllEntries(t, path, whos, n)
}

func TestHistoryConcurrentProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	whos := []string{"p", "q"}
	const n = 150
	var cmds []*exec.Cmd
	for _, w := range whos {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=history", "PINSH_TEST_HISTORY="+path, "PINSH_TEST_WHO="+w, "PINSH_TEST_N="+strconv.Itoa(n))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	checkAllEntries(t, path, whos, n)
}

func historyChild() {
	n, _ := strconv.Atoi(os.Getenv("PINSH_TEST_N"))
	if err := appendMany(os.Getenv("PINSH_TEST_HISTORY"), os.Getenv("PINSH_TEST_WHO"), n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func TestDefaultHistoryPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if p, err := DefaultHistoryPath(); err != nil || p != "/state/pinsh/history" {
		t.Errorf("with XDG_STATE_HOME: %q, %v", p, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/ops")
	if p, err := DefaultHistoryPath(); err != nil || p != "/home/ops/.local/state/pinsh/history" {
		t.Errorf("without: %q, %v", p, err)
	}
}
