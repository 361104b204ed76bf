package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is a NameServer + Broker pair under test, run as separate processes on 127.0.0.1.
type Server interface {
	Name() string
	// Start launches the broker (after its name server, if that is not running) and returns the broker's
	// pid as soon as the process exists; done returns once the launcher is finished with it.
	Start(ctx context.Context) (pid int, done func() error, err error)
	Addr() string // broker address
	Namesrv() string
	Kill9() error // SIGKILL the broker only
	Stop() error  // stop everything started, bounded in time
	StoreDir() string
}

// usedPorts keeps this process from handing out a port twice.
var usedPorts = map[int]bool{}

// portRange is where server ports are picked: below the kernel's ephemeral range. A port inside it can be
// taken while a broker restarts, by an outgoing connection's local port or by a TCP self-connect of the
// client that polls the port for the first SEND_OK; the restarted broker then fails to bind.
func portRange() (lo, hi int) {
	lo, hi = 20000, 32767
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if eph, err := strconv.Atoi(f[0]); err == nil && eph > 2000 {
				hi = eph - 1
				lo = min(lo, eph/2)
			}
		}
	}
	return lo, hi
}

// freePort returns p such that p-below .. p+above are all free on the wildcard address (both servers bind it).
func freePort(below, above int) (int, error) {
	lo, hi := portRange()
	for try := 0; try < 500; try++ {
		p := lo + below + rand.IntN(hi-lo-below-above)
		ok := true
		for q := p - below; q <= p+above && ok; q++ {
			if usedPorts[q] {
				ok = false
				break
			}
			ln, err := net.Listen("tcp", ":"+strconv.Itoa(q))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			for q := p - below; q <= p+above; q++ {
				usedPorts[q] = true
			}
			return p, nil
		}
	}
	return 0, errors.New("bench: no free port")
}

func waitListening(ctx context.Context, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("bench: %s not listening after %v", addr, limit)
}

// stopProc sends SIGTERM, waits up to limit, then SIGKILL.
func stopProc(cmd *exec.Cmd, done <-chan struct{}, limit time.Duration) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return
	case <-time.After(limit):
	}
	_ = cmd.Process.Kill()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// Rocketd runs build/mqnamesrv and build/mqbroker with generated config files.
type Rocketd struct {
	Label     string
	BinDir    string   // holds mqnamesrv and mqbroker
	Dir       string   // config, logs and store; created
	ConfExtra string   // broker.conf lines (same as the Java side gets)
	Env       []string // extra environment of the broker (e.g. GODEBUG=gctrace=1)
	// MetricsAddr, when set, is the broker's metricsListenAddr (the monitoring listener: /metrics, pprof).
	MetricsAddr string

	nsPort, port int
	ns, br       *exec.Cmd
	nsDone       chan struct{}
	brDone       chan struct{}
}

func (r *Rocketd) Name() string     { return r.Label }
func (r *Rocketd) Addr() string     { return fmt.Sprintf("127.0.0.1:%d", r.port) }
func (r *Rocketd) Namesrv() string  { return fmt.Sprintf("127.0.0.1:%d", r.nsPort) }
func (r *Rocketd) StoreDir() string { return filepath.Join(r.Dir, "store") }

