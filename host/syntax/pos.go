package syntax

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pos is a position in the source text.
type Pos struct {
	// Offset is the 0-based byte offset.
	Offset int
	// Line is the 1-based line number.
	Line int
	// Col is the 1-based column, counted in characters.
	Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Span is the source range of a node: Start is its first character, End
// the position just after its last.
type Span struct {
	Start, End Pos
}

// Range returns the span itself, so that every node embedding a Span is a
// [Node].
func (s Span) Range() Span { return s }

// Error is a syntax error with its source range. Partial is set when more
// input could fix it (an unclosed block, string or pipeline), which the
// REPL uses to ask for a continuation line.
type Error struct {
	Msg        string
	Start, End Pos
	Partial    bool
	// Line is the text of the source line the error starts on.
	Line string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Start.Line, e.Start.Col, e.Msg)
}

// Format renders the error as PowerShell 5.1 shows a parse error: the
// position ("At line:2 char:22", or "At FILE:2 char:22" when file is not
// empty), the line with a "~" under the offending text, and the message.
func (e *Error) Format(file string) string {
	var sb strings.Builder
	loc := "line"
	if file != "" {
		loc = file
	}
	fmt.Fprintf(&sb, "At %s:%d char:%d\n", loc, e.Start.Line, e.Start.Col)
	sb.WriteString("+ ")
	sb.WriteString(e.Line)
	sb.WriteString("\n+ ")
	col := 1
	for _, r := range e.Line {
		if col >= e.Start.Col {
			break
		}
		if r == '\t' {
			sb.WriteByte('\t')
		} else {
			sb.WriteByte(' ')
		}
		col++
	}
	for ; col < e.Start.Col; col++ {
		sb.WriteByte(' ')
	}
	n := 1
	if e.End.Line == e.Start.Line && e.End.Col > e.Start.Col {
		n = e.End.Col - e.Start.Col
	} else if e.End.Line > e.Start.Line {
		n = utf8.RuneCountInString(e.Line) - e.Start.Col + 1
	}
	if n < 1 {
		n = 1
	}
	sb.WriteString(strings.Repeat("~", n))
	sb.WriteByte('\n')
	sb.WriteString(e.Msg)
	sb.WriteByte('\n')
	return sb.String()
}

// lineTable maps byte offsets to lines and columns.
type lineTable struct {
	src    string
	starts []int // offset of each line's first byte
	// cache of the last column computation, for monotone lookups
	cLine, cOff, cCol int
}

func newLineTable(src string) *lineTable {
	t := &lineTable{src: src, starts: []int{0}, cLine: -1}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			t.starts = append(t.starts, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				continue
			}
			t.starts = append(t.starts, i+1)
		}
	}
	return t
}

func (t *lineTable) pos(off int) Pos {
	if off > len(t.src) {
		off = len(t.src)
	}
	line := sort.Search(len(t.starts), func(i int) bool { return t.starts[i] > off }) - 1
	start := t.starts[line]
	var col int
	if line == t.cLine && off >= t.cOff {
		col = t.cCol + utf8.RuneCountInString(t.src[t.cOff:off])
	} else {
		col = 1 + utf8.RuneCountInString(t.src[start:off])
	}
	t.cLine, t.cOff, t.cCol = line, off, col
	return Pos{Offset: off, Line: line + 1, Col: col}
}

// lineText returns the text of the 1-based line, without its terminator.
func (t *lineTable) lineText(line int) string {
	if line < 1 || line > len(t.starts) {
		return ""
	}
	start := t.starts[line-1]
	end := len(t.src)
	if line < len(t.starts) {
		end = t.starts[line]
	}
	s := t.src[start:end]
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	return s
}
