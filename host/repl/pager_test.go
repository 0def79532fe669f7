package repl

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		bad  bool
	}{
		{"less -R", []string{"less", "-R"}, false},
		{`code --wait`, []string{"code", "--wait"}, false},
		{`"/opt/My Editor/bin/ed" -n`, []string{"/opt/My Editor/bin/ed", "-n"}, false},
		{`emacsclient -c -a ''`, []string{"emacsclient", "-c", "-a", ""}, false},
		{`vim\ x`, []string{"vim x"}, false},
		{"   ", nil, true},
		{`"unterminated`, nil, true},
	}
	for _, tt := range tests {
		got, err := SplitCommand(tt.in)
		if (err != nil) != tt.bad || !tt.bad && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitCommand(%q) = %q, %v", tt.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), tt.in) {
			t.Errorf("error %q does not name the command line", err)
		}
	}
}

func TestEditText(t *testing.T) {
	// The editor appends a line to the file it is given.
	got, err := EditText(`sh -c 'printf "| Sort-Object\n" >> "$0"'`, "Get-CsUser", nil, os.Stderr, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if got != "Get-CsUser\n| Sort-Object\n" {
		t.Fatalf("edited %q", got)
	}
	if _, err := EditText("false", "x", nil, os.Stderr, os.Stderr); err == nil || !strings.Contains(err.Error(), `"false"`) {
		t.Fatalf("a failing editor: %v", err)
	}
}

func TestEditorCommand(t *testing.T) {
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", "nano -w")
	if got := EditorCommand(); got != "nano -w" {
		t.Errorf("EDITOR: %q", got)
	}
	t.Setenv("VISUAL", "code --wait")
	if got := EditorCommand(); got != "code --wait" {
		t.Errorf("VISUAL first: %q", got)
	}
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", "")
	if got := EditorCommand(); got != "vi" {
		t.Errorf("default: %q", got)
	}
}

func TestPagerNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := &Pager{Command: "false", Out: &buf}
	text := strings.Repeat("line\n", 500)
	if err := p.Page(text); err != nil {
		t.Fatal(err)
	}
	if buf.String() != text {
		t.Fatal("text not written as it is when Out is not a terminal")
	}
}