func (r *Rocketd) launch(name string, args ...string) (*exec.Cmd, chan struct{}, error) {
	logf, err := os.OpenFile(filepath.Join(r.Dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(filepath.Join(r.BinDir, name), args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal Ctrl-C reaches us; we stop them
	cmd.Env = os.Environ()
	if name == "mqbroker" {
		cmd.Env = append(cmd.Env, r.Env...)
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	return cmd, done, nil
}

func (r *Rocketd) Start(ctx context.Context) (int, func() error, error) {
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return 0, nil, err
	}
	var err error
	if r.ns == nil {
		if r.nsPort, err = freePort(0, 0); err != nil {
			return 0, nil, err
		}
		if r.port, err = freePort(2, 1); err != nil {
			return 0, nil, err
		}
		props := filepath.Join(r.Dir, "namesrv.properties")
		if err := os.WriteFile(props, fmt.Appendf(nil, "listenPort=%d\nkvConfigPath=%s\n", r.nsPort,
			filepath.Join(r.Dir, "namesrv", "kvConfig.json")), 0o644); err != nil {
			return 0, nil, err
		}
		if r.ns, r.nsDone, err = r.launch("mqnamesrv", "-c", props); err != nil {
			return 0, nil, err
		}
		if err := waitListening(ctx, r.Namesrv(), 20*time.Second); err != nil {
			return 0, nil, err
		}
	}
	conf := filepath.Join(r.Dir, "broker.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, `brokerClusterName=DefaultCluster
brokerName=broker-a
brokerId=0
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
namesrvAddr=%s
listenPort=%d
storePathRootDir=%s
storePathCommitLog=%s
%s
%s
`, r.Namesrv(), r.port, r.StoreDir(), filepath.Join(r.StoreDir(), "commitlog"), metricsLine(r.MetricsAddr), r.ConfExtra), 0o644); err != nil {
		return 0, nil, err
	}
	if r.br, r.brDone, err = r.launch("mqbroker", "-c", conf); err != nil {
		return 0, nil, err
	}
	return r.br.Process.Pid, func() error { return nil }, nil
}

func metricsLine(addr string) string {
	if addr == "" {
		return ""
	}
	return "metricsListenAddr=" + addr
}

type rocketdGCMark struct {
	count  int64
	logOff int64
}

func (r *Rocketd) brokerLog() string { return filepath.Join(r.Dir, "mqbroker.log") }

// GCMark reads the broker's collection count from its /metrics (needs MetricsAddr).
func (r *Rocketd) GCMark(ctx context.Context) (any, error) {
	if r.MetricsAddr == "" {
		return nil, errors.New("bench: rocketd GC figures need MetricsAddr")
	}
	off := fileSize(r.brokerLog())
	m, err := ScrapeGoGC(ctx, "http://"+r.MetricsAddr+"/metrics")
	if err != nil {
		return nil, err
	}
	return rocketdGCMark{m.Count, off}, nil
}

// GCSince: collections since mark, and the largest pause among them from the gctrace lines in the broker's
// log (GODEBUG=gctrace=1 in Env), else go_gc_duration_seconds{quantile="1"}.
func (r *Rocketd) GCSince(ctx context.Context, mark any) (int64, time.Duration, string, error) {
	mk, ok := mark.(rocketdGCMark)
	if !ok {
		return 0, 0, "", errors.New("bench: not a rocketd GC mark")
	}
	m, err := ScrapeGoGC(ctx, "http://"+r.MetricsAddr+"/metrics")
	if err != nil {
		return 0, 0, "", err
	}
	n := m.Count - mk.count
	if n <= 0 {
		return 0, 0, "/metrics", nil
	}
	pauses := GCTracePauses(fileTail(r.brokerLog(), mk.logOff), mk.count, m.Count)
	if len(pauses) == 0 {
		return n, m.MaxPause, `/metrics quantile="1"`, nil
	}
	var mx time.Duration
	for _, p := range pauses {
		mx = max(mx, p)
	}
	return n, mx, fmt.Sprintf("/metrics + gctrace (%d of %d)", len(pauses), n), nil
}

func (r *Rocketd) Kill9() error {
	if r.br == nil {
		return errors.New("bench: broker not running")
	}
	_ = r.br.Process.Kill()
	select {
	case <-r.brDone:
	case <-time.After(10 * time.Second):
		return errors.New("bench: broker did not die")
	}
	r.br = nil
	return nil
}

func (r *Rocketd) Stop() error {
	if r.br != nil {
		stopProc(r.br, r.brDone, 30*time.Second)
		r.br = nil
	}
	if r.ns != nil {
		stopProc(r.ns, r.nsDone, 10*time.Second)
		r.ns = nil
	}
	return nil
}

// Java runs the 4.9.8 reference through compat/java/ref.sh in its own work dir. The JAVA it hands ref.sh is
// java-wrap.sh, which drops -XX:+AlwaysPreTouch from the NameServer's command line, so REF_JAVA_OPTS can be
// the broker's runbroker.sh options without pre-touching a second 8 GiB heap for the (unmeasured) namesrv.
type Java struct {
	Label     string
	RefSh     string // compat/java/ref.sh
	Wrapper   string // conformance/bench/java-wrap.sh
	Work      string // REF_WORK_DIR
	JavaOpts  string // REF_JAVA_OPTS
	ConfExtra string // REF_BROKER_CONF_EXTRA
	Log       string // where ref.sh's own output goes
	// GCLogDir, when set, is where JavaOpts' -Xlog:gc:file=<GCLogDir>/gc-%p.log writes (GCMark/GCSince).
	GCLogDir string

	nsPort, port int
	pid          int
}

func (j *Java) Name() string     { return j.Label }
func (j *Java) Addr() string     { return fmt.Sprintf("127.0.0.1:%d", j.port) }
func (j *Java) Namesrv() string  { return fmt.Sprintf("127.0.0.1:%d", j.nsPort) }
func (j *Java) StoreDir() string { return filepath.Join(j.Work, "store") }

func (j *Java) env() []string {
	real, _ := exec.LookPath("java")
	if v := os.Getenv("JAVA"); v != "" {
		real = v
	}
	return append(os.Environ(),
		"REF_WORK_DIR="+j.Work,
		"REF_NAMESRV_PORT="+strconv.Itoa(j.nsPort),
		"REF_BROKER_PORT="+strconv.Itoa(j.port),
		"REF_STORE_DIR="+j.StoreDir(),
		"REF_BROKER_CONF_EXTRA="+j.ConfExtra,
		"REF_JAVA_OPTS="+j.JavaOpts,
		"JAVA="+j.Wrapper,
		"BENCH_REAL_JAVA="+real,
	)
}

func (j *Java) refsh(args ...string) *exec.Cmd {
	cmd := exec.Command(j.RefSh, args...)
	cmd.Env = j.env()
	if f, err := os.OpenFile(j.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		cmd.Stdout, cmd.Stderr = f, f
	}
	return cmd
}

var brokerPidRe = regexp.MustCompile(`(?m)^REF_BROKER_PID=(\d+)$`)

func (j *Java) Start(ctx context.Context) (int, func() error, error) {
	if err := os.MkdirAll(j.Work, 0o755); err != nil {
		return 0, nil, err
	}
	if j.Log == "" {
		j.Log = filepath.Join(j.Work, "bench-ref.log")
	}
	var err error
	if j.port == 0 {
		if j.nsPort, err = freePort(0, 0); err != nil {
			return 0, nil, err
		}
		if j.port, err = freePort(2, 1); err != nil {
			return 0, nil, err
		}
	}
	_ = j.Stop() // a leftover of an interrupted run in this work dir (ref.sh signals only its own pids)
	state := filepath.Join(j.Work, "ref.env")
	_ = os.Remove(state)
	cmd := j.refsh("start")
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var exitErr error
	gotExit := false
	done := func() error {
		if gotExit {
			return exitErr
		}
		select {
		case exitErr = <-exited:
		case <-time.After(3 * time.Minute):
			exitErr = errors.New("bench: ref.sh start did not finish")
		}
		gotExit = true
		if exitErr != nil {
			exitErr = fmt.Errorf("bench: ref.sh start: %w (see %s and %s/logs)", exitErr, j.Log, j.Work)
		}
		return exitErr
	}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(state); err == nil {
			if m := brokerPidRe.FindSubmatch(b); m != nil {
				j.pid, _ = strconv.Atoi(string(m[1]))
				return j.pid, done, nil
			}
		}
		select {
		case exitErr = <-exited:
			gotExit = true
			return 0, nil, fmt.Errorf("bench: ref.sh start exited before the broker started: %v (see %s)", exitErr, j.Log)
		case <-ctx.Done():
			_ = done()
			return 0, nil, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return 0, nil, errors.New("bench: no broker pid from ref.sh")
}

// ours reports whether pid is a JVM of this work dir (ref.sh's own rule).
func (j *Java) ours(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && strings.Contains(string(b), "-Duser.home="+j.Work+"\x00")
}

func (j *Java) gcLog() string { return filepath.Join(j.GCLogDir, fmt.Sprintf("gc-%d.log", j.pid)) }

// GCMark notes the size of the broker's -Xlog:gc file (needs GCLogDir and the option in JavaOpts).
func (j *Java) GCMark(context.Context) (any, error) {
	if j.GCLogDir == "" || j.pid == 0 {
		return nil, errors.New("bench: java GC figures need GCLogDir and a running broker")
	}
	if _, err := os.Stat(j.gcLog()); err != nil {
		return nil, fmt.Errorf("bench: java GC log: %w (is -Xlog:gc:file=%s/gc-%%p.log in the JVM options?)", err, j.GCLogDir)
	}
	return fileSize(j.gcLog()), nil
}

// GCSince counts the collections and the largest pause logged since mark.
func (j *Java) GCSince(_ context.Context, mark any) (int64, time.Duration, string, error) {
	off, ok := mark.(int64)
	if !ok {
		return 0, 0, "", errors.New("bench: not a java GC mark")
	}
	time.Sleep(200 * time.Millisecond) // the JVM's async log writer
	n, mx := JavaGCPauses(fileTail(j.gcLog(), off))
	return n, mx, "-Xlog:gc", nil
}

func (j *Java) Kill9() error {
	if j.pid == 0 || !j.ours(j.pid) {
		return errors.New("bench: java broker not running")
	}
	if err := syscall.Kill(j.pid, syscall.SIGKILL); err != nil {
		return err
	}
	for i := 0; i < 500 && j.ours(j.pid); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	// ref.sh will not start over a half-running reference: stop the namesrv too; Start relaunches both.
	return j.Stop()
}

func (j *Java) Stop() error {
	if j.Work == "" {
		return nil
	}
	cmd := j.refsh("stop")
	if err := cmd.Start(); err != nil {
		return err
	}
	ch := make(chan error, 1)
	go func() { ch <- cmd.Wait() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		return errors.New("bench: ref.sh stop did not finish")
	}
}
