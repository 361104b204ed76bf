//go:build !linux

package mmapfile

import (
	"errors"
	"os"
)

// punchHole is not available here (macOS has F_PUNCHHOLE only on APFS, with alignment rules): ZeroFrom
// clears the pages through the mapping instead.
func punchHole(*os.File, int64, int64) error { return errors.ErrUnsupported }
