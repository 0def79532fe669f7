package object

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DateLayout is how a DateTime shows as text, as PowerShell's en-US culture
// shows it (the reference sample prints "9/25/2012 1:35:03 PM").
const DateLayout = "1/2/2006 3:04:05 PM"

// ConversionError says that a value cannot be converted to a type. Its
// message follows PowerShell's: Cannot convert value "x" to type "Int64".
type ConversionError struct {
	Value  Value
	Target string
	Reason string
}

func (e *ConversionError) Error() string {
	msg := fmt.Sprintf("Cannot convert value %q to type %q.", ToString(e.Value), e.Target)
	if e.Reason != "" {
		msg += " " + e.Reason
	}
	return msg
}

// ToString converts v to its text form, PowerShell's [string] cast: $null is
// "", booleans are True/False, arrays join their elements with a space. An
// object shows as @{Name=value; ...}, an array property as System.Object[].
func ToString(v Value) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return FormatFloat(x)
	case time.Time:
		return x.Format(DateLayout)
	case []Value:
		var sb strings.Builder
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(ToString(e))
		}
		return sb.String()
	case *Object:
		if x.typ.str != nil {
			return x.typ.str(x)
		}
		var sb strings.Builder
		sb.WriteString("@{")
		for i := range x.vals {
			if i > 0 {
				sb.WriteString("; ")
			}
			n, val := x.At(i)
			sb.WriteString(n)
			sb.WriteByte('=')
			if _, isList := val.([]Value); isList {
				// .NET's ToString of an array, as PowerShell shows it here.
				sb.WriteString("System.Object[]")
			} else {
				sb.WriteString(ToString(val))
			}
		}
		sb.WriteByte('}')
		return sb.String()
	case *Hashtable:
		return "System.Collections.Hashtable"
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// FormatFloat formats a double the way PowerShell prints it: at most 15
// significant digits (the precision PowerShell kept from .NET Framework's
// default "G" format, so 1/3 shows as 0.333333333333333 and 0.1+0.2 as
// 0.3), trailing zeros dropped, and an exponent (1E+15, 1E-05) outside
// the range .NET writes in fixed notation.
func FormatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'G', 15, 64)
}

// FormatFloatRoundTrip formats a double with the shortest digits that
// read back as the same value (.NET Core's "R"), as JSON output needs.
func FormatFloatRoundTrip(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	abs := math.Abs(f)
	if abs != 0 && (abs >= 1e15 || abs < 1e-5) {
		return strconv.FormatFloat(f, 'E', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// ToBool is PowerShell's truthiness: $null, $false, 0, "" and empty arrays
// are false; a one-element array has its element's truthiness; everything
// else is true.
func ToBool(v Value) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []Value:
		switch len(x) {
		case 0:
			return false
		case 1:
			return ToBool(x[0])
		}
		return true
	}
	return true
}

// ParseNumber parses PowerShell numeric text: decimal and 0x hex integers,
// decimals and exponents, an optional sign, surrounding spaces, and the
// multiplier suffixes kb mb gb tb pb. ok is false when s is not a number.
func ParseNumber(s string) (Value, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, false
	}
	neg := false
	switch t[0] {
	case '-', '+':
		neg = t[0] == '-'
		t = t[1:]
	}
	mult := int64(1)
	lower := strings.ToLower(t)
	for i, suf := range []string{"kb", "mb", "gb", "tb", "pb"} {
		if strings.HasSuffix(lower, suf) {
			mult = 1 << (10 * (i + 1))
			t = t[:len(t)-2]
			lower = lower[:len(lower)-2]
			break
		}
	}
	if t == "" {
		return nil, false
	}
	if strings.HasPrefix(lower, "0x") {
		n, err := strconv.ParseUint(t[2:], 16, 64)
		if err != nil {
			return nil, false
		}
		r := int64(n) * mult
		if neg {
			r = -r
		}
		return r, true
	}
	for _, c := range t {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
			return nil, false
		}
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		if neg {
			n = -n
		}
		if mult != 1 {
			return n * mult, true
		}
		return n, true
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, false
	}
	if neg {
		f = -f
	}
	return f * float64(mult), true
}

