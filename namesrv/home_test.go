package namesrv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting/code"
)

// Without ROCKETMQ_HOME, GET_NAMESRV_CONFIG reports the installation directory (bin/.. of the executable, what
// Java's start script exports), not an empty rocketmqHome.
func TestRocketmqHomeDefaultsToInstallDir(t *testing.T) {
	t.Setenv("ROCKETMQ_HOME", "")
	s := startServer(t, nil)
	resp := invoke(t, newClient(t), s.Addr(), code.GetNamesrvConfig, nil, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	exe, err := os.Executable()
	require.NoError(t, err)
	exe, err = filepath.EvalSymlinks(exe)
	require.NoError(t, err)
	require.Contains(t, string(resp.Body), "rocketmqHome="+filepath.Dir(filepath.Dir(exe))+"\n")
}
