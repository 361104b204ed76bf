package bench

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Plan is what one server is put through, in this order.
type Plan struct {
	Sizes        []int         // ASYNC sweep message sizes
	InFlights    []int         // ASYNC sweep in-flight counts
	Wait         bool          // WAIT=true on every send (producers' default)
	ConsumeWhile bool          // consume while producing (1 KiB, 64 in flight)
	GoClient     bool          // 1 KiB x64 sync sends through the official Go client v2.1.2 (via the name server)
	Backlog      int64         // messages to produce and then consume from offset 0 (0: skip)
	BacklogSize  int           // their body size (default 128)
	BacklogBatch int           // produced with SEND_BATCH_MESSAGE of this many (default 32; 1: single sends)
	Restart      bool          // kill -9 the broker after everything and time its restart
	RestartBytes int64         // top the CommitLog up to this many bytes before the kill (64 KiB messages)
	JITWarmup    time.Duration // unmeasured 1 KiB x64 load before the sweep (JIT, page cache, pools)
	Warmup       time.Duration
	Duration     time.Duration
	Profile      func(ctx context.Context, s Server) // optional, after the sweep (e.g. pprof capture)
}

// SendRow is one point of a send sweep.
type SendRow struct {
	Size, InFlight int
	Res            *SendResult
}

// Report is everything measured on one server.
type Report struct {
	Name         string
	ColdStart    time.Duration // process start -> first SEND_OK, empty store
	IdleRSS      int64
	PeakRSS      int64 // VmHWM at the end (includes mapped CommitLog/ConsumeQueue pages, in both servers)
	IdleAnon     int64 // RssAnon when idle
	PeakAnon     int64 // largest RssAnon seen (sampled every 100 ms): the process's own memory
	Sends        []SendRow
	CPUPerM      float64     // broker CPU seconds per million messages over the send sweep
	GoClient     *SendResult // official Go client, 1 KiB, 64 goroutines
	ProduceWhile float64     // send TPS while consuming
	ConsumeWhile float64     // consume TPS while producing
	BacklogMsgs  int64
	BacklogTPS   float64
	BacklogDone  bool
	RestartBytes int64 // CommitLog bytes on disk at the kill
	Restart      time.Duration
	Errors       []string
}

// Send returns the sweep row for size/inFlight, or nil.
func (r *Report) Send(size, inFlight int) *SendResult {
	if r == nil {
		return nil
	}
	for _, s := range r.Sends {
		if s.Size == size && s.InFlight == inFlight {
			return s.Res
		}
	}
	return nil
}

func (r *Report) errf(format string, args ...any) {
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}

// Sweep runs the send sweep against addr (also used for the echo server).
func Sweep(ctx context.Context, log io.Writer, name, addr, topic string, p Plan) []SendRow {
	var rows []SendRow
	for _, size := range p.Sizes {
		for _, inf := range p.InFlights {
			if ctx.Err() != nil {
				return rows
			}
			res, err := Send(ctx, SendConfig{Addr: addr, Topic: topic, Size: size, InFlight: inf, Wait: p.Wait,
				Warmup: p.Warmup, Duration: p.Duration})
			if err != nil {
				fmt.Fprintf(log, "  %s send %dB x%d: %v\n", name, size, inf, err)
				continue
			}
			fmt.Fprintf(log, "  %-12s send %5dB x%-3d %9.0f msg/s %7.1f MB/s p50 %s p99 %s p99.9 %s max %s errors %d %s\n",
				name, size, inf, res.TPS(), res.MBps(), ms(res.Lat.Quantile(.5)), ms(res.Lat.Quantile(.99)),
				ms(res.Lat.Quantile(.999)), ms(res.Lat.Max()), res.Errors, res.FirstErr)
			rows = append(rows, SendRow{size, inf, res})
		}
	}
	return rows
}

// startTimed starts s and measures process start -> first SEND_OK.
func startTimed(ctx context.Context, s Server, topic string) (int, time.Duration, error) {
	pid, done, err := s.Start(ctx)
	if err != nil {
		return 0, 0, err
	}
	ps, err := ReadProc(pid)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: broker pid %d: %w", pid, err)
	}
	okAt, err := FirstSendOK(ctx, s.Addr(), topic, 3*time.Minute, pid)
	if err != nil {
		_ = done()
		return 0, 0, err
	}
	if err := done(); err != nil {
		return 0, 0, err
	}
	return pid, okAt - ps.Start, nil
}

