package ops

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live, headroom uint64
		want           int
	}{
		{5 << 20, 64 << 20, 1280},  // small heap: 64 MB of room
		{0, 64 << 20, 6400},        // before the first GC: as if 1 MB were live
		{128 << 20, 64 << 20, 100}, // a heap bigger than the headroom keeps Go's default
		{1 << 10, 1 << 40, 10000},  // capped
	} {
		if got := gcPercentFor(c.live, c.headroom); got != c.want {
			t.Errorf("gcPercentFor(%d, %d) = %d, want %d", c.live, c.headroom, got, c.want)
		}
	}
}

func TestTuneGCSetsPercentUnlessEnvironment(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if _, err := TuneGC(-1, log); err == nil {
		t.Fatal("negative gcHeadroomMB accepted")
	}
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	t.Setenv("GOGC", "100")
	stop, err := TuneGC(64, log)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * gcTunePeriod)
	stop()
	if p := gogc(); p != 100 {
		t.Fatalf("GOGC set, but the tuner changed the GC percent to %d", p)
	}
}

func TestTuneGCRaisesPercentForSmallHeap(t *testing.T) {
	if gcEnv() != "" {
		t.Skip("GOGC/GOMEMLIMIT set in the test environment")
	}
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	runtime.GC() // the live heap of a test binary is a few MB
	stop, err := TuneGC(512, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(gcTunePeriod) {
		if p := gogc(); p > 100 {
			return
		}
	}
	t.Fatal("the GC percent stayed at 100 for a small heap with 512 MB of headroom")
}

func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
