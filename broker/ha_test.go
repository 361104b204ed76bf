package broker

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/store"
)

// startNamesrv runs a name server on 127.0.0.1 port 0.
func startNamesrv(t *testing.T) string {
	t.Helper()
	nc := conf.DefaultNamesrv()
	nc.Namesrv.KvConfigPath = filepath.Join(t.TempDir(), "kvConfig.json")
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ns, err := namesrv.New(nc, log)
	require.NoError(t, err)
	require.NoError(t, ns.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = ns.Close() })
	return ns.Addr()
}

// startPairMember starts one broker of group "broker-ha" registered with ns.
func startPairMember(t *testing.T, ns string, role conf.BrokerRole, tune func(*conf.Broker)) *testBroker {
	t.Helper()
	return startTestBroker(t, func(c *conf.Broker) {
		c.Broker.NamesrvAddr = ns
		c.Broker.BrokerIP2 = "127.0.0.1"
		c.Broker.BrokerName = "broker-ha"
		c.Store.BrokerRole = role
		c.Store.MappedFileSizeCommitLog = 64 << 10 // several files, BLANK tails
		if role == conf.Slave {
			c.Broker.BrokerID = 1
		}
		if tune != nil {
			tune(c)
		}
	}, func(o *Options) {
		o.RegisterPeriod = 200 * time.Millisecond
		o.SlaveSyncPeriod = 200 * time.Millisecond
	})
}

func (tb *testBroker) msgStore() *store.DefaultMessageStore {
	return tb.b.rawStore().(*store.DefaultMessageStore)
}

func requireSameDir(t *testing.T, a, b string) {
	t.Helper()
	ae, err := os.ReadDir(a)
	require.NoError(t, err)
	be, err := os.ReadDir(b)
	require.NoError(t, err)
	require.Equal(t, len(ae), len(be), "file count in %s and %s", a, b)
	for i, e := range ae {
		require.Equal(t, e.Name(), be[i].Name())
		x, err := os.ReadFile(filepath.Join(a, e.Name()))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		require.NoError(t, err)
		require.True(t, bytes.Equal(x, y), "file %s differs", e.Name())
	}
}

