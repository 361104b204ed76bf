package broker

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/store"
)

// testBroker is a broker on 127.0.0.1 port 0 with no name server, driven with raw frames.
type testBroker struct {
	b    *Broker
	addr string
	cl   *remoting.Client
}

func startTestBroker(t testing.TB, tune ...any) *testBroker {
	t.Helper()
	cfg := conf.DefaultBroker()
	cfg.Broker.NamesrvAddr = ""
	cfg.Broker.BrokerIP1 = "127.0.0.1"
	cfg.Broker.BrokerName = "broker-t"
	cfg.Store.StorePathRootDir = filepath.Join(t.TempDir(), "store")
	cfg.Store.MappedFileSizeCommitLog = 16 << 20
	cfg.Broker.WaitTimeMillsInSendQueue = 5000 // a loaded CI machine under -race may queue sends longer than 200 ms
	opts := Options{ListenAddr: "127.0.0.1:0"}
	for _, f := range tune {
		switch f := f.(type) {
		case func(*conf.Broker):
			f(cfg)
		case func(*Options):
			f(&opts)
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	b, err := New(cfg, log, opts)
	require.NoError(t, err)
	require.NoError(t, b.Start())
	tb := &testBroker{b: b, addr: b.Addr().String(), cl: &remoting.Client{Logger: log}}
	t.Cleanup(func() {
		_ = tb.cl.Close()
		require.NoError(t, b.Close())
	})
	return tb
}

func (tb *testBroker) call(t testing.TB, c int32, ext map[string]string, body []byte) *remoting.Command {
	t.Helper()
	resp, err := tb.cl.InvokeSync(context.Background(), tb.addr, remoting.NewRequest(c, ext, body), 10*time.Second)
	require.NoError(t, err)
	return resp
}

func (tb *testBroker) createTopic(t testing.TB, topic string, queues int) {
	t.Helper()
	resp := tb.call(t, code.UpdateAndCreateTopic, map[string]string{"topic": topic, "defaultTopic": "TBW102",
		"readQueueNums": strconv.Itoa(queues), "writeQueueNums": strconv.Itoa(queues), "perm": "6",
		"topicFilterType": "SINGLE_TAG", "order": "false"}, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
}

func sendV2(topic string, queueID int, props string) map[string]string {
	return map[string]string{"a": "pg", "b": topic, "c": "TBW102", "d": "4", "e": strconv.Itoa(queueID), "f": "0",
		"g": strconv.FormatInt(time.Now().UnixMilli(), 10), "h": "0", "i": props}
}

func pullExt(group, topic string, queueID int, offset int64, sysFlag int, suspendMs int) map[string]string {
	return map[string]string{"consumerGroup": group, "topic": topic, "queueId": strconv.Itoa(queueID),
		"queueOffset": strconv.FormatInt(offset, 10), "maxMsgNums": "32", "sysFlag": strconv.Itoa(sysFlag),
		"commitOffset": "0", "suspendTimeoutMillis": strconv.Itoa(suspendMs), "subscription": "*", "subVersion": "0",
		"expressionType": "TAG"}
}

func TestSendAndPullRaw(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "RawTopic", 2)
	for i := 0; i < 3; i++ {
		resp := tb.call(t, code.SendMessageV2, sendV2("RawTopic", 1, "TAGS\x01T\x02KEYS\x01k"+strconv.Itoa(i)), []byte("body-"+strconv.Itoa(i)))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		require.Equal(t, "1", resp.Ext("queueId"))
		require.Equal(t, strconv.Itoa(i), resp.Ext("queueOffset"))
		require.Len(t, resp.Ext("msgId"), 32)
		require.Equal(t, "DefaultRegion", resp.Ext("MSG_REGION"))
		require.Equal(t, "true", resp.Ext("TRACE_ON"))
	}
	var msgs []*primitive.MessageExt
	require.Eventually(t, func() bool {
		resp := tb.call(t, code.PullMessage, pullExt("g", "RawTopic", 1, 0, 4, 0), nil)
		if resp.Code != code.Success {
			return false
		}
		msgs = primitive.DecodeMessage(resp.Body)
		return len(msgs) == 3
	}, 10*time.Second, 20*time.Millisecond)
	for i, m := range msgs {
		require.Equal(t, "body-"+strconv.Itoa(i), string(m.Body))
		require.Equal(t, int64(i), m.QueueOffset)
		require.Equal(t, "DefaultCluster", m.GetProperty("CLUSTER"))
		require.Empty(t, m.GetProperty("WAIT"), "WAIT is not stored")
	}
	// At the end of the queue: PULL_NOT_FOUND with all four offsets.
	resp := tb.call(t, code.PullMessage, pullExt("g", "RawTopic", 1, 3, 4, 0), nil)
	require.Equal(t, code.PullNotFound, resp.Code)
	require.Equal(t, "3", resp.Ext("nextBeginOffset"))
	require.Equal(t, "0", resp.Ext("minOffset"))
	require.Equal(t, "3", resp.Ext("maxOffset"))
	require.Equal(t, "0", resp.Ext("suggestWhichBrokerId"))
	// Past the end: PULL_OFFSET_MOVED to maxOffset.
	resp = tb.call(t, code.PullMessage, pullExt("g", "RawTopic", 1, 10, 4, 0), nil)
	require.Equal(t, code.PullOffsetMoved, resp.Code)
	require.Equal(t, "3", resp.Ext("nextBeginOffset"))
	// An empty queue and offset 0: PULL_NOT_FOUND; offset 5: PULL_OFFSET_MOVED.
	require.Equal(t, code.PullNotFound, tb.call(t, code.PullMessage, pullExt("g", "RawTopic", 0, 0, 4, 0), nil).Code)
	require.Equal(t, code.PullOffsetMoved, tb.call(t, code.PullMessage, pullExt("g", "RawTopic", 0, 5, 4, 0), nil).Code)
}

func TestLongPollingWakesOnArrival(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "LP", 1)
	got := make(chan *remoting.Command, 1)
	start := time.Now()
	require.NoError(t, tb.cl.InvokeAsync(context.Background(), tb.addr,
		remoting.NewRequest(code.PullMessage, pullExt("g", "LP", 0, 0, 2|4, 15000), nil), 20*time.Second,
		func(c *remoting.Command, err error) {
			require.NoError(t, err)
			got <- c
		}))
	time.Sleep(200 * time.Millisecond) // the pull is held
	select {
	case <-got:
		t.Fatal("pull answered before any message arrived")
	default:
	}
	require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("LP", 0, ""), []byte("wake")).Code)
	select {
	case c := <-got:
		require.Equal(t, code.Success, c.Code, c.Remark)
		require.Equal(t, "wake", string(primitive.DecodeMessage(c.Body)[0].Body))
		require.Less(t, time.Since(start), 5*time.Second, "answered on arrival, not at the suspend timeout")
	case <-time.After(10 * time.Second):
		t.Fatal("held pull not woken by the arriving message")
	}
}

