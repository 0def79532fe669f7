package object

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Op is a comparison operator.
type Op uint8

// The comparison operators. Each has a case-insensitive (default and -i)
// and a case-sensitive (-c) form, chosen by the caseSensitive argument.
const (
	OpEq Op = iota
	OpNe
	OpGt
	OpGe
	OpLt
	OpLe
	OpLike
	OpNotLike
	OpMatch
	OpNotMatch
	OpContains
	OpNotContains
	OpIn
	OpNotIn
)

var opNames = map[string]Op{
	"eq": OpEq, "ne": OpNe, "gt": OpGt, "ge": OpGe, "lt": OpLt, "le": OpLe,
	"like": OpLike, "notlike": OpNotLike, "match": OpMatch, "notmatch": OpNotMatch,
	"contains": OpContains, "notcontains": OpNotContains, "in": OpIn, "notin": OpNotIn,
}

// LookupOp resolves an operator name without its dash, such as "eq",
// "ceq" or "imatch", to the operator and its case sensitivity.
func LookupOp(name string) (op Op, caseSensitive bool, ok bool) {
	n := strings.ToLower(name)
	if op, ok := opNames[n]; ok {
		return op, false, true
	}
	if len(n) > 1 && (n[0] == 'c' || n[0] == 'i') {
		if op, ok := opNames[n[1:]]; ok {
			return op, n[0] == 'c', true
		}
	}
	return 0, false, false
}

// String returns the operator's name with its dash, as in -notlike.
func (op Op) String() string {
	for k, v := range opNames {
		if v == op {
			return "-" + k
		}
	}
	return fmt.Sprintf("Op(%d)", op)
}

// Compare applies a comparison operator with PowerShell's rules. With a
// collection on the left, the equality, ordering, -like and -match operators
// filter: they return the elements for which the comparison holds. With a
// scalar left side they return a bool. -contains/-in and their negations
// always return a bool. For a successful scalar -match, matches holds the
// new $Matches table; it is nil otherwise (and $Matches keeps its value).
func Compare(op Op, caseSensitive bool, left, right Value) (result Value, matches *Hashtable, err error) {
	switch op {
	case OpContains, OpNotContains:
		found, err := contains(left, right, caseSensitive)
		return found == (op == OpContains), nil, err
	case OpIn, OpNotIn:
		found, err := contains(right, left, caseSensitive)
		return found == (op == OpIn), nil, err
	}
	if list, ok := left.([]Value); ok {
		out := []Value{}
		for _, e := range list {
			ok, _, err := scalar(op, caseSensitive, e, right, false)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				out = append(out, e)
			}
		}
		return out, nil, nil
	}
	ok, m, err := scalar(op, caseSensitive, left, right, true)
	return ok, m, err
}

func contains(coll, item Value, cs bool) (bool, error) {
	found := false
	err := Enumerate(coll, func(e Value) error {
		if !found && Equal(e, item, cs) {
			found = true
		}
		return nil
	})
	return found, err
}

func scalar(op Op, cs bool, l, r Value, wantMatches bool) (bool, *Hashtable, error) {
	switch op {
	case OpEq:
		return Equal(l, r, cs), nil, nil
	case OpNe:
		return !Equal(l, r, cs), nil, nil
	case OpGt, OpGe, OpLt, OpLe:
		c, err := Order(l, r, cs)
		if err != nil {
			return false, nil, err
		}
		switch op {
		case OpGt:
			return c > 0, nil, nil
		case OpGe:
			return c >= 0, nil, nil
		case OpLt:
			return c < 0, nil, nil
		}
		return c <= 0, nil, nil
	case OpLike, OpNotLike:
		ok := Like(ToString(l), ToString(r), cs)
		return ok == (op == OpLike), nil, nil
	case OpMatch, OpNotMatch:
		re, err := Regex(ToString(r), cs)
		if err != nil {
			return false, nil, err
		}
		s := ToString(l)
		if op == OpNotMatch {
			return !re.MatchString(s), nil, nil
		}
		if !wantMatches {
			return re.MatchString(s), nil, nil
		}
		idx := re.FindStringSubmatchIndex(s)
		if idx == nil {
			return false, nil, nil
		}
		m := NewHashtable()
		names := re.SubexpNames()
		for g := len(names) - 1; g >= 0; g-- {
			if idx[2*g] < 0 {
				continue
			}
			key := strconv.Itoa(g)
			if names[g] != "" {
				key = names[g]
			}
			m.Set(key, s[idx[2*g]:idx[2*g+1]])
		}
		return true, m, nil
	}
	return false, nil, fmt.Errorf("unknown operator %v", op)
}

// Equal is PowerShell's -eq for scalars: the right side is converted to the
// left side's type; strings compare case-insensitively unless cs is set.
// $null equals only $null.
func Equal(l, r Value, cs bool) bool {
	switch x := l.(type) {
	case nil:
		return r == nil
	case string:
		if r == nil {
			return false
		}
		rs := ToString(r)
		if cs {
			return x == rs
		}
		return equalFold(x, rs)
	case int64:
		switch y := r.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		case nil:
			return false
		}
		if f, err := ToFloat(r); err == nil {
			return float64(x) == f
		}
		return false
	case float64:
		if r == nil {
			return false
		}
		f, err := ToFloat(r)
		return err == nil && x == f
	case bool:
		if r == nil {
			return false
		}
		if s, ok := r.(string); ok {
			// [bool]"False" is $true in PowerShell: any non-empty string.
			return x == (s != "")
		}
		return x == ToBool(r)
	case time.Time:
		t, err := ToDateTime(r)
		return err == nil && x.Equal(t)
	case *Object, *Hashtable:
		return l == r
	case []Value:
		return false
	}
	return l == r
}