// rocketd master + rocketd slave through a name server: the slave finds the master's HA address in the
// REGISTER_BROKER result, replicates byte for byte, copies the metadata, refuses writes and serves pulls.
func TestMasterSlavePair(t *testing.T) {
	ns := startNamesrv(t)
	m := startPairMember(t, ns, conf.AsyncMaster, nil)
	m.createTopic(t, "HATopic", 2)
	require.Equal(t, code.Success, m.call(t, code.UpdateAndCreateSubscriptiongroup, nil,
		[]byte(`{"groupName":"haGroup","consumeEnable":true,"consumeFromMinEnable":true,"consumeBroadcastEnable":true,"retryQueueNums":1,"retryMaxTimes":16,"brokerId":0,"whichBrokerWhenConsumeSlowly":1,"notifyConsumerIdsChangedEnable":true}`)).Code)
	// The first message before the slave exists: a fresh slave starts at the master's last file, which is then
	// still the first.
	require.Equal(t, code.Success, m.call(t, code.SendMessageV2, sendV2("HATopic", 0, "TAGS\x01a"), []byte("m-0")).Code)
	s := startPairMember(t, ns, conf.Slave, nil)
	const n = 300
	for i := 1; i < n; i++ {
		resp := m.call(t, code.SendMessageV2, sendV2("HATopic", i%2, "TAGS\x01a\x02KEYS\x01k"+strconv.Itoa(i)),
			bytes.Repeat([]byte{'a' + byte(i%26)}, 200+i))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
	// Consumer offset on the master, copied by the slave's metadata sync.
	m.b.offsets.Commit("haGroup", "HATopic", 1, 42)

	ms, ss := m.msgStore(), s.msgStore()
	require.Eventually(t, func() bool { return ss.GetMaxPhyOffset() == ms.GetMaxPhyOffset() }, 15*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return ss.DispatchBehindBytes() <= 0 }, 5*time.Second, 10*time.Millisecond)
	root := func(tb *testBroker) string { return tb.b.cfg.Store.StorePathRootDir }
	requireSameDir(t, filepath.Join(root(m), "commitlog"), filepath.Join(root(s), "commitlog"))
	require.Greater(t, len(mustReadDir(t, filepath.Join(root(m), "commitlog"))), 2)

	// Metadata sync (topics, subscription groups, consumer offsets).
	require.Eventually(t, func() bool {
		_, okT := s.b.topics.Get("HATopic")
		_, okG := s.b.subgroups.Find("haGroup")
		off, _ := s.b.offsets.Query("haGroup", "HATopic", 1)
		return okT && okG && off == 42
	}, 10*time.Second, 20*time.Millisecond, "slave metadata sync")
	// Delay offsets: the master's text lands in the slave's delayOffset.json. No transaction check on a slave.
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join(root(s), "config", "delayOffset.json"))
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)
	require.Nil(t, s.b.dl.txn, "the transaction check does not run on a slave")
	require.NotNil(t, m.b.dl.txn)
	// A topic created later follows too (the master's dataVersion moved on).
	m.createTopic(t, "HATopicLater", 1)
	require.Eventually(t, func() bool { _, ok := s.b.topics.Get("HATopicLater"); return ok }, 10*time.Second, 20*time.Millisecond)

	// The slave serves every message, same offsets.
	total := 0
	for q := 0; q < 2; q++ {
		for off := int64(0); ; {
			resp := s.call(t, code.PullMessage, pullExt("haGroup", "HATopic", q, off, 4, 0), nil)
			if resp.Code != code.Success {
				require.Equal(t, code.PullNotFound, resp.Code, resp.Remark)
				break
			}
			for _, msg := range primitive.DecodeMessage(resp.Body) {
				require.Equal(t, off, msg.QueueOffset)
				off++
				total++
			}
			require.Equal(t, "0", resp.Ext("suggestWhichBrokerId"), "slaveReadEnable=false: back to the master")
		}
	}
	require.Equal(t, n, total)
	// A slave does not correct a consumer's offset (it may lag): PULL_RETRY_IMMEDIATELY where a master answers
	// PULL_OFFSET_MOVED.
	require.Equal(t, code.PullOffsetMoved, m.call(t, code.PullMessage, pullExt("haGroup", "HATopic", 0, 100000, 4, 0), nil).Code)
	require.Equal(t, code.PullRetryImmediately, s.call(t, code.PullMessage, pullExt("haGroup", "HATopic", 0, 100000, 4, 0), nil).Code)
	// offsetCheckInSlave=true set at run time (Java reads it on every pull): the slave corrects like a master.
	require.Equal(t, code.Success, s.call(t, code.UpdateBrokerConfig, nil, []byte("offsetCheckInSlave=true\n")).Code)
	resp := s.call(t, code.PullMessage, pullExt("haGroup", "HATopic", 0, 100000, 4, 0), nil)
	require.Equal(t, code.PullOffsetMoved, resp.Code, resp.Remark)
	require.Equal(t, resp.Ext("maxOffset"), resp.Ext("nextBeginOffset"))
	require.NotEqual(t, "100000", resp.Ext("nextBeginOffset"))

	// Writes to a slave: SERVICE_NOT_AVAILABLE, as Java.
	resp = s.call(t, code.SendMessageV2, sendV2("HATopic", 0, ""), []byte("to the slave"))
	require.Equal(t, code.ServiceNotAvailable, resp.Code, resp.Remark)
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	return es
}

