// Package directory loads directory data into the store and filters it:
// an LDIF reader (RFC 2849, as Active Directory's ldifde writes it), a CSV
// reader, the importer behind Import-CsDirectory, and an RFC 4515 LDAP
// filter parser and evaluator for Get-CsUser -LdapFilter.
//
// Readers never stop at a malformed entry: they report it as a [*Problem]
// naming the file, the line and the reason, skip to the next entry and go
// on. The importer applies everything else in one transaction.
package directory

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Problem is a malformed or unusable entry: where it is and why it was
// skipped.
type Problem struct {
	File   string
	Line   int
	DN     string
	Reason string
}

// Error returns "file:line: reason (entry dn)".
func (p *Problem) Error() string {
	msg := fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
	if p.DN != "" {
		msg += fmt.Sprintf(" (entry %q)", p.DN)
	}
	return msg
}

// Attr is one attribute value of an entry. Value holds the decoded bytes
// (binary for base64 values such as objectGUID).
type Attr struct {
	Name  string
	Value string
	// Base64 records that the value was written base64-encoded.
	Base64 bool
}

// Mod is one modification of a changetype: modify entry.
type Mod struct {
	Op     string // "add", "replace" or "delete"
	Attr   string
	Values []string
}

// Entry is one directory entry read from an LDIF or CSV file.
type Entry struct {
	DN string
	// Line is the line the entry starts on.
	Line int
	// ChangeType is "add" (also for plain content records), "modify" or
	// "delete".
	ChangeType string
	Attrs      []Attr
	Mods       []Mod
}

// Get returns the first value of the named attribute (case-insensitive).
func (e *Entry) Get(name string) (string, bool) {
	for _, a := range e.Attrs {
		if strings.EqualFold(a.Name, name) {
			return a.Value, true
		}
	}
	return "", false
}

// All returns every value of the named attribute.
func (e *Entry) All(name string) []string {
	var out []string
	for _, a := range e.Attrs {
		if strings.EqualFold(a.Name, name) {
			out = append(out, a.Value)
		}
	}
	return out
}

// Reader reads entries one at a time; [LDIFReader] and [CSVReader]
// implement it.
type Reader interface {
	// Next returns the next entry, a *Problem for a malformed entry (the
	// reader has skipped it; call Next again), another error when reading
	// cannot go on, or io.EOF at the end.
	Next() (*Entry, error)
}

// Limits that keep a hostile file from exhausting memory.
const (
	maxLineLen      = 1 << 20  // one logical (unfolded) line
	maxEntryLines   = 100000   // logical lines in one entry
	maxEntryBytes   = 16 << 20 // bytes in one entry
	maxBinaryPrefix = 4096     // bytes scanned to reject binary files early
)

// LDIFReader reads RFC 2849 LDIF: an optional version line, comments,
// folded lines (a continuation line starts with one space), "attr: value",
// "attr:: base64", entries separated by blank lines, and change records
// (changetype: add, modify with add/replace/delete sections ended by "-",
// delete). "attr:< URL" values are refused.
type LDIFReader struct {
	r     *bufio.Reader
	file  string
	line  int // physical lines read
	first bool
	eof   bool
	// cut records that the last physical line read had no line break:
	// the file ends in the middle of a line.
	cut bool
	// the logical lines of the current record and where each starts
	lines []string
	at    []int
	// the record's text while it is read, and each line's span in it
	buf   []byte
	spans [][2]int
}

// NewLDIFReader reads LDIF from r; file names the source in problems.
func NewLDIFReader(r io.Reader, file string) *LDIFReader {
	return &LDIFReader{r: bufio.NewReaderSize(r, 64<<10), file: file, first: true}
}

