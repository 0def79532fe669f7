package engine

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"pinsh/host/object"
)

// joinValues is -join: the elements' text forms joined by sep.
func joinValues(v object.Value, sep string) object.Value {
	l, ok := v.([]object.Value)
	if !ok {
		return object.ToString(v)
	}
	var sb strings.Builder
	for i, x := range l {
		if i > 0 {
			sb.WriteString(sep)
		}
		sb.WriteString(object.ToString(x))
	}
	return sb.String()
}

// splitWhite is unary -split: split on runs of white space.
func splitWhite(v object.Value) object.Value {
	var out []object.Value
	_ = object.Enumerate(v, func(x object.Value) error {
		for _, w := range strings.Fields(object.ToString(x)) {
			out = append(out, w)
		}
		return nil
	})
	if out == nil {
		return []object.Value{}
	}
	return out
}

// splitOp is binary -split: split each string on a regular expression;
// the right side may be "pattern" or "pattern, max".
func splitOp(l, r object.Value, cs bool) (object.Value, error) {
	pattern := r
	max := 0
	if rl, ok := r.([]object.Value); ok && len(rl) >= 1 {
		pattern = rl[0]
		if len(rl) > 1 {
			n, err := object.ToInt(rl[1])
			if err != nil {
				return nil, err
			}
			max = int(n)
		}
	}
	re, err := object.Regex(object.ToString(pattern), cs)
	if err != nil {
		return nil, err
	}
	out := []object.Value{}
	err = object.Enumerate(l, func(x object.Value) error {
		n := -1
		if max > 0 {
			n = max
		}
		for _, part := range re.Split(object.ToString(x), n) {
			out = append(out, part)
		}
		return nil
	})
	return out, err
}

// replaceOp is -replace: "pattern, replacement" (or just "pattern", which
// deletes), with .NET's $1 and ${name} substitutions.
func replaceOp(l, r object.Value, cs bool) (object.Value, error) {
	pattern, repl := r, object.Value("")
	if rl, ok := r.([]object.Value); ok {
		switch len(rl) {
		case 0:
			pattern = ""
		case 1:
			pattern = rl[0]
		case 2:
			pattern, repl = rl[0], rl[1]
		default:
			return nil, fmt.Errorf("The -replace operator allows only two elements to follow it, not %d.", len(rl))
		}
	}
	re, err := object.Regex(object.ToString(pattern), cs)
	if err != nil {
		return nil, err
	}
	rs := dotnetReplacement(object.ToString(repl))
	if l, ok := l.([]object.Value); ok {
		out := make([]object.Value, len(l))
		for i, x := range l {
			out[i] = re.ReplaceAllString(object.ToString(x), rs)
		}
		return out, nil
	}
	return re.ReplaceAllString(object.ToString(l), rs), nil
}

// dotnetReplacement converts a .NET replacement pattern to Go's: $1 and
// ${name} are the same, $$ is a dollar, $0 and $& the whole match; a
// number followed by a letter must be braced for Go.
func dotnetReplacement(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			sb.WriteByte(c)
			continue
		}
		n := s[i+1]
		switch {
		case n == '$':
			sb.WriteString("$$")
			i++
		case n == '&':
			sb.WriteString("${0}")
			i++
		case n >= '0' && n <= '9':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			sb.WriteString("${" + s[i+1:j] + "}")
			i = j - 1
		case n == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				sb.WriteString("$$")
				continue
			}
			sb.WriteString(s[i : i+end+1])
			i += end
		default:
			sb.WriteString("$$")
		}
	}
	return sb.String()
}

var formatItem = regexp.MustCompile(`^\{(\d+)\s*(?:,\s*(-?\d+))?\s*(?::([^}]*))?\}`)

