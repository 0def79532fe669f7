package repl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Run over a reader that is not a terminal: the same loop, prompts and
// history, without line editing.
func TestRunPlain(t *testing.T) {
	var out, errw bytes.Buffer
	var ran []string
	hist := filepath.Join(t.TempDir(), "history")
	in := strings.NewReader("Write-Output 1\nGet-CsUser |\nSort-Object\n\nSet-CsClientPin ken 1234\nexit 4\nWrite-Output never\n")
	code := Run(context.Background(), Config{
		In: in, Out: &out, Err: &errw,
		Parse:       fakeParse,
		HistoryPath: hist,
		Completer:   testSources(),
		RunCommand: func(ctx context.Context, text string) int {
			ran = append(ran, text)
			return 0
		},
	})
	if code != 4 {
		t.Errorf("exit 4 gave %d", code)
	}
	want := []string{"Write-Output 1", "Get-CsUser |\nSort-Object", "Set-CsClientPin ken 1234", "exit 4"}
	if !reflect.DeepEqual(ran, want) {
		t.Errorf("ran %q, want %q", ran, want)
	}
	if got := out.String(); got != "PS> PS> >> PS> PS> PS> " {
		t.Errorf("prompts %q", got)
	}
	if errw.Len() != 0 {
		t.Errorf("stderr %q", errw.String())
	}
	data, _ := os.ReadFile(hist)
	if !strings.Contains(string(data), "Set-CsClientPin ken ***\n") || strings.Contains(string(data), "1234") {
		t.Errorf("history file:\n%s", data)
	}
}

func TestRunPlainEOFAndExited(t *testing.T) {
	var out bytes.Buffer
	code := Run(context.Background(), Config{
		In: strings.NewReader("fail\n"), Out: &out, Err: &out, HistoryPath: "-",
		RunCommand: func(ctx context.Context, text string) int { return 1 },
	})
	if code != 1 {
		t.Errorf("EOF after a failing command gave %d, want 1", code)
	}
	// The engine's Exited decides when set.
	calls := 0
	code = Run(context.Background(), Config{
		In: strings.NewReader("a\nb\nc\n"), Out: &out, Err: &out, HistoryPath: "-",
		RunCommand: func(ctx context.Context, text string) int { calls++; return 0 },
		Exited:     func() (int, bool) { return 7, calls == 2 },
	})
	if code != 7 || calls != 2 {
		t.Errorf("Exited: code %d after %d commands", code, calls)
	}
	// A cancelled context ends the session.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := Run(ctx, Config{In: strings.NewReader("a\n"), Out: &out, Err: &out, HistoryPath: "-",
		RunCommand: func(ctx context.Context, text string) int { t.Error("ran after cancel"); return 0 }}); code != 0 {
		t.Errorf("cancelled: %d", code)
	}
}
