package format

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pinsh/host/object"
)

// JSONOptions are ConvertTo-Json's settings.
type JSONOptions struct {
	// Depth is how many levels of nested objects and arrays are written;
	// deeper values are written as their text form. 0 means the default, 2;
	// a negative depth means 0 (only the top level's own values).
	Depth int
	// Compress omits whitespace and line breaks.
	Compress bool
}

// DefaultJSONDepth is ConvertTo-Json's default -Depth.
const DefaultJSONDepth = 2

// jsonTimeLayout is how a DateTime is written: ISO 8601 with as many
// fraction digits as needed and the offset, as .NET's round-trip format.
const jsonTimeLayout = "2006-01-02T15:04:05.9999999Z07:00"

// ToJSON converts v to JSON text as PowerShell 7's ConvertTo-Json does:
// objects and hashtables keep their property order, indentation is two
// spaces, a DateTime is an ISO 8601 string. truncated reports that some
// value lay deeper than opts.Depth and was written as its text form
// (ConvertTo-Json warns about it).
func ToJSON(v object.Value, opts JSONOptions) (text string, truncated bool) {
	e := jsonEncoder{depth: opts.Depth, compress: opts.Compress}
	switch {
	case e.depth == 0:
		e.depth = DefaultJSONDepth
	case e.depth < 0:
		e.depth = 0
	}
	e.value(v, 0)
	return e.sb.String(), e.truncated
}

type jsonEncoder struct {
	sb        strings.Builder
	depth     int
	compress  bool
	truncated bool
}

func (e *jsonEncoder) newline(level int) {
	if e.compress {
		return
	}
	e.sb.WriteByte('\n')
	for i := 0; i < level; i++ {
		e.sb.WriteString("  ")
	}
}

func (e *jsonEncoder) value(v object.Value, level int) {
	switch x := v.(type) {
	case nil:
		e.sb.WriteString("null")
		return
	case bool:
		if x {
			e.sb.WriteString("true")
		} else {
			e.sb.WriteString("false")
		}
		return
	case int64:
		e.sb.WriteString(strconv.FormatInt(x, 10))
		return
	case float64:
		e.sb.WriteString(jsonFloat(x))
		return
	case string:
		jsonString(&e.sb, x)
		return
	case time.Time:
		jsonString(&e.sb, x.Format(jsonTimeLayout))
		return
	}
	if level > e.depth {
		e.truncated = true
		jsonString(&e.sb, object.ToString(v))
		return
	}
	switch x := v.(type) {
	case []object.Value:
		if len(x) == 0 {
			e.sb.WriteString("[]")
			return
		}
		e.sb.WriteByte('[')
		for i, el := range x {
			if i > 0 {
				e.sb.WriteByte(',')
			}
			e.newline(level + 1)
			e.value(el, level+1)
		}
		e.newline(level)
		e.sb.WriteByte(']')
	case *object.Object:
		e.object(x.Len(), x.At, level)
	case *object.Hashtable:
		e.object(x.Len(), x.At, level)
	default:
		jsonString(&e.sb, object.ToString(v))
	}
}

func (e *jsonEncoder) object(n int, at func(int) (string, object.Value), level int) {
	if n == 0 {
		e.sb.WriteString("{}")
		return
	}
	e.sb.WriteByte('{')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.sb.WriteByte(',')
		}
		e.newline(level + 1)
		k, v := at(i)
		jsonString(&e.sb, k)
		e.sb.WriteByte(':')
		if !e.compress {
			e.sb.WriteByte(' ')
		}
		e.value(v, level+1)
	}
	e.newline(level)
	e.sb.WriteByte('}')
}

// jsonFloat writes a double as Json.NET does: integral values keep ".0",
// and the non-finite values are written as strings.
func jsonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return `"NaN"`
	case math.IsInf(f, 1):
		return `"Infinity"`
	case math.IsInf(f, -1):
		return `"-Infinity"`
	}
	s := object.FormatFloatRoundTrip(f)
	if !strings.ContainsAny(s, ".E") {
		s += ".0"
	}
	return s
}

const hexDigits = "0123456789abcdef"

