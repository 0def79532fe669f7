package cscmd

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"pinsh/host/object"
	"pinsh/host/store"
	"pinsh/scripts/gendir/litware"
)

const nUsers = 400

var people = litware.People(nUsers, 1)

// expected returns the display names of the demo people that pass keep.
func expected(keep func(p *litware.Person) bool) []string {
	var out []string
	for i := range people {
		if keep(&people[i]) {
			out = append(out, people[i].Display)
		}
	}
	return out
}

func sorted(s string) string {
	if s == "" {
		return ""
	}
	l := strings.Split(s, "|")
	sort.Strings(l)
	return strings.Join(l, "|")
}

func TestGetCsUserIdentityForms(t *testing.T) {
	e := newEnv(t, nUsers)
	ken := "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"
	tests := []struct {
		id   string
		want string // Identity of the results
		err  string
	}{
		{"Ken Myer", ken, ""},
		{"ken myer", ken, ""},
		{"sip:kenmyer@litwareinc.com", ken, ""},
		{"kenmyer@litwareinc.com", ken, ""},
		{`litwareinc\kenmyer`, ken, ""},
		{`LITWAREINC\KENMYER`, ken, ""},
		{ken, ken, ""},
		{"cn=ken myer,ou=finance,dc=litwareinc,dc=com", ken, ""},
		{"ZOË ÅNGSTRÖM", "CN=Zoë Ångström,OU=Dublin,DC=litwareinc,DC=com", ""},
		{"kenmyer", "", `Management object not found for identity "kenmyer".`},
		{`contoso\kenmyer`, "", `Management object not found for identity "contoso\kenmyer".`},
		// Jürgen Müller is not enabled for Lync: Get-CsUser does not know him.
		{"Jürgen Müller", "", `Management object not found for identity "Jürgen Müller".`},
		{"100% O'Brien_x", "", `Management object not found for identity "100% O'Brien_x".`},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			rt := e.run(t, admin, nil, "Get-CsUser", "-Identity", tt.id)
			if got := rt.props("Identity"); got != tt.want {
				t.Errorf("Identity = %q, want %q", got, tt.want)
			}
			if got := rt.errText(); got != tt.err {
				t.Errorf("errors = %q, want %q", got, tt.err)
			}
			if tt.err != "" && rt.errs[0].Category != "ObjectNotFound" {
				t.Errorf("category %s", rt.errs[0].Category)
			}
		})
	}
	// Get-CsAdUser finds every directory user, enabled or not.
	rt := e.run(t, admin, nil, "Get-CsAdUser", "Jürgen Müller")
	if rt.props("Enabled") != "False" || len(rt.errs) != 0 {
		t.Errorf("Get-CsAdUser: %v %s", rt.out, rt.errText())
	}
	if o, ok := rt.out[0].(*object.Object); !ok || o.TypeName() != ADUserTypeName {
		t.Errorf("type %v", rt.out[0])
	}
}

func TestGetCsUserObject(t *testing.T) {
	e := newEnv(t, nUsers)
	rt := e.run(t, admin, nil, "Get-CsUser", "Ken Myer")
	if len(rt.out) != 1 {
		t.Fatalf("out = %v, %s", rt.out, rt.errText())
	}
	o := rt.out[0].(*object.Object)
	if o.TypeName() != OCSADUserTypeName {
		t.Errorf("type %s", o.TypeName())
	}
	var lines []string
	for i := 0; i < o.Len(); i++ {
		n, v := o.At(i)
		if n == "Guid" {
			continue
		}
		lines = append(lines, n+"="+prop(o, n))
		_ = v
	}
	want := "Identity=CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com SipAddress=sip:kenmyer@litwareinc.com " +
		"DisplayName=Ken Myer UserPrincipalName=kenmyer@litwareinc.com SamAccountName=kenmyer Enabled=True " +
		"RegistrarPool=pool01.litwareinc.com LineURI=tel:+14255550100;ext=100 EnterpriseVoiceEnabled=True " +
		"PinPolicy=$null VoicePolicy=$null DistinguishedName=CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com " +
		"Department=Finance Title=Manager City=Redmond FirstName=Ken LastName=Myer " +
		"WindowsEmailAddress=kenmyer@litwareinc.com Phone=+1 (425) 555-0100"
	if got := strings.Join(lines, " "); got != want {
		t.Errorf("object:\n%s\nwant\n%s", got, want)
	}
}