// formatOp is -f: .NET composite formatting, {index[,alignment][:format]}.
func formatOp(l, r object.Value) (object.Value, error) {
	format := object.ToString(l)
	args, ok := r.([]object.Value)
	if !ok {
		args = []object.Value{r}
	}
	var sb strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch c {
		case '{':
			if i+1 < len(format) && format[i+1] == '{' {
				sb.WriteByte('{')
				i++
				continue
			}
			m := formatItem.FindStringSubmatch(format[i:])
			if m == nil {
				return nil, fmt.Errorf("Error formatting a string: Input string was not in a correct format.: %q", format)
			}
			idx, _ := strconv.Atoi(m[1])
			if idx >= len(args) {
				return nil, fmt.Errorf("Error formatting a string: Index (zero based) must be greater than or equal to zero and less than the size of the argument list.: %q", format)
			}
			s := formatValue(args[idx], m[3])
			if m[2] != "" {
				w, _ := strconv.Atoi(m[2])
				pad := abs(w) - len([]rune(s))
				if pad > 0 {
					if w > 0 {
						s = strings.Repeat(" ", pad) + s
					} else {
						s += strings.Repeat(" ", pad)
					}
				}
			}
			sb.WriteString(s)
			i += len(m[0]) - 1
		case '}':
			if i+1 < len(format) && format[i+1] == '}' {
				i++
			}
			sb.WriteByte('}')
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// formatValue formats one value with a .NET format string.
func formatValue(v object.Value, spec string) string {
	if spec == "" {
		return object.ToString(v)
	}
	switch x := v.(type) {
	case time.Time:
		return formatDate(x, spec)
	case int64, float64:
		if s, ok := formatNumber(x, spec); ok {
			return s
		}
	case string:
		if n, ok := object.ParseNumber(x); ok {
			if s, ok := formatNumber(n, spec); ok {
				return s
			}
		}
	}
	return object.ToString(v)
}

// formatNumber applies the standard numeric formats N, D, F, X, P, C, E
// and G with an optional precision.
func formatNumber(v object.Value, spec string) (string, bool) {
	if spec == "" {
		return object.ToString(v), true
	}
	kind := spec[0]
	prec := -1
	if len(spec) > 1 {
		p, err := strconv.Atoi(spec[1:])
		if err != nil {
			return customNumber(v, spec)
		}
		prec = p
	}
	f, _ := object.ToFloat(v)
	i, isInt := v.(int64)
	switch kind | 0x20 {
	case 'd':
		if !isInt {
			return "", false
		}
		s := strconv.FormatInt(absInt(i), 10)
		if prec > len(s) {
			s = strings.Repeat("0", prec-len(s)) + s
		}
		if i < 0 {
			s = "-" + s
		}
		return s, true
	case 'x':
		if !isInt {
			return "", false
		}
		s := strconv.FormatUint(uint64(i), 16)
		if kind == 'X' {
			s = strings.ToUpper(s)
		}
		if prec > len(s) {
			s = strings.Repeat("0", prec-len(s)) + s
		}
		return s, true
	case 'n', 'f', 'c':
		if prec < 0 {
			prec = 2
		}
		s := strconv.FormatFloat(roundHalfAway(f, prec), 'f', prec, 64)
		if kind|0x20 != 'f' {
			s = groupThousands(s)
		}
		if kind|0x20 == 'c' {
			if strings.HasPrefix(s, "-") {
				return "-$" + s[1:], true
			}
			return "$" + s, true
		}
		return s, true
	case 'p':
		if prec < 0 {
			prec = 2
		}
		return groupThousands(strconv.FormatFloat(roundHalfAway(f*100, prec), 'f', prec, 64)) + " %", true
	case 'e':
		if prec < 0 {
			prec = 6
		}
		s := strconv.FormatFloat(f, 'e', prec, 64)
		if kind == 'E' {
			s = strings.ToUpper(s)
		}
		return s, true
	case 'g':
		return object.ToString(v), true
	}
	return customNumber(v, spec)
}

func absInt(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

func roundHalfAway(f float64, prec int) float64 {
	p := math.Pow(10, float64(prec))
	return math.Round(f*p) / p
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var sb strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	out := sb.String() + frac
	if neg {
		return "-" + out
	}
	return out
}

// customNumber handles custom numeric formats made of 0, # and one '.'.
func customNumber(v object.Value, spec string) (string, bool) {
	if strings.Trim(spec, "0#.,") != "" {
		return "", false
	}
	f, _ := object.ToFloat(v)
	decimals := 0
	if i := strings.IndexByte(spec, '.'); i >= 0 {
		decimals = len(spec) - i - 1
	}
	intZeros := strings.Count(strings.SplitN(spec, ".", 2)[0], "0")
	s := strconv.FormatFloat(roundHalfAway(math.Abs(f), decimals), 'f', decimals, 64)
	ip := s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		ip = s[:i]
	}
	if len(ip) < intZeros {
		s = strings.Repeat("0", intZeros-len(ip)) + s
	}
	if strings.Contains(spec, ",") {
		s = groupThousands(s)
	}
	if f < 0 {
		s = "-" + s
	}
	return s, true
}

// formatDate applies a .NET date format with [object.FormatDate], as
// Get-Date -Format does. .NET throws on a malformed format; the callers
// here have no error to return, so such a format is shown as written.
func formatDate(t time.Time, spec string) string {
	s, err := object.FormatDate(t, spec)
	if err != nil {
		return spec
	}
	return s
}
