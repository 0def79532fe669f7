package litware

import (
	"bytes"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, 500, 1); err != nil {
		t.Fatal(err)
	}
	Write(&b, 500, 1)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same seed gave different files")
	}
	var c bytes.Buffer
	Write(&c, 500, 2)
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("another seed gave the same file")
	}
	out := a.String()
	for _, want := range []string{
		"dn: CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com\n",
		"msRTCSIP-PrimaryUserAddress: sip:kenmyer@litwareinc.com\n",
		"userPrincipalName: kenmyer@litwareinc.com\n",
		"dn: OU=Sales,OU=Redmond,DC=litwareinc,DC=com\n",
		"displayName:: Wm/DqyDDhW5nc3Ryw7Zt\n", // Zoë Ångström, base64
		"msRTCSIP-UserEnabled: FALSE\n",
		"dn: CN=RTCUniversalServerAdmins,CN=Users,DC=litwareinc,DC=com\n",
		"dn: CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com\n",
		"member: CN=HelpDeskStaff,OU=HelpDesk,DC=litwareinc,DC=com\n",
		"\n ", // a folded line
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 78 {
			t.Fatalf("line longer than 78 columns: %q", line)
		}
	}
	if n := strings.Count(out, "objectClass: user\n") - 1; n != 500 { // minus the computer
		t.Errorf("%d users, want 500", n)
	}
	// Groups come before the users they list (forward references).
	if strings.Index(out, "member: CN=Vera Lind") > strings.Index(out, "dn: CN=Vera Lind") {
		t.Error("a group follows its member")
	}
	people := People(2000, 1)
	noPhone, disabled, unassigned := 0, 0, 0
	for _, p := range people {
		if p.Phone == "" {
			noPhone++
		}
		if !p.Enabled {
			disabled++
		}
		if p.Enabled && p.Pool == "" {
			unassigned++
		}
	}
	if noPhone == 0 || disabled == 0 || unassigned == 0 {
		t.Errorf("no variety: %d without phone, %d not enabled, %d unassigned", noPhone, disabled, unassigned)
	}
}
