package conformance

// Delivery semantics with the official Go client: retry, dead letters, delay levels, SQL92 selectors and
// reset by time. Each test also passes against the Java 4.9.8 reference (ROCKETD_CONFORMANCE_NAMESRV; the
// reference broker needs enablePropertyFilter=true for the SQL92 test).

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// funcConsumer starts a push consumer whose listener is fn.
func (c *cluster) funcConsumer(t *testing.T, group, topic string, sel consumer.MessageSelector,
	fn func(context.Context, ...*primitive.MessageExt) (consumer.ConsumeResult, error), opts ...consumer.Option) rocketmq.PushConsumer {
	t.Helper()
	base := []consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.ns})),
		consumer.WithGroupName(group),
		consumer.WithInstance(uniq("ci")),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	}
	pc, err := rocketmq.NewPushConsumer(append(base, opts...)...)
	require.NoError(t, err)
	require.NoError(t, pc.Subscribe(topic, sel, fn))
	require.NoError(t, pc.Start())
	t.Cleanup(func() { _ = pc.Shutdown() })
	return pc
}

// waitRoute waits until the name server knows topic.
func (c *cluster) waitRoute(t *testing.T, topic string, within time.Duration) {
	t.Helper()
	cl := &remoting.Client{Logger: quietLogger()}
	defer cl.Close()
	require.Eventually(t, func() bool {
		resp := c.invokeNS(t, cl, remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": topic}, nil))
		return resp.Code == code.Success
	}, within, 200*time.Millisecond, "route of %s never appeared", topic)
}

func nextLevel(ctx context.Context, level int) {
	if cc, ok := primitive.GetConcurrentlyCtx(ctx); ok {
		cc.DelayLevelWhenNextConsume = level
	}
}

// A message whose first consumption fails comes back once, with ReconsumeTimes 1 and its original topic.
func TestRetryOnceThenSuccess(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_retry")
	c.createTopic(t, topic, 1)
	var mu sync.Mutex
	var seen []*primitive.MessageExt
	c.funcConsumer(t, uniq("cg"), topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, msgs...)
			for _, m := range msgs {
				if m.ReconsumeTimes == 0 {
					nextLevel(ctx, 1) // come back after 1 s
					return consumer.ConsumeRetryLater, nil
				}
			}
			return consumer.ConsumeSuccess, nil
		}, consumer.WithConsumeMessageBatchMaxSize(1))
	p := c.producer(t)
	_, err := p.SendSync(ctx10s(t), msg(topic, "retry-me").WithKeys([]string{"k1"}))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) >= 2
	}, 90*time.Second, 100*time.Millisecond, "the retry never came")
	require.Never(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) > 2 }, 2*time.Second, 50*time.Millisecond,
		"a second retry")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2, "exactly one retry")
	first, second := seen[0], seen[1]
	require.Equal(t, "retry-me", string(second.Body))
	require.EqualValues(t, 0, first.ReconsumeTimes)
	require.EqualValues(t, 1, second.ReconsumeTimes)
	require.Equal(t, topic, second.Topic, "the client restores the topic from RETRY_TOPIC")
	require.Equal(t, topic, second.GetProperty("RETRY_TOPIC"))
	require.Equal(t, first.OffsetMsgId, second.GetProperty("ORIGIN_MESSAGE_ID"))
	require.Equal(t, first.MsgId, second.MsgId, "UNIQ_KEY is kept")
	require.Equal(t, "1", second.GetProperty("DELAY"), "the retry record keeps its DELAY level")
}

// A message that always fails ends in %DLQ%<group> after maxReconsumeTimes retries, and the DLQ can be
// consumed like any topic.
func TestAlwaysFailingEndsInReadableDLQ(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_dlq")
	c.createTopic(t, topic, 1)
	group := uniq("cg")
	var attempts atomic.Int32
	c.funcConsumer(t, group, topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			attempts.Add(int32(len(msgs)))
			nextLevel(ctx, 1)
			return consumer.ConsumeRetryLater, nil
		}, consumer.WithMaxReconsumeTimes(2), consumer.WithConsumeMessageBatchMaxSize(1))
	p := c.producer(t)
	_, err := p.SendSync(ctx10s(t), msg(topic, "poison"))
	require.NoError(t, err)
	dlq := "%DLQ%" + group
	c.waitRoute(t, dlq, 120*time.Second)
	require.EqualValues(t, 3, attempts.Load(), "first delivery plus 2 retries")

	r := newReceived()
	c.funcConsumer(t, uniq("cg_dlq"), dlq, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			r.add(msgs...)
			return consumer.ConsumeSuccess, nil
		})
	require.Eventually(t, func() bool { return r.has("poison") }, 60*time.Second, 100*time.Millisecond, "DLQ not readable")
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.msgs[0]
	require.EqualValues(t, 3, m.ReconsumeTimes)
	require.Equal(t, topic, m.GetProperty("RETRY_TOPIC"))
	require.Equal(t, "0", m.GetProperty("DELAY"))
	require.Never(t, func() bool { return attempts.Load() > 3 }, time.Second, 50*time.Millisecond, "a delivery after the DLQ")
}

