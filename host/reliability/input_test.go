package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// metaUsers are users whose identities hold SQL LIKE, LDAP filter and
// quoting metacharacters, in the CSV form Import-CsDirectory reads.
const metaUsers = `DistinguishedName,SamAccountName,UserPrincipalName,SipAddress,DisplayName,Enabled,RegistrarPool
"CN=O'Brien \28100%\29,OU=Finance,DC=litwareinc,DC=com",o'brien,o'brien@litwareinc.com,sip:o'brien@litwareinc.com,O'Brien (100%),TRUE,pool01
"CN=Under_Score,OU=Finance,DC=litwareinc,DC=com",under_score,under_score@litwareinc.com,sip:under_score@litwareinc.com,Under_Score,TRUE,pool01
"CN=Star\2a Man,OU=Finance,DC=litwareinc,DC=com",star*man,star*man@litwareinc.com,sip:star*man@litwareinc.com,Star* Man,TRUE,pool01
"CN=Back\5cSlash,OU=Finance,DC=litwareinc,DC=com",back\slash,back\slash@litwareinc.com,sip:back\slash@litwareinc.com,Back\Slash,TRUE,pool01
"CN=Bobby Tables,OU=Finance,DC=litwareinc,DC=com",bobby,bobby@litwareinc.com,sip:bobby@litwareinc.com,"Robert'); DROP TABLE users;--",TRUE,pool01
"CN=Paren \28x\29,OU=Finance,DC=litwareinc,DC=com",paren(x),paren(x)@litwareinc.com,sip:paren(x)@litwareinc.com,Paren (x),TRUE,pool01
`

