package format

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"pinsh/host/object"
)

// CSVWriter turns objects into CSV lines as PowerShell 7's ConvertTo-Csv
// and Export-Csv do: a header of the first object's property names, then
// one line per object with every value quoted ("" escapes a quote) and
// $null as an empty unquoted field. There is no #TYPE line.
type CSVWriter struct {
	delim   rune
	header  bool
	names   []string
	getters []*object.Getter
	emit    func(line string) error
	sb      strings.Builder
}

// NewCSVWriter returns a writer that passes each line, without its line
// break, to emit. names fixes the columns (Export-Csv -Append to an
// existing file); nil takes them from the first object. header says
// whether to write the header line.
func NewCSVWriter(delim rune, header bool, names []string, emit func(line string) error) *CSVWriter {
	if delim == 0 {
		delim = ','
	}
	c := &CSVWriter{delim: delim, header: header, emit: emit}
	if names != nil {
		c.setNames(names)
	}
	return c
}

func (c *CSVWriter) setNames(names []string) {
	c.names = names
	if c.names == nil {
		c.names = []string{}
	}
	c.getters = make([]*object.Getter, len(names))
	for i, n := range names {
		c.getters[i] = object.NewGetter(n)
	}
}

// csvNames returns the columns an object contributes: its properties, a
// hashtable's keys, a string's Length (as in PowerShell).
func csvNames(v object.Value) []string {
	if _, ok := v.(string); ok {
		return []string{"Length"}
	}
	return object.PropertyNames(v)
}

// Write converts one object; the first one also writes the header.
func (c *CSVWriter) Write(v object.Value) error {
	if c.names == nil {
		c.setNames(csvNames(v))
		if c.header {
			c.sb.Reset()
			for i, n := range c.names {
				if i > 0 {
					c.sb.WriteRune(c.delim)
				}
				quoteCSV(&c.sb, n)
			}
			if err := c.emit(c.sb.String()); err != nil {
				return err
			}
		}
	}
	c.sb.Reset()
	for i, g := range c.getters {
		if i > 0 {
			c.sb.WriteRune(c.delim)
		}
		if x, ok := g.Get(v); ok && x != nil {
			quoteCSV(&c.sb, object.ToString(x))
		}
	}
	return c.emit(c.sb.String())
}

func quoteCSV(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		sb.WriteString(s[:i+1])
		sb.WriteByte('"')
		s = s[i+1:]
	}
	sb.WriteString(s)
	sb.WriteByte('"')
}

// CSVReader reads CSV text into PSCustomObjects whose property values are
// strings, as Import-Csv does. Lines starting with # before the header
// (#TYPE) are skipped; blank lines are skipped; a short line leaves the
// missing properties $null; extra fields are ignored. All objects share one
// [object.Type].
type CSVReader struct {
	r      *csv.Reader
	header []string
	typ    *object.Type
}

// NewCSVReader reads from r. header, when not nil, names the columns and
// the first line is data (Import-Csv -Header).
func NewCSVReader(r io.Reader, delim rune, header []string) *CSVReader {
	if delim == 0 {
		delim = ','
	}
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	c := &CSVReader{r: cr}
	if header != nil {
		c.header = header
	}
	return c
}

// Header reads the header line if needed and returns the column names.
// It returns io.EOF for empty input.
func (c *CSVReader) Header() ([]string, error) {
	if c.typ != nil {
		return c.header, nil
	}
	for c.header == nil {
		rec, err := c.r.Read()
		if err != nil {
			return nil, c.wrap(err)
		}
		if len(rec) > 0 && strings.HasPrefix(rec[0], "#") {
			continue
		}
		for len(rec) > 1 && rec[len(rec)-1] == "" {
			rec = rec[:len(rec)-1]
		}
		c.header = append([]string(nil), rec...)
	}
	props := make([]object.PropertyInfo, len(c.header))
	seen := map[string]bool{}
	for i, n := range c.header {
		if n == "" {
			n = "H" + strconv.Itoa(i+1)
			c.header[i] = n
		}
		f := object.Fold(n)
		if seen[f] {
			return nil, fmt.Errorf("The member %q is already present.", n)
		}
		seen[f] = true
		props[i] = object.P(n, object.KindString)
	}
	c.typ = object.NewType(object.PSCustomObject, props...)
	return c.header, nil
}

// Read returns the next object, or io.EOF at the end of the input.
func (c *CSVReader) Read() (*object.Object, error) {
	if _, err := c.Header(); err != nil {
		return nil, err
	}
	for {
		rec, err := c.r.Read()
		if err != nil {
			return nil, c.wrap(err)
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		o := object.New(c.typ)
		for i := 0; i < len(rec) && i < len(c.header); i++ {
			o.SetAt(i, rec[i])
		}
		return o, nil
	}
}

func (c *CSVReader) wrap(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return fmt.Errorf("the CSV input is not valid: %w", err)
}
