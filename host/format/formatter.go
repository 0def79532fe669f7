package format

import (
	"io"
	"strings"
	"time"

	"pinsh/host/object"
)

// tableBuffer is how many rows a table holds back to size its columns
// before it starts streaming with those widths (PowerShell waits for a
// similar group of objects).
const tableBuffer = 100

// DefaultWidth is the line width used when none is known (output that is
// not a terminal), as PowerShell uses for redirected output.
const DefaultWidth = 120

// Align is a table column's alignment.
type Align uint8

// The alignments. AlignAuto right-aligns numbers and left-aligns the rest,
// judged by the column's first non-empty value.
const (
	AlignAuto Align = iota
	AlignLeft
	AlignRight
)

// Column is one column of a table or one entry of a list.
type Column struct {
	// Label is the header (or the list name).
	Label string
	// Value computes the shown value from the input object; nil reads the
	// property named Label.
	Value func(v object.Value) (object.Value, error)
	// Width fixes the column width; 0 sizes it to the content.
	Width int
	Align Align
}

// Config chooses how a [Formatter] shows objects.
type Config struct {
	// Kind forces a table or a list; Auto uses the type's view or the
	// four-property rule.
	Kind ViewKind
	// Columns, when set, are used for every object of the stream
	// (Format-Table -Property); otherwise each type gets its view's or all
	// of its properties, and a new type starts a new block.
	Columns []Column
	// Width is the line width tables must fit: 0 means [DefaultWidth],
	// negative means unlimited.
	Width int
	// AutoSize sizes table columns over the whole stream instead of the
	// first rows.
	AutoSize bool
	// HideTableHeaders omits the header and its underline.
	HideTableHeaders bool
}

// Sink receives the objects of a pipeline and shows them. Close ends the
// current table or list.
type Sink interface {
	Write(v object.Value) error
	Close() error
}

// Formatter renders a stream of values as text lines, PowerShell-like.
// Strings and other scalars show one per line; objects as tables or lists
// (see [Config]). Out-Default, Out-String, Out-File, Format-Table and
// Format-List all use it, with different line sinks.
type Formatter struct {
	cfg   Config
	emit  func(line string) error
	fixed []column
	blk   *block
}

// New returns a formatter that passes every rendered line, without its
// line break, to emit.
func New(cfg Config, emit func(line string) error) *Formatter {
	f := &Formatter{cfg: cfg, emit: emit}
	for _, c := range cfg.Columns {
		f.fixed = append(f.fixed, newColumn(c, c.Label))
	}
	return f
}

type column struct {
	Column
	get *object.Getter
}

func newColumn(c Column, property string) column {
	col := column{Column: c}
	if c.Value == nil {
		col.get = object.NewGetter(property)
	}
	return col
}

func (c *column) value(v object.Value) (object.Value, error) {
	if c.Value != nil {
		return c.Value(v)
	}
	x, _ := c.get.Get(v)
	return x, nil
}

// entryType is how a hashtable shows: one Name/Value row per key.
var entryType = object.NewType("System.Collections.DictionaryEntry",
	object.P("Name", object.KindString), object.P("Value", object.KindAny))

// Write shows one value. Arrays are shown element by element.
func (f *Formatter) Write(v object.Value) error {
	switch x := v.(type) {
	case []object.Value:
		for _, e := range x {
			if err := f.Write(e); err != nil {
				return err
			}
		}
		return nil
	case *object.Hashtable:
		for i := 0; i < x.Len(); i++ {
			k, e := x.At(i)
			if err := f.writeObject(object.New(entryType, k, e)); err != nil {
				return err
			}
		}
		return nil
	case *object.Object:
		return f.writeObject(x)
	case time.Time:
		// A DateTime shows in its long form, and a run of them has a blank
		// line before and after, as PowerShell's DateTime view does.
		if f.blk == nil || f.blk.kind != dateBlock {
			if err := f.closeBlock(); err != nil {
				return err
			}
			f.blk = &block{kind: dateBlock}
			if err := f.emit(""); err != nil {
				return err
			}
		}
		return f.emit(ScalarText(x))
	}
	if err := f.closeBlock(); err != nil {
		return err
	}
	return f.emit(ScalarText(v))
}

// dateBlock is the kind of a block of DateTime values.
const dateBlock ViewKind = 100

// Close ends the current block. The formatter may be used again after.
func (f *Formatter) Close() error { return f.closeBlock() }