// SYNC_MASTER: a WAIT=true send is answered after the slave has it; without a slave SLAVE_NOT_AVAILABLE.
func TestSyncMasterSend(t *testing.T) {
	ns := startNamesrv(t)
	m := startPairMember(t, ns, conf.SyncMaster, func(c *conf.Broker) { c.Store.SlaveTimeout = 500 })
	m.createTopic(t, "SyncHA", 1)
	resp := m.call(t, code.SendMessageV2, sendV2("SyncHA", 0, "WAIT\x01true"), []byte("alone"))
	require.Equal(t, code.SlaveNotAvailable, resp.Code, resp.Remark)
	// WAIT=false is not held back.
	resp = m.call(t, code.SendMessageV2, sendV2("SyncHA", 0, "WAIT\x01false"), []byte("no wait"))
	require.Equal(t, code.Success, resp.Code, resp.Remark)

	s := startPairMember(t, ns, conf.Slave, nil)
	ms, ss := m.msgStore(), s.msgStore()
	require.Eventually(t, func() bool {
		return ms.HAStatus().SlaveConnections == 1 && ss.GetMaxPhyOffset() == ms.GetMaxPhyOffset()
	},
		15*time.Second, 10*time.Millisecond)
	const n = 64
	results := make(chan *remoting.Command, n)
	for i := 0; i < n; i++ {
		require.NoError(t, m.cl.InvokeAsync(context.Background(), m.addr,
			remoting.NewRequest(code.SendMessageV2, sendV2("SyncHA", 0, "WAIT\x01true"), []byte("replicated")), 30*time.Second,
			func(c *remoting.Command, err error) {
				require.NoError(t, err)
				results <- c
			}))
	}
	for i := 0; i < n; i++ {
		c := <-results
		require.Equal(t, code.Success, c.Code, c.Remark)
		off, err := strconv.ParseInt(c.Ext("queueOffset"), 10, 64)
		require.NoError(t, err)
		// The slave's log already holds the message: its CommitLog reaches past the message's record.
		phy := ms.GetCommitLogOffsetInQueue("SyncHA", 0, off)
		require.Greater(t, ss.GetMaxPhyOffset(), phy, "answered before the slave had queue offset %d", off)
	}
	require.NoError(t, s.b.Close())
	require.Eventually(t, func() bool { return ms.HAStatus().SlaveConnections == 0 }, 10*time.Second, 10*time.Millisecond)
	resp = m.call(t, code.SendMessageV2, sendV2("SyncHA", 0, "WAIT\x01true"), []byte("alone again"))
	require.Equal(t, code.SlaveNotAvailable, resp.Code, resp.Remark)
}

// SYNC_MASTER with a slave that never acknowledges: FLUSH_SLAVE_TIMEOUT after slaveTimeout.
func TestSyncMasterSlaveTimeout(t *testing.T) {
	m := startTestBroker(t, func(c *conf.Broker) {
		c.Store.BrokerRole = conf.SyncMaster
		c.Store.SlaveTimeout = 300
	})
	m.createTopic(t, "SyncTO", 1)
	hc, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(m.b.cfg.Store.HaListenPort))
	require.NoError(t, err)
	defer hc.Close()
	_, err = hc.Write(make([]byte, 8)) // reports offset 0, then goes silent
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, hc) }()
	require.Eventually(t, func() bool { return m.b.HAStatus().SlaveConnections == 1 }, 5*time.Second, 5*time.Millisecond)
	start := time.Now()
	resp := m.call(t, code.SendMessageV2, sendV2("SyncTO", 0, "WAIT\x01true"), []byte("never acked"))
	require.Equal(t, code.FlushSlaveTimeout, resp.Code, resp.Remark)
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
}

