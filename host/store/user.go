package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pinsh/host/object"
)

// User is a directory user as the store keeps it. Optional text attributes
// are "" when absent (shown as $null by the cmdlets).
type User struct {
	ID   int64
	GUID string // objectGUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", or ""
	DN   string
	// OU is the DN of the container the user is in (its parent DN).
	OU                string
	SamAccountName    string
	UserPrincipalName string
	// SipAddress includes the "sip:" prefix, or is "".
	SipAddress  string
	DisplayName string
	GivenName   string
	Surname     string
	Mail        string
	Telephone   string
	Department  string
	Title       string
	City        string // l
	// Enabled is msRTCSIP-UserEnabled: enabled for Lync.
	Enabled bool
	// LineURI is msRTCSIP-Line, e.g. "tel:+14255550100;ext=100".
	LineURI string
	// RegistrarPool is msRTCSIP-PrimaryHomeServer.
	RegistrarPool          string
	EnterpriseVoiceEnabled bool
	// PinPolicy is the granted per-user PIN policy tag name, or "".
	PinPolicy string
	// Extra holds further single-valued directory attributes from the import
	// (company, employeeID, ...), for -LdapFilter.
	Extra []Attr

	// snap is the PIN state read with the user by a remembering stream.
	snap snapshot
}

// Attr is one attribute name and value.
type Attr struct {
	Name  string
	Value string
}

// SipURI returns the SIP address with its "sip:" prefix, or the DN when the
// user has none: how PIN cmdlets name a user.
func (u *User) SipURI() string {
	if u.SipAddress != "" {
		return u.SipAddress
	}
	return u.DN
}

// NormSIP returns a SIP address with exactly one "sip:" prefix ("" stays "").
func NormSIP(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) >= 4 && strings.EqualFold(s[:4], "sip:") {
		s = s[4:]
	}
	return "sip:" + s
}

// sipKey is the look-up key of a SIP address: folded, without "sip:".
func sipKey(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "sip:") {
		s = s[4:]
	}
	return object.Fold(s)
}

// reverseString reverses s by runes.
func reverseString(s string) string {
	n := len(s)
	b := make([]byte, n)
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		copy(b[n-i-size:], s[i:i+size])
		i += size
	}
	return string(b)
}

// userCols selects a user as its id and one text record: the fields joined
// with the unit separator (\x1f, which stored values never contain; see
// sanitize). One column instead of twenty-one makes streaming several
// times faster, since the driver's cost is per column.
const userCols = `id, concat_ws(char(31), dn, ou_dn, COALESCE(guid,''), sam, upn, sip, display,
	COALESCE(given_name,''), COALESCE(sn,''), COALESCE(mail,''), COALESCE(telephone,''),
	COALESCE(department,''), COALESCE(title,''), COALESCE(city,''), enabled, COALESCE(line_uri,''),
	COALESCE(registrar_pool,''), ev_enabled, COALESCE(pin_policy,''), COALESCE(extra,''))`

const userFields = 20

type scanner interface{ Scan(dest ...any) error }

func scanUser(sc scanner, u *User) error {
	var rec string
	if err := sc.Scan(&u.ID, &rec); err != nil {
		return err
	}
	return u.decode(rec)
}

// decode fills u from a record made by userCols.
func (u *User) decode(rec string) error {
	var f [userFields]string
	for i := 0; i < userFields-1; i++ {
		j := strings.IndexByte(rec, 0x1f)
		if j < 0 {
			return fmt.Errorf("corrupt user record %d: %d fields", u.ID, i+1)
		}
		f[i], rec = rec[:j], rec[j+1:]
	}
	f[userFields-1] = rec
	u.DN, u.OU, u.GUID, u.SamAccountName, u.UserPrincipalName, u.SipAddress, u.DisplayName =
		f[0], f[1], f[2], f[3], f[4], f[5], f[6]
	u.GivenName, u.Surname, u.Mail, u.Telephone, u.Department, u.Title, u.City =
		f[7], f[8], f[9], f[10], f[11], f[12], f[13]
	u.Enabled, u.LineURI, u.RegistrarPool, u.EnterpriseVoiceEnabled, u.PinPolicy =
		f[14] == "1", f[15], f[16], f[17] == "1", f[18]
	u.Extra = decodeExtra(f[19])
	return nil
}

// sanitize replaces the separator characters the record and the extra
// encoding use; directory values never legitimately hold them.
func sanitize(s string) string {
	if strings.IndexByte(s, 0x1f) < 0 && strings.IndexByte(s, 0x1e) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == 0x1f || r == 0x1e {
			return ' '
		}
		return r
	}, s)
}

