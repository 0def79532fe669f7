package directory

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"pinsh/host/object"
)

// Attributes gives a filter the values of an entry's attributes; the name
// is matched case-insensitively by the implementation.
type Attributes interface {
	Values(name string) []string
}

// Filter is a parsed RFC 4515 LDAP filter.
type Filter interface {
	// Match evaluates the filter; attribute names and values compare
	// case-insensitively (Unicode folding).
	Match(a Attributes) bool
	// String returns the filter in canonical RFC 4515 form, with every
	// special character of a value escaped.
	String() string
}

// FilterError is a filter that cannot be parsed; it names the position.
type FilterError struct {
	Filter string
	Pos    int
	Msg    string
}

// Error names the filter, the position (1-based) and the reason.
func (e *FilterError) Error() string {
	return fmt.Sprintf("The LDAP filter \"%s\" is invalid at position %d: %s.", clip(e.Filter), e.Pos+1, e.Msg)
}

// maxFilterDepth bounds nesting so that "((((..." cannot exhaust the stack.
const maxFilterDepth = 64

// ParseFilter parses an RFC 4515 filter: (&...), (|...), (!...),
// (attr=value), (attr=*), substrings (attr=a*b*c), (attr~=value),
// (attr>=value) and (attr<=value), with \XX escapes in values (the older
// \*, \(, \) and \\ forms are accepted too). The outer parentheses may be
// left out, as Lync's examples do ("Department=Finance",
// "&(Department=Finance)(Title=Manager)"). Extensible matches (:=) are not
// supported.
func ParseFilter(s string) (Filter, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, &FilterError{s, 0, "the filter is empty"}
	}
	src := t
	if t[0] != '(' {
		src = "(" + t + ")"
	}
	p := &filterParser{src: src, orig: s, shift: len(src) - len(t)}
	f, err := p.filter(0)
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected %q after the end of the filter", p.src[p.pos:min(len(p.src), p.pos+10)])
	}
	return f, nil
}

type filterParser struct {
	src   string
	orig  string
	shift int // characters added in front of orig (the outer "(")
	pos   int
}

func (p *filterParser) errorf(format string, a ...any) error {
	pos := p.pos - p.shift
	if pos < 0 {
		pos = 0
	}
	return &FilterError{p.orig, pos, fmt.Sprintf(format, a...)}
}

func (p *filterParser) filter(depth int) (Filter, error) {
	if depth > maxFilterDepth {
		return nil, p.errorf("the filter is nested more than %d levels deep", maxFilterDepth)
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf("expected \"(\"")
	}
	p.pos++
	if p.pos >= len(p.src) {
		return nil, p.errorf("the filter ends after \"(\"")
	}
	var f Filter
	var err error
	switch p.src[p.pos] {
	case '&', '|':
		op := p.src[p.pos]
		p.pos++
		var list []Filter
		for p.pos < len(p.src) && p.src[p.pos] == '(' {
			sub, err := p.filter(depth + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, sub)
		}
		if op == '&' {
			f = andFilter(list)
		} else {
			f = orFilter(list)
		}
	case '!':
		p.pos++
		sub, err := p.filter(depth + 1)
		if err != nil {
			return nil, err
		}
		f = notFilter{sub}
	default:
		f, err = p.item()
		if err != nil {
			return nil, err
		}
	}
	if p.pos >= len(p.src) || p.src[p.pos] != ')' {
		if p.pos >= len(p.src) {
			return nil, p.errorf("a \")\" is missing at the end")
		}
		return nil, p.errorf("expected \")\", found %q", p.src[p.pos:p.pos+1])
	}
	p.pos++
	return f, nil
}

