package bench

import (
	"time"

	"golang.org/x/sys/unix"
)

// SinceBoot is now on CLOCK_BOOTTIME, the clock of ProcStat.Start.
func SinceBoot() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
