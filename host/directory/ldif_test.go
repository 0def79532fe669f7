package directory

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// readAll reads every entry, rendering entries and problems as text.
func readAll(r Reader) (out []string, err error) {
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		var p *Problem
		if errors.As(err, &p) {
			out = append(out, "PROBLEM "+p.Error())
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, e.String())
	}
}

// String renders an entry compactly for tests.
func (e *Entry) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d %s %q", e.Line, e.ChangeType, e.DN)
	for _, a := range e.Attrs {
		fmt.Fprintf(&sb, " %s=%q", a.Name, a.Value)
	}
	for _, m := range e.Mods {
		fmt.Fprintf(&sb, " [%s %s %q]", m.Op, m.Attr, m.Values)
	}
	return sb.String()
}

func TestLDIF(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"plain", "dn: CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com\nobjectClass: user\ndisplayName: Ken Myer\n",
			[]string{`1 add "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com" objectClass="user" displayName="Ken Myer"`}},
		{"version, comments, CRLF, two entries",
			"version: 1\r\n# a comment\r\n#  folded comment\r\n continues\r\ndn: CN=a,DC=x\r\ncn: a\r\n\r\n\r\ndn: CN=b,DC=x\r\ncn: b\r\n",
			[]string{`5 add "CN=a,DC=x" cn="a"`, `9 add "CN=b,DC=x" cn="b"`}},
		{"version alone", "version: 1\n\ndn: CN=a,DC=x\ncn: a\n", []string{`3 add "CN=a,DC=x" cn="a"`}},
		{"folded lines", "dn: CN=Ken Myer,OU=Fin\n ance,DC=litwareinc,DC=com\ndescription: a long\n  value\n",
			[]string{`1 add "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com" description="a long value"`}},
		{"base64", "dn:: Q049Wm/DqyDDhW5nc3Ryw7ZtLERDPXg=\ndisplayName:: Wm/DqyDDhW5nc3Ryw7Zt\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\n",
			[]string{`1 add "CN=Zoë Ångström,DC=x" displayName="Zoë Ångström" objectGUID="\x00\x01\x02\x03\x04\x05\x06\a\b\t\n\v\f\r\x0e\x0f"`}},
		{"folded base64", "dn: CN=a,DC=x\ndisplayName:: Wm/DqyDDhW5n\n c3Ryw7Zt\n", []string{`1 add "CN=a,DC=x" displayName="Zoë Ångström"`}},
		{"options and empty value", "dn: CN=a,DC=x\ndescription;lang-en: hi\ntitle:\n", []string{`1 add "CN=a,DC=x" description="hi" title=""`}},
		{"changetype add", "dn: CN=a,DC=x\nchangetype: add\ncn: a\n", []string{`1 add "CN=a,DC=x" cn="a"`}},
		{"modify", "dn: CN=a,DC=x\nchangetype: modify\nreplace: title\ntitle: Manager\n-\nadd: member\nmember: CN=b,DC=x\nmember: CN=c,DC=x\n-\ndelete: mail\n-\n",
			[]string{`1 modify "CN=a,DC=x" [replace title ["Manager"]] [add member ["CN=b,DC=x" "CN=c,DC=x"]] [delete mail []]`}},
		{"delete", "dn: CN=a,DC=x\nchangetype: delete\n", []string{`1 delete "CN=a,DC=x"`}},
		// Broken entries: each is reported with its line and skipped; the
		// next entry is still read.
		{"missing dn", "cn: a\nsn: b\n\ndn: CN=ok,DC=x\n",
			[]string{`PROBLEM f.ldf:1: the entry does not start with a dn: line (found "cn: a")`, `4 add "CN=ok,DC=x"`}},
		{"bad base64", "dn: CN=a,DC=x\ndisplayName:: Wm9!!\n\ndn: CN=ok,DC=x\n",
			[]string{`PROBLEM f.ldf:2: the base64 value of displayName is invalid: illegal base64 data at input byte 3 (entry "CN=a,DC=x")`, `4 add "CN=ok,DC=x"`}},
		{"truncated base64", "dn: CN=a,DC=x\nobjectGUID:: AAECAwQFBgcICQoLDA0OD\n",
			[]string{`PROBLEM f.ldf:2: the base64 value of objectGUID is invalid: illegal base64 data at input byte 20 (entry "CN=a,DC=x")`}},
		{"no colon", "dn: CN=a,DC=x\nthis is not ldif\n\ndn: CN=ok,DC=x\n",
			[]string{`PROBLEM f.ldf:2: expected "attribute: value", found "this is not ldif" (entry "CN=a,DC=x")`, `4 add "CN=ok,DC=x"`}},
		{"bad attribute name", "dn: CN=a,DC=x\n1a b: x\n", []string{`PROBLEM f.ldf:2: "1a b" is not a valid attribute name (entry "CN=a,DC=x")`}},
		{"url value", "dn: CN=a,DC=x\njpegPhoto:< file:///etc/passwd\n",
			[]string{`PROBLEM f.ldf:2: the value of jpegPhoto is a URL reference (file:///etc/passwd), which pinsh does not follow (entry "CN=a,DC=x")`}},
		{"continuation first", " orphan\ndn: CN=a,DC=x\n\ndn: CN=ok,DC=x\n",
			[]string{`PROBLEM f.ldf:1: a continuation line (starting with a space) follows no line`, `4 add "CN=ok,DC=x"`}},
		{"truncated modify", "dn: CN=a,DC=x\nchangetype: modify\nreplace: title\ntitle: Man",
			[]string{`PROBLEM f.ldf:3: the replace: title section is not ended by a "-" line (is the file truncated?) (entry "CN=a,DC=x")`}},
		{"modrdn", "dn: CN=a,DC=x\nchangetype: modrdn\nnewrdn: CN=b\n",
			[]string{`PROBLEM f.ldf:2: changetype modrdn is not supported; re-export the entry under its new DN (entry "CN=a,DC=x")`}},
		{"late changetype", "dn: CN=a,DC=x\ncn: a\nchangetype: add\n", []string{`PROBLEM f.ldf:3: changetype: must come right after the dn: line (entry "CN=a,DC=x")`}},
		{"empty dn", "dn:\ncn: a\n", []string{`PROBLEM f.ldf:1: the dn is empty`}},
		{"invalid utf-8", "dn: CN=a,DC=x\ncn: \xff\xfe\n", []string{`PROBLEM f.ldf:2: the value of cn is not valid UTF-8 (non-ASCII values must be base64-encoded with "::") (entry "CN=a,DC=x")`}},
		{"empty file", "", nil},
		{"only comments", "# nothing\n\n# here\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(NewLDIFReader(strings.NewReader(tt.in), "f.ldf"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLDIFBinaryAndHuge(t *testing.T) {
	if _, err := readAll(NewLDIFReader(strings.NewReader("version: 2\n\ndn: CN=a,DC=x\n"), "v.ldf")); err == nil ||
		err.Error() != `v.ldf:1: unsupported LDIF version "2" (only version 1 is known)` {
		t.Errorf("version 2: %v", err)
	}
	_, err := readAll(NewLDIFReader(strings.NewReader("\x7fELF\x02\x01\x01\x00\x00\x00"), "a.out"))
	if err == nil || !strings.Contains(err.Error(), "a.out is not an LDIF file") {
		t.Errorf("binary: %v", err)
	}
	huge := "dn: CN=a,DC=x\ndescription: " + strings.Repeat("x", maxLineLen+10) + "\n\ndn: CN=ok,DC=x\n"
	got, err := readAll(NewLDIFReader(strings.NewReader(huge), "h.ldf"))
	if err != nil || len(got) != 2 || !strings.Contains(got[0], "h.ldf:2: the entry has a line longer than") || !strings.Contains(got[1], "CN=ok") {
		t.Errorf("huge line: %v %v", got, err)
	}
	folded := "dn: CN=a,DC=x\ndescription: x\n" + strings.Repeat(" "+strings.Repeat("y", 1000)+"\n", maxLineLen/1000+5) + "\ndn: CN=ok,DC=x\n"
	got, err = readAll(NewLDIFReader(strings.NewReader(folded), "h.ldf"))
	if err != nil || len(got) != 2 || !strings.Contains(got[0], "longer than") {
		t.Errorf("huge folded line: %v %v", got, err)
	}
}

