package conf

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Values below were read from the rocketmq-all-4.9.8 sources.

func TestBrokerConfigDefaults(t *testing.T) {
	cpus := processors()
	b := DefaultBrokerConfig()
	require.Equal(t, min(cpus, 4), b.SendMessageThreadPoolNums)
	require.Equal(t, 16+2*cpus, b.PullMessageThreadPoolNums)
	require.Equal(t, 8+cpus, b.QueryMessageThreadPoolNums)
	require.Equal(t, min(32, cpus), b.HeartbeatThreadPoolNums)
	require.Equal(t, max(8+2*cpus, 4*min(cpus, 4)), b.EndTransactionThreadPoolNums)
	require.Equal(t, int64(200), b.WaitTimeMillsInSendQueue)
	require.Equal(t, int64(5000), b.WaitTimeMillsInPullQueue)
	require.Equal(t, int64(31000), b.WaitTimeMillsInHeartbeatQueue)
	require.Equal(t, 8, b.DefaultTopicQueueNums)
	require.True(t, b.AutoCreateTopicEnable)
	require.True(t, b.AutoCreateSubscriptionGroup)
	require.Equal(t, "DefaultCluster", b.BrokerClusterName)
	require.Equal(t, int64(0), b.BrokerID)
	require.Equal(t, 6, b.BrokerPermission)
	require.Equal(t, "RMQ_SYS_TRACE_TOPIC", b.MsgTraceTopicName)
	require.Equal(t, "DefaultRegion", b.RegionID)
	require.Equal(t, int64(16<<30), b.ConsumerFallbehindThreshold)
	require.Equal(t, 30000, b.RegisterNameServerPeriod)
	require.Equal(t, int64(6000), b.TransactionTimeOut)
	require.Equal(t, 15, b.TransactionCheckMax)
	require.Equal(t, int64(60000), b.TransactionCheckInterval)
	require.Equal(t, 100000, b.PullThreadPoolQueueCapacity)
	require.Equal(t, "configBlackList;brokerConfigPath", b.ConfigBlackList)
	require.False(t, b.ACLEnable)
}

func TestMessageStoreConfigDefaults(t *testing.T) {
	s := DefaultMessageStoreConfig()
	require.Equal(t, 1073741824, s.MappedFileSizeCommitLog)
	require.Equal(t, 6000000, s.MappedFileSizeConsumeQueue)
	require.Equal(t, 4194304, s.MaxMessageSize)
	require.Equal(t, 500, s.FlushIntervalCommitLog)
	require.Equal(t, 200, s.CommitIntervalCommitLog)
	require.Equal(t, 5000, s.SyncFlushTimeout)
	require.Equal(t, "04", s.DeleteWhen)
	require.Equal(t, 72, s.FileReservedTime)
	require.Equal(t, 75, s.DiskMaxUsedSpaceRatio)
	require.Equal(t, 5000000, s.MaxHashSlotNum)
	require.Equal(t, 20000000, s.MaxIndexNum)
	require.Equal(t, 4096, s.FlushLeastPagesWhenWarmMapedFile)
	require.Equal(t, 262144, s.MaxTransferBytesOnMessageInMemory)
	require.Equal(t, 40, s.AccessMessageInMemoryMaxRatio)
	require.Equal(t, 10912, s.HaListenPort)
	require.Equal(t, 268435456, s.HaSlaveFallbehindMax)
	require.Equal(t, AsyncMaster, s.BrokerRole)
	require.Equal(t, AsyncFlush, s.FlushDiskType)
	require.Equal(t, "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h", s.MessageDelayLevel)
	require.Len(t, strings.Fields(s.MessageDelayLevel), 18)
	require.Empty(t, s.StorePathCommitLog, "Java default is null")
	require.Empty(t, s.HaMasterAddress, "Java default is null")
	require.Equal(t, 20000, s.MaxLmqConsumeQueueNum)
}

