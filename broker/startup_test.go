package broker

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting/code"
)

// Without ROCKETMQ_HOME, GET_BROKER_CONFIG (mqadmin getBrokerConfig) reports the installation directory (bin/..
// of the executable, what Java's mqbroker script exports), not an empty rocketmqHome.
func TestRocketmqHomeDefaultsToInstallDir(t *testing.T) {
	t.Setenv("ROCKETMQ_HOME", "")
	tb := startTestBroker(t)
	resp := tb.call(t, code.GetBrokerConfig, nil, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	exe, err := os.Executable()
	require.NoError(t, err)
	exe, err = filepath.EvalSymlinks(exe)
	require.NoError(t, err)
	require.Contains(t, string(resp.Body), "rocketmqHome="+filepath.Dir(filepath.Dir(exe))+"\n")
}

// enableScheduleAsyncDeliver (Java's pipelined delayed delivery) is not implemented: the broker refuses to start
// with it, naming the key and what to do, instead of ignoring it.
func TestScheduleAsyncDeliverRefused(t *testing.T) {
	cfg := conf.DefaultBroker()
	cfg.Store.StorePathRootDir = filepath.Join(t.TempDir(), "store")
	cfg.Store.EnableScheduleAsyncDeliver = true
	_, err := New(cfg, slog.New(slog.DiscardHandler), Options{ListenAddr: "127.0.0.1:0"})
	require.ErrorContains(t, err, "enableScheduleAsyncDeliver=true is not supported")
	require.ErrorContains(t, err, "set it to false in broker.conf")
}
