package interop

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// clusterProc is one mqnamesrv / mqbroker process of the 2m-2s test.
type clusterProc struct {
	cmd    *exec.Cmd
	log    string
	exited chan struct{}
}

// startFromConf runs bin with conf/<cluster>/<name>.properties, its listenPort, namesrvAddr and paths replaced.
func startFromConf(t *testing.T, bin, cluster, name string, set map[string]string) *clusterProc {
	t.Helper()
	src := filepath.Join(repoRoot(t), "conf", cluster, name+".properties")
	f, err := os.Open(src)
	require.NoError(t, err)
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if k, _, ok := strings.Cut(line, "="); ok {
			if v, ok := set[k]; ok {
				line = k + "=" + v
				delete(set, k)
			}
		}
		lines = append(lines, line)
	}
	require.Empty(t, set, "keys missing from %s", src)
	work := t.TempDir()
	path := filepath.Join(work, name+".properties")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	p := &clusterProc{cmd: exec.Command(bin, "-c", path), log: filepath.Join(work, name+".log"), exited: make(chan struct{})}
	lf, err := os.Create(p.log)
	require.NoError(t, err)
	p.cmd.Stdout, p.cmd.Stderr = lf, lf
	require.NoError(t, p.cmd.Start())
	go func() { _ = p.cmd.Wait(); _ = lf.Close(); close(p.exited) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// TestCluster2m2sSync starts conf/2m-2s-sync (two name servers, broker-a and broker-b each a SYNC_MASTER with
// a slave) as processes, sends through it, kills broker-a's master with -9, and shows the producer moving to
// broker-b and a consumer finishing broker-a's acknowledged messages from broker-a's slave.
func TestCluster2m2sSync(t *testing.T) {
	needInterop(t)
	bins := buildRocketd(t)
	root := t.TempDir()
	ns1, _ := freePorts(t)
	ns2, _ := freePorts(t)
	nsList := fmt.Sprintf("127.0.0.1:%d;127.0.0.1:%d", ns1, ns2)
	for i, p := range []int{ns1, ns2} {
		name := "namesrv-" + strconv.Itoa(i+1)
		startFromConf(t, filepath.Join(bins, "mqnamesrv"), "2m-2s-sync", name, map[string]string{
			"listenPort": strconv.Itoa(p), "kvConfigPath": filepath.Join(root, name, "kvConfig.json")})
		waitPort(t, p)
	}
	nsAddr := fmt.Sprintf("127.0.0.1:%d", ns1)
	ports := map[string]int{}
	procs := map[string]*clusterProc{}
	addr := func(b string) string { return "127.0.0.1:" + strconv.Itoa(ports[b]) }
	// Masters first: a slave learns its master's address from its REGISTER_BROKER result, and registers again
	// only every 30 s (as Java), so a slave registered before its master would wait that long.
	for _, group := range [][]string{{"broker-a", "broker-b"}, {"broker-a-s", "broker-b-s"}} {
		for _, b := range group {
			_, ports[b] = freePorts(t)
			procs[b] = startFromConf(t, filepath.Join(bins, "mqbroker"), "2m-2s-sync", b, map[string]string{
				"listenPort": strconv.Itoa(ports[b]), "namesrvAddr": nsList,
				"storePathRootDir": filepath.Join(root, b)})
		}
		for _, b := range group {
			waitRegistered(t, nsAddr, addr(b))
		}
	}
	for _, m := range []string{"broker-a", "broker-b"} {
		createTopic(t, addr(m), topicA, 4)
		createTopic(t, addr(m), topicB, 2)
	}
	waitRoute(t, nsAddr, topicA)
	waitRoute(t, nsAddr, topicB)
	waitTopicsOn(t, addr("broker-a-s"), topicA, topicB)
	waitTopicsOn(t, addr("broker-b-s"), topicA, topicB)

	p := newProducer(t, nsAddr)
	defer p.Shutdown()
	send := func(i int) (primitive.SendResult, error) {
		topic := topicA
		if i%3 == 2 {
			topic = topicB
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, err := p.SendSync(ctx, primitive.NewMessage(topic, body(i)))
		if err != nil {
			return primitive.SendResult{}, err
		}
		return *r, nil
	}
	var acked []sentMsg
	record := func(i int, r primitive.SendResult) {
		topic := topicA
		if i%3 == 2 {
			topic = topicB
		}
		acked = append(acked, sentMsg{Topic: topic, MsgID: r.MsgID, OffsetMsgID: r.OffsetMsgID,
			QueueID: r.MessageQueue.QueueId, QueueOffset: r.QueueOffset, Body: body(i)})
	}
	perBroker := map[string]int{}
	for i := 0; i < 300; i++ {
		// The slaves' first reports may still be on their way: SYNC_MASTER answers SLAVE_NOT_AVAILABLE until then.
		deadline := time.Now().Add(30 * time.Second)
		for {
			r, err := send(i)
			if err == nil && r.Status == primitive.SendOK {
				record(i, r)
				perBroker[r.MessageQueue.BrokerName]++
				break
			}
			require.True(t, time.Now().Before(deadline), "send %d: %v %v", i, err, r.Status)
			time.Sleep(50 * time.Millisecond)
		}
	}
	require.Positive(t, perBroker["broker-a"])
	require.Positive(t, perBroker["broker-b"])

	// broker-a's master dies.
	require.NoError(t, procs["broker-a"].cmd.Process.Signal(syscall.SIGKILL))
	<-procs["broker-a"].exited
	after := map[string]int{}
	failures := 0
	for i := 300; i < 500; i++ {
		deadline := time.Now().Add(60 * time.Second)
		for {
			r, err := send(i)
			if err == nil && r.Status == primitive.SendOK {
				record(i, r)
				after[r.MessageQueue.BrokerName]++
				break
			}
			failures++
			require.True(t, time.Now().Before(deadline), "send %d after the kill: %v", i, err)
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("before the kill: %v; after: %v (%d failed attempts while the route caught up)", perBroker, after, failures)
	require.Zero(t, after["broker-a"], "nothing can be acknowledged by a dead master")
	require.Equal(t, 200, after["broker-b"])

	// Every acknowledged message is consumed: broker-a's from its slave.
	consumeBroadcast(t, nsAddr, acked)
}

// waitRegistered waits until the name server lists brokerAddr in its cluster info.
func waitRegistered(t *testing.T, nsAddr, brokerAddr string) {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	require.Eventually(t, func() bool {
		resp, err := cl.InvokeSync(context.Background(), nsAddr, remoting.NewRequest(code.GetBrokerClusterInfo, nil, nil), 2*time.Second)
		return err == nil && resp.Code == code.Success && strings.Contains(string(resp.Body), brokerAddr)
	}, 60*time.Second, 200*time.Millisecond, "%s registered with %s", brokerAddr, nsAddr)
}