// Delay level 2 (5 s) arrives 5 s after the send, restored to its topic; the delivered record keeps DELAY,
// REAL_TOPIC and REAL_QID in its properties (as Java stores it).
func TestDelayLevel2(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_delay")
	c.createTopic(t, topic, 2)
	type arrival struct {
		m  *primitive.MessageExt
		at time.Time
	}
	var mu sync.Mutex
	var got []arrival
	c.funcConsumer(t, uniq("cg"), topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				got = append(got, arrival{m, time.Now()})
			}
			return consumer.ConsumeSuccess, nil
		})
	p := c.producer(t)
	// Let the consumer settle on its queues first, so the arrival time measures the broker.
	_, err := p.SendSync(ctx10s(t), msg(topic, "warm-up"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 }, 60*time.Second, 20*time.Millisecond)

	sent := time.Now()
	res, err := p.SendSync(ctx10s(t), msg(topic, "later").WithDelayTimeLevel(2))
	require.NoError(t, err)
	require.Equal(t, primitive.SendOK, res.Status)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 }, 30*time.Second, 10*time.Millisecond)
	mu.Lock()
	a := got[1]
	mu.Unlock()
	took := a.at.Sub(sent)
	t.Logf("delay level 2 took %v", took)
	require.GreaterOrEqual(t, took, 4900*time.Millisecond)
	// Level 3 would be 10 s: anything below tells level 2 apart, with seconds to spare on a loaded machine.
	require.Less(t, took, 9500*time.Millisecond)
	require.Equal(t, topic, a.m.Topic)
	require.Equal(t, res.MessageQueue.QueueId, a.m.Queue.QueueId)
	require.Equal(t, "2", a.m.GetProperty("DELAY"))
	require.Equal(t, topic, a.m.GetProperty("REAL_TOPIC"))
	require.Equal(t, strconv.Itoa(res.MessageQueue.QueueId), a.m.GetProperty("REAL_QID"))
	require.Never(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) > 2 }, time.Second, 50*time.Millisecond,
		"delivered more than once")

	// GET_ALL_DELAY_OFFSET: delayOffset.json's compact content, delay levels as unquoted keys.
	cl := &remoting.Client{Logger: quietLogger()}
	defer cl.Close()
	resp, err := cl.InvokeSync(context.Background(), c.masterAddrs(t)[0], remoting.NewRequest(code.GetAllDelayOffset, nil, nil), 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	require.Regexp(t, `^\{"offsetTable":\{(-?\d+:\d+,)*-?\d+:\d+\}\}$`, string(resp.Body))
	require.Regexp(t, `[{,]2:[1-9]`, string(resp.Body))
}

