package rbac

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"pinsh/host/store"
)

const (
	dom      = "DC=litwareinc,DC=com"
	finance  = "OU=Finance," + dom
	sales    = "OU=Sales," + dom
	helpdesk = "CN=Hal Desk,OU=IT," + dom
	auditor  = "CN=Ann Audit,OU=IT," + dom
	useradm  = "CN=Uma Admin,OU=IT," + dom
	both     = "CN=Bo Th,OU=IT," + dom
	nobody   = "CN=No Body,OU=IT," + dom
)

// newStore returns a store with the standard roles, a help-desk role scoped
// to Finance and a few principals in the role groups.
func newStore(t testing.TB) (*store.Store, *Authorizer) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "rbac.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := SeedRoles(ctx, st); err != nil {
		t.Fatal(err)
	}
	groups := map[string][]string{
		"FinanceHelpDesk":         {helpdesk, both},
		"CsViewOnlyAdministrator": {auditor},
		"CsUserAdministrator":     {useradm},
		"SalesPinAdmins":          {both},
	}
	err = st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.PutRole(&store.Role{Name: "FinanceHelpDesk", Template: "CsHelpDesk",
			Cmdlets:    []string{"Get-CsUser", "Get-CsClientPinInfo", "Lock-CsClientPin", "Unlock-CsClientPin"},
			UserScopes: []string{"OU:" + finance}}); err != nil {
			return err
		}
		if err := tx.PutRole(&store.Role{Name: "SalesPinAdmins", Template: "CsUserAdministrator",
			Cmdlets: []string{"Set-CsClientPin"}, UserScopes: []string{"OU:" + sales}}); err != nil {
			return err
		}
		w, err := tx.DirectoryWriter()
		if err != nil {
			return err
		}
		defer w.Close()
		for g, members := range groups {
			gdn := "CN=" + g + ",OU=Groups," + dom
			if _, err := w.PutGroup(&store.Group{DN: gdn, SamAccountName: g}); err != nil {
				return err
			}
			for _, m := range members {
				if err := w.AddMember(gdn, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, NewAuthorizer(st)
}

func TestDecisions(t *testing.T) {
	_, a := newStore(t)
	kenFinance := &Target{DN: "CN=Ken Myer," + finance}
	deepFinance := &Target{DN: "CN=Deep One,OU=Payroll," + finance}
	salesUser := &Target{DN: "CN=Sal Es," + sales}
	tests := []struct {
		op, cmdlet string
		target     *Target
		allow      bool
		reason     string // substring of the denial
	}{
		{helpdesk, "Lock-CsClientPin", kenFinance, true, ""},
		{helpdesk, "unlock-csclientpin", deepFinance, true, ""},
		{helpdesk, "Set-CsClientPin", kenFinance, false, "none of the operator's roles lists"},
		{helpdesk, "Lock-CsClientPin", salesUser, false, "outside the operator's user scopes"},
		{helpdesk, "Get-CsClientPinInfo", salesUser, false, "outside"},
		{auditor, "Get-CsClientPinInfo", salesUser, true, ""},
		{auditor, "Set-CsClientPin", salesUser, false, "lists"},
		{auditor, "Lock-CsClientPin", kenFinance, false, "lists"},
		{useradm, "Set-CsClientPin", salesUser, true, ""},
		// A plugin cmdlet no role lists: only the superusers.
		{useradm, "Reset-CsVoicemailPin", salesUser, false, "only CsAdministrator"},
		// Union per cmdlet: Set comes only with the Sales scope, Lock only
		// with the Finance scope; never a scope from a role lacking the cmdlet.
		{both, "Set-CsClientPin", salesUser, true, ""},
		{both, "Set-CsClientPin", kenFinance, false, "outside"},
		{both, "Lock-CsClientPin", kenFinance, true, ""},
		{both, "Lock-CsClientPin", salesUser, false, "outside"},
		{nobody, "Get-CsUser", nil, false, "lists"},
	}
	for _, tt := range tests {
		err := a.Allow(tt.op, tt.cmdlet, tt.target)
		if tt.allow != (err == nil) {
			t.Errorf("%s %s on %v: allow=%v, got %v", tt.op, tt.cmdlet, tt.target, tt.allow, err)
			continue
		}
		if err != nil {
			var d *DeniedError
			if !errors.As(err, &d) || !strings.Contains(err.Error(), tt.reason) ||
				!strings.Contains(err.Error(), tt.cmdlet) || !strings.Contains(err.Error(), tt.op) {
				t.Errorf("%s %s: denial %q should name operator, cmdlet and %q", tt.op, tt.cmdlet, err, tt.reason)
			}
			if tt.target != nil && !strings.Contains(err.Error(), tt.target.DN) {
				t.Errorf("denial %q does not name the target", err)
			}
		}
	}
}

func TestBootstrapAndSuperuser(t *testing.T) {
	ctx := context.Background()
	st, a := newStore(t)
	if _, err := Operator(ctx, st, "alice"); err == nil || !strings.Contains(err.Error(), "not an operator of this store") {
		t.Fatalf("unmapped account: %v", err)
	}
	if err := Bootstrap(ctx, st, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := Bootstrap(ctx, st, "mallory"); err != nil { // a no-op now
		t.Fatal(err)
	}
	if _, err := Operator(ctx, st, "mallory"); err == nil {
		t.Fatal("a second account must not be bootstrapped")
	}
	p, err := Operator(ctx, st, "alice")
	if err != nil {
		t.Fatal(err)
	}
	a.Reload()
	g, err := a.Grants(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Superuser() || !g.Can(RunAs) {
		t.Fatalf("bootstrap admin grants: roles %v", g.Roles)
	}
	if err := a.Allow(p, "Reset-CsVoicemailPin", &Target{DN: "CN=x," + sales}); err != nil {
		t.Fatalf("superuser and an unlisted plugin cmdlet: %v", err)
	}
}

func TestStandardRolesTable(t *testing.T) {
	byName := map[string]map[string]bool{}
	for _, r := range StandardRoles() {
		m := map[string]bool{}
		for _, c := range r.Cmdlets {
			m[c] = true
		}
		byName[r.Name] = m
	}
	if len(byName) != 14 {
		t.Fatalf("want 3 local groups + 11 roles, got %d", len(byName))
	}
	setters := []string{}
	for name, m := range byName {
		if m["Set-CsClientPin"] {
			setters = append(setters, name)
		}
	}
	if len(setters) != 3 {
		t.Errorf("Set-CsClientPin holders: %v", setters)
	}
	if byName["CsHelpDesk"]["Set-CsClientPin"] || !byName["CsHelpDesk"]["Unlock-CsClientPin"] {
		t.Error("CsHelpDesk locks and unlocks but cannot set")
	}
	for c := range byName["CsViewOnlyAdministrator"] {
		if !strings.HasPrefix(c, "Get-") {
			t.Errorf("view-only role lists %s", c)
		}
	}
}

// BenchmarkAllowScoped measures one authorization check for a scoped
// operator (grants cached), the per-object cost RBAC adds to a pipeline.
func BenchmarkAllowScoped(b *testing.B) {
	_, a := newStore(b)
	target := &Target{DN: "CN=Deep One,OU=Payroll," + finance}
	if err := a.Allow(helpdesk, "Unlock-CsClientPin", target); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Allow(helpdesk, "Unlock-CsClientPin", target); err != nil {
			b.Fatal(err)
		}
	}
}
