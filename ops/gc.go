package ops

import (
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// GC settings (issue #15). A broker's live heap is small (a few MB: routes, topic and offset tables, pooled
// buffers) while it allocates per message, so with Go's default GOGC=100 the heap goal is ~2x a few MB and the
// collector runs 10-16 times a second at 40 k msg/s of 1 KiB (BENCHMARKS.md, "GC settings"). A Java broker
// gives its heap gigabytes. rocketd keeps at least gcHeadroomMB (default 64) of allocation between collections:
// a goroutine reads the live heap after collections (runtime/metrics /gc/heap/live:bytes) and sets the GC
// percent to max(100, headroom/live*100), so a small heap gets 64 MB of room and a heap larger than 64 MB keeps
// Go's default (goal 2x live). No memory limit is set: the cost is bounded by the headroom.
//
// GOGC or GOMEMLIMIT in the environment win: rocketd then leaves the runtime's settings alone. gcHeadroomMB=0
// turns the tuner off (Go's defaults).

const gcTunePeriod = 250 * time.Millisecond

// TuneGC starts the GC tuner for headroomMB (see above); stop ends it. It does nothing when headroomMB is 0 or
// GOGC / GOMEMLIMIT is set.
func TuneGC(headroomMB int, log *slog.Logger) (stop func(), err error) {
	if headroomMB < 0 {
		return nil, fmt.Errorf("gcHeadroomMB %d: give the megabytes of allocation to allow between garbage collections (default 64), or 0 for Go's defaults", headroomMB)
	}
	if env := gcEnv(); env != "" || headroomMB == 0 {
		if env != "" {
			log.Info("GC settings from the environment; gcHeadroomMB not applied", "env", env)
		}
		return func() {}, nil
	}
	headroom := uint64(headroomMB) << 20
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(gcTunePeriod)
		defer t.Stop()
		cur := 100
		for {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				if p := gcPercentFor(sample[0].Value.Uint64(), headroom); p != cur && (p > cur*11/10 || p < cur*9/10 || p == 100) {
					debug.SetGCPercent(p)
					cur = p
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	log.Info("GC tuned", "gcHeadroomMB", headroomMB)
	return func() { close(done); <-stopped }, nil
}

// gcPercentFor is the GC percent that leaves headroom bytes of allocation after a live heap of live bytes,
// never below Go's default 100 and at most 10000.
func gcPercentFor(live, headroom uint64) int {
	live = max(live, 1<<20) // before the first collection the live heap reads 0
	p := headroom * 100 / live
	return int(min(max(p, 100), 10000))
}

func gcEnv() string {
	var s string
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		if v, ok := os.LookupEnv(k); ok {
			s += k + "=" + v + " "
		}
	}
	return s
}
