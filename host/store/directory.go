package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"pinsh/host/object"
)

// Setting names used by pinsh.
const (
	// SettingNetBIOS is the NetBIOS domain name for domain\logon identities.
	SettingNetBIOS = "netbios"
	// SettingDomainDN is the DN of the imported domain (DC=...,DC=...).
	SettingDomainDN = "domain_dn"
	// SettingSite is the site of this store's users, for site:X PIN
	// policies ("" when none).
	SettingSite = "site"
	// SettingPinKeyID identifies the PIN pepper the store's hashes were
	// made with (a fingerprint, never the key).
	SettingPinKeyID = "pin_key_id"
)

// Setting returns a setting's value ("" and false when unset).
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	st, err := s.q.stmt(ctx, `SELECT value FROM settings WHERE key = ?`)
	if err != nil {
		return "", false, err
	}
	var v string
	err = st.QueryRowContext(ctx, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// Setting returns a setting's value inside a write transaction.
func (tx *Tx) Setting(key string) (string, bool, error) {
	var v string
	err := tx.QueryRow(`SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// SetSetting sets a setting; "" deletes it.
func (tx *Tx) SetSetting(key, value string) error {
	if value == "" {
		_, err := tx.Exec(`DELETE FROM settings WHERE key = ?`, key)
		return err
	}
	_, err := tx.Exec(`INSERT INTO settings(key, value) VALUES(?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// SetSetting sets a setting in its own transaction.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.Write(ctx, func(tx *Tx) error { return tx.SetSetting(key, value) })
}

// NetBIOSName returns the store's NetBIOS domain name ("" before any
// import).
func (s *Store) NetBIOSName(ctx context.Context) (string, error) {
	v, _, err := s.Setting(ctx, SettingNetBIOS)
	return v, err
}

// OU is an organizational unit or other container.
type OU struct {
	DN   string
	Name string
	// Kind is "ou" for organizationalUnit entries, "container" for other
	// containers (CN=Users) and "domain" for DC= parts.
	Kind string
}

// EnsureOU records an OU (or container) unless it is known; an
// organizationalUnit entry upgrades a container of the same DN.
func (tx *Tx) EnsureOU(dn, kind string) error {
	dn = NormDN(dn)
	rdns := SplitDN(dn)
	if len(rdns) == 0 {
		return nil
	}
	_, err := tx.Exec(`INSERT INTO ous(dn, dn_key, name, kind) VALUES(?, ?, ?, ?)
		ON CONFLICT(dn_key) DO UPDATE SET dn = excluded.dn,
			kind = CASE WHEN excluded.kind = 'ou' THEN 'ou' ELSE ous.kind END`,
		dn, DNKey(dn), RDNValue(rdns[0]), kind)
	return err
}

// OUByDN returns the OU or container with that DN.
func (s *Store) OUByDN(ctx context.Context, dn string) (*OU, error) {
	var o OU
	err := s.r.QueryRowContext(ctx, `SELECT dn, name, kind FROM ous WHERE dn_key = ?`, DNKey(dn)).
		Scan(&o.DN, &o.Name, &o.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &NotFoundError{dn}
	}
	return &o, err
}

// EachOU streams every OU and container in DN-key order (parents first).
func (s *Store) EachOU(ctx context.Context, fn func(*OU) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT dn, name, kind FROM ous ORDER BY dn_key`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o OU
		if err := rows.Scan(&o.DN, &o.Name, &o.Kind); err != nil {
			return err
		}
		if err := fn(&o); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Group is a directory group.
type Group struct {
	ID             int64
	GUID           string
	DN             string
	SamAccountName string
	DisplayName    string
	Description    string
}

// GroupBySam returns the group with that sAMAccountName (case-insensitive).
func (s *Store) GroupBySam(ctx context.Context, sam string) (*Group, error) {
	var g Group
	err := s.r.QueryRowContext(ctx, `SELECT id, COALESCE(guid,''), dn, sam, display, description
		FROM groups WHERE sam_key = ? ORDER BY id LIMIT 1`, object.Fold(sam)).
		Scan(&g.ID, &g.GUID, &g.DN, &g.SamAccountName, &g.DisplayName, &g.Description)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &NotFoundError{sam}
	}
	return &g, err
}

// EachGroup streams every group in insertion order.
func (s *Store) EachGroup(ctx context.Context, fn func(*Group) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT id, COALESCE(guid,''), dn, sam, display, description FROM groups ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.GUID, &g.DN, &g.SamAccountName, &g.DisplayName, &g.Description); err != nil {
			return err
		}
		if err := fn(&g); err != nil {
			return err
		}
	}
	return rows.Err()
}

// GroupMembers returns the DNs of a group's direct members (users and
// groups; members not in the store are returned as recorded keys are
// unknown, so they are skipped).
func (s *Store) GroupMembers(ctx context.Context, groupDN string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT COALESCE(u.dn, g.dn) FROM group_members m
		LEFT JOIN users u ON u.dn_key = m.member_key
		LEFT JOIN groups g ON g.dn_key = m.member_key
		WHERE m.group_key = ? AND COALESCE(u.dn, g.dn) IS NOT NULL
		ORDER BY m.member_key`, DNKey(groupDN))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var dn string
		if err := rows.Scan(&dn); err != nil {
			return nil, err
		}
		out = append(out, dn)
	}
	return out, rows.Err()
}

// MemberOf returns the groups dn belongs to, directly or through nested
// groups (cycles are harmless), ordered by sAMAccountName.
func (s *Store) MemberOf(ctx context.Context, dn string) ([]Group, error) {
	rows, err := s.r.QueryContext(ctx, `
		WITH RECURSIVE up(k) AS (
			SELECT group_key FROM group_members WHERE member_key = ?
			UNION
			SELECT m.group_key FROM group_members m JOIN up ON m.member_key = up.k
		)
		SELECT g.id, COALESCE(g.guid,''), g.dn, g.sam, g.display, g.description
		FROM groups g JOIN up ON g.dn_key = up.k ORDER BY g.sam_key`, DNKey(dn))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.GUID, &g.DN, &g.SamAccountName, &g.DisplayName, &g.Description); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// DirectoryWriter writes users, groups and memberships inside one write
// transaction with prepared statements; the import uses it. Close it before
// the transaction ends.
type DirectoryWriter struct {
	tx *Tx
	// ctx is the transaction's context without its cancellation: with a
	// cancellable context the driver starts a goroutine for every
	// statement to interrupt it, which for 100,000 small inserts costs
	// more than the inserts when the machine is busy. Import checks for
	// cancellation between entries, and the transaction itself still ends
	// when the context is cancelled.
	ctx                         context.Context
	byGUID, byDN, ins, upd, del *sql.Stmt
	gByGUID, gByDN, gIns, gUpd  *sql.Stmt
	memAdd, memClear, memDel    *sql.Stmt
	clash                       *sql.Stmt
	now                         time.Time
	// When the users table was empty at the start (a first import), users
	// are matched through these maps instead of two index probes each.
	fresh              bool
	byGUIDMap, byDNMap map[string]int64
	guidOf, dnKeyOf    map[int64]string
	// In a first import, which user holds each identity key ("a:" SIP
	// address or UPN, "s:" sAMAccountName), the keys each user holds and
	// its DN, for the identity clash check.
	keyOwner map[string]int64
	keysOf   map[int64]userKeys
	dnOf     map[int64]string
}

// userKeys are a user's folded identity keys.
type userKeys struct{ sip, upn, sam string }

// list returns the keys for keyOwner: "a:" for the SIP address and UPN
// (Get-CsUser -Identity user@domain matches either), "s:" for the
// sAMAccountName; empty ones are left out.
func (k userKeys) list() []string {
	keys := make([]string, 0, 3)
	if k.sip != "" {
		keys = append(keys, "a:"+k.sip)
	}
	if k.upn != "" && k.upn != k.sip {
		keys = append(keys, "a:"+k.upn)
	}
	if k.sam != "" {
		keys = append(keys, "s:"+k.sam)
	}
	return keys
}

// DirectoryWriter prepares a [DirectoryWriter] on the transaction.
func (tx *Tx) DirectoryWriter() (*DirectoryWriter, error) {
	w := &DirectoryWriter{tx: tx, ctx: context.WithoutCancel(tx.ctx), now: tx.s.Now()}
	prep := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.byGUID, `SELECT id FROM users WHERE guid = ?`},
		{&w.byDN, `SELECT id FROM users WHERE dn_key = ?`},
		{&w.ins, `INSERT INTO users(guid, dn, dn_key, ou_dn, sam, sam_key, upn, upn_key, sip, sip_key,
			display, display_key, display_rev, given_name, sn, mail, telephone, department, title, city,
			enabled, line_uri, registrar_pool, ev_enabled, extra, changed_at)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`},
		{&w.upd, `UPDATE users SET guid = ?, dn = ?, dn_key = ?, ou_dn = ?, sam = ?, sam_key = ?,
			upn = ?, upn_key = ?, sip = ?, sip_key = ?, display = ?, display_key = ?, display_rev = ?,
			given_name = ?, sn = ?, mail = ?, telephone = ?, department = ?, title = ?, city = ?,
			enabled = ?, line_uri = ?, registrar_pool = ?, ev_enabled = ?, extra = ?, changed_at = ?
			WHERE id = ?`},
		{&w.del, `DELETE FROM users WHERE dn_key = ?`},
		{&w.gByGUID, `SELECT id FROM groups WHERE guid = ?`},
		{&w.gByDN, `SELECT id FROM groups WHERE dn_key = ?`},
		{&w.gIns, `INSERT INTO groups(guid, dn, dn_key, sam, sam_key, display, description) VALUES(?,?,?,?,?,?,?)`},
		{&w.gUpd, `UPDATE groups SET guid = ?, dn = ?, dn_key = ?, sam = ?, sam_key = ?, display = ?, description = ? WHERE id = ?`},
		{&w.memAdd, `INSERT OR IGNORE INTO group_members(group_key, member_key) VALUES(?, ?)`},
		{&w.memClear, `DELETE FROM group_members WHERE group_key = ?`},
		{&w.memDel, `DELETE FROM group_members WHERE group_key = ? AND member_key = ?`},
		// ?1 and ?2 are the address keys (SIP, UPN), ?3 the sAMAccountName
		// key, NULL when empty; ?4 the user's own id.
		{&w.clash, `SELECT dn, sip_key, upn_key, sam_key FROM users
			WHERE (sip_key IN (?1, ?2) OR upn_key IN (?1, ?2) OR sam_key = ?3) AND id <> ?4
			ORDER BY id LIMIT 1`},
	}
	for _, p := range prep {
		st, err := tx.PrepareContext(tx.ctx, p.sql)
		if err != nil {
			w.Close()
			return nil, err
		}
		*p.dst = st
	}
	var any int
	if err := tx.QueryRow(`SELECT EXISTS(SELECT 1 FROM users)`).Scan(&any); err != nil {
		w.Close()
		return nil, err
	}
	if any == 0 {
		if err := dropUserIndexes(tx); err != nil {
			w.Close()
			return nil, err
		}
		w.fresh = true
		w.byGUIDMap, w.byDNMap = map[string]int64{}, map[string]int64{}
		w.guidOf, w.dnKeyOf = map[int64]string{}, map[int64]string{}
		w.keyOwner, w.keysOf, w.dnOf = map[string]int64{}, map[int64]userKeys{}, map[int64]string{}
	}
	return w, nil
}

