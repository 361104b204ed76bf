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
)

// A message sent straight to %RETRY%<group> with reconsumeTimes at the maximum is diverted to %DLQ%<group>;
// the DELAY the sender put in its properties still applies (Java sets DELAY=0 on a map it then replaces), so
// it reaches the DLQ through SCHEDULE_TOPIC_XXXX and carries REAL_TOPIC.
func TestDirectRetrySendToDLQKeepsDelay(t *testing.T) {
	c := newCluster(t)
	group := uniq("cg_direct")
	retry, dlq := "%RETRY%"+group, "%DLQ%"+group
	cl := &remoting.Client{Logger: quietLogger()}
	defer cl.Close()
	addr := c.masterAddrs(t)[0]
	ext := map[string]string{"a": uniq("pg"), "b": retry, "c": "TBW102", "d": "4", "e": "0", "f": "0",
		"g": strconv.FormatInt(time.Now().UnixMilli(), 10), "h": "0", "i": "DELAY\x011\x02UNIQ_KEY\x01direct-1",
		"j": "16", "k": "false", "l": "16"}
	resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.SendMessageV2, ext, []byte("direct")), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)

	pull := map[string]string{"consumerGroup": uniq("cg_read"), "topic": dlq, "queueId": "0", "queueOffset": "0",
		"maxMsgNums": "32", "sysFlag": "4", "commitOffset": "0", "suspendTimeoutMillis": "0", "subscription": "*",
		"subVersion": "0", "expressionType": "TAG"}
	var msgs []*primitive.MessageExt
	require.Eventually(t, func() bool {
		resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.PullMessage, pull, nil), 10*time.Second)
		require.NoError(t, err)
		if resp.Code != code.Success {
			return false
		}
		msgs = primitive.DecodeMessage(resp.Body)
		return len(msgs) == 1
	}, 20*time.Second, 100*time.Millisecond, "nothing in %s", dlq)
	m := msgs[0]
	require.Equal(t, "direct", string(m.Body))
	require.Equal(t, dlq, m.GetProperty("REAL_TOPIC"), "went through the schedule topic")
	require.Equal(t, "1", m.GetProperty("DELAY"))
	require.EqualValues(t, 16, m.ReconsumeTimes)
}
