//go:build !linux

package bench

import "time"

// SinceBoot is 0 off Linux: the benchmark comparison reads /proc and runs on Linux only.
func SinceBoot() time.Duration { return 0 }
