package backupcmd

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/directory"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/store"
	"pinsh/scripts/gendir/litware"
)

// fakeRT records what a command writes; ShouldProcess answers yes unless
// whatIf is set.
type fakeRT struct {
	name     string
	whatIf   bool
	out      []object.Value
	errs     []*cmdlet.ErrorRecord
	warnings []string
	asked    []string
}

func (r *fakeRT) Context() context.Context { return context.Background() }
func (r *fakeRT) WriteObject(v object.Value) error {
	r.out = append(r.out, v)
	return nil
}
func (r *fakeRT) WriteError(rec *cmdlet.ErrorRecord) error {
	r.errs = append(r.errs, rec)
	return nil
}
func (r *fakeRT) WriteWarning(msg string)            { r.warnings = append(r.warnings, msg) }
func (r *fakeRT) WriteVerbose(string)                {}
func (r *fakeRT) WriteProgress(string, int64, int64) {}
func (r *fakeRT) Operator() string                   { return "CN=Admin,DC=litwareinc,DC=com" }
func (r *fakeRT) CommandName() string                { return r.name }
func (r *fakeRT) Var(string) (object.Value, bool)    { return nil, false }
func (r *fakeRT) CompileFilter(string) (cmdlet.Filter, error) {
	return nil, fmt.Errorf("no filters here")
}
func (r *fakeRT) ShouldProcess(target, action string) (bool, error) {
	r.asked = append(r.asked, action+" on "+target)
	return !r.whatIf, nil
}

// env is a store of a few demo users with a PIN service using cheap hash
// parameters.
type env struct {
	dir  string
	st   *store.Store
	pin  *pin.Service
	deps *Deps
	reg  *cmdlet.Registry
}