// equalFold compares case-insensitively without allocating for ASCII text,
// and with full Unicode folding (Zoë, ZOË) otherwise.
func equalFold(a, b string) bool {
	if a == b {
		return true
	}
	if isASCII(a) && isASCII(b) {
		return strings.EqualFold(a, b)
	}
	return strings.EqualFold(a, b) || Fold(a) == Fold(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Order compares two scalars for -lt/-gt and Sort-Object: negative, zero or
// positive. The right side is converted to the left side's type. $null
// sorts before everything.
func Order(l, r Value, cs bool) (int, error) {
	if l == nil || r == nil {
		switch {
		case l == nil && r == nil:
			return 0, nil
		case l == nil:
			return -1, nil
		}
		return 1, nil
	}
	switch x := l.(type) {
	case int64:
		if y, ok := r.(int64); ok {
			return cmpInt(x, y), nil
		}
		f, err := ToFloat(r)
		if err != nil {
			return 0, compareError(l, r)
		}
		return cmpFloat(float64(x), f), nil
	case float64:
		f, err := ToFloat(r)
		if err != nil {
			return 0, compareError(l, r)
		}
		return cmpFloat(x, f), nil
	case string:
		return CompareStrings(x, ToString(r), cs), nil
	case bool:
		a, b := 0, 0
		if x {
			a = 1
		}
		if ToBool(r) {
			b = 1
		}
		return a - b, nil
	case time.Time:
		t, err := ToDateTime(r)
		if err != nil {
			return 0, compareError(l, r)
		}
		return x.Compare(t), nil
	}
	return CompareStrings(ToString(l), ToString(r), cs), nil
}

func compareError(l, r Value) error {
	return fmt.Errorf("Cannot compare %q to %q because the objects are not the same type or the object %q does not implement \"IComparable\".",
		ToString(l), ToString(r), ToString(l))
}

// CompareStrings orders strings as PowerShell's culture-aware comparison
// does: ignoring case first, so "a" -lt "B"; text differing only in case is
// equal unless cs is set, and then lower case sorts first ("a" -clt "A").
func CompareStrings(a, b string, cs bool) int {
	fa, fb := Fold(a), Fold(b)
	if c := strings.Compare(fa, fb); c != 0 || !cs {
		return c
	}
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		x, y := ra[i], rb[i]
		if x == y {
			continue
		}
		xl, yl := unicode.IsLower(x), unicode.IsLower(y)
		switch {
		case xl && !yl:
			return -1
		case yl && !xl:
			return 1
		case x < y:
			return -1
		}
		return 1
	}
	return len(ra) - len(rb)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case math.IsNaN(a) && !math.IsNaN(b):
		return -1
	case !math.IsNaN(a) && math.IsNaN(b):
		return 1
	}
	return 0
}

var regexCache sync.Map // string -> *regexp.Regexp

// Regex compiles a -match pattern, case-insensitive unless cs, caching the
// result. The error message names the pattern.
func Regex(pattern string, cs bool) (*regexp.Regexp, error) {
	key := pattern
	if !cs {
		key = "(?i)" + pattern
	}
	if re, ok := regexCache.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(key)
	if err != nil {
		if _, perr := regexp.Compile(pattern); perr != nil {
			err = perr
		}
		return nil, fmt.Errorf("The regular expression pattern %q is not valid: %v", pattern, err)
	}
	regexCache.Store(key, re)
	return re, nil
}

// Like reports whether s matches a PowerShell wildcard pattern: * any run,
// ? one character, [abc] and [a-z] sets, ` escapes the next character.
func Like(s, pattern string, cs bool) bool {
	if !cs {
		s, pattern = Fold(s), Fold(pattern)
	}
	return like([]rune(s), []rune(pattern))
}

func like(s, p []rune) bool {
	// Iterative matcher with backtracking on the last star.
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch p[pi] {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				si++
				pi++
				continue
			case '[':
				if ok, next := matchSet(s[si], p, pi); next > 0 {
					if ok {
						si++
						pi = next
						continue
					}
				} else if s[si] == '[' {
					si++
					pi++
					continue
				}
			case '`':
				if pi+1 < len(p) && p[pi+1] == s[si] {
					si++
					pi += 2
					continue
				}
			default:
				if p[pi] == s[si] {
					si++
					pi++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		si = starS
		pi = starP + 1
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchSet matches c against the set starting at p[i] == '['. next is the
// index after the closing bracket, or 0 when the set is not closed.
func matchSet(c rune, p []rune, i int) (bool, int) {
	j := i + 1
	ok := false
	for j < len(p) && p[j] != ']' {
		if j+2 < len(p) && p[j+1] == '-' && p[j+2] != ']' {
			if p[j] <= c && c <= p[j+2] {
				ok = true
			}
			j += 3
			continue
		}
		if p[j] == c {
			ok = true
		}
		j++
	}
	if j >= len(p) {
		return false, 0
	}
	return ok, j + 1
}

// HasWildcard reports whether s contains a wildcard character (* ? [).
func HasWildcard(s string) bool {
	return strings.ContainsAny(s, "*?[")
}
