package store

import (
	"context"
	"fmt"
	"time"
)

// A migration moves the schema from version-1 to version. Migrations are
// applied in order, each in its own write transaction together with its
// schema_version row, so a crash leaves the schema at a known version.
type migration struct {
	version int
	name    string
	up      func(tx *Tx) error
}

// migrations is the ordered schema history. Never edit an applied step;
// append a new one.
var migrations = []migration{
	{1, "directory, PIN state and policies, RBAC, audit", func(tx *Tx) error {
		if err := execAll(schemaV1...)(tx); err != nil {
			return err
		}
		return createUserIndexes(tx)
	}},
	{2, "unique SIP addresses, UPNs and sAMAccountNames", createUniqueUserIndexes},
}

// SchemaVersion is the schema version this build creates and understands.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

func execAll(stmts ...string) func(tx *Tx) error {
	return func(tx *Tx) error {
		for _, st := range stmts {
			if _, err := tx.Exec(st); err != nil {
				return fmt.Errorf("%w in %.60q", err, st)
			}
		}
		return nil
	}
}

// userIndexes are the secondary look-up indexes of users, by name. A first
// import drops them and builds them again at the end (sorting once is much
// faster than inserting 100,000 random keys), and [Store] rebuilds any that
// is missing when it opens.
var userIndexes = [][2]string{
	{"users_sam", `CREATE INDEX IF NOT EXISTS users_sam ON users(sam_key)`},
	{"users_upn", `CREATE INDEX IF NOT EXISTS users_upn ON users(upn_key)`},
	{"users_sip", `CREATE INDEX IF NOT EXISTS users_sip ON users(sip_key)`},
	{"users_display", `CREATE INDEX IF NOT EXISTS users_display ON users(display_key)`},
	{"users_display_rev", `CREATE INDEX IF NOT EXISTS users_display_rev ON users(display_rev)`},
}

func createUserIndexes(tx *Tx) error {
	for _, ix := range userIndexes {
		if _, err := tx.Exec(ix[1]); err != nil {
			return err
		}
	}
	return nil
}

// uniqueUserIndexes make a non-empty SIP address, UPN and sAMAccountName
// (folded) name one user at most, so that an identity never selects two
// users. Their names are outside the users_ pattern that [Store.migrate]
// counts: they are optional. A store that already holds duplicates keeps
// working without the index concerned (see [createUniqueUserIndexes]); the
// import checks every user before writing it in any case.
var uniqueUserIndexes = [][2]string{
	{"uniq_users_sip", `CREATE UNIQUE INDEX IF NOT EXISTS uniq_users_sip ON users(sip_key) WHERE sip_key <> ''`},
	{"uniq_users_upn", `CREATE UNIQUE INDEX IF NOT EXISTS uniq_users_upn ON users(upn_key) WHERE upn_key <> ''`},
	{"uniq_users_sam", `CREATE UNIQUE INDEX IF NOT EXISTS uniq_users_sam ON users(sam_key) WHERE sam_key <> ''`},
}

// createUniqueUserIndexes creates the unique indexes that the users allow:
// when two users already share a key (a store written before migration 2),
// that index is left out rather than failing to open the store, and the
// import's own check (DirectoryWriter.PutUser) still refuses new clashes.
func createUniqueUserIndexes(tx *Tx) error {
	for _, ix := range uniqueUserIndexes {
		if _, err := tx.Exec(ix[1]); err != nil && !IsConstraint(err) {
			return err
		}
	}
	return nil
}

func dropUserIndexes(tx *Tx) error {
	for _, ix := range uniqueUserIndexes {
		if _, err := tx.Exec(`DROP INDEX IF EXISTS ` + ix[0]); err != nil {
			return err
		}
	}
	for _, ix := range userIndexes {
		if _, err := tx.Exec(`DROP INDEX IF EXISTS ` + ix[0]); err != nil {
			return err
		}
	}
	return nil
}

