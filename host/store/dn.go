package store

import (
	"strings"
	"unicode/utf8"

	"pinsh/host/object"
)

// SplitDN splits a distinguished name into its RDNs, most specific first,
// each trimmed of the spaces around it and around its '='. Escaped commas
// (`\,`) and quoted values stay inside their RDN; escapes are kept as
// written.
func SplitDN(dn string) []string {
	var out []string
	start := 0
	inQuote := false
	for i := 0; i < len(dn); i++ {
		switch dn[i] {
		case '\\':
			i++
		case '"':
			inQuote = !inQuote
		case ',', ';':
			if !inQuote {
				out = append(out, trimRDN(dn[start:i]))
				start = i + 1
			}
		}
	}
	if last := trimRDN(dn[start:]); last != "" || len(out) > 0 {
		out = append(out, last)
	}
	return out
}

// trimRDN trims spaces around an RDN and around its first unescaped '='.
func trimRDN(r string) string {
	r = trimUnescaped(r)
	if i := strings.IndexByte(r, '='); i > 0 {
		return strings.TrimSpace(r[:i]) + "=" + strings.TrimSpace(r[i+1:])
	}
	return r
}

// trimUnescaped trims leading spaces and trailing spaces that are not
// escaped with a backslash.
func trimUnescaped(s string) string {
	s = strings.TrimLeft(s, " ")
	for strings.HasSuffix(s, " ") && !strings.HasSuffix(s, `\ `) {
		s = s[:len(s)-1]
	}
	return s
}

// JoinDN joins RDNs (most specific first) into a DN.
func JoinDN(rdns []string) string { return strings.Join(rdns, ",") }

// NormDN returns dn with spaces around RDNs and '=' removed; case is kept.
func NormDN(dn string) string { return JoinDN(SplitDN(dn)) }

// DNKey returns the look-up key of a DN: its RDNs folded with
// [object.Fold] and joined most general first ("dc=com,dc=litwareinc,
// ou=finance,cn=ken myer"). Every DN in the subtree of base has a key that
// starts with DNKey(base)+",", so a subtree is one index range (see
// [SubtreeRange]).
func DNKey(dn string) string { return keyOf(SplitDN(dn)) }

// keyOf is [DNKey] of a DN already split.
func keyOf(rdns []string) string {
	var sb strings.Builder
	for i := len(rdns) - 1; i >= 0; i-- {
		sb.WriteString(object.Fold(rdns[i]))
		if i > 0 {
			sb.WriteByte(',')
		}
	}
	return sb.String()
}

// SubtreeRange returns the key range [lo, hi) of the DNs strictly below
// the DN whose key is baseKey.
func SubtreeRange(baseKey string) (lo, hi string) {
	return baseKey + ",", baseKey + "-" // '-' is ',' + 1
}

// InSubtree reports whether dn is base or lies below it (child OUs
// included), comparing case-insensitively.
func InSubtree(dn, base string) bool {
	return KeyInSubtree(DNKey(dn), DNKey(base))
}

// KeyInSubtree is [InSubtree] on keys made by [DNKey].
func KeyInSubtree(dnKey, baseKey string) bool {
	if baseKey == "" {
		return false
	}
	return dnKey == baseKey || strings.HasPrefix(dnKey, baseKey+",")
}

// ParentDN returns the DN of dn's parent ("" for a one-RDN DN).
func ParentDN(dn string) string {
	rdns := SplitDN(dn)
	if len(rdns) <= 1 {
		return ""
	}
	return JoinDN(rdns[1:])
}

// RDNValue returns the value of an RDN ("Ken Myer" for "CN=Ken Myer") with
// backslash escapes removed.
func RDNValue(rdn string) string {
	i := strings.IndexByte(rdn, '=')
	if i < 0 {
		return rdn
	}
	return unescapeDNValue(rdn[i+1:])
}

// RDNType returns the attribute type of an RDN, upper-cased ("CN").
func RDNType(rdn string) string {
	i := strings.IndexByte(rdn, '=')
	if i < 0 {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(rdn[:i]))
}

func unescapeDNValue(v string) string {
	if strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) && len(v) >= 2 {
		return v[1 : len(v)-1]
	}
	if !strings.Contains(v, `\`) {
		return v
	}
	var b []byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			if i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]) {
				b = append(b, unhex(v[i+1])<<4|unhex(v[i+2]))
				i += 2
				continue
			}
			i++
			c = v[i]
		}
		b = append(b, c)
	}
	if !utf8.Valid(b) {
		return v
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// DomainDN returns the DC= tail of dn ("DC=litwareinc,DC=com"), or "".
func DomainDN(dn string) string {
	rdns := SplitDN(dn)
	i := len(rdns)
	for i > 0 && RDNType(rdns[i-1]) == "DC" {
		i--
	}
	return JoinDN(rdns[i:])
}

// NetBIOSFromDN returns the default NetBIOS domain name of a DN: its first
// DC= label ("litwareinc" for DC=litwareinc,DC=com), or "".
func NetBIOSFromDN(dn string) string {
	for _, r := range SplitDN(dn) {
		if RDNType(r) == "DC" {
			return RDNValue(r)
		}
	}
	return ""
}

// LooksLikeDN reports whether an identity is written as a distinguished
// name: it starts with CN=, OU=, DC=, O= or UID= (any case).
func LooksLikeDN(s string) bool {
	s = strings.TrimLeft(s, " ")
	i := strings.IndexByte(s, '=')
	if i <= 0 {
		return false
	}
	switch strings.ToUpper(strings.TrimSpace(s[:i])) {
	case "CN", "OU", "DC", "O", "UID":
		return true
	}
	return false
}
