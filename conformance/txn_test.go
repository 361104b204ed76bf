package conformance

// Transactional messages with the official Go client's TransactionProducer: commit, rollback, unknown then
// check-back, and (in-process) half messages surviving a broker restart. Against the Java reference the
// broker must run with a short transactionCheckInterval (REF_BROKER_CONF_EXTRA=transactionCheckInterval=5000).

import (
	"strconv"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/stretchr/testify/require"
)

// txListener answers the local transaction with exec and every check with check, counting the checks.
type txListener struct {
	exec   primitive.LocalTransactionState
	check  primitive.LocalTransactionState
	mu     sync.Mutex
	checks map[string]int // by transaction id
}

func (l *txListener) ExecuteLocalTransaction(*primitive.Message) primitive.LocalTransactionState {
	return l.exec
}

func (l *txListener) CheckLocalTransaction(m *primitive.MessageExt) primitive.LocalTransactionState {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checks[m.TransactionId]++
	return l.check
}

func (l *txListener) checkCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.checks {
		n += c
	}
	return n
}

func (c *cluster) txProducer(t *testing.T, group string, l *txListener) rocketmq.TransactionProducer {
	t.Helper()
	l.checks = map[string]int{}
	p, err := rocketmq.NewTransactionProducer(l,
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.ns})),
		producer.WithGroupName(group),
		producer.WithInstanceName(uniq("pi")),
		producer.WithRetry(2),
		producer.WithSendMsgTimeout(10*time.Second),
	)
	require.NoError(t, err)
	require.NoError(t, p.Start())
	t.Cleanup(func() { _ = p.Shutdown() })
	return p
}

// txCluster is a cluster whose in-process broker checks transactions every second (the reference keeps
// its own broker.conf).
func txCluster(t *testing.T) *cluster {
	c := newCluster(t)
	if !c.external {
		c.cfg.Broker.TransactionCheckInterval = 1000
		c.restartBroker(t)
	}
	return c
}

func TestTransactionCommitAndRollback(t *testing.T) {
	c := txCluster(t)
	topic := uniq("T_tx")
	c.createTopic(t, topic, 2)
	r := newReceived()
	c.pushConsumer(t, uniq("cg"), topic, "*", r)

	commit := &txListener{exec: primitive.CommitMessageState, check: primitive.RollbackMessageState}
	pc := c.txProducer(t, uniq("pg_tx"), commit)
	res, err := pc.SendMessageInTransaction(ctx10s(t), msg(topic, "committed"))
	require.NoError(t, err)
	require.Equal(t, primitive.SendOK, res.Status)
	require.Equal(t, primitive.CommitMessageState, res.State)

	rollback := &txListener{exec: primitive.RollbackMessageState, check: primitive.CommitMessageState}
	pr := c.txProducer(t, uniq("pg_tx"), rollback)
	res, err = pr.SendMessageInTransaction(ctx10s(t), msg(topic, "rolled-back"))
	require.NoError(t, err)
	require.Equal(t, primitive.SendOK, res.Status)

	p := c.producer(t)
	_, err = p.SendSync(ctx10s(t), msg(topic, "marker"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return r.has("committed") && r.has("marker") }, 60*time.Second, 50*time.Millisecond)
	// Past the first check time: a rolled-back transaction is never checked nor delivered.
	require.Never(t, func() bool { return r.has("rolled-back") || commit.checkCount()+rollback.checkCount() > 0 },
		8*time.Second, 100*time.Millisecond, "a resolved transaction checked back or delivered")
	require.False(t, r.has("rolled-back"))
	require.Equal(t, 1, r.count["committed"])
	require.Zero(t, commit.checkCount()+rollback.checkCount(), "resolved transactions are not checked")
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		if string(m.Body) == "committed" {
			require.Equal(t, topic, m.Topic)
			require.NotEmpty(t, m.GetProperty("PGROUP"))
			// The committed record keeps the half message's properties string (store.md §14).
			require.Equal(t, topic, m.GetProperty("REAL_TOPIC"))
			require.Equal(t, strconv.Itoa(m.Queue.QueueId), m.GetProperty("REAL_QID"))
			require.Equal(t, "true", m.GetProperty("TRAN_MSG"))
			require.EqualValues(t, 8, m.SysFlag&0xC, "TRANSACTION_COMMIT_TYPE")
			require.Less(t, m.PreparedTransactionOffset, m.CommitLogOffset, "points at the half message")
		}
	}
}

