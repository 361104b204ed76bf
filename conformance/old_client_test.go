package conformance

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// INVOKE_BROKER_TO_RESET_OFFSET (222) and INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223) refuse a group one of whose
// consumers registered with a client older than V3_0_7_SNAPSHOT (ordinal 28): SYSTEM_ERROR "the client does not
// support this feature. version=V3_0_6". A current client in another group is served.
func TestBackTrackRefusesPre307Clients(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_oldcli")
	c.createTopic(t, topic, 1)
	addr := c.masterAddrs(t)[0]
	invoke := func(cl *remoting.Client, req *remoting.Command) *remoting.Command {
		t.Helper()
		resp, err := cl.InvokeSync(context.Background(), addr, req, 10*time.Second)
		require.NoError(t, err)
		return resp
	}
	join := func(cl *remoting.Client, group string, version int32) {
		t.Helper()
		hb := fmt.Sprintf(`{"clientID":%q,"consumerDataSet":[{"groupName":%q,"consumeType":"CONSUME_PASSIVELY",`+
			`"messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"topic":%q,`+
			`"subString":"*","tagsSet":[],"codeSet":[],"subVersion":1,"expressionType":"TAG","classFilterMode":false}],`+
			`"unitMode":false}],"producerDataSet":[]}`, uniq("127.0.0.1@old"), group, topic)
		req := remoting.NewRequest(code.HeartBeat, nil, []byte(hb))
		req.Version = version
		resp := invoke(cl, req)
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		commit := remoting.NewRequest(code.UpdateConsumerOffset, map[string]string{"consumerGroup": group, "topic": topic,
			"queueId": "0", "commitOffset": "0"}, nil)
		require.Equal(t, code.Success, invoke(cl, commit).Code)
	}
	reset := func(cl *remoting.Client, group string) *remoting.Command {
		return invoke(cl, remoting.NewRequest(code.InvokeBrokerToResetOffset, map[string]string{"topic": topic,
			"group": group, "timestamp": strconv.FormatInt(time.Now().UnixMilli(), 10), "isForce": "false"}, nil))
	}
	status := func(cl *remoting.Client, group string) *remoting.Command {
		return invoke(cl, remoting.NewRequest(code.InvokeBrokerToGetConsumerStatus, map[string]string{"topic": topic,
			"group": group}, nil))
	}

	old, cur := rawClient(t), rawClient(t)
	oldGroup, curGroup := uniq("cg_old"), uniq("cg_cur")
	join(old, oldGroup, 27) // V3_0_6
	join(cur, curGroup, remoting.Version)
	for _, resp := range []*remoting.Command{reset(rawClient(t), oldGroup), status(rawClient(t), oldGroup)} {
		require.Equal(t, code.SystemError, resp.Code, resp.Remark)
		require.Equal(t, "the client does not support this feature. version=V3_0_6", resp.Remark)
	}
	resp := reset(rawClient(t), curGroup)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
}
