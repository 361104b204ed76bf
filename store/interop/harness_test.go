package interop

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// Sizes shared by both brokers (store.md §16.3: both sides must use identical size configs). Small files
// make every scenario cross a CommitLog file (BLANK tail), ConsumeQueue files and index files.
var storeConfLines = []string{
	"mappedFileSizeCommitLog=1048576",
	"mappedFileSizeConsumeQueue=6000",
	"maxHashSlotNum=1000",
	"maxIndexNum=2000",
	"flushDiskType=ASYNC_FLUSH",
	"brokerRole=ASYNC_MASTER",
	"deleteWhen=04",
	"fileReservedTime=72",
}

func repoRoot(t *testing.T) string {
	t.Helper()
	d, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		p := filepath.Dir(d)
		require.NotEqual(t, p, d, "go.mod not found")
		d = p
	}
}

func portFree(p int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
	if err != nil {
		return false
	}
	_ = l.Close()
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p), 100*time.Millisecond)
	if err == nil {
		_ = c.Close()
		return false
	}
	return true
}

// freePorts returns a namesrv port and a broker port p with p-2..p+1 free (fast port, HA port).
func freePorts(t *testing.T) (ns, broker int) {
	t.Helper()
	for i := 0; i < 500; i++ {
		p := 21000 + int(time.Now().UnixNano()%20000)
		if portFree(p-3) && portFree(p-2) && portFree(p-1) && portFree(p) && portFree(p+1) {
			return p - 3, p
		}
	}
	t.Fatal("no free ports")
	return 0, 0
}

// ---------------------------------------------------------------- Java 4.9.8 reference (compat/java/ref.sh)

type javaRef struct {
	root, work string
	env        []string
	nsAddr     string
	brokerPID  int
}

// refWorkDir is this test process's private ref.sh work dir (set by TestMain): ref.sh's stop only signals JVMs
// started for its work dir, so concurrent runs on the machine never stop each other's Java broker.
var refWorkDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rocketd-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
	refWorkDir = filepath.Join(dir, "ref")
	code := m.Run()
	if code == 0 {
		_ = os.RemoveAll(dir)
	} else {
		fmt.Fprintln(os.Stderr, "interop: Java logs kept in", refWorkDir)
	}
	os.Exit(code)
}

var harnessSnapshot string

// javaHarness returns a private copy of compat/java (ref.sh, conf, built classes, classpath), taken once
// per run: compat/java/target is shared with other work on this machine, and a rebuild there while a
// scenario starts a JVM made the broker fail with NoClassDefFoundError.
func javaHarness(t *testing.T) string {
	t.Helper()
	if harnessSnapshot != "" {
		return harnessSnapshot
	}
	src := filepath.Join(repoRoot(t), "compat/java")
	stamp := filepath.Join(src, "target/classes/.rocketd-built")
	require.Eventually(t, func() bool { _, err := os.Stat(stamp); return err == nil }, 3*time.Minute, time.Second,
		"Java harness not built (%s missing): run make java-deps", stamp)
	dst := refWorkDir + "-harness"
	require.NoError(t, os.RemoveAll(dst))
	require.NoError(t, os.MkdirAll(filepath.Join(dst, "target"), 0o755))
	for _, p := range []string{"ref.sh", "lib.sh", "conf", "target/classes", "target/classpath.txt"} {
		out, err := exec.Command("cp", "-a", filepath.Join(src, p), filepath.Join(dst, p)).CombinedOutput()
		require.NoError(t, err, "copy %s: %s", p, out)
	}
	harnessSnapshot = dst
	return dst
}

// startJava starts the Java namesrv and broker; extra broker.conf lines come after storeConfLines (Java's
// Properties keep the last value of a key, so they override).
func startJava(t *testing.T, storeDir string, nsPort, brokerPort int, extra ...string) *javaRef {
	t.Helper()
	return startJavaIn(t, refWorkDir, storeDir, nsPort, brokerPort, extra...)
}

