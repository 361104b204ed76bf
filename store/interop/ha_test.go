package interop

// Master/slave replication between Java 4.9.8 and rocketd, both directions (store.md §15, store/ha):
//
//   - TestJavaMasterRocketdSlave: a Java master, a rocketd slave that finds it through the Java name server,
//     messages sent with the official Go client: the slave's CommitLog files are byte-identical to the
//     master's and the slave serves every message with the sender's ids and offsets.
//   - TestRocketdMasterJavaSlave: a rocketd SYNC_MASTER and a Java slave: every send is acknowledged only once
//     the Java slave has it, its files are byte-identical, and the Java slave serves every message with the
//     same ids and offsets.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/broker"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// startInProcess starts a rocketd broker "broker-a" of DefaultCluster with the interop store sizes.
func startInProcess(t *testing.T, nsAddr string, role conf.BrokerRole) (*broker.Broker, string) {
	t.Helper()
	// Real ports as in production: listenPort, the VIP port listenPort-2 (Java's slave sync calls the master
	// there) and haListenPort listenPort+1.
	_, port := freePorts(t)
	root := filepath.Join(t.TempDir(), "store")
	return startInProcessAt(t, nsAddr, role, root, port), root
}

// startInProcessAt starts the broker on a given store root and listenPort (a restart on the same store).
func startInProcessAt(t *testing.T, nsAddr string, role conf.BrokerRole, root string, port int) *broker.Broker {
	t.Helper()
	return startInProcessTuned(t, nsAddr, role, root, port, nil)
}