// extra attributes are stored as name US value RS name US value ...
func encodeExtra(attrs []Attr) any {
	if len(attrs) == 0 {
		return nil
	}
	var sb strings.Builder
	for i, a := range attrs {
		if i > 0 {
			sb.WriteByte(0x1e)
		}
		sb.WriteString(a.Name)
		sb.WriteByte(0x1f)
		sb.WriteString(a.Value)
	}
	return sb.String()
}

func decodeExtra(s string) []Attr {
	if s == "" {
		return nil
	}
	var out []Attr
	for _, rec := range strings.Split(s, "\x1e") {
		name, val, _ := strings.Cut(rec, "\x1f")
		out = append(out, Attr{name, val})
	}
	return out
}

// ErrNotFound is returned by look-ups that find nothing.
var ErrNotFound = errors.New("not found")

// NotFoundError says that an identity matches no object; its message is
// the one Lync's cmdlets write.
type NotFoundError struct{ Identity string }

// Error returns the message Lync writes.
func (e *NotFoundError) Error() string {
	return "Management object not found for identity \"" + e.Identity + "\"."
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// UserByID returns one user.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	u := new(User)
	err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id), u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return u, err
}

// UserByDN returns the user with that distinguished name (any case or
// spacing).
func (s *Store) UserByDN(ctx context.Context, dn string) (*User, error) {
	u := new(User)
	err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE dn_key = ?`, DNKey(dn)), u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &NotFoundError{dn}
	}
	return u, err
}

// UserQuery selects users for [Store.EachUser]. All set fields must hold.
type UserQuery struct {
	// Identity is any identity form [Store.ResolveIdentity] accepts; "" means
	// every user.
	Identity string
	// OU restricts to the subtree of this DN (child OUs included).
	OU string
	// EnabledOnly keeps users enabled for Lync (Get-CsUser).
	EnabledOnly bool
	// Unassigned keeps enabled users without a registrar pool.
	Unassigned bool
	// Match is an extra predicate evaluated in Go (LDAP filter, -Filter).
	Match func(*User) (bool, error)
	// Limit stops after this many users; 0 means no limit.
	Limit int
	// Remember reads each user's PIN state in the same statement and keeps
	// the users streamed in a small cache of the store, so that a later
	// stage that looks them up again by distinguished name (a plugin given
	// Get-CsUser's objects) and reads their PIN state
	// ([Store.UserPinState]) needs no query of its own. Get-CsUser sets it.
	// The function given to [Store.EachUser] must then not modify the
	// users it is given.
	Remember bool
}

// identityPlan is how one identity text turns into SQL: a WHERE fragment
// with its arguments and an optional Go-side predicate on the folded display
// name. none means the identity can match nothing (wrong NetBIOS domain).
type identityPlan struct {
	where string
	args  []any
	glob  string // folded display-name pattern with '*', or ""
	order string // an ORDER BY the index does not give, or ""
	none  bool
}

// IdentityForm names the form an identity text is read as: "sip", "address"
// (SIP or UPN), "logon" (domain\logon), "dn", "display" or "wildcard".
func IdentityForm(text string) string {
	t := strings.TrimSpace(text)
	switch {
	case len(t) >= 4 && strings.EqualFold(t[:4], "sip:"):
		return "sip"
	case LooksLikeDN(t):
		return "dn"
	case strings.Contains(t, `\`):
		return "logon"
	case strings.Contains(t, "@"):
		return "address"
	case strings.Contains(t, "*"):
		return "wildcard"
	}
	return "display"
}

func (s *Store) planIdentity(ctx context.Context, text string) (identityPlan, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return identityPlan{none: true}, nil
	}
	switch IdentityForm(t) {
	case "sip":
		return identityPlan{where: "sip_key = ?", args: []any{sipKey(t)}}, nil
	case "dn":
		return identityPlan{where: "dn_key = ?", args: []any{DNKey(t)}}, nil
	case "logon":
		dom, logon, _ := strings.Cut(t, `\`)
		nb, err := s.NetBIOSName(ctx)
		if err != nil {
			return identityPlan{}, err
		}
		if nb == "" || object.Fold(strings.TrimSpace(dom)) != object.Fold(nb) {
			return identityPlan{none: true}, nil
		}
		return identityPlan{where: "sam_key = ?", args: []any{object.Fold(strings.TrimSpace(logon))}}, nil
	case "address":
		k := object.Fold(t)
		return identityPlan{where: "(sip_key = ? OR upn_key = ?)", args: []any{k, k}}, nil
	case "wildcard":
		pat := object.Fold(t)
		first := strings.IndexByte(pat, '*')
		last := strings.LastIndexByte(pat, '*')
		prefix, suffix := pat[:first], pat[last+1:]
		switch {
		case prefix != "" && len(prefix) >= len(suffix):
			return identityPlan{where: "display_key >= ? AND display_key < ?",
				args: []any{prefix, prefix + "\xff"}, glob: pat}, nil
		case suffix != "":
			rs := reverseString(suffix)
			// Sorted by display name like a prefix search; the matches
			// are few, so the sort is cheap.
			return identityPlan{where: "display_rev >= ? AND display_rev < ?",
				args: []any{rs, rs + "\xff"}, glob: pat, order: "display_key, id"}, nil
		}
		return identityPlan{glob: pat}, nil
	}
	return identityPlan{where: "display_key = ?", args: []any{object.Fold(t)}}, nil
}

// matchStar matches s against pattern in which '*' stands for any run of
// characters and every other character is literal.
func matchStar(s, pattern string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	lastPart := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, lastPart)
}

// userPlan is a [UserQuery] turned into SQL: the WHERE terms and their
// arguments, a display-name pattern left for Go, the order, and whether
// the query can match nothing at all.
type userPlan struct {
	where []string
	args  []any
	glob  string
	// order is "" when the identity's index gives the order, else the
	// ORDER BY.
	order string
	// paged is set for enumerations (no identity, no OU), which are read
	// in pages of [pageSize] in id order.
	paged bool
	none  bool
}

func (s *Store) planUsers(ctx context.Context, q UserQuery) (userPlan, error) {
	var p userPlan
	indexed := false
	if q.Identity != "" {
		ip, err := s.planIdentity(ctx, q.Identity)
		if err != nil {
			return p, err
		}
		if ip.none {
			p.none = true
			return p, nil
		}
		if ip.where != "" {
			p.where = append(p.where, ip.where)
			p.args = append(p.args, ip.args...)
			indexed = true
		}
		p.glob, p.order = ip.glob, ip.order
	}
	if q.OU != "" {
		lo, hi := SubtreeRange(DNKey(q.OU))
		p.where = append(p.where, "dn_key > ? AND dn_key < ?")
		p.args = append(p.args, lo, hi)
	}
	if q.EnabledOnly || q.Unassigned {
		p.where = append(p.where, "enabled = 1")
	}
	if q.Unassigned {
		p.where = append(p.where, "COALESCE(registrar_pool,'') = ''")
	}
	if p.order == "" && !indexed {
		// The identity's index gives a deterministic order (display names
		// alphabetically for "Pilar*", insertion order among equal keys);
		// sorting by id would cost a sort of every matching row.
		p.order = "id"
		p.paged = q.Identity == "" && q.OU == ""
	}
	return p, nil
}

// selectUsers is the select list and source of a stream; with remember,
// each user's PIN state (pinStateCols) comes along.
func selectUsers(remember bool) string {
	if remember {
		return `SELECT ` + userCols + `, ` + pinStateCols + ` FROM users LEFT JOIN pin_state ON user_id = id`
	}
	return `SELECT ` + userCols + ` FROM users`
}

// pageSize is how many users one statement of a stream in id order reads.
// Each page is its own read transaction, so a long stream neither pins an
// old snapshot of the store (which would also keep the WAL from being
// checkpointed) nor holds data that other processes have since changed
// for long.
const pageSize = 512

// sql returns the statement text of the plan; paged adds the keyset
// condition and limit of one page (its last argument is the last id read).
func (p *userPlan) sql(remember, paged bool) string {
	where := p.where
	if paged {
		where = append(where[:len(where):len(where)], "id > ?")
	}
	q := selectUsers(remember)
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if p.order != "" {
		q += " ORDER BY " + p.order
	}
	if paged {
		q += " LIMIT " + strconv.Itoa(pageSize)
	}
	return q
}

// userQuery builds the SQL of a [UserQuery] as its first statement: the
// query text, its arguments, a display-name pattern left for Go, and
// whether the query can match nothing at all.
func (s *Store) userQuery(ctx context.Context, q UserQuery) (query string, args []any, glob string, none bool, err error) {
	p, err := s.planUsers(ctx, q)
	if err != nil || p.none {
		return "", nil, "", p.none, err
	}
	args = p.args
	if p.paged {
		args = append(args[:len(args):len(args)], int64(0))
	}
	return p.sql(q.Remember, p.paged), args, p.glob, false, nil
}

// EachUser streams the users q selects, calling fn for each; memory stays
// flat whatever the number of users. fn may use the store (including
// writes) while the stream is open. It stops at the first error fn
// returns and returns it. Users come in insertion (id) order (an
// enumeration of all users is read in pages of [pageSize]), except for an
// identity look-up, whose index gives the order (display names
// alphabetically for "Pilar*" and "* Smith").
//
// A distinguished-name look-up with no other condition than EnabledOnly is
// answered from the cache of recently remembered users when it can (see
// [UserQuery.Remember]).
func (s *Store) EachUser(ctx context.Context, q UserQuery, fn func(*User) error) error {
	if q.Identity != "" && q.OU == "" && !q.Unassigned && q.Match == nil {
		// The DN exactly as Get-CsUser wrote it.
		if u := s.recent.get(strings.TrimSpace(q.Identity), s); u != nil {
			if q.EnabledOnly && !u.Enabled {
				return nil
			}
			return fn(u)
		}
	}
	p, err := s.planUsers(ctx, q)
	if err != nil || p.none {
		return err
	}
	paged := p.paged
	text := p.sql(q.Remember, paged)
	stmt, err := s.q.stmt(ctx, text)
	if err != nil {
		return err
	}
	n := 0
	var last int64
	for {
		args := p.args
		if paged {
			args = append(args[:len(args):len(args)], last)
		}
		read, done, err := s.eachRow(ctx, stmt, q, &p, args, &n, &last, fn)
		if err != nil || done || !paged || read < pageSize {
			return err
		}
	}
}

// eachRow runs one statement of a stream and calls fn for the users it
// selects. It returns how many rows it read and whether the stream is done
// (the limit is reached).
func (s *Store) eachRow(ctx context.Context, stmt *sql.Stmt, q UserQuery, p *userPlan, args []any, n *int, last *int64, fn func(*User) error) (read int, done bool, err error) {
	gen := s.gen.Load() // before the statement's read transaction begins
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return 0, false, err
	}
	defer rows.Close()
	var rec string
	var pinRec sql.NullString
	for rows.Next() {
		read++
		u := new(User)
		if q.Remember {
			err = rows.Scan(&u.ID, &rec, &pinRec)
		} else {
			err = rows.Scan(&u.ID, &rec)
		}
		if err == nil {
			err = u.decode(rec)
		}
		if err != nil {
			return read, false, err
		}
		*last = u.ID
		if q.Remember {
			u.snap.gen, u.snap.at = gen, time.Now()
			if err := decodePinState(pinRec, &u.snap.pin); err != nil {
				return read, false, fmt.Errorf("user %d: %w", u.ID, err)
			}
			s.recent.put(u)
		}
		if p.glob != "" && !matchStar(object.Fold(strings.TrimSpace(u.DisplayName)), p.glob) {
			continue
		}
		if q.Match != nil {
			ok, err := q.Match(u)
			if err != nil {
				return read, false, err
			}
			if !ok {
				continue
			}
		}
		if err := fn(u); err != nil {
			return read, false, err
		}
		*n++
		if q.Limit > 0 && *n >= q.Limit {
			return read, true, nil
		}
	}
	return read, false, rows.Err()
}

// ResolveIdentity returns every user an identity names, in any of the
// forms Lync accepts, case-insensitively for all Unicode letters:
//
//	sip:kenmyer@litwareinc.com      SIP address
//	kenmyer@litwareinc.com          SIP address or user principal name
//	litwareinc\kenmyer              NetBIOS domain (the store's) and logon
//	CN=Ken Myer,OU=Finance,DC=...   distinguished name
//	Ken Myer                        display name
//	Pilar* / "* Smith" / "*a*"      display name with * wildcards
//
// An identity that matches nobody yields an empty slice and no error. SQL
// and LIKE metacharacters (', %, _) are always literal: values are bound
// parameters and wildcards are matched in Go.
func (s *Store) ResolveIdentity(ctx context.Context, text string) ([]User, error) {
	var out []User
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	err := s.EachUser(ctx, UserQuery{Identity: text}, func(u *User) error {
		out = append(out, *u)
		return nil
	})
	return out, err
}

// CountUsers returns the number of users, or of enabled users.
func (s *Store) CountUsers(ctx context.Context, enabledOnly bool) (int, error) {
	q := `SELECT COUNT(*) FROM users`
	if enabledOnly {
		q += ` WHERE enabled = 1`
	}
	var n int
	err := s.r.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// SetUserPinPolicy grants the per-user PIN policy tag (without "tag:") to a
// user, or unassigns it when tag is "".
func (tx *Tx) SetUserPinPolicy(userID int64, tag string) error {
	_, err := tx.Exec(`UPDATE users SET pin_policy = ? WHERE id = ?`, nullStr(tag), userID)
	return err
}
