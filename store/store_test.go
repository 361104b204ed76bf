package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store/commitlog"
	"github.com/rocketd/rocketd/store/consumequeue"
	"github.com/rocketd/rocketd/store/mmapfile"

	"github.com/stretchr/testify/require"
)

var (
	bornHost  = netip.MustParseAddrPort("192.168.0.7:50000")
	storeHost = netip.MustParseAddrPort("192.168.0.1:10911")
)

// testConfig keeps files tiny: 16 KiB CommitLog files, 100-unit CQ files, a 64-slot index.
func testConfig(root string) MessageStoreConfig {
	c := DefaultMessageStoreConfig(root)
	c.MappedFileSizeCommitLog = 16 * 1024
	c.MappedFileSizeConsumeQueue = 100 * consumequeue.UnitSize
	c.MaxHashSlotNum = 64
	c.MaxIndexNum = 256
	c.FlushIntervalCommitLog = 10
	c.FlushCommitLogThoroughInterval = 50
	c.FlushIntervalConsumeQueue = 10
	c.FlushConsumeQueueThoroughInterval = 50
	return c
}

func openStarted(t *testing.T, cfg MessageStoreConfig) *DefaultMessageStore {
	t.Helper()
	s, err := Open(cfg, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	return s
}

func newMsg(topic string, qid int32, body string, props map[string]string) *Message {
	return &Message{Topic: topic, QueueID: qid, Body: []byte(body), Properties: props,
		BornTimestamp: time.Now().UnixMilli(), BornHost: bornHost, StoreHost: storeHost}
}

func put(t *testing.T, s *DefaultMessageStore, m *Message) PutResult {
	t.Helper()
	r := s.PutMessage(context.Background(), m)
	require.Equal(t, PutOK, r.Status, r.Err)
	return r
}

func waitDispatched(t *testing.T, s *DefaultMessageStore) {
	t.Helper()
	require.Eventually(t, func() bool { return s.DispatchBehindBytes() <= 0 }, 5*time.Second, 5*time.Millisecond, "dispatch")
}

func decode(t *testing.T, b []byte) commitlog.Record {
	t.Helper()
	rec, err := commitlog.Decode(b, true)
	require.NoError(t, err)
	return rec
}

type tagFilter struct{ code int64 }

func (f tagFilter) IsMatchedByConsumeQueue(c int64) bool { return c == f.code }
func (tagFilter) IsMatchedByCommitLog([]byte) bool       { return true }

func TestPutGetRoundTrip(t *testing.T) {
	s := openStarted(t, testConfig(t.TempDir()))
	defer s.Shutdown()
	var arrived []DispatchInfo
	const n = 60
	for i := 0; i < n; i++ {
		tag := "TagA"
		if i%2 == 1 {
			tag = "TagB"
		}
		r := put(t, s, newMsg("TopicTest", int32(i%2), fmt.Sprintf("body-%03d", i), map[string]string{"TAGS": tag, "KEYS": "k" + strconv.Itoa(i)}))
		require.Equal(t, int64(i/2), r.LogicsOffset)
		require.Len(t, r.MsgID, 32)
	}
	waitDispatched(t, s)
	_ = arrived
	require.Equal(t, int64(n/2), s.GetMaxOffsetInQueue("TopicTest", 0))
	require.Equal(t, int64(0), s.GetMinOffsetInQueue("TopicTest", 0))
	// Files rolled with BLANK tails (~130 B records in 16 KiB files).
	require.True(t, s.cl.Queue().Len() == 1 || s.GetMaxPhyOffset() < 16*1024)

	g := s.GetMessage("g", "TopicTest", 0, 0, 32, nil)
	require.Equal(t, Found, g.Status)
	require.Equal(t, n/2, g.MessageCount())
	require.Equal(t, int64(n/2), g.NextBeginOffset)
	for i, b := range g.Messages {
		rec := decode(t, b)
		require.Equal(t, fmt.Sprintf("body-%03d", 2*i), string(rec.Body))
		require.Equal(t, int64(i), rec.QueueOffset)
		require.Equal(t, int64(i), g.QueueOffsets[i])
		require.Equal(t, storeHost, commitlog.DecodeHost(rec.StoreHost))
	}
	g.Release()

	// maxMsgNums and continuation.
	g = s.GetMessage("g", "TopicTest", 1, 5, 4, nil)
	require.Equal(t, Found, g.Status)
	require.Equal(t, 4, g.MessageCount())
	require.Equal(t, int64(9), g.NextBeginOffset)
	g.Release()

	// Tag filter on queue 0 (all TagA) with TagB: nothing matches, whole queue scanned.
	g = s.GetMessage("g", "TopicTest", 0, 0, 32, tagFilter{compat.TagsCode("TagB")})
	require.Equal(t, NoMatchedMessage, g.Status)
	require.Equal(t, int64(n/2), g.NextBeginOffset)
	g.Release()

	// Offset statuses.
	g = s.GetMessage("g", "TopicTest", 0, n/2, 32, nil)
	require.Equal(t, OffsetOverflowOne, g.Status)
	require.Equal(t, int64(n/2), g.NextBeginOffset)
	g = s.GetMessage("g", "TopicTest", 0, n, 32, nil)
	require.Equal(t, OffsetOverflowBadly, g.Status)
	require.Equal(t, int64(n/2), g.NextBeginOffset) // 4.9.8 corrects to max
	g = s.GetMessage("g", "NoSuchTopic", 0, 0, 32, nil)
	require.Equal(t, NoMessageInQueue, g.Status)
	require.Equal(t, int64(0), s.GetMinOffsetInQueue("NoSuchTopic", 0), "an unknown queue is an empty one, as in Java")

	// Lookups.
	phy := s.GetCommitLogOffsetInQueue("TopicTest", 1, 3)
	b, err := s.LookMessageByOffset(phy)
	require.NoError(t, err)
	require.Equal(t, "body-007", string(decode(t, b).Body))
	_, err = s.LookMessageByOffset(s.GetMaxPhyOffset() + 1000)
	require.ErrorIs(t, err, ErrNotFound)
	st := s.GetMessageStoreTimeStamp("TopicTest", 1, 3)
	require.Equal(t, decode(t, b).StoreTimestamp, st)
	require.True(t, s.GetEarliestMessageTime("TopicTest", 0) > 0)
	require.Equal(t, int64(0), s.GetOffsetInQueueByTime("TopicTest", 0, 0))

	// Index query by key (KEYS) and by UNIQ_KEY.
	q := s.QueryMessage("TopicTest", "k17", 32, 0, time.Now().UnixMilli()+1000)
	require.Len(t, q.Messages, 1)
	require.Equal(t, "body-017", string(decode(t, q.Messages[0]).Body))
	require.Len(t, s.QueryMessage("TopicTest", "nope", 32, 0, time.Now().UnixMilli()+1000).Messages, 0)
}

func TestArrivingListenerAndUniqKey(t *testing.T) {
	s, err := Open(testConfig(t.TempDir()), Options{})
	require.NoError(t, err)
	got := make(chan DispatchInfo, 10)
	s.SetArrivingListener(func(d *DispatchInfo) { got <- *d })
	require.NoError(t, s.Start())
	defer s.Shutdown()
	put(t, s, newMsg("T", 2, "x", map[string]string{"TAGS": "TagA", compat.PropertyUniqClientMessageIDKeyIdx: "C0A8000700002A9F0000000000000001"}))
	select {
	case d := <-got:
		require.Equal(t, "T", d.Topic)
		require.Equal(t, int32(2), d.QueueID)
		require.Equal(t, int64(0), d.QueueOffset)
		require.Equal(t, compat.TagsCode("TagA"), d.TagsCode)
	case <-time.After(5 * time.Second):
		t.Fatal("no dispatch notification")
	}
	q := s.QueryMessage("T", "C0A8000700002A9F0000000000000001", 32, 0, time.Now().UnixMilli()+1000)
	require.Len(t, q.Messages, 1)
}

func TestBatchPut(t *testing.T) {
	s := openStarted(t, testConfig(t.TempDir()))
	defer s.Shutdown()
	var body []byte
	for i := 0; i < 5; i++ {
		props := compat.EncodeProperties(map[string]string{"KEYS": "bk" + strconv.Itoa(i)})
		b := fmt.Sprintf("batch-%d", i)
		total := 22 + len(b) + len(props)
		body = binary.BigEndian.AppendUint32(body, uint32(total))
		body = binary.BigEndian.AppendUint32(body, 0)
		body = binary.BigEndian.AppendUint32(body, 0)
		body = binary.BigEndian.AppendUint32(body, uint32(i))
		body = binary.BigEndian.AppendUint32(body, uint32(len(b)))
		body = append(body, b...)
		body = binary.BigEndian.AppendUint16(body, uint16(len(props)))
		body = append(body, props...)
	}
	r := s.PutMessages(context.Background(), &MessageBatch{Topic: "B", QueueID: 0, Body: body,
		Properties: map[string]string{"CLUSTER": "DefaultCluster"}, BornHost: bornHost, StoreHost: storeHost})
	require.Equal(t, PutOK, r.Status, r.Err)
	require.Equal(t, 5, r.MsgNum)
	require.Equal(t, 5*32+4, len(r.MsgID))
	waitDispatched(t, s)
	g := s.GetMessage("g", "B", 0, 0, 32, nil)
	defer g.Release()
	require.Equal(t, 5, g.MessageCount())
	for i, b := range g.Messages {
		rec := decode(t, b)
		require.Equal(t, fmt.Sprintf("batch-%d", i), string(rec.Body))
		require.Equal(t, int32(i), rec.Flag)
		p := compat.DecodeProperties(string(rec.Properties))
		require.Equal(t, "DefaultCluster", p["CLUSTER"])
		require.Equal(t, "bk"+strconv.Itoa(i), p["KEYS"])
	}
	// Batches cannot be delayed.
	r = s.PutMessages(context.Background(), &MessageBatch{Topic: "B", Body: body, Properties: map[string]string{"DELAY": "2"}})
	require.Equal(t, MessageIllegal, r.Status)
	r = s.PutMessages(context.Background(), &MessageBatch{Topic: "B", Body: body[:10]})
	require.Equal(t, MessageIllegal, r.Status)
}

func TestDelayMessageTagsCode(t *testing.T) {
	s := openStarted(t, testConfig(t.TempDir()))
	defer s.Shutdown()
	r := put(t, s, newMsg("Orig", 3, "later", map[string]string{"TAGS": "TagA", "DELAY": "3"}))
	waitDispatched(t, s)
	require.Equal(t, int64(1), s.GetMaxOffsetInQueue(ScheduleTopic, 2))
	require.Equal(t, int64(0), s.GetMaxOffsetInQueue("Orig", 3))
	u, ok := s.cqs.Get(ScheduleTopic, 2).UnitAt(0)
	require.True(t, ok)
	require.Equal(t, r.StoreTimestamp+10000, u.TagsCode) // level 3 = 10s
	b, err := s.LookMessageByOffset(r.WroteOffset)
	require.NoError(t, err)
	p := compat.DecodeProperties(string(decode(t, b).Properties))
	require.Equal(t, "Orig", p["REAL_TOPIC"])
	require.Equal(t, "3", p["REAL_QID"])
	require.Equal(t, "3", p["DELAY"])
	// Level above the max is capped (and rewritten).
	r = put(t, s, newMsg("Orig", 0, "much later", map[string]string{"DELAY": "99"}))
	b, err = s.LookMessageByOffset(r.WroteOffset)
	require.NoError(t, err)
	rec := decode(t, b)
	require.Equal(t, ScheduleTopic, string(rec.Topic))
	require.Equal(t, int32(17), rec.QueueID)
	require.Equal(t, "18", compat.DecodeProperties(string(rec.Properties))["DELAY"])
}

func TestPutRejects(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.MaxMessageSize = 100
	s := openStarted(t, cfg)
	r := s.PutMessage(context.Background(), newMsg(string(make([]byte, 128)), 0, "x", nil))
	require.Equal(t, MessageIllegal, r.Status)
	r = s.PutMessage(context.Background(), newMsg("T", 0, string(make([]byte, 101)), nil))
	require.Equal(t, MessageIllegal, r.Status)
	r = s.PutMessage(context.Background(), newMsg("T", 0, "x", map[string]string{"K": string(make([]byte, 40000))}))
	require.Equal(t, MessageIllegal, r.Status) // Java's checkMessage counts chars first
	r = s.PutMessage(context.Background(), newMsg("T", 0, "x", map[string]string{"K": strings.Repeat("中", 12000)}))
	require.Equal(t, PropertiesSizeExceeded, r.Status) // 12,002 chars but 36,002 bytes
	require.NoError(t, s.Shutdown())
	r = s.PutMessage(context.Background(), newMsg("T", 0, "x", nil))
	require.Equal(t, ServiceNotAvailable, r.Status)
	require.ErrorIs(t, r.Err, ErrShutdown)
}

func TestReopenAfterCleanShutdown(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(root)
	s := openStarted(t, cfg)
	body := string(make([]byte, 1000))
	var last PutResult
	for i := 0; i < 40; i++ { // ~1.1 KiB records: several 16 KiB files
		last = put(t, s, newMsg("T", 0, body, map[string]string{"KEYS": "key" + strconv.Itoa(i)}))
	}
	require.True(t, s.cl.Queue().Len() >= 3)
	require.NoError(t, s.Shutdown())
	_, err := os.Stat(filepath.Join(root, "abort"))
	require.True(t, os.IsNotExist(err), "abort must be gone after a clean shutdown")
	lock, err := os.ReadFile(filepath.Join(root, "lock"))
	require.NoError(t, err)
	require.Equal(t, "lock", string(lock))
	cp, err := os.ReadFile(filepath.Join(root, "checkpoint"))
	require.NoError(t, err)
	require.Len(t, cp, 4096)
	require.True(t, binary.BigEndian.Uint64(cp[8:]) > 0, "logics timestamp written")
	// Every full CommitLog file ends in a BLANK header.
	for _, f := range mustFiles(t, filepath.Join(root, "commitlog")) {
		require.Equal(t, 16*1024, len(f))
	}

	s2 := openStarted(t, cfg)
	defer s2.Shutdown()
	require.True(t, s2.LastExitOK())
	require.Equal(t, last.WroteOffset+int64(last.WroteBytes), s2.GetMaxPhyOffset())
	require.Equal(t, int64(40), s2.GetMaxOffsetInQueue("T", 0))
	r := put(t, s2, newMsg("T", 0, "after", nil))
	require.Equal(t, int64(40), r.LogicsOffset)
	waitDispatched(t, s2)
	g := s2.GetMessage("g", "T", 0, 38, 32, nil)
	require.Equal(t, 3, g.MessageCount())
	require.Equal(t, "after", string(decode(t, g.Messages[2]).Body))
	g.Release()
	require.Len(t, s2.QueryMessage("T", "key5", 32, 0, time.Now().UnixMilli()+1000).Messages, 1)
}

func mustFiles(t *testing.T, dir string) [][]byte {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out [][]byte
	for _, e := range es {
		_, err := mmapfile.ParseFileName(e.Name())
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out = append(out, b)
	}
	for i, b := range out[:len(out)-1] {
		// Find the BLANK header: walk records from 0.
		pos := 0
		for {
			rec, err := commitlog.Decode(b[pos:], true)
			require.NoError(t, err, "file %d pos %d", i, pos)
			if rec.IsBlank() {
				require.Equal(t, len(b)-pos, int(rec.TotalSize))
				break
			}
			pos += int(rec.TotalSize)
		}
	}
	return out
}

// crash stops the store without flushing, checkpointing or removing the abort file.
func crash(s *DefaultMessageStore) {
	s.shutdown.Store(true)
	s.cl.SetWritable(false)
	close(s.stop)
	s.wg.Wait()
	_ = s.cl.StopFlusher()
	s.closeFiles()
}

func TestRecoveryAfterCrashWithTornTail(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(root)
	s := openStarted(t, cfg)
	var rs []PutResult
	for i := 0; i < 30; i++ {
		rs = append(rs, put(t, s, newMsg("T", int32(i%3), strconv.Itoa(i)+string(make([]byte, 500)), map[string]string{"KEYS": "k" + strconv.Itoa(i)})))
	}
	waitDispatched(t, s)
	crash(s)
	_, err := os.Stat(filepath.Join(root, "abort"))
	require.NoError(t, err)

	// Corrupt the body CRC of record 25 and tear record 29 in half.
	clDir := filepath.Join(root, "commitlog")
	corrupt := func(off int64, f func(b []byte, pos int)) {
		name := filepath.Join(clDir, mmapfile.FileName(off-off%int64(cfg.MappedFileSizeCommitLog)))
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		f(b, int(off%int64(cfg.MappedFileSizeCommitLog)))
		require.NoError(t, os.WriteFile(name, b, 0o644))
	}
	corrupt(rs[25].WroteOffset, func(b []byte, pos int) { b[pos+8] ^= 0x01 })
	corrupt(rs[29].WroteOffset, func(b []byte, pos int) { clear(b[pos+rs[29].WroteBytes/2 : pos+rs[29].WroteBytes]) })

	s2, err := Open(cfg, Options{})
	require.NoError(t, err)
	require.False(t, s2.LastExitOK())
	require.NoError(t, s2.Start())
	defer s2.Shutdown()
	require.Equal(t, rs[25].WroteOffset, s2.GetMaxPhyOffset())
	// Records 0..24 survive: queue q holds i%3 == q.
	counts := [3]int64{9, 8, 8}
	for q := int32(0); q < 3; q++ {
		require.Equal(t, counts[q], s2.GetMaxOffsetInQueue("T", q), "queue %d", q)
	}
	// New puts continue at the recovered queue offsets and end up readable.
	r := put(t, s2, newMsg("T", 1, "fresh", nil))
	require.Equal(t, int64(8), r.LogicsOffset)
	require.Equal(t, rs[25].WroteOffset, r.WroteOffset)
	waitDispatched(t, s2)
	g := s2.GetMessage("g", "T", 1, 7, 32, nil)
	require.Equal(t, 2, g.MessageCount())
	require.Equal(t, "22", string(decode(t, g.Messages[0]).Body[:2]))
	require.Equal(t, "fresh", string(decode(t, g.Messages[1]).Body))
	g.Release()
	require.Len(t, s2.QueryMessage("T", "k24", 32, 0, time.Now().UnixMilli()+1000).Messages, 1)
	require.Len(t, s2.QueryMessage("T", "k26", 32, 0, time.Now().UnixMilli()+1000).Messages, 0)
	require.NoError(t, s2.Shutdown())
	requireVerified(t, cfg, 26)
}

func requireVerified(t *testing.T, cfg MessageStoreConfig, records int64) {
	t.Helper()
	r, err := VerifyDir(cfg)
	require.NoError(t, err)
	require.Equal(t, []string(nil), r.Problems)
	require.Equal(t, records, r.Records)
	require.Equal(t, records, r.Units)
	require.False(t, r.AbortPresent)
}

func TestCrashBeforeDispatchRebuildsConsumeQueue(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(root)
	s := openStarted(t, cfg)
	for i := 0; i < 20; i++ {
		put(t, s, newMsg("T", 0, "m"+strconv.Itoa(i), nil))
	}
	waitDispatched(t, s)
	crash(s)
	// Lose the consume queue entirely: abnormal recovery must rebuild it from the CommitLog.
	require.NoError(t, os.RemoveAll(filepath.Join(root, "consumequeue")))
	s2 := openStarted(t, cfg)
	defer s2.Shutdown()
	require.Equal(t, int64(20), s2.GetMaxOffsetInQueue("T", 0))
	g := s2.GetMessage("g", "T", 0, 0, 32, nil)
	require.Equal(t, 20, g.MessageCount())
	g.Release()
	require.NoError(t, s2.Shutdown())
	requireVerified(t, cfg, 20)
}

func TestSecondOpenFailsWhileLocked(t *testing.T) {
	cfg := testConfig(t.TempDir())
	s := openStarted(t, cfg)
	_, err := Open(cfg, Options{})
	require.ErrorIs(t, err, ErrLocked)
	require.Contains(t, err.Error(), "stop the other broker")
	require.NoError(t, s.Shutdown())
	s2, err := Open(cfg, Options{})
	require.NoError(t, err)
	require.NoError(t, s2.Shutdown())
}

func TestSyncFlush(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.FlushDiskType = SyncFlush
	s := openStarted(t, cfg)
	defer s.Shutdown()
	r := put(t, s, newMsg("T", 0, "durable", nil))
	require.True(t, s.cl.FlushedWhere() >= r.WroteOffset+int64(r.WroteBytes))
	r = put(t, s, newMsg("T", 0, "no wait", map[string]string{"WAIT": "false"}))
	require.Equal(t, PutOK, r.Status)
}

func TestBadDirectoryContentsRefused(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(root)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "commitlog"), 0o755))
	short := make([]byte, 100)
	short[0] = 1 // a short file holding data (an all-zero short newest file is extended: crash while creating it)
	require.NoError(t, os.WriteFile(filepath.Join(root, "commitlog", "00000000000000000000"), short, 0o644))
	_, err := Open(cfg, Options{})
	require.ErrorIs(t, err, mmapfile.ErrBadFileSize)
	// The lock is released after a failed open.
	require.NoError(t, os.Remove(filepath.Join(root, "commitlog", "00000000000000000000")))
	s, err := Open(cfg, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Shutdown())
}

func TestBadConfigRefused(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.StorePathCommitLog = "/a,/b"
	_, err := Open(cfg, Options{})
	require.ErrorIs(t, err, ErrBadConfig)
	cfg = testConfig(t.TempDir())
	cfg.FlushDiskType = "SOMETIMES"
	_, err = Open(cfg, Options{})
	require.ErrorIs(t, err, ErrBadConfig)
	cfg = testConfig(t.TempDir())
	cfg.MessageDelayLevel = "1x"
	_, err = Open(cfg, Options{})
	require.ErrorIs(t, err, ErrBadConfig)
}
