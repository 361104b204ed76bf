package conformance

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// RESUME_CHECK_HALF_MESSAGE (323, mqadmin resumeCheckHalfMessage) writes a copy of the half message named by its
// offset message id back to RMQ_SYS_TRANS_HALF_TOPIC with TRANSACTION_CHECK_TIMES=0; an id that names no
// message is SYSTEM_ERROR "Exception was thrown when putting message back to RMQ_SYS_TRANS_HALF_TOPIC.".
func TestResumeCheckHalfMessage(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_resume_half")
	c.createTopic(t, topic, 1)
	addr := c.masterAddrs(t)[0]
	cl := rawClient(t)
	invoke := func(req *remoting.Command) *remoting.Command {
		t.Helper()
		resp, err := cl.InvokeSync(context.Background(), addr, req, 10*time.Second)
		require.NoError(t, err)
		return resp
	}
	const halfTopic = "RMQ_SYS_TRANS_HALF_TOPIC"
	maxHalf := func() int64 {
		resp := invoke(remoting.NewRequest(code.GetMaxOffset, map[string]string{"topic": halfTopic, "queueId": "0"}, nil))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		v, err := strconv.ParseInt(resp.ExtFields["offset"], 10, 64)
		require.NoError(t, err)
		return v
	}
	from := maxHalf()

	body := uniq("half-body")
	key := uniq("K_half")
	props := "TRAN_MSG\x01true\x02PGROUP\x01" + uniq("pg_half") + "\x02KEYS\x01" + key + "\x02"
	h := header.SendMessageRequestHeader{ProducerGroup: uniq("pg_half"), Topic: topic, DefaultTopic: "TBW102",
		DefaultTopicQueueNums: 4, QueueID: 0, SysFlag: 4 /* TRANSACTION_PREPARED_TYPE */, BornTimestamp: time.Now().UnixMilli(),
		Properties: props}
	ext := map[string]string{}
	h.Encode(ext)
	sent := invoke(remoting.NewRequest(code.SendMessage, ext, []byte(body)))
	require.Equal(t, code.Success, sent.Code, sent.Remark)
	offsetMsgID := sent.ExtFields["msgId"]
	require.Len(t, offsetMsgID, 32, "offset message id %v", sent.ExtFields)

	resp := invoke(remoting.NewRequest(code.ResumeCheckHalfMessage, map[string]string{"msgId": offsetMsgID}, nil))
	require.Equal(t, code.Success, resp.Code, resp.Remark)

	pull := map[string]string{"consumerGroup": uniq("cg_half"), "topic": halfTopic, "queueId": "0",
		"queueOffset": strconv.FormatInt(from, 10), "maxMsgNums": "32", "sysFlag": "4", "commitOffset": "0",
		"suspendTimeoutMillis": "0", "subscription": "*", "subVersion": "0", "expressionType": "TAG"}
	var copies []*primitive.MessageExt
	require.Eventually(t, func() bool {
		copies = copies[:0]
		r := invoke(remoting.NewRequest(code.PullMessage, pull, nil))
		if r.Code != code.Success {
			t.Logf("pull: code %d %q %v", r.Code, r.Remark, r.ExtFields)
			return false
		}
		for _, m := range primitive.DecodeMessage(r.Body) {
			if string(m.Body) == body {
				copies = append(copies, m)
			}
		}
		return len(copies) >= 2
	}, 20*time.Second, 100*time.Millisecond, "the half message and its resumed copy")
	require.Empty(t, copies[0].GetProperty("TRANSACTION_CHECK_TIMES"), "the original")
	require.Equal(t, "0", copies[1].GetProperty("TRANSACTION_CHECK_TIMES"), "the resumed copy")
	require.Equal(t, topic, copies[1].GetProperty("REAL_TOPIC"))

	// An offset beyond the commit log names no message.
	bad := offsetMsgID[:16] + "0000FFFF00000000"
	resp = invoke(remoting.NewRequest(code.ResumeCheckHalfMessage, map[string]string{"msgId": bad}, nil))
	require.Equal(t, code.SystemError, resp.Code)
	require.Equal(t, "Exception was thrown when putting message back to RMQ_SYS_TRANS_HALF_TOPIC.", resp.Remark)
}
