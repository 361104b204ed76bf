package conf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.conf")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestLoadBrokerWithoutFile(t *testing.T) {
	t.Setenv("NAMESRV_ADDR", "")
	b, w, err := LoadBroker("", nil)
	require.NoError(t, err)
	require.Empty(t, w)
	require.Equal(t, 10911, b.Server.ListenPort)
	require.Equal(t, 10912, b.Store.HaListenPort)
	require.Empty(t, b.Path)
	require.Zero(t, b.File.Len())
}

func TestLoadBrokerStartupRules(t *testing.T) {
	path := writeFile(t, "listenPort=20911\nhaListenPort=1\nbrokerId=3\nbogus=1\nrmqAddressServerDomain=ns.example\n")
	b, w, err := LoadBroker(path, map[string]string{"namesrvAddr": "10.0.0.1:9876;10.0.0.2:9876"})
	require.NoError(t, err)
	require.Equal(t, 20912, b.Store.HaListenPort, "always listenPort+1")
	require.Equal(t, int64(0), b.Broker.BrokerID, "masters get brokerId 0")
	require.Equal(t, "10.0.0.1:9876;10.0.0.2:9876", b.Broker.NamesrvAddr)
	require.Equal(t, path, b.Path)
	v, ok := b.File.Get("bogus")
	require.True(t, ok, "unknown keys stay in File")
	require.Equal(t, "1", v)
	v, _ = b.File.Get("rmqAddressServerDomain")
	require.Equal(t, "ns.example", v, "read from the file by the startup code, not an unknown key")
	require.Len(t, w, 1)
	require.Contains(t, w[0], path)
	require.Contains(t, w[0], "bogus")
}

func TestLoadBrokerSlaveNeedsPositiveID(t *testing.T) {
	_, _, err := LoadBroker(writeFile(t, "brokerRole=SLAVE\n"), nil)
	require.ErrorContains(t, err, "brokerId")

	b, _, err := LoadBroker(writeFile(t, "brokerRole=SLAVE\nbrokerId=2\n"), nil)
	require.NoError(t, err)
	require.Equal(t, int64(2), b.Broker.BrokerID)
}

func TestLoadBrokerDLedgerForcesIDMinusOne(t *testing.T) {
	b, _, err := LoadBroker(writeFile(t, "enableDLegerCommitLog=true\n"), nil)
	require.NoError(t, err)
	require.Equal(t, int64(-1), b.Broker.BrokerID)
}

func TestLoadBrokerErrors(t *testing.T) {
	_, _, err := LoadBroker(filepath.Join(t.TempDir(), "missing.conf"), nil)
	require.ErrorIs(t, err, os.ErrNotExist)

	_, _, err = LoadBroker(writeFile(t, "maxMessageSize=big\n"), nil)
	require.ErrorIs(t, err, ErrInvalidValue)
	require.ErrorContains(t, err, "maxMessageSize")

	_, _, err = LoadBroker("", map[string]string{"namesrvAddr": "localhost"})
	require.ErrorIs(t, err, ErrBadNamesrvAddr)

	_, _, err = LoadBroker("", map[string]string{"listenPort": "x"})
	require.ErrorContains(t, err, "command line")
}

func TestValidateNamesrvAddr(t *testing.T) {
	for _, ok := range []string{"", "127.0.0.1:9876", "a:1;b:2", "a:1;b:2;", "[::1]:9876", "host:+80"} {
		require.NoError(t, ValidateNamesrvAddr(ok), ok)
	}
	for _, bad := range []string{"localhost", "a:1;;b:2", "a:65536", "a:-1", "a:", ";a:1", "a:x"} {
		require.ErrorIs(t, ValidateNamesrvAddr(bad), ErrBadNamesrvAddr, bad)
	}
}

func TestLoadNamesrv(t *testing.T) {
	n, w, err := LoadNamesrv("", nil)
	require.NoError(t, err)
	require.Empty(t, w)
	require.Equal(t, 9876, n.Server.ListenPort)

	path := writeFile(t, "listenPort=19876\norderMessageEnable=true\nbrokerName=x\n")
	n, w, err = LoadNamesrv(path, map[string]string{"productEnvName": "test"})
	require.NoError(t, err)
	require.Equal(t, 19876, n.Server.ListenPort)
	require.True(t, n.Namesrv.OrderMessageEnable)
	require.Equal(t, path, n.Namesrv.ConfigStorePath, "Java stores the -c file here")
	require.Equal(t, "test", n.Namesrv.ProductEnvName)
	require.Len(t, w, 1, "brokerName is not a namesrv key")
}

func TestSampleBrokerConf(t *testing.T) {
	b, w, err := LoadBroker("broker.conf", nil)
	require.NoError(t, err)
	require.Empty(t, w)
	require.Equal(t, "DefaultCluster", b.Broker.BrokerClusterName)
	require.Equal(t, "broker-a", b.Broker.BrokerName)
	require.Equal(t, int64(0), b.Broker.BrokerID)
	require.Equal(t, "04", b.Store.DeleteWhen)
	require.Equal(t, 48, b.Store.FileReservedTime)
	require.Equal(t, AsyncMaster, b.Store.BrokerRole)
	require.Equal(t, AsyncFlush, b.Store.FlushDiskType)
}

func TestSampleDevFiles(t *testing.T) {
	b, w, err := LoadBroker(filepath.Join("dev", "broker.conf"), nil)
	require.NoError(t, err)
	require.Empty(t, w)
	require.Equal(t, 10911, b.Server.ListenPort)
	require.Equal(t, 10912, b.Store.HaListenPort)
	require.Equal(t, "127.0.0.1:9876", b.Broker.NamesrvAddr)
	require.Equal(t, "127.0.0.1", b.Broker.BrokerIP1)
	require.Equal(t, "./data/store", b.Store.StorePathRootDir)
	require.Equal(t, "./data/store/commitlog", b.Store.CommitLogPath())
	require.Equal(t, 1<<30, b.Store.MappedFileSizeCommitLog, "keep the 1 GiB default")

	n, w, err := LoadNamesrv(filepath.Join("dev", "namesrv.properties"), nil)
	require.NoError(t, err)
	require.Empty(t, w)
	require.Equal(t, 9876, n.Server.ListenPort)
	require.Equal(t, "./data/namesrv/kvConfig.json", n.Namesrv.KvConfigPath)
}
