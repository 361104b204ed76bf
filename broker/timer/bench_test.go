package timer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store"
)

// BenchmarkTimerPendingMemory holds ROCKETD_TIMER_BENCH_PENDING (default 1,000,000) messages due in an hour
// and reports the Go heap in use after 10 % and after all of them are enqueued (it should not grow), and
// the timerlog bytes per pending message. `make bench-timer`.
func BenchmarkTimerPendingMemory(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("ROCKETD_TIMER_BENCH_PENDING")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		dir := b.TempDir()
		st := openStore(b, dir)
		opts := testOptions(dir, st)
		opts.LogFileSize, opts.RollWindowSlot = 100<<20, 3600*24*2 // the defaults
		svc := openService(b, opts, st)
		due := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
		heapAt := func() uint64 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			return ms.HeapInuse
		}
		var heap10 uint64
		start := time.Now()
		body := make([]byte, 64)
		for i := range n {
			r := st.PutMessage(context.Background(), &store.Message{Topic: "B", QueueID: int32(i % 8), Body: body,
				Properties: map[string]string{compat.PropertyTimerDeliverMS: due, compat.PropertyWaitStoreMsgOK: "false"},
				BornHost:   host, StoreHost: host})
			if r.Status != store.PutOK {
				b.Fatalf("put %d: %v %v", i, r.Status, r.Err)
			}
			if i+1 == n/10 {
				waitEnqueued(b, svc, int64(n/10))
				heap10 = heapAt()
			}
		}
		waitEnqueued(b, svc, int64(n))
		heapAll := heapAt()
		st1 := svc.Stats()
		var logBytes int64
		_ = filepath.Walk(filepath.Join(dir, "timerlog"), func(_ string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				logBytes += fi.Size()
			}
			return nil
		})
		fmt.Printf("timer pending: %d held (stats %d) in %s; Go heap in use %.1f MiB at %d pending, %.1f MiB at %d; process RSS %s; timerlog %d bytes allocated (%d bytes/record); wheel file %d KiB\n",
			n, st1.Pending, time.Since(start).Round(time.Millisecond), float64(heap10)/(1<<20), n/10, float64(heapAll)/(1<<20), n,
			rss(), logBytes, recSize, svc.wh.slots*slotSize/1024)
		b.ReportMetric(float64(heapAll)/(1<<20), "heapMiB")
		b.ReportMetric(float64(int64(heapAll)-int64(heap10))/float64(n-n/10)*1e6/(1<<20), "heapMiB/Mpending")
		_ = svc.Stop()
		_ = st.Shutdown()
	}
}

func waitEnqueued(b *testing.B, svc *Service, n int64) {
	deadline := time.Now().Add(10 * time.Minute)
	for svc.enqueued.Load() < n {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d enqueued", svc.enqueued.Load(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkTimerLag10kPerSecond sends ROCKETD_TIMER_BENCH_RATE (default 10,000) messages per second of due
// time over 10 s (due 3 to 13 s after the start) and reports the delivery lag (the delivered message's store
// time minus its due time) p50 / p99 / max. `make bench-timer`.
func BenchmarkTimerLag10kPerSecond(b *testing.B) {
	rate := 10_000
	if v, err := strconv.Atoi(os.Getenv("ROCKETD_TIMER_BENCH_RATE")); err == nil && v > 0 {
		rate = v
	}
	const seconds = 10
	for range b.N {
		dir := b.TempDir()
		st := openStore(b, dir)
		svc := openService(b, testOptions(dir, st), st)
		n := rate * seconds
		start := time.Now().UnixMilli() + 3000
		due := make([]int64, n)
		body := make([]byte, 128)
		for i := range n {
			due[i] = start + int64(i)*1000/int64(rate)
			copy(body, strconv.Itoa(i)+" ")
			r := st.PutMessage(context.Background(), &store.Message{Topic: "L", QueueID: int32(i % 8), Body: body,
				Properties: map[string]string{compat.PropertyTimerDeliverMS: strconv.FormatInt(due[i], 10), compat.PropertyWaitStoreMsgOK: "false"},
				BornHost:   host, StoreHost: host})
			if r.Status != store.PutOK {
				b.Fatalf("put %d: %v %v", i, r.Status, r.Err)
			}
		}
		if sent := time.Now().UnixMilli(); sent > start-1000 {
			b.Fatalf("sending %d messages took until %d ms before the first due time; lower ROCKETD_TIMER_BENCH_RATE", n, start-sent)
		}
		// Reading the topic while it is delivered would compete for the CPU: wait for the last due time first.
		time.Sleep(time.Until(time.UnixMilli(due[n-1] + 1000)))
		got := waitCount(b, st, "L", 8, n, 30*time.Second)
		lags := make([]int64, 0, len(got))
		early := 0
		for _, a := range got {
			var i int
			fmt.Sscanf(string(a.rec.Body), "%d", &i)
			lag := a.rec.StoreTimestamp - due[i]
			if lag < 0 {
				early++
			}
			lags = append(lags, lag)
		}
		slices.Sort(lags)
		if len(lags) < n || early > 0 {
			b.Fatalf("%d of %d delivered, %d early", len(lags), n, early)
		}
		p := func(q int) int64 { return lags[min(len(lags)-1, len(lags)*q/100)] }
		fmt.Printf("timer lag at %d due/s for %d s: p50 %d ms, p99 %d ms, p99.9 %d ms, max %d ms\n",
			rate, seconds, p(50), p(99), lags[len(lags)*999/1000], lags[len(lags)-1])
		b.ReportMetric(float64(p(99)), "p99ms")
		b.ReportMetric(float64(lags[len(lags)-1]), "maxms")
		_ = svc.Stop()
		_ = st.Shutdown()
	}
}

// rss is VmRSS from /proc/self/status (mapped files included).
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.Join(strings.Fields(l)[1:], " ")
		}
	}
	return "?"
}
