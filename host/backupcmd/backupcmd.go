// Package backupcmd holds Backup-CsStore and Restore-CsStore, the cmdlets
// that copy a pinsh store to a backup file and put a checked backup back.
//
// A backup is a consistent snapshot taken with SQLite's VACUUM INTO while
// other sessions keep writing: one self-contained file (no -wal beside it),
// mode 0600, written under a temporary name and renamed into place only
// after its integrity check passed. It holds the directory, the PIN hashes,
// the policies, the roles and the audit trail, and the fingerprint (key id)
// of the PIN key, but never the key itself: a backup alone cannot be used to
// test a PIN guess. Backup-CsStore says where the key is and that it must be
// kept apart from the backup.
//
// Restore-CsStore (ConfirmImpact High) checks a backup before it touches
// anything: it is a SQLite file with no -wal beside it, PRAGMA
// integrity_check and foreign_key_check pass, its schema version is one this
// pinsh understands (an older one is migrated), its audit trail's hash chain
// is intact, and the PIN key at hand has the key id the backup records, so
// that every restored PIN can still be verified. It then keeps a copy of
// the current store beside it ("<store>.before-restore-<time>") and replaces
// the store's content with SQLite's online backup API, which takes the
// store's write lock: sessions that are open see either the old content or
// the restored one, never a mix. The restore is recorded in the restored
// store's audit trail.
package backupcmd

import (
	"os"
	"path/filepath"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/rbac"
	"pinsh/host/store"
)

// Deps are what the cmdlets work on.
type Deps struct {
	// Store is the session's store.
	Store *store.Store
	// Pin is the session's PIN service: its key file and key id are what a
	// backup is checked against.
	Pin *pin.Service
	// Decider authorises each cmdlet; nil allows everything.
	Decider rbac.Decider
	// OSAccount is the real OS account running pinsh, for the audit trail.
	OSAccount string
	// Getenv reads the environment (default os.Getenv).
	Getenv func(string) string
}

func (d *Deps) getenv(k string) string {
	if d.Getenv != nil {
		return d.Getenv(k)
	}
	return os.Getenv(k)
}

// Cmdlets returns Backup-CsStore and Restore-CsStore.
func Cmdlets(d *Deps) []*cmdlet.Info {
	return []*cmdlet.Info{backupInfo(d), restoreInfo(d)}
}

// Register adds the cmdlets of this package to reg.
func Register(reg *cmdlet.Registry, d *Deps) {
	for _, in := range Cmdlets(d) {
		reg.MustAdd(in)
	}
}

// BackupType is the type of Backup-CsStore's object.
var BackupType = object.NewType("Pinsh.StoreBackup",
	object.P("Path", object.KindString),
	object.P("Store", object.KindString),
	object.P("Time", object.KindDateTime),
	object.P("Bytes", object.KindInt),
	object.P("SchemaVersion", object.KindInt),
	object.P("Users", object.KindInt),
	object.P("PinsSet", object.KindInt),
	object.P("AuditRecords", object.KindInt),
	object.P("KeyId", object.KindString),
	object.P("KeyLocation", object.KindString),
)

// RestoreType is the type of Restore-CsStore's object.
var RestoreType = object.NewType("Pinsh.StoreRestore",
	object.P("Store", object.KindString),
	object.P("Backup", object.KindString),
	object.P("SchemaVersion", object.KindInt),
	object.P("Users", object.KindInt),
	object.P("PinsSet", object.KindInt),
	object.P("AuditRecords", object.KindInt),
	object.P("KeyId", object.KindString),
	object.P("PreviousStore", object.KindString),
)

// allow asks the decider, through [rbac.Audited] so that a denial is
// recorded, and writes a denial as a non-terminating error; allow then
// reports false.
func (d *Deps) allow(rt cmdlet.Runtime) (bool, error) {
	guard := rbac.Audited{Decider: d.Decider, Log: d.Store, OSAccount: d.OSAccount}
	denial, _ := guard.Authorize(rt.Context(), rt.Operator(), rt.CommandName(), nil)
	if denial == nil {
		return true, nil
	}
	return false, rt.WriteError(cmdlet.NewError(cmdlet.PermissionDenied, "AccessDenied", nil, denial))
}

func (d *Deps) record(rt cmdlet.Runtime, target, action, outcome, detail string) *store.AuditRecord {
	return &store.AuditRecord{Operator: rt.Operator(), OSAccount: d.OSAccount, Cmdlet: rt.CommandName(),
		Target: target, Action: action, Outcome: outcome, WhatIf: false, Detail: detail}
}

// keyPath is the PIN key file the session uses, or would use.
func (d *Deps) keyPath() string {
	if d.Pin != nil {
		return d.Pin.KeyPath()
	}
	return d.Store.Path() + ".key"
}

// keyLocation says where the session's PIN key comes from.
func (d *Deps) keyLocation() string {
	if d.getenv(pin.EnvKey) != "" {
		return pin.EnvKey + " (environment variable)"
	}
	return d.keyPath()
}

// absPath is the -Path argument made absolute.
func absPath(a *cmdlet.Args) (string, error) {
	p, err := filepath.Abs(a.String("Path"))
	if err != nil {
		return "", cmdlet.NewError(cmdlet.InvalidArgument, "BadPath", a.String("Path"), err)
	}
	return p, nil
}

// msgError is a user-facing message (PowerShell style: a sentence).
type msgError string

func (e msgError) Error() string { return string(e) }
