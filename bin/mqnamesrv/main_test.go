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
	err = app.Run(append([]string{"mqnamesrv"}, args...))
	return out.String(), errOut.String(), err
}

func TestPrintAllConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "namesrv.properties")
	require.NoError(t, os.WriteFile(path, []byte("listenPort=19876\nbrokerName=x\n"), 0o644))

	out, errOut, err := runApp(t, "-c", path, "-p")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 7+14, "NamesrvConfig then NettyServerConfig")
	require.Equal(t, "productEnvName=center", lines[3])
	require.Contains(t, lines, "listenPort=19876")
	require.Contains(t, lines, "configStorePath="+path, "the -c file becomes configStorePath")
	require.Contains(t, errOut, "brokerName", "a broker key in a namesrv file is reported")
}

func TestPrintAllDefaults(t *testing.T) {
	out, _, err := runApp(t, "--printConfigItem")
	require.NoError(t, err)
	require.Contains(t, strings.Split(out, "\n"), "listenPort=9876")
}

// Java 4.9.8's mqnamesrv has no -m (checked on the reference: NamesrvStartup -m prints its usage and exits 1;
// no NamesrvConfig or NettyServerConfig field carries @ImportantField), so neither has rocketd's.
func TestImportantConfigFlagIsRefusedAsJava(t *testing.T) {
	out, _, err := runApp(t, "-m")
	require.Error(t, err)
	require.Contains(t, out, "mqnamesrv [-c file] [-p]", "the usage is printed")
}

func TestHiddenNamesrvAddrFlagIsAccepted(t *testing.T) {
	out, errOut, err := runApp(t, "-n", "127.0.0.1:9876", "-p")
	require.NoError(t, err)
	require.NotEmpty(t, out)
	require.Contains(t, errOut, "no effect")
}

func TestUnsupportedSettingRefusesStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "namesrv.properties")
	require.NoError(t, os.WriteFile(path, []byte("listenPort=0\nclusterTest=true\n"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // without the refusal the server would start and stop at once
	app := newApp()
	var out, errOut bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errOut
	err := app.RunContext(ctx, []string{"mqnamesrv", "-c", path})
	require.ErrorContains(t, err, "clusterTest=true is not supported yet by rocketd")
}
