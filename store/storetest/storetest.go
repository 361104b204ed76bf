// Package storetest is the contract every store.MessageStore implementation must pass, and the shared
// append benchmark. Use it from a _test.go file:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.MessageStore { /* a fresh, opened, not started store */ })
//	}
//
// The contract is what the broker relies on (store.md §2, §6, §7 and Java's MessageStore semantics): puts
// before Start or after Shutdown are refused with SERVICE_NOT_AVAILABLE; queue offsets are dense per queue,
// also under concurrency; GetMessage statuses and next offsets follow Java; records read back are valid v1
// records carrying what was put; tag filtering uses the ConsumeQueue tags code; batches, delayed messages,
// the index and the time lookups behave like Java's DefaultMessageStore.
package storetest

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

// Open returns a fresh store (empty directory), opened but not started. Run starts it and shuts it down.
type Open func(t *testing.T) store.MessageStore

var (
	bornHost  = netip.MustParseAddrPort("10.0.0.7:50123")
	storeHost = netip.MustParseAddrPort("10.0.0.1:10911")
)

// Run runs the whole contract, one subtest per rule.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Open)
	}{
		{"RefusesPutsBeforeStartAndAfterShutdown", testLifecycle},
		{"PutGetRoundTrip", testRoundTrip},
		{"GetMessageStatuses", testStatuses},
		{"TagFilterUsesTagsCode", testTagFilter},
		{"BatchGetsConsecutiveOffsets", testBatch},
		{"DelayedMessageGoesToScheduleTopic", testDelay},
		{"QueryByKeyAndUniqKey", testQuery},
		{"TimeAndOffsetLookups", testLookups},
		{"IllegalMessagesRefused", testIllegal},
		{"ConcurrentPutsGetDenseOffsets", testConcurrent},
		{"ArrivingListenerSeesEveryUnit", testArriving},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func started(t *testing.T, open Open) store.MessageStore {
	t.Helper()
	s := open(t)
	require.NoError(t, s.Start())
	t.Cleanup(func() { _ = s.Shutdown() })
	return s
}

// NewMessage is a message with the test hosts and born time set.
func NewMessage(topic string, qid int32, body []byte, props map[string]string) *store.Message {
	return &store.Message{Topic: topic, QueueID: qid, Body: body, Properties: props, BornTimestamp: time.Now().UnixMilli(),
		BornHost: bornHost, StoreHost: storeHost}
}

func mustPut(t *testing.T, s store.MessageStore, m *store.Message) store.PutResult {
	t.Helper()
	r := s.PutMessage(context.Background(), m)
	require.Equal(t, store.PutOK, r.Status, "put: %v", r.Err)
	return r
}

// waitMax waits until the queue's max offset reaches n (dispatch is asynchronous).
func waitMax(t *testing.T, s store.MessageStore, topic string, qid int32, n int64) {
	t.Helper()
	require.Eventually(t, func() bool { return s.GetMaxOffsetInQueue(topic, qid) >= n }, 10*time.Second, time.Millisecond,
		"%s/%d never reached max offset %d (at %d)", topic, qid, n, s.GetMaxOffsetInQueue(topic, qid))
}

func decode(t *testing.T, b []byte) commitlog.Record {
	t.Helper()
	rec, err := commitlog.Decode(b, true)
	require.NoError(t, err)
	return rec
}

func testLifecycle(t *testing.T, open Open) {
	s := open(t)
	r := s.PutMessage(context.Background(), NewMessage("T", 0, []byte("x"), nil))
	require.Equal(t, store.ServiceNotAvailable, r.Status, "put before Start")
	require.NoError(t, s.Start())
	mustPut(t, s, NewMessage("T", 0, []byte("x"), nil))
	require.NoError(t, s.Shutdown())
	r = s.PutMessage(context.Background(), NewMessage("T", 0, []byte("y"), nil))
	require.Equal(t, store.ServiceNotAvailable, r.Status, "put after Shutdown")
	require.Nil(t, s.GetMessage("g", "T", 0, 0, 1, nil), "GetMessage after Shutdown is nil, as in Java")
	_ = s.Shutdown() // a second Shutdown must not panic
}

func testRoundTrip(t *testing.T, open Open) {
	s := started(t, open)
	const n = 40
	var last store.PutResult
	for i := 0; i < n; i++ {
		props := map[string]string{"TAGS": "TagA", "KEYS": fmt.Sprintf("k%d", i), "UNIQ_KEY": fmt.Sprintf("U%030d", i)}
		last = mustPut(t, s, NewMessage("RT", int32(i%2), []byte(fmt.Sprintf("body-%d", i)), props))
		require.Equal(t, int64(i/2), last.LogicsOffset, "queue offsets are dense per queue")
		require.Equal(t, 1, last.MsgNum)
		require.Equal(t, compat.OffsetMessageID(storeHost, last.WroteOffset), last.MsgID, "msgId is the offset message id")
	}
	require.Equal(t, last.WroteOffset+int64(last.WroteBytes), s.GetMaxPhyOffset())
	require.Equal(t, int64(0), s.GetMinPhyOffset())
	waitMax(t, s, "RT", 0, n/2)
	waitMax(t, s, "RT", 1, n/2)
	require.Equal(t, int64(0), s.GetMinOffsetInQueue("RT", 1))

	g := s.GetMessage("g", "RT", 1, 0, 64, nil)
	require.Equal(t, store.Found, g.Status)
	require.Equal(t, n/2, g.MessageCount())
	require.Equal(t, int64(n/2), g.NextBeginOffset)
	require.Equal(t, int64(n/2), g.MaxOffset)
	total := 0
	for i, b := range g.Messages {
		rec := decode(t, b)
		total += len(b)
		require.Equal(t, fmt.Sprintf("body-%d", 2*i+1), string(rec.Body))
		require.Equal(t, "RT", string(rec.Topic))
		require.Equal(t, int32(1), rec.QueueID)
		require.Equal(t, int64(i), rec.QueueOffset)
		require.Equal(t, int64(i), g.QueueOffsets[i])
		require.Equal(t, bornHost, commitlog.DecodeHost(rec.BornHost))
		require.Equal(t, storeHost, commitlog.DecodeHost(rec.StoreHost))
		props := compat.DecodeProperties(string(rec.Properties))
		require.Equal(t, "TagA", props["TAGS"])
		require.NotContains(t, props, "WAIT", "WAIT is not stored")
		look, err := s.LookMessageByOffset(rec.PhysicalOffset)
		require.NoError(t, err)
		require.Equal(t, b, look)
	}
	require.Equal(t, total, g.BufferTotalSize)
	g.Release()

	g = s.GetMessage("g", "RT", 0, 5, 3, nil)
	require.Equal(t, store.Found, g.Status)
	require.Equal(t, 3, g.MessageCount())
	require.Equal(t, int64(8), g.NextBeginOffset)
	g.Release()
}

func testStatuses(t *testing.T, open Open) {
	s := started(t, open)
	g := s.GetMessage("g", "Nope", 0, 0, 1, nil)
	require.Contains(t, []store.GetMessageStatus{store.NoMatchedLogicQueue, store.NoMessageInQueue}, g.Status)
	for i := 0; i < 5; i++ {
		mustPut(t, s, NewMessage("ST", 0, []byte("x"), nil))
	}
	waitMax(t, s, "ST", 0, 5)
	g = s.GetMessage("g", "ST", 0, 5, 1, nil)
	require.Equal(t, store.OffsetOverflowOne, g.Status)
	require.Equal(t, int64(5), g.NextBeginOffset)
	g = s.GetMessage("g", "ST", 0, 9, 1, nil)
	require.Equal(t, store.OffsetOverflowBadly, g.Status)
	require.Equal(t, int64(5), g.NextBeginOffset, "corrected to max")
	g = s.GetMessage("g", "ST", 0, -3, 1, nil)
	require.Contains(t, []store.GetMessageStatus{store.OffsetTooSmall, store.OffsetOverflowBadly}, g.Status)
	require.Equal(t, int64(0), g.NextBeginOffset, "corrected to min")
}

type tagFilter map[int64]bool

func (f tagFilter) IsMatchedByConsumeQueue(c int64) bool { return f[c] }
func (tagFilter) IsMatchedByCommitLog([]byte) bool       { return true }

func testTagFilter(t *testing.T, open Open) {
	s := started(t, open)
	tags := []string{"TagA", "TagB", "中文标签", ""}
	for i := 0; i < 20; i++ {
		var props map[string]string
		if tg := tags[i%4]; tg != "" {
			props = map[string]string{"TAGS": tg}
		}
		mustPut(t, s, NewMessage("TF", 0, []byte(fmt.Sprint(i)), props))
	}
	waitMax(t, s, "TF", 0, 20)
	g := s.GetMessage("g", "TF", 0, 0, 32, tagFilter{compat.TagsCode("中文标签"): true})
	require.Equal(t, store.Found, g.Status)
	require.Equal(t, 5, g.MessageCount())
	for _, b := range g.Messages {
		require.Equal(t, "中文标签", compat.DecodeProperties(string(decode(t, b).Properties))["TAGS"])
	}
	require.Equal(t, int64(20), g.NextBeginOffset)
	g.Release()
	g = s.GetMessage("g", "TF", 0, 0, 32, tagFilter{12345: true})
	require.Equal(t, store.NoMatchedMessage, g.Status)
	require.Equal(t, int64(20), g.NextBeginOffset)
}

// EncodeBatchBody encodes inner messages the way a producer encodes a MessageBatch body.
func EncodeBatchBody(bodies [][]byte, props []map[string]string) []byte {
	var out []byte
	for i, b := range bodies {
		p := ""
		if i < len(props) && props[i] != nil {
			p = compat.EncodeProperties(props[i])
		}
		total := 4 + 4 + 4 + 4 + 4 + len(b) + 2 + len(p)
		out = binary.BigEndian.AppendUint32(out, uint32(total))
		out = binary.BigEndian.AppendUint32(out, 0) // magic
		out = binary.BigEndian.AppendUint32(out, 0) // body crc
		out = binary.BigEndian.AppendUint32(out, 0) // flag
		out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
		out = append(out, b...)
		out = binary.BigEndian.AppendUint16(out, uint16(len(p)))
		out = append(out, p...)
	}
	return out
}

func testBatch(t *testing.T, open Open) {
	s := started(t, open)
	mustPut(t, s, NewMessage("BT", 0, []byte("first"), nil))
	bodies := [][]byte{[]byte("b0"), []byte("b1"), []byte("b2")}
	props := []map[string]string{{"KEYS": "bk0"}, {"KEYS": "bk1"}, {"KEYS": "bk2"}}
	r := s.PutMessages(context.Background(), &store.MessageBatch{Topic: "BT", QueueID: 0, Body: EncodeBatchBody(bodies, props),
		BornTimestamp: time.Now().UnixMilli(), BornHost: bornHost, StoreHost: storeHost})
	require.Equal(t, store.PutOK, r.Status, "%v", r.Err)
	require.Equal(t, 3, r.MsgNum)
	require.Equal(t, int64(1), r.LogicsOffset)
	require.Len(t, strings.Split(r.MsgID, ","), 3)
	waitMax(t, s, "BT", 0, 4)
	g := s.GetMessage("g", "BT", 0, 1, 8, nil)
	require.Equal(t, 3, g.MessageCount())
	var ts int64
	for i, b := range g.Messages {
		rec := decode(t, b)
		require.Equal(t, bodies[i], rec.Body)
		require.Equal(t, int64(i+1), rec.QueueOffset)
		require.Equal(t, commitlog.BodyCRC(bodies[i]), rec.BodyCRC, "the broker computes each inner CRC")
		if i > 0 {
			require.Equal(t, ts, rec.StoreTimestamp, "one store timestamp per batch")
		}
		ts = rec.StoreTimestamp
	}
	g.Release()
	r = s.PutMessages(context.Background(), &store.MessageBatch{Topic: "BT", Body: EncodeBatchBody(bodies, nil),
		Properties: map[string]string{"DELAY": "2"}, BornHost: bornHost, StoreHost: storeHost})
	require.Equal(t, store.MessageIllegal, r.Status, "batches cannot be delayed")
	r = s.PutMessages(context.Background(), &store.MessageBatch{Topic: "BT", Body: []byte{0, 0, 0, 5, 1},
		BornHost: bornHost, StoreHost: storeHost})
	require.Equal(t, store.MessageIllegal, r.Status, "malformed batch body")
}

func testDelay(t *testing.T, open Open) {
	s := started(t, open)
	r := mustPut(t, s, NewMessage("DT", 3, []byte("later"), map[string]string{"DELAY": "3", "TAGS": "TagA"}))
	waitMax(t, s, "SCHEDULE_TOPIC_XXXX", 2, 1)
	require.Equal(t, int64(0), s.GetMaxOffsetInQueue("DT", 3), "not in the real topic yet")
	var code int64
	g := s.GetMessage("g", "SCHEDULE_TOPIC_XXXX", 2, 0, 1, captureFilter{&code})
	require.Equal(t, store.Found, g.Status)
	rec := decode(t, g.Messages[0])
	g.Release()
	require.Equal(t, r.WroteOffset, rec.PhysicalOffset)
	props := compat.DecodeProperties(string(rec.Properties))
	require.Equal(t, "DT", props["REAL_TOPIC"])
	require.Equal(t, "3", props["REAL_QID"])
	require.Equal(t, "3", props["DELAY"])
	require.Equal(t, rec.StoreTimestamp+10000, code, "tags code of a delayed unit = store time + level delay (level 3 = 10s)")
	r = mustPut(t, s, NewMessage("DT", 0, []byte("cap"), map[string]string{"DELAY": "99"}))
	waitMax(t, s, "SCHEDULE_TOPIC_XXXX", 17, 1)
	raw, err := s.LookMessageByOffset(r.WroteOffset)
	require.NoError(t, err)
	require.Equal(t, "18", compat.DecodeProperties(string(decode(t, raw).Properties))["DELAY"], "level capped to the max level")
}

type captureFilter struct{ code *int64 }

func (f captureFilter) IsMatchedByConsumeQueue(c int64) bool { *f.code = c; return true }
func (captureFilter) IsMatchedByCommitLog([]byte) bool       { return true }

func testQuery(t *testing.T, open Open) {
	s := started(t, open)
	var want []int64
	for i := 0; i < 6; i++ {
		props := map[string]string{"KEYS": "order-1 k" + fmt.Sprint(i), "UNIQ_KEY": fmt.Sprintf("AC1100%026d", i)}
		want = append(want, mustPut(t, s, NewMessage("QT", int32(i%3), []byte("q"), props)).WroteOffset)
	}
	mustPut(t, s, NewMessage("Other", 0, []byte("q"), map[string]string{"KEYS": "order-1"}))
	end := time.Now().Add(time.Minute).UnixMilli()
	require.Eventually(t, func() bool {
		return len(s.QueryMessage("QT", "order-1", 64, 0, end).Messages) == 6
	}, 10*time.Second, time.Millisecond, "index lookup by KEYS")
	q := s.QueryMessage("QT", "order-1", 64, 0, end)
	var got []int64
	for _, b := range q.Messages {
		got = append(got, decode(t, b).PhysicalOffset)
	}
	require.ElementsMatch(t, want, got)
	require.Len(t, s.QueryMessage("QT", "order-1", 2, 0, end).Messages, 2, "maxNum")
	q = s.QueryMessage("QT", fmt.Sprintf("AC1100%026d", 4), 64, 0, end)
	require.Len(t, q.Messages, 1)
	require.Equal(t, want[4], decode(t, q.Messages[0]).PhysicalOffset)
	require.Empty(t, s.QueryMessage("QT", "k1", 64, end, end+1).Messages, "outside the time range")
}

func testLookups(t *testing.T, open Open) {
	s := started(t, open)
	var res []store.PutResult
	for i := 0; i < 5; i++ {
		res = append(res, mustPut(t, s, NewMessage("LT", 0, []byte("l"), nil)))
		time.Sleep(3 * time.Millisecond)
	}
	waitMax(t, s, "LT", 0, 5)
	for i, r := range res {
		require.Equal(t, r.StoreTimestamp, s.GetMessageStoreTimeStamp("LT", 0, int64(i)))
		require.Equal(t, r.WroteOffset, s.GetCommitLogOffsetInQueue("LT", 0, int64(i)))
	}
	require.Equal(t, res[0].StoreTimestamp, s.GetEarliestMessageTime("LT", 0))
	require.Equal(t, int64(2), s.GetOffsetInQueueByTime("LT", 0, res[2].StoreTimestamp))
	require.Equal(t, int64(0), s.GetOffsetInQueueByTime("LT", 0, res[0].StoreTimestamp-100000))
}

func testIllegal(t *testing.T, open Open) {
	s := started(t, open)
	r := s.PutMessage(context.Background(), NewMessage(strings.Repeat("t", 128), 0, []byte("x"), nil))
	require.Equal(t, store.MessageIllegal, r.Status, "topic over 127")
	r = s.PutMessage(context.Background(), NewMessage("IL", 0, make([]byte, 4*1024*1024+1), nil))
	require.Equal(t, store.MessageIllegal, r.Status, "body over maxMessageSize")
	// Java's checkMessage counts UTF-16 units first (MESSAGE_ILLEGAL), the encoder then bytes.
	r = s.PutMessage(context.Background(), NewMessage("IL", 0, []byte("x"), map[string]string{"big": strings.Repeat("p", 32768)}))
	require.Equal(t, store.MessageIllegal, r.Status, "properties over 32767 chars")
	r = s.PutMessage(context.Background(), NewMessage("IL", 0, []byte("x"), map[string]string{"big": strings.Repeat("中", 11000)}))
	require.Equal(t, store.PropertiesSizeExceeded, r.Status, "properties over 32767 bytes")
	mustPut(t, s, NewMessage("IL", 0, []byte("still fine"), nil))
}

func testConcurrent(t *testing.T, open Open) {
	s := started(t, open)
	const writers, each = 8, 100
	var wg sync.WaitGroup
	seen := make([]atomic.Int32, writers*each)
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r := s.PutMessage(context.Background(), NewMessage("CT", 0, []byte(fmt.Sprintf("%d-%d", w, i)), nil))
				if r.Status != store.PutOK {
					errs <- fmt.Errorf("put: %v %v", r.Status, r.Err)
					return
				}
				seen[r.LogicsOffset].Add(1)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for i := range seen {
		require.Equal(t, int32(1), seen[i].Load(), "queue offset %d handed out %d times", i, seen[i].Load())
	}
	waitMax(t, s, "CT", 0, writers*each)
}

func testArriving(t *testing.T, open Open) {
	s := open(t)
	var mu sync.Mutex
	got := map[int64]store.DispatchInfo{}
	s.SetArrivingListener(func(info *store.DispatchInfo) {
		if info.Topic == "AT" {
			mu.Lock()
			got[info.QueueOffset] = *info
			mu.Unlock()
		}
	})
	require.NoError(t, s.Start())
	t.Cleanup(func() { _ = s.Shutdown() })
	var res []store.PutResult
	for i := 0; i < 10; i++ {
		res = append(res, mustPut(t, s, NewMessage("AT", 1, []byte("a"), map[string]string{"TAGS": "TagA"})))
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 10 }, 10*time.Second, time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	for i, r := range res {
		d := got[int64(i)]
		require.Equal(t, int32(1), d.QueueID)
		require.Equal(t, r.WroteOffset, d.PhyOffset)
		require.Equal(t, int32(r.WroteBytes), d.Size)
		require.Equal(t, compat.TagsCode("TagA"), d.TagsCode)
		require.Equal(t, r.StoreTimestamp, d.StoreTimestamp)
	}
}