// startInProcessTuned is startInProcessAt with settings changed by tune before the broker starts.
func startInProcessTuned(t *testing.T, nsAddr string, role conf.BrokerRole, root string, port int, tune func(*conf.Broker)) *broker.Broker {
	t.Helper()
	bc := conf.DefaultBroker()
	bc.Broker.NamesrvAddr = nsAddr
	bc.Broker.BrokerIP1, bc.Broker.BrokerIP2 = "127.0.0.1", "127.0.0.1"
	bc.Broker.BrokerName = "broker-a"
	bc.Broker.BrokerClusterName = "DefaultCluster"
	bc.Broker.WaitTimeMillsInSendQueue = 5000
	bc.Store.StorePathRootDir = root
	bc.Store.MappedFileSizeCommitLog = 1048576
	bc.Store.MappedFileSizeConsumeQueue = 6000
	bc.Store.MaxHashSlotNum, bc.Store.MaxIndexNum = 1000, 2000
	bc.Store.BrokerRole = role
	if role == conf.Slave {
		bc.Broker.BrokerID = 1
	}
	bc.Server.ListenPort = port
	bc.Store.HaListenPort = bc.Server.ListenPort + 1
	if tune != nil {
		tune(bc)
	}
	level := slog.LevelWarn
	if os.Getenv("ROCKETD_TEST_LOG") != "" {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	b, err := broker.New(bc, log, broker.Options{RegisterPeriod: 500 * time.Millisecond, SlaveSyncPeriod: time.Second})
	require.NoError(t, err)
	require.NoError(t, b.Start())
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// requireSameCommitLogEventually waits until every CommitLog file the two directories share is byte-identical
// and every file only one side has is all zeros (Java pre-allocates the next file).
func requireSameCommitLogEventually(t *testing.T, a, b string, minShared int) {
	t.Helper()
	var why string
	same := func() bool {
		files := map[string]bool{}
		for _, d := range []string{a, b} {
			es, err := os.ReadDir(d)
			if err != nil {
				why = err.Error()
				return false
			}
			for _, e := range es {
				files[e.Name()] = true
			}
		}
		shared := 0
		for name := range files {
			x, errA := os.ReadFile(filepath.Join(a, name))
			y, errB := os.ReadFile(filepath.Join(b, name))
			switch {
			case errA != nil && errB != nil:
				why = fmt.Sprintf("%s: %v / %v", name, errA, errB)
				return false
			case errA != nil:
				if !allZero(y) {
					why = name + " exists only in " + b + " and holds data"
					return false
				}
			case errB != nil:
				if !allZero(x) {
					why = name + " exists only in " + a + " and holds data"
					return false
				}
			default:
				if !bytes.Equal(x, y) {
					i := 0
					for i < len(x) && i < len(y) && x[i] == y[i] {
						i++
					}
					why = fmt.Sprintf("%s differs from byte %d", name, i)
					return false
				}
				shared++
			}
		}
		if shared < minShared {
			why = fmt.Sprintf("only %d shared files, want %d (crossing a file end: BLANK tail)", shared, minShared)
			return false
		}
		return true
	}
	deadline := time.Now().Add(90 * time.Second)
	for !same() {
		if time.Now().After(deadline) {
			t.Fatalf("CommitLog %s vs %s: %s", a, b, why)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("CommitLog files identical (%s, %s)", a, b)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// pullAll reads every message of the sent topics from one broker with raw PULL_MESSAGE requests.
func pullAll(t *testing.T, addr string, sent []sentMsg) map[string]*primitive.MessageExt {
	t.Helper()
	queues := map[string]int{topicA: 4, topicB: 2}
	want := map[string]int64{} // topic@queue -> offset after the highest sent one
	for _, m := range sent {
		k := m.Topic + "@" + strconv.Itoa(m.QueueID)
		want[k] = max(want[k], m.QueueOffset+1)
	}
	cl := &remoting.Client{}
	defer cl.Close()
	got := map[string]*primitive.MessageExt{}
	for topic, n := range queues {
		for q := 0; q < n; q++ {
			off := int64(0)
			deadline := time.Now().Add(90 * time.Second)
			last := ""
			for off < want[topic+"@"+strconv.Itoa(q)] {
				require.True(t, time.Now().Before(deadline), "%s: %s queue %d stuck at offset %d: %s", addr, topic, q, off, last)
				ext := map[string]string{"consumerGroup": "ha_iop_group", "topic": topic, "queueId": strconv.Itoa(q),
					"queueOffset": strconv.FormatInt(off, 10), "maxMsgNums": "32", "sysFlag": "4", "commitOffset": "0",
					"suspendTimeoutMillis": "0", "subscription": "*", "subVersion": "0", "expressionType": "TAG"}
				resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.PullMessage, ext, nil), 10*time.Second)
				if err != nil || resp.Code != code.Success {
					if err != nil {
						last = err.Error()
					} else {
						last = fmt.Sprintf("code %d %s", resp.Code, resp.Remark)
					}
					time.Sleep(200 * time.Millisecond) // topic not synced yet, or not replicated yet
					continue
				}
				for _, m := range primitive.DecodeMessage(resp.Body) {
					require.Equal(t, off, m.QueueOffset)
					got[m.OffsetMsgId] = m
					off++
				}
			}
		}
	}
	return got
}

// requireServes checks that broker addr serves every sent message with its ids, queue, offset and body.
func requireServes(t *testing.T, addr string, sent []sentMsg) {
	t.Helper()
	got := pullAll(t, addr, sent)
	for _, w := range sent {
		m, ok := got[w.OffsetMsgID]
		require.True(t, ok, "offsetMsgId %s (%s) not served by %s", w.OffsetMsgID, w.MsgID, addr)
		require.Equal(t, w.MsgID, m.GetProperty(primitive.PropertyUniqueClientMessageIdKeyIndex))
		require.Equal(t, w.Topic, m.Topic)
		require.Equal(t, w.QueueID, m.Queue.QueueId)
		require.Equal(t, w.QueueOffset, m.QueueOffset)
		b := m.Body
		if m.SysFlag&1 != 0 && !bytes.Equal(b, w.Body) {
			b = inflate(t, b)
		}
		require.Equal(t, w.Body, b, "body of %s", w.MsgID)
	}
}

func TestJavaMasterRocketdSlave(t *testing.T) {
	needInterop(t)
	nsPort, brokerPort := freePorts(t)
	javaDir := storeDir(t)
	j := startJava(t, javaDir, nsPort, brokerPort)
	javaAddr := "127.0.0.1:" + strconv.Itoa(brokerPort)

	slave, slaveRoot := startInProcess(t, j.nsAddr, conf.Slave)
	require.Eventually(t, func() bool { return slave.HAStatus().MasterConnected }, 30*time.Second, 100*time.Millisecond,
		"the rocketd slave connects to the Java master's HA port (from the REGISTER_BROKER result)")

	createTopic(t, javaAddr, topicA, 4)
	createTopic(t, javaAddr, topicB, 2)
	waitRoute(t, j.nsAddr, topicA)
	waitRoute(t, j.nsAddr, topicB)
	sent := produce(t, j.nsAddr, 0, 1800)

	requireSameCommitLogEventually(t, filepath.Join(javaDir, "commitlog"),
		filepath.Join(slaveRoot, "commitlog"), 2)
	requireServes(t, slave.Addr().String(), sent)
}

func TestRocketdMasterJavaSlave(t *testing.T) {
	needInterop(t)
	nsPort, brokerPort := freePorts(t)
	nsAddr := "127.0.0.1:" + strconv.Itoa(nsPort)
	master, masterRoot := startInProcess(t, nsAddr, conf.SyncMaster) // registers once the Java name server is up
	javaDir := storeDir(t)
	startJava(t, javaDir, nsPort, brokerPort, "brokerId=1", "brokerRole=SLAVE")
	require.Eventually(t, func() bool { return master.HAStatus().SlaveConnections == 1 }, 60*time.Second, 100*time.Millisecond,
		"the Java slave connects to the rocketd master's HA port")

	masterAddr := master.Addr().String()
	// The Java slave reports its offset first haSendHeartbeatInterval (5 s) after connecting; until then a
	// SYNC_MASTER send would time out. One WAIT=false message, acknowledged by the slave, marks it streaming.
	createTopic(t, masterAddr, "HAWarmup", 1)
	cl := &remoting.Client{}
	defer cl.Close()
	resp, err := cl.InvokeSync(context.Background(), masterAddr, remoting.NewRequest(code.SendMessageV2, map[string]string{
		"a": "pg", "b": "HAWarmup", "c": "TBW102", "d": "1", "e": "0", "f": "0",
		"g": strconv.FormatInt(time.Now().UnixMilli(), 10), "h": "0", "i": "WAIT\x01false"}, []byte("warmup")), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	require.Eventually(t, func() bool { return master.HAStatus().Push2SlaveMaxOffset > 0 }, 60*time.Second, 100*time.Millisecond,
		"the Java slave acknowledges")
	createTopic(t, masterAddr, topicA, 4)
	createTopic(t, masterAddr, topicB, 2)
	waitRoute(t, nsAddr, topicA)
	waitRoute(t, nsAddr, topicB)
	// SYNC_MASTER: each SendOK below is the Java slave's acknowledgement.
	sent := produce(t, nsAddr, 0, 1800)

	requireSameCommitLogEventually(t, filepath.Join(masterRoot, "commitlog"),
		filepath.Join(javaDir, "commitlog"), 2)
	requireServes(t, "127.0.0.1:"+strconv.Itoa(brokerPort), sent)
}

// TestLiveMigrationJavaToRocketd is the README's procedure: a rocketd slave replicates a live Java master; the
// Java master is made read-only, the slave catches up, Java stops, and rocketd restarts as the master
// (brokerId 0) on the replicated store. Every acknowledged message is served with its ids and offsets, and new
// sends continue the queues.
func TestLiveMigrationJavaToRocketd(t *testing.T) {
	needInterop(t)
	nsPort, brokerPort := freePorts(t)
	javaDir := storeDir(t)
	j := startJava(t, javaDir, nsPort, brokerPort)
	javaAddr := "127.0.0.1:" + strconv.Itoa(brokerPort)
	_, port := freePorts(t)
	root := filepath.Join(t.TempDir(), "store")
	slave := startInProcessAt(t, j.nsAddr, conf.Slave, root, port)
	require.Eventually(t, func() bool { return slave.HAStatus().MasterConnected }, 30*time.Second, 100*time.Millisecond)

	createTopic(t, javaAddr, topicA, 4)
	createTopic(t, javaAddr, topicB, 2)
	waitRoute(t, j.nsAddr, topicA)
	waitRoute(t, j.nsAddr, topicB)
	before := produce(t, j.nsAddr, 0, 900)

	// 1. Java stops taking writes (mqadmin updateBrokerConfig -k brokerPermission -v 4).
	cl := &remoting.Client{}
	defer cl.Close()
	resp, err := cl.InvokeSync(context.Background(), javaAddr, remoting.NewRequest(code.UpdateBrokerConfig, nil,
		[]byte("brokerPermission=4\n")), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	// 2. The rocketd slave catches up (byte for byte).
	requireSameCommitLogEventually(t, filepath.Join(javaDir, "commitlog"), filepath.Join(root, "commitlog"), 1)
	require.Eventually(t, func() bool {
		return fileExists(filepath.Join(root, "config", "topics.json")) && fileExists(filepath.Join(root, "config", "subscriptionGroup.json"))
	}, 30*time.Second, 100*time.Millisecond, "metadata synced")
	// 3. Java broker stops (its name server stays for the clients).
	j.stopBroker(t)
	// 4. rocketd restarts as the master on the same store and ports.
	require.NoError(t, slave.Close())
	master := startInProcessAt(t, j.nsAddr, conf.AsyncMaster, root, port)
	_ = master
	after := produce(t, j.nsAddr, 900, 300)
	next := map[string]int64{}
	for _, m := range before {
		k := m.Topic + "@" + strconv.Itoa(m.QueueID)
		next[k] = max(next[k], m.QueueOffset+1)
	}
	for _, m := range after {
		k := m.Topic + "@" + strconv.Itoa(m.QueueID)
		require.Equal(t, next[k], m.QueueOffset, "%s continues right after the Java master's last message", k)
		next[k]++
	}
	requireServes(t, "127.0.0.1:"+strconv.Itoa(port), append(before, after...))
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestSyncMasterKill9SlaveKeepsAcked: a rocketd SYNC_MASTER process under send load is killed with -9; its
// rocketd slave holds every message whose send was acknowledged, serves them with the same ids and offsets,
// and a Go client consumer (broadcasting: v2.1.2 asks only brokerId 0 for a clustering group's offset, also
// against Java) consumes them from the slave while the master is down.
func TestSyncMasterKill9SlaveKeepsAcked(t *testing.T) {
	needInterop(t)
	nsPort, brokerPort := freePorts(t)
	r := startRocketd(t, storeDir(t), nsPort, brokerPort, "brokerRole=SYNC_MASTER")
	slave, _ := startInProcess(t, r.nsAddr, conf.Slave)
	require.Eventually(t, func() bool { return slave.HAStatus().MasterConnected }, 30*time.Second, 100*time.Millisecond)
	createTopic(t, r.brokerAddr, topicA, 4)
	createTopic(t, r.brokerAddr, topicB, 2)
	waitRoute(t, r.nsAddr, topicA)
	waitRoute(t, r.nsAddr, topicB)
	slaveAddr := "127.0.0.1:" + strconv.Itoa(slave.Addr().(*net.TCPAddr).Port)
	waitTopicsOn(t, slaveAddr, topicA, topicB) // the slave's metadata sync (every second here)

	var mu sync.Mutex
	var acked []sentMsg
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		p := newProducer(t, r.nsAddr)
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			defer p.Shutdown()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				topic := topicA
				if i%3 == 2 {
					topic = topicB
				}
				m := primitive.NewMessage(topic, body(w*100000+i))
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				res, err := p.SendSync(ctx, m)
				cancel()
				if err != nil || res.Status != primitive.SendOK {
					time.Sleep(20 * time.Millisecond) // master gone, or not acknowledged: not counted
					continue
				}
				mu.Lock()
				acked = append(acked, sentMsg{Topic: topic, MsgID: res.MsgID, OffsetMsgID: res.OffsetMsgID,
					QueueID: res.MessageQueue.QueueId, QueueOffset: res.QueueOffset, Body: m.Body})
				mu.Unlock()
			}
		}(w)
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 1500 }, 60*time.Second, 10*time.Millisecond)
	require.NoError(t, r.broker.Process.Signal(syscall.SIGKILL))
	<-r.exited
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	mu.Lock()
	sent := append([]sentMsg(nil), acked...)
	mu.Unlock()
	t.Logf("%d sends acknowledged before kill -9", len(sent))

	requireServes(t, slaveAddr, sent)
	consumeBroadcast(t, r.nsAddr, sent)
}

// consumeBroadcast consumes both topics with a broadcasting Go push consumer until every wanted message came.
func consumeBroadcast(t *testing.T, nsAddr string, want []sentMsg) {
	t.Helper()
	consumeAllAs(t, nsAddr, uniq("ha_bc"), want, consumer.WithConsumerModel(consumer.BroadCasting))
}

// waitTopicsOn waits until a broker's GET_ALL_TOPIC_CONFIG lists every topic.
func waitTopicsOn(t *testing.T, addr string, topics ...string) {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	require.Eventually(t, func() bool {
		resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.GetAllTopicConfig, nil, nil), 2*time.Second)
		if err != nil || resp.Code != code.Success {
			return false
		}
		for _, tp := range topics {
			if !bytes.Contains(resp.Body, []byte(`"`+tp+`"`)) {
				return false
			}
		}
		return true
	}, 90*time.Second, 100*time.Millisecond, "topics %v on %s", topics, addr) // a Java slave learns its master's address every 30 s
}

