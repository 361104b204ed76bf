// Package interop proves the "binary swap on the same disk" promise against the real Java 4.9.8 broker:
// a store directory written by Java is served by rocketd and the reverse, after a clean stop and after
// kill -9. It needs the Java harness (make java-deps) and runs only with ROCKETD_INTEROP=1:
//
//	make compat-store      (store/interop/interop.mk)
//
// Every scenario sends messages with several topics, queues, tags (one non-ASCII), keys, a compressed body
// and delayed messages (Java→rocketd also a committed transaction) with the official Go client, records each
// SendResult, swaps the broker on the same directory, and checks with the official Go client and with raw
// store reads that every message comes back with identical msgId, offsetMsgId, queue, queue offset and body,
// and that the new broker appends right after the old one's last record.
package interop

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"github.com/rocketd/rocketd/broker/offset"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

const envInterop = "ROCKETD_INTEROP"

func init() { rlog.SetLogLevel("error") }

func needInterop(t *testing.T) {
	if os.Getenv(envInterop) == "" {
		t.Skipf("set %s=1 (make compat-store) to run the Java 4.9.8 store interop tests", envInterop)
	}
}

const (
	topicA = "IopTopicA" // 4 queues
	topicB = "IopTopicB" // 2 queues
)

var seq atomic.Int64

func uniq(p string) string {
	return fmt.Sprintf("%s_%d_%d", p, time.Now().UnixMilli()%1_000_000_000, seq.Add(1))
}

// sentMsg is what a SendResult told us, plus what we sent.
type sentMsg struct {
	Topic, Tags, Keys     string
	MsgID, OffsetMsgID    string
	QueueID               int
	QueueOffset           int64
	Body                  []byte
	DelayLevel            int
	Tx                    bool
	ConsumedCommitLogOffs int64 // filled by consumeAll
}

func (m *sentMsg) plain() bool { return m.DelayLevel == 0 && !m.Tx }

var tagCycle = []string{"TagA", "TagB", "", "标签"}

func body(i int) []byte {
	n := 200 + (i*37)%1200
	if i%250 == 7 {
		n = 6000 // the client compresses bodies over 4 KiB (sysflag bit 0)
	}
	b := make([]byte, n)
	for k := range b {
		b[k] = byte('a' + (i+k)%26)
	}
	copy(b, fmt.Sprintf("msg-%05d|", i))
	return b
}

func newProducer(t *testing.T, nsAddr string) rocketmq.Producer {
	t.Helper()
	p, err := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{nsAddr})),
		producer.WithGroupName(uniq("iop_pg")), producer.WithInstanceName(uniq("iop_pi")),
		producer.WithRetry(0), producer.WithSendMsgTimeout(10*time.Second))
	require.NoError(t, err)
	require.NoError(t, p.Start())
	return p
}

func record(t *testing.T, m *primitive.Message, r *primitive.SendResult, err error, tags, keys string, delay int) sentMsg {
	t.Helper()
	require.NoError(t, err)
	require.Equal(t, primitive.SendOK, r.Status, "send status")
	return sentMsg{Topic: m.Topic, Tags: tags, Keys: keys, MsgID: r.MsgID, OffsetMsgID: r.OffsetMsgID,
		QueueID: r.MessageQueue.QueueId, QueueOffset: r.QueueOffset, Body: m.Body, DelayLevel: delay}
}

