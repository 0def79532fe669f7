package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "pinsh.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fixture users: name, DN, sam, upn, sip, enabled, pool.
var fixture = []User{
	{DN: "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com", SamAccountName: "kenmyer", UserPrincipalName: "kenmyer@litwareinc.com",
		SipAddress: "sip:kenmyer@litwareinc.com", DisplayName: "Ken Myer", Enabled: true, RegistrarPool: "pool01.litwareinc.com",
		Department: "Finance", Title: "Manager", City: "Redmond", LineURI: "tel:+14255550100;ext=100"},
	{DN: "CN=Pilar Ackerman,OU=Sales,OU=Redmond,DC=litwareinc,DC=com", SamAccountName: "pilara", UserPrincipalName: "pilar@litwareinc.com",
		SipAddress: "sip:pilar.ackerman@litwareinc.com", DisplayName: "Pilar Ackerman", Enabled: true, RegistrarPool: "pool01.litwareinc.com"},
	{DN: "CN=Pilar Pinilla,OU=Redmond,DC=litwareinc,DC=com", SamAccountName: "pilarp", UserPrincipalName: "pilarp@litwareinc.com",
		SipAddress: "sip:pilarp@litwareinc.com", DisplayName: "Pilar Pinilla", Enabled: true},
	{DN: "CN=David Smith,OU=Users,DC=litwareinc,DC=com", SamAccountName: "dsmith", UserPrincipalName: "dsmith@litwareinc.com",
		SipAddress: "sip:dsmith@litwareinc.com", DisplayName: "David Smith", Enabled: true, RegistrarPool: "pool01.litwareinc.com"},
	{DN: "CN=Anna Smithers,OU=Users,DC=litwareinc,DC=com", SamAccountName: "asmithers", UserPrincipalName: "asmithers@litwareinc.com",
		SipAddress: "sip:asmithers@litwareinc.com", DisplayName: "Anna Smithers", Enabled: true},
	{DN: "CN=Zoë Ångström,OU=Users,DC=litwareinc,DC=com", SamAccountName: "zoe", UserPrincipalName: "zoë@litwareinc.com",
		SipAddress: "sip:Zoë.Ångström@litwareinc.com", DisplayName: "Zoë Ångström", Enabled: true, RegistrarPool: "pool01.litwareinc.com"},
	{DN: "CN=Jo Smith,OU=Sales,OU=Redmond,DC=litwareinc,DC=com", SamAccountName: "josmith", UserPrincipalName: "josmith@litwareinc.com",
		DisplayName: "Jo Smith", Enabled: false},
	{DN: "CN=100% O'Brien_x,OU=Users,DC=litwareinc,DC=com", SamAccountName: "obrien", UserPrincipalName: "o'brien@litwareinc.com",
		SipAddress: "sip:o_brien%@litwareinc.com", DisplayName: "100% O'Brien_x", Enabled: true},
	{DN: "CN=Smith\\, John,OU=Users,DC=litwareinc,DC=com", SamAccountName: "jsmith", UserPrincipalName: "jsmith@litwareinc.com",
		SipAddress: "sip:jsmith@litwareinc.com", DisplayName: "Smith, John", Enabled: true},
}

