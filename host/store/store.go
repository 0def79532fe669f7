// Package store is pinsh's persistent state: one SQLite file (through the
// pure-Go driver modernc.org/sqlite) holding the directory (users,
// organizational units, groups), the PIN state and policies, the RBAC tables
// and the append-only audit trail.
//
// # Connections
//
// A [Store] keeps two connection pools on the file:
//
//   - a writer pool of exactly one connection whose transactions begin with
//     BEGIN IMMEDIATE (the DSN's _txlock=immediate), so a transaction that
//     reads and then writes holds the write lock from its first statement and
//     can never fail half-way with SQLITE_BUSY_SNAPSHOT;
//   - a reader pool (query_only) for look-ups and streaming queries, which in
//     WAL mode never wait for the writer.
//
// Both use WAL, synchronous=FULL (a committed PIN change or lockout increment
// survives power loss), foreign keys and a busy timeout. [Store.Write]
// additionally retries a transaction that could not start because another
// process held the write lock for longer than the busy timeout, so "database
// is locked" never reaches a user; after [Options.MaxWait] it gives up with a
// message that says the store is busy.
//
// The file, and the -wal and -shm files SQLite creates beside it (which
// inherit the database file's mode), are created with mode 0600.
//
// # Keys for case-insensitive look-ups
//
// SQLite's NOCASE folds ASCII only, so every identity column has a folded
// twin computed in Go with [object.Fold] (sam_key, upn_key, sip_key,
// display_key), plus display_rev, the folded display name reversed, which
// turns a suffix search such as "* Smith" into an index range. Distinguished
// names are keyed by [DNKey], which reverses the RDNs so that an OU subtree
// is an index range too.
//
// # Streams
//
// [Store.EachUser] streams users with flat memory; an enumeration of all
// users is read in pages of a few hundred, each its own read transaction,
// so a long pipeline neither pins an old snapshot nor keeps the WAL from
// being checkpointed. Every read transaction costs tens of microseconds
// with the pure-Go driver, so Get-CsUser's stream also reads each user's
// PIN state and remembers the last users it streamed (see recent.go): a
// plugin downstream that looks each user up again by DN and reads its PIN
// state then costs no query at all.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Options tune [OpenWith]. The zero value is the production setting.
type Options struct {
	// BusyTimeout is SQLite's busy_timeout for each statement; default 10 s.
	BusyTimeout time.Duration
	// MaxWait bounds how long [Store.Write] keeps retrying a transaction
	// that cannot get the write lock; default 2 minutes.
	MaxWait time.Duration
	// Clock returns the current time for records the store stamps (audit);
	// default time.Now.
	Clock func() time.Time
}

// Store is an open pinsh store. It is safe for concurrent use.
type Store struct {
	path    string
	w       *sql.DB
	r       *sql.DB
	created bool
	opts    Options
	q       *queries
	// gen counts write transactions run through this Store; recent is the
	// cache of recently remembered users (see recent.go).
	gen    atomic.Uint64
	recent recentCache
}

// Open opens the store at path, creating it (mode 0600) and its schema when
// it does not exist, and migrating an older schema.
func Open(path string) (*Store, error) { return OpenWith(path, Options{}) }

// OpenWith is [Open] with options.
func OpenWith(path string, opts Options) (*Store, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 2 * time.Minute
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the store %q: %w", path, err)
	}
	created, err := createFile(abs)
	if err != nil {
		return nil, err
	}
	busy := opts.BusyTimeout.Milliseconds()
	base := "file:" + escapeURIPath(abs)
	wdsn := fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=cache_size(-65536)&_txlock=immediate", base, busy)
	rdsn := fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=query_only(1)&_pragma=cache_size(-16384)", base, busy)
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("cannot open the store %q: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	s := &Store{path: abs, w: w, created: created, opts: opts}
	if err := s.migrate(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("cannot open the store %q: %w", abs, err)
	}
	r.SetMaxIdleConns(4)
	s.r = r
	if err := s.prepare(); err != nil {
		s.Close()
		return nil, err
	}
	// SQLite gives -wal and -shm the database file's mode; make sure of it
	// for files an older version or another tool created.
	for _, suffix := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(abs + suffix); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(abs+suffix, 0o600)
		}
	}
	return s, nil
}

// createFile creates the database file with mode 0600 unless it exists. It
// reports whether it created it.
func createFile(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		f.Close()
		return true, nil
	}
	if errors.Is(err, os.ErrExist) {
		fi, serr := os.Stat(path)
		if serr != nil {
			return false, fmt.Errorf("cannot open the store %q: %w", path, serr)
		}
		if fi.IsDir() {
			return false, fmt.Errorf("cannot open the store %q: it is a directory", path)
		}
		return false, nil
	}
	return false, fmt.Errorf("cannot create the store %q: %w", path, err)
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

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Created reports whether this Open created the database file.
func (s *Store) Created() bool { return s.created }

// Now returns the store's clock reading.
func (s *Store) Now() time.Time { return s.opts.Clock() }

// Close closes both pools.
func (s *Store) Close() error {
	var err error
	if s.q != nil {
		s.q.close()
	}
	if s.r != nil {
		err = s.r.Close()
	}
	if s.w != nil {
		if e := s.w.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Reader returns the read-only pool, for queries the store does not offer.
// Statements that write fail on it.
func (s *Store) Reader() *sql.DB { return s.r }

// Tx is a write transaction (BEGIN IMMEDIATE: the write lock is held from
// the start). Use its embedded *sql.Tx for statements; it is valid only
// inside the function given to [Store.Write].
type Tx struct {
	*sql.Tx
	ctx context.Context
	s   *Store
}

// Context returns the transaction's context.
func (tx *Tx) Context() context.Context { return tx.ctx }

// Store returns the store the transaction belongs to.
func (tx *Tx) Store() *Store { return tx.s }

// Exec runs a statement with the transaction's context.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(tx.ctx, query, args...)
}

// Query runs a query with the transaction's context.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.QueryContext(tx.ctx, query, args...)
}

// QueryRow runs a one-row query with the transaction's context.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.QueryRowContext(tx.ctx, query, args...)
}

// Write runs fn in one write transaction and commits it when fn returns
// nil. When the write lock cannot be had (another process holds it past the
// busy timeout) the whole transaction is retried with back-off for up to
// [Options.MaxWait], so fn must not have effects outside the transaction
// that a second run would repeat. fn must not call Write itself: the
// writer has one connection, so a nested Write would wait forever.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	// Whatever the outcome, data read before this write (or while it ran)
	// may be stale.
	s.gen.Add(1)
	defer s.gen.Add(1)
	start := time.Now()
	for attempt := 0; ; attempt++ {
		err := s.writeOnce(ctx, fn)
		if err == nil || !IsBusy(err) {
			return err
		}
		if time.Since(start) > s.opts.MaxWait || ctx.Err() != nil {
			return fmt.Errorf("the store %s is busy: another pinsh process has held its write lock for more than %s; try again later", s.path, s.opts.MaxWait.Round(time.Second))
		}
		d := time.Duration(5+rand.IntN(20)) * time.Millisecond << min(attempt, 5)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{Tx: stx, ctx: ctx, s: s}); err != nil {
		_ = stx.Rollback()
		return err
	}
	return stx.Commit()
}

// IsBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED (in
// any extended form).
func IsBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// IsConstraint reports whether err is a constraint violation (a UNIQUE or
// foreign key conflict), which concerns one statement only.
func IsConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// nullStr maps "" to SQL NULL.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}
