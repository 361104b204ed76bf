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
	JavaOpts, JavaSmallOpts    string
	Sizes, InFlights, SyncInFl []int
	Backlog                    int64
	BacklogSize                int
	Warmup, Duration           time.Duration
	Took                       time.Duration
	Commit                     string // git describe of the measured tree
	Command                    string
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3g", a/b)
}

func durRatio(a, b time.Duration) string { return ratio(float64(a), float64(b)) }

func mib(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/(1<<20))
}

func tpsCell(r *SendResult) string {
	if r == nil {
		return "-"
	}
	s := fmt.Sprintf("%.0f (%.1f MB/s)", r.TPS(), r.MBps())
	if r.Errors > 0 {
		s += fmt.Sprintf(" err=%d", r.Errors)
	}
	return s
}

func latCell(r *SendResult) string {
	if r == nil || r.Lat.Count() == 0 {
		return "-"
	}
	return fmt.Sprintf("%s/%s/%s/%s", ms(r.Lat.Quantile(.5)), ms(r.Lat.Quantile(.99)), ms(r.Lat.Quantile(.999)), ms(r.Lat.Max()))
}

func tps(r *SendResult) float64 {
	if r == nil {
		return 0
	}
	return r.TPS()
}

func q(r *SendResult, p float64) time.Duration {
	if r == nil || r.Lat.Count() == 0 {
		return 0
	}
	if p >= 1 {
		return r.Lat.Max()
	}
	return r.Lat.Quantile(p)
}

func f0(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}

