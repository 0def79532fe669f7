package repl

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}

// ColorEnabled reports whether to colour what is written to w: only on a
// terminal, never when NO_COLOR is set to anything (https://no-color.org)
// or TERM is "dumb".
func ColorEnabled(w any) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return IsTerminal(w)
}

// Width returns the width of the terminal w is, for sizing tables: the
// terminal's columns, else $COLUMNS, else 0 (no limit) when w is not a
// terminal.
func Width(w any) int {
	if f, ok := w.(*os.File); ok && f != nil && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
		if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
			return n
		}
		return 80
	}
	return 0
}

// Height returns the terminal's rows, or 0 when w is not a terminal.
func Height(w any) int {
	if f, ok := w.(*os.File); ok && f != nil && term.IsTerminal(int(f.Fd())) {
		if _, rows, err := term.GetSize(int(f.Fd())); err == nil && rows > 0 {
			return rows
		}
		if n, err := strconv.Atoi(os.Getenv("LINES")); err == nil && n > 0 {
			return n
		}
		return 24
	}
	return 0
}

// SGR colours used for the error stream.
const (
	colorRed    = "\x1b[31m"
	colorYellow = "\x1b[33m"
	colorCyan   = "\x1b[36m"
	colorReset  = "\x1b[0m"
)

// LineColor picks the colour of an error-stream line from its start:
// warnings (WARNING:) yellow, verbose and debug (VERBOSE:, DEBUG:) cyan,
// anything else (error records and their "At line:" positions) red.
func LineColor(line string) string {
	switch {
	case strings.HasPrefix(line, "WARNING:"):
		return colorYellow
	case strings.HasPrefix(line, "VERBOSE:"), strings.HasPrefix(line, "DEBUG:"):
		return colorCyan
	}
	return colorRed
}

// ColorWriter colours the engine's error stream line by line (see
// [LineColor]) when colour is enabled, and passes it through unchanged
// otherwise. Partial lines are held until their newline, so a line's
// colour is chosen from its whole start; [ColorWriter.Flush] writes what
// is held.
type ColorWriter struct {
	w       io.Writer
	enabled bool
	mu      sync.Mutex
	buf     []byte
}

// NewColorWriter wraps w (the engine's stderr). enabled is usually
// [ColorEnabled] of the underlying file.
func NewColorWriter(w io.Writer, enabled bool) *ColorWriter {
	return &ColorWriter{w: w, enabled: enabled}
}

// Write implements io.Writer.
func (c *ColorWriter) Write(b []byte) (int, error) {
	if !c.enabled {
		return c.w.Write(b)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, b...)
	var out bytes.Buffer
	for {
		i := bytes.IndexByte(c.buf, '\n')
		if i < 0 {
			break
		}
		line := c.buf[:i]
		if len(bytes.TrimSpace(line)) == 0 {
			out.Write(line)
		} else {
			out.WriteString(LineColor(string(line)))
			out.Write(line)
			out.WriteString(colorReset)
		}
		out.WriteByte('\n')
		c.buf = c.buf[i+1:]
	}
	if out.Len() > 0 {
		if _, err := c.w.Write(out.Bytes()); err != nil {
			return 0, err
		}
	}
	if len(c.buf) == 0 {
		c.buf = nil
	}
	return len(b), nil
}

// Flush writes a held partial line.
func (c *ColorWriter) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.buf) == 0 {
		return nil
	}
	s := LineColor(string(c.buf)) + string(c.buf) + colorReset
	c.buf = nil
	_, err := io.WriteString(c.w, s)
	return err
}
