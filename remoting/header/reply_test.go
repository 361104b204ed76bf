package header

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The reply header shares the v1 send keys but, like Java's ReplyMessageRequestHeader, has no
// maxReconsumeTimes, batch or bname: they are never written, and ignored when read.
func TestReplyHeaderHasNoSendOnlyKeys(t *testing.T) {
	h := ReplyMessageRequestHeader{
		SendMessageRequestHeader: SendMessageRequestHeader{ProducerGroup: "pg", Topic: "T", DefaultTopic: "TBW102",
			MaxReconsumeTimes: Some[int32](3), Batch: true, BrokerName: "broker-a"},
		BornHost: "10.0.0.5:5000", StoreHost: "10.0.0.1:10911", StoreTimestamp: 9,
	}
	ext := map[string]string{}
	h.Encode(ext)
	require.Equal(t, map[string]string{
		"producerGroup": "pg", "topic": "T", "defaultTopic": "TBW102", "defaultTopicQueueNums": "0", "queueId": "0",
		"sysFlag": "0", "bornTimestamp": "0", "flag": "0", "unitMode": "false",
		"bornHost": "10.0.0.5:5000", "storeHost": "10.0.0.1:10911", "storeTimestamp": "9",
	}, ext)

	ext["batch"], ext["maxReconsumeTimes"], ext["bname"] = "true", "3", "broker-a"
	var got ReplyMessageRequestHeader
	require.NoError(t, got.Decode(ext))
	want := h
	want.SendMessageRequestHeader = h.replyFields()
	require.Equal(t, want, got)
}