func TestLongPollingTimesOut(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "LPT", 1)
	start := time.Now()
	resp, err := tb.cl.InvokeSync(context.Background(), tb.addr,
		remoting.NewRequest(code.PullMessage, pullExt("g", "LPT", 0, 0, 2|4, 500), nil), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.PullNotFound, resp.Code)
	require.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond, "held until the suspend timeout")
	require.Less(t, time.Since(start), 5*time.Second)
}

// Bad requests get Java's error codes, and the broker keeps serving.
func TestMalformedRequests(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "Good", 4)
	cases := []struct {
		name   string
		code   int32
		ext    map[string]string
		body   []byte
		want   int32
		remark string
	}{
		{"send without topic", code.SendMessageV2, map[string]string{"a": "pg"}, []byte("x"), code.SystemError, "the custom field"},
		{"send with a bad number", code.SendMessageV2, func() map[string]string { m := sendV2("Good", 0, ""); m["e"] = "one"; return m }(), []byte("x"), code.SystemError, "must be a Java int"},
		{"bad topic name", code.SendMessageV2, sendV2("bad topic!", 0, ""), []byte("x"), code.SystemError, "topic"},
		{"queue id out of range", code.SendMessageV2, sendV2("Good", 99, ""), []byte("x"), code.SystemError, "request queueId[99] is illegal"},
		{"system topic", code.SendMessageV2, sendV2("SCHEDULE_TOPIC_XXXX", 0, ""), []byte("x"), code.NoPermission, "forbidden"},
		{"unknown topic without template", code.SendMessageV2, func() map[string]string { m := sendV2("Nowhere", 0, ""); m["c"] = "NoTemplate"; return m }(), []byte("x"), code.TopicNotExist, "not exist"},
		{"body over maxMessageSize", code.SendMessageV2, sendV2("Good", 0, ""), bytes.Repeat([]byte("x"), 4<<20+1), code.MessageIllegal, ""},
		{"pull unknown topic", code.PullMessage, pullExt("g", "Nope", 0, 0, 4, 0), nil, code.TopicNotExist, ""},
		{"pull bad queue", code.PullMessage, pullExt("g", "Good", 7, 0, 4, 0), nil, code.SystemError, "queueId[7] is illegal"},
		{"pull without subscription or heartbeat", code.PullMessage, pullExt("g", "Good", 0, 0, 0, 0), nil, code.SubscriptionNotExist, ""},
		{"pull without headers", code.PullMessage, nil, nil, code.SystemError, "the custom field"},
		{"heartbeat with garbage", code.HeartBeat, nil, []byte("{not json"), code.SystemError, "HeartbeatData"},
		{"lock with garbage", code.LockBatchMq, nil, []byte("[1,2"), code.SystemError, ""},
		{"unknown code", 9999, nil, nil, code.RequestCodeNotSupported, "not supported"},
		{"view missing offset", code.ViewMessageById, map[string]string{"offset": "123456789"}, nil, code.SystemError, "can not find message"},
		{"query no hit", code.QueryMessage, map[string]string{"topic": "Good", "key": "none", "maxNum": "32", "beginTimestamp": "0", "endTimestamp": "9999999999999"}, nil, code.QueryNotFound, ""},
		{"consumer list of unknown group", code.GetConsumerListByGroup, map[string]string{"consumerGroup": "ghost"}, nil, code.SystemError, "no consumer for this group"},
		{"create system topic", code.UpdateAndCreateTopic, map[string]string{"topic": "TBW102", "defaultTopic": "TBW102", "readQueueNums": "1", "writeQueueNums": "1", "perm": "6", "topicFilterType": "SINGLE_TAG", "order": "false"}, nil, code.SystemError, "conflict with system topic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := tb.call(t, tc.code, tc.ext, tc.body)
			require.Equal(t, tc.want, resp.Code, "remark: %s", resp.Remark)
			require.Contains(t, resp.Remark, tc.remark)
		})
	}
	// Still serving.
	require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("Good", 0, ""), []byte("ok")).Code)
}