// A SQL92 selector gets exactly the matching messages; an invalid one is refused by CHECK_CLIENT_CONFIG.
func TestSQL92Selector(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_sql")
	c.createTopic(t, topic, 2)
	p := c.producer(t)
	want := map[string]bool{}
	for i := 0; i < 12; i++ {
		b := []string{"x", "y", "z"}[i%3]
		body := fmt.Sprintf("m-%d-%s", i, b)
		m := msg(topic, body).WithTag([]string{"A", "B"}[i%2])
		m.WithProperty("a", strconv.Itoa(i))
		m.WithProperty("b", b)
		if i == 5 {
			m.WithProperty("c", "set")
		}
		_, err := p.SendSync(ctx10s(t), m)
		require.NoError(t, err)
		if i >= 3 && i <= 9 && (b == "x" || b == "y") && i != 5 {
			want[body] = true
		}
	}
	expr := "a BETWEEN 3 AND 9 AND b IN ('x', 'y') AND c IS NULL AND (TAGS = 'A' OR TAGS <> 'A')"
	r := newReceived()
	c.funcConsumer(t, uniq("cg"), topic, consumer.MessageSelector{Type: consumer.SQL92, Expression: expr},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			r.add(msgs...)
			return consumer.ConsumeSuccess, nil
		})
	require.Eventually(t, func() bool { return r.distinct() >= len(want) }, 60*time.Second, 50*time.Millisecond,
		"got %d of %d", r.distinct(), len(want))
	require.Never(t, func() bool { return r.distinct() > len(want) }, time.Second, 50*time.Millisecond, "a message outside the selector")
	r.mu.Lock()
	for body := range r.count {
		require.True(t, want[body], "%s does not match %s", body, expr)
	}
	require.Len(t, r.count, len(want))
	r.mu.Unlock()

	// CHECK_CLIENT_CONFIG refuses an expression that does not parse.
	cl := &remoting.Client{Logger: quietLogger()}
	defer cl.Close()
	for _, bad := range []string{"a >", "a = NULL", "a IN (1)", "'x' > 1", "a > 0.0", "a BETWEEN 5 AND 1", "5"} {
		body := fmt.Sprintf(`{"clientId":"127.0.0.1@x","group":"g","subscriptionData":{"topic":%q,"subString":%q,"expressionType":"SQL92","tagsSet":[],"codeSet":[],"subVersion":1,"classFilterMode":false}}`,
			topic, bad)
		resp, err := cl.InvokeSync(context.Background(), c.masterAddrs(t)[0], remoting.NewRequest(code.CheckClientConfig, nil, []byte(body)), 5*time.Second)
		require.NoError(t, err)
		require.Equal(t, code.SubscriptionParseFailed, resp.Code, "%s: %s", bad, resp.Remark)
	}
}

// INVOKE_BROKER_TO_RESET_OFFSET by time makes the consumers replay exactly the messages stored after it
// (RESET_CONSUMER_CLIENT_OFFSET with the fastjson object-keyed ResetOffsetBody).
func TestResetOffsetByTime(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_reset")
	c.createTopic(t, topic, 1)
	group := uniq("cg")
	r := newReceived()
	c.funcConsumer(t, group, topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			r.add(msgs...)
			return consumer.ConsumeSuccess, nil
		})
	p := c.producer(t)
	for i := 0; i < 5; i++ {
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("before-%d", i)))
		require.NoError(t, err)
	}
	// Java's getOffsetInQueueByTime answers the unit whose store time is CLOSEST to the timestamp when none
	// matches exactly (not the first one after it): keep the last "before" far from the timestamp (3 s: more
	// than after-0's send can take on a loaded machine).
	time.Sleep(3 * time.Second)
	at := time.Now().UnixMilli()
	for i := 0; i < 5; i++ {
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("after-%d", i)))
		require.NoError(t, err)
		if i == 0 {
			time.Sleep(200 * time.Millisecond) // after-0 alone is the closest to the timestamp
		}
	}
	require.Eventually(t, func() bool { return r.distinct() == 10 }, 60*time.Second, 50*time.Millisecond)

	cl := &remoting.Client{Logger: quietLogger()}
	defer cl.Close()
	addr := c.masterAddrs(t)[0]
	ext := map[string]string{"topic": topic, "group": group, "timestamp": strconv.FormatInt(at, 10), "isForce": "true"}
	var resp *remoting.Command
	require.Eventually(t, func() bool { // the consumer's offset must have reached the broker first
		var err error
		resp, err = cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.InvokeBrokerToResetOffset, ext, nil), 5*time.Second)
		require.NoError(t, err)
		return resp.Code == code.Success
	}, 30*time.Second, 500*time.Millisecond, "reset offset refused")
	require.Contains(t, string(resp.Body), `"offsetTable":{{"brokerName":`)
	require.Contains(t, string(resp.Body), `,"queueId":0,"topic":"`+topic+`"}:5}`)
	require.Eventually(t, func() bool { return r.total() == 15 }, 60*time.Second, 50*time.Millisecond, "replayed %d", r.total()-10)
	require.Never(t, func() bool { return r.total() > 15 }, time.Second, 50*time.Millisecond, "replayed more than the reset asked")
	r.mu.Lock()
	for i := 0; i < 5; i++ {
		require.Equal(t, 1, r.count[fmt.Sprintf("before-%d", i)])
		require.Equal(t, 2, r.count[fmt.Sprintf("after-%d", i)])
	}
	r.mu.Unlock()

	// INVOKE_BROKER_TO_GET_CONSUMER_STATUS asks each consumer (GET_CONSUMER_STATUS_FROM_CLIENT) and answers
	// the tables in fastjson's form, whatever key order the client used.
	tg := map[string]string{"topic": topic, "group": group}
	resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.InvokeBrokerToGetConsumerStatus, tg, nil), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	require.Regexp(t, `^\{"consumerTable":\{"[^"]+":\{\{"brokerName":"[^"]+","queueId":0,"topic":"`+topic+`"\}:\d+\}\},"messageQueueTable":\{\}\}$`,
		string(resp.Body))

	// QUERY_CONSUME_TIME_SPAN: one QueueTimeSpan per write queue, fastjson's sorted keys (getters included).
	resp, err = cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.QueryConsumeTimeSpan, tg, nil), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	require.Regexp(t, `^\{"consumeTimeSpanSet":\[\{"consumeTimeStamp":\d+,"consumeTimeStampStr":"[^"]+","delayTime":\d+,`+
		`"maxTimeStamp":\d+,"maxTimeStampStr":"[^"]+","messageQueue":\{"brokerName":"[^"]+","queueId":0,"topic":"`+topic+
		`"\},"minTimeStamp":\d+,"minTimeStampStr":"[^"]+"\}\]\}$`, string(resp.Body))
}

