package broker

import (
	"strconv"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting/code"
)

func (tb *testBroker) pullAll(t *testing.T, group, topic string, q int, n int) []*primitive.MessageExt {
	t.Helper()
	var msgs []*primitive.MessageExt
	require.Eventually(t, func() bool {
		resp := tb.call(t, code.PullMessage, pullExt(group, topic, q, 0, 4, 0), nil)
		if resp.Code != code.Success {
			return n == 0
		}
		msgs = primitive.DecodeMessage(resp.Body)
		return len(msgs) == n
	}, 10*time.Second, 10*time.Millisecond, "%s-%d: want %d messages", topic, q, n)
	return msgs
}

func TestSendBackToDLQRaw(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "SB", 1)
	resp := tb.call(t, code.SendMessageV2, sendV2("SB", 0, "TAGS\x01T"), []byte("payload"))
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	m := tb.pullAll(t, "g", "SB", 0, 1)[0]

	back := func(offset int64, group string, level int) map[string]string {
		return map[string]string{"offset": strconv.FormatInt(offset, 10), "group": group, "delayLevel": strconv.Itoa(level),
			"originMsgId": m.MsgId, "originTopic": "SB", "maxReconsumeTimes": "16"}
	}
	resp = tb.call(t, code.ConsumerSendMsgBack, back(1<<40, "g", 0), nil)
	require.Equal(t, code.SystemError, resp.Code)
	require.Equal(t, "look message by offset failed, "+strconv.FormatInt(1<<40, 10), resp.Remark)

	resp = tb.call(t, code.ConsumerSendMsgBack, back(m.CommitLogOffset, "g", -1), nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	tc, ok := tb.b.topics.Get("%DLQ%g")
	require.True(t, ok)
	require.EqualValues(t, 6, tc.Perm, "4.9.8 DLQs are readable")
	require.EqualValues(t, 1, tc.WriteQueueNums)
	d := tb.pullAll(t, "g2", "%DLQ%g", 0, 1)[0]
	require.Equal(t, "payload", string(d.Body))
	require.EqualValues(t, 1, d.ReconsumeTimes)
	require.Equal(t, "SB", d.GetProperty("RETRY_TOPIC"))
	require.Equal(t, m.OffsetMsgId, d.GetProperty("ORIGIN_MESSAGE_ID"))
	require.Equal(t, "0", d.GetProperty("DELAY"))
	require.Equal(t, "false", d.GetProperty("WAIT"))

	// A normal send-back goes through SCHEDULE_TOPIC_XXXX queue (3+reconsumeTimes)-1 to %RETRY%g.
	resp = tb.call(t, code.ConsumerSendMsgBack, back(m.CommitLogOffset, "g", 0), nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	s := tb.pullAll(t, "g", "SCHEDULE_TOPIC_XXXX", 2, 1)[0]
	require.Equal(t, "%RETRY%g", s.GetProperty("REAL_TOPIC"))
	require.Equal(t, "3", s.GetProperty("DELAY"))
	_, ok = tb.b.topics.Get("%RETRY%g")
	require.True(t, ok)

	// Without auto-creation an unknown group is refused.
	tb2 := startTestBroker(t, func(c *conf.Broker) { c.Broker.AutoCreateSubscriptionGroup = false })
	resp = tb2.call(t, code.ConsumerSendMsgBack, back(0, "nobody", 0), nil)
	require.Equal(t, code.SubscriptionGroupNotExist, resp.Code)
}

func TestSQL92PullRaw(t *testing.T) {
	tb := startTestBroker(t)
	require.True(t, tb.b.cfg.Broker.EnablePropertyFilter, "rocketd serves SQL92 unless broker.conf says otherwise")
	tb.createTopic(t, "SQ", 1)
	for i := 0; i < 5; i++ {
		resp := tb.call(t, code.SendMessageV2, sendV2("SQ", 0, "a\x01"+strconv.Itoa(i)), []byte("m"+strconv.Itoa(i)))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
	tb.pullAll(t, "g", "SQ", 0, 5)
	ext := pullExt("g", "SQ", 0, 0, 4, 0)
	ext["expressionType"], ext["subscription"] = "SQL92", "a >= 3"
	resp := tb.call(t, code.PullMessage, ext, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	msgs := primitive.DecodeMessage(resp.Body)
	require.Len(t, msgs, 2)
	require.Equal(t, "m3", string(msgs[0].Body))
	require.Equal(t, "5", resp.Ext("nextBeginOffset"))

	ext["subscription"] = "a >="
	resp = tb.call(t, code.PullMessage, ext, nil)
	require.Equal(t, code.SubscriptionParseFailed, resp.Code)

	ext["subscription"] = "a > 10"
	resp = tb.call(t, code.PullMessage, ext, nil)
	require.Equal(t, code.PullRetryImmediately, resp.Code, "all filtered out")

	off := startTestBroker(t, func(c *conf.Broker) { c.File.Set("enablePropertyFilter", "false") })
	require.False(t, off.b.cfg.Broker.EnablePropertyFilter)
	off.createTopic(t, "SQ", 1)
	ext["subscription"] = "a > 1"
	resp = off.call(t, code.PullMessage, ext, nil)
	require.Equal(t, code.SystemError, resp.Code)
	require.Equal(t, "The broker does not support consumer to filter message by SQL92", resp.Remark)
}

func TestTransactionRaw(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "TX", 2)
	props := "TRAN_MSG\x01true\x02PGROUP\x01pg\x02UNIQ_KEY\x01ABC"
	resp := tb.call(t, code.SendMessageV2, sendV2("TX", 1, props), []byte("half"))
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	require.Equal(t, "1", resp.Ext("queueId"), "the answer names the queue the producer chose")
	half := tb.pullAll(t, "g", "RMQ_SYS_TRANS_HALF_TOPIC", 0, 1)[0]
	require.Equal(t, "TX", half.GetProperty("REAL_TOPIC"))
	require.Equal(t, "1", half.GetProperty("REAL_QID"))
	require.Zero(t, half.SysFlag&0xC, "transaction bits reset")
	tb.pullAll(t, "g", "TX", 1, 0)

	end := map[string]string{"producerGroup": "pg", "tranStateTableOffset": resp.Ext("queueOffset"),
		"commitLogOffset": strconv.FormatInt(half.CommitLogOffset, 10), "commitOrRollback": "8", "msgId": "ABC"}
	resp = tb.call(t, code.EndTransaction, end, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	m := tb.pullAll(t, "g", "TX", 1, 1)[0]
	require.Equal(t, "half", string(m.Body))
	require.EqualValues(t, 8, m.SysFlag&0xC)
	require.Equal(t, half.CommitLogOffset, m.PreparedTransactionOffset)
	// The op topic has no topic config (as in Java): read the store.
	require.Eventually(t, func() bool { return tb.b.store.GetMaxOffsetInQueue("RMQ_SYS_TRANS_OP_HALF_TOPIC", 0) == 1 }, 5*time.Second, 5*time.Millisecond)
	res := tb.b.store.GetMessage("g", "RMQ_SYS_TRANS_OP_HALF_TOPIC", 0, 0, 1, nil)
	op := primitive.DecodeMessage(res.Messages[0])[0]
	res.Release()
	require.Equal(t, "0", string(op.Body))
	require.Equal(t, "d", op.GetTags())

	end["commitLogOffset"] = "12345"
	resp = tb.call(t, code.EndTransaction, end, nil)
	require.Equal(t, code.SystemError, resp.Code)
	require.Equal(t, "Find prepared transaction message failed", resp.Remark)

	reject := startTestBroker(t, func(c *conf.Broker) { c.Broker.RejectTransactionMessage = true })
	reject.createTopic(t, "TX", 1)
	resp = reject.call(t, code.SendMessageV2, sendV2("TX", 0, props), []byte("half"))
	require.Equal(t, code.NoPermission, resp.Code)
	require.Equal(t, "the broker[127.0.0.1] sending transaction message is forbidden", resp.Remark)

	resp = tb.call(t, code.GetAllDelayOffset, nil, nil)
	require.Equal(t, code.Success, resp.Code)
	require.Equal(t, `{"offsetTable":{}}`, string(resp.Body))
}