func TestOffsetsAndAutoCreate(t *testing.T) {
	tb := startTestBroker(t)
	// Sending to a new topic with TBW102 as template creates it (autoCreateTopicEnable), capped at 4 queues.
	resp := tb.call(t, code.SendMessageV2, sendV2("AutoMade", -1, ""), []byte("x"))
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	tc, ok := tb.b.topics.Get("AutoMade")
	require.True(t, ok)
	require.Equal(t, int32(4), tc.WriteQueueNums)

	q := map[string]string{"consumerGroup": "newgroup", "topic": "AutoMade", "queueId": resp.Ext("queueId")}
	r := tb.call(t, code.QueryConsumerOffset, q, nil)
	require.Equal(t, code.Success, r.Code, "a new group on a queue starting at 0 reads from 0")
	require.Equal(t, "0", r.Ext("offset"))
	up := map[string]string{"consumerGroup": "newgroup", "topic": "AutoMade", "queueId": resp.Ext("queueId"), "commitOffset": "1"}
	require.Equal(t, code.Success, tb.call(t, code.UpdateConsumerOffset, up, nil).Code)
	r = tb.call(t, code.QueryConsumerOffset, q, nil)
	require.Equal(t, "1", r.Ext("offset"))
	mx := tb.call(t, code.GetMaxOffset, map[string]string{"topic": "AutoMade", "queueId": resp.Ext("queueId")}, nil)
	require.Equal(t, code.Success, mx.Code)
	require.Eventually(t, func() bool {
		mx = tb.call(t, code.GetMaxOffset, map[string]string{"topic": "AutoMade", "queueId": resp.Ext("queueId")}, nil)
		return mx.Ext("offset") == "1"
	}, 5*time.Second, 10*time.Millisecond)
	mn := tb.call(t, code.GetMinOffset, map[string]string{"topic": "AutoMade", "queueId": resp.Ext("queueId")}, nil)
	require.Equal(t, "0", mn.Ext("offset"))
	ts := tb.call(t, code.GetEarliestMsgStoretime, map[string]string{"topic": "AutoMade", "queueId": resp.Ext("queueId")}, nil)
	require.Equal(t, code.Success, ts.Code)
	stamp, err := strconv.ParseInt(ts.Ext("timestamp"), 10, 64)
	require.NoError(t, err)
	require.InDelta(t, time.Now().UnixMilli(), stamp, 60_000)
}

