//go:build unix

package repl

import (
	"os"
	"syscall"
)

// withLock runs fn holding a lock on path's companion lock file: shared for
// readers, exclusive for writers. The lock file (not the history file)
// carries the lock so that the history file can be replaced by a rename
// while no one holds it.
func withLock(path string, exclusive bool, fn func() error) error {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}
