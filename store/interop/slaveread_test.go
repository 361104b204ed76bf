package interop

// Reads from the slave with the unmodified Java 4.9.8 client, against a rocketd pair and a Java 4.9.8 pair in
// the same run (TestSlaveReadAsJava):
//
//   - slaveReadEnable=true: when a pull leaves more of the CommitLog behind it than accessMessageInMemoryMaxRatio
//     percent of physical memory (Java DefaultMessageStore.getMessage: maxOffsetPy - maxPhyOffsetPulling >
//     TOTAL_PHYSICAL_MEMORY_SIZE * ratio / 100), the master answers suggestWhichBrokerId = the group's
//     whichBrokerWhenConsumeSlowly (1) and the client's next pull goes to the slave. The trigger is made
//     deterministic with accessMessageInMemoryMaxRatio=0 on the master, a setting both brokers take: any
//     message left behind the pulled one is "too much"; back at the default 40 % the answer is 0. With
//     slaveReadEnable=false the answer is 0 and the client never pulls from the slave (both settings changed
//     at run time with UPDATE_BROKER_CONFIG, which both brokers apply at once).
//   - offsetCheckInSlave=true: a slave answers an out-of-range pull with PULL_OFFSET_MOVED and the corrected
//     nextBeginOffset, as a master does (a raw pull, and the Java DefaultMQPullConsumer with the master down:
//     OFFSET_ILLEGAL).
//   - A clustering push consumer started while the master is down reads from the slave, then continues on the
//     restarted master; rocketd delivers no more duplicates than Java.

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// pairUnderTest is a running master/slave pair, rocketd's or Java's.
type pairUnderTest struct {
	name                  string
	nsAddr                string // the name server the clients use; it outlives the master
	masterAddr, slaveAddr string
	stopMaster            func()
	restartMaster         func() // with the default settings
}

// slaveReadTuning: the master sends a consumer that leaves anything behind to the slave; both brokers let a
// consumer read the slave; the slave corrects out-of-range offsets.
var slaveReadTuning = []string{"slaveReadEnable=true", "accessMessageInMemoryMaxRatio=0", "offsetCheckInSlave=true"}

func TestSlaveReadAsJava(t *testing.T) {
	needInterop(t)
	tune := func(b *conf.Broker) {
		b.Broker.SlaveReadEnable = true
		b.Store.AccessMessageInMemoryMaxRatio = 0
		b.Store.OffsetCheckInSlave = true
	}

	// rocketd pair with its name server.
	nc := conf.DefaultNamesrv()
	nc.Namesrv.KvConfigPath = filepath.Join(t.TempDir(), "kvConfig.json")
	ns, err := namesrv.New(nc, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	require.NoError(t, err)
	require.NoError(t, ns.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = ns.Close() })
	_, mport := freePorts(t)
	mroot := filepath.Join(t.TempDir(), "store")
	master := startInProcessTuned(t, ns.Addr(), conf.AsyncMaster, mroot, mport, tune)
	_, sport := freePorts(t)
	startInProcessTuned(t, ns.Addr(), conf.Slave, filepath.Join(t.TempDir(), "store"), sport, tune)
	rd := &pairUnderTest{name: "rocketd", nsAddr: ns.Addr(),
		masterAddr: "127.0.0.1:" + strconv.Itoa(mport), slaveAddr: "127.0.0.1:" + strconv.Itoa(sport),
		stopMaster: func() { require.NoError(t, master.Close()) },
		restartMaster: func() {
			master = startInProcessAt(t, ns.Addr(), conf.AsyncMaster, mroot, mport)
		}}
	rdDups := runSlaveRead(t, rd)

	// Java pair: both brokers register with both name servers (ref.sh waits for each broker on its own); the
	// clients use the master's, which stays up: only the master's broker JVM stops and restarts. The slave
	// replicates from haMasterAddress at once; its metadata sync learns the master from a registration result.
	nsM, jmPort := freePorts(t)
	nsS, jsPort := freePorts(t)
	nsList := fmt.Sprintf("namesrvAddr=127.0.0.1:%d;127.0.0.1:%d", nsM, nsS)
	jm := startJava(t, storeDir(t), nsM, jmPort, append(append([]string(nil), slaveReadTuning...), nsList)...)
	startJavaIn(t, refWorkDir+"-slave", storeDir(t), nsS, jsPort, append(append([]string(nil), slaveReadTuning...),
		nsList, "brokerId=1", "brokerRole=SLAVE", fmt.Sprintf("haMasterAddress=127.0.0.1:%d", jmPort+1))...)
	var jmArgs []string
	jv := &pairUnderTest{name: "Java", nsAddr: jm.nsAddr,
		masterAddr: "127.0.0.1:" + strconv.Itoa(jmPort), slaveAddr: "127.0.0.1:" + strconv.Itoa(jsPort),
		stopMaster: func() { jmArgs = jm.stopBrokerForRestart(t) },
		restartMaster: func() {
			jm.startBrokerAgain(t, jmArgs, slaveReadTuning) // the defaults: slaveReadEnable=false, ratio 40
		}}
	javaDups := runSlaveRead(t, jv)

	t.Logf("duplicates across the master's absence: rocketd %d, Java %d", rdDups, javaDups)
	require.LessOrEqual(t, rdDups, javaDups, "rocketd delivers no more duplicates than Java")
}