func TestNettyDefaults(t *testing.T) {
	s := DefaultNettyServerConfig()
	require.Equal(t, 8888, s.ListenPort, "class default; startup code overrides it")
	require.Equal(t, 8, s.ServerWorkerThreads)
	require.Equal(t, 3, s.ServerSelectorThreads)
	require.Equal(t, 256, s.ServerOnewaySemaphoreValue)
	require.Equal(t, 64, s.ServerAsyncSemaphoreValue)
	require.Equal(t, 120, s.ServerChannelMaxIdleTimeSeconds)
	require.Equal(t, 1024, s.ServerSocketBacklog)
	require.True(t, s.ServerPooledByteBufAllocatorEnable)

	c := DefaultNettyClientConfig()
	require.Equal(t, 4, c.ClientWorkerThreads)
	require.Equal(t, processors(), c.ClientCallbackExecutorThreads)
	require.Equal(t, 65535, c.ClientOnewaySemaphoreValue)
	require.Equal(t, 65535, c.ClientAsyncSemaphoreValue)
	require.Equal(t, 3000, c.ConnectTimeoutMillis)
	require.Equal(t, int64(60000), c.ChannelNotActiveInterval)
	require.Equal(t, 120, c.ClientChannelMaxIdleTimeSeconds)
	require.True(t, c.ClientCloseSocketIfTimeout)
	require.False(t, c.UseTLS)
}

func TestEnvironmentDefaults(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("ROCKETMQ_HOME", "/opt/rocketmq")
	t.Setenv("NAMESRV_ADDR", "10.0.0.1:9876")

	n := DefaultNamesrvConfig()
	require.Equal(t, "/opt/rocketmq", n.RocketmqHome)
	require.Equal(t, filepath.Join(home, "namesrv", "kvConfig.json"), n.KvConfigPath)
	require.Equal(t, filepath.Join(home, "namesrv", "namesrv.properties"), n.ConfigStorePath)
	require.Equal(t, "center", n.ProductEnvName)

	b := DefaultBrokerConfig()
	require.Equal(t, "/opt/rocketmq", b.RocketmqHome)
	require.Equal(t, "10.0.0.1:9876", b.NamesrvAddr)
	host, err := os.Hostname()
	require.NoError(t, err)
	require.Equal(t, host, b.BrokerName)
	require.NotNil(t, net.ParseIP(strings.Trim(b.BrokerIP1, "[]")), b.BrokerIP1)
	require.Equal(t, b.BrokerIP1, b.BrokerIP2)

	s := DefaultMessageStoreConfig()
	require.Equal(t, filepath.Join(home, "store"), s.StorePathRootDir)

	t.Setenv("ROCKETMQ_HOME", "")
	t.Setenv("NAMESRV_ADDR", "")
	// Unset or empty: the installation directory (bin/..), as Java's start scripts export it.
	exe, err := os.Executable()
	require.NoError(t, err)
	exe, err = filepath.EvalSymlinks(exe)
	require.NoError(t, err)
	require.Equal(t, filepath.Dir(filepath.Dir(exe)), DefaultBrokerConfig().RocketmqHome)
	require.Equal(t, filepath.Dir(filepath.Dir(exe)), DefaultNamesrvConfig().RocketmqHome)
	require.Empty(t, DefaultBrokerConfig().NamesrvAddr)
}

func TestPickLocalAddress(t *testing.T) {
	require.Equal(t, "10.1.2.3", pickLocalAddress([]string{"192.168.1.5", "10.1.2.3", "172.16.0.1"}, nil))
	require.Equal(t, "192.168.9.9", pickLocalAddress([]string{"192.168.1.5", "192.168.9.9"}, nil))
	require.Equal(t, "[fe80::1]", pickLocalAddress(nil, []string{"[fe80::1]", "[2001:db8::1]"}))
	require.Equal(t, "127.0.0.1", pickLocalAddress(nil, nil))
}

func TestStoreDerivedValues(t *testing.T) {
	s := DefaultMessageStoreConfig()
	s.StorePathRootDir = "/data/store"
	require.Equal(t, "/data/store/commitlog", s.CommitLogPath())
	s.StorePathCommitLog = "/fast/commitlog"
	require.Equal(t, "/fast/commitlog", s.CommitLogPath())

	require.Equal(t, 6000000, s.ConsumeQueueFileSize())
	s.MappedFileSizeConsumeQueue = 1001
	require.Equal(t, 1020, s.ConsumeQueueFileSize())

	s.DiskMaxUsedSpaceRatio = 5
	require.Equal(t, 10, s.DiskMaxUsedRatio())
	s.DiskMaxUsedSpaceRatio = 99
	require.Equal(t, 95, s.DiskMaxUsedRatio())
	s.DiskMaxUsedSpaceRatio = 80
	require.Equal(t, 80, s.DiskMaxUsedRatio())

	s.TransientStorePoolEnable = true
	require.True(t, s.TransientStorePoolInUse())
	s.FlushDiskType = SyncFlush
	require.False(t, s.TransientStorePoolInUse())
	s.FlushDiskType, s.BrokerRole = AsyncFlush, Slave
	require.False(t, s.TransientStorePoolInUse())
}
