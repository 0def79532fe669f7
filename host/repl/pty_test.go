//go:build unix

package repl

// These tests run an interactive session in a child process (this test
// binary, re-executed with PINSH_REPL_TEST_CHILD=repl) whose terminal is a
// pseudo-terminal, feed the child's output into a vt10x virtual terminal,
// type keys, and assert what the screen shows. The line editor writes to
// os.Stdin/os.Stdout directly, so a real terminal in a child process is
// the faithful way to drive it.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"

	"pinsh/host/engine"
	"pinsh/host/syntax"
)

// fakeParse is the child's parser: unbalanced braces or parentheses, an
// unclosed quote, or a trailing | or ` make the input partial.
func fakeParse(text string) error {
	depth := 0
	var quote rune
	for _, r := range text {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '{' || r == '(':
			depth++
		case r == '}' || r == ')':
			depth--
		}
	}
	t := strings.TrimRight(text, " \t\r\n")
	if depth > 0 || quote != 0 || strings.HasSuffix(t, "|") || strings.HasSuffix(t, "`") {
		return &syntax.Error{Msg: "incomplete", Partial: true}
	}
	return nil
}

// replChild runs the session the pty tests drive. Commands:
//
//	slow N     reports progress for N objects (one per 2 ms) until done or cancelled
//	spin N     the same with an unknown total
//	confirm    asks the -Confirm question and prints the answer
//	secret     reads a secret and prints its length
//	anything   prints "ran: " and the input (newlines shown as " / ")
func replChild() {
	delay, _ := time.ParseDuration(os.Getenv("PINSH_TEST_DELAY"))
	pref := os.Getenv("PINSH_TEST_PREF")
	prog := NewProgress(os.Stderr, ProgressOptions{Delay: delay, Preference: func() string { return pref }})
	host := NewHost(os.Stdin, os.Stdout)
	cfg := Config{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Parse:       fakeParse,
		Completer:   testSources(),
		HistoryPath: os.Getenv("PINSH_TEST_HISTORY"),
		Editor:      os.Getenv("PINSH_TEST_EDITOR"),
		Progress:    prog,
		Host:        host,
		RunCommand: func(ctx context.Context, text string) int {
			f := strings.Fields(text)
			n := 0
			if len(f) > 1 {
				n, _ = strconv.Atoi(f[1])
			}
			switch {
			case len(f) > 0 && (f[0] == "slow" || f[0] == "spin"):
				total := int64(n)
				if f[0] == "spin" {
					total = -1
				}
				for i := 0; i < n; i++ {
					if ctx.Err() != nil {
						return 130
					}
					prog.Report(engine.Progress{Command: "Set-CsClientPin", Activity: "Setting client PINs", Done: int64(i), Total: total})
					time.Sleep(2 * time.Millisecond)
				}
				prog.Report(engine.Progress{Command: "Set-CsClientPin", Activity: "Setting client PINs", Done: int64(n), Total: total})
				fmt.Println("done", n)
				return 0
			case text == "confirm":
				ans, err := host.ReadLine("Confirm\nAre you sure you want to perform this action?\nPerforming the operation \"Set-CsClientPin\" on target \"sip:ken@litwareinc.com\".\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is \"Y\"): ")
				fmt.Printf("answer: %q %v\n", ans, err)
				return 0
			case text == "secret":
				s, err := host.ReadSecret("Pin: ")
				fmt.Printf("secret length %d %v\n", len(s), err)
				return 0
			}
			fmt.Println("ran: " + strings.ReplaceAll(text, "\n", " / "))
			if strings.HasPrefix(text, "fail") {
				return 1
			}
			return 0
		},
	}
	code := Run(context.Background(), cfg)
	fmt.Printf("[exit %d]\n", code)
	os.Exit(code)
}

// console drives a child session over a pseudo-terminal.
type console struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File
	mu   sync.Mutex
	vt   vt10x.Terminal
	raw  bytes.Buffer
	done chan struct{}
}

type childOpts struct {
	history string
	env     []string
	stderr  io.Writer // nil: the terminal
}

func startConsole(t *testing.T, o childOpts) *console {
	t.Helper()
	if o.history == "" {
		o.history = filepath.Join(t.TempDir(), "history")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=repl", "PINSH_TEST_HISTORY="+o.history,
		"INPUTRC=/dev/null", "TERM=xterm-256color", "NO_COLOR=1", "PINSH_TEST_DELAY=150ms")
	cmd.Env = append(cmd.Env, o.env...)
	if o.stderr != nil {
		cmd.Stderr = o.stderr
	}
	const cols, rows = 100, 30
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: rows, Cols: cols})
	if err != nil {
		t.Fatalf("start the session on a pty: %v", err)
	}
	c := &console{t: t, cmd: cmd, ptmx: ptmx, vt: vt10x.New(vt10x.WithSize(cols, rows)), done: make(chan struct{})}
	go c.readLoop()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = ptmx.Close()
		<-c.done
		_ = cmd.Wait()
	})
	c.waitFor("PS> ")
	return c
}