// Flush ends a table whose rows are still held back to size its columns,
// writing them; the next object starts a new table with its own header.
// The shell calls it before other output reaches the same screen
// (Write-Host, What if lines), so that output keeps its order.
func (f *Formatter) Flush() error {
	if b := f.blk; b != nil && b.kind == Table && !b.sized && len(b.rows) > 0 {
		return f.closeBlock()
	}
	return nil
}

func (f *Formatter) closeBlock() error {
	b := f.blk
	if b == nil {
		return nil
	}
	f.blk = nil
	if b.kind == dateBlock {
		return f.emit("")
	}
	if b.kind == Table {
		if !b.sized {
			if err := f.flushTable(b); err != nil {
				return err
			}
		}
		return f.emit("")
	}
	return nil
}

// block is a run of objects shown with one table header or list layout.
type block struct {
	kind ViewKind
	typ  *object.Type
	cols []column

	// tables
	rows    [][]string
	widths  []int
	right   []bool
	decided []bool
	sized   bool

	// lists
	labelWidth int
	count      int
}

func (f *Formatter) writeObject(o *object.Object) error {
	b := f.blk
	if b == nil || (f.fixed == nil && !sameShape(b.typ, o.Type())) {
		if err := f.closeBlock(); err != nil {
			return err
		}
		b = f.newBlock(o)
		if len(b.cols) == 0 {
			return nil // nothing to show
		}
		f.blk = b
	}
	if b.kind == Table {
		return f.addRow(b, o)
	}
	return f.addListEntry(b, o)
}

// sameShape reports whether objects of type u continue a block started by
// type t: the same type, or one with the same name and property names.
func sameShape(t, u *object.Type) bool {
	if t == u {
		return true
	}
	if t.Name() != u.Name() {
		return false
	}
	tp, up := t.Properties(), u.Properties()
	if len(tp) != len(up) {
		return false
	}
	for i := range tp {
		if !strings.EqualFold(tp[i].Name, up[i].Name) {
			return false
		}
	}
	return true
}

func (f *Formatter) newBlock(o *object.Object) *block {
	b := &block{kind: f.cfg.Kind, typ: o.Type()}
	if f.fixed != nil {
		b.cols = f.fixed
	} else {
		view, ok := LookupView(o)
		names := view.Properties
		if !ok || len(names) == 0 {
			names = object.PropertyNames(o)
		}
		for i, n := range names {
			label := n
			if i < len(view.Labels) && view.Labels[i] != "" {
				label = view.Labels[i]
			}
			col := Column{Label: label}
			if i < len(view.Widths) {
				col.Width = view.Widths[i]
			}
			if i < len(view.Aligns) {
				col.Align = view.Aligns[i]
			}
			b.cols = append(b.cols, newColumn(col, n))
		}
		if b.kind == Auto && ok {
			b.kind = view.Kind
		}
	}
	if b.kind == Auto {
		b.kind = Table
		if len(b.cols) > 4 {
			b.kind = List
		}
	}
	n := len(b.cols)
	b.right = make([]bool, n)
	b.decided = make([]bool, n)
	for i, c := range b.cols {
		switch c.Align {
		case AlignRight:
			b.right[i], b.decided[i] = true, true
		case AlignLeft:
			b.decided[i] = true
		}
	}
	return b
}

func (f *Formatter) addRow(b *block, o *object.Object) error {
	cells := make([]string, len(b.cols))
	for i := range b.cols {
		v, err := b.cols[i].value(o)
		if err != nil {
			return err
		}
		if !b.decided[i] && v != nil && !b.sized {
			b.right[i], b.decided[i] = isNumber(v), true
		}
		cells[i] = firstLine(Text(v))
	}
	if b.sized {
		return f.emit(b.line(cells))
	}
	b.rows = append(b.rows, cells)
	if !f.cfg.AutoSize && len(b.rows) >= tableBuffer {
		return f.flushTable(b)
	}
	return nil
}

// flushTable sizes the columns from the buffered rows, then writes the
// leading blank line, the header, its underline and the rows.
func (f *Formatter) flushTable(b *block) error {
	n := len(b.cols)
	b.widths = make([]int, n)
	for i, c := range b.cols {
		w := c.Width
		if w <= 0 {
			w = width(c.Label)
			for _, r := range b.rows {
				if cw := width(r[i]); cw > w {
					w = cw
				}
			}
		}
		b.widths[i] = w
	}
	fitWidths(b.widths, f.lineWidth())
	b.sized = true
	if err := f.emit(""); err != nil {
		return err
	}
	if !f.cfg.HideTableHeaders {
		labels := make([]string, n)
		dashes := make([]string, n)
		for i, c := range b.cols {
			labels[i] = c.Label
			dashes[i] = strings.Repeat("-", width(truncate(c.Label, b.widths[i])))
		}
		if err := f.emit(b.line(labels)); err != nil {
			return err
		}
		if err := f.emit(b.line(dashes)); err != nil {
			return err
		}
	}
	for _, r := range b.rows {
		if err := f.emit(b.line(r)); err != nil {
			return err
		}
	}
	b.rows = nil
	return nil
}

