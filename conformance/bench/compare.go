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

// Plan is what the servers of one phase are put through, in this order. Every point that compares the
// servers is run Reps times, interleaved: for each point, rep 1 on every server in turn, then rep 2, ...
// (rocketd, Java, echo, rocketd, Java, echo, ...), with all the phase's servers up at once on their own
// ports and stores, so that a noisy minute of the shared machine hits every server alike.
type Plan struct {
	Sizes        []int         // ASYNC sweep message sizes
	InFlights    []int         // ASYNC sweep in-flight counts
	Wait         bool          // WAIT=true on every send (producers' default)
	Reps         int           // repetitions of each point (default 1)
	ColdReps     int           // cold starts per server (default 1; each but the last is stopped and wiped)
	ConsumeWhile bool          // consume while producing (1 KiB, 64 in flight)
	GoClient     bool          // 1 KiB x64 sync sends through the official Go client v2.1.2 (via the name server)
	GCRate       float64       // paced 1 KiB x64 run at this rate on servers that are GCMeters (0: skip)
	GCDuration   time.Duration // its length
	Backlog      int64         // messages to produce and then consume from offset 0, Reps times (0: skip)
	BacklogSize  int           // their body size (default 128)
	BacklogBatch int           // produced with SEND_BATCH_MESSAGE of this many (default 32; 1: single sends)
	Restart      bool          // kill -9 the broker after everything and time its restart
	RestartReps  int           // restarts per server (default 1); servers are filled and restarted one at a time
	RestartBytes int64         // top the CommitLog up to this many bytes before the kill (64 KiB messages)
	JITWarmup    time.Duration // unmeasured 1 KiB x64 load before the sweep (JIT, page cache, pools)
	Warmup       time.Duration
	Duration     time.Duration
	Profile      func(ctx context.Context, s Server) // optional, after the sweep (e.g. pprof capture)
}

// SendRow is one send run of a sweep point (a point has one row per repetition).
type SendRow struct {
	Size, InFlight int
	Res            *SendResult
}

// Report is everything measured on one server; the slices hold one entry per repetition, in run order.
type Report struct {
	Name         string
	ColdStart    time.Duration   // median of ColdStarts
	ColdStarts   []time.Duration // process start -> first SEND_OK, empty store
	IdleRSS      int64
	PeakRSS      int64 // VmHWM at the end (includes mapped CommitLog/ConsumeQueue pages, in both servers)
	IdleAnon     int64 // RssAnon when idle
	PeakAnon     int64 // largest RssAnon seen (sampled every 100 ms): the process's own memory
	Sends        []SendRow
	CPUPerM      float64       // broker CPU seconds per million messages over the whole send sweep (= µs per message)
	GoClients    []*SendResult // official Go client, 1 KiB, 64 goroutines
	ProduceWhile []float64     // send TPS while consuming
	ConsumeWhile []float64     // consume TPS while producing
	GC           []GCSample    // paced runs
	BacklogMsgs  int64
	BacklogPut   float64 // produce TPS of the backlog (batches)
	BacklogTPS   []float64
	BacklogDone  bool
	RestartBytes int64           // CommitLog bytes on disk at the (last) kill
	Restart      time.Duration   // median of Restarts
	Restarts     []time.Duration // kill -9 -> first SEND_OK
	Errors       []string
}

// Runs returns the sweep runs of size/inFlight, in repetition order.
func (r *Report) Runs(size, inFlight int) []*SendResult {
	if r == nil {
		return nil
	}
	var out []*SendResult
	for _, s := range r.Sends {
		if s.Size == size && s.InFlight == inFlight {
			out = append(out, s.Res)
		}
	}
	return out
}

// Send returns the first sweep run of size/inFlight, or nil.
func (r *Report) Send(size, inFlight int) *SendResult {
	if runs := r.Runs(size, inFlight); len(runs) > 0 {
		return runs[0]
	}
	return nil
}

func (r *Report) errf(format string, args ...any) {
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}

func logSend(log io.Writer, name, what string, res *SendResult) {
	fmt.Fprintf(log, "  %-12s %-18s %9.0f msg/s %7.1f MB/s p50 %s p99 %s p99.9 %s max %s errors %d %s\n",
		name, what, res.TPS(), res.MBps(), ms(res.Lat.Quantile(.5)), ms(res.Lat.Quantile(.99)),
		ms(res.Lat.Quantile(.999)), ms(res.Lat.Max()), res.Errors, res.FirstErr)
}

