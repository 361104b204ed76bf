package namesrv

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"

	"github.com/rocketd/rocketd/remoting/code"
)

// TestJavaFixtureReplay replays, on one connection, the requests a Java 4.9.8 NameServer answered in
// testdata/java (see its README for the scenario) and compares our response frames with Java's byte for byte.
// Exceptions: 24 (GET_NAMESRV_CONFIG: Java writes a Hashtable in hash order and its own paths, so the lines are
// compared as a set with the path-dependent values replaced) and 25 (an unknown code: Java stays silent, we
// answer REQUEST_CODE_NOT_SUPPORTED).
func TestJavaFixtureReplay(t *testing.T) {
	dir := filepath.Join("testdata", "java")
	reqs, err := filepath.Glob(filepath.Join(dir, "*.request.bin"))
	require.NoError(t, err)
	if len(reqs) == 0 {
		t.Skip("no Java fixtures in testdata/java")
	}
	sort.Strings(reqs)
	s := startServer(t, func(cfg *conf.Namesrv, _ *Server) { cfg.Namesrv.RocketmqHome = t.TempDir() })
	rc := dialRaw(t, s.Addr())
	for _, reqPath := range reqs {
		name := strings.TrimSuffix(filepath.Base(reqPath), ".request.bin")
		t.Run(name, func(t *testing.T) {
			frame, err := os.ReadFile(reqPath)
			require.NoError(t, err)
			got := rc.roundTrip(t, frame)
			want, err := os.ReadFile(filepath.Join(dir, name+".response.bin"))
			switch {
			case os.IsNotExist(err):
				resp := decodeFrame(t, got)
				require.Equal(t, code.RequestCodeNotSupported, resp.Code, "Java stays silent here; we answer 3")
			case strings.Contains(name, "namesrv_config"):
				require.NoError(t, err)
				compareConfigLines(t, s, decodeFrame(t, want).Body, decodeFrame(t, got).Body)
			default:
				require.NoError(t, err)
				w, g := decodeFrame(t, want), decodeFrame(t, got)
				require.Equal(t, w.Code, g.Code)
				require.Equal(t, w.Remark, g.Remark)
				require.Equal(t, w.ExtFields, g.ExtFields)
				require.Equal(t, string(w.Body), string(g.Body))
				require.Equal(t, want, got, "whole frame")
			}
		})
	}
}

func compareConfigLines(t *testing.T, s *Server, want, got []byte) {
	t.Helper()
	norm := func(b []byte) []string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			k, _, _ := strings.Cut(l, "=")
			switch k {
			case "kvConfigPath", "configStorePath", "rocketmqHome", "listenPort":
				l = k + "=<local>"
			}
			out = append(out, l)
		}
		sort.Strings(out)
		return out
	}
	require.Equal(t, norm(want), norm(got))
}
