package broker

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting/code"
)

// QUERY_CONSUME_QUEUE answers as Java 4.9.8 does (bodies observed on the reference with compat Call):
// units from index on, bounded by count; group subscription and filter data; the two "not exist" answers.
func TestQueryConsumeQueue(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "CqT", 2)
	for i := 0; i < 3; i++ {
		resp := tb.call(t, code.SendMessageV2, sendV2("CqT", 1, "TAGS\x01tagA"), []byte("b"+strconv.Itoa(i)))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
	q := func(ext map[string]string) (int32, string, string) {
		r := tb.call(t, code.QueryConsumeQueue, ext, nil)
		return r.Code, r.Remark, string(r.Body)
	}
	require.Eventually(t, func() bool { return tb.b.store.GetMaxOffsetInQueue("CqT", 1) == 3 }, 10*time.Second, 10*time.Millisecond)
	phy1 := tb.b.store.GetCommitLogOffsetInQueue("CqT", 1, 1)
	phy2 := tb.b.store.GetCommitLogOffsetInQueue("CqT", 1, 2)
	size := phy2 - phy1
	tags := "3552231" // Java String.hashCode of "tagA"

	c, _, body := q(map[string]string{"topic": "CqT", "queueId": "1", "index": "1", "count": "5"})
	require.Equal(t, code.Success, c)
	require.JSONEq(t, `{"maxQueueIndex":3,"minQueueIndex":0,"queueData":[`+
		`{"eval":false,"physicOffset":`+strconv.FormatInt(phy1, 10)+`,"physicSize":`+strconv.FormatInt(size, 10)+`,"tagsCode":`+tags+`},`+
		`{"eval":false,"physicOffset":`+strconv.FormatInt(phy2, 10)+`,"physicSize":`+strconv.FormatInt(size, 10)+`,"tagsCode":`+tags+`}]}`, body)

	c, _, body = q(map[string]string{"topic": "CqT", "queueId": "1", "index": "0", "count": "1"})
	require.Equal(t, code.Success, c)
	require.Contains(t, body, `"queueData":[{"eval":false,"physicOffset":0,`)
	require.NotContains(t, body, "filterData")

	c, _, body = q(map[string]string{"topic": "CqT", "queueId": "1", "index": "0", "count": "0"})
	require.Equal(t, code.Success, c)
	require.JSONEq(t, `{"maxQueueIndex":3,"minQueueIndex":0,"queueData":[]}`, body)

	// A group that is not online.
	c, _, body = q(map[string]string{"topic": "CqT", "queueId": "1", "index": "2", "count": "5", "consumerGroup": "nog"})
	require.Equal(t, code.Success, c)
	require.Contains(t, body, `"filterData":"nog@CqT is not online!"`)
	require.NotContains(t, body, "subscriptionData")

	// An online group with a TAG subscription: its subscription, filterData "null".
	hb := `{"clientID":"127.0.0.1@a","consumerDataSet":[{"groupName":"cg","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"topic":"CqT","subString":"tagA","tagsSet":["tagA"],"codeSet":[3552231],"subVersion":1,"expressionType":"TAG","classFilterMode":false}],"unitMode":false}],"producerDataSet":[]}`
	require.Equal(t, code.Success, tb.call(t, code.HeartBeat, nil, []byte(hb)).Code)
	c, _, body = q(map[string]string{"topic": "CqT", "queueId": "1", "index": "2", "count": "5", "consumerGroup": "cg"})
	require.Equal(t, code.Success, c)
	require.Contains(t, body, `"filterData":"null"`)
	require.Contains(t, body, `"subscriptionData":{"topic":"CqT","subString":"tagA"`)

	// Past the end or an empty queue of the topic: SUCCESS, no body, remark naming the index.
	c, remark, body := q(map[string]string{"topic": "CqT", "queueId": "1", "index": "3", "count": "5"})
	require.Equal(t, code.Success, c)
	require.Equal(t, "Index 3 of 1@CqT is not exist!", remark)
	require.Empty(t, body)
	c, remark, _ = q(map[string]string{"topic": "CqT", "queueId": "0", "index": "0", "count": "5"})
	require.Equal(t, code.Success, c)
	require.Equal(t, "Index 0 of 0@CqT is not exist!", remark)

	// Unknown queue or topic: SYSTEM_ERROR.
	c, remark, _ = q(map[string]string{"topic": "CqT", "queueId": "7", "index": "0", "count": "5"})
	require.Equal(t, code.SystemError, c)
	require.Equal(t, "7@CqT is not exist!", remark)
	c, remark, _ = q(map[string]string{"topic": "NoSuch", "queueId": "0", "index": "0", "count": "5"})
	require.Equal(t, code.SystemError, c)
	require.Equal(t, "0@NoSuch is not exist!", remark)
	// A malformed number is refused, not panicked on.
	c, _, _ = q(map[string]string{"topic": "CqT", "queueId": "x", "index": "0", "count": "5"})
	require.Equal(t, code.SystemError, c)
}
