package repl

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestColorWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewColorWriter(&buf, true)
	w.Write([]byte("Set-CsClientPin : The PIN must contain only digits.\nAt line:1 char:1\n"))
	w.Write([]byte("WARNING: careful\nVERB"))
	w.Write([]byte("OSE: chatty\n\n"))
	w.Write([]byte("partial"))
	want := "\x1b[31mSet-CsClientPin : The PIN must contain only digits.\x1b[0m\n" +
		"\x1b[31mAt line:1 char:1\x1b[0m\n" +
		"\x1b[33mWARNING: careful\x1b[0m\n" +
		"\x1b[36mVERBOSE: chatty\x1b[0m\n\n"
	if buf.String() != want {
		t.Fatalf("coloured:\n%q\nwant\n%q", buf.String(), want)
	}
	w.Flush()
	if !strings.HasSuffix(buf.String(), "\x1b[31mpartial\x1b[0m") {
		t.Fatalf("flush: %q", buf.String())
	}

	buf.Reset()
	plain := NewColorWriter(&buf, false)
	plain.Write([]byte("WARNING: x\nerr"))
	if buf.String() != "WARNING: x\nerr" {
		t.Fatalf("disabled writer changed the text: %q", buf.String())
	}
}

func TestColorEnabled(t *testing.T) {
	var buf bytes.Buffer
	if ColorEnabled(&buf) {
		t.Error("colour for a buffer")
	}
	f, _ := os.CreateTemp(t.TempDir(), "out")
	defer f.Close()
	if ColorEnabled(f) || IsTerminal(f) || Width(f) != 0 || Height(f) != 0 {
		t.Error("a file is taken for a terminal")
	}
	// NO_COLOR wins even on a terminal; checked here without one.
	t.Setenv("NO_COLOR", "1")
	if ColorEnabled(os.Stderr) {
		t.Error("NO_COLOR ignored")
	}
}