// physLine returns the next physical line without its line ending.
func (l *LDIFReader) physLine() ([]byte, int, error) {
	if l.eof {
		return nil, 0, io.EOF
	}
	var line []byte
	for {
		chunk, err := l.r.ReadSlice('\n')
		if len(line)+len(chunk) > maxLineLen+2 {
			// Drain the rest of the overlong line.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = l.r.ReadSlice('\n')
			}
			l.line++
			if err == io.EOF {
				l.eof = true
				l.cut = true
			}
			return nil, l.line, errLineTooLong
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			l.eof = true
			if len(line) == 0 {
				return nil, 0, io.EOF
			}
		} else if err != nil {
			return nil, 0, fmt.Errorf("Cannot read the directory file %s: %w", l.file, err)
		}
		break
	}
	l.line++
	complete := bytes.HasSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if !complete && len(line) > 0 {
		l.cut = true
	}
	return line, l.line, nil
}

var errLineTooLong = errors.New("line too long")

// record reads the logical lines of the next record (up to a blank line),
// unfolding continuations and dropping comments. It returns io.EOF when no
// record is left. The lines are gathered in one buffer and become
// substrings of one string: one allocation per record, not per line.
func (l *LDIFReader) record() (tooLong int, err error) {
	l.lines, l.at = l.lines[:0], l.at[:0]
	l.buf, l.spans = l.buf[:0], l.spans[:0]
	inComment := false
	for {
		line, at, err := l.physLine()
		if err == io.EOF {
			if len(l.spans) == 0 && tooLong == 0 {
				return 0, io.EOF
			}
			l.finishRecord()
			return tooLong, nil
		}
		if err == errLineTooLong {
			if tooLong == 0 {
				tooLong = at
			}
			continue
		}
		if err != nil {
			return 0, err
		}
		if len(line) == 0 {
			if len(l.spans) == 0 && tooLong == 0 {
				inComment = false
				continue // blank lines between records
			}
			l.finishRecord()
			return tooLong, nil
		}
		if line[0] == ' ' {
			if inComment {
				continue
			}
			if len(l.spans) == 0 {
				return 0, &Problem{File: l.file, Line: at, Reason: "a continuation line (starting with a space) follows no line"}
			}
			last := &l.spans[len(l.spans)-1]
			if last[1]-last[0]+len(line) > maxLineLen || len(l.buf)+len(line) > maxEntryBytes {
				if tooLong == 0 {
					tooLong = at
				}
				continue
			}
			// The last logical line ends the buffer: extend it.
			l.buf = append(l.buf, line[1:]...)
			last[1] = len(l.buf)
			continue
		}
		if line[0] == '#' {
			inComment = true
			continue
		}
		inComment = false
		if len(l.spans) >= maxEntryLines || len(l.buf)+len(line) > maxEntryBytes {
			if tooLong == 0 {
				tooLong = at
			}
			continue
		}
		start := len(l.buf)
		l.buf = append(l.buf, line...)
		l.spans = append(l.spans, [2]int{start, len(l.buf)})
		l.at = append(l.at, at)
	}
}

// finishRecord turns the buffered lines into l.lines.
func (l *LDIFReader) finishRecord() {
	text := string(l.buf)
	for _, sp := range l.spans {
		l.lines = append(l.lines, text[sp[0]:sp[1]])
	}
	if cap(l.buf) > 1<<20 {
		l.buf = nil // do not keep a huge entry's buffer
	}
}

