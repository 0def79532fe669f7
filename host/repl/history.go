package repl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultHistorySize is how many entries a history file keeps.
const DefaultHistorySize = 4096

// DefaultHistoryPath returns the per-user history file:
// $XDG_STATE_HOME/pinsh/history, else ~/.local/state/pinsh/history.
func DefaultHistoryPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find a state directory for the history: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "pinsh", "history"), nil
}

// History is a command history kept in a file shared by every session of
// the user. Entries are masked (see [Masker]) before they are kept, in
// memory as on disk. Each entry is appended with one write while holding
// an exclusive lock on a companion lock file, so concurrent sessions never
// interleave or lose entries; [History.Reload] picks up what the others
// appended. A multi-line entry is stored PSReadLine's way: every line but
// the last ends with a backtick.
//
// History implements the line editor's history source interface (Write,
// GetLine, Len, Dump). It is safe for concurrent use.
type History struct {
	path   string
	masker *Masker
	max    int

	mu      sync.Mutex
	entries []string
	size    int64
	mod     time.Time
	// err is the first error writing the file; the history then lives in
	// memory only.
	err error
}

// OpenHistory opens (creating its directory) the history file at path and
// loads it. A nil masker masks the PIN parameters only. max is the number
// of entries to keep (0 means [DefaultHistorySize]). An empty path keeps
// the history in memory.
func OpenHistory(path string, m *Masker, max int) (*History, error) {
	if m == nil {
		m = NewMasker(nil)
	}
	if max <= 0 {
		max = DefaultHistorySize
	}
	h := &History{path: path, masker: m, max: max}
	if path == "" {
		return h, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return h, fmt.Errorf("cannot create the history directory: %w", err)
	}
	return h, h.Reload()
}

// Path returns the history file's path.
func (h *History) Path() string { return h.path }

// Err returns the error that stopped the history from being saved, if any.
func (h *History) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

// Reload reads the file again when another session changed it.
func (h *History) Reload() error {
	if h.path == "" {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reloadLocked(false)
}

func (h *History) reloadLocked(force bool) error {
	st, err := os.Stat(h.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read the history: %w", err)
	}
	if !force && st.Size() == h.size && st.ModTime().Equal(h.mod) {
		return nil
	}
	var data []byte
	err = withLock(h.path, false, func() error {
		var rerr error
		data, rerr = os.ReadFile(h.path)
		return rerr
	})
	if err != nil {
		return fmt.Errorf("cannot read the history: %w", err)
	}
	h.entries = decodeHistory(data)
	if len(h.entries) > h.max {
		h.entries = h.entries[len(h.entries)-h.max:]
	}
	h.size, h.mod = int64(len(data)), st.ModTime()
	return nil
}

// Add masks line and appends it, unless it is blank or repeats the last
// entry. It returns the entry as kept.
func (h *History) Add(line string) (string, error) {
	line = strings.ReplaceAll(line, "\r\n", "\n")
	line = strings.TrimRight(line, "\n")
	if strings.TrimSpace(line) == "" {
		return "", nil
	}
	masked, _ := h.masker.Mask(line)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.path != "" {
		_ = h.reloadLocked(false)
	}
	if n := len(h.entries); n > 0 && h.entries[n-1] == masked {
		return masked, nil
	}
	h.entries = append(h.entries, masked)
	if h.path == "" || h.err != nil {
		return masked, h.err
	}
	rec := encodeEntry(masked)
	err := withLock(h.path, true, func() error {
		f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		_, werr := f.Write(rec)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return werr
		}
		// Trim the file when it holds twice the entries to keep. The
		// rename is safe: every writer opens the file under the lock.
		data, err := os.ReadFile(h.path)
		if err != nil {
			return err
		}
		all := decodeHistory(data)
		if len(all) > 2*h.max {
			all = all[len(all)-h.max:]
			var buf bytes.Buffer
			for _, e := range all {
				buf.Write(encodeEntry(e))
			}
			tmp := h.path + ".tmp"
			if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
				return err
			}
			if err := os.Rename(tmp, h.path); err != nil {
				return err
			}
			data = buf.Bytes()
		}
		if len(all) > h.max {
			all = all[len(all)-h.max:]
		}
		h.entries = all
		if st, err := os.Stat(h.path); err == nil {
			h.size, h.mod = int64(len(data)), st.ModTime()
		}
		return nil
	})
	if err != nil {
		h.err = fmt.Errorf("cannot save the history to %s: %w", h.path, err)
		return masked, h.err
	}
	return masked, nil
}

// Entries returns a copy of the entries, oldest first.
func (h *History) Entries() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.entries...)
}

// Write implements the line editor's history source: it adds the line.
func (h *History) Write(line string) (int, error) {
	_, err := h.Add(line)
	return h.Len(), err
}

// GetLine implements the line editor's history source: entry i, oldest
// first.
func (h *History) GetLine(i int) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if i < 0 || i >= len(h.entries) {
		return "", fmt.Errorf("history entry %d is out of range (0 to %d)", i, len(h.entries)-1)
	}
	return h.entries[i], nil
}

// Len implements the line editor's history source.
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.entries)
}

// Dump implements the line editor's history source.
func (h *History) Dump() interface{} { return h.Entries() }

// encodeEntry renders one entry as file lines: every line but the last
// ends with a backtick.
func encodeEntry(e string) []byte {
	lines := strings.Split(e, "\n")
	var buf bytes.Buffer
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		buf.WriteString(l)
		if i < len(lines)-1 {
			buf.WriteByte('`')
		} else if strings.HasSuffix(l, "`") {
			// would read as a continuation; a trailing space is harmless
			buf.WriteByte(' ')
		}
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// decodeHistory parses a history file. A torn last line (no newline)
// still counts: a crash mid-write loses at most that entry's end.
func decodeHistory(data []byte) []string {
	var out []string
	var cur strings.Builder
	pending := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		l := strings.TrimSuffix(sc.Text(), "\r")
		if strings.HasSuffix(l, "`") {
			cur.WriteString(l[:len(l)-1])
			cur.WriteByte('\n')
			pending = true
			continue
		}
		cur.WriteString(l)
		if s := cur.String(); strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
		cur.Reset()
		pending = false
	}
	if pending {
		if s := strings.TrimRight(cur.String(), "\n"); strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
