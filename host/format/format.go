// Package format turns pipeline values into text the way PowerShell does:
// Out-Default's tables and lists (with declared per-type views and the
// four-property rule), the renderers Format-Table and Format-List share, CSV
// (PowerShell 7 style) and JSON (ConvertTo-Json / ConvertFrom-Json).
package format

import (
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"pinsh/host/object"
)

// EnumerationLimit is how many elements of a collection a table cell or
// list value shows before "...", PowerShell's $FormatEnumerationLimit.
const EnumerationLimit = 4

// LongDateLayout is how a DateTime shows on its own (Get-Date at the
// prompt), the en-US long date and long time.
const LongDateLayout = "Monday, January 2, 2006 3:04:05 PM"

// ViewKind is the shape of a view: a table or a list.
type ViewKind uint8

// The view kinds. Auto picks the registered view of the object's type, or
// a table for objects with up to four properties and a list otherwise.
const (
	Auto ViewKind = iota
	Table
	List
)

// View is the declared default display of a type: its shape and the
// properties it shows, in order. Labels, when set, renames the columns (one
// per property; "" keeps the property name).
type View struct {
	Kind       ViewKind
	Properties []string
	Labels     []string
	// Widths fixes table column widths (one per property; 0 sizes the
	// column to its content), and Aligns their alignment (AlignAuto
	// right-aligns numbers), as a PowerShell table view's headers do.
	Widths []int
	Aligns []Align
}

var (
	viewsMu sync.RWMutex
	views   = map[string]View{}
)

// RegisterView declares the default view of a type name, replacing any
// earlier one. It is safe to call from init functions and concurrently.
func RegisterView(typeName string, v View) {
	viewsMu.Lock()
	defer viewsMu.Unlock()
	views[object.Fold(typeName)] = v
}

// LookupView returns the view registered for the object's type names, most
// derived first.
func LookupView(o *object.Object) (View, bool) {
	viewsMu.RLock()
	defer viewsMu.RUnlock()
	for _, n := range o.Type().Names() {
		if v, ok := views[object.Fold(n)]; ok {
			return v, true
		}
	}
	return View{}, false
}

// The type names of the Lync objects whose reference output is a list.
const (
	PinInfoDetailsType = "Microsoft.Rtc.Management.UserPinService.PinInfoDetails"
	RoleType           = "Microsoft.Rtc.Management.WritableConfig.Settings.Roles.Role"
)

func init() {
	RegisterView(PinInfoDetailsType, View{Kind: List, Properties: []string{
		"Identity", "IsPinSet", "IsLockedOut", "LastPinChangeTime", "PinExpirationTime"}})
	RegisterView(RoleType, View{Kind: List, Properties: []string{
		"Identity", "SID", "IsStandardRole", "Cmdlets", "ScriptModules", "ConfigScopes", "UserScopes"}})
	// A hashtable shows as PowerShell's "Dictionary" view: a Name column 30
	// wide and the values left-aligned.
	RegisterView(entryType.Name(), View{Kind: Table, Properties: []string{"Name", "Value"},
		Widths: []int{30, 0}, Aligns: []Align{AlignLeft, AlignLeft}})
}

// Text is how a value shows in a table cell or after "Name : " in a list:
// $null is empty, booleans True/False, a DateTime in [object.DateLayout],
// collections as {a, b, c} (at most [EnumerationLimit] elements, then
// "..."), nested objects by their text form.
func Text(v object.Value) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []object.Value:
		var sb strings.Builder
		sb.WriteByte('{')
		for i, e := range x {
			if i == EnumerationLimit {
				sb.WriteString("...")
				break
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(object.ToString(e))
		}
		sb.WriteByte('}')
		return sb.String()
	case *object.Hashtable:
		var sb strings.Builder
		sb.WriteByte('{')
		for i := 0; i < x.Len(); i++ {
			if i == EnumerationLimit {
				sb.WriteString("...")
				break
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			k, e := x.At(i)
			sb.WriteString("[" + k + ", " + object.ToString(e) + "]")
		}
		sb.WriteByte('}')
		return sb.String()
	}
	return object.ToString(v)
}

// ScalarText is how a value that is not an object shows on its own line in
// Out-Default: its text form, except that a DateTime shows its long form.
func ScalarText(v object.Value) string {
	if t, ok := v.(time.Time); ok {
		return t.Format(LongDateLayout)
	}
	return object.ToString(v)
}

// width is the display width of s, counted in runes.
func width(s string) int { return utf8.RuneCountInString(s) }

// truncate shortens s to at most w runes, ending with "…" when cut.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	if w == 1 {
		return "…"
	}
	n := 0
	for i := range s {
		if n == w-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// firstLine returns s up to its first line break, marked with "…" when more
// lines follow (a table row is one line).
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i] + "…"
	}
	return s
}

// isNumber reports whether v is right-aligned in a table.
func isNumber(v object.Value) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}