// Next returns the next entry; see [Reader].
func (l *LDIFReader) Next() (*Entry, error) {
	for {
		tooLong, err := l.record()
		if err != nil {
			if p, ok := err.(*Problem); ok {
				l.skipRecord()
				return nil, p
			}
			return nil, err
		}
		if l.first {
			l.first = false
			if len(l.lines) > 0 && hasPrefixFold(l.lines[0], "version:") {
				v := strings.TrimSpace(l.lines[0][len("version:"):])
				if v != "1" {
					// A later version may mean anything: import nothing.
					return nil, fmt.Errorf("%s:%d: unsupported LDIF version %q (only version 1 is known)", l.file, l.at[0], v)
				}
				l.lines, l.at = l.lines[1:], l.at[1:]
				if len(l.lines) == 0 && tooLong == 0 {
					continue
				}
			} else if len(l.lines) > 0 && looksBinary(l.lines[0]) {
				return nil, fmt.Errorf("%s is not an LDIF file: it starts with binary data", l.file)
			}
		}
		if tooLong != 0 {
			dn := ""
			if len(l.lines) > 0 {
				dn = recordDN(l.lines[0])
			}
			return nil, &Problem{File: l.file, Line: tooLong, DN: dn, Reason: fmt.Sprintf("the entry has a line longer than %d bytes, more than %d lines or more than %d bytes", maxLineLen, maxEntryLines, maxEntryBytes)}
		}
		if len(l.lines) == 0 {
			continue
		}
		if l.cut {
			// The file ends inside a line: the entry's last value may be
			// cut short, so it must not replace what the store holds.
			return nil, &Problem{File: l.file, Line: l.at[0], DN: recordDN(l.lines[0]),
				Reason: "the entry is truncated (the file does not end with a line break)"}
		}
		return l.parse()
	}
}

// skipRecord discards physical lines up to the next blank line.
func (l *LDIFReader) skipRecord() {
	for {
		line, _, err := l.physLine()
		if err == io.EOF || (err == nil && len(line) == 0) {
			return
		}
		if err != nil && err != errLineTooLong {
			return
		}
	}
}

// recordDN returns the DN of a record's first logical line when it is a
// plain "dn: value" line ("" otherwise), to name the entry in a problem.
func recordDN(line string) string {
	if hasPrefixFold(line, "dn:") && !strings.HasPrefix(line[3:], ":") {
		return strings.TrimSpace(line[3:])
	}
	return ""
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func looksBinary(s string) bool {
	if len(s) > maxBinaryPrefix {
		s = s[:maxBinaryPrefix]
	}
	return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)
}

// splitLine splits "name: value", "name:: base64" or "name:< url".
func (l *LDIFReader) splitLine(i int) (Attr, *Problem) {
	line := l.lines[i]
	colon := strings.IndexByte(line, ':')
	if colon <= 0 {
		return Attr{}, &Problem{File: l.file, Line: l.at[i], Reason: fmt.Sprintf("expected \"attribute: value\", found %q", clip(line))}
	}
	name := line[:colon]
	if j := strings.IndexByte(name, ';'); j >= 0 { // attribute options (;binary, ;lang-en)
		name = name[:j]
	}
	if !validAttrName(name) {
		return Attr{}, &Problem{File: l.file, Line: l.at[i], Reason: fmt.Sprintf("%q is not a valid attribute name", clip(line[:colon]))}
	}
	rest := line[colon+1:]
	switch {
	case strings.HasPrefix(rest, ":"):
		b64 := strings.TrimSpace(rest[1:])
		v, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return Attr{}, &Problem{File: l.file, Line: l.at[i], Reason: fmt.Sprintf("the base64 value of %s is invalid: %v", name, err)}
		}
		return Attr{Name: name, Value: string(v), Base64: true}, nil
	case strings.HasPrefix(rest, "<"):
		return Attr{}, &Problem{File: l.file, Line: l.at[i], Reason: fmt.Sprintf("the value of %s is a URL reference (%s), which pinsh does not follow", name, clip(strings.TrimSpace(rest[1:])))}
	}
	v := strings.TrimLeft(rest, " ")
	if !utf8.ValidString(v) {
		return Attr{}, &Problem{File: l.file, Line: l.at[i], Reason: fmt.Sprintf("the value of %s is not valid UTF-8 (non-ASCII values must be base64-encoded with \"::\")", name)}
	}
	return Attr{Name: name, Value: v}, nil
}