// produce sends n plain messages over both topics, then the given delayed messages (level per entry).
func produce(t *testing.T, nsAddr string, start, n int, delays ...int) []sentMsg {
	t.Helper()
	p := newProducer(t, nsAddr)
	defer p.Shutdown()
	out := make([]sentMsg, 0, n+len(delays))
	for i := start; i < start+n; i++ {
		topic := topicA
		if i%3 == 2 {
			topic = topicB
		}
		m := primitive.NewMessage(topic, body(i))
		tags := tagCycle[i%len(tagCycle)]
		if tags != "" {
			m.WithTag(tags)
		}
		keys := fmt.Sprintf("key-%d", i)
		if i%5 == 0 {
			keys += " shared-key"
		}
		m.WithKeys(strings.Split(keys, " "))
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		r, err := p.SendSync(ctx, m)
		cancel()
		out = append(out, record(t, m, r, err, tags, keys, 0))
	}
	for k, lvl := range delays {
		m := primitive.NewMessage(topicA, []byte(fmt.Sprintf("delayed-%d-level-%d", start+k, lvl)))
		m.WithTag("TagD")
		keys := fmt.Sprintf("delay-key-%d", start+k)
		m.WithKeys([]string{keys})
		m.WithDelayTimeLevel(lvl)
		r, err := p.SendSync(context.Background(), m)
		out = append(out, record(t, m, r, err, "TagD", keys, lvl))
	}
	return out
}

type txListener struct{}

func (txListener) ExecuteLocalTransaction(*primitive.Message) primitive.LocalTransactionState {
	return primitive.CommitMessageState
}
func (txListener) CheckLocalTransaction(*primitive.MessageExt) primitive.LocalTransactionState {
	return primitive.CommitMessageState
}

// sendTx sends one transactional message committed at once (Java only: rocketd has no END_TRANSACTION yet).
func sendTx(t *testing.T, nsAddr string) sentMsg {
	t.Helper()
	p, err := rocketmq.NewTransactionProducer(txListener{},
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{nsAddr})),
		producer.WithGroupName(uniq("iop_txg")), producer.WithInstanceName(uniq("iop_txi")), producer.WithRetry(0))
	require.NoError(t, err)
	require.NoError(t, p.Start())
	defer p.Shutdown()
	m := primitive.NewMessage(topicB, []byte("transactional committed body"))
	m.WithTag("TagTx")
	m.WithKeys([]string{"tx-key"})
	r, err := p.SendMessageInTransaction(context.Background(), m)
	require.NoError(t, err)
	require.Equal(t, primitive.SendOK, r.Status)
	require.Equal(t, primitive.CommitMessageState, r.State)
	return sentMsg{Topic: topicB, Tags: "TagTx", Keys: "tx-key", MsgID: r.MsgID, Body: m.Body, Tx: true, QueueOffset: -1}
}

// consumeAll consumes both topics with a new push consumer group until every message in want arrived, and
// checks ids, queue, offsets and body. It returns the received messages by msgId.
func consumeAll(t *testing.T, nsAddr string, want []sentMsg) map[string]*primitive.MessageExt {
	t.Helper()
	return consumeAllAs(t, nsAddr, uniq("iop_cg"), want)
}

// consumeAllAs is consumeAll with a given consumer group (and extra consumer options); the consumer's Shutdown
// commits its offsets.
func consumeAllAs(t *testing.T, nsAddr, group string, want []sentMsg, opts ...consumer.Option) map[string]*primitive.MessageExt {
	t.Helper()
	var mu sync.Mutex
	got := map[string]*primitive.MessageExt{}
	pc, err := rocketmq.NewPushConsumer(append([]consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{nsAddr})),
		consumer.WithGroupName(group), consumer.WithInstance(uniq("iop_ci")),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset), consumer.WithPullBatchSize(32)}, opts...)...)
	require.NoError(t, err)
	for _, topic := range []string{topicA, topicB} {
		require.NoError(t, pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
			func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
				mu.Lock()
				for _, m := range msgs {
					got[m.MsgId] = m
				}
				mu.Unlock()
				return consumer.ConsumeSuccess, nil
			}))
	}
	require.NoError(t, pc.Start())
	defer pc.Shutdown()
	missing := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, w := range want {
			if got[w.MsgID] == nil {
				out = append(out, w.MsgID)
			}
		}
		return out
	}
	deadline := time.Now().Add(120 * time.Second)
	for len(missing()) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	miss := missing()
	require.Empty(t, miss, "%d of %d messages never consumed", len(miss), len(want))
	mu.Lock()
	defer mu.Unlock()
	for i := range want {
		w := &want[i]
		m := got[w.MsgID]
		require.Equal(t, w.Topic, m.Topic, w.MsgID)
		require.Equal(t, w.Body, m.Body, "body of %s", w.MsgID)
		require.Equal(t, w.Tags, m.GetTags(), w.MsgID)
		require.Equal(t, w.Keys, m.GetKeys(), w.MsgID)
		w.ConsumedCommitLogOffs = m.CommitLogOffset
		if !w.plain() {
			continue
		}
		require.Equal(t, w.OffsetMsgID, m.OffsetMsgId, "offsetMsgId of %s", w.MsgID)
		require.Equal(t, w.QueueID, m.Queue.QueueId, w.MsgID)
		require.Equal(t, w.QueueOffset, m.QueueOffset, w.MsgID)
	}
	return got
}

