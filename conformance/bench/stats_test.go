package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStatMedianMinMax(t *testing.T) {
	require.Equal(t, Stat{N: 3, Median: 2, Min: 1, Max: 5}, NewStat([]float64{5, 1, 2}))
	require.Equal(t, Stat{N: 4, Median: 2.5, Min: 1, Max: 9}, NewStat([]float64{9, 3, 1, 2}), "even count: mean of the middle two")
	require.Equal(t, Stat{N: 2, Median: 3, Min: 2, Max: 4}, NewStat([]float64{0, 4, 2}), "a 0 is a run that measured nothing")
	require.Equal(t, Stat{}, NewStat(nil))

	// pairs by repetition; pairs with a missing side are left out; extra samples on one side are ignored
	st := Ratios([]float64{20, 30, 0, 40, 99}, []float64{10, 10, 10, 40})
	require.Equal(t, Stat{N: 3, Median: 2, Min: 1, Max: 3}, st)
	require.Equal(t, "2 (1-3)", st.RatioCell())
	require.Equal(t, "0.333", Ratios([]float64{1}, []float64{3}).RatioCell())
	require.Equal(t, "0.5", Ratios([]float64{1, 1}, []float64{2, 2}).RatioCell(), "no range when min == max")
	require.Equal(t, "-", Ratios([]float64{1}, nil).RatioCell())
	require.Equal(t, "1.23 (0.123-12.3)", Stat{N: 3, Median: 1.2345, Min: 0.12345, Max: 12.345}.RatioCell())
}

// sends makes one run per TPS figure, with p99 = the given latency.
func sends(size, inf int, tpsP99 ...any) []SendRow {
	var rows []SendRow
	for i := 0; i+1 < len(tpsP99); i += 2 {
		rows = append(rows, SendRow{size, inf, fakeSend(tpsP99[i].(float64), tpsP99[i+1].(time.Duration))})
	}
	return rows
}

func TestResultsPrintRepetitions(t *testing.T) {
	res := &Results{Sizes: []int{1024}, InFlights: []int{64}, SyncInFl: []int{64}, Reps: 3, ColdReps: 3, RestReps: 2,
		Backlog: 10_000_000, BacklogSize: 128, GCRate: 60000,
		Alloc: &AllocResult{N: 3, AllocsPerOp: 2, BytesPerOp: 200, NsPerOp: 9000, MinAllocs: 2, MaxAllocs: 2}}
	ms := time.Millisecond
	// interleaved reps: rocketd 40k/30k/50k vs java 20k/20k/20k -> ratios 2, 1.5, 2.5
	res.Rocketd = &Report{Name: "rocketd", ColdStarts: []time.Duration{20 * ms, 30 * ms, 25 * ms}, PeakRSS: 100 << 20,
		Sends:        sends(1024, 64, 40000.0, 2*ms, 30000.0, 4*ms, 50000.0, 1*ms),
		ConsumeWhile: []float64{60000, 50000, 70000}, ProduceWhile: []float64{1, 2, 3},
		BacklogTPS: []float64{3e6, 3.3e6, 2.7e6}, BacklogDone: true, Restarts: []time.Duration{100 * ms, 120 * ms}, RestartBytes: 10 << 30,
		GC: []GCSample{{TPS: 59000, Secs: 10, Count: 20, MaxPause: 500 * time.Microsecond}, {TPS: 60000, Secs: 10, Count: 40, MaxPause: 2 * ms},
			{TPS: 58000, Secs: 10, Count: 30, MaxPause: 800 * time.Microsecond}}}
	res.Java = &Report{Name: "java", ColdStarts: []time.Duration{4000 * ms, 5000 * ms, 6000 * ms}, PeakRSS: 1000 << 20,
		Sends:        sends(1024, 64, 20000.0, 8*ms, 20000.0, 8*ms, 20000.0, 8*ms),
		ConsumeWhile: []float64{20000, 20000, 20000}, BacklogTPS: []float64{1e6, 1e6, 1e6}, BacklogDone: true,
		Restarts: []time.Duration{2000 * ms, 1000 * ms}}
	res.Echo = &Report{Name: "echo", Sends: sends(1024, 64, 50000.0, ms, 50000.0, ms, 50000.0, ms)}
	var out bytes.Buffer
	res.Print(&out)
	s := out.String()
	require.Contains(t, s, "median of the repetitions (3 per send/consume/backlog/GC point, 3 cold start(s), 2 restart(s)")
	line := func(prefix string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, prefix) {
				return l
			}
		}
		t.Fatalf("no line %q in\n%s", prefix, s)
		return ""
	}
	require.Contains(t, line("send 1024B x64 msg/s"), "40000 (41.0 MB/s)", "median TPS")
	require.Contains(t, line("send 1024B x64 msg/s"), "2 (1.5-2.5)", "median ratio (min-max) against Java")
	require.Contains(t, line("send 1024B x64 msg/s"), "0.8 (0.6-1)", "against echo")
	require.Contains(t, line("cold start -> first"), "25.00", "median cold start")
	require.Contains(t, line("cold start -> first"), "0.005 (0.00417-0.006)")
	require.Contains(t, line("consume msg/s while producing"), "60000 (send 2)")
	require.Contains(t, line("consume msg/s while producing"), "3 (2.5-3.5)")
	require.Contains(t, line("backlog catch-up msg/s (10000000 x 128B)"), "3 (2.7-3.3)")
	require.Contains(t, line("restart after kill -9"), "110 (10.00)")
	require.Contains(t, line("restart after kill -9"), "0.085 (0.05-0.12)")
	require.Contains(t, line("send path allocs/op"), "2 / 200 B (9000 ns/op)")
	require.Contains(t, line("GC at 60000 msg/s"), "3.00/s, max 0.800 ms (at 59000 msg/s)")
	tg := line("targets (#15, medians):")
	for _, want := range []string{"tps>=2x MET", "p99<=1/2 MET", "p99.9<=1/4 MET", "max<=1/10 MISSED", "echo>=70% MET",
		"sync_x64>=1.5x n/a", "backlog>=3x MET", "consume_while_producing>=2.5x MET", "restart<=1/10 MET",
		"cpu<=8us/msg n/a", "allocs<=2/256B MET", "gc<5/s,pause<=1ms MET"} {
		require.Contains(t, tg, want)
	}
	// p99.9 and max: 2/8, 4/8, 1/8 -> median 0.25

	res.Alloc.AllocsPerOp = 3
	res.Rocketd.GC[0].MaxPause = 5 * ms
	res.Rocketd.GC[2].MaxPause = 5 * ms
	out.Reset()
	res.Print(&out)
	s = out.String()
	require.Contains(t, line("targets (#15"), "allocs<=2/256B MISSED")
	require.Contains(t, line("targets (#15"), "gc<5/s,pause<=1ms MISSED")
}

