package directory

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"pinsh/host/store"
	"pinsh/scripts/gendir/litware"
)

var ctx = context.Background()

func tempStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "dir.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func demoFile(t testing.TB, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "litware.ldf")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := litware.Write(f, n, 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestImportDemo(t *testing.T) {
	st := tempStore(t)
	path := demoFile(t, 300)
	res, err := Import(ctx, st, path, Options{Audit: &store.AuditRecord{Operator: "admin", OSAccount: "root", Cmdlet: "Import-CsDirectory"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 300 || res.Updated != 0 || res.Skipped != 0 || res.Ignored != 1 || res.Groups != 16 || len(res.Problems) != 0 {
		t.Errorf("first import: %s (ignored %d) %v", res, res.Ignored, res.Problems)
	}
	if res.NetBiosName != "litwareinc" {
		t.Errorf("NetBIOS = %q", res.NetBiosName)
	}
	ken, err := st.ResolveIdentity(ctx, `litwareinc\kenmyer`)
	if err != nil || len(ken) != 1 {
		t.Fatalf("Ken: %v %v", ken, err)
	}
	k := ken[0]
	if k.DN != "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com" || k.SipAddress != "sip:kenmyer@litwareinc.com" ||
		!k.Enabled || k.RegistrarPool != "pool01.litwareinc.com" || k.LineURI != "tel:+14255550100;ext=100" ||
		!k.EnterpriseVoiceEnabled || k.Department != "Finance" || k.City != "Redmond" || len(k.GUID) != 36 {
		t.Errorf("Ken = %+v", k)
	}
	if z, _ := st.ResolveIdentity(ctx, "ZOË ÅNGSTRÖM"); len(z) != 1 || z[0].DisplayName != "Zoë Ångström" {
		t.Errorf("Zoë = %+v", z)
	}
	// Groups: forward references and nesting resolved.
	gs, err := st.MemberOf(ctx, "CN=Hannah Dubois,OU=HelpDesk,DC=litwareinc,DC=com")
	if err != nil || len(gs) != 2 || gs[0].SamAccountName != "CsHelpDesk" || gs[1].SamAccountName != "HelpDeskStaff" {
		t.Errorf("Hannah's groups = %+v %v", gs, err)
	}
	// OUs, nested ones included.
	for _, ou := range []string{"OU=Sales,OU=Redmond,DC=litwareinc,DC=com", "CN=Users,DC=litwareinc,DC=com", "DC=litwareinc,DC=com"} {
		if _, err := st.OUByDN(ctx, ou); err != nil {
			t.Errorf("OU %s: %v", ou, err)
		}
	}
	// Re-import updates in place.
	if site, _, _ := st.Setting(ctx, store.SettingSite); site != "" {
		t.Errorf("site %q before -SiteName", site)
	}
	res, err = Import(ctx, st, path, Options{NetBiosName: "LITWARE", SiteName: " Redmond "})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 0 || res.Updated != 300 || res.NetBiosName != "LITWARE" {
		t.Errorf("re-import: %s netbios %q", res, res.NetBiosName)
	}
	if site, _, _ := st.Setting(ctx, store.SettingSite); site != "Redmond" {
		t.Errorf("site %q after -SiteName Redmond", site)
	}
	if again, _ := st.ResolveIdentity(ctx, `litware\kenmyer`); len(again) != 1 || again[0].ID != k.ID {
		t.Errorf("after re-import Ken = %+v", again)
	}
	if n, _ := st.CountUsers(ctx, false); n != 300 {
		t.Errorf("%d users after re-import", n)
	}
	var audits int
	st.EachAudit(ctx, store.AuditFilter{Cmdlet: "Import-CsDirectory"}, func(r *store.AuditRecord) error {
		audits++
		if r.Target != path || !strings.Contains(r.Detail, "300 users added") {
			t.Errorf("audit = %+v", r)
		}
		return nil
	})
	if audits != 1 {
		t.Errorf("%d import audit records", audits)
	}
}

func TestImportUpdatesAndProblems(t *testing.T) {
	st := tempStore(t)
	first := `dn: CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com
objectClass: user
objectGUID:: AAECAwQFBgcICQoLDA0ODw==
sAMAccountName: kenmyer
displayName: Ken Myer
msRTCSIP-PrimaryUserAddress: sip:kenmyer@litwareinc.com
msRTCSIP-UserEnabled: TRUE
title: Manager

`
	if _, err := Import(ctx, st, writeFile(t, "a.ldf", first), Options{}); err != nil {
		t.Fatal(err)
	}
	ken, _ := st.UserByDN(ctx, "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com")
	if ken.GUID != "03020100-0504-0706-0809-0a0b0c0d0e0f" {
		t.Errorf("GUID = %s", ken.GUID)
	}
	// The same GUID under a new DN moves the user; a broken entry in the
	// middle is skipped; a member reference to a user later in the file
	// resolves; modify and delete records apply.
	second := `version: 1

dn: CN=Sales Team,OU=Sales,DC=litwareinc,DC=com
objectClass: group
member: CN=Pilar Ackerman,OU=Sales,DC=litwareinc,DC=com
member: CN=Ken Myer,OU=Sales,DC=litwareinc,DC=com

dn: CN=Ken Myer,OU=Sales,DC=litwareinc,DC=com
objectClass: user
objectGUID:: AAECAwQFBgcICQoLDA0ODw==
sAMAccountName: kenmyer
displayName: Ken Myer
msRTCSIP-UserEnabled: maybe

dn: CN=Ken Myer,OU=Sales,DC=litwareinc,DC=com
objectClass: user
objectGUID:: AAECAwQFBgcICQoLDA0ODw==
sAMAccountName: kenmyer
displayName: Ken Myer
msRTCSIP-PrimaryUserAddress: sip:kenmyer@litwareinc.com
msRTCSIP-UserEnabled: TRUE

dn: CN=Broken,OU=Sales,DC=litwareinc,DC=com
objectClass: user
displayName:: !!notbase64

dn: CN=Pilar Ackerman,OU=Sales,DC=litwareinc,DC=com
objectClass: user
objectGUID: {A0B1C2D3-0000-1111-2222-333344445555}
sAMAccountName: pilara
memberOf: CN=Later Group,DC=litwareinc,DC=com

dn: CN=Later Group,DC=litwareinc,DC=com
objectClass: group

dn: CN=Pilar Ackerman,OU=Sales,DC=litwareinc,DC=com
changetype: modify
replace: title
title: Supervisor
-
add: department
department: Sales
-

dn: CN=Nobody,DC=litwareinc,DC=com
changetype: modify
replace: title
title: x
-

dn: CN=Guid Clash,DC=litwareinc,DC=com
objectClass: user
objectGUID:: AAECAwQFBgcICQoLDA0O

dn: not a dn
objectClass: user

dn: CN=Old Printer,DC=litwareinc,DC=com
objectClass: printQueue
`
	path := writeFile(t, "b.ldf", second)
	res, err := Import(ctx, st, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Updated != 2 || res.Skipped != 5 || res.Ignored != 1 || res.Groups != 2 {
		t.Errorf("result: %s ignored %d", res, res.Ignored)
	}
	var probs []string
	for _, p := range res.Problems {
		probs = append(probs, strings.TrimPrefix(p.Error(), path))
	}
	want := []string{
		`:8: msRTCSIP-UserEnabled must be TRUE or FALSE, not "maybe" (entry "CN=Ken Myer,OU=Sales,DC=litwareinc,DC=com")`,
		`:25: the base64 value of displayName is invalid: illegal base64 data at input byte 0 (entry "CN=Broken,OU=Sales,DC=litwareinc,DC=com")`,
		`:45: cannot modify: no user or group has this DN (entry "CN=Nobody,DC=litwareinc,DC=com")`,
		`:51: objectGUID is 15 bytes, not 16 (entry "CN=Guid Clash,DC=litwareinc,DC=com")`,
		`:55: "not a dn" is not a distinguished name (expected RDNs such as CN=...,OU=...,DC=...) (entry "not a dn")`,
	}
	if strings.Join(probs, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant\n%s", strings.Join(probs, "\n"), strings.Join(want, "\n"))
	}
	moved, err := st.UserByDN(ctx, "CN=Ken Myer,OU=Sales,DC=litwareinc,DC=com")
	if err != nil || moved.ID != ken.ID {
		t.Errorf("Ken not moved in place: %+v %v", moved, err)
	}
	if moved != nil && moved.Title != "" {
		t.Errorf("re-import kept an attribute the new entry lacks: title %q", moved.Title)
	}
	pilar, _ := st.UserByDN(ctx, "CN=Pilar Ackerman,OU=Sales,DC=litwareinc,DC=com")
	if pilar == nil || pilar.Title != "Supervisor" || pilar.Department != "Sales" || pilar.GUID != "a0b1c2d3-0000-1111-2222-333344445555" {
		t.Errorf("Pilar = %+v", pilar)
	}
	gs, _ := st.MemberOf(ctx, pilar.DN)
	if len(gs) != 2 {
		t.Errorf("Pilar's groups = %+v", gs)
	}
	// Delete.
	del := "dn: CN=Pilar Ackerman,OU=Sales,DC=litwareinc,DC=com\nchangetype: delete\n\ndn: CN=Nobody,DC=x\nchangetype: delete\n"
	res, err = Import(ctx, st, writeFile(t, "c.ldf", del), Options{})
	if err != nil || res.Deleted != 1 || res.Skipped != 1 {
		t.Errorf("delete: %v %v", res, err)
	}
	if _, err := st.UserByDN(ctx, "CN=Pilar Ackerman,OU=Sales,DC=litwareinc,DC=com"); err == nil {
		t.Error("Pilar not deleted")
	}
}

func TestImportCSVAndErrors(t *testing.T) {
	st := tempStore(t)
	csv := "DistinguishedName,SamAccountName,SipAddress,DisplayName,Enabled,RegistrarPool,EnterpriseVoiceEnabled,LineURI,MemberOf\n" +
		"\"CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com\",kenmyer,kenmyer@litwareinc.com,Ken Myer,True,pool01.litwareinc.com,True,tel:+14255550100,CN=CsHelpDesk;x\n" +
		"\"CN=Zoë Ångström,OU=Users,DC=litwareinc,DC=com\",zoe,sip:zoe@litwareinc.com,Zoë Ångström,False,,False,,\n" +
		"\"CN=Bad,DC=litwareinc,DC=com\",bad,,Bad,perhaps,,,,\n"
	res, err := Import(ctx, st, writeFile(t, "users.csv", csv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 2 || res.Skipped != 1 || !strings.HasSuffix(res.Problems[0].Error(), `users.csv:4: msRTCSIP-UserEnabled must be TRUE or FALSE, not "perhaps" (entry "CN=Bad,DC=litwareinc,DC=com")`) {
		t.Errorf("csv: %s %v", res, res.Problems)
	}
	ken, _ := st.ResolveIdentity(ctx, "sip:KENMYER@litwareinc.com")
	if len(ken) != 1 || !ken[0].EnterpriseVoiceEnabled || ken[0].SipAddress != "sip:kenmyer@litwareinc.com" {
		t.Errorf("ken = %+v", ken)
	}
	if zoe, _ := st.ResolveIdentity(ctx, "zoë ångström"); len(zoe) != 1 || zoe[0].Enabled {
		t.Errorf("zoe = %+v", zoe)
	}
	// Files that cannot be imported at all change nothing.
	for _, tt := range []struct{ name, content, err string }{
		{"nodn.csv", "DisplayName\nKen\n", "no DistinguishedName (or dn) column"},
		{"bin.ldf", "\x00\x01\x02binary", "is not an LDIF file"},
	} {
		_, err := Import(ctx, st, writeFile(t, tt.name, tt.content), Options{})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := Import(ctx, st, "/nonexistent/file.ldf", Options{}); err == nil || !strings.Contains(err.Error(), "/nonexistent/file.ldf") {
		t.Errorf("missing file: %v", err)
	}
	if n, _ := st.CountUsers(ctx, false); n != 2 {
		t.Errorf("%d users", n)
	}
}

// BenchmarkImport100k imports the 100,000-user demo directory into a fresh
// store (target: under 10 s).
func BenchmarkImport100k(b *testing.B) {
	if testing.Short() {
		b.Skip("long")
	}
	path := demoFile(b, 100000)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := Import(ctx, st, path, Options{})
		if err != nil || res.Added != 100000 {
			b.Fatal(res, err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}

// bench100k is a 100,000-user store shared by the look-up benchmarks.
var (
	bench100kOnce sync.Once
	bench100k     *store.Store
	bench100kDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bench100k != nil {
		bench100k.Close()
		os.RemoveAll(bench100kDir)
	}
	os.Exit(code)
}

func store100k(b *testing.B) *store.Store {
	if testing.Short() {
		b.Skip("long")
	}
	bench100kOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pinsh-bench")
		if err != nil {
			b.Fatal(err)
		}
		bench100kDir = dir
		f, err := os.Create(filepath.Join(dir, "litware.ldf"))
		if err != nil {
			b.Fatal(err)
		}
		if err := litware.Write(f, 100000, 1); err != nil {
			b.Fatal(err)
		}
		f.Close()
		st, err := store.Open(filepath.Join(dir, "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Import(ctx, st, f.Name(), Options{}); err != nil {
			b.Fatal(err)
		}
		bench100k = st
	})
	if bench100k == nil {
		b.Fatal("no benchmark store")
	}
	return bench100k
}

// BenchmarkResolveIdentity100k resolves each identity form on a
// 100,000-user store (target: under 1 ms; aim 10-50 µs).
func BenchmarkResolveIdentity100k(b *testing.B) {
	st := store100k(b)
	for _, tt := range []struct{ name, id string }{
		{"sip", "sip:kenmyer@litwareinc.com"},
		{"upn", "kenmyer@litwareinc.com"},
		{"logon", `LITWAREINC\kenmyer`},
		{"dn", "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"},
		{"display", "Ken Myer"},
		{"display-nonascii", "ZOË ÅNGSTRÖM"},
		{"prefix", "Pilar Ack*"},
		{"suffix", "* Ackerman"},
		{"missing", "Nobody Here"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			n := 0
			for i := 0; i < b.N; i++ {
				us, err := st.ResolveIdentity(ctx, tt.id)
				if err != nil {
					b.Fatal(err)
				}
				n = len(us)
			}
			b.ReportMetric(float64(n), "matches")
		})
	}
}

// BenchmarkStreamUsers100k streams every user of a 100,000-user store and
// reports the heap growth while streaming (flat memory: it must not grow
// with the number of users); "remember" is Get-CsUser's stream, which
// reads each user's PIN state too and keeps the last users for look-ups.
func BenchmarkStreamUsers100k(b *testing.B) {
	st := store100k(b)
	for _, remember := range []bool{false, true} {
		name := "plain"
		if remember {
			name = "remember"
		}
		b.Run(name, func(b *testing.B) {
			var peak uint64
			for i := 0; i < b.N; i++ {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				n := 0
				err := st.EachUser(ctx, store.UserQuery{Remember: remember}, func(u *store.User) error {
					n++
					if n%10000 == 0 {
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						if m.HeapInuse > before.HeapInuse && m.HeapInuse-before.HeapInuse > peak {
							peak = m.HeapInuse - before.HeapInuse
						}
					}
					return nil
				})
				if err != nil || n != 100000 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peakheapMiB")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100000, "ns/user")
		})
	}
}

// BenchmarkPinInfoPipeline100k is the store's share of
//
//	Get-CsUser | Get-CsClientPinInfo | Where-Object {...} | Measure-Object
//
// over 100,000 users: Get-CsUser's stream, and for each enabled user the
// plugin's look-up by DN and its PIN-state read (host/shell/pinservices.go).
func BenchmarkPinInfoPipeline100k(b *testing.B) {
	st := store100k(b)
	b.ResetTimer()
	users := 0
	for i := 0; i < b.N; i++ {
		users = 0
		err := st.EachUser(ctx, store.UserQuery{EnabledOnly: true, Remember: true}, func(u *store.User) error {
			return st.EachUser(ctx, store.UserQuery{Identity: u.DN, EnabledOnly: true}, func(v *store.User) error {
				users++
				_, err := st.UserPinState(ctx, v)
				return err
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(users), "ns/user")
	b.ReportMetric(float64(users), "users")
}

// TestImportIdentityClashes: an entry whose SIP address, UPN or
// sAMAccountName is (case-insensitively) another user's is refused with a
// problem naming that user, whether the other user is in the store or
// earlier in the same file (a first import checks in memory, a later one
// in the store); updating the same user is not a clash.
func TestImportIdentityClashes(t *testing.T) {
	const ken = "dn: CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com\nobjectClass: user\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\n" +
		"sAMAccountName: kenmyer\nuserPrincipalName: ken.myer@litwareinc.com\nmsRTCSIP-PrimaryUserAddress: sip:kenmyer@litwareinc.com\n\n"
	user := func(cn, attrs string) string {
		return "dn: CN=" + cn + ",OU=Finance,DC=litwareinc,DC=com\nobjectClass: user\n" + attrs + "\n"
	}
	const kenDN = "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"
	tests := []struct {
		name, file string
		added      int
		updated    int
		problems   []string // each the suffix after "f.ldf:N: "
	}{
		{"SIP address", user("Sip Thief", "sAMAccountName: sipthief\nmsRTCSIP-PrimaryUserAddress: SIP:KenMyer@LitwareInc.com\n"), 0, 0,
			[]string{`the SIP address sip:KenMyer@LitwareInc.com is already used by ` + kenDN}},
		{"sAMAccountName", user("Sam Thief", "sAMAccountName: KENMYER\n"), 0, 0,
			[]string{`the sAMAccountName KENMYER is already used by ` + kenDN}},
		{"UPN", user("Upn Thief", "userPrincipalName: Ken.Myer@litwareinc.com\n"), 0, 0,
			[]string{`the UPN Ken.Myer@litwareinc.com is already used by ` + kenDN}},
		{"UPN that is another's SIP address", user("Cross Thief", "userPrincipalName: kenmyer@litwareinc.com\n"), 0, 0,
			[]string{`the UPN kenmyer@litwareinc.com is already used by ` + kenDN + ` (as its SIP address)`}},
		{"SIP address that is another's UPN", user("Cross Thief", "msRTCSIP-PrimaryUserAddress: sip:ken.myer@litwareinc.com\n"), 0, 0,
			[]string{`the SIP address sip:ken.myer@litwareinc.com is already used by ` + kenDN + ` (as its UPN)`}},
		{"update of the same user by DN", user("Ken Myer", "sAMAccountName: KenMyer\nmsRTCSIP-PrimaryUserAddress: sip:kenmyer@litwareinc.com\ntitle: Boss\n"), 0, 1, nil},
		{"same user moved (same objectGUID)", "dn: CN=Ken Myer,OU=Sales,DC=litwareinc,DC=com\nobjectClass: user\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\nsAMAccountName: kenmyer\nmsRTCSIP-PrimaryUserAddress: sip:kenmyer@litwareinc.com\n\n", 0, 1, nil},
		{"two new users in one file", user("New One", "sAMAccountName: newone\nmsRTCSIP-PrimaryUserAddress: sip:new@litwareinc.com\n") +
			user("New Two", "sAMAccountName: newtwo\nmsRTCSIP-PrimaryUserAddress: sip:NEW@litwareinc.com\n"), 1, 0,
			[]string{`the SIP address sip:NEW@litwareinc.com is already used by CN=New One,OU=Finance,DC=litwareinc,DC=com`}},
		{"a freed identity can be taken", "dn: " + kenDN + "\nchangetype: modify\nreplace: sAMAccountName\nsAMAccountName: kenm\n-\n\n" +
			user("Sam Taker", "sAMAccountName: kenmyer\n"), 1, 1, nil},
		{"modify taking another's SIP address", user("Other", "sAMAccountName: other\n") +
			"dn: CN=Other,OU=Finance,DC=litwareinc,DC=com\nchangetype: modify\nreplace: msRTCSIP-PrimaryUserAddress\nmsRTCSIP-PrimaryUserAddress: sip:kenmyer@litwareinc.com\n-\n\n", 1, 0,
			[]string{`the SIP address sip:kenmyer@litwareinc.com is already used by ` + kenDN}},
		{"users without identities", user("Blank One", "displayName: Blank\n") + user("Blank Two", "displayName: Blank\n"), 2, 0, nil},
	}
	for _, tt := range tests {
		// "store": Ken is in the store before the file is imported;
		// "file": Ken comes first in the same file, into an empty store.
		for _, mode := range []string{"store", "file"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				st := tempStore(t)
				body, line0, added := tt.file, 0, tt.added
				if mode == "store" {
					if res, err := Import(ctx, st, writeFile(t, "ken.ldf", ken), Options{}); err != nil || res.Added != 1 {
						t.Fatalf("base import: %v %v", res, err)
					}
				} else {
					body, line0, added = ken+tt.file, strings.Count(ken, "\n"), added+1
				}
				res, err := Import(ctx, st, writeFile(t, "f.ldf", body), Options{})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range res.Problems {
					if p.Line <= line0 {
						t.Errorf("problem in the base entry: %v", p)
					}
					got = append(got, p.Reason)
				}
				if res.Added != added || res.Updated != tt.updated || strings.Join(got, "\n") != strings.Join(tt.problems, "\n") {
					t.Errorf("got %s\n%s\nwant %d added, %d updated,\n%s", res, strings.Join(got, "\n"), added, tt.updated, strings.Join(tt.problems, "\n"))
				}
				// Every identity of Ken's still selects Ken alone.
				for _, id := range []string{"sip:kenmyer@litwareinc.com", "kenmyer@litwareinc.com", "ken.myer@litwareinc.com"} {
					if us, err := st.ResolveIdentity(ctx, id); err != nil || len(us) > 1 {
						t.Errorf("%s selects %d users (%v)", id, len(us), err)
					}
				}
			})
		}
	}
}
