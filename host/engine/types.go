package engine

import (
	"crypto/rand"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// typeValue is a type literal such as [int]: the target of casts, -is and
// -as, and of static members ([math]::Round).
type typeValue struct {
	name string // short name as written, e.g. "int"
	full string // .NET-style full name, e.g. "System.Int32"
	// kind is the key of the conversion rules below.
	kind string
	elem *typeValue // element type of an array type
	// unknown marks a name pinsh has no type for: casts fail, -is compares
	// object type names.
	unknown bool
}

func (t *typeValue) String() string { return t.full }

var typeAliases = map[string][2]string{
	// lower-case name -> kind, full name
	"int": {"int", "System.Int32"}, "int32": {"int", "System.Int32"}, "int64": {"long", "System.Int64"},
	"long": {"long", "System.Int64"}, "int16": {"int", "System.Int16"}, "short": {"int", "System.Int16"},
	"byte": {"int", "System.Byte"}, "sbyte": {"int", "System.SByte"}, "uint16": {"int", "System.UInt16"},
	"uint32": {"int", "System.UInt32"}, "uint64": {"long", "System.UInt64"}, "uint": {"int", "System.UInt32"},
	"ulong": {"long", "System.UInt64"}, "double": {"double", "System.Double"}, "float": {"double", "System.Single"},
	"single": {"double", "System.Single"}, "decimal": {"double", "System.Decimal"},
	"string": {"string", "System.String"}, "bool": {"bool", "System.Boolean"}, "boolean": {"bool", "System.Boolean"},
	"switch":          {"bool", "System.Management.Automation.SwitchParameter"},
	"switchparameter": {"bool", "System.Management.Automation.SwitchParameter"},
	"datetime":        {"datetime", "System.DateTime"}, "array": {"array", "System.Array"},
	"hashtable": {"hashtable", "System.Collections.Hashtable"}, "collections.hashtable": {"hashtable", "System.Collections.Hashtable"},
	"ordered":                              {"hashtable", "System.Collections.Specialized.OrderedDictionary"},
	"pscustomobject":                       {"pscustomobject", "System.Management.Automation.PSCustomObject"},
	"management.automation.pscustomobject": {"pscustomobject", "System.Management.Automation.PSCustomObject"},
	"psobject":                             {"psobject", "System.Management.Automation.PSObject"},
	"object":                               {"object", "System.Object"}, "void": {"void", "System.Void"}, "char": {"char", "System.Char"},
	"scriptblock":                       {"scriptblock", "System.Management.Automation.ScriptBlock"},
	"management.automation.scriptblock": {"scriptblock", "System.Management.Automation.ScriptBlock"},
	"regex":                             {"regex", "System.Text.RegularExpressions.Regex"},
	"text.regularexpressions.regex":     {"regex", "System.Text.RegularExpressions.Regex"},
	"math":                              {"math", "System.Math"}, "guid": {"guid", "System.Guid"},
	"environment": {"environment", "System.Environment"},
}

// lookupType resolves a type name. Unknown names give a type whose casts
// fail with PowerShell's "Unable to find type" and whose -is compares
// object type names.
func lookupType(name string) (*typeValue, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if strings.HasSuffix(n, "[]") {
		elem, err := lookupType(name[:len(name)-2])
		if err != nil {
			return nil, err
		}
		return &typeValue{name: name, full: elem.full + "[]", kind: "array", elem: elem}, nil
	}
	key := strings.TrimPrefix(n, "system.")
	if a, ok := typeAliases[key]; ok {
		return &typeValue{name: name, full: a[1], kind: a[0]}, nil
	}
	return &typeValue{name: name, full: name, kind: "unknown", unknown: true}, nil
}

// typeOperand converts the right side of -is/-as: a type literal or a
// type name.
func typeOperand(v object.Value) (*typeValue, error) {
	switch x := v.(type) {
	case *typeValue:
		return x, nil
	case string:
		return lookupType(x)
	}
	return nil, fmt.Errorf("The right operand of '-is' or '-as' must be a type, such as [int], but is %s.", object.TypeName(v))
}

// convert applies a cast.
func (t *typeValue) convert(v object.Value) (object.Value, error) {
	switch t.kind {
	case "int", "long":
		if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
			return int64(0), nil
		}
		n, err := object.ToInt(v)
		if err != nil {
			return nil, castError(v, t)
		}
		return n, nil
	case "double":
		n, err := object.ToFloat(v)
		if err != nil {
			return nil, castError(v, t)
		}
		return n, nil
	case "string":
		if v == nil {
			return "", nil
		}
		return invariantString(v), nil
	case "bool":
		return object.ToBool(v), nil
	case "datetime":
		if v == nil {
			return nil, castError(v, t)
		}
		d, err := object.ToDateTime(v)
		if err != nil {
			return nil, castError(v, t)
		}
		return d, nil
	case "array":
		var out []object.Value
		if l, ok := v.([]object.Value); ok {
			out = l
		} else if v != nil {
			out = []object.Value{v}
		} else {
			out = []object.Value{}
		}
		if t.elem == nil || t.elem.kind == "object" {
			return out, nil
		}
		conv := make([]object.Value, len(out))
		for i, x := range out {
			c, err := t.elem.convert(x)
			if err != nil {
				return nil, err
			}
			conv[i] = c
		}
		return conv, nil
	case "hashtable":
		if h, ok := v.(*object.Hashtable); ok {
			return h, nil
		}
		if o, ok := v.(*object.Object); ok {
			h := object.NewHashtable()
			for i := 0; i < o.Len(); i++ {
				h.Set(o.At(i))
			}
			return h, nil
		}
		return nil, castError(v, t)
	case "pscustomobject":
		if h, ok := v.(*object.Hashtable); ok {
			return object.FromHashtable(h), nil
		}
		return v, nil
	case "psobject", "object":
		return v, nil
	case "void":
		return nil, nil
	case "char":
		switch x := v.(type) {
		case string:
			if r := []rune(x); len(r) == 1 {
				return x, nil
			}
		case int64:
			if x >= 0 && x <= 0x10FFFF {
				return string(rune(x)), nil
			}
		}
		return nil, castError(v, t)
	case "scriptblock":
		if sb, ok := v.(cmdlet.ScriptBlock); ok {
			return sb, nil
		}
		return nil, castError(v, t)
	case "regex":
		s := object.ToString(v)
		if _, err := regexp.Compile(s); err != nil {
			return nil, castError(v, t)
		}
		return s, nil
	}
	if t.unknown {
		return nil, fmt.Errorf("Unable to find type [%s].", t.name)
	}
	return nil, castError(v, t)
}