var dsr = []byte("\x1b[6n")

func (c *console) readLoop() {
	defer close(c.done)
	buf := make([]byte, 8192)
	for {
		n, err := c.ptmx.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			c.mu.Lock()
			c.vt.Write(chunk)
			c.raw.Write(chunk)
			cur := c.vt.Cursor()
			c.mu.Unlock()
			// The line editor asks where the cursor is; answer as a
			// terminal would.
			if bytes.Contains(chunk, dsr) {
				fmt.Fprintf(c.ptmx, "\x1b[%d;%dR", cur.Y+1, cur.X+1)
			}
		}
		if err != nil {
			return
		}
	}
}

func (c *console) screen() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.vt.String()
}

func (c *console) rawString() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.raw.String()
}

func (c *console) send(keys string) {
	c.t.Helper()
	if _, err := c.ptmx.WriteString(keys); err != nil {
		c.t.Fatalf("send %q: %v", keys, err)
	}
}

// typeKeys sends keys one at a time, as a person types.
func (c *console) typeKeys(keys string) {
	c.t.Helper()
	for _, r := range keys {
		c.send(string(r))
		time.Sleep(3 * time.Millisecond)
	}
}

const waitLimit = 10 * time.Second

// waitFor waits until the screen contains s and returns the screen.
func (c *console) waitFor(s string) string {
	c.t.Helper()
	return c.waitUntil(s, func(scr string) bool { return strings.Contains(scr, s) })
}

// waitMatch waits until the screen matches the regular expression.
func (c *console) waitMatch(expr string) string {
	c.t.Helper()
	re := regexp.MustCompile(expr)
	return c.waitUntil(expr, re.MatchString)
}

func (c *console) waitUntil(what string, ok func(string) bool) string {
	c.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		scr := c.screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting for %q; the screen shows:\n%s", what, trimScreen(scr))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle waits until the screen stops changing.
func (c *console) settle() string {
	prev := c.screen()
	for i := 0; i < 100; i++ {
		time.Sleep(30 * time.Millisecond)
		cur := c.screen()
		if cur == prev {
			return cur
		}
		prev = cur
	}
	return prev
}

// exitCode waits for the child to end.
func (c *console) exitCode() int {
	c.t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- c.cmd.Wait() }()
	select {
	case err := <-ch:
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		c.t.Fatalf("wait: %v", err)
	case <-time.After(waitLimit):
		c.t.Fatalf("the session did not end; the screen shows:\n%s", trimScreen(c.screen()))
	}
	return -1
}

func trimScreen(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, strings.TrimRight(l, " "))
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// lastPromptLine returns the text after the last "PS> " on the screen.
func lastPromptLine(scr string) string {
	lines := strings.Split(trimScreen(scr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if k := strings.Index(lines[i]+" ", "PS> "); k >= 0 {
			return strings.TrimPrefix(lines[i][k+3:], " ")
		}
	}
	return ""
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("pty session tests skipped with -short")
	}
}

func TestPTYRunAndExit(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{})
	c.typeKeys("Write-Output hi\r")
	c.waitFor("ran: Write-Output hi")
	c.typeKeys("exit 3\r")
	if code := c.exitCode(); code != 3 {
		t.Fatalf("exit 3 ended the session with %d", code)
	}
}

func TestPTYCtrlDLeavesWithLastStatus(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{})
	c.typeKeys("fail now\r")
	c.waitFor("ran: fail now")
	c.waitMatch(`ran: fail now\s*\n.*PS> `)
	c.send("\x04")
	if code := c.exitCode(); code != 1 {
		t.Fatalf("Ctrl-D after a failing command ended with %d, want 1", code)
	}
}

func TestPTYContinuationPrompt(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{})
	c.typeKeys("Get-CsUser |\r")
	scr := c.waitFor(">> ")
	if strings.Contains(scr, "ran:") {
		t.Fatalf("a partial input ran:\n%s", trimScreen(scr))
	}
	c.typeKeys("Sort-Object\r")
	c.waitFor("ran: Get-CsUser | / Sort-Object")
	c.typeKeys("if ($x) {\r")
	c.waitMatch(`>> \s*\n?`)
	c.typeKeys("'yes'\r")
	c.typeKeys("}\r")
	c.waitFor("ran: if ($x) { / 'yes' / }")
}

