package admin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeObjectKeyedMaps(t *testing.T) {
	body := `{"offsetTable":{{"brokerName":"b","queueId":1,"topic":"T"}:{"maxOffset":5,"minOffset":0},{"brokerName":"b","queueId":0,"topic":"T{}"}:{"maxOffset":3,"minOffset":1}},"addrs":{0:"127.0.0.1:1"}}`
	var v struct {
		OffsetTable Pairs[MessageQueue, TopicOffset] `json:"offsetTable"`
		Addrs       map[string]string                `json:"addrs"`
	}
	require.NoError(t, decode([]byte(body), &v))
	require.Len(t, v.OffsetTable, 2)
	require.Equal(t, MessageQueue{BrokerName: "b", QueueID: 1, Topic: "T"}, v.OffsetTable[0].K)
	require.Equal(t, int64(5), v.OffsetTable[0].V.MaxOffset)
	require.Equal(t, "T{}", v.OffsetTable[1].K.Topic)
	require.Equal(t, "127.0.0.1:1", v.Addrs["0"])
	for _, bad := range []string{``, `{`, `{{"a":1}`, `{"a":"x`, `[1,`, `{{}:}`} {
		require.Error(t, decode([]byte(bad), &v), bad)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"offsetTable":{{"brokerName":"b","queueId":1,"topic":"T"}:{"maxOffset":5}}}`))
	f.Add([]byte(`{0:"a",'x':[1,2,{}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v any
		_ = decode(b, &v)
	})
}

func FuzzDecodeRunningInfo(f *testing.F) {
	f.Add([]byte(`{"properties":{"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY"},"subscriptionSet":[{"topic":"T","subString":"*"}],"mqTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"commitOffset":3}},"statusTable":{"T":{"pullRT":1.5}},"jstack":null}`))
	f.Add([]byte(`{"mqTable":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeRunningInfo(b)
	})
}

func FuzzDecodeMessages(f *testing.F) {
	f.Add([]byte{0, 0, 0, 20, 0xDA, 0xA3, 0x20, 0xA7, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeMessages(b)
	})
}

func TestDecodeRunningInfoKeepsOrder(t *testing.T) {
	r, err := decodeRunningInfo([]byte(`{"properties":{"b":"1","a":2},"mqTable":{{"brokerName":"b","queueId":1,"topic":"T"}:{"commitOffset":3,"locked":true}},"statusTable":{"T":{"pullRT":1.5},"S":{}},"subscriptionSet":[{"topic":"T","subString":"*","classFilterMode":false}]}`))
	require.NoError(t, err)
	require.Equal(t, []KV{{"b", "1"}, {"a", "2"}}, r.Properties)
	require.Len(t, r.MQTable, 1)
	require.Equal(t, int64(3), r.MQTable[0].V.CommitOffset)
	require.True(t, r.MQTable[0].V.Locked)
	require.Equal(t, "T", r.StatusTable[0].K)
	require.Equal(t, "S", r.StatusTable[1].K)
	require.Equal(t, "*", r.SubscriptionSet[0].SubString)
	r, err = decodeRunningInfo([]byte(`{"mqTable":{},"properties":{}}`))
	require.NoError(t, err)
	require.Empty(t, r.MQTable)
}