// remember records where a user now is, for the fresh-import maps.
func (w *DirectoryWriter) remember(id int64, guid, dnKey string) {
	if !w.fresh {
		return
	}
	if old, ok := w.guidOf[id]; ok && old != "" && w.byGUIDMap[old] == id {
		delete(w.byGUIDMap, old)
	}
	if old, ok := w.dnKeyOf[id]; ok && w.byDNMap[old] == id {
		delete(w.byDNMap, old)
	}
	if guid != "" {
		w.byGUIDMap[guid] = id
	}
	if dnKey != "" {
		w.byDNMap[dnKey] = id
	}
	w.guidOf[id], w.dnKeyOf[id] = guid, dnKey
}

func (w *DirectoryWriter) forget(id int64) {
	if !w.fresh || id == 0 {
		return
	}
	w.remember(id, "", "")
	delete(w.guidOf, id)
	delete(w.dnKeyOf, id)
	w.rememberKeys(id, "", userKeys{})
}

// rememberKeys records the identity keys and DN a user now has, for the
// fresh-import clash check.
func (w *DirectoryWriter) rememberKeys(id int64, dn string, keys userKeys) {
	if !w.fresh {
		return
	}
	for _, k := range w.keysOf[id].list() {
		if w.keyOwner[k] == id {
			delete(w.keyOwner, k)
		}
	}
	delete(w.keysOf, id)
	delete(w.dnOf, id)
	if dn == "" {
		return
	}
	for _, k := range keys.list() {
		w.keyOwner[k] = id
	}
	w.keysOf[id], w.dnOf[id] = keys, dn
}