func TestCSV(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"lync names", "DistinguishedName,SipAddress,DisplayName,Enabled,LineURI,City\n" +
			"\"CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com\",sip:kenmyer@litwareinc.com,Ken Myer,True,tel:+14255550100;ext=100,Redmond\n",
			[]string{`2 add "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com" msRTCSIP-PrimaryUserAddress="sip:kenmyer@litwareinc.com" displayName="Ken Myer" msRTCSIP-UserEnabled="True" msRTCSIP-Line="tel:+14255550100;ext=100" l="Redmond" objectClass="user"`}, ""},
		{"ldap names, export-csv type line, empty cells, memberOf", "#TYPE Microsoft.Rtc.Management.ADConnect.Schema.OCSADUser\n" +
			"dn,sAMAccountName,title,MemberOf,employeeID\n" +
			"\"CN=a,DC=x\",a,,\"CN=G1,DC=x; CN=G2,DC=x\",42\n",
			[]string{`3 add "CN=a,DC=x" sAMAccountName="a" memberOf="CN=G1,DC=x" memberOf="CN=G2,DC=x" employeeID="42" objectClass="user"`}, ""},
		{"bad rows", "dn,cn\n\"CN=a,DC=x\",a,extra\n,b\n\"CN=c,DC=x\",c\n\"CN=d,DC=x\",\"unterminated\n",
			[]string{`PROBLEM f.csv:2: the row has 3 fields, but the header has 2`,
				`PROBLEM f.csv:3: the DistinguishedName cell is empty`,
				`4 add "CN=c,DC=x" cn="c" objectClass="user"`,
				`PROBLEM f.csv:5: extraneous or missing " in quoted-field`}, ""},
		{"no dn column", "DisplayName,Title\nKen,Manager\n", nil, "f.csv:1: the CSV header has no DistinguishedName (or dn) column"},
		{"duplicate column", "dn,DistinguishedName\n", nil, `f.csv:1: the CSV header has the column "DistinguishedName" twice`},
		{"empty", "", nil, "f.csv: the CSV file is empty"},
		{"binary", "\x00\x01\x02,\xff\n", nil, "f.csv is not a CSV file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSVReader(strings.NewReader(tt.in), "f.csv")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("NewCSVReader error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func FuzzLDIF(f *testing.F) {
	for _, s := range []string{
		"version: 1\ndn: CN=a,DC=x\ncn: a\n\ndn:: Q049Wm/DqyxEQz14\ndisplayName:: Wm/Dqw==\n",
		"dn: CN=a,DC=x\nchangetype: modify\nreplace: title\ntitle: M\n-\n",
		"dn: CN=a,DC=x\nchangetype: delete\n",
		"dn: CN=a,\n DC=x\n# c\n c\ncn: a\n",
		"dn: CN=a,DC=x\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\n",
		" x\n\ncn\n\ndn:: !!\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewLDIFReader(strings.NewReader(string(data)), "fuzz.ldf")
		for i := 0; i < 10000; i++ {
			e, err := r.Next()
			if err == io.EOF {
				return
			}
			var p *Problem
			if errors.As(err, &p) {
				if p.Line < 1 || p.Line > strings.Count(string(data), "\n")+1 {
					t.Fatalf("problem line %d out of range", p.Line)
				}
				continue
			}
			if err != nil {
				return // a fatal error ends reading
			}
			if e.DN == "" || e.Line < 1 {
				t.Fatalf("entry without dn or line: %+v", e)
			}
		}
		t.Fatal("reader did not terminate")
	})
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"DistinguishedName,SipAddress,Enabled\n\"CN=a,DC=x\",sip:a@x,True\n",
		"#TYPE x\ndn,memberOf\n\"CN=a,DC=x\",\"CN=g,DC=x;CN=h,DC=x\"\n",
		"dn,cn\n\"CN=a,DC=x\",a,extra\n,b\n\"bad\n",
		"dn\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewCSVReader(strings.NewReader(string(data)), "fuzz.csv")
		if err != nil {
			return
		}
		for i := 0; i < 100000; i++ {
			e, err := r.Next()
			if err == io.EOF {
				return
			}
			var p *Problem
			if errors.As(err, &p) {
				continue
			}
			if err != nil {
				return
			}
			if e.DN == "" {
				t.Fatalf("entry without dn: %+v", e)
			}
		}
		t.Fatal("reader did not terminate")
	})
}
