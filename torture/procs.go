package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// proc is one server process.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	addr string
	done chan struct{}
	err  error
}

func startProc(name, bin, logPath, addr string, args ...string) (*proc, error) {
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, log: logPath, addr: addr, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); lf.Close(); close(p.done) }()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill9 kills the process with SIGKILL and waits for it.
func (p *proc) kill9() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM and waits up to 30 s, then SIGKILL. It reports whether the exit was clean.
func (p *proc) stop() bool {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err == nil
	case <-time.After(30 * time.Second):
		p.kill9()
		return false
	}
}

// crashed reports a Go runtime crash in the process log (panic, fatal error, SIGBUS).
func (p *proc) crashed() string {
	b, _ := os.ReadFile(p.log)
	for _, s := range []string{"fatal error:", "panic:", "SIGBUS", "SIGSEGV", "DATA RACE"} {
		if i := strings.Index(string(b), s); i >= 0 {
			return string(b[i:min(len(b), i+300)])
		}
	}
	return ""
}

func (p *proc) logContains(s string) bool {
	b, _ := os.ReadFile(p.log)
	return strings.Contains(string(b), s)
}

// rssKB is VmRSS of the process.
func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				n, _ := strconv.Atoi(f[1])
				return n
			}
		}
	}
	return -1
}

// freePorts finds a port p such that p-2..p+1 are free (a broker uses p, its VIP channel p-2), and another
// free port for HA.
func freePorts() (int, int) {
	for i := 0; i < 1000; i++ {
		p := 20000 + rand.IntN(30000)
		ok := true
		for _, q := range []int{p - 2, p - 1, p, p + 1, p + 7} {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return p, p + 7
		}
	}
	panic("no free ports")
}

// waitServing waits until a request to addr is answered (any code), at most d.
func waitServing(cl *remoting.Client, addr string, req func() *remoting.Command, d time.Duration) (time.Duration, error) {
	start := time.Now()
	for time.Since(start) < d {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := cl.InvokeSync(ctx, addr, req(), time.Second)
		cancel()
		if err == nil {
			return time.Since(start), nil
		}
		cl.CloseConn(addr)
		time.Sleep(20 * time.Millisecond)
	}
	return 0, errors.New("not serving after " + d.String())
}

type cluster struct {
	dir     string
	bin     string
	ns      *proc
	nsAddr  string
	brokers []*proc
}

func (c *cluster) startNamesrv(name string) (*proc, error) {
	port, _ := freePorts()
	dir := filepath.Join(c.dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	props := filepath.Join(dir, "namesrv.properties")
	if err := os.WriteFile(props, []byte(fmt.Sprintf("listenPort=%d\nkvConfigPath=%s\n", port, filepath.Join(dir, "kvConfig.json"))), 0o644); err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := startProc(name, filepath.Join(c.bin, "mqnamesrv"), filepath.Join(dir, "namesrv.log"), addr, "-c", props)
	if err != nil {
		return nil, err
	}
	cl := &remoting.Client{}
	defer cl.Close()
	if _, err := waitServing(cl, addr, func() *remoting.Command { return remoting.NewRequest(code.GetBrokerClusterInfo, nil, nil) }, 20*time.Second); err != nil {
		p.kill9()
		return nil, fmt.Errorf("%s: %w (log %s)", name, err, p.log)
	}
	return p, nil
}

type brokerConf struct {
	name     string
	dir      string // store root and log live here
	flush    string
	nsAddr   string
	port     int
	haPort   int
	extra    string
	confPath string
}

func (c *cluster) newBrokerConf(name, flush, nsAddr, storeRoot, extra string) (*brokerConf, error) {
	port, ha := freePorts()
	dir := filepath.Join(c.dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if storeRoot == "" {
		storeRoot = filepath.Join(dir, "store")
	}
	bc := &brokerConf{name: name, dir: dir, flush: flush, nsAddr: nsAddr, port: port, haPort: ha, extra: extra,
		confPath: filepath.Join(dir, "broker.conf")}
	text := fmt.Sprintf(`brokerClusterName=TortureCluster
brokerName=%s
brokerId=0
brokerRole=ASYNC_MASTER
flushDiskType=%s
listenPort=%d
haListenPort=%d
namesrvAddr=%s
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
storePathRootDir=%s
mappedFileSizeCommitLog=%d
maxHashSlotNum=10000
maxIndexNum=40000
autoCreateTopicEnable=true
%s
`, name, flush, port, ha, nsAddr, storeRoot, commitLogFileSize, extra)
	return bc, os.WriteFile(bc.confPath, []byte(text), 0o644)
}

const commitLogFileSize = 4 << 20

func (bc *brokerConf) addr() string { return "127.0.0.1:" + strconv.Itoa(bc.port) }

// startBroker starts the broker and waits until it answers; it returns the time until then.
// startPair starts a name server "<phase>-ns" and an ASYNC_FLUSH broker "<phase>-broker" registered with it,
// recording each step in r (bc is the broker's config); ok is false (and nothing is left running) when a step failed.
func (c *cluster) startPair(r *report, phase string) (ns, b *proc, bc *brokerConf, ok bool) {
	ns, err := c.startNamesrv(phase + "-ns")
	if !r.check(phase+" namesrv start", err == nil, "%v", err) {
		return nil, nil, nil, false
	}
	bc, err = c.newBrokerConf(phase+"-broker", "ASYNC_FLUSH", ns.addr, "", "")
	if err != nil {
		r.check(phase+" broker config", false, "%v", err)
		ns.stop()
		return nil, nil, nil, false
	}
	b, _, err = c.startBroker(bc)
	if !r.check(phase+" broker start", err == nil, "%v", err) {
		ns.stop()
		return nil, nil, nil, false
	}
	return ns, b, bc, true
}

func (c *cluster) startBroker(bc *brokerConf) (*proc, time.Duration, error) {
	p, err := startProc(bc.name, filepath.Join(c.bin, "mqbroker"), filepath.Join(bc.dir, "broker.log"), bc.addr(), "-c", bc.confPath)
	if err != nil {
		return nil, 0, err
	}
	cl := &remoting.Client{}
	defer cl.Close()
	d, err := waitServing(cl, bc.addr(), func() *remoting.Command { return remoting.NewRequest(code.GetBrokerRuntimeInfo, nil, nil) }, 60*time.Second)
	if err != nil {
		p.kill9()
		return nil, 0, fmt.Errorf("%s: %w (log %s)", bc.name, err, p.log)
	}
	return p, d, nil
}
