package rbac

import (
	"strings"
	"unicode/utf8"

	"pinsh/host/store"
)

// ouScope is one OU user scope.
type ouScope struct {
	// key is the OU's [store.DNKey].
	key string
	// dn is the OU's DN normalised with [store.NormDN], the form in which
	// the store's DNs usually end; "" when it is not ASCII or would not
	// give the same key, so that only the key decides.
	dn string
}

func newOUScope(dn string) ouScope {
	o := ouScope{key: store.DNKey(dn)}
	if norm := store.NormDN(dn); o.key != "" && isASCII(norm) && store.DNKey(norm) == o.key {
		o.dn = norm
	}
	return o
}

// holds reports whether some OU scope's subtree holds the user dn, with
// the same answer as [store.KeyInSubtree] on the keys. Most DNs end with
// the OU's DN as written, which is checked without building dn's key; only
// a DN that does not is keyed.
func (sc *scopes) holds(dn string) bool {
	for _, ou := range sc.ous {
		if ou.endsWith(dn) {
			return true
		}
	}
	if len(sc.ous) == 0 {
		return false
	}
	key := store.DNKey(dn)
	for _, ou := range sc.ous {
		if store.KeyInSubtree(key, ou.key) {
			return true
		}
	}
	return false
}

// endsWith reports whether dn is the OU's DN, or ends with it after an RDN
// separator, without case. Such a DN is in the OU's subtree: its RDNs are the OU's RDNs after its
// own, so its key starts with the OU's key. false means only "not by this
// test".
func (o ouScope) endsWith(dn string) bool {
	if o.dn == "" || len(dn) < len(o.dn) {
		return false
	}
	cut := len(dn) - len(o.dn)
	// With o.dn ASCII, EqualFold matches only ASCII letters of either case
	// (a non-ASCII rune is longer than the ASCII one it folds to), so the
	// match implies equal object.Fold forms.
	if !strings.EqualFold(dn[cut:], o.dn) {
		return false
	}
	if cut == 0 {
		return true
	}
	if c := dn[cut-1]; c != ',' && c != ';' {
		return false
	}
	return separatorFollows(dn[:cut-1])
}

// separatorFollows reports whether a ',' or ';' right after prefix ends an
// RDN as [store.SplitDN] reads it: it is neither escaped by a backslash
// nor inside a quoted value.
func separatorFollows(prefix string) bool {
	inQuote := false
	i := 0
	for ; i < len(prefix); i++ {
		switch prefix[i] {
		case '\\':
			i++ // the escaped byte; past the end, the separator itself
		case '"':
			inQuote = !inQuote
		}
	}
	return !inQuote && i == len(prefix)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