func TestHeartbeatAndConsumerList(t *testing.T) {
	tb := startTestBroker(t)
	hb := `{"clientID":"127.0.0.1@a","consumerDataSet":[{"groupName":"cg","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"topic":"T","subString":"*","tagsSet":[],"codeSet":[],"subVersion":1,"expressionType":"TAG","classFilterMode":false}],"unitMode":false}],"producerDataSet":[{"groupName":"pg"}]}`
	require.Equal(t, code.Success, tb.call(t, code.HeartBeat, nil, []byte(hb)).Code)
	resp := tb.call(t, code.GetConsumerListByGroup, map[string]string{"consumerGroup": "cg"}, nil)
	require.Equal(t, code.Success, resp.Code)
	require.JSONEq(t, `{"consumerIdList":["127.0.0.1@a"]}`, string(resp.Body))
	_, ok := tb.b.topics.Get("%RETRY%cg")
	require.True(t, ok, "heartbeat creates the group's retry topic")
	conn := tb.call(t, code.GetConsumerConnectionList, map[string]string{"consumerGroup": "cg"}, nil)
	require.Equal(t, code.Success, conn.Code)
	require.Contains(t, string(conn.Body), `"clientId":"127.0.0.1@a"`)
	prod := tb.call(t, code.GetProducerConnectionList, map[string]string{"producerGroup": "pg"}, nil)
	require.Equal(t, code.Success, prod.Code)
	require.Equal(t, code.ConsumerNotOnline, tb.call(t, code.GetConsumerConnectionList, map[string]string{"consumerGroup": "nobody"}, nil).Code)
	// UNREGISTER_CLIENT drops the consumer.
	un := tb.call(t, code.UnregisterClient, map[string]string{"clientID": "127.0.0.1@a", "consumerGroup": "cg", "producerGroup": "pg"}, nil)
	require.Equal(t, code.Success, un.Code)
	require.Equal(t, code.SystemError, tb.call(t, code.GetConsumerListByGroup, map[string]string{"consumerGroup": "cg"}, nil).Code)
}

// Java's BrokerFastFailure: a send that waited in the send queue longer than waitTimeMillsInSendQueue is
// answered SYSTEM_BUSY "[TIMEOUT_CLEAN_QUEUE]..." instead of being stored.
func TestSendFastFailure(t *testing.T) {
	tb := startTestBroker(t, func(c *conf.Broker) {
		c.Broker.SendMessageThreadPoolNums = 1
		c.Broker.WaitTimeMillsInSendQueue = 1
	})
	tb.createTopic(t, "Busy", 1)
	const n = 200
	results := make(chan *remoting.Command, n)
	for i := 0; i < n; i++ {
		require.NoError(t, tb.cl.InvokeAsync(context.Background(), tb.addr,
			remoting.NewRequest(code.SendMessageV2, sendV2("Busy", 0, ""), bytes.Repeat([]byte("x"), 1024)), 30*time.Second,
			func(c *remoting.Command, err error) {
				require.NoError(t, err)
				results <- c
			}))
	}
	busy, ok := 0, 0
	for i := 0; i < n; i++ {
		select {
		case c := <-results:
			switch c.Code {
			case code.SystemBusy:
				busy++
				require.Contains(t, c.Remark, "[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: ")
			case code.Success:
				ok++
			default:
				t.Fatalf("unexpected code %d: %s", c.Code, c.Remark)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("responses missing")
		}
	}
	require.Positive(t, busy, "a burst on one send worker with a 1 ms budget must trip the fast failure")
	require.Positive(t, ok, "the first sends are stored")
}

// The broker stores properties as the Java 4.9.8 broker does (HashMap order, WAIT dropped, CLUSTER added):
// this client string, whatever its order, must be stored exactly as record 0 of the Java-written golden store
// (compat/testdata/store/java-4.9.8) was.
func TestStoredPropertiesMatchJava(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "Props", 1)
	client := "TAGS\x01TagA\x02WAIT\x01true\x02UNIQ_KEY\x01C000020240F2000000006b62a5780001\x02KEYS\x01gk0 even"
	require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("Props", 0, client), []byte("p")).Code)
	javaStored := "KEYS\x01gk0 even\x02UNIQ_KEY\x01C000020240F2000000006b62a5780001\x02CLUSTER\x01DefaultCluster\x02TAGS\x01TagA"
	require.Eventually(t, func() bool {
		resp := tb.call(t, code.PullMessage, pullExt("g", "Props", 0, 0, 4, 0), nil)
		if resp.Code != code.Success {
			return false
		}
		require.True(t, bytes.Contains(resp.Body, []byte(javaStored)), "stored properties %q", resp.Body)
		return true
	}, 10*time.Second, 20*time.Millisecond)
}