// validAttrName accepts an LDAP descr (letter, then letters, digits and
// hyphens) or a numeric OID.
func validAttrName(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c >= '0' && c <= '9' {
		for i := 0; i < len(s); i++ {
			if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	c := s[0]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// parse turns the current record's logical lines into an entry.
func (l *LDIFReader) parse() (*Entry, error) {
	first, p := l.splitLine(0)
	if p != nil {
		return nil, p
	}
	if !strings.EqualFold(first.Name, "dn") {
		return nil, &Problem{File: l.file, Line: l.at[0], Reason: fmt.Sprintf("the entry does not start with a dn: line (found %q)", clip(l.lines[0]))}
	}
	if first.Base64 && !utf8.ValidString(first.Value) {
		return nil, &Problem{File: l.file, Line: l.at[0], Reason: "the base64 dn is not valid UTF-8"}
	}
	e := &Entry{DN: strings.TrimSpace(first.Value), Line: l.at[0], ChangeType: "add"}
	if e.DN == "" {
		return nil, &Problem{File: l.file, Line: l.at[0], Reason: "the dn is empty"}
	}
	prob := func(i int, format string, a ...any) (*Entry, error) {
		return nil, &Problem{File: l.file, Line: l.at[i], DN: e.DN, Reason: fmt.Sprintf(format, a...)}
	}
	i := 1
	// control: lines may precede changetype; they do not matter here.
	for i < len(l.lines) && hasPrefixFold(l.lines[i], "control:") {
		i++
	}
	if i < len(l.lines) && hasPrefixFold(l.lines[i], "changetype:") {
		a, p := l.splitLine(i)
		if p != nil {
			return nil, p
		}
		ct := strings.ToLower(strings.TrimSpace(a.Value))
		switch ct {
		case "add", "modify", "delete":
			e.ChangeType = ct
		case "modrdn", "moddn":
			return prob(i, "changetype %s is not supported; re-export the entry under its new DN", ct)
		default:
			return prob(i, "unknown changetype %q", clip(a.Value))
		}
		i++
	}
	switch e.ChangeType {
	case "delete":
		if i < len(l.lines) {
			return prob(i, "a changetype: delete entry has no attributes, found %q", clip(l.lines[i]))
		}
	case "modify":
		for i < len(l.lines) {
			op, p := l.splitLine(i)
			if p != nil {
				return nil, p
			}
			opName := strings.ToLower(op.Name)
			if opName != "add" && opName != "replace" && opName != "delete" {
				return prob(i, "expected add:, replace: or delete: in a changetype: modify entry, found %q", clip(l.lines[i]))
			}
			m := Mod{Op: opName, Attr: strings.TrimSpace(op.Value)}
			if !validAttrName(m.Attr) {
				return prob(i, "%q is not a valid attribute name", clip(op.Value))
			}
			start := i
			i++
			closed := false
			for i < len(l.lines) {
				if l.lines[i] == "-" {
					closed = true
					i++
					break
				}
				a, p := l.splitLine(i)
				if p != nil {
					p.DN = e.DN
					return nil, p
				}
				if !strings.EqualFold(a.Name, m.Attr) {
					return prob(i, "the %s: %s section holds a value of %s", opName, m.Attr, a.Name)
				}
				m.Values = append(m.Values, a.Value)
				i++
			}
			if !closed {
				return prob(start, "the %s: %s section is not ended by a \"-\" line (is the file truncated?)", opName, m.Attr)
			}
			e.Mods = append(e.Mods, m)
		}
	default:
		e.Attrs = make([]Attr, 0, len(l.lines)-i)
		for ; i < len(l.lines); i++ {
			a, p := l.splitLine(i)
			if p != nil {
				p.DN = e.DN
				return nil, p
			}
			if strings.EqualFold(a.Name, "changetype") {
				return prob(i, "changetype: must come right after the dn: line")
			}
			e.Attrs = append(e.Attrs, a)
		}
	}
	return e, nil
}
