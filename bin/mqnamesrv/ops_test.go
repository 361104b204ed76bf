package main

import (
	"context"
	"debug/elf"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/ops/opstest"
)

func TestVersionFlag(t *testing.T) {
	out, _, err := runApp(t, "--version")
	require.NoError(t, err)
	require.Regexp(t, `^mqnamesrv \S+ \(commit \S+, `+regexp.QuoteMeta(runtime.Version())+` `, out)
}

// The Makefile stamps the version with -ldflags -X; a binary built that way prints it.
func TestVersionStampedAtBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "mqnamesrv")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "-ldflags",
		"-X github.com/rocketd/rocketd/ops.version=v9.8.7-test -X github.com/rocketd/rocketd/ops.commit=0123456789ab", ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	b, err := build.CombinedOutput()
	require.NoError(t, err, string(b))
	out, err := exec.Command(bin, "--version").CombinedOutput()
	require.NoError(t, err, string(out))
	require.Equal(t, "mqnamesrv v9.8.7-test (commit 0123456789ab, "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+
		", RocketMQ 4.9.8 protocol)\n", string(out))
	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		require.NoError(t, err)
		defer f.Close()
		for _, p := range f.Progs {
			require.NotEqual(t, elf.PT_INTERP, p.Type, "CGO_ENABLED=0 gives a static binary (no dynamic loader)")
		}
	}
}

// make release builds every platform with CGO_ENABLED=0, -trimpath and the version stamped (dry run: the
// commands make would run).
func TestReleaseTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	out, err := exec.Command("make", "-C", "../..", "-n", "release", "VERSION=v0.0.0-dry", "COMMIT=c0ffee").CombinedOutput()
	require.NoError(t, err, string(out))
	script := string(out)
	for _, p := range []string{"linux/amd64", "linux/arm64", "darwin/arm64", "darwin/amd64"} {
		require.Contains(t, script, p)
	}
	require.Contains(t, script, "CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags '-s -w -X github.com/rocketd/rocketd/ops.version=v0.0.0-dry -X github.com/rocketd/rocketd/ops.commit=c0ffee'")
	require.Contains(t, script, "sha256sum")
}

// A full run: keys from the file (debug level, log file, bind address), the flag beating the
// metricsListenAddr key, the boot line on stdout, the monitoring endpoints, one component key per line.
func TestRunWithLogFileAndMonitoring(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "logs", "namesrv.log")
	cfg := filepath.Join(dir, "namesrv.properties")
	require.NoError(t, os.WriteFile(cfg, []byte("listenPort=0\nbindAddress=127.0.0.1\nlogLevel=debug\n"+
		"logFile="+logFile+"\nmetricsListenAddr=256.0.0.1:1\nkvConfigPath="+filepath.Join(dir, "kv.json")+"\n"), 0o644))

	app := newApp()
	var stdout, stderr opstest.Buffer
	app.Writer, app.ErrWriter = &stdout, &stderr
	opstest.Run(t, 20*time.Second, func(ctx context.Context) error {
		return app.RunContext(ctx, []string{"mqnamesrv", "-c", cfg, "--metrics-addr", "127.0.0.1:0"})
	})

	opstest.WaitFor(t, 20*time.Second, stdout.String, regexp.MustCompile(`The Name Server boot success\. serializeType=JSON\n`))
	monitor := opstest.WaitFor(t, 5*time.Second, opstest.File(logFile), regexp.MustCompile(`monitoring listener started.* addr=(\S+)`))
	listen := opstest.WaitFor(t, 5*time.Second, opstest.File(logFile), regexp.MustCompile(`boot success.* addr=(\S+)`))
	require.True(t, strings.HasPrefix(listen, "127.0.0.1:"), "bindAddress: %s", listen)

	code, _ := opstest.Get(t, "http://"+monitor+"/healthz")
	require.Equal(t, http.StatusOK, code)
	code, _ = opstest.Get(t, "http://"+monitor+"/readyz")
	require.Equal(t, http.StatusOK, code)
	fams := opstest.Scrape(t, "http://"+monitor+"/metrics")
	for _, name := range []string{"rocketd_namesrv_live_brokers", "rocketd_namesrv_topics", "rocketd_connections", "go_gc_duration_seconds", "rocketd_build_info"} {
		require.Contains(t, fams, name)
	}

	logs := opstest.File(logFile)()
	require.Contains(t, logs, "level=DEBUG", "logLevel=debug from the file")
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		require.LessOrEqual(t, strings.Count(l, " component="), 1, l)
	}
	require.Empty(t, stderr.String(), "everything goes to the log file")
}

func TestBadLogLevelRefused(t *testing.T) {
	_, _, err := runApp(t, "--log-level", "loud")
	require.ErrorContains(t, err, "loud")
}
