// Package litware writes the demo directory of the fictitious
// litwareinc.com (DC=litwareinc,DC=com) as LDIF in the form Active
// Directory's ldifde exports it: changetype: add records, objectGUID and
// every non-ASCII value base64-encoded ("attr:: ..."), long lines folded at
// 78 columns with one-space continuation lines, and groups listed before the
// users they contain (forward references).
//
// The output is deterministic for a given seed and size, so transcripts
// that use it are stable. It contains:
//
//   - Ken Myer (kenmyer, sip:kenmyer@litwareinc.com) in OU=Finance, and a
//     few other fixed people used by examples and tests (Pilar Ackerman,
//     David Smith, Zoë Ångström, the administrators);
//   - OUs, some nested (OU=Sales,OU=Redmond; OU=Support,OU=Dublin;
//     OU=Contractors,OU=Users), plus OU=HelpDesk and the CN=Users container;
//   - users not enabled for Lync, enabled users without a registrar pool,
//     users without phone numbers, names with non-ASCII letters;
//   - the Lync administrative groups (RTCUniversal*, the Cs* roles) with a
//     few members, a nested group (HelpDeskStaff inside CsHelpDesk) and a
//     computer account (which an import ignores).
package litware

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// Domain is the demo domain's DN.
const Domain = "DC=litwareinc,DC=com"

// Person is one user of the demo directory.
type Person struct {
	First, Last, Display string
	Sam                  string
	OU                   string // DN of the OU
	Department, Title    string
	City                 string
	Phone                string // "" when none
	LineURI              string // "" when none
	Enabled              bool   // msRTCSIP-UserEnabled
	// Disabled marks a user who has a SIP address but msRTCSIP-UserEnabled
	// FALSE (enabled once, then disabled).
	Disabled bool
	Pool     string // "" when none (an "unassigned" user)
	Voice    bool   // Enterprise Voice
	GUID     [16]byte
}

// DN returns the person's distinguished name.
func (p *Person) DN() string { return "CN=" + escapeRDN(p.Display) + "," + p.OU }

// SIP returns the person's SIP URI.
func (p *Person) SIP() string { return "sip:" + p.Sam + "@litwareinc.com" }

const pool = "pool01.litwareinc.com"

var ous = []struct {
	dn, dept, city string
	weight         int
}{
	{"OU=Finance," + Domain, "Finance", "Redmond", 12},
	{"OU=Redmond," + Domain, "Operations", "Redmond", 10},
	{"OU=Sales,OU=Redmond," + Domain, "Sales", "Redmond", 18},
	{"OU=Marketing,OU=Redmond," + Domain, "Marketing", "Redmond", 8},
	{"OU=Dublin," + Domain, "Operations", "Dublin", 10},
	{"OU=Support,OU=Dublin," + Domain, "Support", "Dublin", 12},
	{"OU=HelpDesk," + Domain, "IT", "Seattle", 4},
	{"OU=Users," + Domain, "Engineering", "Seattle", 20},
	{"OU=Contractors,OU=Users," + Domain, "Engineering", "Seattle", 6},
}

var firstNames = []string{"Ken", "Pilar", "David", "Anna", "Zoë", "Søren", "José", "François", "Björn",
	"Łukasz", "Ángel", "Chloé", "Jürgen", "Ingrid", "Mei", "Aarav", "Olivia", "Liam", "Emma", "Noah",
	"Sofía", "Mateo", "Hana", "Yuki", "Fatima", "Omar", "Priya", "Raj", "Elena", "Ivan", "Greta", "Lars",
	"Nora", "Henrik", "Amélie", "Renée", "Dorothy", "Walter", "Grace", "Samuel", "Ruth", "Peter", "Clara",
	"Tomás", "Inés", "Karl", "Marta", "Paulo", "Zoe", "Ada"}

var lastNames = []string{"Smith", "Johnson", "Müller", "Ångström", "Ackerman", "García", "Nørgaard",
	"O'Brien", "Dvořák", "Martin", "Brown", "Nguyen", "Kowalski", "Rossi", "Schmidt", "Dubois", "Jensen",
	"Svensson", "Tanaka", "Kim", "Patel", "Singh", "Cohen", "Silva", "Novak", "Horváth", "Jovanović",
	"Ólafsson", "Lefèvre", "Weiß", "Fischer", "Myer", "Pinilla", "Lind", "Hahn", "Walsh", "Murphy",
	"Byrne", "Moreau", "Costa", "Sato", "Yamada", "Chen", "Wang", "Larsen", "Berg", "Andersson", "Lee",
	"Clark", "Young"}

