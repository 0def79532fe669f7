package directory

import (
	"bufio"
	"encoding/csv"
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

// CSVReader reads users from CSV whose header row names user properties,
// either as Get-CsUser shows them (DistinguishedName, SipAddress,
// DisplayName, LineURI, ...) or as LDAP attributes (dn, sAMAccountName,
// msRTCSIP-Line, ...). A DistinguishedName (or dn) column is required.
// Empty cells are absent attributes. A MemberOf cell lists group DNs
// separated by ";". A leading "#TYPE" line (Export-Csv) is skipped; other
// columns become extra attributes.
type CSVReader struct {
	r          *csv.Reader
	file       string
	header     []string
	dnCol      int
	lineOffset int
}

// NewCSVReader reads the header of a CSV file; file names it in problems.
// A header without a DN column, or with a column twice, is an error.
func NewCSVReader(r io.Reader, file string) (*CSVReader, error) {
	br := bufio.NewReader(r)
	// Skip a #TYPE line as Export-Csv writes it.
	lineOffset := 0
	if b, _ := br.Peek(5); strings.EqualFold(string(b), "#TYPE") {
		if _, err := br.ReadString('\n'); err != nil && err != io.EOF {
			return nil, err
		}
		lineOffset = 1
	}
	c := &CSVReader{r: csv.NewReader(br), file: file, dnCol: -1}
	c.r.FieldsPerRecord = 0 // the header's count, checked for every row
	c.r.ReuseRecord = false
	head, err := c.r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: the CSV file is empty", file)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: the CSV header cannot be read: %v", file, err)
	}
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
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			reason := pe.Err.Error()
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				reason = fmt.Sprintf("the row has %d fields, but the header has %d", len(rec), len(c.header))
			}
			return nil, &Problem{File: c.file, Line: pe.StartLine + c.lineOffset, Reason: reason}
		}
		return nil, fmt.Errorf("Cannot read the directory file %s: %w", c.file, err)
	}
	line, _ := c.r.FieldPos(0)
	line += c.lineOffset
	e := &Entry{Line: line, ChangeType: "add", DN: strings.TrimSpace(rec[c.dnCol])}
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
