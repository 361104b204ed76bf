package ops

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestMonitorEndpoints(t *testing.T) {
	m := NewMonitor()
	require.NoError(t, m.Start("127.0.0.1:0", slog.New(slog.DiscardHandler)))
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	base := "http://" + m.Addr()

	code, body := get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok\n", body)

	code, body = get(t, base+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code, "not ready until the server says so")
	require.Contains(t, body, "starting")
	m.SetReady(func() error { return errors.New("store recovering") })
	_, body = get(t, base+"/readyz")
	require.Contains(t, body, "store recovering")
	m.SetReady(func() error { return nil })
	code, _ = get(t, base+"/readyz")
	require.Equal(t, http.StatusOK, code)

	code, body = get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, code)
	for _, name := range []string{"go_gc_duration_seconds", "go_goroutines", "rocketd_build_info{"} {
		require.Contains(t, body, name)
	}
	if runtime.GOOS == "linux" {
		require.Contains(t, body, "process_resident_memory_bytes")
	}
	require.Contains(t, body, `goversion="`+runtime.Version()+`"`)

	code, body = get(t, base+"/debug/pprof/")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "goroutine")
	code, _ = get(t, base+"/debug/pprof/cmdline")
	require.Equal(t, http.StatusOK, code)

	// A nil monitor (metrics off) accepts every call.
	var off *Monitor
	off.SetReady(nil)
	require.NoError(t, off.Register())
	require.NoError(t, off.Close())
}

func TestMonitorBusyAddress(t *testing.T) {
	m := NewMonitor()
	require.NoError(t, m.Start("127.0.0.1:0", slog.New(slog.DiscardHandler)))
	defer m.Close()
	err := NewMonitor().Start(m.Addr(), slog.New(slog.DiscardHandler))
	require.ErrorContains(t, err, "metricsListenAddr")
}

func TestBuildVersion(t *testing.T) {
	b := BuildVersion()
	require.Equal(t, runtime.Version(), b.GoVersion)
	require.NotEmpty(t, b.Version)
	require.NotEmpty(t, b.Commit)
	s := b.String()
	require.True(t, strings.HasPrefix(s, b.Version+" (commit "+b.Commit+", "+runtime.Version()), s)

	old, oldc := version, commit
	t.Cleanup(func() { version, commit = old, oldc })
	version, commit = "v1.2.3", "abc1234"
	require.Equal(t, "v1.2.3 (commit abc1234, "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+", RocketMQ 4.9.8 protocol)", BuildVersion().String())
}
