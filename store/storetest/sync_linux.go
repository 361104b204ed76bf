package storetest

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncData flushes f's data (fdatasync), what a sync-flush broker pays per write.
func syncData(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