func storeConfig(dir string) store.MessageStoreConfig {
	c := store.DefaultMessageStoreConfig(dir)
	c.MappedFileSizeCommitLog = 1048576
	c.MappedFileSizeConsumeQueue = 6000
	c.MaxHashSlotNum = 1000
	c.MaxIndexNum = 2000
	return c
}

func verify(t *testing.T, dir, who string) *store.VerifyReport {
	t.Helper()
	rep, err := store.VerifyDir(storeConfig(dir))
	require.NoError(t, err)
	t.Logf("VerifyDir after %s: %d CL files, %d records, phy [%d, %d), %d queues, %d units, %d index files, %d entries, abort=%v, stop=%q",
		who, rep.CommitLogFiles, rep.Records, rep.MinPhyOffset, rep.MaxPhyOffset, rep.Queues, rep.Units, rep.IndexFiles,
		rep.IndexEntries, rep.AbortPresent, rep.StopReason)
	require.Empty(t, rep.Problems, "VerifyDir problems in the store %s wrote", who)
	return rep
}

func inflate(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := zlib.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return out
}

// rawCheck opens the stopped store with rocketd's store package and reads every message by queue offset
// (plain) or CommitLog offset (delayed/tx as consumed), comparing the record bytes with what was sent.
func rawCheck(t *testing.T, dir string, want []sentMsg, delaysMs map[int]int64) {
	t.Helper()
	s, err := store.Open(storeConfig(dir), store.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	defer func() { require.NoError(t, s.Shutdown()) }()
	for _, w := range want {
		var raw []byte
		if w.plain() {
			g := s.GetMessage("iop", w.Topic, int32(w.QueueID), w.QueueOffset, 1, nil)
			require.Equal(t, store.Found, g.Status, "%s %d@%d", w.Topic, w.QueueID, w.QueueOffset)
			raw = append([]byte(nil), g.Messages[0]...)
			g.Release()
		} else {
			require.NotZero(t, w.ConsumedCommitLogOffs, w.MsgID)
			raw, err = s.LookMessageByOffset(w.ConsumedCommitLogOffs)
			require.NoError(t, err)
		}
		rec, err := commitlog.Decode(raw, true)
		require.NoError(t, err)
		props := compat.DecodeProperties(string(rec.Properties))
		require.Equal(t, w.MsgID, props["UNIQ_KEY"])
		require.Equal(t, w.Keys, props["KEYS"])
		b := rec.Body
		if rec.SysFlag&1 != 0 {
			b = inflate(t, b)
		}
		require.Equal(t, w.Body, b)
		require.Equal(t, w.Topic, string(rec.Topic))
		if w.plain() {
			_, phy, err := compat.DecodeOffsetMessageID(w.OffsetMsgID)
			require.NoError(t, err)
			require.Equal(t, phy, rec.PhysicalOffset, "offsetMsgId ↔ PHYSICALOFFSET")
			require.Equal(t, w.QueueOffset, rec.QueueOffset)
			require.Equal(t, int32(w.QueueID), rec.QueueID)
			require.Equal(t, w.OffsetMsgID, string(compat.OffsetMessageIDFromRaw(nil, rec.StoreHost, rec.PhysicalOffset)))
			// The ConsumeQueue unit carries String.hashCode(TAGS).
			require.Equal(t, compat.TagsCode(w.Tags), tagsCodeAt(t, s, w))
		}
		// The index finds it by every key (UNIQ_KEY is indexed too).
		for _, k := range append(strings.Split(w.Keys, " "), w.MsgID) {
			if k == "shared-key" {
				continue // 240 hits, above maxMsgsNumBatch
			}
			q := s.QueryMessage(w.Topic, k, 64, 0, time.Now().Add(time.Hour).UnixMilli())
			found := false
			for _, m := range q.Messages {
				r, err := commitlog.Decode(m, false)
				if err == nil && r.PhysicalOffset == rec.PhysicalOffset {
					found = true
				}
			}
			require.True(t, found, "index lookup %s#%s", w.Topic, k)
		}
	}
	// Delayed messages still waiting sit in SCHEDULE_TOPIC_XXXX queue level-1 with tags code = delivery time.
	for lvl, delay := range delaysMs {
		qid := int32(lvl - 1)
		max := s.GetMaxOffsetInQueue("SCHEDULE_TOPIC_XXXX", qid)
		require.True(t, max > 0, "level %d queue is empty", lvl)
		g := s.GetMessage("iop", "SCHEDULE_TOPIC_XXXX", qid, 0, 32, nil)
		require.Equal(t, store.Found, g.Status)
		for i, m := range g.Messages {
			rec, err := commitlog.Decode(m, true)
			require.NoError(t, err)
			props := compat.DecodeProperties(string(rec.Properties))
			require.Equal(t, topicA, props["REAL_TOPIC"])
			require.Equal(t, strconv.Itoa(lvl), props["DELAY"])
			tc := tagsCodeAtOffset(t, s, "SCHEDULE_TOPIC_XXXX", qid, g.QueueOffsets[i])
			require.Equal(t, rec.StoreTimestamp+delay, tc, "delayed tags code = store time + level delay")
		}
		g.Release()
	}
}

type unitFilter struct{ code *int64 }

func (f unitFilter) IsMatchedByConsumeQueue(c int64) bool { *f.code = c; return true }
func (unitFilter) IsMatchedByCommitLog([]byte) bool       { return true }

func tagsCodeAtOffset(t *testing.T, s *store.DefaultMessageStore, topic string, qid int32, off int64) int64 {
	t.Helper()
	var c int64
	g := s.GetMessage("iop", topic, qid, off, 1, unitFilter{&c})
	require.Equal(t, store.Found, g.Status)
	g.Release()
	return c
}

func tagsCodeAt(t *testing.T, s *store.DefaultMessageStore, w sentMsg) int64 {
	return tagsCodeAtOffset(t, s, w.Topic, int32(w.QueueID), w.QueueOffset)
}

// consumerOffsets asks the broker (QUERY_CONSUMER_OFFSET) for group's committed offset on every queue of
// both topics (-1: none).
// offsetsInFile reads group's committed offsets from a consumerOffset.json, keyed like consumerOffsets.
func offsetsInFile(t *testing.T, path, group string) map[string]int64 {
	t.Helper()
	m, err := offset.Open(path)
	require.NoError(t, err)
	out := map[string]int64{}
	for _, tq := range []struct {
		topic string
		n     int
	}{{topicA, 4}, {topicB, 2}} {
		for q := 0; q < tq.n; q++ {
			v, ok := m.Query(group, tq.topic, int32(q))
			if !ok {
				v = -1
			}
			out[fmt.Sprintf("%s/%d", tq.topic, q)] = v
		}
	}
	return out
}

func consumerOffsets(t *testing.T, brokerAddr, group string) map[string]int64 {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	out := map[string]int64{}
	for _, tq := range []struct {
		topic string
		n     int
	}{{topicA, 4}, {topicB, 2}} {
		for q := 0; q < tq.n; q++ {
			resp, err := cl.InvokeSync(context.Background(), brokerAddr, remoting.NewRequest(code.QueryConsumerOffset,
				map[string]string{"consumerGroup": group, "topic": tq.topic, "queueId": strconv.Itoa(q)}, nil), 5*time.Second)
			require.NoError(t, err)
			v := int64(-1)
			if resp.Code == code.Success {
				v, err = strconv.ParseInt(resp.ExtFields["offset"], 10, 64)
				require.NoError(t, err)
			}
			out[fmt.Sprintf("%s/%d", tq.topic, q)] = v
		}
	}
	return out
}

// queueMaxOffsets asks the broker (GET_MAX_OFFSET) for the max offset of every queue of both topics.
func queueMaxOffsets(t *testing.T, brokerAddr string) map[string]int64 {
	t.Helper()
	cl := &remoting.Client{}
	defer cl.Close()
	out := map[string]int64{}
	for _, tq := range []struct {
		topic string
		n     int
	}{{topicA, 4}, {topicB, 2}} {
		for q := 0; q < tq.n; q++ {
			resp, err := cl.InvokeSync(context.Background(), brokerAddr, remoting.NewRequest(code.GetMaxOffset,
				map[string]string{"topic": tq.topic, "queueId": strconv.Itoa(q)}, nil), 5*time.Second)
			require.NoError(t, err)
			require.Equal(t, code.Success, resp.Code, resp.Remark)
			v, err := strconv.ParseInt(resp.ExtFields["offset"], 10, 64)
			require.NoError(t, err)
			out[fmt.Sprintf("%s/%d", tq.topic, q)] = v
		}
	}
	return out
}

// checkAppendsAfter checks that messages sent to the new broker continue each queue right after the
// previous broker's last message (queue offsets from GET_MAX_OFFSET before sending) and lie after every
// record the previous broker wrote (commitlog offsets).
func checkAppendsAfter(t *testing.T, next map[string]int64, before []sentMsg, after []sentMsg) {
	t.Helper()
	var maxPhy int64
	for _, m := range before {
		maxPhy = max(maxPhy, m.ConsumedCommitLogOffs)
	}
	for _, m := range after {
		k := fmt.Sprintf("%s/%d", m.Topic, m.QueueID)
		require.Equal(t, next[k], m.QueueOffset, "first offset on %s after the swap", k)
		next[k]++
		_, phy, _ := compat.DecodeOffsetMessageID(m.OffsetMsgID)
		require.Greater(t, phy, maxPhy)
	}
}

func storeDir(t *testing.T) string {
	d := filepath.Join(t.TempDir(), "store")
	require.NoError(t, os.MkdirAll(d, 0o755))
	return d
}

func abortPresent(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "abort"))
	return err == nil
}

