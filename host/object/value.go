// Package object is pinsh's value model: the dynamic values that flow through
// pipelines, typed objects with ordered properties, and the one place where
// PowerShell's conversion and comparison rules live.
//
// A [Value] is a Go interface value holding one of these dynamic types:
//
//	nil          $null
//	bool         $true / $false, switch values
//	int64        integers (PowerShell's [int] and [long] are one type here)
//	float64      [double]
//	string       [string]
//	time.Time    [datetime]
//	[]Value      arrays (@(...), 1,2,3, ranges)
//	*Object      typed objects (PSCustomObject and named types)
//	*Hashtable   @{...}, ordered by insertion, case-insensitive keys
//
// Any other Go value may appear (a script block, for example); it behaves as
// an opaque object whose text form is its String method.
package object

import (
	"fmt"
	"strings"
	"time"
)

// Value is a pinsh value; see the package documentation for its dynamic types.
type Value = any

// Kind names the declared type of a property or parameter. Values stay
// dynamic; a kind documents intent, drives conversion in the binder, and
// tells the plugin ABI how to encode a property.
type Kind uint8

// The kinds, in the order the plugin ABI numbers them. Never reorder.
const (
	KindAny Kind = iota
	KindBool
	KindInt
	KindFloat
	KindString
	KindDateTime
	KindStringList
	KindObject
	KindList
	KindHashtable
	KindScriptBlock
	KindSwitch
)

var kindNames = [...]string{"Object", "Boolean", "Int64", "Double", "String",
	"DateTime", "String[]", "PSObject", "Object[]", "Hashtable", "ScriptBlock",
	"SwitchParameter"}

// String returns the kind's PowerShell-style type name, as Get-Help shows it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// TypeName returns the PowerShell type name of v, as `$x.GetType().Name`
// would, used in conversion error messages.
func TypeName(v Value) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "Boolean"
	case int64:
		return "Int64"
	case float64:
		return "Double"
	case string:
		return "String"
	case time.Time:
		return "DateTime"
	case []Value:
		return "Object[]"
	case *Object:
		return v.TypeName()
	case *Hashtable:
		return "Hashtable"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// Enumerate calls fn for each element when v is a collection (an array), and
// once with v otherwise. Strings, hashtables and objects are not enumerated,
// as in PowerShell. It stops at the first error fn returns.
func Enumerate(v Value, fn func(Value) error) error {
	if list, ok := v.([]Value); ok {
		for _, e := range list {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
	return fn(v)
}

// IsList reports whether v is an array.
func IsList(v Value) bool {
	_, ok := v.([]Value)
	return ok
}

// Hashtable is an insertion-ordered map with case-insensitive string keys,
// the value of @{...}. Non-string keys are converted to their text form.
type Hashtable struct {
	keys  []string
	vals  []Value
	index map[string]int // folded key -> position
}

// NewHashtable returns an empty hashtable.
func NewHashtable() *Hashtable {
	return &Hashtable{index: map[string]int{}}
}

// Set adds or replaces key.
func (h *Hashtable) Set(key string, v Value) {
	f := Fold(key)
	if i, ok := h.index[f]; ok {
		h.vals[i] = v
		return
	}
	h.index[f] = len(h.keys)
	h.keys = append(h.keys, key)
	h.vals = append(h.vals, v)
}

// Get returns the value for key, case-insensitively.
func (h *Hashtable) Get(key string) (Value, bool) {
	i, ok := h.index[Fold(key)]
	if !ok {
		return nil, false
	}
	return h.vals[i], true
}

// Delete removes key if present.
func (h *Hashtable) Delete(key string) {
	f := Fold(key)
	i, ok := h.index[f]
	if !ok {
		return
	}
	h.keys = append(h.keys[:i], h.keys[i+1:]...)
	h.vals = append(h.vals[:i], h.vals[i+1:]...)
	delete(h.index, f)
	for j := i; j < len(h.keys); j++ {
		h.index[Fold(h.keys[j])] = j
	}
}

// Len returns the number of entries.
func (h *Hashtable) Len() int { return len(h.keys) }

// Keys returns the keys in insertion order. The caller must not modify it.
func (h *Hashtable) Keys() []string { return h.keys }

// At returns the i-th entry in insertion order.
func (h *Hashtable) At(i int) (string, Value) { return h.keys[i], h.vals[i] }

// Fold returns the case-folded form of s used for every case-insensitive
// comparison and key in pinsh. It folds non-ASCII letters too (Zoë/ZOË), which
// SQLite's NOCASE does not, and is cheap for ASCII input.
func Fold(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return strings.ToLower(strings.ToUpper(s))
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if upper {
		return strings.ToLower(s)
	}
	return s
}
