package builtin

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func sortObjectInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Sort-Object",
		Aliases:  []string{"sort"},
		Synopsis: "Sorts objects by property values.",
		Description: "Sort-Object collects its input and writes it sorted by one or more keys: property " +
			"names, script blocks, or hashtables @{Expression=...; Descending=$true} that set the order of " +
			"one key. Text compares case-insensitively unless -CaseSensitive is set; numbers and dates " +
			"compare by value; $null sorts first. The sort is stable. -Unique drops objects whose keys equal " +
			"an earlier one's; -Top and -Bottom keep the first or last N.",
		Params: []cmdlet.Param{
			inputObject("The objects to sort, usually from the pipeline."),
			param("Property", object.KindList,
				"The sort keys: property names, script blocks, or @{Expression=...; Descending=$true}.", pos(0)),
			param("Descending", object.KindSwitch, "Sorts in descending order."),
			param("Unique", object.KindSwitch, "Writes one object per distinct key."),
			param("CaseSensitive", object.KindSwitch, "Compares text case-sensitively."),
			param("Top", object.KindInt, "Writes only the first N sorted objects."),
			param("Bottom", object.KindInt, "Writes only the last N sorted objects."),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Sort-Object DisplayName",
				Remark: "Users in alphabetical order of their display names."},
			{Code: "Get-CsClientPinInfo -Identity 'Ken Myer' | Sort-Object LastPinChangeTime -Descending",
				Remark: "Most recent PIN change first."},
			{Code: "Get-CsUser | Sort-Object @{Expression='Department'; Descending=$true}, DisplayName",
				Remark: "Departments in reverse order, names ascending within each."},
		},
		New: func() cmdlet.Command { return &sortObject{} },
	}
}

type sortItem struct {
	v    object.Value
	keys []object.Value
}

type sortObject struct {
	props []propExpr
	desc  []bool
	cs    bool
	items []sortItem
}

func (s *sortObject) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	props, err := parseProps(list(args, "Property"), keyExpression|keyOrder)
	if err != nil {
		return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidCalculatedProperty", nil, err)
	}
	s.props = props
	s.cs = args.Bool("CaseSensitive")
	desc := args.Bool("Descending")
	n := len(props)
	if n == 0 {
		n = 1
	}
	s.desc = make([]bool, n)
	for i := range s.desc {
		s.desc[i] = desc
		if i < len(props) && props[i].order != 0 {
			s.desc[i] = props[i].order < 0
		}
	}
	return nil
}

func (s *sortObject) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok {
		return nil
	}
	it := sortItem{v: in}
	if len(s.props) == 0 {
		it.keys = []object.Value{in}
	} else {
		ps := s.props
		if hasWild(ps) {
			ps = expand(ps, in)
		}
		it.keys = make([]object.Value, len(ps))
		for i := range ps {
			k, err := ps[i].eval(in)
			if err != nil {
				return err
			}
			it.keys[i] = k
		}
	}
	s.items = append(s.items, it)
	return nil
}

// compareValues orders two sort keys: by value when they compare, by
// text otherwise. Objects without a natural order compare by text.
func compareValues(a, b object.Value, cs bool) int {
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return compareText(x, y, cs)
		}
	}
	switch a.(type) {
	case *object.Object, *object.Hashtable, []object.Value:
		return object.CompareStrings(object.ToString(a), object.ToString(b), cs)
	}
	c, err := object.Order(a, b, cs)
	if err != nil {
		return object.CompareStrings(object.ToString(a), object.ToString(b), cs)
	}
	return c
}

func (s *sortObject) compare(a, b *sortItem) int {
	for i := 0; i < len(a.keys) && i < len(b.keys); i++ {
		c := compareValues(a.keys[i], b.keys[i], s.cs)
		if c != 0 {
			d := s.desc[len(s.desc)-1]
			if i < len(s.desc) {
				d = s.desc[i]
			}
			if d {
				return -c
			}
			return c
		}
	}
	return 0
}

func (s *sortObject) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	sort.SliceStable(s.items, func(i, j int) bool { return s.compare(&s.items[i], &s.items[j]) < 0 })
	items := s.items
	if args.Bool("Unique") {
		kept := items[:0]
		for i := range items {
			if len(kept) > 0 && s.sameKeys(&kept[len(kept)-1], &items[i]) {
				continue
			}
			kept = append(kept, items[i])
		}
		items = kept
	}
	if n, ok := args.Int("Top"); ok && n >= 0 && int(n) < len(items) {
		items = items[:n]
	}
	if n, ok := args.Int("Bottom"); ok && n >= 0 && int(n) < len(items) {
		items = items[len(items)-int(n):]
	}
	for _, it := range items {
		if err := rt.WriteObject(it.v); err != nil {
			return err
		}
	}
	s.items = nil
	return nil
}

func (s *sortObject) sameKeys(a, b *sortItem) bool {
	for i := range a.keys {
		if i >= len(b.keys) || !sameValue(a.keys[i], b.keys[i], s.cs) {
			return false
		}
	}
	return len(a.keys) == len(b.keys)
}

// sameValue reports whether two keys are equal for -Unique and grouping:
// text ignoring case unless cs, other values by their order.
func sameValue(a, b object.Value, cs bool) bool {
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return equalText(x, y, cs)
		}
	}
	return compareValues(a, b, cs) == 0
}

// compareText orders text as PowerShell's culture-aware comparison does:
// ignoring case first; when cs is set, equal text differing only in case
// puts lower case first. Without cs, such text is equal (and a stable sort
// keeps its input order).
func compareText(a, b string, cs bool) int {
	c := compareFold(a, b)
	if c != 0 || !cs {
		return c
	}
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			switch {
			case unicode.IsLower(ra) && !unicode.IsLower(rb):
				return -1
			case unicode.IsLower(rb) && !unicode.IsLower(ra):
				return 1
			case ra < rb:
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// compareFold compares case-insensitively, without allocating for ASCII.
func compareFold(a, b string) int {
	if !isASCII(a) || !isASCII(b) {
		return strings.Compare(object.Fold(a), object.Fold(b))
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := lowerASCII(a[i]), lowerASCII(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
