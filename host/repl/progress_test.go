package repl

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"pinsh/host/engine"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func report(p *Progress, done, total int64) {
	p.Report(engine.Progress{Command: "Set-CsClientPin", Activity: "Setting PINs", Done: done, Total: total})
}

func TestProgressDelay(t *testing.T) {
	var buf lockedBuffer
	p := NewProgress(&buf, ProgressOptions{Force: true, Delay: 50 * time.Millisecond, Width: func() int { return 100 }})
	p.Begin()
	report(p, 1, 100)
	report(p, 2, 100)
	if buf.String() != "" {
		t.Fatalf("drawn before the delay: %q", buf.String())
	}
	time.Sleep(60 * time.Millisecond)
	report(p, 50, 100)
	time.Sleep(110 * time.Millisecond) // the bar redraws at most every 100 ms
	report(p, 60, 100)
	out := buf.String()
	if !strings.Contains(out, "Setting PINs") || !strings.Contains(out, "/100") || !strings.Contains(out, "obj/s") {
		t.Fatalf("bar after the delay: %q", out)
	}
	p.End()
	if !strings.HasSuffix(buf.String(), "\x1b[2K\r") {
		t.Fatalf("End did not clear the bar: %q", buf.String())
	}
	if last, ok := p.Last(); !ok || last.Done != 60 {
		t.Fatalf("Last = %+v, %v", last, ok)
	}
	p.Begin()
	if _, ok := p.Last(); ok {
		t.Fatal("Begin kept the previous command's report")
	}
}

func TestProgressOff(t *testing.T) {
	// Not a terminal: nothing, whatever the time.
	f, _ := os.CreateTemp(t.TempDir(), "err")
	defer f.Close()
	p := NewProgress(f, ProgressOptions{Delay: time.Nanosecond})
	if p.Drawing() {
		t.Fatal("a file is drawn on")
	}
	p.Begin()
	time.Sleep(time.Millisecond)
	report(p, 5, 10)
	p.End()
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Fatalf("wrote %d bytes to a file", st.Size())
	}
	if _, ok := p.Last(); !ok {
		t.Fatal("the report is kept for ^C even when nothing is drawn")
	}
	// $ProgressPreference = 'SilentlyContinue'.
	var buf lockedBuffer
	pref := "SilentlyContinue"
	p = NewProgress(&buf, ProgressOptions{Force: true, Delay: time.Nanosecond, Preference: func() string { return pref }})
	p.Begin()
	time.Sleep(time.Millisecond)
	report(p, 5, 10)
	if buf.String() != "" {
		t.Fatalf("drawn while SilentlyContinue: %q", buf.String())
	}
	pref = "Continue"
	report(p, 6, 10)
	if !strings.Contains(buf.String(), "Setting PINs") {
		t.Fatalf("not drawn once Continue: %q", buf.String())
	}
}

func TestProgressWrapClears(t *testing.T) {
	var buf lockedBuffer
	p := NewProgress(&buf, ProgressOptions{Force: true, Delay: time.Nanosecond})
	out := p.Wrap(&buf)
	p.Begin()
	time.Sleep(time.Millisecond)
	report(p, 1, -1)
	before := buf.String()
	if !strings.Contains(before, "Setting PINs") {
		t.Fatalf("no bar: %q", before)
	}
	out.Write([]byte("row\n"))
	if got := strings.TrimPrefix(buf.String(), before); got != "\x1b[2K\rrow\n" {
		t.Fatalf("output after a bar: %q", got)
	}
}

func TestStoppedMessage(t *testing.T) {
	tests := []struct {
		p    engine.Progress
		want string
	}{
		{engine.Progress{Command: "Set-CsClientPin", Activity: "Setting client PINs", Done: 4213, Total: 10000},
			"Set-CsClientPin stopped after 4213 of 10000 (Setting client PINs)."},
		{engine.Progress{Command: "Import-CsDirectory", Done: 12, Total: -1}, "Import-CsDirectory stopped after 12."},
		{engine.Progress{Done: 3, Total: 3}, "Stopped after 3 of 3."},
	}
	for _, tt := range tests {
		if got := StoppedMessage(tt.p); got != tt.want {
			t.Errorf("StoppedMessage(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}
