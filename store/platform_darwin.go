package store

import "golang.org/x/sys/unix"

// ofdLock: macOS has no open-file-description locks; EINVAL makes acquireLock use F_SETLK and the
// in-process registry.
func ofdLock(uintptr, *unix.Flock_t) error { return unix.EINVAL }

// totalMemory is the machine's RAM in bytes (sysctl hw.memsize; 0: unknown).
func totalMemory() int64 {
	n, err := unix.SysctlUint64("hw.memsize")
	if err != nil {
		return 0
	}
	return int64(n)
}