// A new group consuming from a timestamp: QUERY_CONSUMER_OFFSET answers 0 while the queue's first message is
// still in memory, so the client starts at 0 and SEARCH_OFFSET_BY_TIMESTAMP is not used (Java 4.9.8 does the
// same); the whole queue is delivered.
func TestConsumeFromTimestampNewGroup(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_ts")
	c.createTopic(t, topic, 1)
	p := c.producer(t)
	for i := 0; i < 3; i++ {
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("old-%d", i)))
		require.NoError(t, err)
	}
	time.Sleep(1100 * time.Millisecond)
	from := time.Now()
	time.Sleep(1100 * time.Millisecond)
	for i := 0; i < 3; i++ {
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("new-%d", i)))
		require.NoError(t, err)
	}
	r := newReceived()
	c.funcConsumer(t, uniq("cg"), topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			r.add(msgs...)
			return consumer.ConsumeSuccess, nil
		}, consumer.WithConsumeFromWhere(consumer.ConsumeFromTimestamp),
		consumer.WithConsumeTimestamp(from.Format("20060102150405")))
	require.Eventually(t, func() bool { return r.distinct() == 6 }, 30*time.Second, 50*time.Millisecond, "got %d", r.distinct())
}

// Request-reply: the reply (SEND_REPLY_MESSAGE) is pushed to the requesting client (PUSH_REPLY_MESSAGE_TO_CLIENT).
func TestRequestReply(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_rr")
	c.createTopic(t, topic, 1)
	replier := c.producer(t)
	var replyErr atomic.Value
	c.funcConsumer(t, uniq("cg"), topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			for _, m := range msgs {
				if m.GetProperty("REPLY_TO_CLIENT") == "" {
					continue // the warm-up message
				}
				// The Go client's CreateReplyMessage reads its body argument as encoded properties.
				reply, err := consumer.CreateReplyMessage(m, []byte("answer\x01"+string(m.Body)))
				if err == nil {
					_, err = replier.SendSync(context.Background(), reply)
				}
				if err != nil {
					replyErr.Store(err)
				}
			}
			return consumer.ConsumeSuccess, nil
		})
	// The Go client heartbeats 1 s after its start, then every 30 s, to the brokers it knows by then; the
	// broker finds the requester among the producers it heard of, so the requester sends once at start and
	// the test waits until the broker lists it (GET_PRODUCER_CONNECTION_LIST), however long the heartbeat takes.
	requesterGroup := uniq("pg_req")
	requester := c.producer(t, producer.WithGroupName(requesterGroup))
	_, err := requester.SendSync(ctx10s(t), msg(topic, "warm-up"))
	require.NoError(t, err)
	cl := rawClient(t)
	addr := c.masterAddrs(t)[0]
	require.Eventually(t, func() bool {
		resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.GetProducerConnectionList,
			map[string]string{"producerGroup": requesterGroup}, nil), 5*time.Second)
		return err == nil && resp.Code == code.Success
	}, 60*time.Second, 100*time.Millisecond, "the requester's heartbeat never reached the broker")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	reply, err := requester.Request(ctx, 30*time.Second, msg(topic, "question"))
	require.NoError(t, err, "reply error: %v", replyErr.Load())
	require.Equal(t, "question", reply.GetProperty("answer"))
	require.Equal(t, "reply", reply.GetProperty("MSG_TYPE"))
	require.NotEmpty(t, reply.GetProperty("PUSH_REPLY_TIME"))
}
