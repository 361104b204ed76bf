package ops

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
)

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "DEBUG": slog.LevelDebug, "": slog.LevelInfo,
		"info": slog.LevelInfo, "warn": slog.LevelWarn, "warning": slog.LevelWarn, "error": slog.LevelError} {
		got, err := ParseLevel(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := ParseLevel("verbose")
	require.ErrorContains(t, err, "verbose")
	require.ErrorContains(t, err, "debug, info, warn, error")
}

// Loggers derived with a second component (broker -> store -> the consume queue's own With) print one
// component key, the innermost; a component on the line itself wins too.
func TestOneComponentPerLine(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(OneComponent(slog.NewTextHandler(&buf, nil)))
	brokerLog := log.With("component", "broker", "name", "b1")
	storeLog := brokerLog.With("component", "store")
	storeLog.With("component", "store", "topic", "T").Info("queue loaded", "queueId", 3)
	brokerLog.Info("started")
	brokerLog.Warn("pprof", "component", "monitor")
	log.Info("plain", "component", "namesrv")
	brokerLog.WithGroup("g").With("component", "x").Info("grouped")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 5)
	for _, l := range lines {
		require.Equal(t, 1, strings.Count(l, " component="), l)
	}
	require.Contains(t, lines[0], "component=store name=b1 topic=T queueId=3")
	require.Contains(t, lines[1], "component=broker name=b1")
	require.Contains(t, lines[2], "component=monitor name=b1")
	require.Contains(t, lines[3], "component=namesrv")
	require.Contains(t, lines[4], "component=broker name=b1 g.component=x")
}

func TestLoggerLevelAndRotatedFile(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	o := conf.DefaultOps()
	o.LogLevel = "debug"
	o.LogFile = filepath.Join(dir, "logs", "broker.log")
	o.LogFileMaxSize = 1
	o.LogFileMaxBackups = 2
	log, closer, err := NewLogger(&stderr, o)
	require.NoError(t, err)
	log.Debug("debug works")
	big := strings.Repeat("x", 1000)
	for i := 0; i < 3000; i++ { // ~3 MB: at least two rotations at 1 MB
		log.Info("filler", "i", i, "pad", big)
	}
	require.NoError(t, closer.Close())
	require.Empty(t, stderr.String(), "with a log file nothing goes to stderr")

	cur, err := os.ReadFile(o.LogFile)
	require.NoError(t, err)
	require.LessOrEqual(t, len(cur), 1<<20)
	entries, err := os.ReadDir(filepath.Dir(o.LogFile))
	require.NoError(t, err)
	var backups []string
	for _, e := range entries {
		if e.Name() != "broker.log" {
			backups = append(backups, e.Name())
		}
	}
	require.NotEmpty(t, backups, "rotated files")
	require.True(t, strings.HasPrefix(backups[0], "broker-") && strings.HasSuffix(backups[0], ".log"), backups[0])

	// Info level drops debug lines.
	stderr.Reset()
	o = conf.DefaultOps()
	log, _, err = NewLogger(&stderr, o)
	require.NoError(t, err)
	log.Debug("hidden")
	log.Info("shown")
	require.NotContains(t, stderr.String(), "hidden")
	require.Contains(t, stderr.String(), "shown")

	// A log file that cannot be created is refused with the key to fix.
	o.LogFile = filepath.Join(dir, "logs", "broker.log", "sub", "x.log")
	_, _, err = NewLogger(&stderr, o)
	require.ErrorContains(t, err, "logFile")
}
