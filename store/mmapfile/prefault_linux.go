package mmapfile

import (
	"errors"

	"golang.org/x/sys/unix"
)

// populate faults b's pages in writable: MADV_POPULATE_WRITE (Linux >= 5.14), else touch.
func populate(b []byte) error {
	err := unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	if errors.Is(err, unix.EINVAL) { // older kernel
		touch(b)
		return nil
	}
	return err
}

// advise turns read-ahead off (normal false: MADV_RANDOM) or back on (MADV_NORMAL) for b.
func advise(b []byte, normal bool) {
	adv := unix.MADV_RANDOM
	if normal {
		adv = unix.MADV_NORMAL
	}
	_ = unix.Madvise(b, adv)
}