var titles = []string{"Manager", "Supervisor", "Accountant", "Engineer", "Analyst", "Consultant",
	"Specialist", "Director", "Assistant", "Representative", "Technician", "Administrator"}

// fixed people, in this order at the start of the user list.
func fixed() []Person {
	p := func(first, last, sam, ou, dept, title, city string, ext int, enabled bool, pool string, voice bool) Person {
		q := Person{First: first, Last: last, Display: first + " " + last, Sam: sam, OU: ou + Domain,
			Department: dept, Title: title, City: city, Enabled: enabled, Pool: pool, Voice: voice}
		if ext > 0 {
			q.Phone = fmt.Sprintf("+1 (425) 555-%04d", ext)
			q.LineURI = fmt.Sprintf("tel:+1425555%04d;ext=%d", ext, ext)
		}
		return q
	}
	out := []Person{
		p("Ken", "Myer", "kenmyer", "OU=Finance,", "Finance", "Manager", "Redmond", 100, true, pool, true),
		p("Pilar", "Ackerman", "pilara", "OU=Sales,OU=Redmond,", "Sales", "Supervisor", "Redmond", 101, true, pool, false),
		p("David", "Smith", "davids", "OU=Users,", "Engineering", "Engineer", "Seattle", 0, true, pool, false),
		p("Zoë", "Ångström", "zoea", "OU=Dublin,", "Operations", "Analyst", "Dublin", 102, true, pool, true),
		p("Jürgen", "Müller", "juergenm", "OU=Finance,", "Finance", "Accountant", "Redmond", 0, false, "", false),
		p("Søren", "Nørgaard", "sorenn", "OU=Support,OU=Dublin,", "Support", "Technician", "Dublin", 103, true, "", false),
		p("Hannah", "Dubois", "hdubois", "OU=HelpDesk,", "IT", "Technician", "Seattle", 104, true, pool, false),
		p("Felix", "Hahn", "fhahn", "OU=HelpDesk,", "IT", "Technician", "Seattle", 105, true, pool, false),
		p("Uma", "Patel", "upatel", "OU=Users,", "IT", "Administrator", "Seattle", 106, true, pool, false),
		p("Vera", "Lind", "vlind", "OU=Users,", "Audit", "Analyst", "Seattle", 0, true, pool, false),
		p("Lync", "Administrator", "lyncadmin", "OU=Users,", "IT", "Administrator", "Seattle", 0, false, "", false),
	}
	out[4].Disabled = true // Jürgen Müller was enabled once
	return out
}

// People returns the n users of the demo directory (at least the fixed
// ones), deterministically for the seed.
func People(n int, seed uint64) []Person {
	rng := rand.New(rand.NewPCG(seed, 0x11747a7e))
	people := fixed()
	usedSam := map[string]int{}
	usedDN := map[string]bool{}
	for i := range people {
		usedSam[people[i].Sam] = 1
		usedDN[strings.ToLower(people[i].DN())] = true
		fill(rng, people[i].GUID[:])
	}
	total := 0
	for _, o := range ous {
		total += o.weight
	}
	ext := 1000
	for len(people) < n {
		first := firstNames[rng.IntN(len(firstNames))]
		last := lastNames[rng.IntN(len(lastNames))]
		w := rng.IntN(total)
		oi := 0
		for w >= ous[oi].weight {
			w -= ous[oi].weight
			oi++
		}
		o := ous[oi]
		base := asciiFold(strings.ToLower(first[:firstRuneLen(first)] + last))
		base = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, base)
		if len(base) > 16 {
			base = base[:16]
		}
		sam := base
		if k := usedSam[base]; k > 0 {
			sam = fmt.Sprintf("%s%d", base, k+1)
		}
		usedSam[base]++
		q := Person{First: first, Last: last, Display: first + " " + last, Sam: sam, OU: o.dn,
			Department: o.dept, Title: titles[rng.IntN(len(titles))], City: o.city}
		for k := 2; usedDN[strings.ToLower(q.DN())]; k++ {
			q.Display = fmt.Sprintf("%s %s %d", first, last, k)
		}
		usedDN[strings.ToLower(q.DN())] = true
		q.Enabled = rng.IntN(100) < 85
		q.Disabled = !q.Enabled && rng.IntN(3) == 0
		if q.Enabled && rng.IntN(100) < 95 {
			q.Pool = pool
		}
		if rng.IntN(100) < 80 {
			ext++
			q.Phone = fmt.Sprintf("+1 (425) 55%d-%04d", 5+ext/10000%5, ext%10000)
			if q.Enabled && rng.IntN(100) < 60 {
				q.Voice = true
				q.LineURI = fmt.Sprintf("tel:+142555%d%04d;ext=%d", 5+ext/10000%5, ext%10000, ext)
			}
		}
		fill(rng, q.GUID[:])
		people = append(people, q)
	}
	return people[:max(n, 0)]
}

