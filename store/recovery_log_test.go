package store

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/store/mmapfile"
)

// warnRecorder is a slog handler that keeps the messages of WARN and ERROR records.
type warnRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnRecorder) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		w.mu.Lock()
		w.msgs = append(w.msgs, r.Message)
		w.mu.Unlock()
	}
	return nil
}
func (w *warnRecorder) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnRecorder) WithGroup(string) slog.Handler      { return w }

func (w *warnRecorder) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.msgs...)
}

// Reaching the end of the written data is how every recovery ends: it is not a warning. A garbage tail is.
func TestRecoveryEndOfDataIsNotAWarning(t *testing.T) {
	cfg := testConfig(t.TempDir())
	s := openStarted(t, cfg)
	for i := 0; i < 20; i++ {
		put(t, s, newMsg("T", 0, "hello", nil))
	}
	waitDispatched(t, s)
	require.NoError(t, s.Shutdown())

	for _, abnormal := range []bool{false, true} {
		if abnormal {
			require.NoError(t, os.WriteFile(filepath.Join(cfg.StorePathRootDir, "abort"), nil, 0o644))
		}
		rec := &warnRecorder{}
		s, err := Open(cfg, Options{Logger: slog.New(rec)})
		require.NoError(t, err)
		require.NoError(t, s.Start())
		require.NoError(t, s.Shutdown())
		for _, m := range rec.list() {
			require.NotContains(t, m, "invalid record", "abnormal=%v: the normal end of data was logged as a warning", abnormal)
		}
	}

	// Garbage after the last record is still reported.
	seg := filepath.Join(cfg.StorePathRootDir, "commitlog", mmapfile.FileName(0))
	v, err := VerifyDir(cfg)
	require.NoError(t, err)
	f, err := os.OpenFile(seg, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte{0, 0, 0, 50, 1, 2, 3, 4}, v.MaxPhyOffset)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	rec := &warnRecorder{}
	s, err = Open(cfg, Options{Logger: slog.New(rec)})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	require.NoError(t, s.Shutdown())
	require.Contains(t, rec.list(), "commitlog recovery stops at an invalid record")
}
