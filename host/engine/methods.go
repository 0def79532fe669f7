package engine

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"pinsh/host/object"
)

// callMethod runs one of the few .NET methods pinsh offers on values:
// string methods, ToString, GetType, date arithmetic, hashtable and array
// helpers, and ScriptBlock.Invoke.
func callMethod(f *frame, v object.Value, name string, args []object.Value) (object.Value, error) {
	n := strings.ToLower(name)
	arg := func(i int) object.Value {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	str := func(i int) string { return object.ToString(arg(i)) }
	intArg := func(i int) (int, error) {
		x, err := object.ToInt(arg(i))
		return int(x), err
	}
	switch n {
	case "gettype":
		if v == nil {
			return nil, fmt.Errorf("You cannot call a method on a null-valued expression.")
		}
		return typeOf(v), nil
	case "tostring":
		if len(args) == 1 {
			switch x := v.(type) {
			case time.Time:
				return formatDate(x, str(0)), nil
			case int64, float64:
				if s, ok := formatNumber(x, str(0)); ok {
					return s, nil
				}
			}
		}
		if v == nil {
			return nil, fmt.Errorf("You cannot call a method on a null-valued expression.")
		}
		return object.ToString(v), nil
	case "equals":
		return object.Equal(v, arg(0), true), nil
	}
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("You cannot call a method on a null-valued expression.")
	case string:
		switch n {
		case "toupper", "toupperinvariant":
			return strings.ToUpper(x), nil
		case "tolower", "tolowerinvariant":
			return strings.ToLower(x), nil
		case "trim", "trimstart", "trimend":
			cut := " \t\r\n\v\f"
			if len(args) > 0 {
				cut = joinValues(arg(0), "").(string)
			}
			switch n {
			case "trim":
				return strings.Trim(x, cut), nil
			case "trimstart":
				return strings.TrimLeft(x, cut), nil
			}
			return strings.TrimRight(x, cut), nil
		case "contains":
			return strings.Contains(x, str(0)), nil
		case "startswith":
			return strings.HasPrefix(x, str(0)), nil
		case "endswith":
			return strings.HasSuffix(x, str(0)), nil
		case "indexof":
			i := strings.Index(x, str(0))
			if i < 0 {
				return int64(-1), nil
			}
			return int64(utf8.RuneCountInString(x[:i])), nil
		case "lastindexof":
			i := strings.LastIndex(x, str(0))
			if i < 0 {
				return int64(-1), nil
			}
			return int64(utf8.RuneCountInString(x[:i])), nil
		case "replace":
			return strings.ReplaceAll(x, str(0), str(1)), nil
		case "split":
			seps := joinValues(arg(0), "").(string)
			if len(args) == 0 {
				seps = " "
			}
			parts := splitKeepEmpty(x, seps)
			out := make([]object.Value, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out, nil
		case "substring":
			rs := []rune(x)
			start, err := intArg(0)
			if err != nil {
				return nil, err
			}
			end := len(rs)
			if len(args) > 1 {
				l, err := intArg(1)
				if err != nil {
					return nil, err
				}
				end = start + l
			}
			if start < 0 || start > len(rs) || end < start || end > len(rs) {
				return nil, fmt.Errorf("Exception calling \"Substring\" with \"%d\" argument(s): \"Index and length must refer to a location within the string.\"", len(args))
			}
			return string(rs[start:end]), nil
		case "padleft", "padright":
			w, err := intArg(0)
			if err != nil {
				return nil, err
			}
			pad := " "
			if len(args) > 1 {
				pad = str(1)[:1]
			}
			l := utf8.RuneCountInString(x)
			if w <= l {
				return x, nil
			}
			if n == "padleft" {
				return strings.Repeat(pad, w-l) + x, nil
			}
			return x + strings.Repeat(pad, w-l), nil
		case "insert":
			rs := []rune(x)
			i, err := intArg(0)
			if err != nil || i < 0 || i > len(rs) {
				return nil, fmt.Errorf("Exception calling \"Insert\": index out of range.")
			}
			return string(rs[:i]) + str(1) + string(rs[i:]), nil
		case "remove":
			rs := []rune(x)
			i, err := intArg(0)
			if err != nil || i < 0 || i > len(rs) {
				return nil, fmt.Errorf("Exception calling \"Remove\": index out of range.")
			}
			end := len(rs)
			if len(args) > 1 {
				c, err := intArg(1)
				if err != nil || i+c > len(rs) {
					return nil, fmt.Errorf("Exception calling \"Remove\": count out of range.")
				}
				end = i + c
			}
			return string(rs[:i]) + string(rs[end:]), nil
		case "tochararray":
			var out []object.Value
			for _, r := range x {
				out = append(out, string(r))
			}
			return out, nil
		case "compareto":
			return int64(strings.Compare(x, str(0))), nil
		}
	case time.Time:
		add := func(d time.Duration) (object.Value, error) {
			fv, err := object.ToFloat(arg(0))
			if err != nil {
				return nil, err
			}
			return x.Add(time.Duration(fv * float64(d))), nil
		}
		switch n {
		case "adddays":
			return add(24 * time.Hour)
		case "addhours":
			return add(time.Hour)
		case "addminutes":
			return add(time.Minute)
		case "addseconds":
			return add(time.Second)
		case "addmilliseconds":
			return add(time.Millisecond)
		case "addmonths", "addyears":
			k, err := intArg(0)
			if err != nil {
				return nil, err
			}
			if n == "addmonths" {
				return x.AddDate(0, k, 0), nil
			}
			return x.AddDate(k, 0, 0), nil
		case "toshortdatestring":
			return formatDate(x, "d"), nil
		case "tolongdatestring":
			return formatDate(x, "D"), nil
		case "toshorttimestring":
			return formatDate(x, "t"), nil
		case "tolongtimestring":
			return formatDate(x, "T"), nil
		case "touniversaltime":
			return x.UTC(), nil
		case "tolocaltime":
			return x.Local(), nil
		}
	case *object.Hashtable:
		switch n {
		case "containskey", "contains":
			_, ok := x.Get(str(0))
			return ok, nil
		case "add":
			if _, ok := x.Get(str(0)); ok {
				return nil, fmt.Errorf("Exception calling \"Add\" with \"2\" argument(s): \"Item has already been added. Key in dictionary: '%s'  Key being added: '%s'\"", str(0), str(0))
			}
			x.Set(str(0), arg(1))
			return nil, nil
		case "remove":
			x.Delete(str(0))
			return nil, nil
		case "getenumerator":
			out := make([]object.Value, x.Len())
			for i := range out {
				k, v := x.At(i)
				out[i] = object.New(dictEntryType, k, k, v)
			}
			return out, nil
		case "clear":
			for x.Len() > 0 {
				k, _ := x.At(0)
				x.Delete(k)
			}
			return nil, nil
		}
	case []object.Value:
		switch n {
		case "contains":
			for _, e := range x {
				if object.Equal(e, arg(0), true) {
					return true, nil
				}
			}
			return false, nil
		case "indexof":
			for i, e := range x {
				if object.Equal(e, arg(0), true) {
					return int64(i), nil
				}
			}
			return int64(-1), nil
		case "where", "foreach":
			sb, ok := arg(0).(*ScriptBlock)
			if !ok {
				return nil, fmt.Errorf("The %s method needs a script block argument.", name)
			}
			out := []object.Value{}
			for _, e := range x {
				var col collector
				if err := sb.Invoke(e, nil, col.push); err != nil {
					return nil, err
				}
				if n == "where" {
					if object.ToBool(col.result()) {
						out = append(out, e)
					}
				} else {
					out = append(out, col.vals...)
				}
			}
			return out, nil
		}
	case *ScriptBlock:
		switch n {
		case "invoke", "invokereturnasis":
			var col collector
			if err := x.call(f, nil, args, &col); err != nil {
				return nil, err
			}
			return col.result(), nil
		case "getnewclosure":
			return x, nil
		}
	case *stageBase:
		switch n {
		case "shouldprocess":
			target, action := str(0), x.name
			if len(args) > 1 {
				action = str(1)
			}
			return x.ShouldProcess(target, action)
		case "writeverbose":
			x.WriteVerbose(str(0))
			return nil, nil
		case "writewarning":
			x.WriteWarning(str(0))
			return nil, nil
		case "writeobject":
			return nil, x.WriteObject(arg(0))
		}
	}
	return nil, fmt.Errorf("Method invocation failed because [%s] does not contain a method named '%s'.", typeOf(v).full, name)
}

var dictEntryType = object.NewType("System.Collections.DictionaryEntry",
	object.P("Name", object.KindString), object.P("Key", object.KindAny), object.P("Value", object.KindAny))

// splitKeepEmpty splits s at any of the separator runes, keeping empty
// fields as .NET's String.Split does.
func splitKeepEmpty(s, seps string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if strings.ContainsRune(seps, r) {
			out = append(out, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(out, s[start:])
}