const nMsgs = 1200 // ~1.1 MB: crosses a 1 MiB CommitLog file, 300-unit CQ files and 2000-entry index files

// javaToRocketd: Java 4.9.8 writes, rocketd serves the same directory.
func javaToRocketd(t *testing.T, kill bool) {
	needInterop(t)
	dir := storeDir(t)
	nsPort, brokerPort := freePorts(t)
	j := startJava(t, dir, nsPort, brokerPort)
	brokerAddr := fmt.Sprintf("127.0.0.1:%d", brokerPort)
	createTopic(t, brokerAddr, topicA, 4)
	createTopic(t, brokerAddr, topicB, 2)
	waitRoute(t, j.nsAddr, topicA)
	waitRoute(t, j.nsAddr, topicB)
	t0 := time.Now()
	sent := produce(t, j.nsAddr, 0, nMsgs, 1, 6) // level 1 (1 s) gets delivered by Java, level 6 (2 min) not
	sent = append(sent, sendTx(t, j.nsAddr))
	t.Logf("java: %d messages sent in %v", len(sent), time.Since(t0).Round(time.Millisecond))
	const group = "iop_offsets_group"
	var javaOffsets map[string]int64
	if kill {
		j.kill9(t)
		require.True(t, abortPresent(dir), "Java leaves abort behind after kill -9")
	} else {
		var plain []sentMsg
		for _, m := range sent {
			if m.plain() {
				plain = append(plain, m)
			}
		}
		consumeAllAs(t, j.nsAddr, group, plain) // also lets Java deliver the level-1 message
		j.stop(t)
		require.False(t, abortPresent(dir), "Java removes abort on a clean stop")
	}
	if !kill {
		verify(t, dir, "java")
		for _, f := range []string{"delayOffset.json", "consumerOffset.json"} {
			b, err := os.ReadFile(filepath.Join(dir, "config", f))
			require.NoError(t, err)
			t.Logf("java %s: %q", f, b)
		}
		// What rocketd must serve is what Java persisted at shutdown (its live table can still lag the
		// consumer's last commit when queried right after consuming).
		javaOffsets = offsetsInFile(t, filepath.Join(dir, "config", "consumerOffset.json"), group)
	}

	// The level-6 message stays in SCHEDULE_TOPIC_XXXX (rocketd has no schedule service yet): raw check only.
	// The level-1 one was delivered by Java in the clean case; after kill -9 it may or may not have been.
	var consumeWant []sentMsg
	for _, m := range sent {
		// After kill -9 neither the level-1 delivery nor the commit of the transaction (END_TRANSACTION is
		// oneway: not acknowledged) is guaranteed to have happened.
		if m.DelayLevel == 6 || (kill && (m.DelayLevel == 1 || m.Tx)) {
			continue
		}
		consumeWant = append(consumeWant, m)
	}
	r := startRocketd(t, dir, nsPort, brokerPort)
	waitRoute(t, r.nsAddr, topicA)
	waitRoute(t, r.nsAddr, topicB)
	if javaOffsets != nil {
		t.Logf("offsets committed on Java: %v", javaOffsets)
		require.Equal(t, javaOffsets, consumerOffsets(t, r.brokerAddr, group), "rocketd reads Java's consumerOffset.json")
	}
	got := consumeAll(t, r.nsAddr, consumeWant)
	for i := range sent {
		if m := got[sent[i].MsgID]; m != nil {
			sent[i].ConsumedCommitLogOffs = m.CommitLogOffset
		}
	}
	reportJavaRewrites(t, dir, got, sent)
	next := queueMaxOffsets(t, r.brokerAddr)
	more := produce(t, r.nsAddr, nMsgs+10, 12)
	checkAppendsAfter(t, next, sent, more)
	r.stop(t)
	verify(t, dir, "rocketd after the java store")
	var rawWant []sentMsg
	for _, m := range append(sent, more...) {
		if m.plain() || m.ConsumedCommitLogOffs != 0 {
			rawWant = append(rawWant, m)
		}
	}
	rawCheck(t, dir, rawWant, map[int]int64{6: 120000})
}

