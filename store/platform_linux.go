package store

import "golang.org/x/sys/unix"

// ofdLock sets or clears an open-file-description record lock (F_OFD_SETLK).
func ofdLock(fd uintptr, lk *unix.Flock_t) error { return unix.FcntlFlock(fd, unix.F_OFD_SETLK, lk) }

// totalMemory is the machine's RAM in bytes (0: unknown).
func totalMemory() int64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}