// runSlaveRead runs the scenarios on one pair and returns the duplicates of the master-down scenario.
func runSlaveRead(t *testing.T, p *pairUnderTest) int {
	t.Helper()
	createTopic(t, p.masterAddr, topicA, 4)
	createTopic(t, p.masterAddr, topicB, 2)
	waitTopicsOn(t, p.slaveAddr, topicA, topicB) // the slave's metadata sync
	waitRouteHas(t, p.nsAddr, topicA, p.masterAddr, p.slaveAddr)
	waitRouteHas(t, p.nsAddr, topicB, p.masterAddr, p.slaveAddr)
	first := onlyTopicA(produce(t, p.nsAddr, 0, 120))
	requireServes(t, p.slaveAddr, first) // replicated

	// slaveReadEnable=true, the master "fallen behind in memory terms": suggestWhichBrokerId 1.
	h := rawPull(t, p.masterAddr, uniq("sr_raw"), topicA, 0, 0)
	require.Equal(t, code.Success, h.code, "%s: %s", p.name, h.remark)
	require.Equal(t, "1", h.ext["suggestWhichBrokerId"], "%s master, slaveReadEnable=true", p.name)
	jc := startJavaConsumer(t, p.nsAddr, topicA, uniq("sr_on"))
	jc.waitFor(t, first, p.name+": slaveReadEnable=true")
	onMaster, onSlave := jc.pullsTo(p.masterAddr), jc.pullsTo(p.slaveAddr)
	jc.stop()
	t.Logf("%s, slaveReadEnable=true: Java client pulls: master %d, slave %d", p.name, onMaster, onSlave)
	require.Positive(t, onMaster, "%s: the first pull goes to the master", p.name)
	require.Positive(t, onSlave, "%s: the master's suggestion sends the Java client to the slave", p.name)

	// The memory rule is what sends it there: at the default ratio (40 %) the same pull is not "behind"
	// and the master answers the group's brokerId (0). Both brokers apply the ratio at once.
	updateBrokerConfig(t, p.masterAddr, "accessMessageInMemoryMaxRatio=40")
	h = rawPull(t, p.masterAddr, uniq("sr_raw"), topicA, 0, 0)
	require.Equal(t, code.Success, h.code, "%s: %s", p.name, h.remark)
	require.Equal(t, "0", h.ext["suggestWhichBrokerId"], "%s master, slaveReadEnable=true, ratio 40", p.name)

	// slaveReadEnable=false at run time, ratio 0 again: always the master.
	updateBrokerConfig(t, p.masterAddr, "accessMessageInMemoryMaxRatio=0\nslaveReadEnable=false")
	h = rawPull(t, p.masterAddr, uniq("sr_raw"), topicA, 0, 0)
	require.Equal(t, code.Success, h.code, "%s: %s", p.name, h.remark)
	require.Equal(t, "0", h.ext["suggestWhichBrokerId"], "%s master, slaveReadEnable=false", p.name)
	jc = startJavaConsumer(t, p.nsAddr, topicA, uniq("sr_off"))
	jc.waitFor(t, first, p.name+": slaveReadEnable=false")
	onMaster, onSlave = jc.pullsTo(p.masterAddr), jc.pullsTo(p.slaveAddr)
	jc.stop()
	t.Logf("%s, slaveReadEnable=false: Java client pulls: master %d, slave %d", p.name, onMaster, onSlave)
	require.Positive(t, onMaster, p.name)
	require.Zero(t, onSlave, "%s: slaveReadEnable=false keeps the Java client on the master", p.name)

	// offsetCheckInSlave=true: the slave corrects an offset beyond its queue like a master.
	h = rawPull(t, p.slaveAddr, uniq("sr_raw"), topicA, 0, 1_000_000)
	require.Equal(t, code.PullOffsetMoved, h.code, "%s slave, offsetCheckInSlave=true: %s", p.name, h.remark)
	require.Equal(t, h.ext["maxOffset"], h.ext["nextBeginOffset"], "%s: corrected to the queue's max offset", p.name)
	require.NotEqual(t, "1000000", h.ext["nextBeginOffset"], p.name)

	// A clustering consumer while the master is down, then on the restarted master. The slave back to
	// slaveReadEnable=false (the default) so that it sends the consumer back to the master (brokerId 0)
	// once the master is in the route again; with true and ratio 0 it would keep it on the slave.
	updateBrokerConfig(t, p.slaveAddr, "slaveReadEnable=false")
	before := onlyTopicA(produce(t, p.nsAddr, 1000, 300))
	requireServes(t, p.slaveAddr, before)
	p.stopMaster()
	// offsetCheckInSlave=true seen by the Java client: a DefaultMQPullConsumer with only the slave in the route
	// gets OFFSET_ILLEGAL and the corrected nextBeginOffset (false would give NO_MATCHED_MSG and no correction).
	jp := javaSlavePull(t, p.nsAddr, uniq("sr_pull"), topicA, 0, 1_000_000)
	require.Equal(t, []string{p.slaveAddr}, jp.pulls, "%s: the Java pull consumer reads the slave", p.name)
	require.Equal(t, "OFFSET_ILLEGAL", jp.status, p.name)
	require.Equal(t, jp.max, jp.next, "%s: corrected to the slave queue's max offset", p.name)
	require.Positive(t, jp.max, p.name)
	jc = startJavaConsumer(t, p.nsAddr, topicA, uniq("sr_ha"))
	jc.waitFor(t, before, p.name+": from the slave while the master is down")
	require.Zero(t, jc.pullsTo(p.masterAddr), p.name)
	p.restartMaster()
	waitRouteHas(t, p.nsAddr, topicA, p.masterAddr, p.slaveAddr)
	// The client sees the master again at its next route update (pollNameServerInterval, 30 s).
	require.Eventually(t, func() bool { return jc.pullsTo(p.masterAddr) > 0 }, 90*time.Second, 250*time.Millisecond,
		"%s: the consumer continues on the restarted master", p.name)
	after := onlyTopicA(produce(t, p.nsAddr, 2000, 150))
	jc.waitFor(t, after, p.name+": after the master is back")
	time.Sleep(3 * time.Second) // anything delivered twice would show by now
	jc.stop()
	dups := jc.duplicates()
	t.Logf("%s: %d messages delivered twice across the master's absence", p.name, dups)
	return dups
}

