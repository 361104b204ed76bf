package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rocketd/rocketd/conformance/bench"
)

// javaDefaultOpts are the broker JVM options of the 4.9.8 distribution's bin/runbroker.sh on JDK 9+
// (G1 branch), minus its GC log file option.
const javaDefaultOpts = "-Xms8g -Xmx8g -XX:+UseG1GC -XX:G1HeapRegionSize=16m -XX:G1ReservePercent=25 " +
	"-XX:InitiatingHeapOccupancyPercent=30 -XX:SoftRefLRUPolicyMSPerMB=0 -XX:-OmitStackTraceInFastThrow " +
	"-XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=15g -XX:-UseLargePages -XX:-UseBiasedLocking"

// javaSmallOpts is compat/java/ref.sh's default heap.
const javaSmallOpts = "-Xms256m -Xmx256m -XX:MaxDirectMemorySize=256m"

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func uptime() string {
	b, err := exec.Command("uptime").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

func cmdCompare(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	root := fs.String("root", ".", "repository root (holds build/mqnamesrv, build/mqbroker, compat/java/ref.sh)")
	binDir := fs.String("bin", "", "directory of mqnamesrv and mqbroker (default <root>/build)")
	work := fs.String("work", "/tmp/rocketd-bench", "rocketd work dir (config, logs, store; wiped)")
	refWork := fs.String("ref-work", "/tmp/rocketd-bench-ref", "REF_WORK_DIR of the Java reference (its own; store wiped)")
	warmup := fs.Duration("warmup", time.Second, "unmeasured load before each measured send run")
	duration := fs.Duration("duration", 5*time.Second, "measured time of each send run")
	reps := fs.Int("reps", 3, "repetitions of each send/consume/backlog/GC point, interleaved between the servers")
	coldReps := fs.Int("cold-reps", 3, "cold starts per ASYNC_FLUSH server (the SYNC_FLUSH and small-heap servers start once)")
	restartReps := fs.Int("restart-reps", 3, "kill -9 + restarts per server (each recovers the full CommitLog)")
	smallReps := fs.Int("small-reps", 1, "repetitions of the small-heap Java broker's points")
	sizes := fs.String("sizes", "1024,128", "message sizes of the ASYNC_FLUSH send sweep")
	inflights := fs.String("inflights", "1,16,64,256", "in-flight counts of the ASYNC_FLUSH send sweep")
	syncInflights := fs.String("sync-inflights", "1,16,64,256", "in-flight counts of the SYNC_FLUSH 1 KiB sweep (empty: skip)")
	smallInflights := fs.String("small-inflights", "16,64,256", "1 KiB in-flight counts for the small-heap Java broker (empty: skip)")
	backlog := fs.Int64("backlog", 10_000_000, "backlog catch-up: messages produced once, then consumed from offset 0 -reps times (0: skip)")
	backlogSize := fs.Int("backlog-size", 128, "backlog message body bytes")
	backlogBatch := fs.Int("backlog-batch", 32, "backlog produced in SEND_BATCH_MESSAGE requests of this many (1: single sends)")
	hugeBacklog := fs.Int64("huge-backlog", 0, "instead of the comparison: 1 KiB x64 send TPS on an empty store vs with this many "+
		"-backlog-size messages stored unconsumed, for each server in turn (make bench-backlog: 100000000)")
	restartGiB := fs.Float64("restart-gib", 10, "CommitLog size (GiB) the broker is filled to before kill -9 and restart")
	jitWarmup := fs.Duration("jit-warmup", 5*time.Second, "unmeasured 1 KiB x64 load before each server's sweep")
	gcRate := fs.Float64("gc-rate", 60000, "GC figure: 1 KiB x64 sends paced at this many msg/s (0: skip)")
	gcDuration := fs.Duration("gc-duration", 10*time.Second, "length of each paced GC run")
	javaGC := fs.Bool("java-gc", true, "add -Xlog:gc:file=<ref-work>/gc/gc-%p.log to the Java broker's options (its GC figure)")
	allocCount := fs.Int("alloc-count", 3, "runs of go test -bench SendV2RoundTrip for the allocation row (0: skip)")
	javaOpts := fs.String("java-opts", javaDefaultOpts, "JVM options of the Java broker (default: runbroker.sh of 4.9.8)")
	smallOpts := fs.String("java-small-opts", javaSmallOpts, "JVM options of the small-heap Java broker")
	withJava := fs.Bool("java", true, "run the Java reference")
	confExtra := fs.String("conf-extra", "", "extra broker.conf lines for both servers, ';'-separated (e.g. 'sendMessageThreadPoolNums=4')")
	withRocketd := fs.Bool("rocketd", true, "run rocketd")
	withEcho := fs.Bool("echo", true, "run the echo limit")
	diskMB := fs.Int64("disk-mb", 1024, "MiB for the sequential write test (0: skip)")
	profileDir := fs.String("profile-dir", "", "capture rocketd CPU and alloc profiles (pprof) into this dir during an extra 1 KiB x64 run")
	jsonOut := fs.String("json", "", "also write the results as JSON here")
	logFile := fs.String("log", "", "also write the progress log (stderr) here")
	outFile := fs.String("out", "", "also write the table (stdout) here")
	_ = fs.Parse(args)
	var log io.Writer = os.Stderr
	var out io.Writer = os.Stdout
	if *logFile != "" {
		f, err := os.Create(*logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		log = io.MultiWriter(os.Stderr, f)
	}
	if *outFile != "" {
		f, err := os.Create(*outFile)
		if err != nil {
			return err
		}
		defer f.Close()
		out = io.MultiWriter(os.Stdout, f)
	}

	log = &stampWriter{w: log, t0: time.Now()}

	absRoot, err := filepath.Abs(*root)
	if err != nil {
		return err
	}
	bins := *binDir
	if bins == "" {
		bins = filepath.Join(absRoot, "build")
	}
	t0 := time.Now()
	brokerOpts := *javaOpts
	gcDir := filepath.Join(*refWork, "gc")
	if *javaGC && *gcRate > 0 && *hugeBacklog == 0 {
		brokerOpts += " -Xlog:gc:file=" + filepath.Join(gcDir, "gc-%p.log")
	}
	res := &bench.Results{
		Date: t0.UTC(), Sizes: ints(*sizes), InFlights: ints(*inflights), SyncInFl: ints(*syncInflights),
		Reps: max(*reps, 1), ColdReps: max(*coldReps, 1), RestReps: max(*restartReps, 1), GCRate: *gcRate,
		Backlog: *backlog, BacklogSize: *backlogSize, Warmup: *warmup, Duration: *duration, JavaOpts: brokerOpts, JavaSmallOpts: *smallOpts,
	}
	res.Uptime = "start: " + uptime()
	res.Command = strings.Join(os.Args, " ")
	if b, err := exec.Command("git", "-C", absRoot, "describe", "--always", "--dirty").Output(); err == nil {
		res.Commit = strings.TrimSpace(string(b))
	}
	fmt.Fprintf(log, "bench-compare %s\n%s\n", t0.UTC().Format(time.RFC3339), res.Uptime)
	if err := os.RemoveAll(*work); err != nil {
		return err
	}
	if err := os.MkdirAll(*work, 0o755); err != nil {
		return err
	}
	extraLines := strings.ReplaceAll(*confExtra, ";", "\n")
	rocketd := func(label, extra string) *bench.Rocketd {
		extra += "\n" + extraLines
		return &bench.Rocketd{Label: label, BinDir: bins, Dir: filepath.Join(*work, label), ConfExtra: extra}
	}
	var java func(label, opts, extra string) *bench.Java
	if *withJava {
		harness, err := snapshotHarness(ctx, log, filepath.Join(absRoot, "compat/java"), filepath.Join(*refWork, "harness"))
		if err != nil {
			return err
		}
		_ = os.RemoveAll(filepath.Join(*refWork, "store"))
		_ = os.RemoveAll(gcDir)
		if err := os.MkdirAll(gcDir, 0o755); err != nil {
			return err
		}
		java = func(label, opts, extra string) *bench.Java {
			extra += "\n" + extraLines
			return &bench.Java{Label: label, RefSh: filepath.Join(harness, "ref.sh"), GCLogDir: gcDir,
				Wrapper: filepath.Join(absRoot, "conformance/bench/java-wrap.sh"), Work: *refWork, JavaOpts: opts, ConfExtra: extra}
		}
	}
	if *hugeBacklog > 0 {
		var servers []bench.Server
		if *withRocketd {
			servers = append(servers, rocketd("rocketd", "flushDiskType=ASYNC_FLUSH"))
		}
		if java != nil {
			servers = append(servers, java("java", brokerOpts, "flushDiskType=ASYNC_FLUSH"))
		}
		h := bench.HugeBacklog(ctx, log, servers, bench.HugeConfig{Msgs: *hugeBacklog, Size: *backlogSize, Batch: *backlogBatch,
			Reps: max(*reps, 1), JITWarmup: *jitWarmup, Warmup: *warmup, Duration: *duration})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Fprintf(out, "\nbench-backlog %s, commit %s, took %s, %d CPUs\n%s\n%s\nend:   %s\n", res.Date.Format(time.RFC3339), res.Commit,
			time.Since(t0).Round(time.Second), numCPU(), res.Command, res.Uptime, uptime())
		h.Print(out)
		return writeJSON(*jsonOut, h)
	}

	full := bench.Plan{Sizes: res.Sizes, InFlights: res.InFlights, Wait: true, Reps: *reps, ColdReps: *coldReps,
		ConsumeWhile: true, GoClient: true, GCRate: *gcRate, GCDuration: *gcDuration, Backlog: *backlog,
		BacklogSize: *backlogSize, BacklogBatch: *backlogBatch, Restart: true, RestartReps: *restartReps,
		RestartBytes: int64(*restartGiB * (1 << 30)), JITWarmup: *jitWarmup, Warmup: *warmup, Duration: *duration}
	syncPlan := bench.Plan{Sizes: []int{1024}, InFlights: res.SyncInFl, Wait: true, Reps: *reps, JITWarmup: *jitWarmup,
		Warmup: *warmup, Duration: *duration}

	// The allocation figure first, while the machine is otherwise idle for this run.
	if *allocCount > 0 && ctx.Err() == nil {
		fmt.Fprintf(log, "== send path allocations: go test ./broker -bench SendV2RoundTrip -benchmem -count %d\n", *allocCount)
		goBin := os.Getenv("GO")
		if goBin == "" {
			goBin = "go"
		}
		a, err := bench.RunAllocBench(ctx, goBin, absRoot, *allocCount)
		if err != nil {
			fmt.Fprintf(log, "  alloc bench: %v\n", err)
		}
		if a != nil && a.N > 0 {
			res.Alloc = a
			fmt.Fprintf(log, "  %s\n", a.Cell())
		}
	}
	// Physical limits: the disk, then the echo server (its own process, like a broker) joins the ASYNC sweep.
	if *diskMB > 0 && ctx.Err() == nil {
		fmt.Fprintf(log, "== disk: %d MiB sequential write in %s\n", *diskMB, *work)
		if d, err := bench.DiskWrite(*work, *diskMB<<20, 1<<20); err != nil {
			fmt.Fprintf(log, "  disk: %v\n", err)
		} else {
			res.Disk = d
			fmt.Fprintf(log, "  disk %.0f MB/s\n", d.MBps())
		}
	}
	var echo []*bench.Target
	if ctx.Err() == nil && *withEcho {
		t, stop := startEcho(log)
		defer stop()
		res.Echo = t.Rep
		if t.Addr != "" {
			echo = append(echo, t)
		}
	}

	// Phase 1, ASYNC_FLUSH: rocketd and the distribution-default Java broker up side by side.
	var rd *bench.Rocketd
	var servers []bench.Server
	if *withRocketd {
		rd = rocketd("rocketd", "flushDiskType=ASYNC_FLUSH")
		rd.Env = []string{"GODEBUG=gctrace=1"} // the GC figure's pauses
		if port, err := bench.FreePort(); err == nil {
			rd.MetricsAddr = "127.0.0.1:" + strconv.Itoa(port)
		}
		if *profileDir != "" && rd.MetricsAddr != "" {
			full.Profile = func(ctx context.Context, s bench.Server) {
				if s == bench.Server(rd) {
					captureProfiles(ctx, log, s, rd.MetricsAddr, *profileDir)
				}
			}
		}
		servers = append(servers, rd)
	}
	if java != nil {
		servers = append(servers, java("java", brokerOpts, "flushDiskType=ASYNC_FLUSH"))
	}
	if ctx.Err() == nil && (len(servers) > 0 || len(echo) > 0) {
		fmt.Fprintf(log, "== phase ASYNC_FLUSH: %d server(s) side by side\n", len(servers))
		reps := bench.Run(ctx, log, full, servers, echo...)
		for i, s := range servers {
			if s == bench.Server(rd) {
				res.Rocketd = reps[i]
			} else {
				res.Java = reps[i]
			}
		}
	}
	// Phase 2, SYNC_FLUSH: the same pair, sends only.
	if ctx.Err() == nil && len(res.SyncInFl) > 0 {
		var rs *bench.Rocketd
		var servers []bench.Server
		if *withRocketd {
			rs = rocketd("rocketd-sync", "flushDiskType=SYNC_FLUSH")
			servers = append(servers, rs)
		}
		if java != nil {
			servers = append(servers, java("java-sync", brokerOpts, "flushDiskType=SYNC_FLUSH"))
		}
		fmt.Fprintf(log, "== phase SYNC_FLUSH: %d server(s) side by side\n", len(servers))
		reps := bench.Run(ctx, log, syncPlan, servers)
		for i, s := range servers {
			if s == bench.Server(rs) {
				res.RocketdSync = reps[i]
			} else {
				res.JavaSync = reps[i]
			}
		}
	}
	// Phase 3: the small-heap Java broker alone.
	if si := ints(*smallInflights); ctx.Err() == nil && java != nil && len(si) > 0 {
		fmt.Fprintf(log, "== phase java small heap\n")
		j := java("java-small", *smallOpts, "flushDiskType=ASYNC_FLUSH")
		res.JavaSmall = bench.Run(ctx, log, bench.Plan{Sizes: []int{1024}, InFlights: si, Wait: true, Reps: *smallReps,
			JITWarmup: *jitWarmup, Warmup: *warmup, Duration: *duration}, []bench.Server{j})[0]
	}
	res.Took = time.Since(t0)
	res.Uptime += "\nend:   " + uptime()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	fmt.Fprintf(out, "\nbench-compare %s, commit %s, took %s, %d CPUs\n%s\n%s\n", res.Date.Format(time.RFC3339), res.Commit,
		res.Took.Round(time.Second), numCPU(), res.Command, res.Uptime)
	fmt.Fprintf(out, "ASYNC_FLUSH unless marked; WAIT=true; raw SEND_MESSAGE_V2 over 1 connection; %s warmup + %s per send run; "+
		"rocketd and Java up side by side, runs interleaved; java JVM: %s; small: %s (%d rep(s))\n",
		*warmup, *duration, brokerOpts, *smallOpts, max(*smallReps, 1))
	res.Print(out)
	return writeJSON(*jsonOut, res)
}

// stampWriter prefixes the progress log's "==" step lines with the time since the start, so the log shows
// where a run's minutes go.
type stampWriter struct {
	w  io.Writer
	t0 time.Time
}

func (s *stampWriter) Write(b []byte) (int, error) {
	if bytes.HasPrefix(b, []byte("==")) {
		d := time.Since(s.t0).Round(time.Second)
		if _, err := fmt.Fprintf(s.w, "[+%02d:%02d] ", int(d.Minutes()), int(d.Seconds())%60); err != nil {
			return 0, err
		}
	}
	return s.w.Write(b)
}

func writeJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return os.WriteFile(path, b, 0o644)
}

// snapshotHarness copies ref.sh, its logback configs and the compiled classes (target/classes,
// target/classpath.txt) to dst, so a concurrent rebuild of compat/java/target cannot pull classes from
// under a running reference. It waits (bounded) until the key classes are present.
func snapshotHarness(ctx context.Context, log io.Writer, src, dst string) (string, error) {
	need := []string{
		"target/classpath.txt",
		"target/classes/org/apache/rocketmq/broker/BrokerStartup.class",
		"target/classes/org/apache/rocketmq/broker/processor/SendMessageProcessor.class",
		"target/classes/org/apache/rocketmq/namesrv/NamesrvStartup.class",
		"target/classes/io/rocketd/compat/RouteProbe.class",
	}
	complete := func(root string) bool {
		for _, f := range need {
			if _, err := os.Stat(filepath.Join(root, f)); err != nil {
				return false
			}
		}
		return true
	}
	for try := 0; ; try++ {
		if complete(src) {
			_ = os.RemoveAll(dst)
			if err := os.MkdirAll(filepath.Join(dst, "target"), 0o755); err != nil {
				return "", err
			}
			cp := exec.Command("cp", "-a", filepath.Join(src, "ref.sh"), filepath.Join(src, "lib.sh"), filepath.Join(src, "conf"), dst)
			cp2 := exec.Command("cp", "-a", filepath.Join(src, "target/classes"), filepath.Join(src, "target/classpath.txt"), filepath.Join(dst, "target"))
			if out, err := cp.CombinedOutput(); err != nil {
				return "", fmt.Errorf("snapshot harness: %v %s", err, out)
			}
			if out, err := cp2.CombinedOutput(); err != nil {
				return "", fmt.Errorf("snapshot harness: %v %s", err, out)
			}
			if complete(dst) {
				fmt.Fprintf(log, "== Java harness snapshot: %s\n", dst)
				return dst, nil
			}
		}
		if try >= 24 || ctx.Err() != nil {
			return "", fmt.Errorf("compat/java/target is incomplete (run make java-deps): missing one of %v", need)
		}
		sleepCtx(ctx, 5*time.Second)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

func numCPU() int {
	b, _ := exec.Command("nproc").Output()
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// startEcho starts `mqbench echo` as its own process, for the ASYNC sweep; stop ends it.
func startEcho(log io.Writer) (t *bench.Target, stop func()) {
	rep := &bench.Report{Name: "echo"}
	t = &bench.Target{Name: "echo", Rep: rep}
	self, err := os.Executable()
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
		return t, func() {}
	}
	cmd := exec.Command(self, "echo", "-addr", "127.0.0.1:0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
		return t, func() {}
	}
	if err := cmd.Start(); err != nil {
		rep.Errors = append(rep.Errors, err.Error())
		return t, func() {}
	}
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		rep.Errors = append(rep.Errors, "echo: "+err.Error())
		return t, stop
	}
	t.Addr = strings.TrimSpace(strings.TrimPrefix(line, "echo listening "))
	fmt.Fprintf(log, "== echo (canned SEND_OK, pid %d) on %s\n", cmd.Process.Pid, t.Addr)
	return t, stop
}

// captureProfiles runs 1 KiB x64 sends for 10 s while fetching a CPU profile and an alloc delta profile from
// the broker's ROCKETD_PPROF listener, then prints the top entries of each.
func captureProfiles(ctx context.Context, log io.Writer, s bench.Server, addr, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(log, "  profile: %v\n", err)
		return
	}
	fmt.Fprintf(log, "== %s: profile run (1 KiB x64, 10 s; not part of the table)\n", s.Name())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r, err := bench.Send(ctx, bench.SendConfig{Addr: s.Addr(), Topic: "BenchTopic", Size: 1024, InFlight: 64, Wait: true, Duration: 10 * time.Second})
		if err == nil {
			fmt.Fprintf(log, "  profiled run: %.0f msg/s\n", r.TPS())
		}
	}()
	time.Sleep(time.Second)
	fetch := func(name, url string) {
		defer wg.Done()
		cl := &http.Client{Timeout: 30 * time.Second}
		resp, err := cl.Get(url)
		if err != nil {
			fmt.Fprintf(log, "  profile %s: %v\n", name, err)
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return
		}
		_, _ = io.Copy(f, resp.Body)
		f.Close()
	}
	wg.Add(2)
	go fetch("cpu.pprof", "http://"+addr+"/debug/pprof/profile?seconds=8")
	go fetch("allocs.pprof", "http://"+addr+"/debug/pprof/allocs?seconds=8")
	wg.Wait()
	for _, pr := range []struct{ file, idx string }{{"cpu.pprof", ""}, {"allocs.pprof", "-sample_index=alloc_space"}} {
		for _, sort := range []string{"", "-cum"} {
			args := []string{"tool", "pprof", "-top", "-nodecount=40"}
			if pr.idx != "" {
				args = append(args, pr.idx)
			}
			if sort != "" {
				args = append(args, sort)
			}
			args = append(args, filepath.Join(dir, pr.file))
			out, err := exec.Command("go", args...).CombinedOutput()
			if err != nil {
				fmt.Fprintf(log, "  go tool pprof %s: %v\n", pr.file, err)
				continue
			}
			_ = os.WriteFile(filepath.Join(dir, strings.TrimSuffix(pr.file, ".pprof")+"-top"+sort+".txt"), out, 0o644)
		}
		fmt.Fprintf(log, "  %s: top lists in %s\n", pr.file, dir)
	}
}