func TestGetCsUserQueries(t *testing.T) {
	e := newEnv(t, nUsers)
	enabled := func(p *litware.Person) bool { return p.Enabled }
	inOU := func(ou string) func(p *litware.Person) bool {
		return func(p *litware.Person) bool { return p.Enabled && store.InSubtree(p.DN(), ou) }
	}
	tests := []struct {
		name string
		args []object.Value
		want []string
		err  string
	}{
		{"wildcard prefix", []object.Value{"-Identity", "Pilar*"},
			expected(func(p *litware.Person) bool { return p.Enabled && strings.HasPrefix(p.Display, "Pilar") }), ""},
		{"wildcard suffix", []object.Value{"* Smith"},
			expected(func(p *litware.Person) bool { return p.Enabled && strings.HasSuffix(p.Display, " Smith") }), ""},
		{"OU with children", []object.Value{"-OU", "OU=Redmond,DC=litwareinc,DC=com"},
			expected(inOU("OU=Redmond,DC=litwareinc,DC=com")), ""},
		{"child OU", []object.Value{"-OU", "ou=sales,ou=redmond,dc=litwareinc,dc=com"},
			expected(inOU("OU=Sales,OU=Redmond,DC=litwareinc,DC=com")), ""},
		{"unknown OU", []object.Value{"-OU", "OU=Nowhere,DC=litwareinc,DC=com"}, nil,
			`Management object not found for identity "OU=Nowhere,DC=litwareinc,DC=com".`},
		{"ldap and", []object.Value{"-LdapFilter", "&(Department=Finance)(Title=Manager)"},
			expected(func(p *litware.Person) bool { return p.Enabled && p.Department == "Finance" && p.Title == "Manager" }), ""},
		{"ldap or", []object.Value{"-LdapFilter", "|(Title=Supervisor)(Title=Manager)"},
			expected(func(p *litware.Person) bool { return p.Enabled && (p.Title == "Supervisor" || p.Title == "Manager") }), ""},
		{"ldap city", []object.Value{"-LdapFilter", "l=Dublin"},
			expected(func(p *litware.Person) bool { return p.Enabled && p.City == "Dublin" }), ""},
		{"ldap memberOf", []object.Value{"-LdapFilter", "memberOf=CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com"},
			[]string{"Hannah Dubois"}, ""},
		{"bad ldap", []object.Value{"-LdapFilter", "(Department=Finance"}, nil,
			`TERMINATING: The LDAP filter "(Department=Finance" is invalid at position 20: a ")" is missing at the end.`},
		{"filter script block", []object.Value{"-Filter", scriptBlock("EnterpriseVoiceEnabled -eq $True")},
			expected(func(p *litware.Person) bool { return p.Enabled && p.Voice }), ""},
		{"filter string", []object.Value{"-Filter", "Department -eq 'Finance' -and Title -eq 'Manager'"},
			expected(func(p *litware.Person) bool { return p.Enabled && p.Department == "Finance" && p.Title == "Manager" }), ""},
		{"filter and ldap", []object.Value{"-Filter", "PinPolicy -eq $null", "-LdapFilter", "l=Dublin"}, nil,
			"TERMINATING: The parameters Filter and LdapFilter cannot be used together. Use one of them."},
		{"unassigned", []object.Value{"-UnassignedUser"},
			expected(func(p *litware.Person) bool { return p.Enabled && p.Pool == "" }), ""},
		{"result size", []object.Value{"-ResultSize", int64(5)}, expected(enabled)[:5], ""},
		{"result size 0", []object.Value{"-ResultSize", int64(0)}, nil, ""},
		{"result size unlimited", []object.Value{"-ResultSize", "Unlimited"}, expected(enabled), ""},
		{"result size negative", []object.Value{"-ResultSize", int64(-1)}, nil,
			"TERMINATING: Cannot validate argument on parameter 'ResultSize'. The -1 argument is less than the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 and then try the command again."},
		{"OCS server", []object.Value{"-OnOfficeCommunicationServer"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := e.run(t, admin, nil, "Get-CsUser", tt.args...)
			if got, want := sorted(rt.props("DisplayName")), sorted(strings.Join(tt.want, "|")); got != want {
				t.Errorf("got %d users %q\nwant %d %q", len(rt.out), got, len(tt.want), want)
			}
			if got := rt.errText(); got != tt.err {
				t.Errorf("errors = %q, want %q", got, tt.err)
			}
			if tt.err == "" && len(tt.want) == 0 && tt.name != "result size 0" && tt.name != "OCS server" {
				t.Error("test expects nothing: check the demo data")
			}
		})
	}
}

