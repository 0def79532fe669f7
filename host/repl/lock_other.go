//go:build !unix

package repl

import "sync"

var fileLock sync.RWMutex

// withLock runs fn holding a process-wide lock; other systems get no
// cross-process locking.
func withLock(path string, exclusive bool, fn func() error) error {
	if exclusive {
		fileLock.Lock()
		defer fileLock.Unlock()
	} else {
		fileLock.RLock()
		defer fileLock.RUnlock()
	}
	return fn()
}
