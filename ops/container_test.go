package ops

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
)

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", name))
	require.NoError(t, err)
	return string(b)
}

// What can be checked of the image without a docker engine (make docker-check builds it where one runs):
// the Go release of the build stage, a static trimmed build, a non-root user, the volumes and ports, and the
// config files it ships load without a warning.
func TestDockerfile(t *testing.T) {
	df := readRepoFile(t, "Dockerfile")
	gomod := readRepoFile(t, "go.mod")

	goLine := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)`).FindStringSubmatch(gomod)
	require.NotNil(t, goLine)
	from := regexp.MustCompile(`(?m)^FROM golang:(\d+)\.(\d+)\S* AS build$`).FindStringSubmatch(df)
	require.NotNil(t, from, "build stage FROM golang:<major.minor>")
	need := [2]int{atoi(t, goLine[1]), atoi(t, goLine[2])}
	have := [2]int{atoi(t, from[1]), atoi(t, from[2])}
	require.False(t, have[0] < need[0] || (have[0] == need[0] && have[1] < need[1]), "golang:%v is older than go.mod's go %v", have, need)

	require.Contains(t, df, "CGO_ENABLED=0 go build -trimpath")
	require.Regexp(t, `(?m)^FROM scratch$`, df)
	user := regexp.MustCompile(`(?m)^USER (\S+)$`).FindStringSubmatch(df)
	require.NotNil(t, user)
	require.NotContains(t, []string{"root", "0", "0:0"}, user[1])
	require.Regexp(t, `(?m)^EXPOSE 9876 10909 10911 10912$`, df)
	vol := regexp.MustCompile(`(?m)^VOLUME \[(.*)\]$`).FindStringSubmatch(df)
	require.NotNil(t, vol)
	for _, v := range []string{`"/home/rocketmq/store"`, `"/home/rocketmq/conf"`, `"/home/rocketmq/namesrv"`} {
		require.Contains(t, vol[1], v)
	}

	b, warnings, err := conf.LoadBroker(filepath.Join("..", "conf", "docker", "broker.conf"), nil)
	require.NoError(t, err)
	require.Empty(t, warnings)
	require.Equal(t, "/home/rocketmq/store", b.Store.StorePathRootDir, "the store is the store volume")
	n, warnings, err := conf.LoadNamesrv(filepath.Join("..", "conf", "docker", "namesrv.properties"), nil)
	require.NoError(t, err)
	require.Empty(t, warnings)
	require.True(t, strings.HasPrefix(n.Namesrv.KvConfigPath, "/home/rocketmq/namesrv/"), "kvConfig is on the namesrv volume")

	compose := readRepoFile(t, "compose.yaml")
	for _, want := range []string{"\n  namesrv:\n", "\n  broker:\n", `"-n", "namesrv:9876"`, `"9876:9876"`, `"10911:10911"`,
		"broker-store:/home/rocketmq/store", "--metrics-addr"} {
		require.Contains(t, compose, want)
	}
	require.Contains(t, readRepoFile(t, ".dockerignore"), "build/")
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
