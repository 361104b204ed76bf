//go:build !linux

package mmapfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// fallocate is Linux-only; elsewhere reserve writes zeros into the holes instead.
func fallocate(*os.File, int64, int64) error { return unix.EOPNOTSUPP }