func TestPTYCompletion(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{})

	// A unique prefix completes, fixing the case.
	c.typeKeys("get-csu\t")
	c.waitUntil("Get-CsUser on the line", func(s string) bool { return strings.HasPrefix(lastPromptLine(s), "Get-CsUser") })

	// Parameter names after -.
	c.typeKeys(" -unas\t")
	c.waitUntil("-UnAssignedUser", func(s string) bool { return strings.Contains(lastPromptLine(s), "Get-CsUser -UnAssignedUser") })
	c.send("\x15") // Ctrl-U: clear the line
	c.settle()

	// Several candidates: the first Tab extends the word to what they
	// share (fixing its case), the second lists them and selects the
	// first, and further Tabs cycle.
	c.typeKeys("get-cs")
	c.settle()
	c.send("\t")
	c.waitUntil("common prefix", func(s string) bool { return lastPromptLine(s) == "Get-Cs" })
	c.send("\t")
	scr := c.waitMatch(`PS> Get-CsClientPinInfo\s*\n\s*Get-CsClientPinInfo\s+Get-CsUser`)
	_ = scr
	c.send("\t")
	c.waitMatch(`PS> Get-CsUser\s*\n\s*Get-CsClientPinInfo\s+Get-CsUser`)
	c.send("\x03") // leave the menu
	c.settle()
	c.send("\x15") // and clear the line
	c.settle()

	// Values with spaces are quoted.
	c.typeKeys("Set-CsClientPin -Identity pil\t")
	c.waitUntil("quoted identity", func(s string) bool {
		return strings.Contains(lastPromptLine(s), "Set-CsClientPin -Identity 'Pilar Ackerman'")
	})
	c.send("\x15")
	c.settle()

	// A quoted value with a space completes from inside the quotes.
	c.typeKeys("Get-CsUser 'Ken M\t")
	c.waitUntil("quoted value", func(s string) bool {
		return lastPromptLine(s) == "Get-CsUser 'Ken Myer'"
	})
	c.send("\x15")
	c.settle()

	// Properties of $_ from the previous stage's output type.
	c.typeKeys("Get-CsUser | Where-Object {$_.Disp\t")
	c.waitUntil("$_.DisplayName", func(s string) bool {
		return strings.Contains(lastPromptLine(s), "Where-Object {$_.DisplayName")
	})
	c.typeKeys(" -eq 'x'}\r")
	c.waitFor("ran: Get-CsUser | Where-Object {$_.DisplayName -eq 'x'}")
}

func TestPTYHistoryRecallAndMasking(t *testing.T) {
	skipShort(t)
	hist := filepath.Join(t.TempDir(), "history")
	c := startConsole(t, childOpts{history: hist})
	c.typeKeys("Get-CsUser -Identity ken\r")
	c.waitFor("ran: Get-CsUser -Identity ken")
	c.typeKeys("Set-CsClientPin ken -Pin 24680\r")
	c.waitFor("ran: Set-CsClientPin ken -Pin 24680")
	c.waitMatch(`24680\s*\n.*PS> `)

	// Up recalls the last entry, masked.
	c.send("\x1b[A")
	c.waitUntil("masked recall", func(s string) bool {
		return lastPromptLine(s) == "Set-CsClientPin ken -Pin ***"
	})
	c.send("\x15")
	c.settle()

	// Ctrl-R searches backwards.
	c.send("\x12")
	c.typeKeys("Identity")
	c.waitFor("Get-CsUser -Identity ken")
	c.send("\r")
	c.waitMatch(`(?s)ran: Get-CsUser -Identity ken.*ran: Get-CsUser -Identity ken`)

	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "24680") || !strings.Contains(string(data), "-Pin ***") {
		t.Fatalf("history file:\n%s", data)
	}

	// A new session starts with the saved history.
	c.typeKeys("exit\r")
	c.exitCode()
	c2 := startConsole(t, childOpts{history: hist})
	c2.send("\x1b[A")
	c2.waitUntil("exit recalled", func(s string) bool { return lastPromptLine(s) == "exit" })
	c2.send("\x1b[A")
	c2.waitUntil("recall from the file", func(s string) bool {
		return lastPromptLine(s) == "Get-CsUser -Identity ken"
	})
}

