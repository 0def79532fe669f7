package builtin

import (
	"regexp"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// whereOp is one comparison switch of Where-Object's simplified syntax.
type whereOp struct {
	param string // EQ, CEQ, ...
	set   string
	op    object.Op
	cs    bool
	help  string
}

var whereOps = func() []whereOp {
	base := []struct {
		name, set, help string
		op              object.Op
	}{
		{"EQ", "EqualSet", "equal to", object.OpEq},
		{"NE", "NotEqualSet", "not equal to", object.OpNe},
		{"GT", "GreaterThanSet", "greater than", object.OpGt},
		{"GE", "GreaterOrEqualSet", "greater than or equal to", object.OpGe},
		{"LT", "LessThanSet", "less than", object.OpLt},
		{"LE", "LessOrEqualSet", "less than or equal to", object.OpLe},
		{"Like", "LikeSet", "matching the wildcard pattern in", object.OpLike},
		{"NotLike", "NotLikeSet", "not matching the wildcard pattern in", object.OpNotLike},
		{"Match", "MatchSet", "matching the regular expression in", object.OpMatch},
		{"NotMatch", "NotMatchSet", "not matching the regular expression in", object.OpNotMatch},
		{"Contains", "ContainsSet", "a collection containing", object.OpContains},
		{"NotContains", "NotContainsSet", "a collection not containing", object.OpNotContains},
		{"In", "InSet", "one of the values in", object.OpIn},
		{"NotIn", "NotInSet", "none of the values in", object.OpNotIn},
	}
	var out []whereOp
	for _, b := range base {
		out = append(out, whereOp{b.name, b.set, b.op, false,
			"Selects objects whose property value is " + b.help + " -Value (case-insensitive for text)."})
	}
	for _, b := range base {
		out = append(out, whereOp{"C" + b.name, "CaseSensitive" + b.set, b.op, true,
			"Selects objects whose property value is " + b.help + " -Value, comparing text case-sensitively."})
	}
	return out
}()

func whereObjectInfo() *cmdlet.Info {
	allSets := []string{"ScriptBlockSet"}
	propSets := []string{}
	valueSets := []string{}
	for _, o := range whereOps {
		propSets = append(propSets, o.set)
		valueSets = append(valueSets, o.set)
	}
	propSets = append(propSets, "Not")
	allSets = append(allSets, propSets...)
	params := []cmdlet.Param{
		inputObject("The objects to filter, usually from the pipeline.", sets(allSets...)),
		param("FilterScript", object.KindScriptBlock,
			"A script block evaluated for each object, with the object in $_. Objects for which it returns a true value pass.",
			pos(0), mandatory, sets("ScriptBlockSet")),
		param("Property", object.KindString,
			"The name of the property to test (simplified syntax). Alone, it tests the property's truthiness.",
			pos(0), mandatory, sets(propSets...)),
		param("Value", object.KindAny, "The value the property is compared with.", pos(1), sets(valueSets...)),
	}
	for _, o := range whereOps {
		p := param(o.param, object.KindSwitch, o.help, sets(o.set))
		if o.op == object.OpEq && !o.cs {
			p.Aliases = []string{"IEQ"}
		} else {
			p.Mandatory = true
			if !o.cs {
				p.Aliases = []string{"I" + o.param}
			}
		}
		params = append(params, p)
	}
	params = append(params, param("Not", object.KindSwitch,
		"Selects objects whose property is absent, $null or otherwise false.", mandatory, sets("Not")))
	return &cmdlet.Info{
		Name:     "Where-Object",
		Aliases:  []string{"where", "?"},
		Synopsis: "Selects objects from a collection based on their property values.",
		Description: "Where-Object passes on the input objects for which a condition holds. The condition " +
			"is either a script block (any expression, with the object in $_; -and and -or allowed) or, in " +
			"the simplified syntax, a property name, one comparison switch such as -EQ or -Match, and a " +
			"value. Text comparisons ignore case unless the switch starts with C (-CEQ, -CLike...). With a " +
			"collection-valued property, the comparison operators filter the collection and the object " +
			"passes when any element matches, as in PowerShell.",
		Params:     params,
		DefaultSet: "EqualSet",
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.IsLockedOut -eq $True} | Unlock-CsClientPin",
				Remark: "Unlocks every user whose PIN is locked."},
			{Code: "Get-CsClientPinInfo -Identity 'Ken Myer' | Where-Object IsPinSet -EQ $false",
				Remark: "The simplified syntax: a property, an operator switch and a value."},
			{Code: `Get-CsAdminRole | Where-Object {$_.Cmdlets -match "Set-CsClientPin\b"}`,
				Remark: "Lists the roles whose cmdlets include Set-CsClientPin."},
		},
		New: func() cmdlet.Command { return &whereObject{} },
	}
}

