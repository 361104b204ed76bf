package conformance

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	jsoniter "github.com/json-iterator/go"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// The offset and stats codes on a queue that exists in its topic but was never written, and on a topic the
// broker has never heard of. Java 4.9.8 creates the consume queue on lookup, so such a queue answers as an
// empty one: min 0, max 0, search-by-time 0, earliest store time -1 (and a new group's consumer offset 0).
// Clients rely on it: DefaultMQPullConsumer.minOffset, DefaultLitePullConsumer.seekToBegin and mqadmin printMsg
// read GET_MIN_OFFSET and treat a negative answer as an error.
func TestNeverWrittenQueueOffsets(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_emptyq")
	c.createTopic(t, topic, 4)
	addr := c.masterAddrs(t)[0]
	cl := rawClient(t)
	for i := 0; i < 2; i++ { // two messages into queue 0 only
		h := header.SendMessageRequestHeader{ProducerGroup: uniq("pg"), Topic: topic, DefaultTopic: "TBW102",
			DefaultTopicQueueNums: 4, QueueID: 0, BornTimestamp: time.Now().UnixMilli()}
		ext := map[string]string{}
		h.Encode(ext)
		resp, err := cl.InvokeSync(context.Background(), addr,
			remoting.NewRequest(code.SendMessage, ext, []byte(fmt.Sprintf("q0-%d", i))), 10*time.Second)
		require.NoError(t, err)
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		require.Equal(t, "0", resp.ExtFields["queueId"])
	}
	var brokerName string
	require.Eventually(t, func() bool {
		resp := c.invokeNS(t, cl, remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": topic}, nil))
		var rd struct {
			QueueDatas []struct {
				BrokerName string `json:"brokerName"`
			} `json:"queueDatas"`
		}
		if resp.Code != code.Success || jsoniter.Unmarshal(resp.Body, &rd) != nil || len(rd.QueueDatas) == 0 {
			return false
		}
		brokerName = rd.QueueDatas[0].BrokerName
		return true
	}, 30*time.Second, 100*time.Millisecond)
	call := func(reqCode int32, ext map[string]string) *remoting.Command {
		t.Helper()
		resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(reqCode, ext, nil), 5*time.Second)
		require.NoError(t, err)
		return resp
	}
	num := func(resp *remoting.Command, key string) int64 {
		t.Helper()
		require.Equal(t, code.Success, resp.Code, "code %d remark %q", resp.Code, resp.Remark)
		v, err := strconv.ParseInt(resp.ExtFields[key], 10, 64)
		require.NoError(t, err, "ext %v", resp.ExtFields)
		return v
	}
	q := func(tp string, id int) map[string]string {
		return map[string]string{"topic": tp, "queueId": strconv.Itoa(id)}
	}
	// The written queue, for contrast.
	require.Equal(t, int64(0), num(call(code.GetMinOffset, q(topic, 0)), "offset"))
	// The consume queue is built asynchronously from the commit log on both servers.
	require.Eventually(t, func() bool { return num(call(code.GetMaxOffset, q(topic, 0)), "offset") == 2 },
		30*time.Second, 20*time.Millisecond)
	require.Positive(t, num(call(code.GetEarliestMsgStoretime, q(topic, 0)), "timestamp"))

	for _, tq := range []struct {
		topic string
		queue int
	}{{topic, 1}, {topic, 3}, {uniq("T_never_created"), 0}} {
		name := fmt.Sprintf("%s/%d", tq.topic, tq.queue)
		require.Equal(t, int64(0), num(call(code.GetMinOffset, q(tq.topic, tq.queue)), "offset"), "GET_MIN_OFFSET %s", name)
		require.Equal(t, int64(0), num(call(code.GetMaxOffset, q(tq.topic, tq.queue)), "offset"), "GET_MAX_OFFSET %s", name)
		require.Equal(t, int64(-1), num(call(code.GetEarliestMsgStoretime, q(tq.topic, tq.queue)), "timestamp"),
			"GET_EARLIEST_MSG_STORETIME %s", name)
		for _, ts := range []int64{0, time.Now().UnixMilli(), time.Now().Add(time.Hour).UnixMilli()} {
			ext := q(tq.topic, tq.queue)
			ext["timestamp"] = strconv.FormatInt(ts, 10)
			require.Equal(t, int64(0), num(call(code.SearchOffsetByTimestamp, ext), "offset"),
				"SEARCH_OFFSET_BY_TIMESTAMP %s at %d", name, ts)
		}
		ext := q(tq.topic, tq.queue)
		ext["consumerGroup"] = uniq("cg_new")
		require.Equal(t, int64(0), num(call(code.QueryConsumerOffset, ext), "offset"), "QUERY_CONSUMER_OFFSET %s", name)
	}

	// GET_TOPIC_STATS_INFO lists every queue, the empty ones with min = max = 0 and no last update time.
	resp := call(code.GetTopicStatsInfo, map[string]string{"topic": topic})
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	stats := string(resp.Body)
	for qid := 0; qid < 4; qid++ {
		key := fmt.Sprintf(`{"brokerName":%q,"queueId":%d,"topic":%q}`, brokerName, qid, topic)
		want := `:{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0}`
		if qid == 0 {
			want = `:{"lastUpdateTimestamp":`
		}
		require.Contains(t, stats, key+want, "queue %d", qid)
	}

	// GET_CONSUME_STATS of a group that never consumed lists every queue, the empty ones at 0.
	resp = call(code.GetConsumeStats, map[string]string{"consumerGroup": uniq("cg_stats"), "topic": topic})
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	cs := string(resp.Body)
	for qid := 1; qid < 4; qid++ {
		key := fmt.Sprintf(`{"brokerName":%q,"queueId":%d,"topic":%q}`, brokerName, qid, topic)
		require.Contains(t, cs, key+`:{"brokerOffset":0,"consumerOffset":0,"lastTimestamp":0}`, "queue %d", qid)
	}
}
