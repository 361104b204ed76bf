package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Results is one bench-compare run.
type Results struct {
	Date                       time.Time
	Uptime                     string // load at the start and the end
	Rocketd, RocketdSync       *Report
	Java, JavaSync, JavaSmall  *Report
	Echo                       *Report
	Disk                       DiskResult
	Alloc                      *AllocResult // the send path micro-benchmark (go test -bench SendV2RoundTrip)
	JavaOpts, JavaSmallOpts    string
	Sizes, InFlights, SyncInFl []int
	Reps, ColdReps, RestReps   int     // repetitions: send/consume/backlog/GC points, cold starts, restarts
	GCRate                     float64 // the paced rate of the GC runs (0: none)
	Backlog                    int64
	BacklogSize                int
	Warmup, Duration           time.Duration
	Took                       time.Duration
	Commit                     string // git describe of the measured tree
	Command                    string
}

func mib(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/(1<<20))
}

func tpsOf(runs []*SendResult) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = r.TPS()
	}
	return out
}

func mbpsOf(runs []*SendResult) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = r.MBps()
	}
	return out
}

func cpuOf(runs []*SendResult) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = r.CPUPerMsg()
	}
	return out
}

// qOf is each run's latency quantile p (p >= 1: the maximum), in ns.
func qOf(runs []*SendResult, p float64) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		if r.Lat.Count() == 0 {
			continue
		}
		if p >= 1 {
			out[i] = float64(r.Lat.Max())
		} else {
			out[i] = float64(r.Lat.Quantile(p))
		}
	}
	return out
}

func med(v []float64) float64 { return NewStat(v).Median }

// tpsCell is the median TPS and MB/s of the runs, with the errors of all of them.
func tpsCell(runs []*SendResult) string {
	st := NewStat(tpsOf(runs))
	if st.N == 0 {
		return "-"
	}
	s := fmt.Sprintf("%.0f (%.1f MB/s)", st.Median, med(mbpsOf(runs)))
	var errs int64
	for _, r := range runs {
		errs += r.Errors
	}
	if errs > 0 {
		s += fmt.Sprintf(" err=%d", errs)
	}
	return s
}

// latCell is the median of each run's p50/p99/p99.9/max.
func latCell(runs []*SendResult) string {
	if NewStat(qOf(runs, .5)).N == 0 {
		return "-"
	}
	var parts []string
	for _, p := range []float64{.5, .99, .999, 1} {
		parts = append(parts, ms(time.Duration(med(qOf(runs, p)))))
	}
	return strings.Join(parts, "/")
}

