package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/mattn/go-shellwords"
)

// SplitCommand splits a command line held in an environment variable
// ($PAGER="less -R", $VISUAL="code --wait") into words the POSIX shell
// way, as git and other tools do.
func SplitCommand(cmdline string) ([]string, error) {
	p := shellwords.NewParser()
	words, err := p.Parse(cmdline)
	if err != nil {
		return nil, fmt.Errorf("cannot split the command line %q: %w", cmdline, err)
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("the command line %q is empty", cmdline)
	}
	return words, nil
}

// EditorCommand returns the editor command line from the environment:
// $VISUAL, else $EDITOR, else "vi".
func EditorCommand() string {
	if v := os.Getenv("VISUAL"); strings.TrimSpace(v) != "" {
		return v
	}
	if v := os.Getenv("EDITOR"); strings.TrimSpace(v) != "" {
		return v
	}
	return "vi"
}

// EditText opens text in the editor (a command line, split by
// [SplitCommand]; "vi" when empty) on a temporary .ps1 file and returns
// what was saved. The editor runs on the given terminal streams.
func EditText(editor, text string, in *os.File, out, errw io.Writer) (string, error) {
	if strings.TrimSpace(editor) == "" {
		editor = "vi"
	}
	words, err := SplitCommand(editor)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "pinsh-*.ps1")
	if err != nil {
		return "", fmt.Errorf("cannot create a file for the editor: %w", err)
	}
	name := f.Name()
	defer os.Remove(name)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return "", fmt.Errorf("cannot write the file for the editor: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	cmd := exec.Command(words[0], append(words[1:], name)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, errw
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("the editor %q failed: %w", editor, err)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("cannot read the file back from the editor: %w", err)
	}
	return string(b), nil
}

// Pager shows long text one screen at a time through $PAGER on a
// terminal, and writes it as it is otherwise.
type Pager struct {
	// Command is the pager command line ($PAGER); empty means "less -R"
	// when less is installed, else no paging.
	Command string
	// Out is where the text goes (os.Stdout).
	Out io.Writer
}

// NewPager returns a pager for $PAGER writing to out.
func NewPager(out io.Writer) *Pager {
	return &Pager{Command: os.Getenv("PAGER"), Out: out}
}

// Page writes text, through the pager when Out is a terminal and the text
// is taller than the screen.
func (p *Pager) Page(text string) error {
	rows := Height(p.Out)
	if rows == 0 || strings.Count(text, "\n") < rows-1 {
		_, err := io.WriteString(p.Out, text)
		return err
	}
	cmdline := p.Command
	if strings.TrimSpace(cmdline) == "" {
		if _, err := exec.LookPath("less"); err != nil {
			_, err := io.WriteString(p.Out, text)
			return err
		}
		cmdline = "less -R"
	}
	words, err := SplitCommand(cmdline)
	if err != nil {
		return err
	}
	cmd := exec.Command(words[0], words[1:]...)
	cmd.Stdin = strings.NewReader(text)
	cmd.Stdout = p.Out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil // the user quit the pager early, say
		}
		// The pager cannot start: show the text anyway.
		_, werr := io.WriteString(p.Out, text)
		if werr != nil {
			return werr
		}
		return fmt.Errorf("the pager %q failed: %w", cmdline, err)
	}
	return nil
}