// IdentityClashError is a user that [DirectoryWriter.PutUser] refused
// because its SIP address, UPN or sAMAccountName is, case-insensitively,
// another user's: an identity must never select two users.
type IdentityClashError struct {
	// What names the clashing identity ("SIP address", "UPN" or
	// "sAMAccountName") and Value is it as the user had it.
	What, Value string
	// OtherDN is the user who has it; OtherWhat is what it is there when
	// that differs (a UPN that is another user's SIP address).
	OtherDN, OtherWhat string
}

// Error returns "the SIP address sip:x is already used by CN=...".
func (e *IdentityClashError) Error() string {
	msg := fmt.Sprintf("the %s %s is already used by %s", e.What, e.Value, e.OtherDN)
	if e.OtherWhat != "" && e.OtherWhat != e.What {
		msg += " (as its " + e.OtherWhat + ")"
	}
	return msg
}

// checkClash returns an *IdentityClashError when another user than id has
// one of u's identity keys.
func (w *DirectoryWriter) checkClash(u *User, id int64, sipK, upnK, samK string) error {
	var otherDN, oSip, oUpn, oSam string
	if w.fresh {
		for _, k := range (userKeys{sipK, upnK, samK}).list() {
			if o, ok := w.keyOwner[k]; ok && o != id {
				otherDN = w.dnOf[o]
				oSip, oUpn, oSam = w.keysOf[o].sip, w.keysOf[o].upn, w.keysOf[o].sam
				break
			}
		}
		if otherDN == "" {
			return nil
		}
	} else {
		err := w.clash.QueryRowContext(w.ctx, nullStr(sipK), nullStr(upnK), nullStr(samK), id).Scan(&otherDN, &oSip, &oUpn, &oSam)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	// other tells what the key is for the other user, preferring the same
	// attribute as ours.
	other := func(k, what string) string {
		switch {
		case k == "":
			return ""
		case k == oSip && (what == "SIP address" || k != oUpn):
			return "SIP address"
		case k == oUpn:
			return "UPN"
		}
		return ""
	}
	if o := other(sipK, "SIP address"); o != "" {
		return &IdentityClashError{What: "SIP address", Value: u.SipAddress, OtherDN: otherDN, OtherWhat: o}
	}
	if o := other(upnK, "UPN"); o != "" {
		return &IdentityClashError{What: "UPN", Value: u.UserPrincipalName, OtherDN: otherDN, OtherWhat: o}
	}
	return &IdentityClashError{What: "sAMAccountName", Value: u.SamAccountName, OtherDN: otherDN}
}

// Finish ends the writer's work: after a first import into an empty
// store it builds the look-up indexes it left out. Call it (and check its
// error) before the transaction commits; Close calls it too.
func (w *DirectoryWriter) Finish() error {
	if !w.fresh {
		return nil
	}
	w.fresh = false
	w.byGUIDMap, w.byDNMap, w.guidOf, w.dnKeyOf = nil, nil, nil, nil
	w.keyOwner, w.keysOf, w.dnOf = nil, nil, nil
	if err := createUserIndexes(w.tx); err != nil {
		return err
	}
	return createUniqueUserIndexes(w.tx)
}

// Close builds any index left out (see [DirectoryWriter.Finish]) and
// releases the prepared statements.
func (w *DirectoryWriter) Close() {
	_ = w.Finish()
	for _, st := range []*sql.Stmt{w.byGUID, w.byDN, w.ins, w.upd, w.del, w.gByGUID, w.gByDN,
		w.gIns, w.gUpd, w.memAdd, w.memClear, w.memDel, w.clash} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *DirectoryWriter) find(byGUID, byDN *sql.Stmt, guid, dnKey string) (int64, error) {
	ctx := w.ctx
	var id int64
	if guid != "" {
		err := byGUID.QueryRowContext(ctx, guid).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	err := byDN.QueryRowContext(ctx, dnKey).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func (w *DirectoryWriter) findUser(guid, dnKey string) (int64, error) {
	if !w.fresh {
		return w.find(w.byGUID, w.byDN, guid, dnKey)
	}
	if guid != "" {
		if id, ok := w.byGUIDMap[guid]; ok {
			return id, nil
		}
	}
	return w.byDNMap[dnKey], nil
}

// FindUser returns the id of the user matched by GUID, else by DN (0 when
// none).
func (w *DirectoryWriter) FindUser(guid, dn string) (int64, error) {
	return w.findUser(guid, DNKey(dn))
}

// PutUser adds u or updates the user it matches (by GUID, else by DN) in
// place, keeping its PIN state and granted PIN policy. It sets u.ID and
// reports whether the user was added.
func (w *DirectoryWriter) PutUser(u *User) (added bool, err error) {
	for _, f := range []*string{&u.DN, &u.GUID, &u.SamAccountName, &u.UserPrincipalName, &u.SipAddress,
		&u.DisplayName, &u.GivenName, &u.Surname, &u.Mail, &u.Telephone, &u.Department, &u.Title,
		&u.City, &u.LineURI, &u.RegistrarPool} {
		*f = sanitize(*f)
	}
	for i := range u.Extra {
		u.Extra[i].Name, u.Extra[i].Value = sanitize(u.Extra[i].Name), sanitize(u.Extra[i].Value)
	}
	rdns := SplitDN(u.DN)
	u.DN = JoinDN(rdns)
	if u.OU == "" && len(rdns) > 1 {
		u.OU = JoinDN(rdns[1:])
	}
	u.SipAddress = NormSIP(u.SipAddress)
	dnKey := keyOf(rdns)
	id, err := w.findUser(u.GUID, dnKey)
	if err != nil {
		return false, err
	}
	sipK, upnK, samK := sipKey(u.SipAddress), object.Fold(u.UserPrincipalName), object.Fold(u.SamAccountName)
	if err := w.checkClash(u, id, sipK, upnK, samK); err != nil {
		return false, err
	}
	dkey := object.Fold(strings.TrimSpace(u.DisplayName))
	vals := []any{nullStr(u.GUID), u.DN, dnKey, u.OU,
		u.SamAccountName, samK,
		u.UserPrincipalName, upnK,
		u.SipAddress, sipK,
		u.DisplayName, dkey, reverseString(dkey),
		nullStr(u.GivenName), nullStr(u.Surname), nullStr(u.Mail), nullStr(u.Telephone),
		nullStr(u.Department), nullStr(u.Title), nullStr(u.City),
		u.Enabled, nullStr(u.LineURI), nullStr(u.RegistrarPool), u.EnterpriseVoiceEnabled,
		encodeExtra(u.Extra), w.now.UnixNano()}
	ctx := w.ctx
	if id == 0 {
		res, err := w.ins.ExecContext(ctx, vals...)
		if err != nil {
			return false, err
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return false, err
		}
		w.remember(u.ID, u.GUID, dnKey)
		w.rememberKeys(u.ID, u.DN, userKeys{sipK, upnK, samK})
		return true, nil
	}
	if _, err := w.upd.ExecContext(ctx, append(vals, id)...); err != nil {
		return false, err
	}
	u.ID = id
	w.remember(id, u.GUID, dnKey)
	w.rememberKeys(id, u.DN, userKeys{sipK, upnK, samK})
	return false, nil
}

// DeleteUser deletes the user with that DN (with its PIN state); it
// reports whether one existed.
func (w *DirectoryWriter) DeleteUser(dn string) (bool, error) {
	if w.fresh {
		w.forget(w.byDNMap[DNKey(dn)])
	}
	res, err := w.del.ExecContext(w.ctx, DNKey(dn))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteGroup deletes the group with that DN and its member list (its
// memberships in other groups stay, as dangling DNs do); it reports whether
// the group existed.
func (w *DirectoryWriter) DeleteGroup(dn string) (bool, error) {
	k := DNKey(dn)
	res, err := w.tx.Exec(`DELETE FROM groups WHERE dn_key = ?`, k)
	if err != nil {
		return false, err
	}
	if _, err := w.memClear.ExecContext(w.ctx, k); err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// PutGroup adds or updates a group (matched by GUID, else DN).
func (w *DirectoryWriter) PutGroup(g *Group) (added bool, err error) {
	g.DN = NormDN(g.DN)
	dnKey := DNKey(g.DN)
	id, err := w.find(w.gByGUID, w.gByDN, g.GUID, dnKey)
	if err != nil {
		return false, err
	}
	vals := []any{nullStr(g.GUID), g.DN, dnKey, g.SamAccountName, object.Fold(g.SamAccountName), g.DisplayName, g.Description}
	ctx := w.ctx
	if id == 0 {
		res, err := w.gIns.ExecContext(ctx, vals...)
		if err != nil {
			return false, err
		}
		g.ID, err = res.LastInsertId()
		return true, err
	}
	if _, err := w.gUpd.ExecContext(ctx, append(vals, id)...); err != nil {
		return false, err
	}
	g.ID = id
	return false, nil
}

// ClearMembers removes every direct member of a group.
func (w *DirectoryWriter) ClearMembers(groupDN string) error {
	_, err := w.memClear.ExecContext(w.ctx, DNKey(groupDN))
	return err
}

// AddMember records memberDN as a direct member of groupDN; either may not
// exist (yet).
func (w *DirectoryWriter) AddMember(groupDN, memberDN string) error {
	_, err := w.memAdd.ExecContext(w.ctx, DNKey(groupDN), DNKey(memberDN))
	return err
}

// RemoveMember removes one direct membership.
func (w *DirectoryWriter) RemoveMember(groupDN, memberDN string) error {
	_, err := w.memDel.ExecContext(w.ctx, DNKey(groupDN), DNKey(memberDN))
	return err
}

// UserByDN reads a user inside the transaction (for changetype: modify).
func (w *DirectoryWriter) UserByDN(dn string) (*User, error) {
	u := new(User)
	err := scanUser(w.tx.QueryRow(`SELECT `+userCols+` FROM users WHERE dn_key = ?`, DNKey(dn)), u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &NotFoundError{dn}
	}
	return u, err
}

// GroupByDN reads a group inside the transaction.
func (w *DirectoryWriter) GroupByDN(dn string) (*Group, error) {
	var g Group
	err := w.tx.QueryRow(`SELECT id, COALESCE(guid,''), dn, sam, display, description FROM groups WHERE dn_key = ?`, DNKey(dn)).
		Scan(&g.ID, &g.GUID, &g.DN, &g.SamAccountName, &g.DisplayName, &g.Description)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &NotFoundError{dn}
	}
	return &g, err
}