// SYNC_MASTER with SYNC_FLUSH: a WAIT send is answered after both the flush and the slave's ack.
func TestSyncMasterWithSyncFlush(t *testing.T) {
	ns := startNamesrv(t)
	m := startPairMember(t, ns, conf.SyncMaster, func(c *conf.Broker) { c.Store.FlushDiskType = conf.SyncFlush })
	m.createTopic(t, "SyncBoth", 1)
	require.Equal(t, code.SlaveNotAvailable, m.call(t, code.SendMessageV2, sendV2("SyncBoth", 0, "WAIT\x01true"), []byte("x")).Code)
	s := startPairMember(t, ns, conf.Slave, nil)
	ms, ss := m.msgStore(), s.msgStore()
	require.Eventually(t, func() bool { return ss.GetMaxPhyOffset() == ms.GetMaxPhyOffset() }, 15*time.Second, 10*time.Millisecond)
	for i := 0; i < 20; i++ {
		resp := m.call(t, code.SendMessageV2, sendV2("SyncBoth", 0, "WAIT\x01true"), []byte("durable and replicated"))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		off, err := strconv.ParseInt(resp.Ext("queueOffset"), 10, 64)
		require.NoError(t, err)
		require.Greater(t, ss.GetMaxPhyOffset(), ms.GetCommitLogOffsetInQueue("SyncBoth", 0, off))
	}
}

// haMasterAddress: a slave replicates from the configured address, without a name server.
func TestSlaveWithHaMasterAddress(t *testing.T) {
	m := startTestBroker(t, func(c *conf.Broker) { c.Store.MappedFileSizeCommitLog = 64 << 10 })
	m.createTopic(t, "Fixed", 1)
	resp := m.call(t, code.SendMessageV2, sendV2("Fixed", 0, ""), []byte("before the slave"))
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	s := startTestBroker(t, func(c *conf.Broker) {
		c.Store.MappedFileSizeCommitLog = 64 << 10
		c.Store.BrokerRole = conf.Slave
		c.Broker.BrokerID = 1
		c.Store.HaMasterAddress = "127.0.0.1:" + strconv.Itoa(m.b.cfg.Store.HaListenPort)
	})
	ms, ss := m.msgStore(), s.msgStore()
	require.Eventually(t, func() bool { return s.b.HAStatus().MasterConnected && ss.GetMaxPhyOffset() == ms.GetMaxPhyOffset() },
		10*time.Second, 10*time.Millisecond)
	require.Equal(t, s.b.cfg.Store.HaMasterAddress, s.b.HAStatus().MasterAddress)
}

// TestSuggestSlaveFollowsMemoryRatio: with slaveReadEnable=true a master suggests the group's
// whichBrokerWhenConsumeSlowly (1) when the CommitLog ahead of the pulled records exceeds
// accessMessageInMemoryMaxRatio % of physical memory, else the group's brokerId (0); the ratio changes at once
// with UPDATE_BROKER_CONFIG, as Java reads it on every pull.
func TestSuggestSlaveFollowsMemoryRatio(t *testing.T) {
	m := startTestBroker(t, func(c *conf.Broker) { c.Broker.SlaveReadEnable = true })
	m.createTopic(t, "RatioTopic", 1)
	for i := 0; i < 3; i++ {
		require.Equal(t, code.Success, m.call(t, code.SendMessageV2, sendV2("RatioTopic", 0, ""), []byte("r")).Code)
	}
	require.Eventually(t, func() bool {
		return m.call(t, code.PullMessage, pullExt("ratioGroup", "RatioTopic", 0, 0, 4, 0), nil).Code == code.Success
	}, 5*time.Second, 10*time.Millisecond, "dispatched")
	suggest := func() string {
		t.Helper()
		resp := m.call(t, code.PullMessage, pullExt("ratioGroup", "RatioTopic", 0, 0, 4, 0), nil)
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		return resp.Ext("suggestWhichBrokerId")
	}
	require.Equal(t, "0", suggest(), "a few bytes behind, 40 % of memory: the master")
	for _, c := range []struct{ set, want string }{
		{"accessMessageInMemoryMaxRatio=0", "1"}, // any byte ahead is too much: the slave
		{"accessMessageInMemoryMaxRatio=40", "0"},
		{"accessMessageInMemoryMaxRatio=0\nslaveReadEnable=false", "0"}, // never the slave without slaveReadEnable
	} {
		require.Equal(t, code.Success, m.call(t, code.UpdateBrokerConfig, nil, []byte(c.set+"\n")).Code)
		require.Equal(t, c.want, suggest(), c.set)
	}
}