// ToInt converts v to an integer, rounding doubles half to even as .NET does.
func ToInt(v Value) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		if math.IsNaN(x) || x > math.MaxInt64 || x < math.MinInt64 {
			return 0, &ConversionError{Value: v, Target: "Int64", Reason: "Value was either too large or too small."}
		}
		return int64(math.RoundToEven(x)), nil
	case string:
		n, err := parseNumeric(x, "Int64")
		if err != nil || n == nil {
			return 0, err
		}
		return ToInt(n)
	case []Value:
		if len(x) == 1 {
			return ToInt(x[0])
		}
	}
	return 0, &ConversionError{Value: v, Target: "Int64"}
}

// parseNumeric parses text for a numeric conversion: blank text is 0 (a
// nil result), text that is not a number a ConversionError naming it.
func parseNumeric(s, target string) (Value, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	n, ok := ParseNumber(s)
	if !ok {
		return nil, &ConversionError{Value: s, Target: target, Reason: "Input string was not in a correct format."}
	}
	return n, nil
}

// ToFloat converts v to a double.
func ToFloat(v Value) (float64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		n, err := parseNumeric(x, "Double")
		if err != nil || n == nil {
			return 0, err
		}
		return ToFloat(n)
	case []Value:
		if len(x) == 1 {
			return ToFloat(x[0])
		}
	}
	return 0, &ConversionError{Value: v, Target: "Double"}
}

// dateLayouts are the text forms accepted as DateTime, the invariant
// culture's first, then ISO 8601 and the en-US forms.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02",
	"1/2/2006 3:04:05 PM", "1/2/2006 15:04:05", "1/2/2006 3:04 PM", "1/2/2006",
}

// ToDateTime converts a DateTime or its text form.
func ToDateTime(v Value) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		s := strings.TrimSpace(x)
		for _, l := range dateLayouts {
			if t, err := time.ParseInLocation(l, s, time.Local); err == nil {
				return t, nil
			}
		}
		return time.Time{}, &ConversionError{Value: v, Target: "DateTime", Reason: "The string was not recognized as a valid DateTime."}
	case []Value:
		if len(x) == 1 {
			return ToDateTime(x[0])
		}
	}
	return time.Time{}, &ConversionError{Value: v, Target: "DateTime"}
}

// ToBoolParam converts a value given for a [bool] parameter. Unlike
// truthiness, PowerShell accepts only booleans and numbers here, so that
// "-AllowCommonPatterns false" is an error rather than $true.
func ToBoolParam(v Value) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case float64:
		return x != 0, nil
	case nil:
		return false, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "$true":
			return true, nil
		case "false", "$false":
			return false, nil
		}
	}
	return false, &ConversionError{Value: v, Target: "Boolean",
		Reason: "Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0."}
}

// ConvertTo converts v to the given kind, as the binder does for a declared
// parameter type. KindAny, KindObject and KindScriptBlock accept anything.
func ConvertTo(v Value, k Kind) (Value, error) {
	switch k {
	case KindBool, KindSwitch:
		return ToBoolParam(v)
	case KindInt:
		return ToInt(v)
	case KindFloat:
		return ToFloat(v)
	case KindString:
		switch x := v.(type) {
		case nil:
			return nil, nil
		case []Value:
			if len(x) != 1 {
				return ToString(v), nil
			}
			return ToString(x[0]), nil
		}
		return ToString(v), nil
	case KindDateTime:
		if v == nil {
			return nil, nil
		}
		return ToDateTime(v)
	case KindStringList:
		if v == nil {
			return []Value(nil), nil
		}
		var out []Value
		_ = Enumerate(v, func(e Value) error {
			out = append(out, ToString(e))
			return nil
		})
		return out, nil
	case KindList:
		if l, ok := v.([]Value); ok {
			return l, nil
		}
		if v == nil {
			return []Value(nil), nil
		}
		return []Value{v}, nil
	case KindHashtable:
		if h, ok := v.(*Hashtable); ok {
			return h, nil
		}
		return nil, &ConversionError{Value: v, Target: "Hashtable"}
	}
	return v, nil
}
