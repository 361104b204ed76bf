package broker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting/code"
)

// An SQL92 consumer's heartbeat registers its filter in consumerFilter.json (Java ConsumerFilterManager); a
// TAG subscription does not; UNREGISTER_CLIENT of the last consumer marks it dead; the broker writes the file on
// shutdown and reads it back on the next start.
func TestConsumerFilterPersisted(t *testing.T) {
	var root string
	tb := startTestBroker(t, func(c *conf.Broker) { root = c.Store.StorePathRootDir })
	hb := `{"clientID":"127.0.0.1@f","consumerDataSet":[{"groupName":"cgf","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[` +
		`{"topic":"TS","subString":"a > 4 AND color = 'red'","tagsSet":[],"codeSet":[],"subVersion":1796664241942,"expressionType":"SQL92","classFilterMode":false},` +
		`{"topic":"TT","subString":"TagA","tagsSet":["TagA"],"codeSet":[],"subVersion":1796664241942,"expressionType":"TAG","classFilterMode":false}],"unitMode":false}]}`
	require.Equal(t, code.Success, tb.call(t, code.HeartBeat, nil, []byte(hb)).Code)
	d, ok := tb.b.filters.Get("TS", "cgf")
	require.True(t, ok, "SQL92 subscription registered")
	require.False(t, d.Dead())
	_, ok = tb.b.filters.Get("TT", "cgf")
	require.False(t, ok, "TAG subscriptions are not filter data")

	un := tb.call(t, code.UnregisterClient, map[string]string{"clientID": "127.0.0.1@f", "consumerGroup": "cgf"}, nil)
	require.Equal(t, code.Success, un.Code)
	d, _ = tb.b.filters.Get("TS", "cgf")
	require.True(t, d.Dead(), "the group's last consumer left")

	require.NoError(t, tb.b.Close())
	data, err := os.ReadFile(filepath.Join(root, "config", "consumerFilter.json"))
	require.NoError(t, err)
	require.Contains(t, string(data), "\n\t\t\t\t\t\"expression\":\"a > 4 AND color = 'red'\",\n")
	require.Contains(t, string(data), `"clientVersion":1796664241942,`)

	tb2 := startTestBroker(t, func(c *conf.Broker) { c.Store.StorePathRootDir = root })
	d, ok = tb2.b.filters.Get("TS", "cgf")
	require.True(t, ok, "read back at start")
	require.Equal(t, "SQL92", d.ExpressionType)
}