// jsonString writes s as a JSON string, escaping quotes, backslashes and
// control characters (and U+0085, U+2028, U+2029 as Json.NET does).
func jsonString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				sb.WriteString(`\"`)
			case '\\':
				sb.WriteString(`\\`)
			case '\n':
				sb.WriteString(`\n`)
			case '\r':
				sb.WriteString(`\r`)
			case '\t':
				sb.WriteString(`\t`)
			case '\b':
				sb.WriteString(`\b`)
			case '\f':
				sb.WriteString(`\f`)
			default:
				if c < 0x20 {
					sb.WriteString(`\u00`)
					sb.WriteByte(hexDigits[c>>4])
					sb.WriteByte(hexDigits[c&0xf])
				} else {
					sb.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			sb.WriteString(`\ufffd`)
		case r == 0x85 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(sb, `\u%04x`, r)
		default:
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	sb.WriteByte('"')
}

// MaxJSONDepth is the deepest nesting [FromJSON] accepts, as
// ConvertFrom-Json's default -Depth.
const MaxJSONDepth = 1024

// FromJSON parses JSON text as ConvertFrom-Json does: objects become
// PSCustomObjects with their properties in order (hashtables when
// asHashtable is set), arrays []Value, numbers int64 when integral and in
// range and float64 otherwise, and strings, booleans and null as
// themselves. Objects with the same keys share one type.
func FromJSON(text string, asHashtable bool) (object.Value, error) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	p := jsonParser{d: d, asHashtable: asHashtable}
	v, err := p.value(0)
	if err != nil {
		return nil, jsonError(err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("unexpected data after the JSON value")
		}
		return nil, jsonError(err)
	}
	return v, nil
}

func jsonError(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("Conversion from JSON failed with error: %v", err)
}

type jsonParser struct {
	d           *json.Decoder
	asHashtable bool
}

func (p *jsonParser) value(depth int) (object.Value, error) {
	tok, err := p.d.Token()
	if err != nil {
		return nil, err
	}
	return p.fromToken(tok, depth)
}

func (p *jsonParser) fromToken(tok json.Token, depth int) (object.Value, error) {
	switch t := tok.(type) {
	case nil:
		return nil, nil
	case bool:
		return t, nil
	case string:
		return t, nil
	case json.Number:
		if n, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return n, nil
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("invalid number %s", t)
		}
		return f, nil
	case json.Delim:
		if depth >= MaxJSONDepth {
			return nil, fmt.Errorf("the JSON nesting is deeper than %d levels", MaxJSONDepth)
		}
		switch t {
		case '[':
			out := []object.Value{}
			for p.d.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			if _, err := p.d.Token(); err != nil { // ]
				return nil, err
			}
			return out, nil
		case '{':
			return p.object(depth)
		}
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// object reads the members of a JSON object after its '{'. A key given
// twice (ignoring case, as property names do) is an error, as in
// PowerShell.
func (p *jsonParser) object(depth int) (object.Value, error) {
	var keys []string
	var vals []object.Value
	var seen map[string]bool
	for p.d.More() {
		kt, err := p.d.Token()
		if err != nil {
			return nil, err
		}
		k, _ := kt.(string)
		if len(keys) == 8 && seen == nil {
			seen = make(map[string]bool, 16)
			for _, old := range keys {
				seen[object.Fold(old)] = true
			}
		}
		dup := false
		if seen != nil {
			f := object.Fold(k)
			dup = seen[f]
			seen[f] = true
		} else {
			for _, old := range keys {
				if strings.EqualFold(old, k) || object.Fold(old) == object.Fold(k) {
					dup = true
				}
			}
		}
		if dup {
			return nil, fmt.Errorf("Cannot convert the JSON string because a dictionary that was converted from the string contains the duplicated key '%s'.", k)
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
		vals = append(vals, v)
	}
	if _, err := p.d.Token(); err != nil { // }
		return nil, err
	}
	if p.asHashtable {
		h := object.NewHashtable()
		for i, k := range keys {
			h.Set(k, vals[i])
		}
		return h, nil
	}
	if len(keys) > 32 {
		props := make([]object.PropertyInfo, len(keys))
		for i, k := range keys {
			props[i] = object.P(k, object.KindAny)
		}
		return object.New(object.NewType(object.PSCustomObject, props...), vals...), nil
	}
	b := object.NewBuilder("")
	for i, k := range keys {
		b.Add(k, vals[i])
	}
	return b.Object(), nil
}
