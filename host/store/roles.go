package store

import (
	"context"
	"database/sql"
	"errors"

	"pinsh/host/object"
)

// Role is an administrative role as stored (issue 5): its cmdlets, user
// scopes ("global" or "OU:<DN>"), config scopes and script modules.
type Role struct {
	Name          string
	SID           string
	IsStandard    bool
	Template      string
	Description   string
	Cmdlets       []string
	UserScopes    []string
	ConfigScopes  []string
	ScriptModules []string
}

// PutRole creates or replaces a role with all its lists.
func (tx *Tx) PutRole(r *Role) error {
	key := object.Fold(r.Name)
	if _, err := tx.Exec(`INSERT INTO roles(name_key, name, sid, is_standard, template, description)
		VALUES(?,?,?,?,?,?) ON CONFLICT(name_key) DO UPDATE SET name = excluded.name, sid = excluded.sid,
		is_standard = excluded.is_standard, template = excluded.template, description = excluded.description`,
		key, r.Name, r.SID, r.IsStandard, r.Template, r.Description); err != nil {
		return err
	}
	for _, t := range []string{"role_cmdlets", "role_scopes", "role_script_modules"} {
		if _, err := tx.Exec(`DELETE FROM `+t+` WHERE role_key = ?`, key); err != nil {
			return err
		}
	}
	for _, c := range r.Cmdlets {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO role_cmdlets(role_key, cmdlet_key, cmdlet) VALUES(?,?,?)`, key, object.Fold(c), c); err != nil {
			return err
		}
	}
	for _, sc := range r.UserScopes {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO role_scopes(role_key, kind, scope) VALUES(?, 'user', ?)`, key, sc); err != nil {
			return err
		}
	}
	for _, sc := range r.ConfigScopes {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO role_scopes(role_key, kind, scope) VALUES(?, 'config', ?)`, key, sc); err != nil {
			return err
		}
	}
	for _, m := range r.ScriptModules {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO role_script_modules(role_key, module) VALUES(?,?)`, key, m); err != nil {
			return err
		}
	}
	return nil
}

// DeleteRole deletes a role; it reports whether it existed.
func (tx *Tx) DeleteRole(name string) (bool, error) {
	res, err := tx.Exec(`DELETE FROM roles WHERE name_key = ?`, object.Fold(name))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// EachRole streams every role with its lists, by name.
func (s *Store) EachRole(ctx context.Context, fn func(*Role) error) error {
	var roles []*Role
	rows, err := s.r.QueryContext(ctx, `SELECT name_key, name, sid, is_standard, template, description FROM roles ORDER BY name_key`)
	if err != nil {
		return err
	}
	keys := map[string]*Role{}
	for rows.Next() {
		var k string
		r := new(Role)
		if err := rows.Scan(&k, &r.Name, &r.SID, &r.IsStandard, &r.Template, &r.Description); err != nil {
			rows.Close()
			return err
		}
		keys[k] = r
		roles = append(roles, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	lists := []struct {
		q   string
		add func(r *Role, v, kind string)
	}{
		{`SELECT role_key, cmdlet, '' FROM role_cmdlets ORDER BY role_key, cmdlet_key`,
			func(r *Role, v, _ string) { r.Cmdlets = append(r.Cmdlets, v) }},
		{`SELECT role_key, scope, kind FROM role_scopes ORDER BY role_key, scope`,
			func(r *Role, v, kind string) {
				if kind == "user" {
					r.UserScopes = append(r.UserScopes, v)
				} else {
					r.ConfigScopes = append(r.ConfigScopes, v)
				}
			}},
		{`SELECT role_key, module, '' FROM role_script_modules ORDER BY role_key, module`,
			func(r *Role, v, _ string) { r.ScriptModules = append(r.ScriptModules, v) }},
	}
	for _, l := range lists {
		rows, err := s.r.QueryContext(ctx, l.q)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k, v, kind string
			if err := rows.Scan(&k, &v, &kind); err != nil {
				rows.Close()
				return err
			}
			if r := keys[k]; r != nil {
				l.add(r, v, kind)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, r := range roles {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Operator maps an OS account to the directory principal it runs as.
type Operator struct {
	OSAccount string
	Principal string
	CreatedBy string
	Note      string
}

// OperatorFor returns the mapping of an OS account, or nil when it has none.
func (s *Store) OperatorFor(ctx context.Context, osAccount string) (*Operator, error) {
	var o Operator
	err := s.r.QueryRowContext(ctx, `SELECT os_account, principal, created_by, note FROM operators WHERE os_account = ?`, osAccount).
		Scan(&o.OSAccount, &o.Principal, &o.CreatedBy, &o.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// PutOperator creates or replaces an OS account mapping.
func (tx *Tx) PutOperator(o *Operator) error {
	_, err := tx.Exec(`INSERT INTO operators(os_account, principal, created_at, created_by, note) VALUES(?,?,?,?,?)
		ON CONFLICT(os_account) DO UPDATE SET principal = excluded.principal, note = excluded.note`,
		o.OSAccount, o.Principal, tx.s.Now().UnixNano(), o.CreatedBy, o.Note)
	return err
}

// DeleteOperator removes an OS account mapping; it reports whether it
// existed.
func (tx *Tx) DeleteOperator(osAccount string) (bool, error) {
	res, err := tx.Exec(`DELETE FROM operators WHERE os_account = ?`, osAccount)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// EachOperator streams every OS account mapping by account.
func (s *Store) EachOperator(ctx context.Context, fn func(*Operator) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT os_account, principal, created_by, note FROM operators ORDER BY os_account`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o Operator
		if err := rows.Scan(&o.OSAccount, &o.Principal, &o.CreatedBy, &o.Note); err != nil {
			return err
		}
		if err := fn(&o); err != nil {
			return err
		}
	}
	return rows.Err()
}
