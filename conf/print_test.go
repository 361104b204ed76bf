package conf

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func printLines(t *testing.T, onlyImportant bool, targets ...any) []string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, PrintAll(&buf, onlyImportant, targets...))
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func TestPrintAllNamesrv(t *testing.T) {
	t.Setenv("ROCKETMQ_HOME", "/opt/rmq")
	n := DefaultNamesrv()
	lines := printLines(t, false, n.Targets()...)
	require.Len(t, lines, 7+14)
	require.Equal(t, "rocketmqHome=/opt/rmq", lines[0])
	require.Equal(t, "productEnvName=center", lines[3])
	require.Equal(t, "listenPort=9876", lines[7])
	require.Equal(t, "useEpollNativeSelector=false", lines[20])

	require.Equal(t, []string{""}, printLines(t, true, n.Targets()...), "no namesrv key is important")
}

func TestPrintAllBrokerOrderAndImportant(t *testing.T) {
	b := DefaultBroker()
	all := printLines(t, false, b.Targets()...)
	require.Len(t, all, 81+14+14+78+6) // + the six 5.x timer keys
	require.True(t, strings.HasPrefix(all[0], "rocketmqHome="))
	require.Equal(t, "listenPort=10911", all[81], "netty server follows broker config")
	require.True(t, strings.HasPrefix(all[81+14], "clientWorkerThreads="), "then netty client")
	require.True(t, strings.HasPrefix(all[81+28], "storePathRootDir="), "then message store")
	require.Contains(t, all, "isEnableBatchPush=false")
	require.Contains(t, all, "brokerRole=ASYNC_MASTER")
	require.Contains(t, all, "waitTimeMillsInSendQueue=200")

	imp := printLines(t, true, b.Targets()...)
	require.Len(t, imp, 35)
	require.True(t, strings.HasPrefix(imp[0], "namesrvAddr="))
	require.Contains(t, imp, "autoCreateTopicEnable=true")
	require.Contains(t, imp, "flushDiskType=ASYNC_FLUSH")
	require.NotContains(t, imp, "defaultTopicQueueNums=8")
}

func TestToPropertiesSkipsJavaNulls(t *testing.T) {
	s := DefaultMessageStoreConfig()
	p, err := ToProperties(&s)
	require.NoError(t, err)
	_, ok := p.Get("storePathCommitLog")
	require.False(t, ok)
	v, ok := p.Get("mappedFileSizeCommitLog")
	require.True(t, ok)
	require.Equal(t, "1073741824", v)
	s.HaMasterAddress = "10.0.0.1:10912"
	p, err = ToProperties(s)
	require.NoError(t, err)
	v, _ = p.Get("haMasterAddress")
	require.Equal(t, "10.0.0.1:10912", v)
}

func TestJavaFloat(t *testing.T) {
	require.Equal(t, "1.0", javaFloat(1, 64))
	require.Equal(t, "0.25", javaFloat(0.25, 64))
	require.Equal(t, "-3.5", javaFloat(-3.5, 32))
}
