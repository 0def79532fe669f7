package directory

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"pinsh/host/object"
)

// csvColumns maps header names (folded) to the LDAP attribute each column
// fills: Get-CsUser's property names and the LDAP names are both accepted.
var csvColumns = map[string]string{}

func init() {
	for ldap, aliases := range map[string][]string{
		"dn":                          {"dn", "distinguishedname", "identity"},
		"objectGUID":                  {"objectguid", "guid"},
		"sAMAccountName":              {"samaccountname"},
		"userPrincipalName":           {"userprincipalname", "upn"},
		"msRTCSIP-PrimaryUserAddress": {"msrtcsip-primaryuseraddress", "sipaddress"},
		"displayName":                 {"displayname"},
		"givenName":                   {"givenname", "firstname"},
		"sn":                          {"sn", "lastname", "surname"},
		"mail":                        {"mail", "windowsemailaddress"},
		"telephoneNumber":             {"telephonenumber", "phone"},
		"department":                  {"department"},
		"title":                       {"title"},
		"l":                           {"l", "city"},
		"msRTCSIP-UserEnabled":        {"msrtcsip-userenabled", "enabled"},
		"msRTCSIP-Line":               {"msrtcsip-line", "lineuri"},
		"msRTCSIP-PrimaryHomeServer":  {"msrtcsip-primaryhomeserver", "registrarpool"},
		attrEnterpriseVoice:           {"enterprisevoiceenabled"},
		"memberOf":                    {"memberof"},
		"objectClass":                 {"objectclass"},
	} {
		for _, a := range aliases {
			csvColumns[a] = ldap
		}
	}
}

// attrEnterpriseVoice is the synthetic attribute a CSV EnterpriseVoiceEnabled
// column fills (LDIF carries the flag in msRTCSIP-OptionFlags).
const attrEnterpriseVoice = "pinsh-EnterpriseVoiceEnabled"

// Limits that keep a hostile CSV file from exhausting memory: a record
// over a limit is skipped (read through, not kept) and reported.
const (
	maxCSVField  = 1 << 20  // bytes in one cell
	maxCSVRecord = 16 << 20 // bytes in one row, as an LDIF entry
	maxCSVFields = 4096     // cells in one row
)

// CSVReader reads users from CSV whose header row names user properties,
// either as Get-CsUser shows them (DistinguishedName, SipAddress,
// DisplayName, LineURI, ...) or as LDAP attributes (dn, sAMAccountName,
// msRTCSIP-Line, ...). A DistinguishedName (or dn) column is required.
// Empty cells are absent attributes. A MemberOf cell lists group DNs
// separated by ";". A leading "#TYPE" line (Export-Csv) is skipped; other
// columns become extra attributes.
//
// The syntax is RFC 4180 as encoding/csv reads it (quoted cells may hold
// commas, doubled quotes and line breaks; CRLF is LF; empty lines are
// skipped). A row whose last line has no line break is truncated and is
// reported, as are rows with a cell over 1 MiB or over 16 MiB in all.
type CSVReader struct {
	s          csvScanner
	file       string
	header     []string
	dnCol      int
	lineOffset int
}

