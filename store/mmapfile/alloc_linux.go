package mmapfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// fallocate allocates [off, off+n) of fd (mode 0: blocks are allocated, data and size are kept).
func fallocate(fd *os.File, off, n int64) error { return unix.Fallocate(int(fd.Fd()), 0, off, n) }