// TestHostileIdentities looks users up by identities and LDAP filters full
// of SQL and LDAP metacharacters: they match literally (no injection, no
// LIKE or LDAP wildcard leaks), malformed filters are refused, and PIN
// cmdlets act on exactly the named user.
func TestHostileIdentities(t *testing.T) {
	sh := newShell(t)
	sh.importDemo(200)
	csv := sh.write("meta.csv", []byte(metaUsers))
	if out := sh.mustRun(`Import-CsDirectory -Path ` + quote(csv)); !strings.Contains(out, "6 users added") {
		t.Fatalf("import: %s", out)
	}
	var users int
	sh.db().QueryRow(`SELECT COUNT(*) FROM users`).Scan(&users)

	// lookup returns the sAMAccountNames Get-CsAdUser finds, sorted, or
	// the error text.
	lookup := func(args string) (string, string) {
		r := sh.run(`Get-CsAdUser ` + args + ` | ForEach-Object { "SAM " + $_.SamAccountName }`)
		var sams []string
		for _, l := range strings.Split(r.stdout, "\n") {
			if s, ok := strings.CutPrefix(strings.TrimSpace(l), "SAM "); ok {
				sams = append(sams, s)
			}
		}
		sort.Strings(sams)
		if panicked(r) {
			t.Errorf("Get-CsAdUser %s crashed: %s", args, r)
		}
		return strings.Join(sams, ","), r.stderr
	}
	cases := []struct {
		args, want, err string
	}{
		// Each identity form, with the metacharacters taken literally.
		{`-Identity 'litwareinc\o''brien'`, "o'brien", ""},
		{`-Identity "o'brien@litwareinc.com"`, "o'brien", ""},
		{`-Identity "sip:o'brien@litwareinc.com"`, "o'brien", ""},
		{`-Identity "O'Brien (100%)"`, "o'brien", ""},
		{`-Identity "CN=O'Brien \28100%\29,OU=Finance,DC=litwareinc,DC=com"`, "o'brien", ""},
		{`-Identity 'litwareinc\back\slash'`, `back\slash`, ""},
		{`-Identity "sip:paren(x)@litwareinc.com"`, "paren(x)", ""},
		{`-Identity "Robert'); DROP TABLE users;--"`, "bobby", ""},
		// SQL LIKE wildcards are not wildcards.
		{`-Identity "%"`, "", `Management object not found for identity "%"`},
		{`-Identity "_"`, "", `not found for identity "_"`},
		{`-Identity 'litwareinc\under%'`, "", "not found"},
		{`-Identity 'litwareinc\u_der_score'`, "", "not found"},
		{`-Identity "Under_Scor_"`, "", "not found"},
		{`-Identity "sip:%@litwareinc.com"`, "", "not found"},
		// SQL injection attempts find nobody.
		{`-Identity "x' OR '1'='1"`, "", "not found"},
		{`-Identity "litwareinc\x' OR 1=1 --"`, "", "not found"},
		{`-Identity "sip:a@b' UNION SELECT * FROM users --"`, "", "not found"},
		// The display-name wildcard is *, and only there.
		{`-Identity "Star* Man"`, "star*man", ""},
		{`-Identity 'litwareinc\star*'`, "", "not found"},
		// LDAP filters: escapes match the literal characters.
		{`-LdapFilter "(sAMAccountName=o'brien)"`, "o'brien", ""},
		{`-LdapFilter "(sAMAccountName=star\2aman)"`, "star*man", ""},
		{`-LdapFilter "(sAMAccountName=back\5cslash)"`, `back\slash`, ""},
		{`-LdapFilter "(sAMAccountName=paren\28x\29)"`, "paren(x)", ""},
		{`-LdapFilter "(displayName=*\28100\25\29)"`, "o'brien", ""},
		{`-LdapFilter "(sAMAccountName=under%)"`, "", ""},
		{`-LdapFilter "(sAMAccountName=u_der_score)"`, "", ""},
		// LDAP injection and malformed filters are refused.
		{`-LdapFilter "(sAMAccountName=kenmyer)(|(sAMAccountName=*))"`, "", `unexpected "(|(sAMAcco" after the end of the filter`},
		{`-LdapFilter "(sAMAccountName=*) OR 1=1"`, "", "after the end of the filter"},
		{`-LdapFilter "(sAMAccountName=paren(x))"`, "", "is invalid"},
		{`-LdapFilter "(sAMAccountName=*"`, "", `a ")" is missing at the end`},
		{`-LdapFilter "(sAMAccountName=\zz)"`, "", `a "\" must be followed by two hex digits`},
		{`-LdapFilter "(&(sAMAccountName=kenmyer)"`, "", `")" is missing`},
	}
	for _, tc := range cases {
		got, errText := lookup(tc.args)
		if got != tc.want || (tc.err == "" && strings.TrimSpace(errText) != "") || (tc.err != "" && !strings.Contains(errText, tc.err)) {
			t.Errorf("Get-CsAdUser %s: found %q, want %q; error %q, want %q", tc.args, got, tc.want, errText, tc.err)
		}
	}
	// PIN cmdlets act on exactly the named user, and the audit trail names
	// it verbatim.
	out := sh.mustRun(`Set-CsClientPin -Identity "sip:o'brien@litwareinc.com" -Pin 58214 | ForEach-Object { "SET " + $_.Identity }`)
	if strings.TrimSpace(out) != "SET sip:o'brien@litwareinc.com" {
		t.Errorf("Set-CsClientPin on o'brien: %q", out)
	}
	var n int
	sh.db().QueryRow(`SELECT COUNT(*) FROM pin_state WHERE hash IS NOT NULL`).Scan(&n)
	var target string
	sh.db().QueryRow(`SELECT target FROM audit WHERE action = 'SetPin' ORDER BY seq DESC LIMIT 1`).Scan(&target)
	if n != 1 || target != "sip:o'brien@litwareinc.com" {
		t.Errorf("%d PINs set; audit target %q", n, target)
	}
	r := sh.run(`Set-CsClientPin -Identity "%" -Pin 58214`)
	var after int
	sh.db().QueryRow(`SELECT COUNT(*) FROM users`).Scan(&after)
	sh.db().QueryRow(`SELECT COUNT(*) FROM pin_state WHERE hash IS NOT NULL`).Scan(&n)
	if r.code == 0 || n != 1 || after != users {
		t.Errorf("Set-CsClientPin -Identity %%: %s; %d PINs, %d users (had %d)", r, n, after, users)
	}
	if t.Failed() {
		return
	}
	report(t, "Hostile identities", fmt.Sprintf("%d look-ups through pinsh of users whose names hold ' %% _ * ( ) \\ and SQL text, in every identity form and as RFC 4515 LDAP filters (escapes \\2a \\28 \\29 \\5c \\25), plus SQL-injection and LDAP-injection attempts and malformed filters", len(cases)),
		"200-user store + 6 such users",
		"every identity matched literally and only its user; % and _ are not wildcards and * only in display names; injection attempts found nobody and changed nothing; malformed filters refused with the position; Set-CsClientPin changed exactly one user and audited its identity verbatim")
}