func f2(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

func msCell(d time.Duration) string { return ms(d) }

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
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\trocketd\tjava 4.9.8\tjava small heap\techo (limit)\trocketd/java\trocketd/echo\t\n")
	row := func(name string, cells ...string) { fmt.Fprintf(tw, "%s\t%s\t\n", name, strings.Join(cells, "\t")) }
	row("cold start -> first SEND_OK, ms",
		get(r, func(x *Report) string { return msCell(x.ColdStart) }), get(j, func(x *Report) string { return msCell(x.ColdStart) }),
		get(js, func(x *Report) string { return msCell(x.ColdStart) }), "", durRatio(dur(r, coldStart), dur(j, coldStart)), "")
	for _, size := range res.Sizes {
		for _, inf := range res.InFlights {
			a, b, c, d := r.Send(size, inf), j.Send(size, inf), js.Send(size, inf), e.Send(size, inf)
			row(fmt.Sprintf("send %dB x%d msg/s", size, inf), tpsCell(a), tpsCell(b), tpsCell(c), tpsCell(d),
				ratio(tps(a), tps(b)), ratio(tps(a), tps(d)))
		}
	}
	for _, size := range res.Sizes {
		for _, inf := range res.InFlights {
			a, b, c, d := r.Send(size, inf), j.Send(size, inf), js.Send(size, inf), e.Send(size, inf)
			row(fmt.Sprintf("lat %dB x%d p50/p99/p99.9/max ms", size, inf), latCell(a), latCell(b), latCell(c), latCell(d),
				"p99 "+durRatio(q(a, .99), q(b, .99)), "p99 "+durRatio(q(a, .99), q(d, .99)))
		}
	}
	if r != nil && r.GoClient != nil || j != nil && j.GoClient != nil {
		a, b := goClient(r), goClient(j)
		row("Go client v2.1.2 send 1024B x64 msg/s", tpsCell(a), tpsCell(b), "", "", ratio(tps(a), tps(b)), "")
		row("Go client lat 1024B x64 ms", latCell(a), latCell(b), "", "", "p99 "+durRatio(q(a, .99), q(b, .99)), "")
	}
	for _, inf := range res.SyncInFl {
		a, b := rs.Send(1024, inf), jsy.Send(1024, inf)
		row(fmt.Sprintf("SYNC_FLUSH send 1024B x%d msg/s", inf), tpsCell(a), tpsCell(b), "", "", ratio(tps(a), tps(b)), "")
		row(fmt.Sprintf("SYNC_FLUSH lat 1024B x%d ms", inf), latCell(a), latCell(b), "", "",
			"p99 "+durRatio(q(a, .99), q(b, .99)), "")
	}
	row("RSS idle MiB", get(r, func(x *Report) string { return mib(x.IdleRSS) }), get(j, func(x *Report) string { return mib(x.IdleRSS) }),
		get(js, func(x *Report) string { return mib(x.IdleRSS) }), "", ratio(fl(r, idleRSS), fl(j, idleRSS)), "")
	row("RSS peak (VmHWM) MiB", get(r, func(x *Report) string { return mib(x.PeakRSS) }), get(j, func(x *Report) string { return mib(x.PeakRSS) }),
		get(js, func(x *Report) string { return mib(x.PeakRSS) }), "", ratio(fl(r, peakRSS), fl(j, peakRSS)), "")
	row("RSS anon idle / peak MiB (own memory)", get(r, anonCell), get(j, anonCell), get(js, anonCell), "",
		ratio(fl(r, peakAnon), fl(j, peakAnon)), "")
	row("broker CPU s per 1M msgs (sweep)", get(r, func(x *Report) string { return f2(x.CPUPerM) }), get(j, func(x *Report) string { return f2(x.CPUPerM) }),
		get(js, func(x *Report) string { return f2(x.CPUPerM) }), "", ratio(fl(r, cpuPerM), fl(j, cpuPerM)), "")
	row("consume msg/s while producing 1KiB x64", get(r, consumeCell), get(j, consumeCell), "", "",
		ratio(fl(r, consumeWhile), fl(j, consumeWhile)), "")
	row(fmt.Sprintf("backlog catch-up msg/s (%d x %dB)", res.Backlog, res.BacklogSize), get(r, backlogCell), get(j, backlogCell), "", "",
		ratio(fl(r, backlogTPS), fl(j, backlogTPS)), "")
	row("restart after kill -9, ms (commitlog GiB)", get(r, restartCell), get(j, restartCell), "", "",
		durRatio(dur(r, restart), dur(j, restart)), "")
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

func goClient(x *Report) *SendResult {
	if x == nil {
		return nil
	}
	return x.GoClient
}

func anonCell(x *Report) string { return mib(x.IdleAnon) + " / " + mib(x.PeakAnon) }

func consumeCell(x *Report) string {
	if x.ConsumeWhile == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f (send %.0f)", x.ConsumeWhile, x.ProduceWhile)
}

func backlogCell(x *Report) string {
	if x.BacklogTPS == 0 {
		return "-"
	}
	s := fmt.Sprintf("%.0f", x.BacklogTPS)
	if !x.BacklogDone {
		s += " (incomplete)"
	}
	return s
}

func restartCell(x *Report) string {
	if x.Restart == 0 {
		return "-"
	}
	return fmt.Sprintf("%s (%.2f)", ms(x.Restart), float64(x.RestartBytes)/(1<<30))
}

func coldStart(x *Report) time.Duration { return x.ColdStart }
func restart(x *Report) time.Duration   { return x.Restart }
func idleRSS(x *Report) float64         { return float64(x.IdleRSS) }
func peakRSS(x *Report) float64         { return float64(x.PeakRSS) }
func peakAnon(x *Report) float64        { return float64(x.PeakAnon) }
func cpuPerM(x *Report) float64         { return x.CPUPerM }
func consumeWhile(x *Report) float64    { return x.ConsumeWhile }
func backlogTPS(x *Report) float64      { return x.BacklogTPS }

func dur(x *Report, f func(*Report) time.Duration) time.Duration {
	if x == nil {
		return 0
	}
	return f(x)
}

func fl(x *Report, f func(*Report) float64) float64 {
	if x == nil {
		return 0
	}
	return f(x)
}

// RatioLines are the headline ratios (1 KiB, 64 in flight, ASYNC_FLUSH, against the distribution-default
// Java broker) and the targets they are judged by.
func (res *Results) RatioLines() []string {
	r, j, e := res.Rocketd, res.Java, res.Echo
	a, b, d := r.Send(1024, 64), j.Send(1024, 64), e.Send(1024, 64)
	as, bs := res.RocketdSync.Send(1024, 64), res.JavaSync.Send(1024, 64)
	lines := []string{
		fmt.Sprintf("rocketd/java: tps=%s p99=%s p999=%s rss=%s start=%s",
			ratio(tps(a), tps(b)), durRatio(q(a, .99), q(b, .99)), durRatio(q(a, .999), q(b, .999)),
			ratio(fl(r, peakRSS), fl(j, peakRSS)), durRatio(dur(r, coldStart), dur(j, coldStart))),
		fmt.Sprintf("rocketd/java more: max=%s restart=%s consume=%s backlog=%s cpu=%s sync_tps=%s sync_p99=%s anon_rss=%s rss_vs_small_heap=%s",
			durRatio(q(a, 1), q(b, 1)), durRatio(dur(r, restart), dur(j, restart)), ratio(fl(r, consumeWhile), fl(j, consumeWhile)),
			ratio(fl(r, backlogTPS), fl(j, backlogTPS)), ratio(fl(r, cpuPerM), fl(j, cpuPerM)), ratio(tps(as), tps(bs)),
			durRatio(q(as, .99), q(bs, .99)), ratio(fl(r, peakAnon), fl(j, peakAnon)), ratio(fl(r, peakRSS), fl(res.JavaSmall, peakRSS))),
	}
	var best *SendResult
	for _, s := range res.Sizes {
		for _, i := range res.InFlights {
			if x := r.Send(s, i); x != nil && (best == nil || x.MBps() > best.MBps()) {
				best = x
			}
		}
	}
	echoLine := fmt.Sprintf("rocketd/echo: tps=%s (1KiB x64)", ratio(tps(a), tps(d)))
	for _, s := range res.Sizes {
		for _, i := range res.InFlights {
			echoLine += fmt.Sprintf(" %dBx%d=%s", s, i, ratio(tps(r.Send(s, i)), tps(e.Send(s, i))))
		}
	}
	lines = append(lines, echoLine)
	if best != nil {
		lines = append(lines, fmt.Sprintf("rocketd/disk: %s (best rocketd send %.1f MB/s vs sequential write %.0f MB/s)",
			ratio(best.MBps(), res.Disk.MBps()), best.MBps(), res.Disk.MBps()))
	}
	chk := func(ok bool) string {
		if ok {
			return "MET"
		}
		return "MISSED"
	}
	if a != nil && b != nil {
		lines = append(lines, fmt.Sprintf("targets: tps>=2x %s; p99<=1/2 %s; p99.9<=1/4 %s; max<=1/10 %s; rss<=1/10 %s; start<=1/20 %s; restart<=1/10 %s; echo>=70%% %s",
			chk(tps(a) >= 2*tps(b)), chk(q(a, .99)*2 <= q(b, .99)), chk(q(a, .999)*4 <= q(b, .999)), chk(q(a, 1)*10 <= q(b, 1)),
			chk(r.PeakRSS*10 <= j.PeakRSS), chk(r.ColdStart*20 <= j.ColdStart),
			chk(r.Restart > 0 && r.Restart*10 <= j.Restart), chk(tps(a) >= 0.7*tps(d))))
	}
	return lines
}