func (p *filterParser) item() (Filter, error) {
	start := p.pos
	for p.pos < len(p.src) && !strings.ContainsRune("=~<>:()", rune(p.src[p.pos])) {
		p.pos++
	}
	attr := p.src[start:p.pos]
	name := attr
	if i := strings.IndexByte(name, ';'); i >= 0 {
		name = name[:i]
	}
	if !validAttrName(name) {
		p.pos = start
		return nil, p.errorf("%q is not a valid attribute name", clip(attr))
	}
	if p.pos >= len(p.src) {
		return nil, p.errorf("the filter ends after the attribute %q", attr)
	}
	var kind byte
	switch p.src[p.pos] {
	case '=':
		kind = '='
		p.pos++
	case '~', '<', '>':
		if p.pos+1 < len(p.src) && p.src[p.pos+1] == '=' {
			kind = p.src[p.pos]
			p.pos += 2
		} else {
			return nil, p.errorf("expected \"=\" after %q", p.src[p.pos:p.pos+1])
		}
	case ':':
		return nil, p.errorf("extensible matching (:=) is not supported")
	default:
		return nil, p.errorf("expected an operator (=, ~=, >=, <=) after the attribute %q", attr)
	}
	// The raw value runs to the closing parenthesis.
	vstart := p.pos
	var parts []string // split at unescaped '*'
	var cur []byte
	for p.pos < len(p.src) && p.src[p.pos] != ')' {
		c := p.src[p.pos]
		switch c {
		case '(':
			return nil, p.errorf("a \"(\" in a value must be escaped as \\28")
		case '*':
			parts = append(parts, string(cur))
			cur = cur[:0]
			p.pos++
		case '\\':
			if p.pos+2 < len(p.src) && isHexDigit(p.src[p.pos+1]) && isHexDigit(p.src[p.pos+2]) {
				v, _ := strconv.ParseUint(p.src[p.pos+1:p.pos+3], 16, 8)
				cur = append(cur, byte(v))
				p.pos += 3
			} else if p.pos+1 < len(p.src) && strings.IndexByte(`*()\`, p.src[p.pos+1]) >= 0 {
				cur = append(cur, p.src[p.pos+1])
				p.pos += 2
			} else {
				return nil, p.errorf("a \"\\\" must be followed by two hex digits")
			}
		default:
			cur = append(cur, c)
			p.pos++
		}
	}
	parts = append(parts, string(cur))
	for _, part := range parts {
		if !utf8.ValidString(part) {
			p.pos = vstart
			return nil, p.errorf("the value of %q is not valid UTF-8", attr)
		}
	}
	if kind != '=' && len(parts) > 1 {
		p.pos = vstart
		return nil, p.errorf("\"*\" is only allowed with \"=\"; escape it as \\2a")
	}
	a := object.Fold(name)
	switch {
	case kind == '=' && len(parts) == 2 && parts[0] == "" && parts[1] == "":
		return presentFilter{name, a}, nil
	case kind == '=' && len(parts) > 1:
		sf := substrFilter{name: name, attr: a, initial: object.Fold(parts[0]), final: object.Fold(parts[len(parts)-1])}
		for _, m := range parts[1 : len(parts)-1] {
			if m == "" {
				p.pos = vstart
				return nil, p.errorf("a substring filter cannot have two \"*\" in a row")
			}
			sf.any = append(sf.any, object.Fold(m))
		}
		sf.raw = parts
		return sf, nil
	}
	return cmpFilter{name: name, attr: a, op: kind, raw: parts[0], value: object.Fold(parts[0])}, nil
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// escapeValue escapes a value for the canonical form.
func escapeValue(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '*', '(', ')', '\\', 0:
			fmt.Fprintf(&sb, `\%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

type andFilter []Filter
type orFilter []Filter
type notFilter struct{ f Filter }

func (f andFilter) Match(a Attributes) bool {
	for _, s := range f {
		if !s.Match(a) {
			return false
		}
	}
	return true
}

func (f orFilter) Match(a Attributes) bool {
	for _, s := range f {
		if s.Match(a) {
			return true
		}
	}
	return false
}

func (f notFilter) Match(a Attributes) bool { return !f.f.Match(a) }

func listString(op string, l []Filter) string {
	var sb strings.Builder
	sb.WriteString("(" + op)
	for _, f := range l {
		sb.WriteString(f.String())
	}
	sb.WriteString(")")
	return sb.String()
}

func (f andFilter) String() string { return listString("&", f) }
func (f orFilter) String() string  { return listString("|", f) }
func (f notFilter) String() string { return "(!" + f.f.String() + ")" }

type presentFilter struct{ name, attr string }

func (f presentFilter) Match(a Attributes) bool {
	return len(a.Values(f.attr)) > 0
}

func (f presentFilter) String() string { return "(" + f.name + "=*)" }

type substrFilter struct {
	name, attr     string
	initial, final string
	any            []string
	raw            []string
}

func (f substrFilter) Match(a Attributes) bool {
	for _, v := range a.Values(f.attr) {
		v = object.Fold(v)
		if !strings.HasPrefix(v, f.initial) {
			continue
		}
		rest := v[len(f.initial):]
		ok := true
		for _, m := range f.any {
			i := strings.Index(rest, m)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(m):]
		}
		if ok && strings.HasSuffix(rest, f.final) {
			return true
		}
	}
	return false
}

func (f substrFilter) String() string {
	parts := make([]string, len(f.raw))
	for i, r := range f.raw {
		parts[i] = escapeValue(r)
	}
	return "(" + f.name + "=" + strings.Join(parts, "*") + ")"
}

type cmpFilter struct {
	name, attr string
	op         byte // '=', '~', '<', '>'
	raw, value string
}

func (f cmpFilter) Match(a Attributes) bool {
	for _, v := range a.Values(f.attr) {
		fv := object.Fold(v)
		switch f.op {
		case '=', '~':
			// Approximate matching is equality ignoring case and spacing.
			if fv == f.value || (f.op == '~' && strings.Join(strings.Fields(fv), " ") == strings.Join(strings.Fields(f.value), " ")) {
				return true
			}
		case '>', '<':
			c := compareValues(fv, f.value)
			if (f.op == '>' && c >= 0) || (f.op == '<' && c <= 0) {
				return true
			}
		}
	}
	return false
}

// compareValues orders two folded values: numerically when both are
// integers, else as strings.
func compareValues(a, b string) int {
	x, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	y, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	if err1 == nil && err2 == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

func (f cmpFilter) String() string {
	op := "="
	switch f.op {
	case '~':
		op = "~="
	case '<':
		op = "<="
	case '>':
		op = ">="
	}
	return "(" + f.name + op + escapeValue(f.raw) + ")"
}
