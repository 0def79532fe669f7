package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"pinsh/host/object"
)

// Policy scopes.
const (
	ScopeGlobal = "global"
	ScopeSite   = "site"
	ScopeTag    = "tag"
)

// PinPolicy is a client PIN policy (Lync's UserPinPolicy).
type PinPolicy struct {
	// Scope is ScopeGlobal, ScopeSite or ScopeTag; Name the site or tag name
	// as created ("" for global).
	Scope               string
	Name                string
	Description         string
	MinPasswordLength   int
	PINHistoryCount     int
	AllowCommonPatterns bool
	// PINLifetime is in days; 0 means PINs never expire.
	PINLifetime int
	// MaximumLogonAttempts is the local failure limit; 0 means unset ($null:
	// the server computes it from the PIN length).
	MaximumLogonAttempts int
}

// DefaultPinPolicy returns a policy with the reference's defaults.
func DefaultPinPolicy(scope, name string) PinPolicy {
	return PinPolicy{Scope: scope, Name: name, MinPasswordLength: 5}
}

// Identity returns the policy's identity as Get-CsPinPolicy prints it:
// "Global", "Site:Redmond", "Tag:RedmondPinPolicy".
func (p *PinPolicy) Identity() string {
	switch p.Scope {
	case ScopeSite:
		return "Site:" + p.Name
	case ScopeTag:
		return "Tag:" + p.Name
	}
	return "Global"
}

// Key returns the policy's look-up key ("global", "site:<folded>",
// "tag:<folded>").
func (p *PinPolicy) Key() string { return PolicyKey(p.Scope, p.Name) }

// PolicyKey builds a policy key from a scope and name.
func PolicyKey(scope, name string) string {
	if scope == ScopeGlobal {
		return ScopeGlobal
	}
	return scope + ":" + object.Fold(name)
}

// ParsePolicyIdentity reads a policy identity: "Global" (any case),
// "site:<name>", "tag:<name>", or a bare name, which is a tag (the
// reference writes -Identity RedmondPinPolicy).
func ParsePolicyIdentity(s string) (scope, name string, err error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", "", fmt.Errorf("the policy identity is empty")
	}
	if strings.EqualFold(t, "global") {
		return ScopeGlobal, "", nil
	}
	if pre, rest, ok := strings.Cut(t, ":"); ok {
		rest = strings.TrimSpace(rest)
		switch strings.ToLower(strings.TrimSpace(pre)) {
		case "site":
			scope = ScopeSite
		case "tag":
			scope = ScopeTag
		default:
			return "", "", fmt.Errorf("the policy identity %q has an unknown scope %q; use Global, site:<name> or tag:<name>", s, pre)
		}
		if rest == "" {
			return "", "", fmt.Errorf("the policy identity %q has no name after %q", s, pre+":")
		}
		return scope, rest, nil
	}
	return ScopeTag, t, nil
}

const policyCols = `scope, name, description, min_length, history_count, allow_common, lifetime_days, COALESCE(max_attempts, 0)`

func scanPolicy(sc scanner, p *PinPolicy) error {
	return sc.Scan(&p.Scope, &p.Name, &p.Description, &p.MinPasswordLength, &p.PINHistoryCount,
		&p.AllowCommonPatterns, &p.PINLifetime, &p.MaximumLogonAttempts)
}

func policyQuery(q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, ctx context.Context, key string) (*PinPolicy, error) {
	var p PinPolicy
	err := scanPolicy(q.QueryRowContext(ctx, `SELECT `+policyCols+` FROM pin_policies WHERE key = ?`, key), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// PinPolicy returns the policy with that key, or nil when there is none.
func (s *Store) PinPolicy(ctx context.Context, key string) (*PinPolicy, error) {
	return policyQuery(s.r, ctx, key)
}

// PinPolicy returns the policy with that key inside the transaction, or nil.
func (tx *Tx) PinPolicy(key string) (*PinPolicy, error) {
	return policyQuery(tx.Tx, tx.ctx, key)
}

// EachPinPolicy streams every policy: Global first, then sites, then tags,
// each by name.
func (s *Store) EachPinPolicy(ctx context.Context, fn func(*PinPolicy) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+policyCols+` FROM pin_policies
		ORDER BY CASE scope WHEN 'global' THEN 0 WHEN 'site' THEN 1 ELSE 2 END, key`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p PinPolicy
		if err := scanPolicy(rows, &p); err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PutPinPolicy creates or replaces a policy.
func (tx *Tx) PutPinPolicy(p *PinPolicy) error {
	var maxAttempts any
	if p.MaximumLogonAttempts > 0 {
		maxAttempts = p.MaximumLogonAttempts
	}
	_, err := tx.Exec(`INSERT INTO pin_policies(key, scope, name, description, min_length, history_count,
		allow_common, lifetime_days, max_attempts) VALUES(?,?,?,?,?,?,?,?,?)
		ON CONFLICT(key) DO UPDATE SET description = excluded.description,
			min_length = excluded.min_length, history_count = excluded.history_count,
			allow_common = excluded.allow_common, lifetime_days = excluded.lifetime_days,
			max_attempts = excluded.max_attempts`,
		p.Key(), p.Scope, p.Name, p.Description, p.MinPasswordLength, p.PINHistoryCount,
		p.AllowCommonPatterns, p.PINLifetime, maxAttempts)
	return err
}

// DeletePinPolicy deletes a site or tag policy; it reports whether it
// existed. The global policy cannot be deleted (reset it instead).
func (tx *Tx) DeletePinPolicy(key string) (bool, error) {
	if key == ScopeGlobal {
		return false, fmt.Errorf("the global PIN policy cannot be deleted")
	}
	res, err := tx.Exec(`DELETE FROM pin_policies WHERE key = ?`, key)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
