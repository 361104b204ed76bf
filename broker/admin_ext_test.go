package broker

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/broker/stats"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// A consumer connection that answers GET_CONSUMER_RUNNING_INFO gets the admin's request forwarded, and the
// admin gets the client's answer unchanged (non-standard JSON body bytes, remark, extFields).
func TestConsumerRunningInfoForwarded(t *testing.T) {
	tb := startTestBroker(t)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	pool, err := remoting.NewPool("client", 2, 16)
	require.NoError(t, err)
	t.Cleanup(pool.Release)
	body := []byte(`{"mqTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{}},"properties":{"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY"}}`)
	seen := make(chan *remoting.Command, 4)
	rt := remoting.NewRouter(log)
	rt.Handle(code.GetConsumerRunningInfo, pool, func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
		seen <- req
		resp := remoting.NewResponse(req, code.Success, "from client")
		resp.ExtFields = map[string]string{"k": "v"}
		resp.Body = body
		return resp, nil
	})
	rt.Handle(code.ConsumeMessageDirectly, pool, func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
		seen <- req
		resp := remoting.NewResponse(req, code.Success, "")
		resp.Body = []byte(`{"consumeResult":"CR_SUCCESS","order":false,"autoCommit":true,"spentTimeMills":1}`)
		return resp, nil
	})
	consumer := &remoting.Client{Router: rt, Logger: log}
	t.Cleanup(func() { _ = consumer.Close() })
	hb := `{"clientID":"127.0.0.1@c1","consumerDataSet":[{"groupName":"cg","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"topic":"T","subString":"*","tagsSet":[],"codeSet":[],"subVersion":1,"expressionType":"TAG","classFilterMode":false}],"unitMode":false}],"producerDataSet":[]}`
	resp, err := consumer.InvokeSync(context.Background(), tb.addr, remoting.NewRequest(code.HeartBeat, nil, []byte(hb)), 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code)

	ext := map[string]string{"consumerGroup": "cg", "clientId": "127.0.0.1@c1", "jstackEnable": "false"}
	got := tb.call(t, code.GetConsumerRunningInfo, ext, nil)
	require.Equal(t, code.Success, got.Code)
	require.Equal(t, "from client", got.Remark)
	require.Equal(t, "v", got.Ext("k"))
	require.Equal(t, string(body), string(got.Body))
	fwd := <-seen
	require.Equal(t, ext, fwd.ExtFields)

	// Unknown client: SYSTEM_ERROR with Java's remark.
	ext["clientId"] = "nobody"
	miss := tb.call(t, code.GetConsumerRunningInfo, ext, nil)
	require.Equal(t, code.SystemError, miss.Code)
	require.Equal(t, "The Consumer <cg> <nobody> not online", miss.Remark)

	// CONSUME_MESSAGE_DIRECTLY carries the stored record and brokerName to the client.
	tb.createTopic(t, "T", 1)
	sent := tb.call(t, code.SendMessageV2, sendV2("T", 0, "KEYS\x01k"), []byte("direct"))
	require.Equal(t, code.Success, sent.Code, sent.Remark)
	d := tb.call(t, code.ConsumeMessageDirectly, map[string]string{"consumerGroup": "cg", "clientId": "127.0.0.1@c1",
		"msgId": sent.Ext("msgId")}, nil)
	require.Equal(t, code.Success, d.Code, d.Remark)
	require.Contains(t, string(d.Body), "CR_SUCCESS")
	fwd = <-seen
	require.Equal(t, "broker-t", fwd.Ext("brokerName"))
	require.Contains(t, string(fwd.Body), "direct")
}

func TestUpdateBrokerConfig(t *testing.T) {
	tb := startTestBroker(t)
	resp := tb.call(t, code.UpdateBrokerConfig, nil, []byte("brokerPermission=4\nconfigBlackList=\nflushConsumerOffsetHistoryInterval=1234\n"))
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	cfg := tb.call(t, code.GetBrokerConfig, nil, nil)
	require.Equal(t, code.Success, cfg.Code)
	props := string(cfg.Body)
	require.Contains(t, props, "brokerPermission=4\n")
	require.Contains(t, props, "flushConsumerOffsetHistoryInterval=1234\n")
	require.Contains(t, props, "configBlackList=configBlackList;brokerConfigPath\n", "blacklisted keys are not applied")
	// No body: SUCCESS, nothing changes.
	require.Equal(t, code.Success, tb.call(t, code.UpdateBrokerConfig, nil, nil).Code)
}