func f2(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

func msMed(v []float64) string { return ms(time.Duration(med(v))) }

// Print writes the table, the ratio lines and the targets.
func (res *Results) Print(w io.Writer) {
	r, j, js, e := res.Rocketd, res.Java, res.JavaSmall, res.Echo
	rs, jsy := res.RocketdSync, res.JavaSync
	get := func(rep *Report, f func(*Report) string) string {
		if rep == nil {
			return "-"
		}
		return f(rep)
	}
	fmt.Fprintf(w, "Each cell is the median of the repetitions (%d per send/consume/backlog/GC point, %d cold start(s), %d restart(s) "+
		"per server); the ratio columns are the median of the per-repetition ratios, with (min-max).\n\n",
		max(res.Reps, 1), max(res.ColdReps, 1), max(res.RestReps, 1))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\trocketd\tjava 4.9.8\tjava small heap\techo (limit)\trocketd/java\trocketd/echo\t\n")
	row := func(name string, cells ...string) { fmt.Fprintf(tw, "%s\t%s\t\n", name, strings.Join(cells, "\t")) }
	row("cold start -> first SEND_OK, ms", msMed(coldStarts(r)), msMed(coldStarts(j)), msMed(coldStarts(js)), "",
		Ratios(coldStarts(r), coldStarts(j)).RatioCell(), "")
	for _, size := range res.Sizes {
		for _, inf := range res.InFlights {
			a, b, c, d := r.Runs(size, inf), j.Runs(size, inf), js.Runs(size, inf), e.Runs(size, inf)
			row(fmt.Sprintf("send %dB x%d msg/s", size, inf), tpsCell(a), tpsCell(b), tpsCell(c), tpsCell(d),
				Ratios(tpsOf(a), tpsOf(b)).RatioCell(), Ratios(tpsOf(a), tpsOf(d)).RatioCell())
		}
	}
	for _, size := range res.Sizes {
		for _, inf := range res.InFlights {
			a, b, c, d := r.Runs(size, inf), j.Runs(size, inf), js.Runs(size, inf), e.Runs(size, inf)
			row(fmt.Sprintf("lat %dB x%d p50/p99/p99.9/max ms", size, inf), latCell(a), latCell(b), latCell(c), latCell(d),
				"p99 "+Ratios(qOf(a, .99), qOf(b, .99)).RatioCell(), "p99 "+Ratios(qOf(a, .99), qOf(d, .99)).RatioCell())
		}
	}
	for _, size := range res.Sizes[:min(1, len(res.Sizes))] {
		a, b := r.Runs(size, 64), j.Runs(size, 64)
		for _, x := range []struct {
			name string
			p    float64
		}{{"p99.9", .999}, {"max", 1}} {
			if len(a) > 0 || len(b) > 0 {
				row(fmt.Sprintf("lat %dB x64 %s ratio", size, x.name), "", "", "", "", x.name+" "+Ratios(qOf(a, x.p), qOf(b, x.p)).RatioCell(), "")
			}
		}
	}
	if gr, gj := goClients(r), goClients(j); len(gr) > 0 || len(gj) > 0 {
		row("Go client v2.1.2 send 1024B x64 msg/s", tpsCell(gr), tpsCell(gj), "", "", Ratios(tpsOf(gr), tpsOf(gj)).RatioCell(), "")
		row("Go client lat 1024B x64 ms", latCell(gr), latCell(gj), "", "", "p99 "+Ratios(qOf(gr, .99), qOf(gj, .99)).RatioCell(), "")
	}
	for _, inf := range res.SyncInFl {
		a, b := rs.Runs(1024, inf), jsy.Runs(1024, inf)
		row(fmt.Sprintf("SYNC_FLUSH send 1024B x%d msg/s", inf), tpsCell(a), tpsCell(b), "", "", Ratios(tpsOf(a), tpsOf(b)).RatioCell(), "")
		row(fmt.Sprintf("SYNC_FLUSH lat 1024B x%d ms", inf), latCell(a), latCell(b), "", "",
			"p99 "+Ratios(qOf(a, .99), qOf(b, .99)).RatioCell(), "")
	}
	one := func(f func(*Report) float64) func(*Report) []float64 {
		return func(x *Report) []float64 {
			if x == nil {
				return nil
			}
			return []float64{f(x)}
		}
	}
	idle, peak, anon, sweepCPU := one(idleRSS), one(peakRSS), one(peakAnon), one(cpuPerM)
	row("RSS idle MiB (1 sample)", get(r, func(x *Report) string { return mib(x.IdleRSS) }), get(j, func(x *Report) string { return mib(x.IdleRSS) }),
		get(js, func(x *Report) string { return mib(x.IdleRSS) }), "", Ratios(idle(r), idle(j)).RatioCell(), "")
	row("RSS peak (VmHWM) MiB (1 sample)", get(r, func(x *Report) string { return mib(x.PeakRSS) }), get(j, func(x *Report) string { return mib(x.PeakRSS) }),
		get(js, func(x *Report) string { return mib(x.PeakRSS) }), "", Ratios(peak(r), peak(j)).RatioCell(), "")
	row("RSS anon idle / peak MiB (own memory)", get(r, anonCell), get(j, anonCell), get(js, anonCell), "",
		Ratios(anon(r), anon(j)).RatioCell(), "")
	row("broker CPU µs per msg, whole sweep", get(r, func(x *Report) string { return f2(x.CPUPerM) }), get(j, func(x *Report) string { return f2(x.CPUPerM) }),
		get(js, func(x *Report) string { return f2(x.CPUPerM) }), "", Ratios(sweepCPU(r), sweepCPU(j)).RatioCell(), "")
	if c := cpuOf(r.Runs(1024, 64)); NewStat(c).N > 0 {
		row("broker CPU µs per msg, 1024B x64", f2(med(c)), f2(med(cpuOf(j.Runs(1024, 64)))), f2(med(cpuOf(js.Runs(1024, 64)))), "",
			Ratios(c, cpuOf(j.Runs(1024, 64))).RatioCell(), "")
	}
	if res.Alloc != nil {
		row("send path allocs/op, B/op (go test -bench SendV2RoundTrip)", res.Alloc.Cell(), "", "", "", "", "")
	}
	if len(gcSamples(r)) > 0 || len(gcSamples(j)) > 0 {
		row(fmt.Sprintf("GC at %.0f msg/s 1024B x64: GCs/s, max pause", res.GCRate), gcCell(gcSamples(r)), gcCell(gcSamples(j)), "", "", "", "")
	}
	row("consume msg/s while producing 1KiB x64", get(r, consumeCell), get(j, consumeCell), "", "",
		Ratios(consumeWhile(r), consumeWhile(j)).RatioCell(), "")
	row(fmt.Sprintf("backlog catch-up msg/s (%d x %dB)", res.Backlog, res.BacklogSize), get(r, backlogCell), get(j, backlogCell), "", "",
		Ratios(backlogTPS(r), backlogTPS(j)).RatioCell(), "")
	row("restart after kill -9, ms (commitlog GiB)", get(r, restartCell), get(j, restartCell), "", "",
		Ratios(restarts(r), restarts(j)).RatioCell(), "")
	tw.Flush()
	fmt.Fprintf(w, "disk sequential write (1 MiB writes + fsync, %d MiB): %.0f MB/s (page cache only: %.0f MB/s)\n",
		res.Disk.Bytes>>20, res.Disk.MBps(), rate(res.Disk.Bytes, res.Disk.Buffered)/1e6)
	for _, l := range res.RatioLines() {
		fmt.Fprintln(w, l)
	}
	for _, rep := range []*Report{r, rs, j, jsy, js, e} {
		if rep != nil && len(rep.Errors) > 0 {
			fmt.Fprintf(w, "errors %s: %s\n", rep.Name, strings.Join(rep.Errors, "; "))
		}
	}
}

func goClients(x *Report) []*SendResult {
	if x == nil {
		return nil
	}
	return x.GoClients
}

func gcSamples(x *Report) []GCSample {
	if x == nil {
		return nil
	}
	return x.GC
}

// gcCell: median collections per second and median of the runs' largest pauses, at the median rate reached.
func gcCell(g []GCSample) string {
	if len(g) == 0 {
		return "-"
	}
	per, pause, tps := gcMedians(g)
	s := fmt.Sprintf("%.2f/s, max %s ms (at %.0f msg/s)", per, ms(pause), tps)
	if strings.Contains(g[0].Source, "quantile") {
		s += " [pause: last 256 GCs]"
	}
	return s
}

func gcMedians(g []GCSample) (perSec float64, maxPause time.Duration, tps float64) {
	var p, m, t []float64
	for _, x := range g {
		p = append(p, x.PerSec())
		m = append(m, float64(x.MaxPause))
		t = append(t, x.TPS)
	}
	// a run without a single collection has PerSec 0 and MaxPause 0: NewStat ignores zeros, so count them here.
	zeros := 0
	for _, x := range g {
		if x.Count == 0 {
			zeros++
		}
	}
	if zeros*2 >= len(g) {
		return 0, 0, med(t)
	}
	return med(p), time.Duration(med(m)), med(t)
}

func anonCell(x *Report) string { return mib(x.IdleAnon) + " / " + mib(x.PeakAnon) }

func consumeCell(x *Report) string {
	if len(x.ConsumeWhile) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f (send %.0f)", med(x.ConsumeWhile), med(x.ProduceWhile))
}

func backlogCell(x *Report) string {
	if len(x.BacklogTPS) == 0 {
		return "-"
	}
	s := fmt.Sprintf("%.0f", med(x.BacklogTPS))
	if !x.BacklogDone {
		s += " (incomplete)"
	}
	return s
}

func restartCell(x *Report) string {
	if len(restarts(x)) == 0 {
		return "-"
	}
	return fmt.Sprintf("%s (%.2f)", msMed(restarts(x)), float64(x.RestartBytes)/(1<<30))
}

// coldStarts and restarts are the repetitions, or the single figure of a Report filled by hand.
func coldStarts(x *Report) []float64 {
	if x == nil {
		return nil
	}
	if len(x.ColdStarts) > 0 {
		return durs(x.ColdStarts)
	}
	if x.ColdStart > 0 {
		return []float64{float64(x.ColdStart)}
	}
	return nil
}

func restarts(x *Report) []float64 {
	if x == nil {
		return nil
	}
	if len(x.Restarts) > 0 {
		return durs(x.Restarts)
	}
	if x.Restart > 0 {
		return []float64{float64(x.Restart)}
	}
	return nil
}

func idleRSS(x *Report) float64  { return float64(x.IdleRSS) }
func peakRSS(x *Report) float64  { return float64(x.PeakRSS) }
func peakAnon(x *Report) float64 { return float64(x.PeakAnon) }
func cpuPerM(x *Report) float64  { return x.CPUPerM }

func consumeWhile(x *Report) []float64 {
	if x == nil {
		return nil
	}
	return x.ConsumeWhile
}

func backlogTPS(x *Report) []float64 {
	if x == nil {
		return nil
	}
	return x.BacklogTPS
}

func medRatio(a, b []float64) string {
	st := Ratios(a, b)
	if st.N == 0 {
		return "-"
	}
	return g3(st.Median)
}

// RatioLines are the headline ratios (1 KiB, 64 in flight, ASYNC_FLUSH, against the distribution-default
// Java broker; medians of the per-repetition ratios) and the targets they are judged by.
func (res *Results) RatioLines() []string {
	r, j, e := res.Rocketd, res.Java, res.Echo
	a, b, d := r.Runs(1024, 64), j.Runs(1024, 64), e.Runs(1024, 64)
	as, bs := res.RocketdSync.Runs(1024, 64), res.JavaSync.Runs(1024, 64)
	one := func(x *Report, f func(*Report) float64) []float64 {
		if x == nil {
			return nil
		}
		return []float64{f(x)}
	}
	lines := []string{
		fmt.Sprintf("rocketd/java: tps=%s p99=%s p999=%s rss=%s start=%s",
			medRatio(tpsOf(a), tpsOf(b)), medRatio(qOf(a, .99), qOf(b, .99)), medRatio(qOf(a, .999), qOf(b, .999)),
			medRatio(one(r, peakRSS), one(j, peakRSS)), medRatio(coldStarts(r), coldStarts(j))),
		fmt.Sprintf("rocketd/java more: max=%s restart=%s consume=%s backlog=%s cpu=%s sync_tps=%s sync_p99=%s anon_rss=%s rss_vs_small_heap=%s",
			medRatio(qOf(a, 1), qOf(b, 1)), medRatio(restarts(r), restarts(j)), medRatio(consumeWhile(r), consumeWhile(j)),
			medRatio(backlogTPS(r), backlogTPS(j)), medRatio(cpuOf(a), cpuOf(b)), medRatio(tpsOf(as), tpsOf(bs)),
			medRatio(qOf(as, .99), qOf(bs, .99)), medRatio(one(r, peakAnon), one(j, peakAnon)),
			medRatio(one(r, peakRSS), one(res.JavaSmall, peakRSS))),
	}
	var best float64
	for _, s := range res.Sizes {
		for _, i := range res.InFlights {
			if m := med(mbpsOf(r.Runs(s, i))); m > best {
				best = m
			}
		}
	}
	echoLine := fmt.Sprintf("rocketd/echo: tps=%s (1KiB x64)", medRatio(tpsOf(a), tpsOf(d)))
	for _, s := range res.Sizes {
		for _, i := range res.InFlights {
			echoLine += fmt.Sprintf(" %dBx%d=%s", s, i, medRatio(tpsOf(r.Runs(s, i)), tpsOf(e.Runs(s, i))))
		}
	}
	lines = append(lines, echoLine)
	if best > 0 {
		lines = append(lines, fmt.Sprintf("rocketd/disk: %s (best rocketd send %.1f MB/s vs sequential write %.0f MB/s)",
			g3(best/res.Disk.MBps()), best, res.Disk.MBps()))
	}
	return append(lines, res.Targets()...)
}

// Targets judges issue #15's targets (and the earlier memory/start ones) on the medians: MET, MISSED, or
// n/a when the figure was not measured.
func (res *Results) Targets() []string {
	r, j, e := res.Rocketd, res.Java, res.Echo
	a, b, d := r.Runs(1024, 64), j.Runs(1024, 64), e.Runs(1024, 64)
	as, bs := res.RocketdSync.Runs(1024, 64), res.JavaSync.Runs(1024, 64)
	// ge/le judge the median of the per-repetition ratios of a over b against a limit.
	judge := func(st Stat, ok func(float64) bool) string {
		if st.N == 0 {
			return "n/a"
		}
		if ok(st.Median) {
			return "MET"
		}
		return "MISSED"
	}
	ge := func(a, b []float64, lim float64) string {
		return judge(Ratios(a, b), func(v float64) bool { return v >= lim })
	}
	le := func(a, b []float64, lim float64) string {
		return judge(Ratios(a, b), func(v float64) bool { return v <= lim })
	}
	var t []string
	add := func(name, verdict string) { t = append(t, name+" "+verdict) }
	add("tps>=2x", ge(tpsOf(a), tpsOf(b), 2))
	add("p99<=1/2", le(qOf(a, .99), qOf(b, .99), 0.5))
	add("p99.9<=1/4", le(qOf(a, .999), qOf(b, .999), 0.25))
	add("max<=1/10", le(qOf(a, 1), qOf(b, 1), 0.1))
	add("echo>=70%", ge(tpsOf(a), tpsOf(d), 0.7))
	add("sync_x64>=1.5x", ge(tpsOf(as), tpsOf(bs), 1.5))
	add("backlog>=3x", ge(backlogTPS(r), backlogTPS(j), 3))
	add("consume_while_producing>=2.5x", ge(consumeWhile(r), consumeWhile(j), 2.5))
	add("restart<=1/10", le(restarts(r), restarts(j), 0.1))
	add("cpu<=8us/msg", judge(NewStat(cpuOf(a)), func(v float64) bool { return v <= 8 }))
	allocs := "n/a"
	if res.Alloc != nil && res.Alloc.N > 0 {
		allocs = judge(Stat{N: 1, Median: 1}, func(float64) bool { return res.Alloc.AllocsPerOp <= 2 && res.Alloc.BytesPerOp <= 256 })
	}
	add("allocs<=2/256B", allocs)
	gc := "n/a"
	if g := gcSamples(r); len(g) > 0 {
		per, pause, _ := gcMedians(g)
		gc = judge(Stat{N: 1, Median: 1}, func(float64) bool { return per < 5 && pause <= time.Millisecond })
	}
	add("gc<5/s,pause<=1ms", gc)
	line := "targets (#15, medians): " + strings.Join(t, "; ")
	earlier := fmt.Sprintf("earlier targets: rss<=1/10 %s; start<=1/20 %s",
		le([]float64{float64(rssOf(r))}, []float64{float64(rssOf(j))}, 0.1), le(coldStarts(r), coldStarts(j), 0.05))
	return []string{line, earlier}
}

func rssOf(x *Report) int64 {
	if x == nil {
		return 0
	}
	return x.PeakRSS
}
