package broker

import (
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting/code"
)

// oldStoredProperties is the map path: what the broker stores for a non-batch send (CLUSTER set on the decoded
// map, then storedProperties).
func oldStoredProperties(client, cluster string) string {
	props := compat.DecodeProperties(client)
	props[compat.PropertyCluster] = cluster
	return storedProperties(props, client)
}

var storedPropertiesSeeds = []string{
	"",
	"KEYS\x01OrderID188\x02UNIQ_KEY\x017F0000010B5C18B4AAC2671C3D8C0000\x02WAIT\x01true\x02TAGS\x01TagA",
	"TAGS\x01a\x02TAGS\x01b\x02KEYS\x01k1 k2\x02",
	"CLUSTER\x01mine\x02WAIT\x01false\x02A\x01\x02\x01x\x02B\x01v\x01w",
	"a\x011\x02b\x012\x02c\x013\x02d\x014\x02e\x015\x02f\x016\x02g\x017\x02h\x018\x02i\x019\x02j\x0110\x02k\x0111\x02l\x0112\x02m\x0113",
	"a\x011\x02b\x012\x02c\x013\x02d\x014\x02e\x015\x02f\x016\x02g\x017\x02h\x018\x02i\x019\x02j\x0110\x02k\x0111\x02l\x0112\x02m\x0113\x02n\x01\x02o\x01p\x02q\x01r\x02s\x01t\x02u\x01v",
	"WAIT\x01true\x02WAIT\x01false\x02\x02\x02",
}

func TestAppendStoredPropertiesMatchesMapPath(t *testing.T) {
	for _, client := range storedPropertiesSeeds {
		for _, cluster := range []string{"DefaultCluster", ""} {
			require.Equal(t, oldStoredProperties(client, cluster), string(appendStoredProperties(nil, client, cluster)),
				"client %q cluster %q", client, cluster)
		}
	}
}

// FuzzStoredProperties: the map-free stored properties of the common send are byte for byte the map path's.
func FuzzStoredProperties(f *testing.F) {
	for _, s := range storedPropertiesSeeds {
		f.Add(s, "DefaultCluster")
	}
	f.Fuzz(func(t *testing.T, client, cluster string) {
		want := oldStoredProperties(client, cluster)
		got := appendStoredProperties([]byte("x"), client, cluster)
		if string(got[1:]) != want {
			t.Fatalf("client %q cluster %q: got %q, map path %q", client, cluster, got[1:], want)
		}
	})
}

// The common send stores the map-free properties (WAIT dropped, CLUSTER added); a delayed send is redirected
// by the store from the property map, and its record keeps WAIT as before (Java re-encodes from its map).
func TestStoredPropertiesPlainAndDelayed(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "SP", 1)
	read := func(topic string, queueID int32) map[string]string {
		var props map[string]string
		require.Eventually(t, func() bool { return tb.b.store.GetMaxOffsetInQueue(topic, queueID) == 1 }, 5*time.Second, 5*time.Millisecond)
		res := tb.b.store.GetMessage("g", topic, queueID, 0, 1, nil)
		require.NotEmpty(t, res.Messages)
		props = primitive.DecodeMessage(res.Messages[0])[0].GetProperties()
		res.Release()
		return props
	}
	plain := "KEYS\x01k\x02WAIT\x01true\x02TAGS\x01t"
	require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("SP", 0, plain), []byte("p")).Code)
	p := read("SP", 0)
	require.NotContains(t, p, compat.PropertyWaitStoreMsgOK)
	require.Equal(t, "k", p[compat.PropertyKeys])
	require.Equal(t, tb.b.cfg.Broker.BrokerClusterName, p[compat.PropertyCluster])

	delayed := "DELAY\x012\x02WAIT\x01true\x02TAGS\x01t"
	require.Equal(t, code.Success, tb.call(t, code.SendMessageV2, sendV2("SP", 0, delayed), []byte("d")).Code)
	d := read("SCHEDULE_TOPIC_XXXX", 1)
	require.Equal(t, "true", d[compat.PropertyWaitStoreMsgOK])
	require.Equal(t, "SP", d[compat.PropertyRealTopic])
}