func TestBrokerStats(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "S", 1)
	for i := 0; i < 3; i++ {
		require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("S", 0, ""), []byte("x")).Code)
	}
	// Unknown key: SYSTEM_ERROR, as Java.
	nf := tb.call(t, code.ViewBrokerStatsData, map[string]string{"statsName": stats.TopicPutNums, "statsKey": "nope"}, nil)
	require.Equal(t, code.SystemError, nf.Code)
	require.Equal(t, "The stats <TOPIC_PUT_NUMS> <nope> not exist", nf.Remark)
	ok := tb.call(t, code.ViewBrokerStatsData, map[string]string{"statsName": stats.TopicPutNums, "statsKey": "S"}, nil)
	require.Equal(t, code.Success, ok.Code)
	var bsd struct {
		StatsMinute struct {
			Sum int64
			Tps float64
		} `json:"statsMinute"`
	}
	require.NoError(t, json.Unmarshal(ok.Body, &bsd), string(ok.Body))
	require.Equal(t, int64(3), tb.b.ext.stats.Get(stats.TopicPutNums, "S").Value())

	ri := tb.call(t, code.GetBrokerRuntimeInfo, nil, nil)
	require.Equal(t, code.Success, ri.Code)
	var kv struct{ Table map[string]string }
	require.NoError(t, json.Unmarshal(ri.Body, &kv))
	require.Equal(t, "3", kv.Table["msgPutTotalTodayNow"])
	require.Equal(t, "3", kv.Table["putMessageTimesTotal"])
	require.NotContains(t, kv.Table, "remainHowManyDataToCommit")
	require.True(t, strings.HasPrefix(kv.Table["commitLogDirCapacity"], "Total : "), kv.Table["commitLogDirCapacity"])
	for _, k := range []string{"msgPutTotalYesterdayMorning", "msgPutTotalTodayMorning", "msgGetTotalTodayNow", "earliestMessageTimeStamp"} {
		_, err := strconv.ParseInt(kv.Table[k], 10, 64)
		require.NoError(t, err, k)
	}
}

func TestStatsWindows(t *testing.T) {
	m := stats.NewManager()
	m.Add(stats.TopicPutNums, "T", 5, 1)
	now := time.Now()
	m.Sample(now, 0)
	// The first sampling adds a zero sample one period back: counts before it are seen.
	require.Equal(t, stats.Snapshot{Sum: 5, Tps: 0.5, Avgpt: 5}, m.Get(stats.TopicPutNums, "T").Minute())
	m.Add(stats.TopicPutNums, "T", 10, 2)
	m.Sample(now.Add(10*time.Second), 1)
	s := m.Get(stats.TopicPutNums, "T").Minute()
	require.Equal(t, int64(15), s.Sum)
	require.InDelta(t, 0.75, s.Tps, 1e-9)
	require.InDelta(t, 5.0, s.Avgpt, 1e-9)
	require.Equal(t, int64(5), m.Get(stats.TopicPutNums, "T").Hour().Sum, "the hour view samples every 10 min")
	require.Equal(t, "0 B", humanBytes(0))
	require.Equal(t, "9.9 KiB", humanBytes(10137))
	require.Equal(t, "1.0 GiB", humanBytes(1<<30))
	require.Equal(t, "0.15", javaDouble(0.15))
	require.Equal(t, "1.0", javaDouble(1))
}