// TestHostilePins sets and verifies PINs that are not plain ASCII digits:
// each is refused with the rule it breaks, the stored PIN is untouched,
// and leading zeros are kept.
func TestHostilePins(t *testing.T) {
	sh := newShell(t)
	sh.importDemo(60)
	sh.mustRun(`Set-CsClientPin -Identity ` + ken + ` -Pin 58214 | Out-Null`)
	kenSIP := "sip:kenmyer@litwareinc.com"
	hash := sh.pinHash(kenSIP)
	const digits, tooShort, tooLong = "The PIN must contain only digits.", "The PIN must be at least 5 digits long.", "The PIN must be at most 24 digits long."
	cases := []struct{ name, pin, want string }{
		{"Arabic-Indic digits", `"٥٨٢١٤"`, digits},
		{"Extended Arabic-Indic digits", `"۵۸۲۱۴"`, digits},
		{"Devanagari digits", `"५८२१४"`, digits},
		{"full-width digits", `"５８２１４"`, digits},
		{"one full-width digit", `"5821４"`, digits},
		{"mathematical bold digits", `"𝟓𝟖𝟐𝟏𝟒"`, digits},
		{"superscript digits", `"⁵⁸²¹⁴"`, digits},
		{"plus sign", `"+58214"`, digits},
		{"minus sign, unquoted", `-58214`, digits},
		{"plus sign, unquoted", `+58214`, digits},
		{"leading space", `" 58214"`, digits},
		{"trailing space", `"58214 "`, digits},
		{"inner space", `"582 14"`, digits},
		{"no-break space", "\"582\u00a014\"", digits},
		{"zero-width space", "\"582\u200b14\"", digits},
		{"trailing newline", "\"58214`n\"", digits},
		{"tab", "\"582`t14\"", digits},
		{"NUL", "\"582`014\"", digits},
		{"decimal point", `58214.0`, digits},
		{"exponent", `5.8214e4`, digits},
		{"hexadecimal", `0x1F2A3`, digits},
		{"letters", `"58a14"`, digits},
		{"empty", `""`, tooShort},
		{"too short", `"0123"`, tooShort},
		{"25 digits", `"0000058214000000000000000"`, tooLong},
	}
	for _, tc := range cases {
		r := sh.run(`Set-CsClientPin -Identity ` + ken + ` -Pin ` + tc.pin)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) || panicked(r) {
			t.Errorf("%s (%s): want %q, got %s", tc.name, tc.pin, tc.want, r)
		}
		if sh.pinHash(kenSIP) != hash {
			t.Fatalf("%s: the stored PIN changed", tc.name)
		}
	}
	// Verification never normalises: look-alikes of the right PIN fail.
	var lookalikes []string
	for _, p := range []string{`"٥٨٢١٤"`, `"５８２１４"`, `" 58214"`, `"058214"`, `"58214 "`} {
		lookalikes = append(lookalikes, `Test-CsClientPin -Identity `+ken+` -Pin `+p)
	}
	out := sh.mustRun(strings.Join(lookalikes, "; ") + `; Unlock-CsClientPin -Identity ` + ken + `; Test-CsClientPin -Identity ` + ken + ` -Pin 58214`)
	if got := strings.Fields(out); strings.Join(got, " ") != "False False False False False True" {
		t.Errorf("look-alike PINs verified: %q", out)
	}
	// Leading zeros are kept, quoted or not.
	for _, p := range []string{`0058214`, `"0058214"`} {
		out := sh.mustRun(`Set-CsClientPin -Identity ` + ken + ` -Pin ` + p + ` | ForEach-Object { "SET " + $_.Pin }; ` +
			`Test-CsClientPin -Identity ` + ken + ` -Pin "0058214"; Test-CsClientPin -Identity ` + ken + ` -Pin 58214; Unlock-CsClientPin -Identity ` + ken)
		if got := strings.Join(strings.Fields(out), " "); got != "SET 0058214 True False" {
			t.Errorf("-Pin %s: %q", p, got)
		}
	}
	if t.Failed() {
		return
	}
	report(t, "Hostile PINs", fmt.Sprintf("%d PINs through Set-CsClientPin: Arabic-Indic, extended Arabic-Indic, Devanagari, full-width, mathematical and superscript digits; signs (quoted and as bare numbers); leading, trailing, inner, no-break and zero-width spaces; newline, tab, NUL; decimal, exponent and hexadecimal numbers; letters; empty, short and 25-digit PINs. Look-alikes of the right PIN through Test-CsClientPin", len(cases)),
		"one user, one pinsh process per PIN",
		"each refused with the rule's message (only digits / at least 5 / at most 24) and the stored PIN untouched; no look-alike verified (no Unicode normalisation); leading zeros kept: 0058214, quoted or bare, verifies and 58214 does not")
}