var schemaV1 = []string{
	`CREATE TABLE settings(
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	) WITHOUT ROWID`,

	// Organizational units and other containers, from organizationalUnit
	// entries and from the parents of every imported DN.
	`CREATE TABLE ous(
		id     INTEGER PRIMARY KEY,
		dn     TEXT NOT NULL,
		dn_key TEXT NOT NULL UNIQUE,
		name   TEXT NOT NULL,
		kind   TEXT NOT NULL
	)`,

	`CREATE TABLE users(
		id             INTEGER PRIMARY KEY,
		guid           TEXT UNIQUE,
		dn             TEXT NOT NULL,
		dn_key         TEXT NOT NULL UNIQUE,
		ou_dn          TEXT NOT NULL,
		sam            TEXT NOT NULL DEFAULT '',
		sam_key        TEXT NOT NULL DEFAULT '',
		upn            TEXT NOT NULL DEFAULT '',
		upn_key        TEXT NOT NULL DEFAULT '',
		sip            TEXT NOT NULL DEFAULT '',
		sip_key        TEXT NOT NULL DEFAULT '',
		display        TEXT NOT NULL DEFAULT '',
		display_key    TEXT NOT NULL DEFAULT '',
		display_rev    TEXT NOT NULL DEFAULT '',
		given_name     TEXT,
		sn             TEXT,
		mail           TEXT,
		telephone      TEXT,
		department     TEXT,
		title          TEXT,
		city           TEXT,
		enabled        INTEGER NOT NULL DEFAULT 0,
		line_uri       TEXT,
		registrar_pool TEXT,
		ev_enabled     INTEGER NOT NULL DEFAULT 0,
		pin_policy     TEXT,
		extra          TEXT,
		changed_at     INTEGER
	)`,

	`CREATE TABLE groups(
		id          INTEGER PRIMARY KEY,
		guid        TEXT UNIQUE,
		dn          TEXT NOT NULL,
		dn_key      TEXT NOT NULL UNIQUE,
		sam         TEXT NOT NULL DEFAULT '',
		sam_key     TEXT NOT NULL DEFAULT '',
		display     TEXT NOT NULL DEFAULT '',
		description TEXT NOT NULL DEFAULT ''
	)`,
	`CREATE INDEX groups_sam ON groups(sam_key)`,
	// Members are kept by DN key, not by row id, so that an entry may name a
	// group or user that appears later in an import (or never).
	`CREATE TABLE group_members(
		group_key  TEXT NOT NULL,
		member_key TEXT NOT NULL,
		PRIMARY KEY(group_key, member_key)
	) WITHOUT ROWID`,
	`CREATE INDEX group_members_member ON group_members(member_key)`,

	`CREATE TABLE pin_state(
		user_id         INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
		hash            TEXT,
		pepper_id       TEXT,
		set_at          INTEGER,
		expires_at      INTEGER,
		last_change     INTEGER,
		locked          INTEGER NOT NULL DEFAULT 0,
		local_fails     INTEGER NOT NULL DEFAULT 0,
		window_start    INTEGER,
		temp_lock_until INTEGER,
		global_fails    INTEGER NOT NULL DEFAULT 0
	)`,
	`CREATE TABLE pin_history(
		id        INTEGER PRIMARY KEY,
		user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		hash      TEXT NOT NULL,
		pepper_id TEXT NOT NULL,
		set_at    INTEGER NOT NULL
	)`,
	`CREATE INDEX pin_history_user ON pin_history(user_id, id)`,
	`CREATE TABLE pin_policies(
		key           TEXT PRIMARY KEY,
		scope         TEXT NOT NULL,
		name          TEXT NOT NULL,
		description   TEXT NOT NULL DEFAULT '',
		min_length    INTEGER NOT NULL DEFAULT 5,
		history_count INTEGER NOT NULL DEFAULT 0,
		allow_common  INTEGER NOT NULL DEFAULT 0,
		lifetime_days INTEGER NOT NULL DEFAULT 0,
		max_attempts  INTEGER
	) WITHOUT ROWID`,
	`INSERT INTO pin_policies(key, scope, name) VALUES('global', 'global', '')`,

	// The audit trail: append-only (enforced by triggers), each record
	// chained to the previous one by hash.
	`CREATE TABLE audit(
		seq        INTEGER PRIMARY KEY AUTOINCREMENT,
		time       INTEGER NOT NULL,
		operator   TEXT NOT NULL,
		os_account TEXT NOT NULL,
		cmdlet     TEXT NOT NULL,
		target     TEXT NOT NULL,
		action     TEXT NOT NULL,
		outcome    TEXT NOT NULL,
		whatif     INTEGER NOT NULL,
		detail     TEXT NOT NULL,
		prev_hash  TEXT NOT NULL,
		hash       TEXT NOT NULL
	)`,
	`CREATE INDEX audit_time ON audit(time)`,
	`CREATE INDEX audit_target ON audit(target)`,
	`CREATE INDEX audit_operator ON audit(operator)`,
	`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
		BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
	`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
		BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,

	// RBAC: roles as data (issue 5). name_key is object.Fold(name).
	`CREATE TABLE roles(
		name_key    TEXT PRIMARY KEY,
		name        TEXT NOT NULL,
		sid         TEXT NOT NULL DEFAULT '',
		is_standard INTEGER NOT NULL DEFAULT 0,
		template    TEXT NOT NULL DEFAULT '',
		description TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID`,
	`CREATE TABLE role_cmdlets(
		role_key   TEXT NOT NULL REFERENCES roles(name_key) ON DELETE CASCADE,
		cmdlet_key TEXT NOT NULL,
		cmdlet     TEXT NOT NULL,
		PRIMARY KEY(role_key, cmdlet_key)
	) WITHOUT ROWID`,
	`CREATE INDEX role_cmdlets_cmdlet ON role_cmdlets(cmdlet_key)`,
	// kind is 'user' (scope "global" or "OU:<DN>") or 'config'.
	`CREATE TABLE role_scopes(
		role_key TEXT NOT NULL REFERENCES roles(name_key) ON DELETE CASCADE,
		kind     TEXT NOT NULL,
		scope    TEXT NOT NULL,
		PRIMARY KEY(role_key, kind, scope)
	) WITHOUT ROWID`,
	`CREATE TABLE role_script_modules(
		role_key TEXT NOT NULL REFERENCES roles(name_key) ON DELETE CASCADE,
		module   TEXT NOT NULL,
		PRIMARY KEY(role_key, module)
	) WITHOUT ROWID`,
	// The OS accounts allowed to run pinsh on this store and the directory
	// principal each runs as.
	`CREATE TABLE operators(
		os_account TEXT PRIMARY KEY,
		principal  TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		created_by TEXT NOT NULL DEFAULT '',
		note       TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID`,
}