func TestGetCsUserPipeline(t *testing.T) {
	e := newEnv(t, nUsers)
	// Strings by value, one unknown: one error, the others go on.
	rt := e.run(t, admin, []object.Value{"Ken Myer", "Nobody Here", `litwareinc\pilara`}, "Get-CsUser")
	if got := rt.props("SamAccountName"); got != "kenmyer|pilara" {
		t.Errorf("out = %q", got)
	}
	if rt.errText() != `Management object not found for identity "Nobody Here".` {
		t.Errorf("errors = %q", rt.errText())
	}
	// User objects bind by their Identity property.
	objs := e.run(t, admin, nil, "Get-CsUser", "-OU", "OU=Finance,DC=litwareinc,DC=com").out
	rt = e.run(t, admin, objs, "Get-CsUser")
	if len(rt.out) != len(objs) || len(rt.errs) != 0 {
		t.Errorf("%d objects in, %d out, errors %s", len(objs), len(rt.out), rt.errText())
	}
}

func TestGetCsUserScope(t *testing.T) {
	e := newEnv(t, nUsers)
	e.deps.Decider = ouDecider{"OU=Finance,DC=litwareinc,DC=com"}
	helpdesk := "CN=Felix Hahn,OU=HelpDesk,DC=litwareinc,DC=com"
	// An enumeration returns only the users in scope, without errors.
	rt := e.run(t, helpdesk, nil, "Get-CsUser")
	want := expected(func(p *litware.Person) bool {
		return p.Enabled && store.InSubtree(p.DN(), "OU=Finance,DC=litwareinc,DC=com")
	})
	if got := sorted(rt.props("DisplayName")); got != sorted(strings.Join(want, "|")) || len(rt.errs) != 0 {
		t.Errorf("scoped enumeration: %q, errors %s", got, rt.errText())
	}
	// ... and records no denial for the users it leaves out.
	denials := func() int {
		n := 0
		e.st.EachAudit(context.Background(), store.AuditFilter{}, func(r *store.AuditRecord) error {
			if r.Outcome == store.OutcomeDenied {
				n++
			}
			return nil
		})
		return n
	}
	if n := denials(); n != 0 {
		t.Errorf("the enumeration recorded %d denials", n)
	}
	// An explicit identity outside the scope is a denial, audited.
	rt = e.run(t, helpdesk, nil, "Get-CsUser", "Pilar Ackerman")
	if len(rt.out) != 0 || rt.errText() != `Access denied: operator "CN=Felix Hahn,OU=HelpDesk,DC=litwareinc,DC=com" may not run Get-CsUser on "sip:pilara@litwareinc.com".` {
		t.Errorf("denial: %v %q", rt.out, rt.errText())
	}
	if rt.errs[0].Category != "PermissionDenied" {
		t.Errorf("category %s", rt.errs[0].Category)
	}
	n := 0
	e.st.EachAudit(context.Background(), store.AuditFilter{Target: "sip:pilara@litwareinc.com"}, func(r *store.AuditRecord) error {
		if r.Outcome == store.OutcomeDenied && r.Operator == helpdesk && r.Cmdlet == "Get-CsUser" && r.OSAccount == "tester" {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Errorf("%d denial audit records", n)
	}
}

func TestPinPolicyCmdlets(t *testing.T) {
	e := newEnv(t, 50)
	type step struct {
		cmd   string
		args  []object.Value
		input []object.Value
		out   string // Identity of the objects written, or a property check "Prop=value"
		err   string
	}
	policy := func(id string) string {
		rt := e.run(t, admin, nil, "Get-CsPinPolicy", "-Identity", id)
		if len(rt.out) != 1 {
			return "none"
		}
		o := rt.out[0].(*object.Object)
		var parts []string
		for i := 0; i < o.Len(); i++ {
			n, _ := o.At(i)
			parts = append(parts, n+"="+prop(o, n))
		}
		return strings.Join(parts, " ")
	}
	if got := policy("Global"); got != "Identity=Global Description= MinPasswordLength=5 PINHistoryCount=0 AllowCommonPatterns=False PINLifetime=0 MaximumLogonAttempts=$null" {
		t.Errorf("default global: %s", got)
	}
	steps := []step{
		{"New-CsPinPolicy", []object.Value{"-Identity", "RedmondPinPolicy", "-MinPasswordLength", int64(7)}, nil, "Tag:RedmondPinPolicy", ""},
		{"New-CsPinPolicy", []object.Value{"tag:redmondpinpolicy"}, nil, "",
			`The PIN policy "Tag:RedmondPinPolicy" already exists. Use Set-CsPinPolicy to change it.`},
		{"New-CsPinPolicy", []object.Value{"Global"}, nil, "",
			"The global PIN policy always exists and a second one cannot be created. Use Set-CsPinPolicy to change it."},
		{"New-CsPinPolicy", []object.Value{"site:Redmond", "-AllowCommonPatterns", true, "-MaximumLogonAttempts", int64(12)}, nil, "Site:Redmond", ""},
		{"New-CsPinPolicy", []object.Value{"bogus:x"}, nil, "", `The policy identity "bogus:x" has an unknown scope "bogus"; use Global, site:<name> or tag:<name>.`},
		{"New-CsPinPolicy", []object.Value{"Short", "-MinPasswordLength", int64(3)}, nil, "",
			"Cannot validate argument on parameter 'MinPasswordLength'. The 3 argument is less than the minimum allowed range of 4. Supply an argument that is greater than or equal to 4 and then try the command again."},
		{"New-CsPinPolicy", []object.Value{"Long", "-MinPasswordLength", int64(25)}, nil, "",
			"Cannot validate argument on parameter 'MinPasswordLength'. The 25 argument is greater than the maximum allowed range of 24. Supply an argument that is less than or equal to 24 and then try the command again."},
		{"New-CsPinPolicy", []object.Value{"Hist", "-PINHistoryCount", int64(21)}, nil, "",
			"Cannot validate argument on parameter 'PINHistoryCount'. The 21 argument is greater than the maximum allowed range of 20. Supply an argument that is less than or equal to 20 and then try the command again."},
		{"New-CsPinPolicy", []object.Value{"Life", "-PINLifetime", int64(1000)}, nil, "",
			"Cannot validate argument on parameter 'PINLifetime'. The 1000 argument is greater than the maximum allowed range of 999. Supply an argument that is less than or equal to 999 and then try the command again."},
		{"New-CsPinPolicy", []object.Value{"Max", "-MaximumLogonAttempts", int64(0)}, nil, "",
			"Cannot validate argument on parameter 'MaximumLogonAttempts'. The 0 argument is less than the minimum allowed range of 1. Supply an argument that is greater than or equal to 1 and then try the command again."},
		{"New-CsPinPolicy", []object.Value{"Expiring", "-PINLifetime", int64(30)}, nil, "",
			"When PINLifetime is greater than 0, PINHistoryCount must also be greater than 0 (the policy Tag:Expiring has PINLifetime 30 and PINHistoryCount 0)."},
		{"New-CsPinPolicy", []object.Value{"Expiring", "-PINLifetime", int64(30), "-PINHistoryCount", int64(3)}, nil, "Tag:Expiring", ""},
		{"Get-CsPinPolicy", nil, nil, "Global|Site:Redmond|Tag:Expiring|Tag:RedmondPinPolicy", ""},
		{"Get-CsPinPolicy", []object.Value{"-Filter", "tag:*"}, nil, "Tag:Expiring|Tag:RedmondPinPolicy", ""},
		{"Get-CsPinPolicy", []object.Value{"-Filter", "site:R*"}, nil, "Site:Redmond", ""},
		{"Get-CsPinPolicy", []object.Value{"tag:Nope"}, nil, "", `Cannot find a PIN policy with the identity "tag:Nope".`},
		// Set without Identity changes Global.
		{"Set-CsPinPolicy", []object.Value{"-MinPasswordLength", int64(6), "-Description", "house rules"}, nil, "", ""},
		{"Set-CsPinPolicy", []object.Value{"-Identity", "tag:Nope", "-MinPasswordLength", int64(6)}, nil, "", `Cannot find a PIN policy with the identity "Tag:Nope".`},
		{"Set-CsPinPolicy", []object.Value{"site:Redmond", "-MaximumLogonAttempts", nil}, nil, "", ""},
		{"Set-CsPinPolicy", []object.Value{"Expiring", "-PINHistoryCount", int64(0)}, nil, "",
			"When PINLifetime is greater than 0, PINHistoryCount must also be greater than 0 (the policy Tag:Expiring has PINLifetime 30 and PINHistoryCount 0)."},
		{"Set-CsPinPolicy", []object.Value{"-WhatIf", "-MinPasswordLength", int64(9)}, nil, "", ""},
	}
	for i, s := range steps {
		rt := e.run(t, admin, s.input, s.cmd, s.args...)
		if got := rt.props("Identity"); got != s.out {
			t.Errorf("step %d %s %v: out %q, want %q", i, s.cmd, s.args, got, s.out)
		}
		if got := rt.errText(); got != s.err {
			t.Errorf("step %d %s %v: errors %q, want %q", i, s.cmd, s.args, got, s.err)
		}
	}
	if got := policy("Global"); got != "Identity=Global Description=house rules MinPasswordLength=6 PINHistoryCount=0 AllowCommonPatterns=False PINLifetime=0 MaximumLogonAttempts=$null" {
		t.Errorf("global after Set: %s", got)
	}
	if got := policy("site:redmond"); got != "Identity=Site:Redmond Description= MinPasswordLength=5 PINHistoryCount=0 AllowCommonPatterns=True PINLifetime=0 MaximumLogonAttempts=$null" {
		t.Errorf("site after Set: %s", got)
	}
	// -InMemory, then Set -Instance from the pipeline.
	mem := e.run(t, admin, nil, "New-CsPinPolicy", "Staged", "-InMemory", "-MinPasswordLength", int64(8))
	if policy("tag:Staged") != "none" || len(mem.out) != 1 {
		t.Fatalf("InMemory saved the policy or returned nothing: %v", mem.out)
	}
	rt := e.run(t, admin, mem.out, "Set-CsPinPolicy", "-PINHistoryCount", int64(2))
	if rt.errText() != "" || policy("tag:Staged") != "Identity=Tag:Staged Description= MinPasswordLength=8 PINHistoryCount=2 AllowCommonPatterns=False PINLifetime=0 MaximumLogonAttempts=$null" {
		t.Errorf("Set -Instance: %s / %s", rt.errText(), policy("tag:Staged"))
	}
	// Grant, PassThru, unassign, unknown policy, WhatIf.
	rt = e.run(t, admin, nil, "Grant-CsPinPolicy", "-Identity", "Ken Myer", "-PolicyName", "redmondpinpolicy", "-PassThru")
	if rt.props("PinPolicy") != "RedmondPinPolicy" || rt.errText() != "" {
		t.Errorf("Grant: %q %s", rt.props("PinPolicy"), rt.errText())
	}
	eff := func() string {
		us, _ := e.st.ResolveIdentity(context.Background(), "Ken Myer")
		p, _ := e.pin.EffectivePolicy(context.Background(), &us[0])
		return p.Identity()
	}
	if eff() != "Tag:RedmondPinPolicy" {
		t.Errorf("effective policy %s", eff())
	}
	rt = e.run(t, admin, nil, "Grant-CsPinPolicy", "Ken Myer", "Missing")
	if rt.errText() != `Cannot find a PIN policy with the identity "Tag:Missing".` {
		t.Errorf("Grant missing: %s", rt.errText())
	}
	rt = e.run(t, admin, nil, "Grant-CsPinPolicy", "Ken Myer", nil, "-WhatIf")
	if eff() != "Tag:RedmondPinPolicy" || len(rt.whatIfs) != 1 || rt.whatIfs[0] != `What if: Performing the operation "Grant-CsPinPolicy" on target "sip:kenmyer@litwareinc.com".` {
		t.Errorf("WhatIf changed the policy or printed %v", rt.whatIfs)
	}
	rt = e.run(t, admin, nil, "Grant-CsPinPolicy", "-Identity", "Ken Myer", "-PolicyName", nil)
	if eff() != "Global" || rt.errText() != "" {
		t.Errorf("unassign: %s %s", eff(), rt.errText())
	}
	// Remove: a tag is deleted, Global is reset.
	rt = e.run(t, admin, nil, "Get-CsPinPolicy")
	rt = e.run(t, admin, rt.out, "Remove-CsPinPolicy")
	if rt.errText() != "" {
		t.Errorf("remove all: %s", rt.errText())
	}
	if got := e.run(t, admin, nil, "Get-CsPinPolicy").props("Identity"); got != "Global" {
		t.Errorf("after removing all: %s", got)
	}
	if got := policy("Global"); got != "Identity=Global Description= MinPasswordLength=5 PINHistoryCount=0 AllowCommonPatterns=False PINLifetime=0 MaximumLogonAttempts=$null" {
		t.Errorf("global after reset: %s", got)
	}
	rt = e.run(t, admin, nil, "Remove-CsPinPolicy", "tag:Gone")
	if rt.errText() != `Cannot find a PIN policy with the identity "Tag:Gone".` {
		t.Errorf("remove missing: %s", rt.errText())
	}
	// The audit trail has every change and the WhatIf runs, never a PIN.
	var actions []string
	e.st.EachAudit(context.Background(), store.AuditFilter{}, func(r *store.AuditRecord) error {
		if r.Cmdlet != "Import-CsDirectory" {
			actions = append(actions, r.Action+"/"+r.Outcome)
		}
		return nil
	})
	want := "NewPinPolicy/Success NewPinPolicy/Success NewPinPolicy/Success SetPinPolicy/Success SetPinPolicy/Success SetPinPolicy/WhatIf " +
		"SetPinPolicy/Success GrantPinPolicy/Success GrantPinPolicy/WhatIf GrantPinPolicy/Success " +
		"ResetPinPolicy/Success RemovePinPolicy/Success RemovePinPolicy/Success RemovePinPolicy/Success RemovePinPolicy/Success"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audit:\n%s\nwant\n%s", got, want)
	}
}

func TestImportCsDirectory(t *testing.T) {
	e := newEnv(t, 20)
	path := filepath.Join(e.dir, "broken.ldf")
	os.WriteFile(path, []byte("dn: CN=New User,OU=Finance,DC=litwareinc,DC=com\nobjectClass: user\nsAMAccountName: newuser\n\n"+
		"dn: CN=Bad,DC=litwareinc,DC=com\nobjectClass: user\ndisplayName:: %%%\n"), 0o600)
	rt := e.run(t, admin, nil, "Import-CsDirectory", path)
	if got := rt.props("Length"); len(rt.out) != 1 || !strings.HasPrefix(object.ToString(rt.out[0]), "Imported "+path+": 1 users added, 0 updated, 0 deleted, 1 skipped;") {
		t.Errorf("summary %v %s", rt.out, got)
	}
	if len(rt.errs) != 1 || !strings.HasPrefix(rt.errs[0].Error(), path+":7: the base64 value of displayName is invalid") ||
		object.ToString(rt.errs[0].Target) != path+":7" {
		t.Errorf("problems: %s", rt.errText())
	}
	rt = e.run(t, admin, nil, "Import-CsDirectory", filepath.Join(e.dir, "missing.ldf"))
	if rt.terminate == nil || !strings.Contains(rt.terminate.Error(), "missing.ldf") {
		t.Errorf("missing file: %v", rt.terminate)
	}
	rt = e.run(t, admin, nil, "Import-CsDirectory", path, "-WhatIf")
	if len(rt.out) != 0 || len(rt.whatIfs) != 1 {
		t.Errorf("WhatIf imported: %v", rt.out)
	}
}

func TestTestCsClientPin(t *testing.T) {
	e := newEnv(t, 20)
	ctx := context.Background()
	us, _ := e.st.ResolveIdentity(ctx, "Ken Myer")
	if _, err := e.pin.SetPin(ctx, &us[0], "58214", false, pinAudit); err != nil {
		t.Fatal(err)
	}
	rt := e.run(t, admin, nil, "Test-CsClientPin", "-Identity", `litwareinc\kenmyer`, "-Pin", "58214")
	if rt.props("") != "$null" && len(rt.out) != 1 || rt.out[0] != true {
		t.Errorf("right PIN: %v %s", rt.out, rt.errText())
	}
	rt = e.run(t, admin, nil, "Test-CsClientPin", "Ken Myer", "00000")
	if len(rt.out) != 1 || rt.out[0] != false {
		t.Errorf("wrong PIN: %v", rt.out)
	}
	rt = e.run(t, admin, nil, "Test-CsClientPin", "Pilar Ackerman", "00000")
	if len(rt.out) != 1 || rt.out[0] != false || len(rt.warnings) != 1 || rt.warnings[0] != "No PIN is set for sip:pilara@litwareinc.com." {
		t.Errorf("no PIN: %v %v", rt.out, rt.warnings)
	}
	rt = e.run(t, admin, nil, "Test-CsClientPin", "Nobody", "00000")
	if len(rt.out) != 0 || rt.errText() != `Management object not found for identity "Nobody".` {
		t.Errorf("unknown: %v %s", rt.out, rt.errText())
	}
	e.pin.Lock(ctx, &us[0], pinAudit)
	rt = e.run(t, admin, nil, "Test-CsClientPin", "Ken Myer", "58214")
	if rt.out[0] != false || rt.warnings[0] != "The PIN for sip:kenmyer@litwareinc.com is locked. Unlock it with Unlock-CsClientPin." {
		t.Errorf("locked: %v %v", rt.out, rt.warnings)
	}
}
