package conf

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func props(t *testing.T, src string) *Properties {
	t.Helper()
	p, err := Parse([]byte(src))
	require.NoError(t, err)
	return p
}

func TestApplySetsEveryTargetThatHasTheKey(t *testing.T) {
	b := DefaultBroker()
	w, err := Apply(props(t, `
brokerName=broker-x
listenPort=20911
writeBufferHighWaterMark=65536
maxMessageSize=1048576
brokerRole=SYNC_MASTER
flushDiskType=SYNC_FLUSH
consumerFallbehindThreshold=17179869185
autoCreateTopicEnable=FALSE
enableBatchPush=true
storePathRootDir=/data/store
`), b.Targets()...)
	require.NoError(t, err)
	require.Empty(t, w)
	require.Equal(t, "broker-x", b.Broker.BrokerName)
	require.Equal(t, 20911, b.Server.ListenPort)
	require.Equal(t, 65536, b.Server.WriteBufferHighWaterMark, "server and client both have the key")
	require.Equal(t, 65536, b.Client.WriteBufferHighWaterMark)
	require.Equal(t, 1048576, b.Store.MaxMessageSize)
	require.Equal(t, SyncMaster, b.Store.BrokerRole)
	require.Equal(t, SyncFlush, b.Store.FlushDiskType)
	require.Equal(t, int64(17179869185), b.Broker.ConsumerFallbehindThreshold)
	require.False(t, b.Broker.AutoCreateTopicEnable)
	require.True(t, b.Store.EnableBatchPush)
	require.Equal(t, "/data/store/commitlog", b.Store.CommitLogPath(), "derived after the root changed")
}

func TestApplyUnknownKeysWarn(t *testing.T) {
	n := DefaultNamesrv()
	w, err := Apply(props(t, "listenPort=9999\nlistenport=1\nisEnableBatchPush=true\n"), n.Targets()...)
	require.NoError(t, err)
	require.Equal(t, 9999, n.Server.ListenPort)
	require.Len(t, w, 2)
	require.Contains(t, w[0], "listenport")
	require.Contains(t, w[0], "NamesrvConfig, NettyServerConfig")
	require.Contains(t, w[1], "isEnableBatchPush", "the Java field name is not a settable key")
}

func TestApplyTypeErrors(t *testing.T) {
	cases := []struct{ src, key, want string }{
		{"listenPort=abc", "listenPort", "int (32-bit integer)"},
		{"listenPort=2147483648", "listenPort", "out of range"},
		{"brokerId=1.5", "brokerId", "long (64-bit integer)"},
		{"autoCreateTopicEnable=yes", "autoCreateTopicEnable", "boolean (true or false)"},
		{"brokerRole=async_master", "brokerRole", "ASYNC_MASTER, SYNC_MASTER, SLAVE"},
		{"flushDiskType=FLUSH", "flushDiskType", "ASYNC_FLUSH, SYNC_FLUSH"},
	}
	for _, c := range cases {
		b := DefaultBroker()
		_, err := Apply(props(t, c.src), b.Targets()...)
		require.ErrorIs(t, err, ErrInvalidValue, c.src)
		var ve *ValueError
		require.ErrorAs(t, err, &ve, c.src)
		require.Equal(t, c.key, ve.Key)
		value := c.src[strings.IndexByte(c.src, '=')+1:]
		require.Equal(t, value, ve.Value)
		require.Contains(t, err.Error(), c.key)
		require.Contains(t, err.Error(), `"`+value+`"`)
		require.Contains(t, err.Error(), c.want)
	}
}

func TestApplyReportsAllErrorsAndKeepsGoodKeys(t *testing.T) {
	b := DefaultBroker()
	_, err := Apply(props(t, "listenPort=x\nbrokerName=ok\nmaxMessageSize=y\n"), b.Targets()...)
	require.Error(t, err)
	require.Contains(t, err.Error(), "listenPort")
	require.Contains(t, err.Error(), "maxMessageSize")
	require.Equal(t, "ok", b.Broker.BrokerName)
	require.Equal(t, 10911, b.Server.ListenPort, "a bad value leaves the default")
}

func TestApplyTrimsNonStringValuesWithWarning(t *testing.T) {
	b := DefaultBroker()
	w, err := Apply(props(t, "listenPort=10000 \nbrokerRole=SLAVE\t\nbrokerName=b \n"), b.Targets()...)
	require.NoError(t, err)
	require.Equal(t, 10000, b.Server.ListenPort)
	require.Equal(t, Slave, b.Store.BrokerRole)
	require.Equal(t, "b ", b.Broker.BrokerName, "strings are kept verbatim like Java")
	require.Len(t, w, 2)
	require.Contains(t, w[0], "listenPort")
	require.Contains(t, w[1], "brokerRole")
}

func TestApplyRejectsNonPointerTargets(t *testing.T) {
	_, err := Apply(NewProperties(), BrokerConfig{})
	require.ErrorContains(t, err, "pointer")
	_, err = Apply(NewProperties(), new(int))
	require.ErrorContains(t, err, "not a config struct")
}
