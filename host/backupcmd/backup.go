package backupcmd

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
	"pinsh/host/store"
)

func backupInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Backup-CsStore",
		Synopsis: "Writes a consistent copy of the store to a file, while other sessions keep working.",
		Description: "Takes a snapshot of the whole store (directory, PIN hashes, policies, roles, audit trail) with " +
			"SQLite's VACUUM INTO, checks it, and writes it as one file of mode 0600. The PIN key is not in the " +
			"backup: the cmdlet says where the key is, and the key must be kept apart from the backup, since " +
			"without it the backup's PINs can be neither verified nor changed.",
		Params: []cmdlet.Param{
			{Name: "Path", Kind: object.KindString, Mandatory: true, Position: 0,
				Help: "The backup file to write. It must not exist unless -Force is given."},
			{Name: "Force", Kind: object.KindSwitch, Position: -1, Help: "Replace the file when it exists."},
		},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactLow,
		OutputType:            BackupType.Name(),
		Source:                "builtin",
		Examples: []cmdlet.Example{
			{Code: `Backup-CsStore -Path /var/backups/pinsh/pinsh-$(Get-Date -Format yyyyMMdd).db`,
				Remark: "Writes today's backup; keep the PIN key file somewhere else."},
		},
		New: func() cmdlet.Command { return &cmdlet.Funcs{OnProcess: d.backup} },
	}
}

func (d *Deps) backup(rt cmdlet.Runtime, a *cmdlet.Args) error {
	if ok, err := d.allow(rt); !ok {
		return err
	}
	ctx := rt.Context()
	dst, err := absPath(a)
	if err != nil {
		return err
	}
	src := d.Store.Path()
	for _, f := range []string{src, src + "-wal", src + "-shm", src + "-journal", d.keyPath()} {
		if f != "" && sameFile(dst, f) {
			return cmdlet.NewError(cmdlet.InvalidArgument, "BackupOverStore", dst,
				msgError(fmt.Sprintf("The backup cannot be written to %s: that is the store's own file.", dst)))
		}
	}
	if fi, err := os.Stat(dst); err == nil {
		if fi.IsDir() {
			return cmdlet.NewError(cmdlet.InvalidArgument, "BackupIsDirectory", dst,
				msgError(fmt.Sprintf("The backup path %s is a directory; give a file name.", dst)))
		}
		if !a.Bool("Force") {
			return cmdlet.NewError(cmdlet.ResourceExists, "BackupExists", dst,
				msgError(fmt.Sprintf("The file %s exists; use -Force to replace it.", dst)))
		}
	}
	if ok, err := rt.ShouldProcess(dst, "Back up the store "+src); err != nil || !ok {
		return err
	}
	start := time.Now()
	sum, err := snapshot(ctx, src, dst, a.Bool("Force"))
	if err != nil {
		_ = d.Store.AppendAudit(ctx, d.record(rt, dst, "Backup", store.OutcomeFailure, err.Error()))
		return cmdlet.NewError(cmdlet.InvalidOperation, "BackupFailed", dst, msgError(format.Sentence(err.Error())))
	}
	var size int64
	if fi, err := os.Stat(dst); err == nil {
		size = fi.Size()
	}
	if err := d.Store.AppendAudit(ctx, d.record(rt, dst, "Backup", store.OutcomeSuccess, sum.String())); err != nil {
		rt.WriteWarning(fmt.Sprintf("The backup was written, but its audit record could not be: %v", err))
	}
	loc := d.keyLocation()
	switch {
	case sum.KeyID == "":
		rt.WriteWarning("The store has no PIN key yet, so the backup holds no PINs. Once PINs are set, keep the PIN key " +
			loc + " apart from the backups.")
	default:
		rt.WriteWarning(fmt.Sprintf("The PIN key is NOT in the backup. Keep the key %s (key id %s) in a safe place apart "+
			"from the backup, with mode 0600: without it the PINs in the backup can be neither verified nor changed, "+
			"and with it anyone holding the backup could test PIN guesses.", loc, sum.KeyID))
	}
	if d.Pin != nil && d.Pin.KeyError() != nil {
		rt.WriteWarning("The store's PIN key is unusable right now: " + d.Pin.KeyError().Error())
	}
	return rt.WriteObject(object.New(BackupType, dst, src, start, size, int64(sum.SchemaVersion),
		sum.Users, sum.PinsSet, sum.AuditRecords, sum.KeyID, loc))
}

// sameFile reports whether a and b name the same file (by path, or by
// inode when both exist).
func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