// migrate brings the schema up to date. A store that is up to date is only
// read, so opening it does not wait for another process's write lock.
func (s *Store) migrate(ctx context.Context) error {
	var cur, indexes int
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&cur); err == nil && cur == SchemaVersion() {
		err := s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' AND name LIKE 'users\_%' ESCAPE '\'`).Scan(&indexes)
		if err == nil && indexes == len(userIndexes) {
			return nil
		}
		// An interrupted first import left indexes out: build them.
		if err := s.Write(ctx, createUserIndexes); err != nil {
			return fmt.Errorf("cannot open the store %s: %w", s.path, err)
		}
		return nil
	}
	err := s.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_version(
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at INTEGER NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot open the store %s: %w", s.path, err)
	}
	for _, m := range migrations {
		err := s.Write(ctx, func(tx *Tx) error {
			var cur int
			if err := tx.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&cur); err != nil {
				return err
			}
			if cur > SchemaVersion() {
				return fmt.Errorf("its schema version %d is newer than this pinsh understands (%d); use a newer pinsh", cur, SchemaVersion())
			}
			if cur >= m.version {
				return nil
			}
			if cur != m.version-1 {
				return fmt.Errorf("its schema version %d cannot be migrated to %d", cur, m.version)
			}
			if err := m.up(tx); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
			_, err := tx.Exec(`INSERT INTO schema_version(version, name, applied_at) VALUES(?, ?, ?)`,
				m.version, m.name, time.Now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("cannot open the store %s: %w", s.path, err)
		}
	}
	return nil
}

// Version returns the store's schema version.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}
