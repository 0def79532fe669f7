package shell

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestAuditTamperDetected edits and then deletes an audit record directly
// in the database file, as an intruder with the file would, and checks that
// Test-CsAuditLog reports the broken chain.
func TestAuditTamperDetected(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "store.db")
	run := func(script string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Run(Config{Stdout: &out, Stderr: &errOut, OSAccount: "tester",
			Getenv: func(k string) string {
				switch k {
				case "PINSH_STORE":
					return db
				case "HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME":
					return dir
				}
				return ""
			}}, []string{"-c", script})
		return code, out.String(), errOut.String()
	}
	if code, _, e := run(`New-CsPinPolicy -Identity Redmond -MinPasswordLength 6; Set-CsPinPolicy -Identity Redmond -PINHistoryCount 2; (Test-CsAuditLog).IsValid`); code != 0 {
		t.Fatalf("setup failed: %s", e)
	}

	for _, tamper := range []struct{ name, sql string }{
		{"edit", `UPDATE audit SET operator = 'CN=Someone Else' WHERE seq = 2`},
		{"delete", `DELETE FROM audit WHERE seq = 1`},
	} {
		raw, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		var triggers []string
		rows, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			triggers = append(triggers, n)
		}
		rows.Close()
		for _, tr := range triggers {
			if _, err := raw.Exec(`DROP TRIGGER ` + tr); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := raw.Exec(tamper.sql); err != nil {
			t.Fatalf("%s: %v", tamper.name, err)
		}
		raw.Close()

		code, out, errOut := run(`Test-CsAuditLog | Select-Object -ExpandProperty IsValid`)
		if code != 1 || strings.TrimSpace(out) != "False" || !strings.Contains(errOut, "the audit trail has been tampered with") {
			t.Errorf("%s: code %d, stdout %q, stderr %q", tamper.name, code, out, errOut)
		}
	}
}
