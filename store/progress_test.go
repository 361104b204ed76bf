package store

import (
	"bytes"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A recovery that walks several CommitLog files logs progress lines (files and bytes done out of the total,
// rate, estimate) and a closing line; here every record check may print one (RecoveryProgressEvery 1 ns).
func TestRecoveryProgressLines(t *testing.T) {
	cfg := testConfig(t.TempDir())
	s := openStarted(t, cfg)
	body := strings.Repeat("p", 900)
	for i := 0; i < 80; i++ { // ~80 KB: five 16 KB files
		put(t, s, newMsg("ProgressTopic", 0, body+strconv.Itoa(i), nil))
	}
	waitDispatched(t, s)
	crash(s) // abnormal recovery walks every file from the checkpoint

	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	s2, err := Open(cfg, Options{Logger: log, RecoveryProgressEvery: time.Nanosecond})
	require.NoError(t, err)
	require.NoError(t, s2.Start())
	require.NoError(t, s2.Shutdown())

	re := regexp.MustCompile(`msg="recovery progress" .*what=commitlog files=(\d+) filesTotal=(\d+) bytes=(\d+) bytesTotal=(\d+) rateMBps=\S+ elapsed=\S+ eta=\S+`)
	var lines [][]string
	for _, l := range strings.Split(buf.String(), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			lines = append(lines, m)
		}
	}
	require.GreaterOrEqual(t, len(lines), 4, buf.String())
	last := lines[len(lines)-1]
	total, _ := strconv.Atoi(last[2])
	require.GreaterOrEqual(t, total, 5)
	done, _ := strconv.Atoi(last[1])
	require.Equal(t, total-1, done, "every file but the one being written is finished")
	prevBytes := -1
	for _, m := range lines {
		b, _ := strconv.Atoi(m[3])
		require.GreaterOrEqual(t, b, prevBytes, "bytes done never go back")
		prevBytes = b
		bt, _ := strconv.Atoi(m[4])
		require.Equal(t, total*cfg.MappedFileSizeCommitLog, bt)
	}
	require.Regexp(t, `msg="commitlog recovered" .*files=\d+ bytes=\d+ elapsed=`, buf.String())
}