// A transaction left unknown is checked back (after transactionTimeOut, 6 s) and committed by the answer;
// the message is delivered once and checked once.
func TestTransactionUnknownThenCheckBack(t *testing.T) {
	c := txCluster(t)
	topic := uniq("T_txchk")
	c.createTopic(t, topic, 1)
	r := newReceived()
	c.pushConsumer(t, uniq("cg"), topic, "*", r)
	l := &txListener{exec: primitive.UnknowState, check: primitive.CommitMessageState}
	p := c.txProducer(t, uniq("pg_tx"), l)
	sent := time.Now()
	res, err := p.SendMessageInTransaction(ctx10s(t), msg(topic, "checked"))
	require.NoError(t, err)
	require.Equal(t, primitive.UnknowState, res.State)
	require.Eventually(t, func() bool { return r.has("checked") }, 45*time.Second, 50*time.Millisecond, "never checked back")
	require.GreaterOrEqual(t, time.Since(sent), 5*time.Second, "checked before transactionTimeOut")
	// One more check interval on either side: no second delivery nor check.
	require.Never(t, func() bool { return r.total() > 1 || l.checkCount() > 1 }, 6*time.Second, 100*time.Millisecond,
		"delivered or checked twice")
	require.Equal(t, 1, r.count["checked"])
	require.Equal(t, 1, l.checkCount(), "checked exactly once")
}

// A half message left unknown survives a broker restart and is checked (once) by the restarted broker;
// delayed messages pending at the restart are delivered once.
func TestDeliveryStateSurvivesRestart(t *testing.T) {
	c := txCluster(t)
	if c.external {
		t.Skip("restart needs the in-process broker")
	}
	topic := uniq("T_restart")
	c.createTopic(t, topic, 2)
	group := uniq("pg_tx")
	first := &txListener{exec: primitive.UnknowState, check: primitive.UnknowState}
	p1 := c.txProducer(t, group, first)
	for _, body := range []string{"tx-1", "tx-2"} {
		_, err := p1.SendMessageInTransaction(ctx10s(t), msg(topic, body))
		require.NoError(t, err)
	}
	pd := c.producer(t)
	sent := time.Now()
	for _, body := range []string{"delay-1", "delay-2"} {
		_, err := pd.SendSync(ctx10s(t), msg(topic, body).WithDelayTimeLevel(2))
		require.NoError(t, err)
	}
	require.NoError(t, p1.Shutdown())
	c.restartBroker(t)

	// A new producer of the group; the Go client heartbeats 1 s after its start (then every 30 s) to the
	// brokers it knows, so it sends at once to learn the broker.
	second := &txListener{exec: primitive.CommitMessageState, check: primitive.CommitMessageState}
	p2 := c.txProducer(t, group, second)
	_, err := p2.SendMessageInTransaction(ctx10s(t), msg(topic, "tx-3"))
	require.NoError(t, err)
	r := newReceived()
	c.pushConsumer(t, uniq("cg"), topic, "*", r)
	require.Eventually(t, func() bool { return r.distinct() == 5 }, 60*time.Second, 50*time.Millisecond, "got %d of 5", r.distinct())
	require.GreaterOrEqual(t, time.Since(sent), 5*time.Second)
	require.Never(t, func() bool { return r.total() > 5 }, 3*time.Second, 100*time.Millisecond, "a duplicate delivery")
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, body := range []string{"tx-1", "tx-2", "tx-3", "delay-1", "delay-2"} {
		require.Equal(t, 1, r.count[body], body)
	}
	require.Equal(t, 2, second.checkCount(), "each half message checked once")
}
