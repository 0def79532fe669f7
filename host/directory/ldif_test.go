package directory

import (
	"errors"
	"fmt"
	"io"
	"runtime"
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
		{"unended modify section", "dn: CN=a,DC=x\nchangetype: modify\nreplace: title\ntitle: Man\n",
			[]string{`PROBLEM f.ldf:3: the replace: title section is not ended by a "-" line (is the file truncated?) (entry "CN=a,DC=x")`}},
		// A file whose last line has no line break is cut: its last entry
		// is reported and skipped, the others are read.
		{"cut inside a line", "dn: CN=a,DC=x\ncn: a\n\ndn: CN=Ken,DC=x\nmsRTCSIP-PrimaryUserAddress: sip:ke",
			[]string{`1 add "CN=a,DC=x" cn="a"`, `PROBLEM f.ldf:4: the entry is truncated (the file does not end with a line break) (entry "CN=Ken,DC=x")`}},
		{"cut inside a fold", "dn: CN=a,DC=x\ndescription: first part\n of a fold th",
			[]string{`PROBLEM f.ldf:1: the entry is truncated (the file does not end with a line break) (entry "CN=a,DC=x")`}},
		{"cut modify", "dn: CN=a,DC=x\nchangetype: modify\nreplace: title\ntitle: Man",
			[]string{`PROBLEM f.ldf:1: the entry is truncated (the file does not end with a line break) (entry "CN=a,DC=x")`}},
		{"cut CRLF file", "dn: CN=a,DC=x\r\ncn: a\r\n\r\ndn: CN=b,DC=x\r\ncn: b",
			[]string{`1 add "CN=a,DC=x" cn="a"`, `PROBLEM f.ldf:4: the entry is truncated (the file does not end with a line break) (entry "CN=b,DC=x")`}},
		{"cut inside a comment after the entry", "dn: CN=a,DC=x\ncn: a\n# trailing",
			[]string{`PROBLEM f.ldf:1: the entry is truncated (the file does not end with a line break) (entry "CN=a,DC=x")`}},
		{"ends with a blank line without break", "dn: CN=a,DC=x\ncn: a\n\r", []string{`1 add "CN=a,DC=x" cn="a"`}},
		{"version line alone without break", "version: 1", nil},
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
				`PROBLEM f.csv:5: extraneous or missing " in quoted-field (the file ends inside a quoted cell: is it truncated?)`}, ""},
		// A row without a line break at the end of the file is cut.
		{"cut inside the last cell", "dn,SipAddress,Title\n\"CN=a,DC=x\",sip:a@x,Boss\n\"CN=Ken,DC=x\",sip:ken@x,Mana",
			[]string{`2 add "CN=a,DC=x" msRTCSIP-PrimaryUserAddress="sip:a@x" title="Boss" objectClass="user"`,
				`PROBLEM f.csv:3: the row is truncated (the file does not end with a line break) (entry "CN=Ken,DC=x")`}, ""},
		{"cut inside a quoted last cell", "dn,Title\n\"CN=a,DC=x\",\"Mana",
			[]string{`PROBLEM f.csv:2: extraneous or missing " in quoted-field (the file ends inside a quoted cell: is it truncated?)`}, ""},
		{"cut after a closing quote", "dn,Title\n\"CN=a,DC=x\",\"Manager\"",
			[]string{`PROBLEM f.csv:2: the row is truncated (the file does not end with a line break) (entry "CN=a,DC=x")`}, ""},
		{"cut between cells", "dn,Title,City\n\"CN=a,DC=x\",Boss",
			[]string{`PROBLEM f.csv:2: the row has 2 fields, but the header has 3`}, ""},
		{"quoted line breaks, doubled quotes, CRLF, empty lines", "dn,Title\r\n\r\n\"CN=a,DC=x\",\"say \"\"hi\"\"\r\nthere\"\r\n\n\"CN=b,DC=x\",b\r\n",
			[]string{`3 add "CN=a,DC=x" title="say \"hi\"\nthere" objectClass="user"`, `6 add "CN=b,DC=x" title="b" objectClass="user"`}, ""},
		{"bare quote", "dn,Title\n\"CN=a,DC=x\",ab\"c\n\"CN=b,DC=x\",b\n",
			[]string{`PROBLEM f.csv:2: bare " in non-quoted-field`, `3 add "CN=b,DC=x" title="b" objectClass="user"`}, ""},
		{"cell too large", "dn,Title\n\"CN=a,DC=x\",\"" + strings.Repeat("x\n", maxCSVField/2+1) + "\"\n\"CN=b,DC=x\",b\n",
			[]string{fmt.Sprintf(`PROBLEM f.csv:2: the row has a cell longer than %d bytes, more than %d cells or more than %d bytes`, maxCSVField, maxCSVFields, maxCSVRecord),
				fmt.Sprintf(`%d add "CN=b,DC=x" title="b" objectClass="user"`, maxCSVField/2+4)}, ""},
		{"too many cells", "dn,Title\n\"CN=a,DC=x\"" + strings.Repeat(",", maxCSVFields) + "\n\"CN=b,DC=x\",b\n",
			[]string{fmt.Sprintf(`PROBLEM f.csv:2: the row has a cell longer than %d bytes, more than %d cells or more than %d bytes`, maxCSVField, maxCSVFields, maxCSVRecord),
				`3 add "CN=b,DC=x" title="b" objectClass="user"`}, ""},
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
		"dn: CN=a,DC=x\ncn: a\n\ndn: CN=b,DC=x\ndescription: cut\n fo",
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
		"dn,Title\r\n\r\n\"CN=a,DC=x\",\"say \"\"hi\"\"\r\nthere\"\r\n",
		"dn,Title\n\"CN=a,DC=x\",\"Mana",
		"dn,Title\n\"CN=a,DC=x\",Mana",
		"dn,Title\n\"CN=a,DC=x\",a\"b\r",
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

