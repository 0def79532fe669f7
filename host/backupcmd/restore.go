package backupcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/store"
)

func restoreInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Restore-CsStore",
		Synopsis: "Replaces the store's content with a checked backup written by Backup-CsStore.",
		Description: "Checks the backup first: a SQLite file with no -wal beside it, SQLite's integrity and foreign " +
			"key checks, a schema version this pinsh understands (an older one is migrated), an intact audit " +
			"trail, and a PIN key at hand whose key id is the one the backup records. Then it keeps a copy of the " +
			"current store as <store>.before-restore-<time> and replaces the store's content in one step. Stop " +
			"other pinsh sessions on the store first: what they write after the restore lands on the restored store.",
		Params: []cmdlet.Param{
			{Name: "Path", Kind: object.KindString, Mandatory: true, Position: 0,
				Help: "The backup file written by Backup-CsStore."},
		},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactHigh,
		OutputType:            RestoreType.Name(),
		Source:                "builtin",
		Examples: []cmdlet.Example{
			{Code: `Restore-CsStore -Path /var/backups/pinsh/pinsh-20260101.db`,
				Remark: "Checks the backup, asks for confirmation, and restores it."},
			{Code: `Restore-CsStore /var/backups/pinsh/pinsh-20260101.db -Confirm:$false`,
				Remark: "The same in a script, without a prompt."},
		},
		New: func() cmdlet.Command { return &cmdlet.Funcs{OnProcess: d.restore} },
	}
}

func (d *Deps) restore(rt cmdlet.Runtime, a *cmdlet.Args) error {
	if ok, err := d.allow(rt); !ok {
		return err
	}
	ctx := rt.Context()
	src, err := absPath(a)
	if err != nil {
		return err
	}
	live := d.Store.Path()
	fail := func(id string, err error) error {
		_ = d.Store.AppendAudit(ctx, d.record(rt, src, "Restore", store.OutcomeFailure, err.Error()))
		return cmdlet.NewError(cmdlet.InvalidData, id, src,
			msgError("The backup was not restored: "+strings.TrimSuffix(err.Error(), ".")+"."))
	}
	if sameFile(src, live) {
		return fail("RestoreFromStore", fmt.Errorf("%s is the store itself", src))
	}
	tmpDir, err := privateTemp(filepath.Dir(live), ".pinsh-restore-")
	if err != nil {
		return fail("RestoreFailed", fmt.Errorf("cannot write beside the store in %s: %v", filepath.Dir(live), err))
	}
	defer os.RemoveAll(tmpDir)
	stage := filepath.Join(tmpDir, "stage.db")
	sum, err := d.stage(ctx, src, stage)
	if err != nil {
		return fail("BackupRejected", err)
	}
	if ok, err := rt.ShouldProcess(live, "Replace the store with the backup "+src); err != nil || !ok {
		return err
	}
	prev, err := d.keepPrevious(ctx, rt, live)
	if err != nil {
		return fail("RestoreFailed", fmt.Errorf("cannot keep a copy of the current store: %v", err))
	}
	if err := restoreFrom(ctx, live, stage, 2*time.Minute); err != nil {
		return fail("RestoreFailed", fmt.Errorf("the store could not be replaced (it is unchanged; a copy is in %s): %v", prev, err))
	}
	detail := fmt.Sprintf("restored %s; the store before the restore is kept in %s", sum, prev)
	if err := d.Store.AppendAudit(ctx, d.record(rt, src, "Restore", store.OutcomeSuccess, detail)); err != nil {
		rt.WriteWarning(fmt.Sprintf("The store was restored, but its audit record could not be written: %v", err))
	}
	rt.WriteWarning("The store was restored. Restart other pinsh sessions on it; changes made after the backup was taken are in " + prev + " only.")
	return rt.WriteObject(object.New(RestoreType, live, src, int64(sum.SchemaVersion), sum.Users, sum.PinsSet,
		sum.AuditRecords, sum.KeyID, prev))
}

