package directory

import (
	"strings"
	"testing"

	"pinsh/host/store"
)

func TestLDAPFilter(t *testing.T) {
	ken := &store.User{DN: "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com", SamAccountName: "kenmyer",
		DisplayName: "Ken Myer", Department: "Finance", Title: "Manager", City: "Redmond", Enabled: true,
		SipAddress: "sip:kenmyer@litwareinc.com", Telephone: "+1 (425) 555-0100",
		Extra: []store.Attr{{Name: "employeeID", Value: "1042"}}}
	zoe := &store.User{DN: "CN=Zoë Ångström,OU=Dublin,DC=litwareinc,DC=com", DisplayName: "Zoë Ångström",
		Department: "Operations", Title: "Analyst (Senior)", City: "Dublin",
		Extra: []store.Attr{{Name: "employeeID", Value: "997"}, {Name: "description", Value: "a*b\\c"}}}
	users := map[string]*store.User{"ken": ken, "zoe": zoe}
	memberOf := func() []string { return []string{"CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com"} }
	tests := []struct {
		filter string
		want   string // matching users, or "error: ..." text
	}{
		{"Department=Finance", "ken"},
		{"(department=FINANCE)", "ken"},
		{"&(Department=Finance)(Title=Manager)", "ken"},
		{"|(Title=Supervisor)(Title=Manager)", "ken"},
		{"(!(Title=Manager))", "zoe"},
		{"l=Redmond", "ken"},
		{"Title=Manager", "ken"},
		{"(telephoneNumber=*)", "ken"},
		{"(!(telephoneNumber=*))", "zoe"},
		{"(displayName=Ken*)", "ken"},
		{"(displayName=*myer)", "ken"},
		{"(displayName=*e*y*)", "ken"},
		{"(displayName=K*n*M*r)", "ken"},
		{"(displayName=zoë*)", "zoe"},
		{"(displayName=ZOË ÅNGSTRÖM)", "zoe"},
		{"(title=Analyst \\28Senior\\29)", "zoe"},
		{"(title=*\\28senior\\29)", "zoe"},
		{"(description=a\\2ab\\5cc)", "zoe"},
		{"(description=a\\*b\\\\c)", "zoe"}, // RFC 1960 escapes
		{"(description=a*)", "zoe"},
		{"(cn=Ken Myer)", "ken"},
		{"(distinguishedName=cn=ken myer,ou=finance,dc=litwareinc,dc=com)", "ken"},
		{"(objectClass=user)", "ken,zoe"},
		{"(objectCategory=person)", "ken,zoe"},
		{"(msRTCSIP-UserEnabled=TRUE)", "ken"},
		{"(msRTCSIP-PrimaryUserAddress=sip:kenmyer@*)", "ken"},
		{"(employeeID>=1000)", "ken"}, // numeric: 997 < 1000
		{"(employeeID<=999)", "zoe"},
		{"(title>=B)", "ken"},
		{"(displayName~=ken  myer)", "ken"},
		{"(memberOf=CN=CsHelpDesk,CN=Users,DC=litwareinc,DC=com)", "ken,zoe"},
		{"(&)", "ken,zoe"},
		{"(|)", ""},
		{"(&(|(l=Dublin)(l=Redmond))(!(Department=Operations)))", "ken"},
		{"  Department=Finance  ", "ken"},
		{"(nosuchattr=x)", ""},
		// Errors name the position and the reason.
		{"", `error: The LDAP filter "" is invalid at position 1: the filter is empty.`},
		{"(cn=a", `error: The LDAP filter "(cn=a" is invalid at position 6: a ")" is missing at the end.`},
		{"(cn=a))", `error: The LDAP filter "(cn=a))" is invalid at position 7: unexpected ")" after the end of the filter.`},
		{"(cn=a(b)", `error: The LDAP filter "(cn=a(b)" is invalid at position 6: a "(" in a value must be escaped as \28.`},
		{"(cn=a\\zz)", `error: The LDAP filter "(cn=a\zz)" is invalid at position 6: a "\" must be followed by two hex digits.`},
		{"(cn:dn:=a)", `error: The LDAP filter "(cn:dn:=a)" is invalid at position 4: extensible matching (:=) is not supported.`},
		{"(=a)", `error: The LDAP filter "(=a)" is invalid at position 2: "" is not a valid attribute name.`},
		{"(cn>=a*)", `error: The LDAP filter "(cn>=a*)" is invalid at position 6: "*" is only allowed with "="; escape it as \2a.`},
		{"(cn=a**b)", `error: The LDAP filter "(cn=a**b)" is invalid at position 5: a substring filter cannot have two "*" in a row.`},
		{"(!(cn=a)(cn=b))", `error: The LDAP filter "(!(cn=a)(cn=b))" is invalid at position 9: expected ")", found "(".`},
		{"(cn<a)", `error: The LDAP filter "(cn<a)" is invalid at position 4: expected "=" after "<".`},
		{"(cn=\\ff)", `error: The LDAP filter "(cn=\ff)" is invalid at position 5: the value of "cn" is not valid UTF-8.`},
		{strings.Repeat("(!", 70) + "(cn=a)" + strings.Repeat(")", 70), "error: nested more than 64 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := ParseFilter(tt.filter)
			if strings.HasPrefix(tt.want, "error: ") {
				if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tt.want, "error: ")) {
					t.Errorf("ParseFilter(%q) error = %v, want %s", tt.filter, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.filter, err)
			}
			var got []string
			for _, name := range []string{"ken", "zoe"} {
				if f.Match(UserAttributes{U: users[name], MemberOf: memberOf}) {
					got = append(got, name)
				}
			}
			if g := strings.Join(got, ","); g != tt.want {
				t.Errorf("%s matches %q, want %q", f, g, tt.want)
			}
			// The canonical form parses back to itself.
			f2, err := ParseFilter(f.String())
			if err != nil || f2.String() != f.String() {
				t.Errorf("round trip of %s: %v, %v", f, f2, err)
			}
		})
	}
}

func FuzzLDAPFilter(f *testing.F) {
	for _, s := range []string{"Department=Finance", "&(Department=Finance)(Title=Manager)",
		"|(Title=Supervisor)(Title=Manager)", "(!(cn=a*b*c))", "(cn=\\28x\\29)", "(a>=1)", "(a~=b)", "(a=*)",
		"(&)", "((", "(cn=a\\2", "(cn:=x)"} {
		f.Add(s)
	}
	u := UserAttributes{U: &store.User{DN: "CN=a,DC=x", DisplayName: "a(b)*c\\", Title: "Manager"}}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s)
		if err != nil {
			if _, ok := err.(*FilterError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		m := flt.Match(u)
		canon := flt.String()
		flt2, err := ParseFilter(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, s, err)
		}
		if flt2.String() != canon {
			t.Fatalf("canonical form not stable: %q -> %q", canon, flt2.String())
		}
		if flt2.Match(u) != m {
			t.Fatalf("canonical form %q matches differently", canon)
		}
	})
}

func BenchmarkLDAPFilterMatch(b *testing.B) {
	f, _ := ParseFilter("&(|(Title=Supervisor)(Title=Manager))(Department=Fin*)")
	u := UserAttributes{U: &store.User{DN: "CN=a,DC=x", Department: "Finance", Title: "Manager"}}
	for i := 0; i < b.N; i++ {
		f.Match(u)
	}
}