func castError(v object.Value, t *typeValue) error {
	tn := object.TypeName(v)
	if v == nil {
		return fmt.Errorf("Cannot convert null to type \"%s\".", t.full)
	}
	if str, ok := v.(string); ok {
		// PowerShell's words for text that does not parse.
		switch t.kind {
		case "int", "long", "double":
			return fmt.Errorf("Cannot convert value \"%s\" to type \"%s\". Error: \"Input string was not in a correct format.\"", str, t.full)
		case "datetime":
			return fmt.Errorf("Cannot convert value \"%s\" to type \"%s\". Error: \"String was not recognized as a valid DateTime.\"", str, t.full)
		}
		return fmt.Errorf("Cannot convert value \"%s\" to type \"%s\".", str, t.full)
	}
	return fmt.Errorf("Cannot convert the \"%s\" value of type \"%s\" to type \"%s\".", object.ToString(v), tn, t.full)
}

// is applies -is.
func (t *typeValue) is(v object.Value) bool {
	switch t.kind {
	case "int", "long":
		_, ok := v.(int64)
		return ok
	case "double":
		_, ok := v.(float64)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "bool":
		_, ok := v.(bool)
		return ok
	case "datetime":
		_, ok := v.(time.Time)
		return ok
	case "array":
		_, ok := v.([]object.Value)
		return ok
	case "hashtable":
		_, ok := v.(*object.Hashtable)
		return ok
	case "pscustomobject":
		_, ok := v.(*object.Object)
		return ok
	case "psobject", "object":
		return v != nil
	case "scriptblock":
		_, ok := v.(cmdlet.ScriptBlock)
		return ok
	}
	if o, ok := v.(*object.Object); ok {
		for _, n := range o.Type().Names() {
			if strings.EqualFold(n, t.name) || strings.EqualFold(n, t.full) {
				return true
			}
		}
	}
	return false
}

// typeOf returns the type of a value, for GetType().
func typeOf(v object.Value) *typeValue {
	var name, full string
	switch v.(type) {
	case int64:
		name, full = "Int64", "System.Int64"
	case float64:
		name, full = "Double", "System.Double"
	case string:
		name, full = "String", "System.String"
	case bool:
		name, full = "Boolean", "System.Boolean"
	case time.Time:
		name, full = "DateTime", "System.DateTime"
	case []object.Value:
		name, full = "Object[]", "System.Object[]"
	case *object.Hashtable:
		name, full = "Hashtable", "System.Collections.Hashtable"
	case *object.Object:
		full = object.TypeName(v)
		name = full[strings.LastIndexByte(full, '.')+1:]
	case *ScriptBlock:
		name, full = "ScriptBlock", "System.Management.Automation.ScriptBlock"
	case *typeValue:
		name, full = "RuntimeType", "System.RuntimeType"
	default:
		full = object.TypeName(v)
		name = full
	}
	t, _ := lookupType(full)
	t.name, t.full = name, full
	return t
}