// NewCSVReader reads the header of a CSV file; file names it in problems.
// A header without a DN column, or with a column twice, is an error.
func NewCSVReader(r io.Reader, file string) (*CSVReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// Skip a #TYPE line as Export-Csv writes it (however long it is).
	lineOffset := 0
	if b, _ := br.Peek(5); strings.EqualFold(string(b), "#TYPE") {
		for {
			_, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && err != io.EOF {
				return nil, fmt.Errorf("Cannot read the directory file %s: %w", file, err)
			}
			break
		}
		lineOffset = 1
	}
	c := &CSVReader{s: csvScanner{r: br}, file: file, dnCol: -1}
	_, _, err := c.s.next()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: the CSV file is empty", file)
	}
	var re *csvRecordError
	if errors.As(err, &re) {
		return nil, fmt.Errorf("%s: the CSV header cannot be read: %s", file, re.reason)
	}
	if err != nil {
		return nil, fmt.Errorf("Cannot read the directory file %s: %w", file, err)
	}
	head := c.s.fields
	seen := map[string]bool{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if i == 0 && looksBinary(h) {
			return nil, fmt.Errorf("%s is not a CSV file: it starts with binary data", file)
		}
		name := h
		if m, ok := csvColumns[object.Fold(h)]; ok {
			name = m
		} else if !validAttrName(h) {
			return nil, fmt.Errorf("%s:%d: the CSV header names an invalid column %q", file, lineOffset+1, clip(h))
		}
		k := object.Fold(name)
		if seen[k] {
			return nil, fmt.Errorf("%s:%d: the CSV header has the column %q twice", file, lineOffset+1, h)
		}
		seen[k] = true
		if name == "dn" {
			c.dnCol = i
		}
		c.header = append(c.header, name)
	}
	if c.dnCol < 0 {
		return nil, fmt.Errorf("%s:%d: the CSV header has no DistinguishedName (or dn) column", file, lineOffset+1)
	}
	c.lineOffset = lineOffset
	return c, nil
}

// Next returns the next row as an entry; see [Reader].
func (c *CSVReader) Next() (*Entry, error) {
	line, truncated, err := c.s.next()
	if err == io.EOF {
		return nil, io.EOF
	}
	var re *csvRecordError
	if errors.As(err, &re) {
		return nil, &Problem{File: c.file, Line: re.line + c.lineOffset, Reason: re.reason}
	}
	if err != nil {
		return nil, fmt.Errorf("Cannot read the directory file %s: %w", c.file, err)
	}
	rec := c.s.fields
	line += c.lineOffset
	if len(rec) != len(c.header) {
		return nil, &Problem{File: c.file, Line: line, Reason: fmt.Sprintf("the row has %d fields, but the header has %d", len(rec), len(c.header))}
	}
	e := &Entry{Line: line, ChangeType: "add", DN: strings.TrimSpace(rec[c.dnCol])}
	if truncated {
		// The last cell may be cut short: it must not replace what the
		// store holds.
		return nil, &Problem{File: c.file, Line: line, DN: e.DN, Reason: "the row is truncated (the file does not end with a line break)"}
	}
	if e.DN == "" {
		return nil, &Problem{File: c.file, Line: line, Reason: "the DistinguishedName cell is empty"}
	}
	for i, v := range rec {
		if i == c.dnCol || v == "" {
			continue
		}
		if !utf8.ValidString(v) {
			return nil, &Problem{File: c.file, Line: line, DN: e.DN, Reason: fmt.Sprintf("the %s cell is not valid UTF-8", c.header[i])}
		}
		if c.header[i] == "memberOf" {
			for _, g := range strings.Split(v, ";") {
				if g = strings.TrimSpace(g); g != "" {
					e.Attrs = append(e.Attrs, Attr{Name: "memberOf", Value: g})
				}
			}
			continue
		}
		e.Attrs = append(e.Attrs, Attr{Name: c.header[i], Value: v})
	}
	if _, ok := e.Get("objectClass"); !ok {
		e.Attrs = append(e.Attrs, Attr{Name: "objectClass", Value: "user"})
	}
	return e, nil
}

// csvRecordError is a row the scanner skipped: where it starts and why.
type csvRecordError struct {
	line   int
	reason string
}