type whereObject struct {
	// script block form
	filter cmdlet.ScriptBlock
	sink   func(object.Value) error
	n      int
	first  object.Value

	// simplified form
	get    *object.Getter
	hasOp  bool
	not    bool
	op     object.Op
	cs     bool
	value  object.Value
	strVal string // value as text, folded unless cs (-EQ/-NE fast path, -Like)
	isStr  bool
	re     *regexp.Regexp
}

func (w *whereObject) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if v, ok := args.Get("FilterScript"); ok {
		w.filter = v.(cmdlet.ScriptBlock)
		w.sink = w.collect
		return nil
	}
	w.get = object.NewGetter(args.String("Property"))
	w.not = args.Bool("Not")
	w.value, _ = args.Get("Value")
	for _, o := range whereOps {
		if args.Bool(o.param) {
			w.hasOp, w.op, w.cs = true, o.op, o.cs
			break
		}
	}
	if !w.hasOp && args.Has("Value") {
		w.hasOp, w.op = true, object.OpEq // -Value without a switch is -EQ
	}
	if s, ok := w.value.(string); ok {
		w.isStr = true
		w.strVal = s
	}
	switch w.op {
	case object.OpLike, object.OpNotLike:
		w.strVal = object.ToString(w.value)
		if !w.cs {
			w.strVal = object.Fold(w.strVal)
		}
	case object.OpMatch, object.OpNotMatch:
		if w.hasOp {
			re, err := object.Regex(object.ToString(w.value), w.cs)
			if err != nil {
				return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidRegularExpression", w.value, err)
			}
			w.re = re
		}
	}
	return nil
}

func (w *whereObject) collect(v object.Value) error {
	w.n++
	if w.n == 1 {
		w.first = v
	}
	return nil
}

func (w *whereObject) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok {
		return nil
	}
	if w.filter != nil {
		w.n, w.first = 0, nil
		if err := w.filter.Invoke(in, nil, w.sink); err != nil {
			return err
		}
		pass := w.n > 1 || (w.n == 1 && object.ToBool(w.first))
		w.first = nil
		if pass {
			return rt.WriteObject(in)
		}
		return nil
	}
	pass, err := w.test(in)
	if err != nil {
		return rt.WriteError(cmdlet.NewError(cmdlet.InvalidOperation, "ComparisonFailure", in, err))
	}
	if pass {
		return rt.WriteObject(in)
	}
	return nil
}

// test applies the simplified syntax's comparison to one object.
func (w *whereObject) test(in object.Value) (bool, error) {
	left, _ := w.get.Get(in)
	if !w.hasOp {
		return object.ToBool(left) != w.not, nil
	}
	if _, isList := left.([]object.Value); isList || w.op >= object.OpContains {
		r, _, err := object.Compare(w.op, w.cs, left, w.value)
		if err != nil {
			return false, err
		}
		return object.ToBool(r), nil
	}
	switch w.op {
	case object.OpEq, object.OpNe:
		eq := false
		if s, ok := left.(string); ok && w.isStr {
			eq = equalText(s, w.strVal, w.cs)
		} else {
			eq = object.Equal(left, w.value, w.cs)
		}
		return eq == (w.op == object.OpEq), nil
	case object.OpGt, object.OpGe, object.OpLt, object.OpLe:
		c, err := object.Order(left, w.value, w.cs)
		if err != nil {
			return false, err
		}
		switch w.op {
		case object.OpGt:
			return c > 0, nil
		case object.OpGe:
			return c >= 0, nil
		case object.OpLt:
			return c < 0, nil
		}
		return c <= 0, nil
	case object.OpLike, object.OpNotLike:
		s := object.ToString(left)
		if !w.cs {
			s = object.Fold(s)
		}
		return object.Like(s, w.strVal, true) == (w.op == object.OpLike), nil
	case object.OpMatch, object.OpNotMatch:
		return w.re.MatchString(object.ToString(left)) == (w.op == object.OpMatch), nil
	}
	return false, nil
}

// equalText is -eq on two strings without allocating for ASCII text.
func equalText(a, b string, cs bool) bool {
	if a == b {
		return true
	}
	if cs {
		return false
	}
	if isASCII(a) && isASCII(b) {
		return strings.EqualFold(a, b)
	}
	return object.Fold(a) == object.Fold(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (w *whereObject) End(rt cmdlet.Runtime, args *cmdlet.Args) error { return nil }