// Target is something a send run can be aimed at: a broker of the phase, or a sweep-only member such as the
// echo server (Pid 0: no CPU figure).
type Target struct {
	Name, Addr string
	Pid        int
	Rep        *Report
}

// member is one server of a phase while it runs.
type member struct {
	s      Server
	rep    *Report
	pid    int
	failed bool
}

func (m *member) target() *Target {
	return &Target{Name: m.s.Name(), Addr: m.s.Addr(), Pid: m.pid, Rep: m.rep}
}

// sendOn runs one send against t and records the broker's CPU time over it.
func sendOn(ctx context.Context, t *Target, cfg SendConfig) (*SendResult, error) {
	cfg.Addr = t.Addr
	var ps0 ProcStat
	if t.Pid > 0 {
		ps0, _ = ReadProc(t.Pid)
	}
	res, err := Send(ctx, cfg)
	if err == nil && t.Pid > 0 {
		if ps1, perr := ReadProc(t.Pid); perr == nil {
			res.BrokerCPU = ps1.CPU - ps0.CPU
		}
	}
	return res, err
}

// Sweep runs the send sweep, each point Reps times over the targets in turn.
func Sweep(ctx context.Context, log io.Writer, targets []*Target, topic string, p Plan) {
	for _, size := range p.Sizes {
		for _, inf := range p.InFlights {
			for rep := 0; rep < max(p.Reps, 1); rep++ {
				for _, t := range targets {
					if ctx.Err() != nil {
						return
					}
					res, err := sendOn(ctx, t, SendConfig{Topic: topic, Size: size, InFlight: inf, Wait: p.Wait,
						Warmup: p.Warmup, Duration: p.Duration})
					if err != nil {
						fmt.Fprintf(log, "  %s send %dB x%d: %v\n", t.Name, size, inf, err)
						t.Rep.errf("send %dB x%d: %v", size, inf, err)
						continue
					}
					logSend(log, t.Name, fmt.Sprintf("send %dB x%d #%d", size, inf, rep+1), res)
					t.Rep.Sends = append(t.Rep.Sends, SendRow{size, inf, res})
				}
			}
		}
	}
}

