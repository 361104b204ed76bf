package conf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBrokerRefusesUnsupportedSettings(t *testing.T) {
	cases := map[string]map[string]string{
		"enableDLegerCommitLog=true":           {"enableDLegerCommitLog": "true"},
		"storePathCommitLog=/a,/b":             {"storePathCommitLog": "/a,/b"},
		"readOnlyCommitLogStorePaths=/r":       {"readOnlyCommitLogStorePaths": "/r"},
		"transientStorePoolEnable=true":        {"transientStorePoolEnable": "true"},
		"enableConsumeQueueExt=true":           {"enableConsumeQueueExt": "true"},
		"duplicationEnable=true":               {"duplicationEnable": "true"},
		"enableLmq=true":                       {"enableLmq": "true"},
		"enableMultiDispatch=true":             {"enableMultiDispatch": "true"},
		"enableScheduleAsyncDeliver=true":      {"enableScheduleAsyncDeliver": "true"},
		"fetchNamesrvAddrByAddressServer=true": {"fetchNamesrvAddrByAddressServer": "true"},
		"useTLS=true":                          {"useTLS": "true"},
		"haTransferBatchSize=4194293":          {"haTransferBatchSize": "4194293"},
	}
	require.Len(t, cases, len(brokerUnsupported), "one case per row")
	for want, kv := range cases {
		t.Run(want, func(t *testing.T) {
			b, _, err := LoadBroker("", kv)
			require.NoError(t, err)
			err = b.CheckSupported()
			require.ErrorIs(t, err, ErrUnsupported)
			require.Contains(t, err.Error(), want+" is not supported yet by rocketd: ")
		})
	}
}

// TestHaTransferBatchSizeBounds: a slave's 4 MiB read buffer holds a frame of at most 4 MiB - 12 body bytes
// (store/ha checks its constant against this one); anything above, and anything <= 0, is refused.
func TestHaTransferBatchSizeBounds(t *testing.T) {
	for v, ok := range map[string]bool{"1": true, "32768": true, "4194292": true, "4194293": false, "8388608": false,
		"0": false, "-1": false} {
		b, _, err := LoadBroker("", map[string]string{"haTransferBatchSize": v, "brokerRole": "SYNC_MASTER"})
		require.NoError(t, err)
		err = b.CheckSupported()
		if ok {
			require.NoError(t, err, v)
			continue
		}
		require.ErrorIs(t, err, ErrUnsupported, v)
		require.ErrorContains(t, err, "haTransferBatchSize="+v+" is not supported yet by rocketd: ")
		require.ErrorContains(t, err, "set it between 1 and 4194292")
	}
}

func TestBrokerNamesEveryUnsupportedSetting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "broker.conf")
	require.NoError(t, os.WriteFile(path, []byte("enableDLegerCommitLog=true\nenableLmq=true\n"), 0o644))
	b, _, err := LoadBroker(path, nil)
	require.NoError(t, err)
	err = b.CheckSupported()
	require.ErrorContains(t, err, "enableDLegerCommitLog=true")
	require.ErrorContains(t, err, "enableLmq=true")
}

func TestBrokerAcceptsTuningAndInactiveSettings(t *testing.T) {
	b, _, err := LoadBroker("", map[string]string{
		"sendMessageThreadPoolNums":          "64",
		"pullMessageThreadPoolNums":          "64",
		"serverSocketSndBufSize":             "131072",
		"serverPooledByteBufAllocatorEnable": "false",
		"useEpollNativeSelector":             "true",
		"enableCalcFilterBitMap":             "true",
		"aclEnable":                          "true",
		"storePathCommitLog":                 "/one/dir",
		// Java ignores the pool under SYNC_FLUSH.
		"transientStorePoolEnable": "true",
		"flushDiskType":            "SYNC_FLUSH",
	})
	require.NoError(t, err)
	require.NoError(t, b.CheckSupported())
	require.NoError(t, DefaultBroker().CheckSupported(), "the defaults are supported")
}

func TestNamesrvRefusesUnsupportedSettings(t *testing.T) {
	n, _, err := LoadNamesrv("", map[string]string{"clusterTest": "true"})
	require.NoError(t, err)
	err = n.CheckSupported()
	require.True(t, errors.Is(err, ErrUnsupported))
	require.ErrorContains(t, err, "clusterTest=true is not supported yet by rocketd")
	require.NoError(t, DefaultNamesrv().CheckSupported())
}