func commitOffset(t *testing.T, tb *testBroker, group, topic string, q int, off int64) {
	t.Helper()
	resp := tb.call(t, code.UpdateConsumerOffset, map[string]string{"consumerGroup": group, "topic": topic,
		"queueId": strconv.Itoa(q), "commitOffset": strconv.FormatInt(off, 10)}, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
}

func TestOffsetAdminCodes(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "O", 2)
	for i := 0; i < 4; i++ {
		require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("O", i%2, ""), []byte("x")).Code)
	}
	require.Eventually(t, func() bool {
		return tb.b.store.GetMaxOffsetInQueue("O", 0) == 2 && tb.b.store.GetMaxOffsetInQueue("O", 1) == 2
	}, 10*time.Second, 10*time.Millisecond)
	commitOffset(t, tb, "ga", "O", 0, 2)
	commitOffset(t, tb, "ga", "O", 1, 1)
	commitOffset(t, tb, "gb", "O", 0, 1)
	commitOffset(t, tb, "gb", "O", 1, 2)

	// 308: min over groups per queue; gb below the minimum of queue 1? no: min(1,2)=1 <= gb's 2 -> kept.
	resp := tb.call(t, code.QueryCorrectionOffset, map[string]string{"topic": "O", "compareGroup": "gb", "filterGroups": ""}, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	require.Equal(t, `{"correctionOffsets":{0:1,1:1}}`, string(resp.Body))
	// Filtering gb out: ga alone (2, 1); gb's queue 0 (1) is below 2 -> Long.MAX_VALUE. gb's offsets survive.
	resp = tb.call(t, code.QueryCorrectionOffset, map[string]string{"topic": "O", "compareGroup": "gb", "filterGroups": "gb"}, nil)
	require.Equal(t, `{"correctionOffsets":{0:9223372036854775807,1:1}}`, string(resp.Body))
	off, ok := tb.b.offsets.Query("gb", "O", 1)
	require.True(t, ok)
	require.Equal(t, int64(2), off)

	// 314: clone ga to gc (offline, so no subscription check).
	resp = tb.call(t, code.CloneGroupOffset, map[string]string{"srcGroup": "ga", "destGroup": "gc", "topic": "O", "offline": "true"}, nil)
	require.Equal(t, code.Success, resp.Code)
	require.Equal(t, map[int32]int64{0: 2, 1: 1}, tb.b.offsets.QueryAll("gc", "O"))

	// 317: every subscription group with its topics' offsets; totalDiff sums the lag.
	tb.b.subgroups.FindOrCreate("ga", true)
	resp = tb.call(t, code.GetBrokerConsumeStats, map[string]string{"isOrder": "false"}, nil)
	require.Equal(t, code.Success, resp.Code)
	body := string(resp.Body)
	require.Contains(t, body, `{"ga":[{"consumeTps":0.0,"offsetTable":{{"brokerName":"broker-t","queueId":0,"topic":"O"}:{"brokerOffset":2,"consumerOffset":2,"lastTimestamp":`)
	require.Contains(t, body, `"totalDiff":1}`)
	require.True(t, strings.HasPrefix(body, `{"brokerAddr":"127.0.0.1:`), body)
}

func TestStatsKeys(t *testing.T) {
	m := stats.NewManager()
	m.AddPair(stats.GroupGetNums, "T", "g", 2, 1)
	m.Add(stats.GroupGetNums, "T@g", 3, 1)
	require.Equal(t, int64(5), m.Get(stats.GroupGetNums, "T@g").Value())
	require.Nil(t, m.Get(stats.GroupGetNums, "T"))
	require.Nil(t, m.Get(stats.TopicPutNums, "T"))
	require.Equal(t, []string{"T@g"}, m.Keys(stats.GroupGetNums))
}

func BenchmarkStatsAdd(b *testing.B) {
	m := stats.NewManager()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.AddPair(stats.GroupGetNums, "TopicTest", "group", 1, 1)
		}
	})
}

func TestReadConfigSeesUpdates(t *testing.T) {
	tb := startTestBroker(t)
	resp := tb.call(t, code.UpdateBrokerConfig, nil, []byte("transactionCheckInterval=1234\n"))
	require.Equal(t, code.Success, resp.Code)
	var got int64
	tb.b.readConfig(func(cfg *conf.Broker) { got = int64(cfg.Broker.TransactionCheckInterval) })
	require.Equal(t, int64(1234), got)
}
