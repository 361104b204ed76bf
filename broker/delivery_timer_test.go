package broker

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting/code"
)

// A held timer message shows in GET_BROKER_RUNTIME_INFO (mqadmin brokerStatus); the send answers
// MESSAGE_ILLEGAL beyond timerMaxDelaySec, and after UPDATE_BROKER_CONFIG timerWheelEnable=false.
func TestTimerStatsAndRefusals(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "TS", 1)
	runtimeInfo := func() map[string]string {
		ri := tb.call(t, code.GetBrokerRuntimeInfo, nil, nil)
		require.Equal(t, code.Success, ri.Code)
		var kv struct{ Table map[string]string }
		require.NoError(t, json.Unmarshal(ri.Body, &kv))
		return kv.Table
	}
	require.NotContains(t, runtimeInfo(), "timerPendingNum", "no timer figures before the first timer message")

	due := time.Now().Add(time.Hour).UnixMilli()
	props := compat.EncodeProperties(map[string]string{compat.PropertyTimerDeliverMS: strconv.FormatInt(due, 10)})
	require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("TS", 0, props), []byte("later")).Code)
	// Pending counts the message as soon as it is in rmq_sys_wheel_timer; the next due time appears once the
	// timer has read it into the wheel, so wait for both.
	var info map[string]string
	require.Eventually(t, func() bool {
		info = runtimeInfo()
		return info["timerPendingNum"] == "1" && info["timerNextDueTimeMs"] != ""
	}, 10*time.Second, 50*time.Millisecond)
	next, err := strconv.ParseInt(info["timerNextDueTimeMs"], 10, 64)
	require.NoError(t, err)
	require.Equal(t, due/1000*1000, next, "the slot of the held message")

	far := compat.EncodeProperties(map[string]string{compat.PropertyTimerDelaySec: strconv.Itoa(4 * 24 * 3600)})
	r := tb.call(t, code.SendMessageV2, sendV2("TS", 0, far), []byte("far"))
	require.Equal(t, code.MessageIllegal, r.Code)
	require.Contains(t, r.Remark, "timerMaxDelaySec=259200")

	require.Equal(t, code.Success, tb.call(t, code.UpdateBrokerConfig, nil, []byte("timerWheelEnable=false\n")).Code)
	r = tb.call(t, code.SendMessageV2, sendV2("TS", 0, props), []byte("off"))
	require.Equal(t, code.MessageIllegal, r.Code)
	require.Contains(t, r.Remark, "timerWheelEnable=true")
}