// wasmModule assembles a WebAssembly module with no exports that imports
// wasi_snapshot_preview1.sched_yield (as every Go module does, so that
// pinsh's checks get past it) and, when module is not "", one more
// function.
func wasmModule(module, name string) []byte {
	str := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	imp := []byte{1}
	imp = append(imp, str("wasi_snapshot_preview1")...)
	imp = append(imp, str("sched_yield")...)
	imp = append(imp, 0x00, 0x01) // a function of type 1
	if module != "" {
		imp[0] = 2
		imp = append(imp, str(module)...)
		imp = append(imp, str(name)...)
		imp = append(imp, 0x00, 0x00) // a function of type 0
	}
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = append(b, 0x01, 0x08, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f) // types: () -> (), () -> i32
	b = append(b, 0x02, byte(len(imp)))
	return append(b, imp...)
}

// TestHostilePluginFiles puts broken modules on PINSH_PLUGIN_PATH: each
// gives one warning naming the file and the reason, and the shipped
// plugins and the store keep working. (host/plugin's own tests cover
// hostile modules that run: loops, memory, traps, capabilities.)
func TestHostilePluginFiles(t *testing.T) {
	sh := newShell(t)
	sh.importDemo(60)
	dir := filepath.Join(sh.dir, "junk-plugins")
	os.Mkdir(dir, 0o700)
	real, err := os.ReadFile(filepath.Join(binDir, "plugins", "lockpin.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 100000)
	for i := range random {
		random[i] = byte(i*7919 + i/13)
	}
	files := []struct {
		name string
		data []byte
		want string
	}{
		{"text.wasm", []byte("#!/bin/sh\necho I am not a plugin\n"), "is not a WebAssembly module"},
		{"empty.wasm", nil, "is not a WebAssembly module"},
		{"random.wasm", random, "is not a WebAssembly module"},
		{"header-only.wasm", []byte("\x00asm\x01\x00\x00\x00"), "cannot be made stoppable"},
		{"no-exports.wasm", wasmModule("", ""), "is not a pinsh plugin"},
		{"wrong-version.wasm", []byte("\x00asm\x02\x00\x00\x00"), "wrong-version.wasm"},
		{"truncated.wasm", real[:len(real)/3], "is not a valid WebAssembly module (truncated or corrupt)"},
		{"corrupt.wasm", append(append([]byte(nil), real[:4096]...), random[:4096]...), "is not a valid WebAssembly module"},
		{"imports-env.wasm", wasmModule("env", "abort"), `imports from module "env", which pinsh does not provide`},
		{"imports-unknown-host-function.wasm", wasmModule("pinsh_v1", "read_key_file"), "imports pinsh_v1.read_key_file, which plugin ABI 1"},
		{"imports-abi-9.wasm", wasmModule("pinsh_v9", "write"), "speaks plugin ABI 9"},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sh.extra = []string{"PINSH_PLUGIN_PATH=" + dir}
	r := sh.run(`Set-CsClientPin -Identity ` + ken + ` -Pin 58214 | ForEach-Object { "SET " + $_.Pin }; ` +
		`Lock-CsClientPin -Identity ` + ken + `; Get-CsClientPinInfo -Identity ` + ken + ` | ForEach-Object { "LOCKED " + $_.IsLockedOut }`)
	if r.code != 0 || strings.Join(strings.Fields(r.stdout), " ") != "SET 58214 LOCKED True" || panicked(r) {
		t.Fatalf("the shipped plugins do not work beside broken ones:\n%s", r)
	}
	warnings := 0
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(l, "WARNING: plugin file "+dir+"/") {
			t.Errorf("unexpected output: %q", l)
			continue
		}
		warnings++
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		var line string
		for _, l := range strings.Split(r.stderr, "\n") {
			if strings.Contains(l, path+" ") {
				line = l
			}
		}
		if !strings.Contains(line, f.want) {
			t.Errorf("%s: want a warning with %q, got %q", f.name, f.want, line)
		}
	}
	if warnings != len(files) {
		t.Errorf("%d warnings for %d broken files", warnings, len(files))
	}
	if t.Failed() {
		return
	}
	report(t, "Hostile plugin files", fmt.Sprintf("%d broken .wasm files on PINSH_PLUGIN_PATH beside the shipped plugins: text, empty, random bytes, a bare header, a module without exports, a wrong WebAssembly version, a truncated and a corrupted plugin, imports from module env, of a host function pinsh does not offer, and of plugin ABI 9", len(files)),
		"one pinsh session",
		"one WARNING per file naming it and the reason; the shipped plugins set, lock and read PINs as usual (exit status 0); host/plugin's own tests cover running hostile modules (loops, memory, traps, capabilities, bad manifests)")
}