// javaConsumer is a running io.rocketd.compat.HaConsumer (Java 4.9.8 DefaultMQPushConsumer, clustering).
type javaConsumer struct {
	mu    sync.Mutex
	seen  map[string]int
	pulls map[string]int // PULL_MESSAGE requests per broker address
	stdin io.WriteCloser
	done  chan struct{}
	kill  func()
}

// stop closes the consumer's stdin (it shuts down, committing its offsets) and waits for the JVM to exit.
func (jc *javaConsumer) stop() {
	_ = jc.stdin.Close()
	select {
	case <-jc.done:
	case <-time.After(30 * time.Second):
		jc.kill()
		<-jc.done
	}
}

// pullsTo is the number of PULL_MESSAGE requests the consumer sent to addr.
func (jc *javaConsumer) pullsTo(addr string) int {
	jc.mu.Lock()
	defer jc.mu.Unlock()
	return jc.pulls[addr]
}

func startJavaConsumer(t *testing.T, nsAddr, topic, group string) *javaConsumer {
	t.Helper()
	root := javaHarness(t)
	cp, err := os.ReadFile(filepath.Join(root, "target/classpath.txt"))
	require.NoError(t, err)
	cmd := exec.Command("java", "-Xmx128m", "-Drocketmq.client.logUseSlf4j=true", "-Duser.home="+t.TempDir(),
		"-cp", filepath.Join(root, "target/classes")+":"+strings.TrimSpace(string(cp)),
		"io.rocketd.compat.HaConsumer", nsAddr, topic, group)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	jc := &javaConsumer{seen: map[string]int{}, pulls: map[string]int{}, done: make(chan struct{})}
	jc.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 1 && f[0] == "READY":
				close(ready)
			case len(f) == 5 && f[0] == "MSG":
				jc.mu.Lock()
				jc.seen[f[4]]++
				jc.mu.Unlock()
			case len(f) == 2 && f[0] == "PULL":
				jc.mu.Lock()
				jc.pulls[f[1]]++
				jc.mu.Unlock()
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(jc.done) }()
	jc.kill = func() { _ = cmd.Process.Kill() }
	t.Cleanup(jc.stop)
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("Java consumer did not start: %s", stderr.String())
	}
	return jc
}