// Run puts one server through the plan. It always stops the server before returning.
func Run(ctx context.Context, log io.Writer, s Server, p Plan) *Report {
	rep := &Report{Name: s.Name()}
	defer func() {
		if err := s.Stop(); err != nil {
			rep.errf("stop: %v", err)
		}
	}()
	fmt.Fprintf(log, "== %s: cold start\n", s.Name())
	pid, cold, err := startTimed(ctx, s, "BenchStart")
	if err != nil {
		rep.errf("start: %v", err)
		fmt.Fprintf(log, "  %s: start failed: %v\n", s.Name(), err)
		return rep
	}
	rep.ColdStart = cold
	fmt.Fprintf(log, "  %s cold start %s\n", s.Name(), ms(cold))
	sleepCtx(ctx, 2*time.Second)
	if ps, err := ReadProc(pid); err == nil {
		rep.IdleRSS, rep.IdleAnon = ps.RSS, ps.Anon
	}
	stopSampler := sampleAnon(pid, &rep.PeakAnon)
	defer stopSampler()
	topic := "BenchTopic"
	if err := CreateTopic(ctx, s.Addr(), topic, 8); err != nil {
		rep.errf("create topic: %v", err)
		return rep
	}
	if p.JITWarmup > 0 {
		fmt.Fprintf(log, "  %s warmup: 1 KiB x64 for %s (unmeasured)\n", s.Name(), p.JITWarmup)
		if _, err := Send(ctx, SendConfig{Addr: s.Addr(), Topic: topic, Size: 1024, InFlight: 64, Wait: p.Wait, Duration: p.JITWarmup}); err != nil {
			rep.errf("warmup: %v", err)
		}
	}
	ps0, _ := ReadProc(pid)
	rep.Sends = Sweep(ctx, log, s.Name(), s.Addr(), topic, p)
	ps1, _ := ReadProc(pid)
	var total int64
	for _, r := range rep.Sends {
		total += r.Res.Total
	}
	if total > 0 {
		rep.CPUPerM = (ps1.CPU - ps0.CPU).Seconds() / float64(total) * 1e6
	}
	if p.Profile != nil {
		p.Profile(ctx, s)
	}
	if p.GoClient && ctx.Err() == nil {
		t := "BenchClient"
		if err := CreateTopic(ctx, s.Addr(), t, 8); err != nil {
			rep.errf("create topic: %v", err)
		} else {
			sleepCtx(ctx, time.Second) // the broker registers the topic with its name server
			cr, err := ClientSend(ctx, s.Namesrv(), SendConfig{Topic: t, Size: 1024, InFlight: 64, Warmup: p.Warmup, Duration: p.Duration})
			if err != nil {
				rep.errf("go client: %v", err)
			} else {
				rep.GoClient = cr
				fmt.Fprintf(log, "  %-12s Go client 1024B x64 %9.0f msg/s p50 %s p99 %s p99.9 %s max %s errors %d %s\n", s.Name(), cr.TPS(),
					ms(cr.Lat.Quantile(.5)), ms(cr.Lat.Quantile(.99)), ms(cr.Lat.Quantile(.999)), ms(cr.Lat.Max()), cr.Errors, cr.FirstErr)
			}
		}
	}
	if p.ConsumeWhile && ctx.Err() == nil {
		t := "BenchConsume"
		if err := CreateTopic(ctx, s.Addr(), t, 8); err != nil {
			rep.errf("create topic: %v", err)
		} else {
			cch := make(chan *ConsumeResult, 1)
			go func() {
				cr, err := Consume(ctx, ConsumeConfig{Addr: s.Addr(), Topic: t, Queues: 8, Duration: p.Duration})
				if err != nil {
					rep.errf("consume: %v", err)
				}
				cch <- cr
			}()
			sr, err := Send(ctx, SendConfig{Addr: s.Addr(), Topic: t, Size: 1024, InFlight: 64, Wait: p.Wait, Duration: p.Duration})
			cr := <-cch
			if err == nil && cr != nil {
				rep.ProduceWhile, rep.ConsumeWhile = sr.TPS(), cr.TPS()
				fmt.Fprintf(log, "  %s produce+consume: send %.0f msg/s, consume %.0f msg/s (pull errors %d %s)\n",
					s.Name(), sr.TPS(), cr.TPS(), cr.Errors, cr.First)
			}
		}
	}
	if p.Backlog > 0 && ctx.Err() == nil {
		t := "BenchBacklog"
		size, batch := p.BacklogSize, p.BacklogBatch
		if size <= 0 {
			size = 128
		}
		if batch <= 0 {
			batch = 32
		}
		if err := CreateTopic(ctx, s.Addr(), t, 8); err != nil {
			rep.errf("create topic: %v", err)
		} else if sr, err := Send(ctx, SendConfig{Addr: s.Addr(), Topic: t, Size: size, InFlight: 32, Batch: batch, Wait: p.Wait,
			Duration: 5 * time.Minute, MaxMsgs: p.Backlog}); err != nil {
			rep.errf("backlog produce: %v", err)
		} else {
			fmt.Fprintf(log, "  %s backlog: produced %d x %d B (batches of %d) in %s (errors %d %s)\n", s.Name(), sr.Total, size, batch,
				sr.Elapsed.Round(time.Millisecond), sr.Errors, sr.FirstErr)
			cr, err := Consume(ctx, ConsumeConfig{Addr: s.Addr(), Topic: t, Queues: 8, Duration: 3 * time.Minute, Until: sr.Total})
			if err != nil {
				rep.errf("backlog consume: %v", err)
			} else {
				rep.BacklogMsgs, rep.BacklogTPS, rep.BacklogDone = cr.Msgs, cr.TPS(), cr.Msgs >= sr.Total
				fmt.Fprintf(log, "  %s backlog: consumed %d in %s = %.0f msg/s\n", s.Name(), cr.Msgs, cr.Elapsed.Round(time.Millisecond), cr.TPS())
			}
		}
	}
	stopSampler()
	if ps, err := ReadProc(pid); err == nil {
		rep.PeakRSS = ps.HWM
	}
	if p.Restart && p.RestartBytes > 0 && ctx.Err() == nil {
		have := diskUsage(filepath.Join(s.StoreDir(), "commitlog"))
		if need := p.RestartBytes - have; need > 0 {
			const big = 64 << 10
			t0 := time.Now()
			sr, err := Send(ctx, SendConfig{Addr: s.Addr(), Topic: topic, Size: big, InFlight: 16, Wait: p.Wait,
				Duration: 5 * time.Minute, MaxMsgs: need/(big+200) + 1})
			if err != nil {
				rep.errf("fill: %v", err)
			} else {
				fmt.Fprintf(log, "  %s fill: %d x 64 KiB in %s\n", s.Name(), sr.Total, time.Since(t0).Round(time.Millisecond))
			}
		}
	}
	if p.Restart && ctx.Err() == nil {
		rep.RestartBytes = diskUsage(filepath.Join(s.StoreDir(), "commitlog"))
		if err := s.Kill9(); err != nil {
			rep.errf("kill -9: %v", err)
			return rep
		}
		_, d, err := startTimed(ctx, s, "BenchStart")
		if err != nil {
			rep.errf("restart: %v", err)
			return rep
		}
		rep.Restart = d
		fmt.Fprintf(log, "  %s restart after kill -9 with %.2f GiB commitlog: %s\n", s.Name(), float64(rep.RestartBytes)/(1<<30), ms(d))
	}
	return rep
}

// sampleAnon records the largest RssAnon of pid into *peak until the returned func is called.
func sampleAnon(pid int, peak *int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if ps, err := ReadProc(pid); err == nil && ps.Anon > *peak {
				*peak = ps.Anon
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-finished }) }
}

// diskUsage is the allocated size of the files under dir (Java's CommitLog segments are sparse; rocketd
// reserves a segment's blocks when it creates it).
func diskUsage(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			}
		}
		return nil
	})
	return n
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// ms formats a duration in milliseconds with a precision that suits its size.
func ms(d time.Duration) string {
	v := float64(d) / 1e6
	switch {
	case v == 0:
		return "-"
	case v < 1:
		return fmt.Sprintf("%.3f", v)
	case v < 100:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

// RemoveStore deletes a stopped server's store (frees disk and page cache between servers), then syncs and
// waits a moment, so the next server does not start while this one's writeback is still hitting the disk.
func RemoveStore(s Server) {
	_ = os.RemoveAll(s.StoreDir())
	syscall.Sync()
	time.Sleep(2 * time.Second)
}
