package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// haPair is a master store and a slave store replicating over real TCP on loopback.
type haPair struct {
	master, slave *DefaultMessageStore
	masterHA      string
}

func startHAStore(t *testing.T, role string, tune func(*MessageStoreConfig)) (*DefaultMessageStore, string) {
	t.Helper()
	cfg := testConfig(t.TempDir())
	cfg.BrokerRole = role
	if tune != nil {
		tune(&cfg)
	}
	s, err := Open(cfg, Options{HAReconnectInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	addr, err := s.StartHA("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Shutdown() })
	return s, addr.String()
}

func startHAPair(t *testing.T, masterRole string, tune func(*MessageStoreConfig)) *haPair {
	t.Helper()
	m, addr := startHAStore(t, masterRole, tune)
	s, _ := startHAStore(t, Slave, tune)
	s.UpdateHaMasterAddress(addr)
	// One message first, so the slave's first request (0: "from the master's last file") means file 0.
	put(t, m, newMsg("warmup", 0, "w", nil))
	waitCaughtUp(t, m, s)
	return &haPair{master: m, slave: s, masterHA: addr}
}

func waitCaughtUp(t *testing.T, m, s *DefaultMessageStore) {
	t.Helper()
	require.Eventually(t, func() bool { return s.GetMaxPhyOffset() == m.GetMaxPhyOffset() },
		10*time.Second, 5*time.Millisecond, "slave max offset %d never reached the master's %d", s.GetMaxPhyOffset(), m.GetMaxPhyOffset())
	waitDispatched(t, s)
}

// requireSameCommitLog compares the two CommitLog directories file by file, byte by byte.
func requireSameCommitLog(t *testing.T, master, slave string) {
	t.Helper()
	me, err := os.ReadDir(master)
	require.NoError(t, err)
	se, err := os.ReadDir(slave)
	require.NoError(t, err)
	names := func(es []os.DirEntry) (n []string) {
		for _, e := range es {
			n = append(n, e.Name())
		}
		return n
	}
	require.Equal(t, names(me), names(se), "CommitLog file names")
	for _, e := range me {
		a, err := os.ReadFile(filepath.Join(master, e.Name()))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(slave, e.Name()))
		require.NoError(t, err)
		if !bytes.Equal(a, b) {
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			t.Fatalf("CommitLog file %s differs from byte %d (sizes %d, %d)", e.Name(), i, len(a), len(b))
		}
	}
}

func TestReplicationSlaveFilesIdenticalAndServed(t *testing.T) {
	p := startHAPair(t, AsyncMaster, nil)
	var want []string
	for i := 0; i < 400; i++ {
		body := fmt.Sprintf("m-%03d-%s", i, strings.Repeat("x", i%97*7))
		want = append(want, body)
		put(t, p.master, newMsg("T", int32(i%4), body, map[string]string{"KEYS": fmt.Sprintf("k%d", i)}))
	}
	require.Greater(t, len(p.master.cl.Queue().Files()), 3, "the test must cross several files (BLANK tails)")
	waitCaughtUp(t, p.master, p.slave)
	requireSameCommitLog(t, p.master.cfg.commitLogDir(), p.slave.cfg.commitLogDir())

	// The slave dispatched its own consume queues and index from the replicated bytes.
	var got []string
	for q := int32(0); q < 4; q++ {
		require.Equal(t, p.master.GetMaxOffsetInQueue("T", q), p.slave.GetMaxOffsetInQueue("T", q))
		for off := int64(0); off < p.slave.GetMaxOffsetInQueue("T", q); {
			r := p.slave.GetMessage("g", "T", q, off, 32, nil)
			require.NotNil(t, r)
			require.Equal(t, Found, r.Status, "queue %d offset %d", q, off)
			for _, b := range r.Messages {
				got = append(got, string(decode(t, b).Body))
			}
			off = r.NextBeginOffset
			r.Release()
		}
	}
	require.ElementsMatch(t, want, got)
	qr := p.slave.QueryMessage("T", "k7", 10, 0, time.Now().UnixMilli()+1000)
	require.Len(t, qr.Messages, 1)

	// A slave refuses puts (Java: SERVICE_NOT_AVAILABLE).
	r := p.slave.PutMessage(context.Background(), newMsg("T", 0, "nope", nil))
	require.Equal(t, ServiceNotAvailable, r.Status)
}

func TestReplicationFreshSlaveStartsAtMastersLastFile(t *testing.T) {
	m, addr := startHAStore(t, AsyncMaster, nil)
	for i := 0; i < 300; i++ {
		put(t, m, newMsg("T", 0, strings.Repeat("y", 200), nil))
	}
	files := m.cl.Queue().Files()
	require.Greater(t, len(files), 2)
	last := files[len(files)-1].From()

	s, _ := startHAStore(t, Slave, nil)
	s.UpdateHaMasterAddress(addr)
	waitCaughtUp(t, m, s)
	require.Equal(t, last, s.GetMinPhyOffset(), "Java's master sends a fresh slave only its last file")
	// The slave's queue starts where that file starts, and serves from there.
	min := s.GetMinOffsetInQueue("T", 0)
	require.Greater(t, min, int64(0))
	r := s.GetMessage("g", "T", 0, min, 1, nil)
	require.Equal(t, Found, r.Status)
	r.Release()
}

func TestReplicationResumesAfterSlaveRestart(t *testing.T) {
	m, addr := startHAStore(t, AsyncMaster, nil)
	scfg := testConfig(t.TempDir())
	scfg.BrokerRole = Slave
	open := func() *DefaultMessageStore {
		s, err := Open(scfg, Options{HAReconnectInterval: 50 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, s.Start())
		_, err = s.StartHA("127.0.0.1:0")
		require.NoError(t, err)
		s.UpdateHaMasterAddress(addr)
		return s
	}
	s := open()
	// Let the slave ask for offset 0 while the master's log is still in its first file.
	require.Eventually(t, func() bool { return m.HAStatus().Push2SlaveMaxOffset == 0 && m.HAStatus().SlaveConnections == 1 },
		5*time.Second, 5*time.Millisecond)
	put(t, m, newMsg("T", 0, "first", nil))
	waitCaughtUp(t, m, s)
	for i := 0; i < 99; i++ {
		put(t, m, newMsg("T", 0, strings.Repeat("a", 300), nil))
	}
	waitCaughtUp(t, m, s)
	require.NoError(t, s.Shutdown())
	for i := 0; i < 100; i++ {
		put(t, m, newMsg("T", 0, strings.Repeat("b", 300), nil))
	}
	s = open()
	defer s.Shutdown()
	waitCaughtUp(t, m, s)
	requireSameCommitLog(t, m.cfg.commitLogDir(), s.cfg.commitLogDir())
	require.Equal(t, int64(200), s.GetMaxOffsetInQueue("T", 0))
}

func TestSyncMasterWaitsForSlave(t *testing.T) {
	tune := func(c *MessageStoreConfig) { c.SlaveTimeout = 300 }
	m, addr := startHAStore(t, SyncMaster, tune)

	// No slave: SLAVE_NOT_AVAILABLE at once.
	r := put(t, m, newMsg("T", 0, "first", nil))
	got := make(chan PutResult, 1)
	m.WaitReplica(r, func(r PutResult) { got <- r })
	require.Equal(t, SlaveNotAvailable, (<-got).Status)

	s, _ := startHAStore(t, Slave, tune)
	s.UpdateHaMasterAddress(addr)
	require.Eventually(t, func() bool { return m.HAStatus().SlaveConnections == 1 }, 5*time.Second, 5*time.Millisecond)
	waitCaughtUp(t, m, s)

	// With a slave: each completion comes after the slave holds the message; many waits in flight at once.
	const n = 200
	var wg sync.WaitGroup
	results := make([]PutResult, n)
	for i := 0; i < n; i++ {
		r := put(t, m, newMsg("T", 0, fmt.Sprintf("sync-%d", i), nil))
		wg.Add(1)
		i := i
		m.WaitReplica(r, func(res PutResult) {
			results[i] = res
			if res.Status == PutOK && s.GetMaxPhyOffset() < res.WroteOffset+int64(res.WroteBytes) {
				results[i].Status = UnknownError // answered before the slave had it
			}
			wg.Done()
		})
	}
	wg.Wait()
	for i, res := range results {
		require.Equal(t, PutOK, res.Status, "put %d", i)
	}

	// Slave gone: first a timeout for puts already accepted, then SLAVE_NOT_AVAILABLE.
	require.NoError(t, s.Shutdown())
	require.Eventually(t, func() bool { return m.HAStatus().SlaveConnections == 0 }, 5*time.Second, 5*time.Millisecond)
	r = put(t, m, newMsg("T", 0, "after", nil))
	m.WaitReplica(r, func(r PutResult) { got <- r })
	require.Equal(t, SlaveNotAvailable, (<-got).Status)
}

func TestSyncMasterTimesOutWhenSlaveStalls(t *testing.T) {
	tune := func(c *MessageStoreConfig) { c.SlaveTimeout = 200 }
	m, addr := startHAStore(t, SyncMaster, tune)
	// A "slave" that reports offset 0 and then never acknowledges anything.
	stall := dialStall(t, addr, 0)
	defer stall.Close()
	require.Eventually(t, func() bool { return m.HAStatus().SlaveConnections == 1 }, 5*time.Second, 5*time.Millisecond)
	r := put(t, m, newMsg("T", 0, "x", nil))
	got := make(chan PutResult, 1)
	start := time.Now()
	m.WaitReplica(r, func(r PutResult) { got <- r })
	res := <-got
	require.Equal(t, FlushSlaveTimeout, res.Status)
	require.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
}

// Two slaves of one master both end up identical; SYNC_MASTER needs only one of them.
func TestReplicationTwoSlavesAndMasterRestart(t *testing.T) {
	mcfg := testConfig(t.TempDir())
	mcfg.BrokerRole = SyncMaster
	mcfg.SlaveTimeout = 2000
	openMaster := func(addr string) (*DefaultMessageStore, string) {
		m, err := Open(mcfg, Options{})
		require.NoError(t, err)
		require.NoError(t, m.Start())
		a, err := m.StartHA(addr)
		require.NoError(t, err)
		return m, a.String()
	}
	m, addr := openMaster("127.0.0.1:0")
	s1, _ := startHAStore(t, Slave, nil)
	s2, _ := startHAStore(t, Slave, nil)
	s1.UpdateHaMasterAddress(addr)
	s2.UpdateHaMasterAddress(addr)
	require.Eventually(t, func() bool { return m.HAStatus().SlaveConnections == 2 }, 5*time.Second, 5*time.Millisecond)
	waitReplica := func(r PutResult) PutMessageStatus {
		ch := make(chan PutResult, 1)
		m.WaitReplica(r, func(r PutResult) { ch <- r })
		return (<-ch).Status
	}
	// First message in file 0 while both slaves ask for "0" (the start of the master's last file).
	require.Equal(t, PutOK, waitReplica(put(t, m, newMsg("T", 0, "first", nil))))
	waitCaughtUp(t, m, s1)
	waitCaughtUp(t, m, s2)
	for i := 0; i < 49; i++ {
		require.Equal(t, PutOK, waitReplica(put(t, m, newMsg("T", 0, strings.Repeat("q", 500), nil))))
	}
	waitCaughtUp(t, m, s1)
	waitCaughtUp(t, m, s2)
	requireSameCommitLog(t, m.cfg.commitLogDir(), s1.cfg.commitLogDir())
	requireSameCommitLog(t, m.cfg.commitLogDir(), s2.cfg.commitLogDir())

	// One slave leaves: the other still acknowledges.
	require.NoError(t, s2.Shutdown())
	require.Equal(t, PutOK, waitReplica(put(t, m, newMsg("T", 0, "one slave", nil))))

	// The master restarts on the same port: the remaining slave reconnects and resumes where it was.
	require.NoError(t, m.Shutdown())
	m, _ = openMaster(addr)
	defer m.Shutdown()
	require.Eventually(t, func() bool { return m.HAStatus().SlaveConnections == 1 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, PutOK, waitReplica(put(t, m, newMsg("T", 0, "after restart", nil))))
	waitCaughtUp(t, m, s1)
	requireSameCommitLog(t, m.cfg.commitLogDir(), s1.cfg.commitLogDir())
	require.Equal(t, int64(52), s1.GetMaxOffsetInQueue("T", 0))
}