// startTimed starts s and measures process start -> first SEND_OK.
func startTimed(ctx context.Context, s Server, topic string) (int, time.Duration, error) {
	pid, done, err := s.Start(ctx)
	if err != nil {
		return 0, 0, err
	}
	ps, err := ReadProc(pid)
	if err != nil {
		_ = done()
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

// Run puts the servers of one phase through the plan, interleaved (see Plan), with the sweep-only targets
// (echo) joining the send sweep. It stops every server and removes its store before returning.
func Run(ctx context.Context, log io.Writer, p Plan, servers []Server, sweepOnly ...*Target) []*Report {
	reps := max(p.Reps, 1)
	var mems []*member
	for _, s := range servers {
		mems = append(mems, &member{s: s, rep: &Report{Name: s.Name()}})
	}
	live := func() []*member {
		var out []*member
		for _, m := range mems {
			if !m.failed && ctx.Err() == nil {
				out = append(out, m)
			}
		}
		return out
	}
	fail := func(m *member, format string, args ...any) {
		m.rep.errf(format, args...)
		fmt.Fprintf(log, "  %s: %s\n", m.s.Name(), fmt.Sprintf(format, args...))
		m.failed = true
	}
	reports := make([]*Report, len(mems))
	for i, m := range mems {
		reports[i] = m.rep
	}
	defer func() {
		for _, m := range mems {
			if err := m.s.Stop(); err != nil {
				m.rep.errf("stop: %v", err)
			}
			RemoveStore(m.s)
			finish(m.rep)
		}
	}()

	// Cold starts, interleaved: each start but the last is stopped and its store wiped.
	for i := 0; i < max(p.ColdReps, 1); i++ {
		for _, m := range live() {
			if i > 0 {
				_ = m.s.Stop()
				RemoveStore(m.s)
			}
			fmt.Fprintf(log, "== %s: cold start #%d\n", m.s.Name(), i+1)
			pid, cold, err := startTimed(ctx, m.s, "BenchStart")
			if err != nil {
				fail(m, "start: %v", err)
				continue
			}
			m.pid = pid
			m.rep.ColdStarts = append(m.rep.ColdStarts, cold)
			fmt.Fprintf(log, "  %s cold start %s\n", m.s.Name(), ms(cold))
		}
	}
	sleepCtx(ctx, 2*time.Second)
	topic := "BenchTopic"
	var samplers []func()
	stopSamplers := func() {
		for _, stop := range samplers {
			stop()
		}
	}
	defer stopSamplers()
	for _, m := range live() {
		if ps, err := ReadProc(m.pid); err == nil {
			m.rep.IdleRSS, m.rep.IdleAnon = ps.RSS, ps.Anon
		}
		samplers = append(samplers, sampleAnon(m.pid, &m.rep.PeakAnon))
		if err := CreateTopic(ctx, m.s.Addr(), topic, 8); err != nil {
			fail(m, "create topic: %v", err)
		}
	}
	for _, m := range live() {
		if p.JITWarmup > 0 {
			fmt.Fprintf(log, "  %s warmup: 1 KiB x64 for %s (unmeasured)\n", m.s.Name(), p.JITWarmup)
			if _, err := Send(ctx, SendConfig{Addr: m.s.Addr(), Topic: topic, Size: 1024, InFlight: 64, Wait: p.Wait, Duration: p.JITWarmup}); err != nil {
				m.rep.errf("warmup: %v", err)
			}
		}
	}

	// The send sweep, with the sweep-only targets.
	var targets []*Target
	for _, m := range live() {
		targets = append(targets, m.target())
	}
	targets = append(targets, sweepOnly...)
	fmt.Fprintf(log, "== send sweep, %d rep(s) per point, interleaved over %d target(s)\n", reps, len(targets))
	Sweep(ctx, log, targets, topic, p)
	for _, m := range mems {
		var cpu time.Duration
		var total int64
		for _, r := range m.rep.Sends {
			cpu += r.Res.BrokerCPU
			total += r.Res.Total
		}
		if total > 0 {
			m.rep.CPUPerM = cpu.Seconds() / float64(total) * 1e6
		}
	}
	if p.Profile != nil {
		for _, m := range live() {
			p.Profile(ctx, m.s)
		}
	}
	if p.GCRate > 0 {
		gcRuns(ctx, log, live(), p, topic)
	}
	if p.GoClient {
		fmt.Fprintf(log, "== Go client v2.1.2 1 KiB x64\n")
		goClientRuns(ctx, log, live(), p)
	}
	if p.ConsumeWhile {
		fmt.Fprintf(log, "== consume while producing\n")
		consumeWhileRuns(ctx, log, live(), p)
	}
	if p.Backlog > 0 {
		fmt.Fprintf(log, "== backlog catch-up: %d x %d B\n", p.Backlog, p.BacklogSize)
		backlogRuns(ctx, log, live(), p)
	}
	stopSamplers() // the peak is the measured load's, not the restart fill's
	for _, m := range mems {
		if ps, err := ReadProc(m.pid); err == nil && m.pid > 0 {
			m.rep.PeakRSS = ps.HWM
		}
	}
	if p.Restart {
		// One server at a time (fill, kill -9 and restart RestartReps times, stop, wipe): two full
		// CommitLogs at once could push the disk over the 85 % at which the Java broker deletes files.
		for _, m := range live() {
			fmt.Fprintf(log, "== %s: restart after kill -9 with a %.1f GiB CommitLog, %d time(s)\n", m.s.Name(),
				float64(p.RestartBytes)/(1<<30), max(p.RestartReps, 1))
			restartRuns(ctx, log, m, p, topic)
			_ = m.s.Stop()
			RemoveStore(m.s)
		}
	}
	return reports
}

// finish sets the median fields from the repetitions.
func finish(r *Report) {
	if st := NewStat(durs(r.ColdStarts)); st.N > 0 {
		r.ColdStart = time.Duration(st.Median)
	}
	if st := NewStat(durs(r.Restarts)); st.N > 0 {
		r.Restart = time.Duration(st.Median)
	}
}

// GCMeter is a server that can tell how much garbage collection a run caused.
type GCMeter interface {
	// GCMark returns an opaque mark of the collections so far; GCSince what happened after it.
	GCMark(ctx context.Context) (any, error)
	GCSince(ctx context.Context, mark any) (count int64, maxPause time.Duration, source string, err error)
}

func gcRuns(ctx context.Context, log io.Writer, mems []*member, p Plan, topic string) {
	d := p.GCDuration
	if d <= 0 {
		d = 10 * time.Second
	}
	fmt.Fprintf(log, "== GC: 1 KiB x64 paced at %.0f msg/s for %s\n", p.GCRate, d)
	for rep := 0; rep < max(p.Reps, 1); rep++ {
		for _, m := range mems {
			g, ok := m.s.(GCMeter)
			if !ok || ctx.Err() != nil {
				continue
			}
			mark, err := g.GCMark(ctx)
			if err != nil {
				m.rep.errf("gc: %v", err)
				continue
			}
			t0 := time.Now()
			res, err := Send(ctx, SendConfig{Addr: m.s.Addr(), Topic: topic, Size: 1024, InFlight: 64, Wait: p.Wait,
				Duration: d, Rate: p.GCRate})
			secs := time.Since(t0).Seconds()
			if err != nil {
				m.rep.errf("gc run: %v", err)
				continue
			}
			n, maxPause, src, err := g.GCSince(ctx, mark)
			if err != nil {
				m.rep.errf("gc: %v", err)
				continue
			}
			s := GCSample{TPS: res.TPS(), Secs: secs, Count: n, MaxPause: maxPause, Source: src}
			m.rep.GC = append(m.rep.GC, s)
			fmt.Fprintf(log, "  %-12s gc #%d at %.0f msg/s: %d collections in %.1f s = %.2f/s, max pause %s ms (%s)\n",
				m.s.Name(), rep+1, s.TPS, n, secs, s.PerSec(), ms(maxPause), src)
		}
	}
}

func goClientRuns(ctx context.Context, log io.Writer, mems []*member, p Plan) {
	t := "BenchClient"
	for _, m := range mems {
		if err := CreateTopic(ctx, m.s.Addr(), t, 8); err != nil {
			m.rep.errf("create topic: %v", err)
		}
	}
	sleepCtx(ctx, time.Second) // the brokers register the topic with their name servers
	for rep := 0; rep < max(p.Reps, 1); rep++ {
		for _, m := range mems {
			if ctx.Err() != nil {
				return
			}
			cr, err := ClientSend(ctx, m.s.Namesrv(), SendConfig{Topic: t, Size: 1024, InFlight: 64, Warmup: p.Warmup, Duration: p.Duration})
			if err != nil {
				m.rep.errf("go client: %v", err)
				continue
			}
			m.rep.GoClients = append(m.rep.GoClients, cr)
			logSend(log, m.s.Name(), fmt.Sprintf("Go client x64 #%d", rep+1), cr)
		}
	}
}

func consumeWhileRuns(ctx context.Context, log io.Writer, mems []*member, p Plan) {
	for rep := 0; rep < max(p.Reps, 1); rep++ {
		for _, m := range mems {
			if ctx.Err() != nil {
				return
			}
			t := fmt.Sprintf("BenchConsume%d", rep)
			if err := CreateTopic(ctx, m.s.Addr(), t, 8); err != nil {
				m.rep.errf("create topic: %v", err)
				continue
			}
			cch := make(chan *ConsumeResult, 1)
			go func() {
				cr, err := Consume(ctx, ConsumeConfig{Addr: m.s.Addr(), Topic: t, Queues: 8, Duration: p.Duration})
				if err != nil {
					m.rep.errf("consume: %v", err)
				}
				cch <- cr
			}()
			sr, err := Send(ctx, SendConfig{Addr: m.s.Addr(), Topic: t, Size: 1024, InFlight: 64, Wait: p.Wait, Duration: p.Duration})
			cr := <-cch
			if err == nil && cr != nil {
				m.rep.ProduceWhile = append(m.rep.ProduceWhile, sr.TPS())
				m.rep.ConsumeWhile = append(m.rep.ConsumeWhile, cr.TPS())
				fmt.Fprintf(log, "  %-12s produce+consume #%d: send %.0f msg/s, consume %.0f msg/s (pull errors %d %s)\n",
					m.s.Name(), rep+1, sr.TPS(), cr.TPS(), cr.Errors, cr.First)
			}
		}
	}
}

// backlogLimit bounds a backlog produce or consume run: generous at 20,000 msg/s, at least 3 minutes.
func backlogLimit(n int64) time.Duration {
	return max(3*time.Minute, time.Duration(n/20000)*time.Second)
}

// ProduceBacklog sends n messages of size bytes in SEND_BATCH_MESSAGE requests of batch to addr's topic.
func ProduceBacklog(ctx context.Context, addr, topic string, n int64, size, batch int, wait bool) (*SendResult, error) {
	if size <= 0 {
		size = 128
	}
	if batch <= 0 {
		batch = 32
	}
	return Send(ctx, SendConfig{Addr: addr, Topic: topic, Size: size, InFlight: 32, Batch: batch, Wait: wait,
		Duration: backlogLimit(n), MaxMsgs: n})
}

func backlogRuns(ctx context.Context, log io.Writer, mems []*member, p Plan) {
	t := "BenchBacklog"
	produced := map[*member]int64{}
	for _, m := range mems {
		if err := CreateTopic(ctx, m.s.Addr(), t, 8); err != nil {
			m.rep.errf("create topic: %v", err)
			continue
		}
		sr, err := ProduceBacklog(ctx, m.s.Addr(), t, p.Backlog, p.BacklogSize, p.BacklogBatch, p.Wait)
		if err != nil {
			m.rep.errf("backlog produce: %v", err)
			continue
		}
		produced[m] = sr.Total
		m.rep.BacklogPut = float64(sr.Total) / sr.Elapsed.Seconds()
		fmt.Fprintf(log, "  %-12s backlog: produced %d x %d B (batches of %d) in %s = %.0f msg/s (errors %d %s)\n", m.s.Name(),
			sr.Total, p.BacklogSize, p.BacklogBatch, sr.Elapsed.Round(time.Millisecond), m.rep.BacklogPut, sr.Errors, sr.FirstErr)
	}
	for rep := 0; rep < max(p.Reps, 1); rep++ {
		for _, m := range mems {
			n := produced[m]
			if n == 0 || ctx.Err() != nil {
				continue
			}
			cr, err := Consume(ctx, ConsumeConfig{Addr: m.s.Addr(), Topic: t, Queues: 8, Duration: backlogLimit(n), Until: n})
			if err != nil {
				m.rep.errf("backlog consume: %v", err)
				continue
			}
			m.rep.BacklogMsgs = cr.Msgs
			m.rep.BacklogDone = cr.Msgs >= n && (rep == 0 || m.rep.BacklogDone)
			m.rep.BacklogTPS = append(m.rep.BacklogTPS, cr.TPS())
			fmt.Fprintf(log, "  %-12s backlog #%d: consumed %d in %s = %.0f msg/s\n", m.s.Name(), rep+1, cr.Msgs,
				cr.Elapsed.Round(time.Millisecond), cr.TPS())
		}
	}
}

func restartRuns(ctx context.Context, log io.Writer, m *member, p Plan, topic string) {
	// Both servers restart with the same content: a fresh store filled with the same number of 64 KiB
	// messages. Topping up what the earlier phases left would give each server a different recovery work load
	// (the faster server stores more small messages in the sweep, and abnormal recovery re-dispatches every
	// record written since the checkpoint).
	_ = m.s.Stop()
	RemoveStore(m.s)
	pid, _, err := startTimed(ctx, m.s, "BenchStart")
	if err != nil {
		m.rep.errf("restart: fresh start: %v", err)
		return
	}
	m.pid = pid
	if err := CreateTopic(ctx, m.s.Addr(), topic, 8); err != nil {
		m.rep.errf("restart: topic: %v", err)
		return
	}
	if ctx.Err() == nil {
		const big = 64 << 10
		t0 := time.Now()
		sr, err := Send(ctx, SendConfig{Addr: m.s.Addr(), Topic: topic, Size: big, InFlight: 16, Wait: p.Wait,
			Duration: 5 * time.Minute, MaxMsgs: p.RestartBytes/(big+200) + 1})
		if err != nil {
			m.rep.errf("fill: %v", err)
		} else {
			fmt.Fprintf(log, "  %s fill: %d x 64 KiB in %s\n", m.s.Name(), sr.Total, time.Since(t0).Round(time.Millisecond))
		}
	}
	for rep := 0; rep < max(p.RestartReps, 1) && ctx.Err() == nil; rep++ {
		m.rep.RestartBytes = diskUsage(filepath.Join(m.s.StoreDir(), "commitlog"))
		if err := m.s.Kill9(); err != nil {
			m.rep.errf("kill -9: %v", err)
			return
		}
		pid, d, err := startTimed(ctx, m.s, "BenchStart")
		if err != nil {
			m.rep.errf("restart: %v", err)
			return
		}
		m.pid = pid
		m.rep.Restarts = append(m.rep.Restarts, d)
		fmt.Fprintf(log, "  %s restart #%d after kill -9 with %.2f GiB commitlog: %s\n", m.s.Name(), rep+1,
			float64(m.rep.RestartBytes)/(1<<30), ms(d))
	}
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
