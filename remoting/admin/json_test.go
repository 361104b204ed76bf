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
