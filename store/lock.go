package store

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// The instance lock is a POSIX fcntl record lock (write lock on byte 0 of `lock`), the kind Java's
// FileChannel.tryLock(0, 1, false) takes; flock(2) would not conflict with it (store.md §16.9). We use the
// open-file-description variant (F_OFD_SETLK): it conflicts with Java's classic F_SETLK lock held by
// another process exactly like F_SETLK does, and unlike F_SETLK it also conflicts between two opens
// inside one process (tests, a mistaken double open). Kernels without OFD locks (and macOS, which has
// none: lock_other.go) fall back to F_SETLK plus an in-process registry.

var (
	inProcessMu    sync.Mutex
	inProcessLocks = map[string]bool{}
)

type storeLock struct {
	f        *os.File
	path     string
	registry bool
}

func acquireLock(path string) (*storeLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: open lock file %s: %w", path, err)
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 1}
	l := &storeLock{f: f, path: path}
	err = ofdLock(f.Fd(), &lk)
	if errors.Is(err, unix.EINVAL) {
		inProcessMu.Lock()
		if inProcessLocks[path] {
			inProcessMu.Unlock()
			f.Close()
			return nil, fmt.Errorf("%w: %s is already open in this process", ErrLocked, path)
		}
		lk = unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 1}
		if err = unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk); err == nil {
			inProcessLocks[path] = true
			l.registry = true
		}
		inProcessMu.Unlock()
	}
	if err != nil {
		f.Close()
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
			return nil, fmt.Errorf("%w: %s is held (Java: \"Lock failed,MQ already started\"); stop the other broker using this storePathRootDir first", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if _, err := f.WriteAt([]byte("lock"), 0); err == nil {
		_ = f.Sync()
	}
	return l, nil
}

func (l *storeLock) release() {
	if l == nil || l.f == nil {
		return
	}
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: 0, Start: 0, Len: 1}
	if l.registry {
		_ = unix.FcntlFlock(l.f.Fd(), unix.F_SETLK, &lk)
		inProcessMu.Lock()
		delete(inProcessLocks, l.path)
		inProcessMu.Unlock()
	} else {
		_ = ofdLock(l.f.Fd(), &lk)
	}
	l.f.Close()
	l.f = nil
}