func (f *Formatter) lineWidth() int {
	if f.cfg.Width == 0 {
		return DefaultWidth
	}
	return f.cfg.Width
}

// fitWidths narrows the widest columns, one character at a time, until the
// row (with one space between columns) fits in limit; limit < 0 means no
// limit.
func fitWidths(widths []int, limit int) {
	if limit < 0 || len(widths) == 0 {
		return
	}
	total := len(widths) - 1
	for _, w := range widths {
		total += w
	}
	for total > limit {
		j := 0
		for i, w := range widths {
			if w > widths[j] {
				j = i
			}
		}
		if widths[j] <= 1 {
			return
		}
		widths[j]--
		total--
	}
}

// line renders one table row: cells truncated to their column, padded and
// aligned, one space apart, without trailing spaces.
func (b *block) line(cells []string) string {
	var sb strings.Builder
	last := len(cells) - 1
	for i, c := range cells {
		if i > 0 {
			sb.WriteByte(' ')
		}
		t := truncate(c, b.widths[i])
		pad := b.widths[i] - width(t)
		if b.right[i] {
			sb.WriteString(strings.Repeat(" ", pad))
			sb.WriteString(t)
		} else {
			sb.WriteString(t)
			if i < last {
				sb.WriteString(strings.Repeat(" ", pad))
			}
		}
	}
	return strings.TrimRight(sb.String(), " ")
}

// addListEntry writes one object as "Name : value" lines, names padded to
// the longest, followed by a blank line (the block starts with one).
func (f *Formatter) addListEntry(b *block, o *object.Object) error {
	if b.count == 0 {
		for _, c := range b.cols {
			if w := width(c.Label); w > b.labelWidth {
				b.labelWidth = w
			}
		}
		if err := f.emit(""); err != nil {
			return err
		}
	}
	b.count++
	indent := strings.Repeat(" ", b.labelWidth+3)
	for i := range b.cols {
		v, err := b.cols[i].value(o)
		if err != nil {
			return err
		}
		label := b.cols[i].Label
		head := label + strings.Repeat(" ", b.labelWidth-width(label)) + " : "
		for j, ln := range strings.Split(Text(v), "\n") {
			ln = strings.TrimRight(ln, "\r")
			if j == 0 {
				ln = head + ln
			} else {
				ln = indent + ln
			}
			if err := f.emit(strings.TrimRight(ln, " ")); err != nil {
				return err
			}
		}
	}
	return f.emit("")
}

// writerSink writes a formatter's lines to an io.Writer, one Write call per
// shown value, so that output interleaves correctly with error messages
// written between values.
type writerSink struct {
	f   *Formatter
	w   io.Writer
	buf []byte
}

// NewWriter returns a sink that formats values with cfg and writes the
// lines, each ending in "\n", to w.
func NewWriter(w io.Writer, cfg Config) Sink {
	s := &writerSink{w: w}
	s.f = New(cfg, func(line string) error {
		s.buf = append(s.buf, line...)
		s.buf = append(s.buf, '\n')
		return nil
	})
	return s
}

// NewOutDefault returns the sink at the end of every pipeline: tables for
// objects with few properties, lists otherwise, registered views first.
// width is the terminal width: 0 for [DefaultWidth], negative for no limit.
func NewOutDefault(w io.Writer, width int) Sink {
	return NewWriter(w, Config{Width: width})
}

func (s *writerSink) flush(err error) error {
	if len(s.buf) > 0 {
		_, werr := s.w.Write(s.buf)
		s.buf = s.buf[:0]
		if err == nil {
			err = werr
		}
	}
	return err
}

func (s *writerSink) Write(v object.Value) error { return s.flush(s.f.Write(v)) }

func (s *writerSink) Close() error { return s.flush(s.f.Close()) }

// Flush writes the rows the formatter holds back; see [Formatter.Flush].
func (s *writerSink) Flush() error { return s.flush(s.f.Flush()) }
