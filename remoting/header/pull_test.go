package header

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodePullFromJava(t *testing.T) {
	var h PullMessageRequestHeader
	require.NoError(t, h.Decode(pullFromJava(nil)))
	require.Equal(t, PullMessageRequestHeader{
		ConsumerGroup:        "please_rename_unique_group_name_4",
		Topic:                "TopicTest",
		QueueID:              3,
		QueueOffset:          128,
		MaxMsgNums:           32,
		SysFlag:              PullFlagCommitOffset | PullFlagSuspend,
		CommitOffset:         120,
		SuspendTimeoutMillis: 15000,
		SubVersion:           1700000000000,
		ExpressionType:       "TAG",
		BrokerName:           "broker-a",
	}, h)
}

func TestDecodePullFromGo(t *testing.T) {
	var h PullMessageRequestHeader
	require.NoError(t, h.Decode(pullFromGo(nil)))
	require.Equal(t, "", h.Subscription)
	require.Equal(t, int64(0), h.SubVersion, "the Go client sends subVersion 0")
	require.Equal(t, int64(20000), h.SuspendTimeoutMillis)
	require.Equal(t, PullFlagSuspend, h.SysFlag)

	// A lite-pull style request with an SQL92 subscription.
	require.NoError(t, h.Decode(pullFromGo(map[string]string{"sysFlag": "20", "subscription": "a > 5", "expressionType": "SQL92"})))
	require.Equal(t, PullFlagSubscription|PullFlagLitePull, h.SysFlag)
	require.Equal(t, "a > 5", h.Subscription)
}

func TestDecodePullErrors(t *testing.T) {
	var h PullMessageRequestHeader
	err := h.Decode(pullFromJava(map[string]string{"subVersion": "\x00delete"}))
	require.EqualError(t, err, "the custom field <subVersion> is null")
	err = h.Decode(pullFromJava(map[string]string{"maxMsgNums": "+"}))
	require.ErrorIs(t, err, ErrMalformedField)
	require.NoError(t, h.Decode(pullFromJava(map[string]string{"expressionType": "\x00delete", "bname": "\x00delete"})))
}

func TestPullResponseKeys(t *testing.T) {
	ext := map[string]string{}
	(&PullMessageResponseHeader{SuggestWhichBrokerID: 0, NextBeginOffset: 160, MinOffset: 0, MaxOffset: 170}).Encode(ext)
	require.Equal(t, map[string]string{"suggestWhichBrokerId": "0", "nextBeginOffset": "160", "minOffset": "0", "maxOffset": "170"}, ext,
		"Java clients unbox all four, so even zeros must be written")
}

func BenchmarkDecodePull(b *testing.B) {
	ext := pullFromJava(nil)
	var h PullMessageRequestHeader
	b.ReportAllocs()
	for b.Loop() {
		if err := h.Decode(ext); err != nil {
			b.Fatal(err)
		}
	}
}