// stage copies the backup to stage and checks it there (the backup itself
// is only read), migrating an older schema. It returns the checked copy's
// summary.
func (d *Deps) stage(ctx context.Context, src, stage string) (Summary, error) {
	var sum Summary
	if err := checkHeader(src); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return sum, fmt.Errorf("the backup file %s does not exist", src)
		}
		return sum, err
	}
	if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() > 0 {
		return sum, fmt.Errorf("%s has a -wal file beside it, so the file alone is not a consistent copy; make backups with Backup-CsStore", src)
	}
	if err := copyFile(src, stage); err != nil {
		return sum, fmt.Errorf("cannot copy %s: %v", src, err)
	}
	db, err := openDB(stage)
	if err != nil {
		return sum, err
	}
	if _, err = db.ExecContext(ctx, `PRAGMA journal_mode=DELETE`); err != nil {
		err = fmt.Errorf("%s is damaged: %v", src, err)
	} else {
		sum, err = checkFile(ctx, db, src)
	}
	db.Close()
	if err != nil {
		return sum, err
	}

	// Open it as a store: migrates an older schema, then the audit chain
	// and the PIN key are checked.
	st, err := store.Open(stage)
	if err != nil {
		return sum, fmt.Errorf("%s cannot be opened as a store: %v", src, err)
	}
	err = d.checkStaged(ctx, st, src, sum)
	st.Close()
	if err != nil {
		return sum, err
	}

	// Back to one file, at the live store's page size (the online backup
	// API cannot change the page size of a WAL database).
	db, err = openDB(stage)
	if err != nil {
		return sum, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode=DELETE`); err != nil {
		return sum, err
	}
	var livePS int64
	if err := d.Store.Reader().QueryRowContext(ctx, `PRAGMA page_size`).Scan(&livePS); err != nil {
		return sum, err
	}
	if sum, err = checkFile(ctx, db, src); err != nil {
		return sum, err
	}
	if sum.PageSize != livePS {
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`PRAGMA page_size=%d`, livePS)); err != nil {
			return sum, err
		}
		if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
			return sum, fmt.Errorf("cannot convert %s to the store's page size: %v", src, err)
		}
	}
	return sum, nil
}

// checkStaged checks the staged store's audit chain and that the PIN key
// at hand is the one its PINs were hashed with.
func (d *Deps) checkStaged(ctx context.Context, st *store.Store, src string, sum Summary) error {
	n, problems, err := st.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("the audit trail of %s cannot be read: %v", src, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the audit trail of %s has been tampered with (%d records checked, %d problem(s), first: %s)", src, n, len(problems), problems[0])
	}
	keyPath := d.keyPath()
	if d.getenv(pin.EnvKey) == "" {
		if _, err := os.Stat(keyPath); errors.Is(err, os.ErrNotExist) {
			switch {
			case sum.KeyID != "":
				return fmt.Errorf("the PIN key is missing: the backup's PINs were hashed with the key whose id is %s, "+
					"but the key file %s does not exist and %s is not set. Put that key in place first; pinsh never "+
					"creates a new key for a store that has one", sum.KeyID, keyPath, pin.EnvKey)
			case sum.PinsSet > 0:
				return fmt.Errorf("%s has PINs but records no PIN key id, and no PIN key is at hand", src)
			default:
				return nil // no PINs, no key needed
			}
		}
	}
	svc, err := pin.New(ctx, st, pin.Options{KeyPath: keyPath, Getenv: d.getenv})
	if err != nil {
		return err
	}
	if kerr := svc.KeyError(); kerr != nil {
		return fmt.Errorf("the PIN key at hand does not fit the backup: %v", strings.TrimSuffix(kerr.Error(), "."))
	}
	return nil
}

// keepPrevious writes a snapshot of the live store beside it, named
// <store>.before-restore-<time>, and returns its path. When the store is
// too damaged for a snapshot, its files are copied as they are (the
// database and its -wal), with a warning.
func (d *Deps) keepPrevious(ctx context.Context, rt cmdlet.Runtime, live string) (string, error) {
	base := live + ".before-restore-" + time.Now().Format("20060102-150405")
	p := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(p); err != nil {
			break
		}
		p = fmt.Sprintf("%s-%d", base, i)
	}
	_, err := snapshot(ctx, live, p, false)
	if err == nil {
		return p, nil
	}
	if cerr := copyFile(live, p); cerr != nil {
		return "", fmt.Errorf("%v; copying the file failed too: %v", err, cerr)
	}
	if _, serr := os.Stat(live + "-wal"); serr == nil {
		if cerr := copyFile(live+"-wal", p+"-wal"); cerr != nil {
			return "", cerr
		}
	}
	rt.WriteWarning(fmt.Sprintf("The current store could not be snapshotted (%v); its files were copied as they are to %s.", err, p))
	return p, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
