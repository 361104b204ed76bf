package txn

import (
	"context"
	"log/slog"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

var host = netip.MustParseAddrPort("127.0.0.1:10911")

type memOffsets struct {
	mu sync.Mutex
	m  map[string]int64
}

func (o *memOffsets) Query(group, topic string, q int32) (int64, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.m[group+"@"+topic+"@"+strconv.Itoa(int(q))]
	return v, ok
}

func (o *memOffsets) Commit(group, topic string, q int32, off int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[group+"@"+topic+"@"+strconv.Itoa(int(q))] = off
}

type noProducers struct{}

func (noProducers) AvailableChannel(string) *remoting.Conn { return nil }

func setup(t *testing.T) (*Service, *store.DefaultMessageStore, *memOffsets) {
	t.Helper()
	cfg := store.DefaultMessageStoreConfig(t.TempDir())
	cfg.MappedFileSizeCommitLog = 4 << 20
	s, err := store.Open(cfg, store.Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	t.Cleanup(func() { _ = s.Shutdown() })
	offs := &memOffsets{m: map[string]int64{}}
	svc := New(Options{Store: s, Offsets: offs, Producers: noProducers{}, StoreHost: host,
		Timeout: 50 * time.Millisecond, Interval: time.Hour, CheckMax: 2, Log: slog.New(slog.DiscardHandler)})
	return svc, s, offs
}

// prepare stores a half message the way handle_send does and returns its put result.
func prepare(t *testing.T, s store.MessageStore, topic string, qid int32, body, uniq string) store.PutResult {
	t.Helper()
	m := &store.Message{Topic: topic, QueueID: qid, Body: []byte(body), BornTimestamp: time.Now().UnixMilli(),
		BornHost: host, StoreHost: host, SysFlag: compat.TransactionPreparedType,
		Properties: map[string]string{compat.PropertyTransactionPrepared: "true", compat.PropertyProducerGroup: "pg",
			compat.PropertyUniqClientMessageIDKeyIdx: uniq, compat.PropertyWaitStoreMsgOK: "true"}}
	PrepareHalf(m)
	require.Equal(t, HalfTopic, m.Topic)
	require.Zero(t, compat.TransactionValue(m.SysFlag))
	res := s.PutMessage(context.Background(), m)
	require.Equal(t, store.PutOK, res.Status)
	return res
}

func records(t *testing.T, s store.MessageStore, topic string, qid int32) []commitlog.Record {
	t.Helper()
	res := s.GetMessage("g", topic, qid, 0, 32, nil)
	require.NotNil(t, res)
	defer res.Release()
	var out []commitlog.Record
	for _, raw := range res.Messages {
		rec, err := commitlog.Decode(append([]byte(nil), raw...), true)
		require.NoError(t, err)
		out = append(out, rec)
	}
	return out
}

func waitQueue(t *testing.T, s store.MessageStore, topic string, qid int32, n int64) {
	t.Helper()
	require.Eventually(t, func() bool { return s.GetMaxOffsetInQueue(topic, qid) == n }, 5*time.Second, 2*time.Millisecond)
}

func end(svc *Service, res store.PutResult, typ int32, group string) (int32, string, bool) {
	return svc.End(&header.EndTransactionRequestHeader{ProducerGroup: group, TranStateTableOffset: res.LogicsOffset,
		CommitLogOffset: res.WroteOffset, CommitOrRollback: typ})
}

func TestCommitRollbackAndChecks(t *testing.T) {
	svc, s, offs := setup(t)
	a := prepare(t, s, "T", 1, "commit-me", "U1")
	b := prepare(t, s, "T", 1, "roll-me-back", "U2")
	c := prepare(t, s, "T", 1, "unknown", "U3")
	waitQueue(t, s, HalfTopic, 0, 3)

	code1, remark, answer := end(svc, a, header.TransactionCommitType, "other")
	require.True(t, answer)
	require.Equal(t, code.SystemError, code1)
	require.Equal(t, "The producer group wrong", remark)
	_, _, answer = end(svc, a, header.TransactionNotType, "pg")
	require.False(t, answer, "unknown gets no answer")
	bad := a
	bad.LogicsOffset = 9
	code1, remark, _ = end(svc, bad, header.TransactionCommitType, "pg")
	require.Equal(t, "The transaction state table offset wrong", remark)
	require.Equal(t, code.SystemError, code1)

	code1, _, _ = end(svc, a, header.TransactionCommitType, "pg")
	require.Equal(t, code.Success, code1)
	code1, _, _ = end(svc, a, header.TransactionCommitType, "pg") // a repeated commit writes nothing more
	require.Equal(t, code.Success, code1)
	code1, _, _ = end(svc, b, header.TransactionRollbackType, "pg")
	require.Equal(t, code.Success, code1)
	waitQueue(t, s, "T", 1, 1)
	got := records(t, s, "T", 1)
	require.Len(t, got, 1)
	require.Equal(t, "commit-me", string(got[0].Body))
	require.Equal(t, compat.TransactionCommitType, compat.TransactionValue(got[0].SysFlag))
	require.Equal(t, a.WroteOffset, got[0].PreparedTransactionOffset)
	p := compat.DecodeProperties(string(got[0].Properties))
	require.Equal(t, "T", p[compat.PropertyRealTopic], "stored like Java: REAL_TOPIC stays in the string")
	require.Equal(t, "true", p[compat.PropertyTransactionPrepared])

	waitQueue(t, s, OpTopic, 0, 3)
	ops := records(t, s, OpTopic, 0)
	require.Len(t, ops, 3)
	require.Equal(t, "0", string(ops[0].Body))
	require.Equal(t, "1", string(ops[2].Body))
	tags, _ := compat.GetProperty(string(ops[0].Properties), compat.PropertyTags)
	require.Equal(t, RemoveTag, tags)

	// Checks: only the unresolved one is re-put (check times 1, then 2), then discarded at CheckMax.
	time.Sleep(60 * time.Millisecond)
	svc.Check(context.Background())
	waitQueue(t, s, HalfTopic, 0, 4)
	half := records(t, s, HalfTopic, 0)
	require.Equal(t, "unknown", string(half[3].Body))
	require.Equal(t, "1", compat.DecodeProperties(string(half[3].Properties))[compat.PropertyTransactionCheckTimes])
	h, _ := offs.Query(Group, HalfTopic, 0)
	require.EqualValues(t, 3, h)
	o, _ := offs.Query(Group, OpTopic, 0)
	require.EqualValues(t, 3, o, "every op record is consumed")

	time.Sleep(5 * time.Millisecond) // a copy stored in the millisecond a check starts waits for the next one
	svc.Check(context.Background())
	waitQueue(t, s, HalfTopic, 0, 5)
	time.Sleep(5 * time.Millisecond)
	svc.Check(context.Background())
	waitQueue(t, s, CheckMaxTimeTopic, 0, 1)
	require.EqualValues(t, 5, s.GetMaxOffsetInQueue(HalfTopic, 0), "discarded, not re-put")
	svc.Check(context.Background())
	require.EqualValues(t, 5, s.GetMaxOffsetInQueue(HalfTopic, 0), "nothing left to check")
	_ = c
}

func TestResolvedCopiesAreNeverChecked(t *testing.T) {
	svc, s, _ := setup(t)
	a := prepare(t, s, "T", 0, "x", "U1")
	waitQueue(t, s, HalfTopic, 0, 1)
	time.Sleep(60 * time.Millisecond)
	svc.Check(context.Background()) // re-put copy at offset 1
	waitQueue(t, s, HalfTopic, 0, 2)
	// The producer commits the ORIGINAL half message after the copy was made.
	code1, _, _ := end(svc, a, header.TransactionCommitType, "pg")
	require.Equal(t, code.Success, code1)
	waitQueue(t, s, "T", 0, 1)       // the committed message (dispatch to its queue is asynchronous)
	time.Sleep(5 * time.Millisecond) // a copy stored in the millisecond a check starts waits for the next one
	svc.Check(context.Background())
	require.Never(t, func() bool { return s.GetMaxOffsetInQueue(HalfTopic, 0) != 2 }, 200*time.Millisecond,
		5*time.Millisecond, "the copy of a resolved transaction is not checked")
	require.EqualValues(t, 1, s.GetMaxOffsetInQueue("T", 0))
}

func TestResume(t *testing.T) {
	svc, s, _ := setup(t)
	a := prepare(t, s, "T", 0, "x", "U1")
	waitQueue(t, s, HalfTopic, 0, 1)
	require.NoError(t, svc.Resume(a.WroteOffset))
	waitQueue(t, s, HalfTopic, 0, 2)
	require.Equal(t, "0", compat.DecodeProperties(string(records(t, s, HalfTopic, 0)[1].Properties))[compat.PropertyTransactionCheckTimes])
	require.Error(t, svc.Resume(1<<40))
}

func TestSettingsOverride(t *testing.T) {
	svc := New(Options{Timeout: time.Second, Interval: time.Minute, CheckMax: 3,
		Settings: func() (time.Duration, time.Duration, int) { return 0, 5 * time.Second, 7 }})
	to, iv, cm := svc.settings()
	require.Equal(t, time.Second, to)
	require.Equal(t, 5*time.Second, iv)
	require.Equal(t, 7, cm)
}

// A half message inside its CHECK_IMMUNITY_TIME_IN_SECONDS does not stop the check pass (Java
// checkPrepareQueueOffset): it is re-queued as a copy carrying TRAN_PREPARED_QUEUE_OFFSET (its first queue
// offset) and TRANSACTION_CHECK_TIMES, and the unresolved message behind it is checked in the same pass.
func TestImmuneHalfIsRequeuedNotBlocking(t *testing.T) {
	svc, s, offs := setup(t)
	m := &store.Message{Topic: "T", QueueID: 0, Body: []byte("immune"), BornTimestamp: time.Now().UnixMilli(),
		BornHost: host, StoreHost: host, SysFlag: compat.TransactionPreparedType,
		Properties: map[string]string{compat.PropertyTransactionPrepared: "true", compat.PropertyProducerGroup: "pg",
			compat.PropertyUniqClientMessageIDKeyIdx: "UI", compat.PropertyCheckImmunityTimeInSeconds: "3600"}}
	PrepareHalf(m)
	require.Equal(t, store.PutOK, s.PutMessage(context.Background(), m).Status)
	prepare(t, s, "T", 0, "plain", "UP")
	waitQueue(t, s, HalfTopic, 0, 2)
	time.Sleep(60 * time.Millisecond) // past Timeout (50 ms), far inside the immunity

	svc.Check(context.Background())
	waitQueue(t, s, HalfTopic, 0, 4)
	half := records(t, s, HalfTopic, 0)
	immune := compat.DecodeProperties(string(half[2].Properties))
	require.Equal(t, "immune", string(half[2].Body), "re-queued first, in queue order")
	require.Equal(t, "0", immune[compat.PropertyTransactionPreparedQueueOffset])
	require.Equal(t, "1", immune[compat.PropertyTransactionCheckTimes])
	require.Equal(t, "plain", string(half[3].Body), "the message behind it was checked in the same pass")
	require.Equal(t, "1", compat.DecodeProperties(string(half[3].Properties))[compat.PropertyTransactionCheckTimes])
	h, _ := offs.Query(Group, HalfTopic, 0)
	require.EqualValues(t, 2, h)

	// The next pass re-queues the copy again, keeping its first offset.
	time.Sleep(5 * time.Millisecond)
	svc.Check(context.Background())
	waitQueue(t, s, HalfTopic, 0, 6)
	half = records(t, s, HalfTopic, 0)
	var again map[string]string
	for _, r := range half[4:] {
		if string(r.Body) == "immune" {
			again = compat.DecodeProperties(string(r.Properties))
		}
	}
	require.NotNil(t, again, "immune copy re-queued again: %d records", len(half))
	require.Equal(t, "0", again[compat.PropertyTransactionPreparedQueueOffset])
	require.Equal(t, "2", again[compat.PropertyTransactionCheckTimes])
}