func loadFixture(t testing.TB, s *Store) {
	t.Helper()
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tx.SetSetting(SettingNetBIOS, "litwareinc"); err != nil {
			return err
		}
		w, err := tx.DirectoryWriter()
		if err != nil {
			return err
		}
		defer w.Close()
		for i := range fixture {
			u := fixture[i]
			if _, err := w.PutUser(&u); err != nil {
				return err
			}
			if err := tx.EnsureOU(u.OU, "ou"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func sams(us []User) string {
	var out []string
	for _, u := range us {
		out = append(out, u.SamAccountName)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestResolveIdentity(t *testing.T) {
	s := openTemp(t)
	loadFixture(t, s)
	tests := []struct {
		id   string
		want string
	}{
		{"sip:kenmyer@litwareinc.com", "kenmyer"},
		{"SIP:KENMYER@LITWAREINC.COM", "kenmyer"},
		{"kenmyer@litwareinc.com", "kenmyer"},       // SIP and UPN
		{"pilar@litwareinc.com", "pilara"},          // UPN only
		{"pilar.ackerman@litwareinc.com", "pilara"}, // SIP only
		{"litwareinc\\kenmyer", "kenmyer"},          // domain\logon
		{"LITWAREINC\\KenMyer", "kenmyer"},          // case-insensitive
		{"contoso\\kenmyer", ""},                    // wrong domain
		{"kenmyer", ""},                             // bare sam is not an identity
		{"CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com", "kenmyer"},
		{"cn=ken myer, ou=finance, dc=litwareinc, dc=com", "kenmyer"},
		{"Ken Myer", "kenmyer"},
		{"ken myer", "kenmyer"},
		{"Ken", ""},
		{"Pilar*", "pilara,pilarp"},
		{"pilar a*", "pilara"},
		{"* Smith", "dsmith,josmith"},
		{"*smith*", "asmithers,dsmith,josmith,jsmith"},
		{"*", "asmithers,dsmith,josmith,jsmith,kenmyer,obrien,pilara,pilarp,zoe"},
		{"P*n", "pilara"},
		{"*a*a*", "asmithers,pilara,pilarp"},
		{"Zoë Ångström", "zoe"},
		{"ZOË ÅNGSTRÖM", "zoe"},
		{"zoë*", "zoe"},
		{"* ÅNGSTRÖM", "zoe"},
		{"sip:ZOË.ÅNGSTRÖM@litwareinc.com", "zoe"},
		{"ZOË@litwareinc.com", "zoe"},
		{"100% O'Brien_x", "obrien"},
		{"100% O'Brien_y", ""},
		{"100_ O'Brien_x", ""}, // _ is not a wildcard
		{"1000 O'Brien%x", ""}, // nor is %
		{"100%*", "obrien"},
		{"sip:o_brien%@litwareinc.com", "obrien"},
		{"sip:oxbrien%@litwareinc.com", ""},
		{"o'brien@litwareinc.com", "obrien"},
		{"Smith, John", "jsmith"},
		{"CN=Smith\\, John,OU=Users,DC=litwareinc,DC=com", "jsmith"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, err := s.ResolveIdentity(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if g := sams(got); g != tt.want {
				t.Errorf("ResolveIdentity(%q) = %q, want %q", tt.id, g, tt.want)
			}
		})
	}
}

func TestEachUserQuery(t *testing.T) {
	s := openTemp(t)
	loadFixture(t, s)
	tests := []struct {
		name string
		q    UserQuery
		want string
	}{
		{"all", UserQuery{}, "asmithers,dsmith,josmith,jsmith,kenmyer,obrien,pilara,pilarp,zoe"},
		{"enabled", UserQuery{EnabledOnly: true}, "asmithers,dsmith,jsmith,kenmyer,obrien,pilara,pilarp,zoe"},
		{"OU subtree", UserQuery{OU: "OU=Redmond,DC=litwareinc,DC=com"}, "josmith,pilara,pilarp"},
		{"OU any case", UserQuery{OU: "ou=REDMOND, dc=LitwareInc,dc=com"}, "josmith,pilara,pilarp"},
		{"child OU", UserQuery{OU: "OU=Sales,OU=Redmond,DC=litwareinc,DC=com"}, "josmith,pilara"},
		{"OU prefix is not a parent", UserQuery{OU: "OU=Sale,OU=Redmond,DC=litwareinc,DC=com"}, ""},
		{"OU and identity", UserQuery{OU: "OU=Redmond,DC=litwareinc,DC=com", Identity: "* Smith"}, "josmith"},
		{"enabled OU", UserQuery{OU: "OU=Redmond,DC=litwareinc,DC=com", EnabledOnly: true}, "pilara,pilarp"},
		{"unassigned", UserQuery{Unassigned: true}, "asmithers,jsmith,obrien,pilarp"},
		{"limit", UserQuery{Limit: 2}, "kenmyer,pilara"},
		{"match", UserQuery{Match: func(u *User) (bool, error) { return u.Department == "Finance", nil }}, "kenmyer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []User
			err := s.EachUser(ctx, tt.q, func(u *User) error {
				got = append(got, *u)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if g := sams(got); g != tt.want {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

func TestUserRoundTrip(t *testing.T) {
	s := openTemp(t)
	loadFixture(t, s)
	u, err := s.UserByDN(ctx, "cn=ken myer,ou=finance,dc=litwareinc,dc=com")
	if err != nil {
		t.Fatal(err)
	}
	want := fixture[0]
	want.ID = u.ID
	want.OU = "OU=Finance,DC=litwareinc,DC=com"
	if fmt.Sprintf("%+v", *u) != fmt.Sprintf("%+v", want) {
		t.Errorf("got  %+v\nwant %+v", *u, want)
	}
	if _, err := s.UserByDN(ctx, "CN=Nobody,DC=x"); err == nil || err.Error() != `Management object not found for identity "CN=Nobody,DC=x".` {
		t.Errorf("UserByDN(unknown) error = %v", err)
	}
	// Update in place by GUID keeps the row and moves the DN.
	err = s.Write(ctx, func(tx *Tx) error {
		w, err := tx.DirectoryWriter()
		if err != nil {
			return err
		}
		defer w.Close()
		v := *u
		v.GUID = "11111111-2222-3333-4444-555555555555"
		if added, err := w.PutUser(&v); err != nil || added {
			return fmt.Errorf("first put: added=%v err=%v", added, err)
		}
		v.DN = "CN=Ken Myer,OU=Users,DC=litwareinc,DC=com"
		v.OU = ""
		if added, err := w.PutUser(&v); err != nil || added || v.ID != u.ID {
			return fmt.Errorf("move: added=%v err=%v id=%d", added, err, v.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.ResolveIdentity(ctx, "CN=Ken Myer,OU=Users,DC=litwareinc,DC=com")
	if len(got) != 1 || got[0].ID != u.ID || got[0].OU != "OU=Users,DC=litwareinc,DC=com" {
		t.Errorf("after move: %+v", got)
	}
}

func TestFileModes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "modes.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Created() {
		t.Error("Created() = false for a new store")
	}
	loadFixture(t, s) // makes -wal and -shm exist
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), m)
		}
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Created() {
		t.Error("Created() = true for an existing store")
	}
	if v, _ := s2.Version(ctx); v != SchemaVersion() {
		t.Errorf("Version = %d", v)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Open(dir) = %v", err)
	}
	odd := filepath.Join(dir, "we?ird#name%20.db")
	s, err := Open(odd)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(odd); err != nil {
		t.Errorf("store with URI metacharacters not created at its path: %v", err)
	}
	// A newer schema is refused with a message that says so.
	path := filepath.Join(dir, "new.db")
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO schema_version VALUES(99, 'future', 0)`)
		return err
	})
	s.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer than this pinsh") {
		t.Errorf("Open(newer schema) = %v", err)
	}
}

func TestDN(t *testing.T) {
	tests := []struct{ dn, key, parent, rdnValue string }{
		{"CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com", "dc=com,dc=litwareinc,ou=finance,cn=ken myer", "OU=Finance,DC=litwareinc,DC=com", "Ken Myer"},
		{" cn = Ken Myer , ou=Finance,dc=litwareinc,dc=com ", "dc=com,dc=litwareinc,ou=finance,cn=ken myer", "ou=Finance,dc=litwareinc,dc=com", "Ken Myer"},
		{`CN=Smith\, John,OU=Users,DC=x`, `dc=x,ou=users,cn=smith\, john`, "OU=Users,DC=x", "Smith, John"},
		{`CN=Zoë Ångström,DC=x`, `dc=x,cn=zoë ångström`, "DC=x", "Zoë Ångström"},
		{`CN=a\2Cb,DC=x`, `dc=x,cn=a\2cb`, "DC=x", "a,b"},
	}
	for _, tt := range tests {
		if k := DNKey(tt.dn); k != tt.key {
			t.Errorf("DNKey(%q) = %q, want %q", tt.dn, k, tt.key)
		}
		if p := ParentDN(tt.dn); p != tt.parent {
			t.Errorf("ParentDN(%q) = %q, want %q", tt.dn, p, tt.parent)
		}
		if v := RDNValue(SplitDN(tt.dn)[0]); v != tt.rdnValue {
			t.Errorf("RDNValue(%q) = %q, want %q", tt.dn, v, tt.rdnValue)
		}
	}
	if !InSubtree("CN=Ken,OU=Sales,OU=Redmond,DC=x", "ou=redmond,dc=X") || InSubtree("CN=Ken,OU=Salesx,DC=x", "OU=Sales,DC=x") {
		t.Error("InSubtree wrong")
	}
	if NetBIOSFromDN("CN=Ken,OU=F,DC=litwareinc,DC=com") != "litwareinc" || DomainDN("CN=Ken,OU=F,DC=litwareinc,DC=com") != "DC=litwareinc,DC=com" {
		t.Error("NetBIOSFromDN/DomainDN wrong")
	}
}

func TestGroups(t *testing.T) {
	s := openTemp(t)
	loadFixture(t, s)
	err := s.Write(ctx, func(tx *Tx) error {
		w, err := tx.DirectoryWriter()
		if err != nil {
			return err
		}
		defer w.Close()
		// Forward reference: membership before the group exists.
		if err := w.AddMember("CN=HelpDeskStaff,OU=HelpDesk,DC=litwareinc,DC=com", "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"); err != nil {
			return err
		}
		for _, g := range []Group{
			{DN: "CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com", SamAccountName: "CsHelpDesk"},
			{DN: "CN=HelpDeskStaff,OU=HelpDesk,DC=litwareinc,DC=com", SamAccountName: "HelpDeskStaff"},
			{DN: "CN=Loop,DC=litwareinc,DC=com", SamAccountName: "Loop"},
		} {
			if _, err := w.PutGroup(&g); err != nil {
				return err
			}
		}
		// Nested: HelpDeskStaff is in CsHelpDesk; a cycle Loop <-> CsHelpDesk.
		for _, m := range [][2]string{
			{"CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com", "CN=HelpDeskStaff,OU=HelpDesk,DC=litwareinc,DC=com"},
			{"CN=Loop,DC=litwareinc,DC=com", "CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com"},
			{"CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com", "CN=Loop,DC=litwareinc,DC=com"},
		} {
			if err := w.AddMember(m[0], m[1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := s.MemberOf(ctx, "cn=ken myer,ou=finance,dc=litwareinc,dc=com")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range gs {
		names = append(names, g.SamAccountName)
	}
	if got := strings.Join(names, ","); got != "CsHelpDesk,HelpDeskStaff,Loop" {
		t.Errorf("MemberOf = %q", got)
	}
	members, err := s.GroupMembers(ctx, "CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com")
	if err != nil || len(members) != 2 {
		t.Errorf("GroupMembers = %v, %v", members, err)
	}
	if g, err := s.GroupBySam(ctx, "cshelpdesk"); err != nil || g.SamAccountName != "CsHelpDesk" {
		t.Errorf("GroupBySam = %v, %v", g, err)
	}
}

func TestAuditChain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 5; i++ {
		r := &AuditRecord{Operator: "admin", OSAccount: "root", Cmdlet: "Set-CsClientPin",
			Target: fmt.Sprintf("sip:user%d@litwareinc.com", i), Action: "SetPin", Outcome: OutcomeSuccess}
		if err := s.AppendAudit(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.Seq != int64(i+1) {
			t.Errorf("seq = %d", r.Seq)
		}
	}
	n, probs, err := s.VerifyAudit(ctx)
	if err != nil || n != 5 || len(probs) != 0 {
		t.Fatalf("VerifyAudit = %d, %v, %v", n, probs, err)
	}
	// The table refuses updates and deletes.
	err = s.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE audit SET outcome = 'Failure' WHERE seq = 2`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE audit = %v", err)
	}
	var filtered []int64
	s.EachAudit(ctx, AuditFilter{Target: "SIP:USER3@litwareinc.com"}, func(r *AuditRecord) error {
		filtered = append(filtered, r.Seq)
		return nil
	})
	if len(filtered) != 1 || filtered[0] != 4 {
		t.Errorf("filtered = %v", filtered)
	}
	// Someone with the file drops the triggers and edits, then deletes.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`,
		`UPDATE audit SET target = 'sip:other@litwareinc.com' WHERE seq = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	_, probs, _ = s.VerifyAudit(ctx)
	if len(probs) != 1 || probs[0].Seq != 2 || !strings.Contains(probs[0].Reason, "edited") {
		t.Errorf("after edit: %v", probs)
	}
	raw.Exec(`DELETE FROM audit WHERE seq = 4`)
	raw.Exec(`DELETE FROM audit WHERE seq = 5`)
	_, probs, _ = s.VerifyAudit(ctx)
	if len(probs) != 2 || probs[1].Seq != 5 {
		t.Errorf("after deleting the tail: %v", probs)
	}
}

func TestPolicyIdentity(t *testing.T) {
	tests := []struct{ in, scope, name, err string }{
		{"Global", "global", "", ""},
		{"global", "global", "", ""},
		{"site:Redmond", "site", "Redmond", ""},
		{"Tag:RedmondPinPolicy", "tag", "RedmondPinPolicy", ""},
		{"RedmondPinPolicy", "tag", "RedmondPinPolicy", ""},
		{"foo:bar", "", "", "unknown scope"},
		{"tag:", "", "", "no name"},
		{"", "", "", "empty"},
	}
	for _, tt := range tests {
		sc, n, err := ParsePolicyIdentity(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParsePolicyIdentity(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || sc != tt.scope || n != tt.name {
			t.Errorf("ParsePolicyIdentity(%q) = %q %q %v", tt.in, sc, n, err)
		}
	}
	s := openTemp(t)
	g, err := s.PinPolicy(ctx, "global")
	if err != nil || g == nil || g.Identity() != "Global" || g.MinPasswordLength != 5 {
		t.Fatalf("global policy = %+v, %v", g, err)
	}
	err = s.Write(ctx, func(tx *Tx) error {
		p := DefaultPinPolicy(ScopeTag, "RedmondPinPolicy")
		p.MaximumLogonAttempts = 7
		return tx.PutPinPolicy(&p)
	})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.PinPolicy(ctx, PolicyKey(ScopeTag, "REDMONDPINPOLICY"))
	if p == nil || p.Identity() != "Tag:RedmondPinPolicy" || p.MaximumLogonAttempts != 7 {
		t.Errorf("tag policy = %+v", p)
	}
}

// TestConcurrentWriters runs read-then-write transactions from several
// Store handles at once (each its own connections, as separate processes
// would have); none may fail and no increment may be lost.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conc.db")
	const writers, per = 4, 100
	stores := make([]*Store, writers)
	for i := range stores {
		s, err := OpenWith(path, Options{BusyTimeout: 50 * 1e6}) // 50 ms: force retries
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*per)
	for _, s := range stores {
		wg.Add(1)
		go func(s *Store) {
			defer wg.Done()
			for j := 0; j < per; j++ {
				errs <- incrementCounter(s)
			}
		}(s)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if v, _, _ := stores[0].Setting(ctx, "counter"); v != strconv.Itoa(writers*per) {
		t.Errorf("counter = %s, want %d", v, writers*per)
	}
}

func incrementCounter(s *Store) error {
	return s.Write(ctx, func(tx *Tx) error {
		v, _, err := tx.Setting("counter")
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(v)
		return tx.SetSetting("counter", strconv.Itoa(n+1))
	})
}

// TestTwoProcesses starts two processes that increment one counter at once.
func TestTwoProcesses(t *testing.T) {
	if os.Getenv("PINSH_STORE_CHILD") != "" {
		t.Skip("child")
	}
	path := filepath.Join(t.TempDir(), "procs.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	const per = 200
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for i := 0; i < 2; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildWriter$")
		cmd.Env = append(os.Environ(), "PINSH_STORE_CHILD="+path, "PINSH_STORE_N="+strconv.Itoa(per))
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		outs = append(outs, &out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i])
		}
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _, _ := s.Setting(ctx, "counter"); v != strconv.Itoa(2*per) {
		t.Errorf("counter = %s, want %d", v, 2*per)
	}
}

func TestChildWriter(t *testing.T) {
	path := os.Getenv("PINSH_STORE_CHILD")
	if path == "" {
		t.Skip("only run as a child of TestTwoProcesses")
	}
	n, _ := strconv.Atoi(os.Getenv("PINSH_STORE_N"))
	s, err := OpenWith(path, Options{BusyTimeout: 20 * 1e6})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < n; i++ {
		if err := incrementCounter(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueryPlans checks that every identity form and -OU is an index
// look-up or range, never a scan of the users table (except wildcards with
// no literal prefix or suffix).
func TestQueryPlans(t *testing.T) {
	s := openTemp(t)
	loadFixture(t, s)
	tests := []struct {
		q     UserQuery
		index string
	}{
		{UserQuery{Identity: "sip:kenmyer@litwareinc.com"}, "users_sip"},
		{UserQuery{Identity: "kenmyer@litwareinc.com"}, "MULTI-INDEX OR"},
		{UserQuery{Identity: `litwareinc\kenmyer`}, "users_sam"},
		{UserQuery{Identity: "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"}, "sqlite_autoindex_users_2"},
		{UserQuery{Identity: "Ken Myer"}, "users_display"},
		{UserQuery{Identity: "Pilar*"}, "users_display (display_key>? AND display_key<?)"},
		{UserQuery{Identity: "* Smith"}, "users_display_rev (display_rev>? AND display_rev<?)"},
		{UserQuery{OU: "OU=Redmond,DC=litwareinc,DC=com", EnabledOnly: true}, "sqlite_autoindex_users_2 (dn_key>? AND dn_key<?)"},
		{UserQuery{Identity: "*"}, "SCAN users"},
	}
	for _, tt := range tests {
		query, args, _, _, err := s.userQuery(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.Reader().Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, tt.index) || (tt.index != "SCAN users" && strings.Contains(p, "SCAN users")) {
			t.Errorf("%+v: plan %q, want %q", tt.q, p, tt.index)
		}
	}
}

// TestOpenDoesNotWaitForWriters opens an up-to-date store while another
// handle holds the write lock: opening and reading must not wait for it.
func TestOpenDoesNotWaitForWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	s1, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	loadFixture(t, s1)
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s1.Write(ctx, func(tx *Tx) error {
			if err := tx.SetSetting("x", "1"); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	start := time.Now()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if us, err := s2.ResolveIdentity(ctx, "Ken Myer"); err != nil || len(us) != 1 {
		t.Errorf("read during a write: %v %v", us, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Open and a read waited %s for another writer", d)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestMissingIndexesRebuilt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ix.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, dropUserIndexes); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	s.Reader().QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'users_%'`).Scan(&n)
	if n != len(userIndexes) {
		t.Errorf("%d user indexes after reopening, want %d", n, len(userIndexes))
	}
}

// TestUniqueIdentityIndexes: migration 2 makes SIP addresses, UPNs and
// sAMAccountNames unique where the store allows it; a store written before
// it with duplicates still opens, without the index concerned.
func TestUniqueIdentityIndexes(t *testing.T) {
	tests := []struct {
		name  string
		users [][3]string // sam, upn, sip keys
		want  []string    // unique indexes present after the migration
	}{
		{"no duplicates", [][3]string{{"a", "a@x", "a@x"}, {"b", "", ""}, {"c", "", ""}},
			[]string{"uniq_users_sam", "uniq_users_sip", "uniq_users_upn"}},
		{"duplicate SIP address", [][3]string{{"a", "a@x", "a@x"}, {"b", "b@x", "a@x"}},
			[]string{"uniq_users_sam", "uniq_users_upn"}},
		{"duplicate sAMAccountName and UPN", [][3]string{{"a", "a@x", ""}, {"a", "a@x", ""}},
			[]string{"uniq_users_sip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			// Make it a version 1 store holding the users.
			err = s.Write(ctx, func(tx *Tx) error {
				for _, ix := range uniqueUserIndexes {
					if _, err := tx.Exec(`DROP INDEX ` + ix[0]); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(`DELETE FROM schema_version WHERE version >= 2`); err != nil {
					return err
				}
				for i, u := range tt.users {
					if _, err := tx.Exec(`INSERT INTO users(dn, dn_key, ou_dn, sam_key, upn_key, sip_key) VALUES(?, ?, 'DC=x', ?, ?, ?)`,
						fmt.Sprintf("CN=u%d,DC=x", i), fmt.Sprintf("dc=x,cn=u%d", i), u[0], u[1], u[2]); err != nil {
						return err
					}
				}
				return nil
			})
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
			s, err = Open(path)
			if err != nil {
				t.Fatalf("a store with duplicates does not open: %v", err)
			}
			defer s.Close()
			if v, _ := s.Version(ctx); v != SchemaVersion() || v < 2 {
				t.Errorf("version %d after opening", v)
			}
			var got []string
			err = s.Write(ctx, func(tx *Tx) error {
				rows, err := tx.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'uniq\_users\_%' ESCAPE '\' ORDER BY name`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var n string
					if err := rows.Scan(&n); err != nil {
						return err
					}
					got = append(got, n)
				}
				return rows.Err()
			})
			if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("unique indexes %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}