// startJavaIn is startJava with its own ref.sh work dir (a second Java broker next to the first).
func startJavaIn(t *testing.T, work, storeDir string, nsPort, brokerPort int, extra ...string) *javaRef {
	t.Helper()
	root := javaHarness(t)
	j := &javaRef{root: root, work: work}
	j.env = append(os.Environ(),
		"REF_WORK_DIR="+j.work,
		"REF_STORE_DIR="+storeDir,
		"REF_NAMESRV_PORT="+strconv.Itoa(nsPort),
		"REF_BROKER_PORT="+strconv.Itoa(brokerPort),
		"REF_BROKER_CONF_EXTRA="+strings.Join(append(append([]string(nil), storeConfLines...), extra...), "\n"),
		"REF_STOP_TIMEOUT=40",
		"REF_START_TIMEOUT=120",
	)
	j.run(t, "stop") // leftovers of an interrupted run
	start := time.Now()
	out := j.run(t, "start")
	t.Logf("java reference up in %v", time.Since(start).Round(time.Millisecond))
	for _, line := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "REF_NAMESRV_ADDR":
			j.nsAddr = v
		case "REF_BROKER_PID":
			j.brokerPID, _ = strconv.Atoi(v)
		}
	}
	require.NotEmpty(t, j.nsAddr, out)
	require.NotZero(t, j.brokerPID, out)
	t.Cleanup(func() { j.run(t, "stop") })
	return j
}

func (j *javaRef) run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(j.root, "ref.sh"), args...)
	cmd.Env = j.env
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	require.NoError(t, err, "ref.sh %v: %s\n%s", args, out, errb.String())
	return string(out)
}

// stop stops namesrv and broker cleanly (SIGTERM; the broker's shutdown hook flushes and removes abort).
func (j *javaRef) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	j.run(t, "stop")
	t.Logf("java reference stopped in %v", time.Since(start).Round(time.Millisecond))
}

// stopBroker stops only the Java broker (SIGTERM: its shutdown hook flushes and removes abort); the name
// server keeps running.
func (j *javaRef) stopBroker(t *testing.T) {
	t.Helper()
	require.NoError(t, syscall.Kill(j.brokerPID, syscall.SIGTERM))
	require.Eventually(t, func() bool { return syscall.Kill(j.brokerPID, 0) != nil }, 60*time.Second, 100*time.Millisecond,
		"Java broker exits after SIGTERM")
}

// kill9 SIGKILLs the broker (the namesrv is stopped normally afterwards).
func (j *javaRef) kill9(t *testing.T) {
	t.Helper()
	require.NoError(t, syscall.Kill(j.brokerPID, syscall.SIGKILL))
	require.Eventually(t, func() bool { return syscall.Kill(j.brokerPID, 0) != nil }, 10*time.Second, 50*time.Millisecond)
	j.run(t, "stop")
}

// ---------------------------------------------------------------- rocketd as processes (build/mqnamesrv, build/mqbroker)

type rocketd struct {
	ns, broker *exec.Cmd
	nsAddr     string
	brokerAddr string
	brokerLog  string
	exited     chan struct{}
}

var builtBins string

// buildRocketd builds mqnamesrv and mqbroker once per test binary run.
func buildRocketd(t *testing.T) string {
	t.Helper()
	if builtBins != "" {
		return builtBins
	}
	dir := filepath.Join(filepath.Dir(refWorkDir), "bin") // removed with the rest by TestMain
	require.NoError(t, os.MkdirAll(dir, 0o755))
	root := repoRoot(t)
	for _, b := range []string{"mqnamesrv", "mqbroker"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, b), "./bin/"+b)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go build %s: %s", b, out)
	}
	builtBins = dir
	return dir
}