func fill(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

func firstRuneLen(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	return n
}

var fold = strings.NewReplacer("ë", "e", "å", "a", "ø", "o", "é", "e", "ç", "c", "ö", "o", "ü", "ue",
	"ł", "l", "á", "a", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "ř", "r", "ž", "z", "š", "s", "č", "c",
	"è", "e", "ß", "ss", "ć", "c", "æ", "ae", "ä", "a")

func asciiFold(s string) string { return fold.Replace(s) }

// groups returns the administrative groups with their members' DNs.
func groups(people []Person) []struct {
	dn, sam, desc string
	members       []string
} {
	dnOf := map[string]string{}
	for i := range people {
		dnOf[people[i].Sam] = people[i].DN()
	}
	users := "CN=Users," + Domain
	g := func(name, desc string, members ...string) struct {
		dn, sam, desc string
		members       []string
	} {
		var m []string
		for _, x := range members {
			if strings.HasPrefix(x, "CN=") {
				m = append(m, x)
			} else if dn, ok := dnOf[x]; ok {
				m = append(m, dn)
			}
		}
		return struct {
			dn, sam, desc string
			members       []string
		}{"CN=" + name + "," + users, name, desc, m}
	}
	helpDeskStaff := "CN=HelpDeskStaff,OU=HelpDesk," + Domain
	out := []struct {
		dn, sam, desc string
		members       []string
	}{
		g("RTCUniversalServerAdmins", "Members can manage all aspects of the Lync Server deployment.", "lyncadmin"),
		g("RTCUniversalUserAdmins", "Members can manage users and their policies.", "upatel"),
		g("RTCUniversalReadOnlyAdmins", "Members can read the Lync Server configuration and users.", "vlind"),
		g("CsAdministrator", "Lync Server administrators.", "lyncadmin"),
		g("CsUserAdministrator", "Lync Server user administrators.", "upatel"),
		g("CsVoiceAdministrator", "Lync Server voice administrators."),
		g("CsServerAdministrator", "Lync Server server administrators."),
		g("CsViewOnlyAdministrator", "Lync Server view-only administrators.", "vlind"),
		g("CsHelpDesk", "Lync Server help desk.", helpDeskStaff),
		g("CsArchivingAdministrator", "Lync Server archiving administrators."),
		g("CsResponseGroupAdministrator", "Lync Server Response Group administrators."),
		g("CsLocationAdministrator", "Lync Server E9-1-1 location administrators."),
		g("CsResponseGroupManager", "Lync Server Response Group managers."),
		g("CsPersistentChatAdministrator", "Lync Server Persistent Chat administrators."),
	}
	staff := g("HelpDeskStaff", "The help desk team.", "hdubois")
	staff.dn = helpDeskStaff
	finance := g("FinanceHelpDesk", "Help desk for the Finance OU only.", "fhahn")
	finance.dn = "CN=FinanceHelpDesk,OU=HelpDesk," + Domain
	return append(out, staff, finance)
}

// Write writes the demo directory of n users as LDIF.
func Write(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	people := People(n, seed)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b9))
	guid := func() []byte {
		var b [16]byte
		fill(rng, b[:])
		return b[:]
	}
	e := &enc{w: bw}
	// The domain, the containers and the OUs, parents first.
	e.entry(Domain, "top", "domain", "domainDNS")
	e.attr("dc", "litwareinc")
	e.bin("objectGUID", guid())
	e.end()
	for _, c := range []string{"CN=Users," + Domain, "CN=Computers," + Domain} {
		e.entry(c, "top", "container")
		e.attr("cn", strings.TrimPrefix(strings.SplitN(c, ",", 2)[0], "CN="))
		e.bin("objectGUID", guid())
		e.end()
	}
	for _, o := range []string{"OU=Finance", "OU=Redmond", "OU=Sales,OU=Redmond", "OU=Marketing,OU=Redmond",
		"OU=Dublin", "OU=Support,OU=Dublin", "OU=HelpDesk", "OU=Users", "OU=Contractors,OU=Users"} {
		e.entry(o+","+Domain, "top", "organizationalUnit")
		e.attr("ou", strings.TrimPrefix(strings.SplitN(o, ",", 2)[0], "OU="))
		e.bin("objectGUID", guid())
		e.end()
	}
	// Groups before their members: the import must accept forward
	// references.
	for _, g := range groups(people) {
		e.entry(g.dn, "top", "group")
		e.attr("cn", g.sam)
		e.attr("description", g.desc)
		for _, m := range g.members {
			e.attr("member", m)
		}
		e.attr("sAMAccountName", g.sam)
		e.attr("groupType", "-2147483640")
		e.bin("objectGUID", guid())
		e.end()
	}
	// HelpDeskStaff is itself a member of CsHelpDesk (listed above), and
	// FinanceHelpDesk exists for a scoped custom role.
	for i := range people {
		p := &people[i]
		e.entry(p.DN(), "top", "person", "organizationalPerson", "user")
		e.attr("cn", p.Display)
		e.attr("sn", p.Last)
		e.attr("givenName", p.First)
		e.attr("displayName", p.Display)
		e.attr("title", p.Title)
		e.attr("department", p.Department)
		e.attr("l", p.City)
		if p.Phone != "" {
			e.attr("telephoneNumber", p.Phone)
		}
		e.bin("objectGUID", p.GUID[:])
		e.attr("sAMAccountName", p.Sam)
		e.attr("userPrincipalName", p.Sam+"@litwareinc.com")
		e.attr("mail", p.Sam+"@litwareinc.com")
		if p.Enabled || p.Disabled || p.Pool != "" || p.LineURI != "" {
			e.attr("msRTCSIP-PrimaryUserAddress", p.SIP())
			e.attr("msRTCSIP-UserEnabled", map[bool]string{true: "TRUE", false: "FALSE"}[p.Enabled])
			if p.Pool != "" {
				e.attr("msRTCSIP-PrimaryHomeServer", p.Pool)
			}
			if p.LineURI != "" {
				e.attr("msRTCSIP-Line", p.LineURI)
			}
			flags := 256
			if p.Voice {
				flags |= 128
			}
			e.attr("msRTCSIP-OptionFlags", fmt.Sprint(flags))
		}
		e.end()
	}
	e.entry("CN=LYNC-FE01,CN=Computers,"+Domain, "top", "person", "organizationalPerson", "user", "computer")
	e.attr("cn", "LYNC-FE01")
	e.attr("sAMAccountName", "LYNC-FE01$")
	e.attr("dNSHostName", "lync-fe01.litwareinc.com")
	e.bin("objectGUID", guid())
	e.end()
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