func TestParseAllocBench(t *testing.T) {
	out := `goos: linux
BenchmarkSendV2RoundTrip-2         	2026/12/07 19:52:49 INFO topic: create new topic component=broker
2026/12/07 19:52:49 INFO topic: create new topic component=broker
  100000	     10500 ns/op	  50.50 MB/s	     256 B/op	       3 allocs/op
BenchmarkSendV2RoundTripSyncFlush-2	    1000	   1000000 ns/op	    9999 B/op	      99 allocs/op
BenchmarkSendV2RoundTrip-2         	  100000	      9500 ns/op	     200 B/op	       2 allocs/op
BenchmarkSendV2RoundTrip-2         	  100000	     10000 ns/op	     240 B/op	       2 allocs/op
PASS`
	a := ParseAllocBench(out, "BenchmarkSendV2RoundTrip")
	require.Equal(t, 3, a.N)
	require.Equal(t, 2.0, a.AllocsPerOp)
	require.Equal(t, 240.0, a.BytesPerOp)
	require.Equal(t, 10000.0, a.NsPerOp)
	require.Equal(t, "2 / 240 B (10000 ns/op) allocs 2-3", a.Cell())

	z := ParseAllocBench("BenchmarkSendV2RoundTrip 5 100 ns/op 0 B/op 0 allocs/op\n", "BenchmarkSendV2RoundTrip")
	require.Equal(t, 1, z.N)
	require.Equal(t, 0.0, z.AllocsPerOp, "0 allocs is a figure, not a missing run")
	require.Equal(t, 0, ParseAllocBench("FAIL", "BenchmarkSendV2RoundTrip").N)
}

