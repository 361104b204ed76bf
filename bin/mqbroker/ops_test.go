package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/ops/opstest"
)

func TestVersionFlag(t *testing.T) {
	out, _, err := runApp(t, "--version")
	require.NoError(t, err)
	require.Regexp(t, `^mqbroker \S+ \(commit \S+, `+regexp.QuoteMeta(runtime.Version())+` `, out)
}

// freePorts finds a port p on 127.0.0.1 with p-2 free too (the broker's VIP channel).
func freePorts(t *testing.T) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		p := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if p < 1026 {
			continue
		}
		vip, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p-2))
		if err != nil {
			continue
		}
		_ = vip.Close()
		return p
	}
	t.Fatal("no free port pair")
	return 0
}

// A full mqbroker run as an operator starts it: keys from broker.conf (log level, log file, bind address),
// --metrics-addr beating the file's metricsListenAddr, Java's boot line on stdout, /readyz turning ready once
// registered with the name server, one component key per log line (broker, store, schedule, transaction...).
func TestRunWithLogFileAndMonitoring(t *testing.T) {
	ns, err := namesrv.New(nil, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NoError(t, ns.Start("127.0.0.1:0"))
	defer ns.Close()

	dir := t.TempDir()
	port := freePorts(t)
	logFile := filepath.Join(dir, "logs", "broker.log")
	cfg := filepath.Join(dir, "broker.conf")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("brokerName=broker-ops\nbrokerIP1=127.0.0.1\nlistenPort=%d\n"+
		"bindAddress=127.0.0.1\nstorePathRootDir=%s\nmappedFileSizeCommitLog=1048576\nlogLevel=debug\nlogFile=%s\n"+
		"metricsListenAddr=256.0.0.1:1\n", port, filepath.Join(dir, "store"), logFile)), 0o644))

	app := newApp()
	var stdout, stderr opstest.Buffer
	app.Writer, app.ErrWriter = &stdout, &stderr
	stop := opstest.Run(t, 30*time.Second, func(ctx context.Context) error {
		return app.RunContext(ctx, []string{"mqbroker", "-c", cfg, "-n", ns.Addr(), "--metrics-addr", "127.0.0.1:0"})
	})

	boot := fmt.Sprintf("The broker[broker-ops, 127.0.0.1:%d] boot success. serializeType=JSON and name server is %s\n", port, ns.Addr())
	opstest.WaitFor(t, 30*time.Second, stdout.String, regexp.MustCompile(regexp.QuoteMeta(boot)))
	monitor := opstest.WaitFor(t, 5*time.Second, opstest.File(logFile), regexp.MustCompile(`monitoring listener started.* addr=(\S+)`))
	base := "http://" + monitor
	code, _ := opstest.Get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { c, _ := opstest.Get(t, base+"/readyz"); return c == http.StatusOK }, 20*time.Second, 50*time.Millisecond)
	fams := opstest.Scrape(t, base+"/metrics")
	_, ok := opstest.Value(fams, "rocketmq_broker_tps", map[string]string{"broker": "broker-ops", "brokerIP": fmt.Sprintf("127.0.0.1:%d", port)})
	require.True(t, ok, opstest.Describe(fams, "rocketmq_broker_tps"))
	code, _ = opstest.Get(t, base+"/debug/pprof/cmdline")
	require.Equal(t, http.StatusOK, code)

	// bindAddress=127.0.0.1: the listeners are on loopback only.
	listen := opstest.WaitFor(t, 5*time.Second, opstest.File(logFile), regexp.MustCompile(`boot success.* listen=(\S+)`))
	require.Equal(t, fmt.Sprintf("127.0.0.1:%d", port), listen)

	stop()
	logs := opstest.File(logFile)()
	require.Contains(t, logs, "level=DEBUG", "logLevel=debug from broker.conf")
	require.Contains(t, logs, "component=store")
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		require.LessOrEqual(t, strings.Count(l, " component="), 1, l)
	}
	require.Empty(t, stderr.String(), "everything goes to the log file")
}