// enc writes LDIF records the way ldifde does.
type enc struct {
	w   *bufio.Writer
	err error
}

func (e *enc) line(s string) {
	if e.err != nil {
		return
	}
	// Fold at 78 columns; a continuation line starts with one space.
	const width = 78
	for len(s) > width {
		cut := width
		for cut > 1 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		_, e.err = e.w.WriteString(s[:cut] + "\n")
		s = " " + s[cut:]
	}
	_, e.err = e.w.WriteString(s + "\n")
}

func (e *enc) entry(dn string, classes ...string) {
	e.attr("dn", dn)
	e.line("changetype: add")
	for _, c := range classes {
		e.attr("objectClass", c)
	}
}

func (e *enc) end() { e.line("") }

// attr writes a text value, base64-encoding it when it is not an LDIF
// SAFE-STRING (non-ASCII, or a leading space, colon or '<').
func (e *enc) attr(name, v string) {
	if safe(v) {
		e.line(name + ": " + v)
		return
	}
	e.line(name + ":: " + base64.StdEncoding.EncodeToString([]byte(v)))
}

func (e *enc) bin(name string, b []byte) {
	e.line(name + ":: " + base64.StdEncoding.EncodeToString(b))
}

func safe(v string) bool {
	if v == "" {
		return true
	}
	if c := v[0]; c == ' ' || c == ':' || c == '<' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == 0 || c == '\n' || c == '\r' || c >= 0x80 {
			return false
		}
	}
	return v[len(v)-1] != ' '
}

// escapeRDN escapes the characters a DN value cannot hold as they are.
func escapeRDN(v string) string {
	var sb strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case ',', '+', '"', '\\', '<', '>', ';', '=':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