// reportJavaRewrites logs (and checks) what Java leaves in records it rewrites: the delivered delayed
// message (store.md §12) and the committed transaction (§14), both UNVERIFIED in the spec.
func reportJavaRewrites(t *testing.T, dir string, got map[string]*primitive.MessageExt, sent []sentMsg) {
	t.Helper()
	for _, w := range sent {
		m := got[w.MsgID]
		if m == nil || w.plain() {
			continue
		}
		props := m.GetProperties()
		switch {
		case w.Tx:
			t.Logf("§14 committed tx record: sysflag=%#x preparedTxOffset=%d REAL_TOPIC=%q REAL_QID=%q TRAN_MSG=%q PGROUP set=%v",
				m.SysFlag, m.PreparedTransactionOffset, props["REAL_TOPIC"], props["REAL_QID"], props["TRAN_MSG"], props["PGROUP"] != "")
			require.Equal(t, int32(0x8), m.SysFlag&0xC, "COMMIT type")
			require.NotZero(t, m.PreparedTransactionOffset)
		case w.DelayLevel > 0:
			t.Logf("§12 delivered delayed record: DELAY=%q REAL_TOPIC=%q REAL_QID=%q", props["DELAY"], props["REAL_TOPIC"], props["REAL_QID"])
		}
	}
}