func onlyTopicA(ms []sentMsg) (out []sentMsg) {
	for _, m := range ms {
		if m.Topic == topicA {
			out = append(out, m)
		}
	}
	return out
}

type pullAnswer struct {
	code   int32
	remark string
	ext    map[string]string
}

// rawPull sends one PULL_MESSAGE (subscription "*", no suspend, no commit) and returns the answer.
func rawPull(t *testing.T, addr, group, topic string, queue int, offset int64) pullAnswer {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	ext := map[string]string{"consumerGroup": group, "topic": topic, "queueId": strconv.Itoa(queue),
		"queueOffset": strconv.FormatInt(offset, 10), "maxMsgNums": "1", "sysFlag": "4", "commitOffset": "0",
		"suspendTimeoutMillis": "0", "subscription": "*", "subVersion": "0", "expressionType": "TAG"}
	resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.PullMessage, ext, nil), 10*time.Second)
	require.NoError(t, err)
	return pullAnswer{code: resp.Code, remark: resp.Remark, ext: resp.ExtFields}
}

func updateBrokerConfig(t *testing.T, addr, props string) {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.UpdateBrokerConfig, nil, []byte(props+"\n")), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
}

// waitRouteHas waits until the name server's route of topic names every broker address.
func waitRouteHas(t *testing.T, nsAddr, topic string, addrs ...string) {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	var last string
	require.Eventually(t, func() bool {
		resp, err := cl.InvokeSync(context.Background(), nsAddr,
			remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": topic}, nil), 2*time.Second)
		if err != nil || resp.Code != code.Success {
			return false
		}
		last = string(resp.Body)
		for _, a := range addrs {
			if !strings.Contains(last, a) {
				return false
			}
		}
		return true
	}, 90*time.Second, 250*time.Millisecond, "route of %s on %s names %v: %s", topic, nsAddr, addrs, last)
}

// stopBrokerForRestart stops the Java broker (SIGTERM, its shutdown hook unregisters and flushes) and returns
// its command line for startBrokerAgain; the name server keeps running.
func (j *javaRef) stopBrokerForRestart(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", j.brokerPID))
	require.NoError(t, err)
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	require.Greater(t, len(args), 2, "broker command line")
	j.stopBroker(t)
	return args
}

// startBrokerAgain starts the Java broker with the command line of stopBrokerForRestart, after removing the
// drop lines from its broker.conf (back to Java's defaults for those keys). The test stops it at the end.
func (j *javaRef) startBrokerAgain(t *testing.T, args, drop []string) {
	t.Helper()
	confPath := filepath.Join(j.work, "broker.conf")
	b, err := os.ReadFile(confPath)
	require.NoError(t, err)
	skip := map[string]bool{}
	for _, d := range drop {
		skip[d] = true
	}
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if !skip[strings.TrimSpace(l)] {
			keep = append(keep, l)
		}
	}
	require.NoError(t, os.WriteFile(confPath, []byte(strings.Join(keep, "\n")), 0o644))
	out, err := os.Create(filepath.Join(j.work, "logs", "broker-restart.out"))
	require.NoError(t, err)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = out.Close(); close(exited) }()
	j.brokerPID = cmd.Process.Pid
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(40 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(120 * time.Second)
	for {
		if b, _ := os.ReadFile(out.Name()); strings.Contains(string(b), "boot success") {
			break
		}
		select {
		case <-exited:
			t.Fatalf("Java broker exited at restart:\n%s", tail(out.Name()))
		default:
		}
		require.True(t, time.Now().Before(deadline), "Java broker not up within 120s:\n%s", tail(out.Name()))
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("java broker restarted in %v", time.Since(start).Round(time.Millisecond))
}

type javaPullResult struct {
	pulls     []string // broker addresses the PULL_MESSAGE requests went to
	status    string   // the client's PullStatus
	next, max int64
}

// javaSlavePull runs io.rocketd.compat.SlavePull: one DefaultMQPullConsumer pull of broker-a's queue.
func javaSlavePull(t *testing.T, nsAddr, group, topic string, queue int, offset int64) javaPullResult {
	t.Helper()
	root := javaHarness(t)
	cp, err := os.ReadFile(filepath.Join(root, "target/classpath.txt"))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "java", "-Xmx128m", "-Drocketmq.client.logUseSlf4j=true", "-Duser.home="+t.TempDir(),
		"-cp", filepath.Join(root, "target/classes")+":"+strings.TrimSpace(string(cp)),
		"io.rocketd.compat.SlavePull", nsAddr, group, topic, "broker-a", strconv.Itoa(queue), strconv.FormatInt(offset, 10))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "SlavePull: %s\n%s", out, stderr.String())
	var r javaPullResult
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "PULL":
			r.pulls = append(r.pulls, f[1])
		case len(f) == 5 && f[0] == "RESULT":
			r.status = f[1]
			r.next, _ = strconv.ParseInt(f[2], 10, 64)
			r.max, _ = strconv.ParseInt(f[4], 10, 64)
		}
	}
	require.NotEmpty(t, r.status, "SlavePull output: %s\n%s", out, stderr.String())
	return r
}
