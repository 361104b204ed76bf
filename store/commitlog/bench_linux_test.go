package commitlog

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// threadMinflt is the minor page faults of the calling OS thread.
func threadMinflt(b *testing.B) int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		b.Skip("no per-thread rusage:", err)
	}
	return ru.Minflt
}

// BenchmarkAppend1KiB appends 1 KiB messages to a CommitLog of 64 MiB segments with and without pre-faulting,
// paced like a loaded broker (-pace, default 60 k msg/s) or flat out (pace 0). It reports the minor page faults
// the appending thread took per 1,000 appends (faults/1k): with pre-faulting the send path should take none.
var noop = os.Getenv("NOOP") != ""

func BenchmarkAppend1KiB(b *testing.B) {
	for _, pace := range []int{60000, 0} {
		for _, ahead := range []int{-1, DefaultPrefaultAhead} {
			name := fmt.Sprintf("rate=%d/prefault=%v", pace, ahead > 0)
			b.Run(name, func(b *testing.B) {
				c, err := Open(Config{Dir: b.TempDir(), MappedFileSize: 64 << 20, FlushDiskType: AsyncFlush,
					FlushInterval: 500 * time.Millisecond, FlushLeastPages: 4, FlushThoroughInterval: 10 * time.Second,
					PrefaultAhead: ahead})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.RecoverNormally(); err != nil {
					b.Fatal(err)
				}
				c.SetWritable(true)
				c.StartFlusher()
				defer func() { _ = c.StopFlusher(); c.Close() }()
				m := testMessage(string(make([]byte, 1024)))
				buf, err := Encode(nil, m, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				batch := &Batch{Buf: buf, Topic: m.Topic, QueueID: m.QueueID, Count: 1}
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				var every time.Duration
				if pace > 0 {
					every = time.Second / time.Duration(pace)
				}
				b.SetBytes(int64(len(buf)))
				b.ResetTimer()
				f0 := threadMinflt(b)
				start := time.Now()
				for i := 0; i < b.N; i++ {
					if every > 0 && i%64 == 0 { // 64 appends per tick, like 64 sends in flight
						for time.Since(start) < time.Duration(i)*every {
							time.Sleep(200 * time.Microsecond)
						}
					}
					if noop {
						continue
					}
					if _, err := c.Append(batch); err != nil {
						b.Fatal(err)
					}
				}
				f1 := threadMinflt(b)
				b.ReportMetric(float64(f1-f0)*1000/float64(b.N), "faults/1k")
			})
		}
	}
}
