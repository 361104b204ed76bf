package broker

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// A broker started before its name server listens (one script or compose file starting both) fails its first
// REGISTER_BROKER. Java 4.9.8 runs the periodic registration 10 s after start (then every 30 s), so the broker
// is in the routes about 10 s later; rocketd must not wait for a whole 30 s period.
func TestFirstRegistrationRetriedAfterInitialDelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // reserve a port for the name server, then free it
	require.NoError(t, err)
	nsAddr := ln.Addr().String()
	require.NoError(t, ln.Close())

	start := time.Now()
	tb := startTestBroker(t, func(c *conf.Broker) {
		c.Broker.NamesrvAddr = nsAddr
		c.Broker.BrokerClusterName = "RetryCluster"
	})
	require.Equal(t, int64(30_000), int64(tb.b.cfg.Broker.RegisterNameServerPeriod), "the default period (30 s) is kept")

	nc := conf.DefaultNamesrv()
	nc.Namesrv.KvConfigPath = filepath.Join(t.TempDir(), "kvConfig.json")
	ns, err := namesrv.New(nc, quietLog())
	require.NoError(t, err)
	require.NoError(t, ns.Start(nsAddr))
	t.Cleanup(func() { _ = ns.Close() })

	cl := &remoting.Client{Logger: quietLog()}
	t.Cleanup(func() { _ = cl.Close() })
	registered := func() bool {
		resp, err := cl.InvokeSync(context.Background(), nsAddr, remoting.NewRequest(code.GetBrokerClusterInfo, nil, nil), 5*time.Second)
		return err == nil && resp.Code == code.Success && strings.Contains(string(resp.Body), tb.addr)
	}
	require.False(t, registered(), "registered although the name server was down at start")
	// Java's bound is its 10 s initial delay; allow 8 s more for a loaded machine (the old 30 s period fails this).
	require.Eventually(t, registered, registerInitialDelay+8*time.Second-time.Since(start), 100*time.Millisecond,
		"broker not in GET_BROKER_CLUSTER_INFO within Java's bound (10 s initial delay + 8 s)")
	require.GreaterOrEqual(t, time.Since(start), registerInitialDelay-time.Second, "registered before the initial delay?")
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}