var noEnv = func(string) string { return "" }

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{dir: dir}
	e.open(t, filepath.Join(dir, "pinsh.db"))
	ldf := filepath.Join(dir, "litware.ldf")
	f, err := os.Create(ldf)
	if err != nil {
		t.Fatal(err)
	}
	if err := litware.Write(f, 30, 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := directory.Import(context.Background(), e.st, ldf, directory.Options{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// open opens (or reopens) the store at path with a fresh PIN service.
func (e *env) open(t *testing.T, path string) {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := pin.New(context.Background(), st, pin.Options{Params: pin.Params{Memory: 64, Time: 1, Threads: 1}, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	e.st, e.pin = st, svc
	e.deps = &Deps{Store: st, Pin: svc, OSAccount: "tester", Getenv: noEnv}
	e.reg = cmdlet.NewRegistry()
	Register(e.reg, e.deps)
}

func (e *env) user(t *testing.T, sam string) *store.User {
	t.Helper()
	us, err := e.st.ResolveIdentity(context.Background(), "litwareinc\\"+sam)
	if err != nil || len(us) != 1 {
		t.Fatalf("user %s: %v %v", sam, us, err)
	}
	return &us[0]
}

func (e *env) setPin(t *testing.T, sam, p string) {
	t.Helper()
	if _, err := e.pin.SetPin(context.Background(), e.user(t, sam), p, false, pin.AuditInfo{Operator: "admin", Cmdlet: "Set-CsClientPin"}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) hash(t *testing.T, sam string) string {
	t.Helper()
	var h sql.NullString
	err := e.st.Reader().QueryRow(`SELECT hash FROM pin_state WHERE user_id = ?`, e.user(t, sam).ID).Scan(&h)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return h.String
}

// run runs a cmdlet with named arguments ("-Name", value or "-Switch").
func (e *env) run(t *testing.T, name string, args ...object.Value) *fakeRT {
	t.Helper()
	info, ok := e.reg.Lookup(name)
	if !ok {
		t.Fatalf("no cmdlet %s", name)
	}
	rt := &fakeRT{name: info.Name}
	var elems []cmdlet.Arg
	for _, a := range args {
		if s, ok := a.(string); ok && strings.HasPrefix(s, "-") {
			elems = append(elems, cmdlet.Arg{Name: s[1:]})
			if strings.EqualFold(s, "-WhatIf") {
				rt.whatIf = true
			}
			continue
		}
		elems = append(elems, cmdlet.Arg{Value: a})
	}
	a, err := cmdlet.Bind(info, elems)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Finish(); err != nil {
		t.Fatal(err)
	}
	cmd := info.New()
	if err := cmd.Begin(rt, a); err != nil {
		rt.errs = append(rt.errs, asRecord(err))
		return rt
	}
	if err := cmd.Process(rt, a); err != nil {
		rt.errs = append(rt.errs, asRecord(err))
		return rt
	}
	if err := cmd.End(rt, a); err != nil {
		rt.errs = append(rt.errs, asRecord(err))
	}
	return rt
}

func asRecord(err error) *cmdlet.ErrorRecord {
	if r, ok := err.(*cmdlet.ErrorRecord); ok {
		return r
	}
	return cmdlet.NewError(cmdlet.NotSpecified, "Terminating", nil, err)
}

func (r *fakeRT) errText() string {
	var s []string
	for _, e := range r.errs {
		s = append(s, e.Error())
	}
	return strings.Join(s, "\n")
}

func prop(v object.Value, name string) string {
	x, _ := object.Property(v, name)
	return object.ToString(x)
}

func (e *env) audits(t *testing.T, action string) []store.AuditRecord {
	t.Helper()
	var out []store.AuditRecord
	err := e.st.EachAudit(context.Background(), store.AuditFilter{}, func(r *store.AuditRecord) error {
		if r.Action == action {
			out = append(out, *r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBackupAndRestore(t *testing.T) {
	e := newEnv(t)
	e.setPin(t, "kenmyer", "58214")
	oldHash := e.hash(t, "kenmyer")
	bak := filepath.Join(e.dir, "backup.db")

	rt := e.run(t, "Backup-CsStore", "-Path", bak)
	if len(rt.errs) > 0 || len(rt.out) != 1 {
		t.Fatalf("backup: %s %v", rt.errText(), rt.out)
	}
	o := rt.out[0]
	if prop(o, "PinsSet") != "1" || prop(o, "KeyId") != e.pin.KeyID() || prop(o, "KeyLocation") != e.pin.KeyPath() ||
		prop(o, "SchemaVersion") != fmt.Sprint(store.SchemaVersion()) {
		t.Errorf("backup object: %v", o)
	}
	if len(rt.warnings) != 1 || !strings.Contains(rt.warnings[0], "NOT in the backup") ||
		!strings.Contains(rt.warnings[0], e.pin.KeyPath()) || !strings.Contains(rt.warnings[0], e.pin.KeyID()) {
		t.Errorf("the backup must say where the key is: %q", rt.warnings)
	}
	fi, err := os.Stat(bak)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	if _, err := os.Stat(bak + "-wal"); err == nil {
		t.Error("the backup has a -wal file beside it")
	}
	// The key is not in the backup, in any encoding.
	data, _ := os.ReadFile(bak)
	keyText, _ := os.ReadFile(e.pin.KeyPath())
	key, _ := hex.DecodeString(strings.TrimSpace(string(keyText)))
	if len(key) != 32 || bytes.Contains(data, key) || bytes.Contains(data, bytes.TrimSpace(keyText)) {
		t.Error("the PIN key is in the backup")
	}
	if len(e.audits(t, "Backup")) != 1 {
		t.Error("the backup is not audited")
	}

	// Refusals: an existing file without -Force, the store itself.
	rt = e.run(t, "Backup-CsStore", "-Path", bak)
	if !strings.Contains(rt.errText(), "exists; use -Force") {
		t.Errorf("existing file: %q", rt.errText())
	}
	rt = e.run(t, "Backup-CsStore", "-Path", e.st.Path())
	if !strings.Contains(rt.errText(), "store's own file") {
		t.Errorf("over the store: %q", rt.errText())
	}

	// Change things after the backup, then restore it.
	e.setPin(t, "kenmyer", "93715")
	e.setPin(t, "pilara", "80264")
	if e.hash(t, "kenmyer") == oldHash {
		t.Fatal("the PIN did not change")
	}
	rt = e.run(t, "Restore-CsStore", "-Path", bak, "-WhatIf")
	if len(rt.errs) > 0 || len(rt.out) != 0 || e.hash(t, "kenmyer") == oldHash {
		t.Fatalf("-WhatIf restored: %s", rt.errText())
	}
	rt = e.run(t, "Restore-CsStore", "-Path", bak)
	if len(rt.errs) > 0 || len(rt.out) != 1 {
		t.Fatalf("restore: %s", rt.errText())
	}
	if got := e.hash(t, "kenmyer"); got != oldHash {
		t.Errorf("kenmyer's hash after restore is not the backup's")
	}
	if got := e.hash(t, "pilara"); got != "" {
		t.Errorf("pilar has a PIN after restore")
	}
	prev := prop(rt.out[0], "PreviousStore")
	if fi, err := os.Stat(prev); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("previous store copy %q: %v %v", prev, fi, err)
	}
	if rs := e.audits(t, "Restore"); len(rs) != 1 || rs[0].Outcome != store.OutcomeSuccess {
		t.Errorf("restore audit: %v", rs)
	}
	if n, probs, err := e.st.VerifyAudit(context.Background()); err != nil || len(probs) > 0 {
		t.Errorf("audit chain after restore (%d): %v %v", n, probs, err)
	}
	var jm string
	if err := e.st.Reader().QueryRow(`PRAGMA journal_mode`).Scan(&jm); err != nil || jm != "wal" {
		t.Errorf("journal mode after restore: %q %v", jm, err)
	}
	// The restored PIN verifies with the key at hand.
	res, err := e.pin.Verify(context.Background(), e.user(t, "kenmyer"), "58214", pin.AuditInfo{Operator: "x"})
	if err != nil || !res.OK {
		t.Errorf("the restored PIN does not verify: %v %v", res, err)
	}
	// The previous store is itself a valid backup: restore it back.
	rt = e.run(t, "Restore-CsStore", prev)
	if len(rt.errs) > 0 || e.hash(t, "pilara") == "" {
		t.Errorf("restoring the previous copy: %s", rt.errText())
	}
}

func TestRestoreRefusals(t *testing.T) {
	e := newEnv(t)
	e.setPin(t, "kenmyer", "58214")
	bak := filepath.Join(e.dir, "backup.db")
	if rt := e.run(t, "Backup-CsStore", bak); len(rt.errs) > 0 {
		t.Fatal(rt.errText())
	}
	good, _ := os.ReadFile(bak)
	write := func(name string, data []byte) string {
		p := filepath.Join(e.dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// edit copies the backup and changes it with SQL.
	edit := func(name string, stmts ...string) string {
		p := write(name, good)
		db, err := openDB(p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		return p
	}
	before := e.hash(t, "kenmyer")
	cases := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(e.dir, "nope.db"), "does not exist"},
		{"text", write("text.db", []byte("hello, this is not a database\n")), "is not a SQLite database"},
		{"empty", write("empty.db", nil), "is empty"},
		{"truncated", write("trunc.db", good[:len(good)/2]), "damaged"},
		{"corrupt page", write("corrupt.db", func() []byte {
			b := append([]byte(nil), good...)
			// Scramble the b-tree page headers of every page but the first.
			for pg := 4096; pg+12 < len(b); pg += 4096 {
				for i := pg; i < pg+12; i++ {
					b[i] ^= 0x5a
				}
			}
			return b
		}()), "damaged"},
		{"not pinsh", func() string {
			p := filepath.Join(e.dir, "other.db")
			db, _ := openDB(p)
			db.Exec(`CREATE TABLE t(x)`)
			db.Close()
			return p
		}(), "is not a pinsh store"},
		{"newer schema", edit("newer.db", `INSERT INTO schema_version(version, name, applied_at) VALUES(99, 'future', 0)`), "schema version 99, newer than this pinsh"},
		{"tampered audit", edit("tampered.db", `DROP TRIGGER audit_no_update`, `UPDATE audit SET detail = 'nothing happened' WHERE seq = (SELECT MAX(seq) FROM audit)`), "audit trail of"},
		{"other key", edit("otherkey.db", `UPDATE settings SET value = '0123456789abcdef' WHERE key = 'pin_key_id'`), "does not fit the backup"},
		{"pins without key id", edit("nokeyid.db", `DELETE FROM settings WHERE key = 'pin_key_id'`), "does not fit the backup"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := e.run(t, "Restore-CsStore", tc.path)
			t.Log(rt.errText())
			if len(rt.out) != 0 || !strings.Contains(rt.errText(), tc.want) || !strings.HasPrefix(rt.errText(), "The backup was not restored: ") {
				t.Errorf("got %q, want %q", rt.errText(), tc.want)
			}
			if len(rt.asked) != 0 {
				t.Errorf("asked to confirm a backup that fails its checks")
			}
			if e.hash(t, "kenmyer") != before {
				t.Errorf("the store changed")
			}
		})
	}
	t.Run("wal beside", func(t *testing.T) {
		p := write("walbeside.db", good)
		write("walbeside.db-wal", []byte("junk"))
		rt := e.run(t, "Restore-CsStore", p)
		if !strings.Contains(rt.errText(), "-wal file beside it") {
			t.Errorf("got %q", rt.errText())
		}
	})
	t.Run("key missing", func(t *testing.T) {
		kp := e.pin.KeyPath()
		if err := os.Rename(kp, kp+".away"); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(kp+".away", kp)
		rt := e.run(t, "Restore-CsStore", bak)
		if !strings.Contains(rt.errText(), "the key file "+kp+" does not exist") || !strings.Contains(rt.errText(), e.pin.KeyID()) {
			t.Errorf("got %q", rt.errText())
		}
		if _, err := os.Stat(kp); err == nil {
			t.Errorf("a key file was created")
		}
	})
	t.Run("wrong key file", func(t *testing.T) {
		kp := e.pin.KeyPath()
		old, _ := os.ReadFile(kp)
		defer os.WriteFile(kp, old, 0o600)
		os.WriteFile(kp, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
		rt := e.run(t, "Restore-CsStore", bak)
		if !strings.Contains(rt.errText(), "does not belong") {
			t.Errorf("got %q", rt.errText())
		}
	})
	if n := len(e.audits(t, "Restore")); n != len(cases)+3 {
		t.Errorf("%d failed restores audited, want %d", n, len(cases)+3)
	}
}

// TestBackupWhileWriting takes backups while writers commit; every backup
// is consistent: a counter and its rows move together.
func TestBackupWhileWriting(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`CREATE TABLE IF NOT EXISTS t_rows(n INTEGER); CREATE TABLE t_count(n INTEGER); INSERT INTO t_count VALUES(0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var writes atomic.Int64
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				err := e.st.Write(ctx, func(tx *store.Tx) error {
					for i := 0; i < 20; i++ {
						if _, err := tx.Exec(`INSERT INTO t_rows VALUES(?)`, i); err != nil {
							return err
						}
					}
					_, err := tx.Exec(`UPDATE t_count SET n = n + 20`)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				writes.Add(1)
			}
		}()
	}
	for i := 0; i < 5; i++ {
		bak := filepath.Join(e.dir, fmt.Sprintf("b%d.db", i))
		if rt := e.run(t, "Backup-CsStore", bak); len(rt.errs) > 0 {
			t.Fatal(rt.errText())
		}
		db, _ := openDB(bak)
		var rows, count int
		db.QueryRow(`SELECT (SELECT COUNT(*) FROM t_rows), (SELECT n FROM t_count)`).Scan(&rows, &count)
		db.Close()
		if rows != count {
			t.Errorf("backup %d is not a consistent snapshot: %d rows, counter %d", i, rows, count)
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d write transactions during 5 backups", writes.Load())
}

// TestRestoreOverDamagedStore restores a backup over a store whose users
// table is damaged: the damaged files are kept as they are, with a
// warning, and the store is whole again.
func TestRestoreOverDamagedStore(t *testing.T) {
	e := newEnv(t)
	e.setPin(t, "kenmyer", "58214")
	bak := filepath.Join(e.dir, "backup.db")
	if rt := e.run(t, "Backup-CsStore", bak); len(rt.errs) > 0 {
		t.Fatal(rt.errText())
	}
	var root int64
	if err := e.st.Reader().QueryRow(`SELECT rootpage FROM sqlite_master WHERE name = 'users'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	path := e.st.Path()
	e.st.Close() // the last connection checkpoints the WAL into the file
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := (root - 1) * 4096
	for i := off; i < off+8; i++ {
		data[i] ^= 0xff
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	e.open(t, path)
	rt := e.run(t, "Restore-CsStore", bak)
	if len(rt.errs) > 0 || len(rt.out) != 1 {
		t.Fatalf("restore over a damaged store: %s", rt.errText())
	}
	if len(rt.warnings) == 0 || !strings.Contains(rt.warnings[0], "could not be snapshotted") {
		t.Errorf("warnings: %q", rt.warnings)
	}
	var res string
	if err := e.st.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("after the restore: %q %v", res, err)
	}
	if e.hash(t, "kenmyer") == "" {
		t.Error("Ken's PIN is not back")
	}
}
