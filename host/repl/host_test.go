package repl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestReadRaw(t *testing.T) {
	tests := []struct {
		name, in string
		echo     bool
		want     string
		err      error
		shown    string
	}{
		{"plain", "yes\r", true, "yes", nil, "yes"},
		{"newline", "y\n", true, "y", nil, "y"},
		{"backspace", "abx\x7fc\r", true, "abc", nil, "abx\b \bc"},
		{"ctrl-u", "abc\x15d\r", true, "d", nil, "abc\b \b\b \b\b \bd"},
		{"ctrl-w", "one two\x17three\r", true, "one three", nil, "one two\b \b\b \b\b \bthree"},
		{"arrow keys ignored", "a\x1b[Db\x1bOAc\r", true, "abc", nil, "abc"},
		{"utf-8", "Zoë\r", true, "Zoë", nil, "Zoë"},
		{"no echo", "1234\r", false, "1234", nil, ""},
		{"no echo backspace", "125\x7f3\r", false, "123", nil, ""},
		{"ctrl-c", "ab\x03", true, "", ErrInterrupted, "ab^C"},
		{"ctrl-d empty", "\x04", true, "", io.EOF, ""},
		{"ctrl-d not empty", "a\x04b\r", true, "ab", nil, "ab"},
		{"eof mid line", "abc", true, "abc", nil, "abc"},
		{"eof", "", true, "", io.EOF, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := readRaw(strings.NewReader(tt.in), &out, tt.echo)
			if got != tt.want || !errors.Is(err, tt.err) && !(err == nil && tt.err == nil) {
				t.Errorf("readRaw(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
			if out.String() != tt.shown {
				t.Errorf("readRaw(%q) showed %q, want %q", tt.in, out.String(), tt.shown)
			}
		})
	}
}

func TestHostWithoutTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "in")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, h := range []*Host{NewHost(nil, io.Discard), NewHost(f, io.Discard)} {
		if h.Interactive() {
			t.Error("a host without a terminal says it is interactive")
		}
		if _, err := h.ReadLine("x: "); !errors.Is(err, ErrNoTerminal) {
			t.Errorf("ReadLine without a terminal: %v", err)
		}
		if _, err := h.ReadSecret("Pin: "); !errors.Is(err, ErrNoTerminal) {
			t.Errorf("ReadSecret without a terminal: %v", err)
		}
	}
	var nilHost *Host
	if nilHost.Interactive() {
		t.Error("nil host is interactive")
	}
}
