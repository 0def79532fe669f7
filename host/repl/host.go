package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/term"

	"pinsh/host/engine"
)

var (
	_ engine.Host         = (*Host)(nil)
	_ engine.SecretReader = (*Host)(nil)
)

// ErrNoTerminal is returned by [Host] prompts when there is no terminal
// to ask on. The engine checks Interactive first, so it rarely shows.
var ErrNoTerminal = errors.New("cannot prompt: no terminal")

// ErrInterrupted is returned by [Host] prompts answered with Ctrl-C.
var ErrInterrupted = errors.New("interrupted by Ctrl-C")

// Host prompts on the terminal for the engine: answers to -Confirm, values
// for missing mandatory parameters, Read-Host, and secrets without echo.
// It implements engine.Host and engine.SecretReader.
//
// Prompts read the terminal in raw mode, byte by byte, so that Ctrl-C at a
// prompt is seen at once (it ends the prompt with [ErrInterrupted] and
// cancels the running command) rather than waiting for Enter as a cooked
// read would. Editing is minimal: Backspace, Ctrl-U, Ctrl-W, Enter; Ctrl-D
// on an empty answer is end of input.
type Host struct {
	in  *os.File
	out io.Writer
	tty bool

	mu        sync.Mutex
	interrupt func()
}

// NewHost returns a host that reads in (a terminal, normally os.Stdin) and
// writes prompts to out. When in is nil or not a terminal, Interactive is
// false and every prompt fails with [ErrNoTerminal].
func NewHost(in *os.File, out io.Writer) *Host {
	h := &Host{in: in, out: out}
	if out == nil {
		h.out = os.Stdout
	}
	h.tty = in != nil && term.IsTerminal(int(in.Fd()))
	return h
}

// Interactive reports whether a user can answer prompts.
func (h *Host) Interactive() bool { return h != nil && h.tty }

// ReadLine shows prompt and reads one line, echoed. A prompt of several
// lines (the -Confirm question) is printed whole; the answer goes on its
// last line.
func (h *Host) ReadLine(prompt string) (string, error) {
	return h.read(prompt, true)
}

// ReadSecret shows prompt and reads one line without echoing it (a PIN).
func (h *Host) ReadSecret(prompt string) (string, error) {
	return h.read(prompt, false)
}

func (h *Host) setInterrupt(f func()) {
	h.mu.Lock()
	h.interrupt = f
	h.mu.Unlock()
}

func (h *Host) read(prompt string, echo bool) (string, error) {
	if !h.Interactive() {
		return "", ErrNoTerminal
	}
	// Raw mode first, then the prompt: a Ctrl-C typed as soon as the
	// prompt shows must reach readRaw as a byte. In the cooked mode of a
	// moment before, the terminal turns it into SIGINT, which cancels the
	// command but leaves this read waiting for a key (seen in the pty
	// tests under the race detector).
	fd := int(h.in.Fd())
	state, err := term.MakeRaw(fd)
	if err != nil {
		return "", fmt.Errorf("cannot prompt: %w", err)
	}
	prompt = strings.ReplaceAll(prompt, "\r\n", "\n")
	io.WriteString(h.out, strings.ReplaceAll(prompt, "\n", "\r\n"))
	line, err := readRaw(h.in, h.out, echo)
	term.Restore(fd, state)
	io.WriteString(h.out, "\r\n")
	if errors.Is(err, ErrInterrupted) {
		h.mu.Lock()
		f := h.interrupt
		h.mu.Unlock()
		if f != nil {
			f()
		}
	}
	return line, err
}

// readRaw reads one line from a terminal in raw mode.
func readRaw(in io.Reader, out io.Writer, echo bool) (string, error) {
	var line []rune
	var b [1]byte
	var pend []byte // an incomplete UTF-8 sequence
	esc := 0        // inside an escape sequence: 1 after ESC, 2 after ESC [
	for {
		n, err := in.Read(b[:])
		if n == 0 {
			if err == nil {
				continue
			}
			if len(line) > 0 {
				return string(line), nil
			}
			return "", io.EOF
		}
		c := b[0]
		switch {
		case esc == 1:
			if c == '[' || c == 'O' {
				esc = 2
			} else {
				esc = 0
			}
			continue
		case esc == 2:
			if c >= 0x40 && c <= 0x7e {
				esc = 0
			}
			continue
		}
		switch c {
		case '\r', '\n':
			return string(line), nil
		case 3: // Ctrl-C
			if echo {
				io.WriteString(out, "^C")
			}
			return "", ErrInterrupted
		case 4: // Ctrl-D
			if len(line) == 0 {
				return "", io.EOF
			}
		case 0x7f, '\b':
			if len(line) > 0 {
				line = line[:len(line)-1]
				if echo {
					io.WriteString(out, "\b \b")
				}
			}
		case 0x15: // Ctrl-U
			if echo {
				io.WriteString(out, strings.Repeat("\b \b", len(line)))
			}
			line = line[:0]
		case 0x17: // Ctrl-W
			k := len(line)
			for k > 0 && line[k-1] == ' ' {
				k--
			}
			for k > 0 && line[k-1] != ' ' {
				k--
			}
			if echo {
				io.WriteString(out, strings.Repeat("\b \b", len(line)-k))
			}
			line = line[:k]
		case 0x1b:
			esc = 1
		default:
			if c < 0x20 {
				continue
			}
			pend = append(pend, c)
			if !utf8.FullRune(pend) {
				continue
			}
			r, _ := utf8.DecodeRune(pend)
			pend = pend[:0]
			line = append(line, r)
			if echo {
				io.WriteString(out, string(r))
			}
		}
	}
}
