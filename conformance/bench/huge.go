package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// HugeConfig is the on-demand huge-backlog run (make bench-backlog): does a store holding Msgs unconsumed
// messages slow the send path down?
type HugeConfig struct {
	Msgs      int64 // backlog messages (100 M for make bench-backlog)
	Size      int   // their body bytes (default 128)
	Batch     int   // SEND_BATCH_MESSAGE size (default 32)
	Reps      int   // 1 KiB x64 send runs on the empty store, and again with the backlog
	JITWarmup time.Duration
	Warmup    time.Duration
	Duration  time.Duration
}

// HugeReport is one server's huge-backlog run.
type HugeReport struct {
	Name          string
	Empty, Full   []*SendResult // 1 KiB x64 runs on the empty store, then with the backlog stored
	Produced      int64
	ProduceTPS    float64
	ProduceErrors int64
	CommitLogGiB  float64
	Errors        []string
}

// HugeResults is the whole run.
type HugeResults struct {
	Cfg     HugeConfig
	Servers []*HugeReport
}

// HugeBacklog runs each server alone, one after the other (two 100 M stores would not fit the disk together):
// start, warm up, Reps send runs of 1 KiB x64 on the empty store, produce the backlog (never consumed), Reps
// send runs again; stop and wipe.
func HugeBacklog(ctx context.Context, log io.Writer, servers []Server, cfg HugeConfig) *HugeResults {
	if cfg.Size <= 0 {
		cfg.Size = 128
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 32
	}
	out := &HugeResults{Cfg: cfg}
	for _, s := range servers {
		if ctx.Err() != nil {
			break
		}
		h := &HugeReport{Name: s.Name()}
		out.Servers = append(out.Servers, h)
		hugeOne(ctx, log, s, cfg, h)
		if err := s.Stop(); err != nil {
			h.Errors = append(h.Errors, fmt.Sprintf("stop: %v", err))
		}
		RemoveStore(s)
	}
	return out
}

func hugeOne(ctx context.Context, log io.Writer, s Server, cfg HugeConfig, h *HugeReport) {
	errf := func(format string, args ...any) {
		h.Errors = append(h.Errors, fmt.Sprintf(format, args...))
		fmt.Fprintf(log, "  %s: %s\n", s.Name(), fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(log, "== %s: huge backlog run (%d x %d B)\n", s.Name(), cfg.Msgs, cfg.Size)
	if _, _, err := startTimed(ctx, s, "BenchStart"); err != nil {
		errf("start: %v", err)
		return
	}
	topic, backlog := "BenchTopic", "BenchBacklog"
	for _, t := range []string{topic, backlog} {
		if err := CreateTopic(ctx, s.Addr(), t, 8); err != nil {
			errf("create topic: %v", err)
			return
		}
	}
	if cfg.JITWarmup > 0 {
		_, _ = Send(ctx, SendConfig{Addr: s.Addr(), Topic: topic, Size: 1024, InFlight: 64, Wait: true, Duration: cfg.JITWarmup})
	}
	runs := func(label string) []*SendResult {
		var rs []*SendResult
		for i := 0; i < max(cfg.Reps, 1) && ctx.Err() == nil; i++ {
			r, err := Send(ctx, SendConfig{Addr: s.Addr(), Topic: topic, Size: 1024, InFlight: 64, Wait: true,
				Warmup: cfg.Warmup, Duration: cfg.Duration})
			if err != nil {
				errf("send: %v", err)
				continue
			}
			logSend(log, s.Name(), fmt.Sprintf("%s #%d", label, i+1), r)
			rs = append(rs, r)
		}
		return rs
	}
	h.Empty = runs("empty store")
	t0 := time.Now()
	sr, err := ProduceBacklog(ctx, s.Addr(), backlog, cfg.Msgs, cfg.Size, cfg.Batch, true)
	if err != nil {
		errf("backlog produce: %v", err)
		return
	}
	h.Produced, h.ProduceErrors = sr.Total, sr.Errors
	h.ProduceTPS = float64(sr.Total) / time.Since(t0).Seconds()
	h.CommitLogGiB = float64(diskUsage(s.StoreDir()+"/commitlog")) / (1 << 30)
	fmt.Fprintf(log, "  %s backlog: produced %d in %s = %.0f msg/s (errors %d %s), commitlog %.1f GiB\n", s.Name(), sr.Total,
		time.Since(t0).Round(time.Second), h.ProduceTPS, sr.Errors, sr.FirstErr, h.CommitLogGiB)
	if sr.Total < cfg.Msgs {
		errf("backlog: only %d of %d messages stored", sr.Total, cfg.Msgs)
	}
	h.Full = runs("with backlog")
}

// Print writes the huge-backlog table: per server, the median send TPS on the empty store and with the
// backlog, and their ratio (target >= 0.9).
func (hr *HugeResults) Print(w io.Writer) {
	fmt.Fprintf(w, "1 KiB x64 sends (WAIT=true), %d run(s) each on the empty store and with %d x %d B stored unconsumed; "+
		"%s warmup + %s per run; cells are medians (min-max)\n\n", max(hr.Cfg.Reps, 1), hr.Cfg.Msgs, hr.Cfg.Size, hr.Cfg.Warmup, hr.Cfg.Duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "server\tempty store msg/s\twith backlog msg/s\tbacklog/empty\tbacklog produced (msg/s)\tcommitlog GiB\ttarget >= 0.9\t\n")
	for _, h := range hr.Servers {
		e, f := NewStat(tpsOf(h.Empty)), NewStat(tpsOf(h.Full))
		ratio := "-"
		verdict := "n/a"
		if e.N > 0 && f.N > 0 {
			v := f.Median / e.Median
			ratio = g3(v)
			verdict = "MISSED"
			if v >= 0.9 && h.Produced >= hr.Cfg.Msgs {
				verdict = "MET"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d (%.0f)\t%.1f\t%s\t\n", h.Name, statCell(e), statCell(f), ratio, h.Produced,
			h.ProduceTPS, h.CommitLogGiB, verdict)
	}
	tw.Flush()
	for _, h := range hr.Servers {
		if len(h.Errors) > 0 {
			fmt.Fprintf(w, "errors %s: %s\n", h.Name, strings.Join(h.Errors, "; "))
		}
	}
}

// statCell is "median (min-max)" of TPS figures, rounded.
func statCell(s Stat) string {
	switch {
	case s.N == 0:
		return "-"
	case s.N == 1:
		return fmt.Sprintf("%.0f", s.Median)
	default:
		return fmt.Sprintf("%.0f (%.0f-%.0f)", s.Median, s.Min, s.Max)
	}
}