func startRocketd(t *testing.T, storeDir string, nsPort, brokerPort int, extra ...string) *rocketd {
	t.Helper()
	bins := buildRocketd(t)
	work := t.TempDir()
	r := &rocketd{nsAddr: fmt.Sprintf("127.0.0.1:%d", nsPort), brokerAddr: fmt.Sprintf("127.0.0.1:%d", brokerPort),
		exited: make(chan struct{})}
	nsConf := filepath.Join(work, "namesrv.properties")
	require.NoError(t, os.WriteFile(nsConf, []byte(fmt.Sprintf("listenPort=%d\nkvConfigPath=%s\n", nsPort,
		filepath.Join(work, "kvConfig.json"))), 0o644))
	r.ns = exec.Command(filepath.Join(bins, "mqnamesrv"), "-c", nsConf)
	nsLog, err := os.Create(filepath.Join(work, "namesrv.log"))
	require.NoError(t, err)
	r.ns.Stdout, r.ns.Stderr = nsLog, nsLog
	require.NoError(t, r.ns.Start())
	t.Cleanup(func() { _ = r.ns.Process.Kill(); r.stopNS() })
	waitPort(t, nsPort)

	lines := append([]string{
		"brokerClusterName=DefaultCluster", "brokerName=broker-a", "brokerId=0",
		"brokerIP1=127.0.0.1", "brokerIP2=127.0.0.1",
		fmt.Sprintf("listenPort=%d", brokerPort),
		"storePathRootDir=" + storeDir,
		"storePathCommitLog=" + filepath.Join(storeDir, "commitlog"),
	}, storeConfLines...)
	lines = append(lines, extra...)
	bConf := filepath.Join(work, "broker.conf")
	require.NoError(t, os.WriteFile(bConf, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	r.brokerLog = filepath.Join(work, "broker.log")
	bl, err := os.Create(r.brokerLog)
	require.NoError(t, err)
	r.broker = exec.Command(filepath.Join(bins, "mqbroker"), "-c", bConf, "-n", r.nsAddr)
	r.broker.Stdout, r.broker.Stderr = bl, bl
	require.NoError(t, r.broker.Start())
	go func() { _ = r.broker.Wait(); close(r.exited) }()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			_ = r.broker.Process.Kill()
			<-r.exited
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for !r.registered(t) {
		select {
		case <-r.exited:
			t.Fatalf("rocketd broker exited early:\n%s", tail(r.brokerLog))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("rocketd broker not registered within 60s:\n%s", tail(r.brokerLog))
		}
		time.Sleep(200 * time.Millisecond)
	}
	return r
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func waitPort(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("port %d never opened", port)
}

func (r *rocketd) registered(t *testing.T) bool {
	cl := &remoting.Client{}
	defer cl.Close()
	resp, err := cl.InvokeSync(context.Background(), r.nsAddr, remoting.NewRequest(code.GetBrokerClusterInfo, nil, nil), 2*time.Second)
	return err == nil && resp.Code == code.Success && strings.Contains(string(resp.Body), r.brokerAddr)
}

// stop sends SIGTERM and waits for a clean exit.
func (r *rocketd) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, r.broker.Process.Signal(syscall.SIGTERM))
	select {
	case <-r.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("rocketd broker did not stop within 60s:\n%s", tail(r.brokerLog))
	}
	require.True(t, r.broker.ProcessState.Success(), "broker exit: %v\n%s", r.broker.ProcessState, tail(r.brokerLog))
	r.stopNS()
}

func (r *rocketd) stopNS() {
	_ = r.ns.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.ns.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = r.ns.Process.Kill()
	}
}

func (r *rocketd) kill9(t *testing.T) {
	t.Helper()
	require.NoError(t, r.broker.Process.Signal(syscall.SIGKILL))
	<-r.exited
	r.stopNS()
}

// createTopic sends UPDATE_AND_CREATE_TOPIC to the broker (same request for Java and rocketd).
func createTopic(t *testing.T, brokerAddr, topic string, queues int) {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	ext := map[string]string{"topic": topic, "defaultTopic": "TBW102", "readQueueNums": strconv.Itoa(queues),
		"writeQueueNums": strconv.Itoa(queues), "perm": "6", "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false"}
	resp, err := cl.InvokeSync(context.Background(), brokerAddr, remoting.NewRequest(code.UpdateAndCreateTopic, ext, nil), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
}

// waitRoute waits until the namesrv has a route for topic.
func waitRoute(t *testing.T, nsAddr, topic string) {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	require.Eventually(t, func() bool {
		resp, err := cl.InvokeSync(context.Background(), nsAddr,
			remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": topic}, nil), 2*time.Second)
		return err == nil && resp.Code == code.Success
	}, 60*time.Second, 200*time.Millisecond, "route of %s", topic)
}