// staticMember is [Type]::Name.
func staticMember(v object.Value, name string) (object.Value, error) {
	t, ok := v.(*typeValue)
	if !ok {
		return nil, fmt.Errorf("Unable to find type [%s].", object.ToString(v))
	}
	n := strings.ToLower(name)
	switch t.kind {
	case "math":
		switch n {
		case "pi":
			return math.Pi, nil
		case "e":
			return math.E, nil
		}
	case "int":
		switch n {
		case "maxvalue":
			return int64(math.MaxInt32), nil
		case "minvalue":
			return int64(math.MinInt32), nil
		}
	case "long":
		switch n {
		case "maxvalue":
			return int64(math.MaxInt64), nil
		case "minvalue":
			return int64(math.MinInt64), nil
		}
	case "double":
		switch n {
		case "maxvalue":
			return math.MaxFloat64, nil
		case "minvalue":
			return -math.MaxFloat64, nil
		case "nan":
			return math.NaN(), nil
		}
	case "string":
		if n == "empty" {
			return "", nil
		}
	case "datetime":
		switch n {
		case "now":
			return time.Now(), nil
		case "today":
			y, m, d := time.Now().Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.Local), nil
		case "utcnow":
			return time.Now().UTC(), nil
		}
	case "environment":
		if n == "newline" {
			return "\n", nil
		}
	}
	if t.unknown {
		return nil, fmt.Errorf("Unable to find type [%s].", t.name)
	}
	return nil, nil
}

// callStatic is [Type]::Method(args).
func callStatic(f *frame, v object.Value, name string, args []object.Value) (object.Value, error) {
	t, ok := v.(*typeValue)
	if !ok {
		return nil, fmt.Errorf("Unable to find type [%s].", object.ToString(v))
	}
	n := strings.ToLower(name)
	arg := func(i int) object.Value {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	num := func(i int) (float64, error) { return object.ToFloat(arg(i)) }
	switch t.kind {
	case "math":
		switch n {
		case "round", "floor", "ceiling", "abs", "sqrt", "truncate":
			x, err := num(0)
			if err != nil {
				return nil, err
			}
			var r float64
			switch n {
			case "round":
				if len(args) > 1 {
					d, err := object.ToInt(args[1])
					if err != nil {
						return nil, err
					}
					p := math.Pow(10, float64(d))
					return math.RoundToEven(x*p) / p, nil
				}
				r = math.RoundToEven(x)
			case "floor":
				r = math.Floor(x)
			case "ceiling":
				r = math.Ceil(x)
			case "abs":
				if i, ok := arg(0).(int64); ok {
					if i < 0 {
						return -i, nil
					}
					return i, nil
				}
				return math.Abs(x), nil
			case "sqrt":
				return math.Sqrt(x), nil
			case "truncate":
				r = math.Trunc(x)
			}
			if _, isInt := arg(0).(int64); isInt {
				return int64(r), nil
			}
			return r, nil
		case "max", "min", "pow":
			a, err := num(0)
			if err != nil {
				return nil, err
			}
			b, err := num(1)
			if err != nil {
				return nil, err
			}
			if n == "pow" {
				return math.Pow(a, b), nil
			}
			ai, aInt := arg(0).(int64)
			bi, bInt := arg(1).(int64)
			if aInt && bInt {
				if (n == "max") == (ai > bi) {
					return ai, nil
				}
				return bi, nil
			}
			if n == "max" {
				return math.Max(a, b), nil
			}
			return math.Min(a, b), nil
		}
	case "string":
		switch n {
		case "isnullorempty":
			return object.ToString(arg(0)) == "", nil
		case "isnullorwhitespace":
			return strings.TrimSpace(object.ToString(arg(0))) == "", nil
		case "join":
			var rest object.Value = args
			if len(args) == 2 {
				rest = args[1]
			} else if len(args) > 1 {
				rest = args[1:]
			}
			return joinValues(rest, object.ToString(arg(0))), nil
		case "format":
			if len(args) == 0 {
				return nil, fmt.Errorf("Cannot find an overload for \"Format\" and the argument count: \"0\".")
			}
			var rest object.Value = args[1:]
			return formatOp(args[0], rest)
		case "concat":
			var sb strings.Builder
			for _, a := range args {
				sb.WriteString(object.ToString(a))
			}
			return sb.String(), nil
		}
	case "datetime":
		if n == "parse" {
			return object.ToDateTime(arg(0))
		}
	case "int", "long":
		if n == "parse" {
			return object.ToInt(object.ToString(arg(0)))
		}
	case "double":
		if n == "parse" {
			return object.ToFloat(object.ToString(arg(0)))
		}
	case "regex":
		if n == "escape" {
			return regexp.QuoteMeta(object.ToString(arg(0))), nil
		}
	case "guid":
		if n == "newguid" {
			var b [16]byte
			if _, err := rand.Read(b[:]); err != nil {
				return nil, err
			}
			b[6] = b[6]&0x0f | 0x40
			b[8] = b[8]&0x3f | 0x80
			return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
		}
	case "scriptblock":
		if n == "create" {
			return f.e.compileBlockText(f, object.ToString(arg(0)))
		}
	}
	if t.unknown {
		return nil, fmt.Errorf("Unable to find type [%s].", t.name)
	}
	return nil, fmt.Errorf("Method invocation failed because [%s] does not contain a method named '%s'.", t.full, name)
}
