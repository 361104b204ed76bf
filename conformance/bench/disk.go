package bench

import (
	"fmt"
	"os"
	"time"
)

// DiskResult is one sequential write: Bytes written in Block-sized writes, then one fdatasync (like
// `dd bs=1M count=N conv=fdatasync`). Buffered is the rate before the sync (page cache only).
type DiskResult struct {
	Bytes    int64
	Elapsed  time.Duration // writes + fdatasync
	Buffered time.Duration // writes only
}

// MBps is megabytes (10^6) per second including the final sync.
func (d DiskResult) MBps() float64 { return rate(d.Bytes, d.Elapsed) / 1e6 }

// DiskWrite writes total bytes to a new file in dir, syncs it, removes it and reports the rate.
func DiskWrite(dir string, total int64, block int) (DiskResult, error) {
	f, err := os.CreateTemp(dir, "bench-disk-*")
	if err != nil {
		return DiskResult{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := payload(block)
	start := time.Now()
	var n int64
	for n < total {
		w, err := f.Write(buf)
		if err != nil {
			return DiskResult{}, fmt.Errorf("bench: disk write: %w", err)
		}
		n += int64(w)
	}
	buffered := time.Since(start)
	if err := f.Sync(); err != nil { // fsync; the file's size changed, so fdatasync would flush the same
		return DiskResult{}, err
	}
	return DiskResult{Bytes: n, Elapsed: time.Since(start), Buffered: buffered}, nil
}