func (jc *javaConsumer) waitFor(t *testing.T, want []sentMsg, when string) {
	t.Helper()
	missing := func() int {
		jc.mu.Lock()
		defer jc.mu.Unlock()
		n := 0
		for _, w := range want {
			if jc.seen[w.MsgID] == 0 {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(120 * time.Second)
	for missing() > 0 {
		require.True(t, time.Now().Before(deadline), "Java consumer: %d of %d messages not delivered %s", missing(), len(want), when)
		time.Sleep(200 * time.Millisecond)
	}
}

func (jc *javaConsumer) duplicates() int {
	jc.mu.Lock()
	defer jc.mu.Unlock()
	n := 0
	for _, c := range jc.seen {
		n += c - 1
	}
	return n
}

// goClusteringWithoutMaster produces to a pair, stops its master, and counts what a Go client v2.1.2
// clustering push consumer (a new group) receives from the slave in a fixed time.
func goClusteringWithoutMaster(t *testing.T, nsAddr, slaveAddr string, stopMaster func()) (sent, got int) {
	t.Helper()
	msgs := produce(t, nsAddr, 0, 150)
	requireServes(t, slaveAddr, msgs) // the slave has them all (and the topics)
	stopMaster()
	var mu sync.Mutex
	seen := map[string]bool{}
	pc, err := rocketmq.NewPushConsumer(consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{nsAddr})),
		consumer.WithGroupName(uniq("ha_gcl")), consumer.WithInstance(uniq("ha_gci")),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
	require.NoError(t, err)
	for _, topic := range []string{topicA, topicB} {
		require.NoError(t, pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
			func(_ context.Context, ms ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
				mu.Lock()
				for _, m := range ms {
					seen[m.MsgId] = true
				}
				mu.Unlock()
				return consumer.ConsumeSuccess, nil
			}))
	}
	require.NoError(t, pc.Start())
	time.Sleep(20 * time.Second)
	_ = pc.Shutdown()
	mu.Lock()
	defer mu.Unlock()
	return len(msgs), len(seen)
}

// TestGoClusteringConsumerWithoutMasterAsJava pins the Go client's clustering behaviour on a slave to what
// it does with a Java 4.9.8 pair: the same messages delivered (all, or none) in the same time.
func TestGoClusteringConsumerWithoutMasterAsJava(t *testing.T) {
	needInterop(t)
	// rocketd pair.
	nc := conf.DefaultNamesrv()
	nc.Namesrv.KvConfigPath = filepath.Join(t.TempDir(), "kvConfig.json")
	ns, err := namesrv.New(nc, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	require.NoError(t, err)
	require.NoError(t, ns.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = ns.Close() })
	master, _ := startInProcess(t, ns.Addr(), conf.AsyncMaster)
	slave, _ := startInProcess(t, ns.Addr(), conf.Slave)
	require.Eventually(t, func() bool { return slave.HAStatus().MasterConnected }, 30*time.Second, 100*time.Millisecond)
	createTopic(t, master.Addr().String(), topicA, 4)
	createTopic(t, master.Addr().String(), topicB, 2)
	waitRoute(t, ns.Addr(), topicA)
	waitRoute(t, ns.Addr(), topicB)
	rSent, rGot := goClusteringWithoutMaster(t, ns.Addr(), "127.0.0.1:"+strconv.Itoa(slave.Addr().(*net.TCPAddr).Port), func() { require.NoError(t, master.Close()) })
	t.Logf("rocketd pair: %d of %d delivered without the master", rGot, rSent)

	// Java pair: master (with its name server) and a slave registered with that name server.
	nsPort, mPort := freePorts(t)
	j := startJava(t, storeDir(t), nsPort, mPort)
	sNS, sPort := freePorts(t)
	startJavaIn(t, refWorkDir+"-slave", storeDir(t), sNS, sPort, "brokerId=1", "brokerRole=SLAVE",
		fmt.Sprintf("namesrvAddr=127.0.0.1:%d;127.0.0.1:%d", nsPort, sNS))
	javaAddr := "127.0.0.1:" + strconv.Itoa(mPort)
	createTopic(t, javaAddr, topicA, 4)
	createTopic(t, javaAddr, topicB, 2)
	waitRoute(t, j.nsAddr, topicA)
	waitRoute(t, j.nsAddr, topicB)
	jSent, jGot := goClusteringWithoutMaster(t, j.nsAddr, "127.0.0.1:"+strconv.Itoa(sPort), func() { j.stopBroker(t) })
	t.Logf("Java pair: %d of %d delivered without the master", jGot, jSent)
	require.Equal(t, jGot == 0, rGot == 0, "rocketd delivers %d/%d, Java %d/%d", rGot, rSent, jGot, jSent)
	require.Equal(t, jGot == jSent, rGot == rSent, "rocketd delivers %d/%d, Java %d/%d", rGot, rSent, jGot, jSent)
}