// endlessCell yields a CSV header, a row whose last cell is n bytes long,
// and a good row, without holding the cell in memory.
type endlessCell struct {
	head, tail string
	n          int
}

func (r *endlessCell) Read(p []byte) (int, error) {
	switch {
	case r.head != "":
		k := copy(p, r.head)
		r.head = r.head[k:]
		return k, nil
	case r.n > 0:
		k := min(len(p), r.n)
		for i := range p[:k] {
			p[i] = 'x'
		}
		r.n -= k
		return k, nil
	case r.tail != "":
		k := copy(p, r.tail)
		r.tail = r.tail[k:]
		return k, nil
	}
	return 0, io.EOF
}

func TestCSVHugeRowsBoundedMemory(t *testing.T) {
	cols := func(n int) string {
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, ",c%d", i)
		}
		return sb.String()
	}
	tests := []struct {
		name       string
		head, tail string
		n          int
	}{
		{"64 MiB unquoted cell", "dn,Title\n\"CN=a,DC=x\",", "\n\"CN=b,DC=x\",b\n", 64 << 20},
		{"64 MiB quoted cell", "dn,Title\n\"CN=a,DC=x\",\"", "\"\n\"CN=b,DC=x\",b\n", 64 << 20},
		{"row of 17 cells of 1 MiB", "dn" + cols(17) + "\n\"CN=a,DC=x\"" + strings.Repeat(","+strings.Repeat("y", 1<<20-1), 17), "\n\"CN=b,DC=x\"" + strings.Repeat(",b", 17) + "\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			r, err := NewCSVReader(&endlessCell{head: tt.head, tail: tt.tail, n: tt.n}, "h.csv")
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(r)
			runtime.ReadMemStats(&after)
			if err != nil || len(got) != 2 || !strings.HasPrefix(got[0], "PROBLEM h.csv:2: the row has a cell longer than") || !strings.Contains(got[1], `"CN=b,DC=x"`) {
				t.Fatalf("got %q, %v", got, err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*maxCSVRecord { // bounded by the limit, not by the input
				t.Errorf("reading allocated %d MiB", alloc>>20)
			}
		})
	}
}