// rocketdToJava: rocketd writes, Java 4.9.8 serves the same directory.
func rocketdToJava(t *testing.T, kill bool) {
	needInterop(t)
	dir := storeDir(t)
	nsPort, brokerPort := freePorts(t)
	r := startRocketd(t, dir, nsPort, brokerPort)
	createTopic(t, r.brokerAddr, topicA, 4)
	createTopic(t, r.brokerAddr, topicB, 2)
	waitRoute(t, r.nsAddr, topicA)
	waitRoute(t, r.nsAddr, topicB)
	t0 := time.Now()
	sent := produce(t, r.nsAddr, 0, nMsgs, 1) // level 1: Java delivers it after the swap
	t.Logf("rocketd: %d messages sent in %v", len(sent), time.Since(t0).Round(time.Millisecond))
	const group = "iop_offsets_group"
	var ourOffsets map[string]int64
	if kill {
		r.kill9(t)
		require.True(t, abortPresent(dir), "rocketd leaves abort behind after kill -9")
	} else {
		var plain []sentMsg
		for _, m := range sent {
			if m.plain() {
				plain = append(plain, m)
			}
		}
		consumeAllAs(t, r.nsAddr, group, plain)
		ourOffsets = consumerOffsets(t, r.brokerAddr, group)
		r.stop(t)
		require.False(t, abortPresent(dir), "rocketd removes abort on a clean stop")
		verify(t, dir, "rocketd")
	}
	time.Sleep(300 * time.Millisecond) // let the rocketd namesrv release its port

	j := startJava(t, dir, nsPort, brokerPort)
	waitRoute(t, j.nsAddr, topicA) // proves Java loaded rocketd's topics.json (no auto-create on a read)
	waitRoute(t, j.nsAddr, topicB)
	if ourOffsets != nil {
		t.Logf("offsets committed on rocketd: %v", ourOffsets)
		require.Equal(t, ourOffsets, consumerOffsets(t, fmt.Sprintf("127.0.0.1:%d", brokerPort), group), "Java reads rocketd's consumerOffset.json")
	}
	got := consumeAll(t, j.nsAddr, sent)
	for i := range sent {
		sent[i].ConsumedCommitLogOffs = got[sent[i].MsgID].CommitLogOffset
	}
	next := queueMaxOffsets(t, fmt.Sprintf("127.0.0.1:%d", brokerPort))
	more := produce(t, j.nsAddr, nMsgs+10, 12)
	checkAppendsAfter(t, next, sent, more)
	j.stop(t)
	verify(t, dir, "java after the rocketd store")
	rawCheck(t, dir, append(sent, more...), nil)
}

