package rbac

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"pinsh/host/store"
)

// TestOUScopeHolds checks the scope test against its definition, the DN
// keys, including the DNs whose text the fast path must not trust.
func TestOUScopeHolds(t *testing.T) {
	tests := []struct {
		dn, ou string
		want   bool
	}{
		{"CN=Ken Myer," + finance, finance, true},
		{"cn=ken myer,ou=FINANCE,dc=LitwareInc,dc=com", finance, true},
		{"CN=Deep One,OU=Payroll," + finance, finance, true},
		{finance, finance, true},
		{"CN=Ken, OU=Finance , DC=litwareinc,DC=com", finance, true}, // spaces: by key
		{"CN=Ken;" + finance, finance, true},
		{`CN=Myer\, Ken,` + finance, finance, true},
		{`CN="Myer, Ken",` + finance, finance, true},
		{"CN=Ken,OU=Finance2,DC=litwareinc,DC=com", finance, false},
		{"CN=Ken,XOU=Finance,DC=litwareinc,DC=com", finance, false},
		{"CN=Sal Es," + sales, finance, false},
		{dom, finance, false},
		{`CN=Ken\,` + finance, finance, false},            // one RDN: the comma is escaped
		{`CN="Ken,` + finance, finance, false},            // one RDN: inside an open quote
		{`CN=Ken\\,` + finance, finance, true},            // an escaped backslash, then a separator
		{"CN=Çé," + "OU=Çà," + dom, "OU=çà," + dom, true}, // non-ASCII: by key
		{"CN=x,OU=Finance, DC=litwareinc,DC=com", "OU=Finance,  DC=litwareinc,DC=com", true},
		{"", finance, false},
	}
	for _, tt := range tests {
		sc := &scopes{}
		addScopes(sc, []string{OUScopePrefix + tt.ou})
		want := store.KeyInSubtree(store.DNKey(tt.dn), store.DNKey(tt.ou))
		if want != tt.want {
			t.Fatalf("bad case %q in %q: the keys say %v", tt.dn, tt.ou, want)
		}
		if got := sc.holds(tt.dn); got != tt.want {
			t.Errorf("holds(%q) in %q = %v, want %v", tt.dn, tt.ou, got, tt.want)
		}
	}
}

// FuzzOUScope checks that the text test never admits a DN that the keys
// put outside the scope.
func FuzzOUScope(f *testing.F) {
	f.Add("CN=Ken Myer,"+finance, finance)
	f.Add(`CN=Myer\, Ken,`+finance, finance)
	f.Add(`CN="a,`+finance, finance)
	f.Add(`CN=a\\,`+finance, finance)
	f.Add("CN=a;OU=x", "ou=X")
	f.Add("cn=é,ou=É", "OU=É")
	f.Fuzz(func(t *testing.T, dn, ou string) {
		o := newOUScope(ou)
		want := store.KeyInSubtree(store.DNKey(dn), o.key)
		if o.endsWith(dn) && !want {
			t.Fatalf("%q ends with the scope %q, but its key %q is outside %q", dn, o.dn, store.DNKey(dn), o.key)
		}
		sc := &scopes{}
		addScopes(sc, []string{OUScopePrefix + ou})
		if len(sc.ous) == 1 && sc.holds(dn) != want {
			t.Fatalf("holds(%q) in %q = %v, keys say %v", dn, ou, !want, want)
		}
	})
}

// TestAuthorizerHammer decides from several goroutines while the cache
// is dropped, with the cmdlet and operator spelled in different cases;
// run with -race.
func TestAuthorizerHammer(t *testing.T) {
	_, a := newStore(t)
	inside := &Target{DN: "CN=Deep One,OU=Payroll," + finance}
	outside := &Target{DN: "CN=Sal Es," + sales}
	const goroutines, rounds = 8, 300
	var wg sync.WaitGroup
	errs := make(chan error, goroutines+1)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				cmd, op := "Unlock-CsClientPin", helpdesk
				if (g+i)%2 == 0 {
					cmd = "unlock-csclientpin"
				}
				if (g+i)%3 == 0 {
					op = "cn=hal desk,ou=it," + dom
				}
				if err := a.Allow(op, cmd, inside); err != nil {
					errs <- fmt.Errorf("%s %s inside: %v", op, cmd, err)
					return
				}
				if err := a.Allow(op, cmd, outside); err == nil {
					errs <- fmt.Errorf("%s %s outside was allowed", op, cmd)
					return
				}
				if err := a.Allow(op, "Set-CsClientPin", inside); err == nil {
					errs <- fmt.Errorf("%s Set-CsClientPin was allowed", op)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range rounds / 10 {
			a.Reload()
			if _, err := a.Grants(context.Background(), auditor); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkAllowScopedByKey is BenchmarkAllowScoped for a DN written
// differently from the scope (spaces after the commas), which is decided
// by the keys.
func BenchmarkAllowScopedByKey(b *testing.B) {
	_, a := newStore(b)
	target := &Target{DN: "CN=Deep One, OU=Payroll, OU=Finance, DC=litwareinc, DC=com"}
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Allow(helpdesk, "Unlock-CsClientPin", target); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAllowParallel is BenchmarkAllowScoped from every core at once.
func BenchmarkAllowParallel(b *testing.B) {
	_, a := newStore(b)
	target := &Target{DN: "CN=Deep One,OU=Payroll," + finance}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := a.Allow(helpdesk, "Unlock-CsClientPin", target); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
