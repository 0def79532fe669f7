package builtin

import (
	"fmt"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
)

// propExpr is one element of a -Property list: a property name (perhaps a
// wildcard pattern), a script block, or a calculated property hashtable
// such as @{Name='Pin'; Expression={$_.Pin}} or @{Expression='Name';
// Descending=$true}. Select-Object, Sort-Object, Group-Object,
// Measure-Object and the Format-* cmdlets share it.
type propExpr struct {
	label string // output name or column label
	wild  bool   // label is a wildcard pattern of property names
	get   *object.Getter
	block cmdlet.ScriptBlock
	// named is false when the label was derived from the expression.
	named bool
	// calc marks a calculated property (a hashtable), as opposed to a
	// plain property name.
	calc bool

	order int8 // Sort-Object: +1 ascending, -1 descending, 0 unset
	width int  // Format-Table
	align format.Align
}

// Hashtable keys each cmdlet accepts in a calculated property.
const (
	keyName = 1 << iota
	keyExpression
	keyOrder
	keyWidth
	keyAlignment
	keyFormatString
)

var keyNames = []struct {
	full string
	bit  int
}{
	{"Name", keyName}, {"Label", keyName}, {"Expression", keyExpression},
	{"Ascending", keyOrder}, {"Descending", keyOrder}, {"Width", keyWidth},
	{"Alignment", keyAlignment}, {"FormatString", keyFormatString},
}

// parseProps parses a -Property list. allowed is the set of hashtable keys
// the cmdlet accepts; keys may be abbreviated to any unique prefix, as in
// PowerShell (N, L, E).
func parseProps(list []object.Value, allowed int) ([]propExpr, error) {
	var out []propExpr
	for _, v := range list {
		switch x := v.(type) {
		case cmdlet.ScriptBlock:
			out = append(out, propExpr{label: x.String(), block: x})
		case *object.Hashtable:
			p, err := parseHashProp(x, allowed)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		default:
			name := object.ToString(v)
			p := propExpr{label: name, named: true}
			if object.HasWildcard(name) {
				p.wild = true
			} else {
				p.get = object.NewGetter(name)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func parseHashProp(h *object.Hashtable, allowed int) (propExpr, error) {
	p := propExpr{calc: true}
	var expr object.Value
	hasExpr := false
	for i := 0; i < h.Len(); i++ {
		key, val := h.At(i)
		full := ""
		for _, k := range keyNames {
			if allowed&k.bit != 0 && len(key) > 0 && strings.HasPrefix(strings.ToLower(k.full), strings.ToLower(key)) {
				if full != "" && full != k.full {
					return p, fmt.Errorf("The %s key is not valid: it could mean %s or %s.", key, full, k.full)
				}
				full = k.full
			}
		}
		switch full {
		case "Name", "Label":
			p.label, p.named = object.ToString(val), true
		case "Expression":
			expr, hasExpr = val, true
		case "Ascending":
			p.order = -1
			if object.ToBool(val) {
				p.order = 1
			}
		case "Descending":
			p.order = 1
			if object.ToBool(val) {
				p.order = -1
			}
		case "Width":
			n, err := object.ToInt(val)
			if err != nil || n <= 0 {
				return p, fmt.Errorf("The Width key value %q is not valid: it must be a positive integer.", object.ToString(val))
			}
			p.width = int(n)
		case "Alignment":
			switch strings.ToLower(object.ToString(val)) {
			case "left":
				p.align = format.AlignLeft
			case "right":
				p.align = format.AlignRight
			case "center":
				p.align = format.AlignLeft
			default:
				return p, fmt.Errorf("The Alignment key value %q is not valid: use Left, Center or Right.", object.ToString(val))
			}
		case "FormatString":
			// accepted; values keep their default text form
		default:
			return p, fmt.Errorf("The %s key is not valid.", key)
		}
	}
	if !hasExpr {
		return p, fmt.Errorf("The Expression key is missing from a calculated property.")
	}
	switch e := expr.(type) {
	case cmdlet.ScriptBlock:
		p.block = e
		if !p.named {
			p.label = e.String()
		}
	default:
		name := object.ToString(e)
		p.get = object.NewGetter(name)
		if !p.named {
			p.label = name
		}
	}
	return p, nil
}

// eval computes the expression for one input object.
func (p *propExpr) eval(v object.Value) (object.Value, error) {
	if p.block != nil {
		return invoke(p.block, v)
	}
	x, _ := p.get.Get(v)
	return x, nil
}

// expand replaces wildcard names with the matching properties of v, in
// the object's order, each once.
func expand(props []propExpr, v object.Value) []propExpr {
	out := make([]propExpr, 0, len(props))
	names := object.PropertyNames(v)
	for _, p := range props {
		if !p.wild {
			out = append(out, p)
			continue
		}
		for _, n := range names {
			if object.Like(n, p.label, false) {
				out = append(out, propExpr{label: n, named: true, get: object.NewGetter(n)})
			}
		}
	}
	return out
}

func hasWild(props []propExpr) bool {
	for _, p := range props {
		if p.wild {
			return true
		}
	}
	return false
}