func TestGCParsers(t *testing.T) {
	m, err := parseGoGC(strings.NewReader(`# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2.1e-05
go_gc_duration_seconds{quantile="1"} 0.0012
go_gc_duration_seconds_sum 0.05
go_gc_duration_seconds_count 321
go_goroutines 42
`))
	require.NoError(t, err)
	require.Equal(t, GoGCMetrics{Count: 321, MaxPause: 1200 * time.Microsecond}, m)
	_, err = parseGoGC(strings.NewReader("go_goroutines 1\n"))
	require.Error(t, err)

	trace := `time=... level=INFO msg=started
gc 9 @1.000s 1%: 0.010+1.0+0.020 ms clock, 0.02+0.5/1.0/0+0.04 ms cpu, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 10 @2.000s 1%: 0.050+2.0+0.100 ms clock, 0.1+0.5/1.0/0+0.2 ms cpu, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 11 @3.000s 1%: 0.300+2.0+0.400 ms clock, 0.6+0.5/1.0/0+0.8 ms cpu, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 12 @4.000s 1%: 2.000+2.0+0.100 ms clock, 4+0.5/1.0/0+0.2 ms cpu, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
`
	p := GCTracePauses(trace, 9, 11)
	require.Equal(t, []time.Duration{150 * time.Microsecond, 700 * time.Microsecond}, p, "only collections 10 and 11, both STW phases")

	jlog := `[0.010s][info][gc] Using G1
[1.234s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 200M->50M(8192M) 3.456ms
[2.000s][info][gc] GC(8) Pause Young (Concurrent Start) (G1 Evacuation Pause) 210M->60M(8192M) 1.000ms
[2.100s][info][gc] GC(9) Concurrent Mark Cycle
[2.300s][info][gc] GC(9) Pause Remark 70M->70M(8192M) 9.500ms
[2.400s][info][gc] GC(9) Pause Cleanup 70M->70M(8192M) 0.100ms
[2.500s][info][gc] GC(9) Concurrent Mark Cycle 400.000ms
`
	n, mx := JavaGCPauses(jlog)
	require.Equal(t, int64(2), n, "young collections; the concurrent cycle's remark/cleanup are pauses, not collections")
	require.Equal(t, 9500*time.Microsecond, mx)
}

func TestHugePrint(t *testing.T) {
	hr := &HugeResults{Cfg: HugeConfig{Msgs: 100, Size: 128, Reps: 3, Duration: time.Second}, Servers: []*HugeReport{
		{Name: "rocketd", Produced: 100, ProduceTPS: 1e6, Empty: []*SendResult{fakeSend(50000, time.Millisecond), fakeSend(40000, time.Millisecond), fakeSend(60000, time.Millisecond)},
			Full: []*SendResult{fakeSend(47000, time.Millisecond), fakeSend(45000, time.Millisecond), fakeSend(49000, time.Millisecond)}},
		{Name: "java", Produced: 100, Empty: []*SendResult{fakeSend(30000, time.Millisecond)}, Full: []*SendResult{fakeSend(20000, time.Millisecond)}},
		{Name: "short", Produced: 50, Empty: []*SendResult{fakeSend(30000, time.Millisecond)}, Full: []*SendResult{fakeSend(30000, time.Millisecond)}},
	}}
	var out bytes.Buffer
	hr.Print(&out)
	lines := strings.Split(out.String(), "\n")
	find := func(name string) string {
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), name+" ") {
				return l
			}
		}
		t.Fatalf("no %s row in %s", name, out.String())
		return ""
	}
	require.Contains(t, find("rocketd"), "50000 (40000-60000)")
	require.Contains(t, find("rocketd"), "0.94")
	require.Contains(t, find("rocketd"), "MET")
	require.Contains(t, find("java"), "0.667")
	require.Contains(t, find("java"), "MISSED")
	require.Contains(t, find("short"), "MISSED", "a backlog that was not fully stored cannot meet the target")
}

func TestPacedSend(t *testing.T) {
	e, err := NewEcho("127.0.0.1:0")
	require.NoError(t, err)
	go e.Serve()
	defer e.Close()
	res, err := Send(context.Background(), SendConfig{Addr: e.Addr(), Topic: "T", Size: 128, InFlight: 16, Duration: time.Second, Rate: 2000})
	require.NoError(t, err)
	require.Zero(t, res.Errors, res.FirstErr)
	require.LessOrEqual(t, res.TPS(), 2000*1.1, "the pace is an upper bound")
	require.GreaterOrEqual(t, res.TPS(), 2000*0.5, "an echo server keeps up with 2,000 msg/s")
	_, err = Send(context.Background(), SendConfig{Addr: e.Addr(), Topic: "T", Async: true, Rate: 10, Duration: time.Millisecond})
	require.Error(t, err)
}