// DELETE_TOPIC_IN_BROKER removes the topic's consume queues; CLEAN_UNUSED_TOPIC drops queues of topics without
// a config; CLEAN_EXPIRED_CONSUMEQUEUE and DELETE_EXPIRED_COMMITLOG answer SUCCESS.
func TestTopicCleanupCodes(t *testing.T) {
	tb := startTestBroker(t)
	root := tb.b.cfg.Store.StorePathRootDir
	tb.createTopic(t, "Del", 1)
	require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("Del", 0, ""), []byte("x")).Code)
	require.Eventually(t, func() bool { return tb.b.store.GetMaxOffsetInQueue("Del", 0) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.DirExists(t, filepath.Join(root, "consumequeue", "Del"))
	require.Equal(t, code.Success, tb.call(t, code.DeleteTopicInBroker, map[string]string{"topic": "Del"}, nil).Code)
	require.NoDirExists(t, filepath.Join(root, "consumequeue", "Del"))
	require.Equal(t, int64(0), tb.b.store.GetMaxOffsetInQueue("Del", 0))

	// A queue whose topic lost its config (as after a config edit) goes with CLEAN_UNUSED_TOPIC.
	tb.createTopic(t, "Orphan", 1)
	require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("Orphan", 0, ""), []byte("x")).Code)
	require.Eventually(t, func() bool { return tb.b.store.GetMaxOffsetInQueue("Orphan", 0) == 1 }, 5*time.Second, 10*time.Millisecond)
	_, err := tb.b.topics.Delete("Orphan")
	require.NoError(t, err)
	require.Equal(t, code.Success, tb.call(t, code.CleanUnusedTopic, nil, nil).Code)
	require.NoDirExists(t, filepath.Join(root, "consumequeue", "Orphan"))
	require.Equal(t, code.Success, tb.call(t, code.CleanExpiredConsumequeue, nil, nil).Code)
	require.Equal(t, code.Success, tb.call(t, code.DeleteExpiredCommitlog, nil, nil).Code)
}

// gatedStore holds every SYNC_FLUSH completion until the test opens the gate.
type gatedStore struct {
	*store.DefaultMessageStore
	gate chan struct{}
}

func (g *gatedStore) WhenDurable(r store.PutResult, done func(store.PutResult)) {
	go func() { // the test double may wait; the store's completion does not
		<-g.gate
		g.DefaultMessageStore.WhenDurable(r, done)
	}()
}

// Under SYNC_FLUSH, sends that wait for the disk are answered from the flush completion, not on the send worker:
// with completions held back, one send worker still appends all 64 sends in flight, so they share flushes
// (Java's asyncPutMessage) instead of each waiting for its own msync.
func TestSyncFlushSendsAnsweredAfterFlush(t *testing.T) {
	var gs *gatedStore
	tb := startTestBroker(t, func(c *conf.Broker) {
		c.Store.FlushDiskType = conf.SyncFlush
		c.Broker.SendMessageThreadPoolNums = 1
		s, err := store.Open(storeConfig(&c.Store), store.Options{})
		require.NoError(t, err)
		gs = &gatedStore{DefaultMessageStore: s, gate: make(chan struct{})}
	}, func(o *Options) { o.Store = gs })
	tb.createTopic(t, "Sync", 1)
	const n = 64
	results := make(chan *remoting.Command, n)
	for i := 0; i < n; i++ {
		require.NoError(t, tb.cl.InvokeAsync(context.Background(), tb.addr,
			remoting.NewRequest(code.SendMessageV2, sendV2("Sync", 0, "WAIT\x01true"), []byte("durable")), 30*time.Second,
			func(c *remoting.Command, err error) {
				require.NoError(t, err)
				results <- c
			}))
	}
	require.Eventually(t, func() bool { return gs.GetMaxOffsetInQueue("Sync", 0) == n }, 10*time.Second, 5*time.Millisecond,
		"all sends appended while their completions wait")
	require.Empty(t, results, "no send answered before its records are durable")
	close(gs.gate)
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		select {
		case c := <-results:
			require.Equal(t, code.Success, c.Code, c.Remark)
			require.Len(t, c.Ext("msgId"), 32)
			require.False(t, seen[c.Ext("queueOffset")], "queue offsets are distinct")
			seen[c.Ext("queueOffset")] = true
		case <-time.After(30 * time.Second):
			t.Fatal("SYNC_FLUSH sends not answered")
		}
	}
}