func TestJavaWritesRocketdReadsClean(t *testing.T) { javaToRocketd(t, false) }
func TestJavaWritesRocketdReadsKill9(t *testing.T) { javaToRocketd(t, true) }
func TestRocketdWritesJavaReadsClean(t *testing.T) { rocketdToJava(t, false) }
func TestRocketdWritesJavaReadsKill9(t *testing.T) { rocketdToJava(t, true) }

// TestBrokerKill9DuringSyncFlushSends runs build/mqbroker with SYNC_FLUSH, sends from 4 producers with the
// official Go client, SIGKILLs the broker at a random moment, restarts it on the same directory (abnormal
// recovery) and checks that every acknowledged message is consumed back with its id, queue and offset, and
// that the queues continue right after. No Java needed; part of make compat-store.
func TestBrokerKill9DuringSyncFlushSends(t *testing.T) {
	needInterop(t)
	dir := storeDir(t)
	nsPort, brokerPort := freePorts(t)
	r := startRocketd(t, dir, nsPort, brokerPort, "flushDiskType=SYNC_FLUSH")
	createTopic(t, r.brokerAddr, topicA, 4)
	createTopic(t, r.brokerAddr, topicB, 2)
	waitRoute(t, r.nsAddr, topicA)
	waitRoute(t, r.nsAddr, topicB)

	var mu sync.Mutex
	var acked []sentMsg
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			p := newProducer(t, r.nsAddr)
			defer p.Shutdown()
			for i := w * 1_000_000; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				topic := topicA
				if i%3 == 2 {
					topic = topicB
				}
				m := primitive.NewMessage(topic, body(i))
				keys := fmt.Sprintf("key-%d", i)
				m.WithKeys([]string{keys})
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				res, err := p.SendSync(ctx, m)
				cancel()
				if err != nil || res.Status != primitive.SendOK {
					continue // the broker is gone (or not acked): not counted
				}
				mu.Lock()
				acked = append(acked, sentMsg{Topic: topic, Keys: keys, MsgID: res.MsgID, OffsetMsgID: res.OffsetMsgID,
					QueueID: res.MessageQueue.QueueId, QueueOffset: res.QueueOffset, Body: m.Body})
				mu.Unlock()
			}
		}(w)
	}
	wait := time.Duration(1000+time.Now().UnixNano()%2000) * time.Millisecond
	time.Sleep(wait)
	r.kill9(t)
	close(stop)
	wg.Wait()
	mu.Lock()
	sent := append([]sentMsg(nil), acked...)
	mu.Unlock()
	t.Logf("%d messages acknowledged with SYNC_FLUSH before kill -9 after %v", len(sent), wait)
	require.NotEmpty(t, sent)
	require.True(t, abortPresent(dir))

	r2 := startRocketd(t, dir, nsPort, brokerPort, "flushDiskType=SYNC_FLUSH")
	waitRoute(t, r2.nsAddr, topicA)
	got := consumeAll(t, r2.nsAddr, sent)
	for i := range sent {
		sent[i].ConsumedCommitLogOffs = got[sent[i].MsgID].CommitLogOffset
	}
	next := queueMaxOffsets(t, r2.brokerAddr)
	more := produce(t, r2.nsAddr, 5_000_000, 12)
	checkAppendsAfter(t, next, sent, more)
	r2.stop(t)
	verify(t, dir, "rocketd after kill -9 and restart")
}

