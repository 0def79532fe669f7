package backupcmd

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"

	"pinsh/host/store"
)

// openDB opens one connection to the SQLite file at path (not through
// [store.Open], which would create and migrate it).
func openDB(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+escapeURIPath(path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// escapeURIPath escapes the characters that would end or corrupt the path
// part of a SQLite file: URI.
func escapeURIPath(p string) string {
	var sb strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '%', '?', '#':
			fmt.Fprintf(&sb, "%%%02X", c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// Summary describes a store file: what a backup holds.
type Summary struct {
	SchemaVersion int
	Users         int64
	PinsSet       int64
	AuditRecords  int64
	// KeyID is the fingerprint of the PIN key its hashes were made with
	// ("" when the store never had a key).
	KeyID    string
	PageSize int64
}

// String describes the summary in one line, for audit records.
func (s Summary) String() string {
	key := s.KeyID
	if key == "" {
		key = "none"
	}
	return fmt.Sprintf("schema version %d, %d users, %d PINs set, %d audit records, PIN key id %s",
		s.SchemaVersion, s.Users, s.PinsSet, s.AuditRecords, key)
}

// checkFile runs SQLite's integrity and foreign key checks and reads the
// summary of a pinsh store file. Every failure names the file and what is
// wrong with it.
func checkFile(ctx context.Context, db *sql.DB, name string) (Summary, error) {
	var sum Summary
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check(20)`)
	if err != nil {
		return sum, fmt.Errorf("%s cannot be read as a SQLite database: %v", name, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return sum, err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("%s is damaged: %v", name, err)
	}
	if len(problems) > 0 {
		return sum, fmt.Errorf("%s is damaged: the integrity check found %d problem(s), first: %s", name, len(problems), problems[0])
	}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'
		AND name IN ('schema_version', 'settings', 'users', 'pin_state', 'audit')`).Scan(&tables); err != nil {
		return sum, fmt.Errorf("%s cannot be read: %v", name, err)
	}
	if tables != 5 {
		return sum, fmt.Errorf("%s is not a pinsh store: it lacks pinsh's tables", name)
	}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&sum.SchemaVersion); err != nil {
		return sum, fmt.Errorf("%s: cannot read its schema version: %v", name, err)
	}
	if sum.SchemaVersion > store.SchemaVersion() {
		return sum, fmt.Errorf("%s has schema version %d, newer than this pinsh understands (%d); use a newer pinsh", name, sum.SchemaVersion, store.SchemaVersion())
	}
	if sum.SchemaVersion < 1 {
		return sum, fmt.Errorf("%s is not a pinsh store: it records no schema version", name)
	}
	var fk int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil {
		return sum, fmt.Errorf("%s: the foreign key check failed: %v", name, err)
	}
	if fk > 0 {
		return sum, fmt.Errorf("%s is inconsistent: %d row(s) refer to rows that do not exist", name, fk)
	}
	q := `SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM pin_state WHERE hash IS NOT NULL),
		(SELECT COUNT(*) FROM audit), COALESCE((SELECT value FROM settings WHERE key = ?), ''),
		(SELECT page_size FROM pragma_page_size)`
	if err := db.QueryRowContext(ctx, q, store.SettingPinKeyID).Scan(&sum.Users, &sum.PinsSet, &sum.AuditRecords, &sum.KeyID, &sum.PageSize); err != nil {
		return sum, fmt.Errorf("%s cannot be read: %v", name, err)
	}
	return sum, nil
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// checkHeader refuses a file that is not a SQLite database, naming it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		if fi.Size() == 0 {
			return fmt.Errorf("%s is empty", path)
		}
		return fmt.Errorf("%s is not a SQLite database (it does not start with the SQLite header)", path)
	}
	return nil
}

// vacuumInto writes a consistent snapshot of the database at src into the
// new file dst with VACUUM INTO. It reads only, so other sessions keep
// writing meanwhile.
func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := openDB(src)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, dst)
	return err
}

// privateTemp creates a 0700 temporary directory in dir (so that a rename
// out of it stays on one file system).
func privateTemp(dir, pattern string) (string, error) {
	tmp, err := os.MkdirTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	return tmp, os.Chmod(tmp, 0o700)
}

// syncFile flushes a file to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir flushes a directory, so that a rename in it survives a crash.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}

// snapshot writes a checked snapshot of the database at src to dst (mode
// 0600): VACUUM INTO a temporary file beside dst, switched to a rollback
// journal so that it is one self-contained file, checked, flushed, and only
// then renamed to dst. replace allows dst to exist.
func snapshot(ctx context.Context, src, dst string, replace bool) (Summary, error) {
	var sum Summary
	tmpDir, err := privateTemp(filepath.Dir(dst), ".pinsh-backup-")
	if err != nil {
		return sum, fmt.Errorf("cannot write in %s: %v", filepath.Dir(dst), err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, "store.db")
	if err := vacuumInto(ctx, src, tmp); err != nil {
		return sum, fmt.Errorf("cannot copy the store %s: %v", src, err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return sum, err
	}
	db, err := openDB(tmp)
	if err != nil {
		return sum, err
	}
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode=DELETE`); err != nil {
		db.Close()
		return sum, fmt.Errorf("the copy of %s cannot be written: %v", src, err)
	}
	sum, err = checkFile(ctx, db, "the copy of "+src)
	db.Close()
	if err != nil {
		return sum, err
	}
	if err := syncFile(tmp); err != nil {
		return sum, err
	}
	if !replace {
		// Link fails when dst exists, unlike rename: no race with another
		// writer of dst.
		if err := os.Link(tmp, dst); err != nil {
			if errors.Is(err, os.ErrExist) {
				return sum, fmt.Errorf("the file %s exists; use -Force to replace it", dst)
			}
			return sum, fmt.Errorf("cannot write %s: %v", dst, err)
		}
	} else if err := os.Rename(tmp, dst); err != nil {
		return sum, fmt.Errorf("cannot write %s: %v", dst, err)
	}
	syncDir(filepath.Dir(dst))
	return sum, nil
}

// backupConn is the part of modernc.org/sqlite's connection that runs the
// online backup API.
type backupConn interface {
	NewRestore(srcURI string) (*sqlite.Backup, error)
}

// restoreFrom replaces the content of the live database at dst with the
// database file src through SQLite's online backup API, which copies every
// page under dst's write lock in one step: other connections see the old
// content or the new one. It retries while another process holds the write
// lock, for up to maxWait.
func restoreFrom(ctx context.Context, dst, src string, maxWait time.Duration) error {
	db, err := openDB(dst)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	start := time.Now()
	for attempt := 0; ; attempt++ {
		err := conn.Raw(func(dc any) error {
			bc, ok := dc.(backupConn)
			if !ok {
				return fmt.Errorf("the SQLite driver offers no backup API (%T)", dc)
			}
			b, err := bc.NewRestore("file:" + escapeURIPath(src) + "?mode=ro")
			if err != nil {
				return err
			}
			_, err = b.Step(-1)
			if ferr := b.Finish(); err == nil {
				err = ferr
			}
			return err
		})
		if err == nil || !store.IsBusy(err) {
			return err
		}
		if time.Since(start) > maxWait {
			return fmt.Errorf("the store %s is busy: another pinsh process has held its write lock for more than %s; stop the other sessions and try again", dst, maxWait)
		}
		d := time.Duration(10+rand.IntN(40)) * time.Millisecond << min(attempt, 4)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}
