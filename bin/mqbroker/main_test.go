package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func runApp(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	app := newApp()
	var out, errOut bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errOut
	err = app.Run(append([]string{"mqbroker"}, args...))
	return out.String(), errOut.String(), err
}

func TestPrintAllConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "broker.conf")
	require.NoError(t, os.WriteFile(path, []byte("brokerName=broker-z\nlistenPort=30911\nnoSuchKey=1\n"), 0o644))

	out, errOut, err := runApp(t, "-c", path, "-n", "10.0.0.9:9876", "-p")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 187+6, "all keys of the four broker config objects, and the six 5.x timer keys")
	require.Contains(t, lines, "brokerName=broker-z")
	require.Contains(t, lines, "namesrvAddr=10.0.0.9:9876", "-n overrides")
	require.Contains(t, lines, "listenPort=30911")
	require.Contains(t, lines, "haListenPort=30912")
	require.Contains(t, lines, "defaultTopicQueueNums=8")
	require.Contains(t, errOut, "noSuchKey", "unknown keys are logged")
}

func TestPrintImportantConfig(t *testing.T) {
	out, _, err := runApp(t, "--printImportantConfig", "--namesrvAddr", "127.0.0.1:9876")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 35)
	require.Equal(t, "namesrvAddr=127.0.0.1:9876", lines[0])
	require.NotContains(t, out, "defaultTopicQueueNums")
}

func TestBadConfigFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broker.conf")
	require.NoError(t, os.WriteFile(path, []byte("listenPort=many\n"), 0o644))
	out, _, err := runApp(t, "-c", path, "-p")
	require.ErrorContains(t, err, "listenPort")
	require.Empty(t, out)

	_, _, err = runApp(t, "-n", "no-port", "-p")
	require.ErrorContains(t, err, "no-port")
}

func TestUnsupportedSettingRefusesStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "broker.conf")
	require.NoError(t, os.WriteFile(path, []byte("listenPort=0\nstorePathRootDir="+dir+"\nenableDLegerCommitLog=true\n"), 0o644))
	// If the refusal were missing the broker would start: the cancelled
	// context makes it stop at once, and the assertions below fail.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	app := newApp()
	var out, errOut bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errOut
	err := app.RunContext(ctx, []string{"mqbroker", "-c", path, "-n", "127.0.0.1:1"})
	require.ErrorContains(t, err, "enableDLegerCommitLog=true is not supported yet by rocketd")
	_, statErr := os.Stat(filepath.Join(dir, "commitlog"))
	require.True(t, os.IsNotExist(statErr), "nothing was created on disk")

	out.Reset()
	err = app.RunContext(ctx, []string{"mqbroker", "-c", path, "-p"})
	require.NoError(t, err, "-p still prints the configuration")
	require.Contains(t, out.String(), "enableDLegerCommitLog=true")
}
