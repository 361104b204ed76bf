package conformance

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/rlog"
	jsoniter "github.com/json-iterator/go"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/conformance/rocketdtest"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// envNamesrv names an external 4.x cluster (e.g. the Java reference) to run the suite against instead of
// rocketd started in-process: ROCKETD_CONFORMANCE_NAMESRV=127.0.0.1:9876 go test ./conformance/
const envNamesrv = "ROCKETD_CONFORMANCE_NAMESRV"

func init() { rlog.SetLogLevel("error") }

// cluster is a name server with one master broker behind it.
type cluster struct {
	ns       string
	external bool
	rd       *rocketdtest.Cluster
	cfg      *conf.Broker // the in-process broker's configuration; changes apply at restartBroker
}

var testSeq atomic.Int64

// uniq returns a name unique to this run, so tests against an external cluster do not collide.
func uniq(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixMilli()%1_000_000_000, testSeq.Add(1))
}

func quietLogger() *slog.Logger {
	if os.Getenv("ROCKETD_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// newCluster starts namesrv + broker in-process (rocketdtest: 127.0.0.1, free ports, store in a temp dir), or
// returns the external cluster named by ROCKETD_CONFORMANCE_NAMESRV.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	if ext := os.Getenv(envNamesrv); ext != "" {
		return &cluster{ns: ext, external: true}
	}
	rd := rocketdtest.Start(t, rocketdtest.WithLogger(quietLogger()))
	return &cluster{ns: rd.NamesrvAddr(), rd: rd, cfg: rd.BrokerConfig()}
}

// startNamesrv starts a name server in-process (for tests that run their broker in a child process) on 127.0.0.1 port 0, stopped after the test (after the
// brokers, whose cleanups run first).
func startNamesrv(t *testing.T) string {
	t.Helper()
	nc := conf.DefaultNamesrv()
	nc.Namesrv.KvConfigPath = filepath.Join(t.TempDir(), "namesrv", "kvConfig.json")
	ns, err := namesrv.New(nc, quietLogger())
	require.NoError(t, err)
	require.NoError(t, ns.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = ns.Close() })
	return ns.Addr()
}

func brokerConfig(root, ns string) *conf.Broker {
	bc := conf.DefaultBroker()
	bc.Broker.NamesrvAddr = ns
	bc.Broker.BrokerIP1 = "127.0.0.1"
	bc.Broker.BrokerIP2 = "127.0.0.1"
	bc.Broker.BrokerName = "broker-a"
	bc.Broker.BrokerClusterName = "DefaultCluster"
	bc.Store.StorePathRootDir = root
	bc.Store.MappedFileSizeCommitLog = 64 << 20
	// Java's fast failure answers SYSTEM_BUSY to sends queued over 200 ms; a loaded CI machine running the race
	// detector can queue that long, so tests allow more (the behaviour itself is tested in broker/).
	bc.Broker.WaitTimeMillsInSendQueue = 5000
	return bc
}

// restartBroker stops the broker cleanly and starts a new one on the same store and port.
func (c *cluster) restartBroker(t *testing.T) {
	t.Helper()
	if c.external {
		t.Skip("restart needs the in-process broker")
	}
	require.NoError(t, c.rd.RestartBroker())
}

func (c *cluster) invokeNS(t *testing.T, cl *remoting.Client, req *remoting.Command) *remoting.Command {
	t.Helper()
	resp, err := cl.InvokeSync(context.Background(), c.ns, req, 5*time.Second)
	require.NoError(t, err)
	return resp
}

// masterAddrs reads the cluster's master broker addresses from GET_BROKER_CLUSTER_INFO.
func (c *cluster) masterAddrs(t *testing.T) []string {
	t.Helper()
	cl := &remoting.Client{Logger: quietLogger()}
	defer cl.Close()
	resp := c.invokeNS(t, cl, remoting.NewRequest(code.GetBrokerClusterInfo, nil, nil))
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	// Java writes unquoted integer keys here; quote them before parsing.
	body := quoteIntKeys(string(resp.Body))
	var info struct {
		BrokerAddrTable map[string]struct {
			BrokerAddrs map[string]string `json:"brokerAddrs"`
		} `json:"brokerAddrTable"`
	}
	require.NoError(t, jsoniter.ConfigCompatibleWithStandardLibrary.Unmarshal([]byte(body), &info), body)
	var out []string
	for _, bd := range info.BrokerAddrTable {
		if a := bd.BrokerAddrs["0"]; a != "" {
			out = append(out, a)
		}
	}
	require.NotEmpty(t, out, "no master broker registered: %s", body)
	return out
}

// quoteIntKeys turns fastjson's {0:"a"} into {"0":"a"}.
func quoteIntKeys(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		b.WriteByte(ch)
		if (ch == '{' || ch == ',') && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '-') {
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '-') {
				j++
			}
			if j < len(s) && s[j] == ':' {
				b.WriteByte('"')
				b.WriteString(s[i+1 : j])
				b.WriteByte('"')
				i = j - 1
			}
		}
	}
	return b.String()
}

// createTopic creates topic on every master (UPDATE_AND_CREATE_TOPIC) and waits for its route.
func (c *cluster) createTopic(t *testing.T, topic string, queues int) {
	t.Helper()
	cl := &remoting.Client{Logger: quietLogger()}
	defer cl.Close()
	for _, addr := range c.masterAddrs(t) {
		ext := map[string]string{"topic": topic, "defaultTopic": "TBW102", "readQueueNums": fmt.Sprint(queues),
			"writeQueueNums": fmt.Sprint(queues), "perm": "6", "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false"}
		resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.UpdateAndCreateTopic, ext, nil), 10*time.Second)
		require.NoError(t, err)
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
	require.Eventually(t, func() bool {
		resp := c.invokeNS(t, cl, remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": topic}, nil))
		return resp.Code == code.Success
	}, 30*time.Second, 100*time.Millisecond, "route of %s never appeared", topic)
}