func TestPTYCtrlCWhileEditing(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{})
	c.typeKeys("Get-CsUser -Iden")
	c.send("\x03")
	c.waitUntil("a fresh prompt", func(s string) bool {
		return strings.Count(s, "PS> ") >= 2 && lastPromptLine(s) == ""
	})
	c.typeKeys("Write-Output after\r")
	scr := c.waitFor("ran: Write-Output after")
	if strings.Contains(scr, "ran: Get-CsUser") {
		t.Fatalf("the interrupted line ran:\n%s", trimScreen(scr))
	}
}

func TestPTYCtrlCStopsCommandOnly(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{})
	c.typeKeys("slow 100000\r")
	// The bar shows after the delay, with the count and the total.
	c.waitMatch(`Setting client PINs.*\d+/100000`)
	c.send("\x03")
	scr := c.waitMatch(`\^C[\s\S]*Set-CsClientPin stopped after \d+ of 100000 \(Setting client PINs\)\.`)
	if strings.Contains(scr, "done 100000") {
		t.Fatalf("the command was not stopped:\n%s", trimScreen(scr))
	}
	c.waitMatch(`stopped after[^\n]*\n(.*\n)*PS> `)
	c.typeKeys("Write-Output still here\r")
	c.waitFor("ran: Write-Output still here")
}

func TestPTYProgressOnTerminal(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{})
	// A short command shows no bar.
	c.typeKeys("slow 10\r")
	c.waitFor("done 10")
	if strings.Contains(c.screen(), "Setting client PINs") {
		t.Fatalf("a short command drew a bar:\n%s", trimScreen(c.screen()))
	}
	// A long one does, and it is gone when the command ends.
	c.typeKeys("slow 400\r")
	c.waitMatch(`Setting client PINs\s+\d+% \|?\[?`)
	c.waitFor("done 400")
	scr := c.settle()
	if strings.Contains(scr, "Setting client PINs") {
		t.Fatalf("the bar stayed after the command:\n%s", trimScreen(scr))
	}
	// An unknown total shows a count.
	c.typeKeys("spin 300\r")
	c.waitMatch(`Setting client PINs.*\d+`)
	c.waitFor("done 300")
}

func TestPTYProgressSilentlyContinue(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{env: []string{"PINSH_TEST_PREF=SilentlyContinue"}})
	c.typeKeys("slow 300\r")
	c.waitFor("done 300")
	if strings.Contains(c.rawString(), "Setting client PINs") {
		t.Fatalf("a bar was drawn with $ProgressPreference = 'SilentlyContinue':\n%s", trimScreen(c.screen()))
	}
}

func TestPTYProgressNotInAPipe(t *testing.T) {
	skipShort(t)
	var stderr syncBuffer
	c := startConsole(t, childOpts{stderr: &stderr})
	c.typeKeys("slow 300\r")
	c.waitFor("done 300")
	if stderr.Len() != 0 {
		t.Fatalf("stderr (a pipe) got %q", stderr.String())
	}
	if strings.Contains(c.screen(), "Setting client PINs") {
		t.Fatal("the bar reached the terminal through stdout")
	}
}

func TestPTYConfirmAndSecret(t *testing.T) {
	skipShort(t)
	c := startConsole(t, childOpts{})
	c.typeKeys("confirm\r")
	c.waitFor(`[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y"): `)
	c.typeKeys("A\r")
	c.waitFor(`answer: "A" <nil>`)
	c.typeKeys("secret\r")
	c.waitFor("Pin: ")
	c.typeKeys("13579\r")
	scr := c.waitFor("secret length 5 <nil>")
	if strings.Contains(scr, "13579") {
		t.Fatalf("the secret was echoed:\n%s", trimScreen(scr))
	}
	// Ctrl-C at a prompt ends it and stops the command. The first prompt
	// is still on the screen: wait for the second in the output, or the
	// Ctrl-C reaches the line editor before the prompt reads.
	c.typeKeys("confirm\r")
	c.waitUntil("a second confirmation prompt", func(string) bool {
		return strings.Count(c.rawString(), "(default is") >= 2
	})
	c.send("\x03")
	c.waitFor("interrupted by Ctrl-C")
}

func TestPTYEditLineInEditor(t *testing.T) {
	skipShort(t)
	// The editor is a command line split POSIX-style; the file name is
	// appended: here sh writes a new command into it.
	editor := `sh -c 'printf "Write-Output edited\n" > "$0"'`
	c := startConsole(t, childOpts{env: []string{"PINSH_TEST_EDITOR=" + editor}})
	c.typeKeys("Get-CsUs")
	c.send("\x18\x05") // Ctrl-X Ctrl-E
	c.waitFor("ran: Write-Output edited")
	c.waitMatch(`ran: Write-Output edited\s*\n(.*\n)*PS> `)
}

// syncBuffer is a bytes.Buffer safe for the child's stderr copier.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