// fakeDisk is a constant disk gauge for the retention swap test.
func fakeDisk(r float64) store.DiskUsageFunc {
	return func(string) (float64, error) { return r, nil }
}

// TestRocketdRetentionThenJavaReads: rocketd writes ~3 MiB (3+ CommitLog files, several ConsumeQueue files
// per queue), its retention deletes everything but the last CommitLog file (disk above the forcible ratio)
// and the ConsumeQueue/index files below the new min offset; Java 4.9.8 then loads the directory (CommitLog
// and ConsumeQueues no longer start at file 0) and serves exactly the surviving messages.
func TestRocketdRetentionThenJavaReads(t *testing.T) {
	needInterop(t)
	dir := storeDir(t)
	nsPort, brokerPort := freePorts(t)
	r := startRocketd(t, dir, nsPort, brokerPort)
	createTopic(t, r.brokerAddr, topicA, 4)
	createTopic(t, r.brokerAddr, topicB, 2)
	waitRoute(t, r.nsAddr, topicA)
	waitRoute(t, r.nsAddr, topicB)
	sent := produce(t, r.nsAddr, 0, 3600)
	r.stop(t)

	cfg := storeConfig(dir)
	s, err := store.Open(cfg, store.Options{DiskUsage: fakeDisk(0.87), CleanFirstDelay: time.Hour})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	st, err := s.CleanOnce()
	require.NoError(t, err)
	minPhy := s.GetMinPhyOffset()
	t.Logf("retention: %+v, CommitLog min offset now %d", st, minPhy)
	require.True(t, st.CommitLogFiles >= 2 && st.ConsumeQueueFiles > 0 && st.IndexFiles > 0, "%+v", st)
	require.NoError(t, s.Shutdown())
	verify(t, dir, "rocketd retention")

	var want []sentMsg
	for _, m := range sent {
		if _, phy, _ := compat.DecodeOffsetMessageID(m.OffsetMsgID); phy >= minPhy {
			want = append(want, m)
		}
	}
	t.Logf("%d of %d messages survive retention", len(want), len(sent))
	j := startJava(t, dir, nsPort, brokerPort)
	waitRoute(t, j.nsAddr, topicA)
	waitRoute(t, j.nsAddr, topicB)
	got := consumeAll(t, j.nsAddr, want)
	for _, m := range got {
		require.GreaterOrEqual(t, m.CommitLogOffset, minPhy, "Java served a message below the CommitLog min offset")
	}
	j.stop(t)
}
