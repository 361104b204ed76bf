package store

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rocketd/rocketd/store/mmapfile"

	"github.com/stretchr/testify/require"
)

func TestVerifyDir(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(root)
	s := openStarted(t, cfg)
	for i := 0; i < 50; i++ {
		put(t, s, newMsg("T", int32(i%4), strconv.Itoa(i)+string(make([]byte, 600)), map[string]string{"KEYS": "k" + strconv.Itoa(i)}))
	}
	require.NoError(t, s.Shutdown())
	r, err := VerifyDir(cfg)
	require.NoError(t, err)
	require.Equal(t, []string(nil), r.Problems)
	require.Equal(t, int64(50), r.Records)
	require.Equal(t, int64(50), r.Units)
	require.Equal(t, 4, r.Queues)
	require.Equal(t, int64(50), r.IndexEntries) // one KEYS entry per record
	require.False(t, r.AbortPresent)
	require.True(t, r.CommitLogFiles >= 2)

	// A CQ unit pointing at the wrong place is reported.
	cqFile := filepath.Join(root, "consumequeue", "T", "1", mmapfile.FileName(0))
	b, err := os.ReadFile(cqFile)
	require.NoError(t, err)
	b[7]++ // phy offset of unit 0 + 1
	require.NoError(t, os.WriteFile(cqFile, b, 0o644))
	r, err = VerifyDir(cfg)
	require.NoError(t, err)
	require.Len(t, r.Problems, 1)
	require.Contains(t, r.Problems[0], "unit 0")
}