func (e *csvRecordError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

// csvScanner splits CSV into records with bounded memory.
type csvScanner struct {
	r    *bufio.Reader
	line int // physical lines read
	eof  bool
	buf  []byte // the current record's cells, end to end
	ends []int  // where each cell ends in buf
	// fields are the cells of the record next returned.
	fields []string
}

type csvState int

const (
	csvFieldStart csvState = iota
	csvUnquoted
	csvQuoted
	csvQuoteInQuoted // a '"' in a quoted cell: its end or the first of ""
	csvSkipLine      // after a syntax error: the rest of the line is dropped
)

// next reads the next record into s.fields and returns the line it starts
// on. truncated reports that the record is the last one and has no line
// break. It returns io.EOF at the end, a *csvRecordError for a record it
// skipped (malformed or over a limit), or the read error.
func (s *csvScanner) next() (start int, truncated bool, err error) {
	s.buf, s.ends, s.fields = s.buf[:0], s.ends[:0], s.fields[:0]
	if s.eof {
		return 0, false, io.EOF
	}
	state := csvFieldStart
	fieldStart := 0
	content := false // the record has begun (an empty line is skipped)
	cr := false      // a '\r' waits to see whether '\n' follows
	tooBig := false
	reason := ""
	put := func(b byte) {
		if tooBig {
			return
		}
		if len(s.buf)-fieldStart >= maxCSVField || len(s.buf) >= maxCSVRecord {
			tooBig = true
			return
		}
		s.buf = append(s.buf, b)
	}
	endField := func() {
		if tooBig {
			return
		}
		if len(s.ends) >= maxCSVFields {
			tooBig = true
			return
		}
		s.ends = append(s.ends, len(s.buf))
		fieldStart = len(s.buf)
	}
	fail := func(r string) {
		if reason == "" {
			reason = r
		}
		state = csvSkipLine
	}
	// step handles one byte; it reports whether the record ended.
	step := func(b byte) bool {
		if !content && b != '\n' {
			content = true
			start = s.line + 1
		}
		switch state {
		case csvSkipLine:
			if b == '\n' {
				s.line++
				return true
			}
		case csvFieldStart:
			switch b {
			case '"':
				state = csvQuoted
			case ',':
				endField()
			case '\n':
				s.line++
				if !content {
					return false // an empty line
				}
				endField()
				return true
			default:
				put(b)
				state = csvUnquoted
			}
		case csvUnquoted:
			switch b {
			case ',':
				endField()
				state = csvFieldStart
			case '\n':
				s.line++
				endField()
				return true
			case '"':
				fail(`bare " in non-quoted-field`)
			default:
				put(b)
			}
		case csvQuoted:
			if b == '"' {
				state = csvQuoteInQuoted
				break
			}
			if b == '\n' {
				s.line++
			}
			put(b)
		case csvQuoteInQuoted:
			switch b {
			case '"':
				put('"')
				state = csvQuoted
			case ',':
				endField()
				state = csvFieldStart
			case '\n':
				s.line++
				endField()
				return true
			default:
				fail(`extraneous or missing " in quoted-field`)
			}
		}
		return false
	}
	for {
		chunk, rerr := s.r.ReadSlice('\n')
		for _, b := range chunk {
			if cr {
				cr = false
				if b != '\n' && step('\r') {
					return s.done(start, tooBig, reason)
				}
			}
			if b == '\r' && state != csvSkipLine {
				cr = true
				continue
			}
			if step(b) {
				return s.done(start, tooBig, reason)
			}
		}
		if errors.Is(rerr, bufio.ErrBufferFull) {
			continue
		}
		if rerr == nil {
			continue
		}
		if rerr != io.EOF {
			return 0, false, rerr
		}
		// The end of the file: a pending '\r' is dropped, as encoding/csv
		// does.
		s.eof = true
		if !content {
			return 0, false, io.EOF
		}
		switch state {
		case csvQuoted:
			if reason == "" {
				reason = `extraneous or missing " in quoted-field (the file ends inside a quoted cell: is it truncated?)`
			}
		case csvSkipLine:
		default:
			endField()
		}
		start, _, err = s.done(start, tooBig, reason)
		return start, true, err
	}
}

// done ends a record: an error for a skipped one, else its cells in
// s.fields (one string allocation per record).
func (s *csvScanner) done(start int, tooBig bool, reason string) (int, bool, error) {
	if reason != "" {
		return start, false, &csvRecordError{line: start, reason: reason}
	}
	if tooBig {
		return start, false, &csvRecordError{line: start, reason: fmt.Sprintf("the row has a cell longer than %d bytes, more than %d cells or more than %d bytes", maxCSVField, maxCSVFields, maxCSVRecord)}
	}
	text := string(s.buf)
	prev := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, text[prev:end])
		prev = end
	}
	if cap(s.buf) > 1<<20 {
		s.buf = nil // do not keep a huge row's buffer
	}
	return start, false, nil
}
