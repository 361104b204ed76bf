package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeDisk is a settable disk gauge (fraction used).
type fakeDisk struct{ permille atomic.Int64 }

func (d *fakeDisk) set(r float64) { d.permille.Store(int64(r * 1000)) }
func (d *fakeDisk) usage(string) (float64, error) {
	return float64(d.permille.Load()) / 1000, nil
}

// retentionStore opens a store with tiny files, a fixed clock at 10:30 local time, a fake disk at 50 %,
// deleteWhen "04" (not now), no pauses, and fills one queue of TopicR with n messages (~6 CommitLog files
// and 5 ConsumeQueue files for n = 500).
func retentionStore(t *testing.T, n int, mod func(*MessageStoreConfig)) (*DefaultMessageStore, *fakeDisk, time.Time) {
	t.Helper()
	now := time.Date(2026, 11, 21, 10, 30, 0, 0, time.Local)
	disk := &fakeDisk{}
	disk.set(0.5)
	cfg := testConfig(t.TempDir())
	cfg.DeleteCommitLogFilesInterval = 0
	cfg.DeleteConsumeQueueFilesInterval = 0
	cfg.MaxIndexNum = 100
	if mod != nil {
		mod(&cfg)
	}
	s, err := Open(cfg, Options{Now: func() time.Time { return now }, DiskUsage: disk.usage, CleanFirstDelay: time.Hour})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	t.Cleanup(func() { _ = s.Shutdown() })
	body := strings.Repeat("r", 100)
	for i := 0; i < n; i++ {
		put(t, s, newMsg("TopicR", 0, body, map[string]string{"KEYS": fmt.Sprintf("key-%d", i)}))
	}
	waitDispatched(t, s)
	return s, disk, now
}

// age sets the mtime of the first k CommitLog files to `ago` before now.
func age(t *testing.T, s *DefaultMessageStore, k int, now time.Time, ago time.Duration) {
	t.Helper()
	files := s.cl.Queue().Files()
	require.True(t, len(files) > k, "need more than %d files, have %d", k, len(files))
	for _, f := range files[:k] {
		require.NoError(t, os.Chtimes(f.Path(), now.Add(-ago), now.Add(-ago)))
	}
}

func TestIsItTimeToDo(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 1, 1, h, 59, 0, 0, time.Local) }
	require.True(t, isItTimeToDo("04", at(4)))
	require.False(t, isItTimeToDo("04", at(5)))
	require.True(t, isItTimeToDo("03;15", at(15)))
	require.True(t, isItTimeToDo("x; 7", at(7)), "bad tokens are skipped, spaces trimmed")
	require.False(t, isItTimeToDo("", at(0)))
}

func TestRetentionWaitsForDeleteWhen(t *testing.T) {
	s, _, now := retentionStore(t, 500, nil)
	age(t, s, 3, now, 100*time.Hour)
	st, err := s.CleanOnce()
	require.NoError(t, err)
	require.Equal(t, 0, st.CommitLogFiles, "10:30 is not in deleteWhen 04 and the disk is fine")
	require.Equal(t, int64(0), s.GetMinPhyOffset())
}

func TestRetentionDeletesExpiredAtDeleteWhen(t *testing.T) {
	s, _, now := retentionStore(t, 500, func(c *MessageStoreConfig) { c.DeleteWhen = "02;10" })
	nFiles := s.cl.Queue().Len()
	require.True(t, nFiles >= 5, "files: %d", nFiles)
	maxBefore := s.GetMaxOffsetInQueue("TopicR", 0)
	idxBefore := len(s.idx.Files())
	age(t, s, 3, now, 73*time.Hour)
	// The 4th file is 71 h old: kept, and the pass stops there even though the 5th is old again.
	files := s.cl.Queue().Files()
	require.NoError(t, os.Chtimes(files[3].Path(), now.Add(-71*time.Hour), now.Add(-71*time.Hour)))
	require.NoError(t, os.Chtimes(files[4].Path(), now.Add(-99*time.Hour), now.Add(-99*time.Hour)))

	st, err := s.CleanOnce()
	require.NoError(t, err)
	require.True(t, st.TimeUp)
	require.Equal(t, 3, st.CommitLogFiles)
	minPhy := int64(3 * s.cfg.MappedFileSizeCommitLog)
	require.Equal(t, minPhy, s.GetMinPhyOffset())
	for _, f := range files[:3] {
		_, err := os.Stat(f.Path())
		require.True(t, os.IsNotExist(err), "%s still on disk", f.Path())
	}
	require.True(t, st.ConsumeQueueFiles > 0, "consume queue files below the new min offset go too")
	require.True(t, st.IndexFiles > 0 && len(s.idx.Files()) == idxBefore-st.IndexFiles)

	// The queue's min offset is the first unit that points at live data; the max is unchanged.
	minQ := s.GetMinOffsetInQueue("TopicR", 0)
	require.True(t, minQ > 0)
	require.Equal(t, maxBefore, s.GetMaxOffsetInQueue("TopicR", 0))
	require.True(t, s.GetCommitLogOffsetInQueue("TopicR", 0, minQ) >= minPhy)
	g := s.GetMessage("g", "TopicR", 0, 0, 1, nil)
	require.Equal(t, OffsetTooSmall, g.Status)
	require.Equal(t, minQ, g.NextBeginOffset)
	g = s.GetMessage("g", "TopicR", 0, minQ, 1, nil)
	require.Equal(t, Found, g.Status)
	g.Release()
	_, err = s.LookMessageByOffset(0)
	require.Error(t, err)

	// Writes keep working and the store reopens consistently (Java-compatible CQ file names after deletion).
	put(t, s, newMsg("TopicR", 0, "after", nil))
	waitDispatched(t, s)
	root := s.cfg
	require.NoError(t, s.Shutdown())
	rep, err := VerifyDir(root)
	require.NoError(t, err)
	require.Equal(t, []string(nil), rep.Problems)
	s2 := openStarted(t, root)
	defer s2.Shutdown()
	require.Equal(t, minPhy, s2.GetMinPhyOffset())
	require.Equal(t, minQ, s2.GetMinOffsetInQueue("TopicR", 0))
	require.Equal(t, maxBefore+1, s2.GetMaxOffsetInQueue("TopicR", 0))
}

func TestRetentionSpaceFullIgnoresDeleteWhen(t *testing.T) {
	s, disk, now := retentionStore(t, 500, nil)
	age(t, s, 2, now, 80*time.Hour)
	disk.set(0.80) // above diskMaxUsedSpaceRatio 75, below the forcible 85
	st, err := s.CleanOnce()
	require.NoError(t, err)
	require.True(t, st.SpaceFull && !st.Forced && !st.TimeUp)
	require.Equal(t, 2, st.CommitLogFiles, "only expired files go")
	require.False(t, s.IsDiskFull())
}

func TestRetentionForcedDeletesYoungFiles(t *testing.T) {
	s, disk, _ := retentionStore(t, 500, nil)
	n := s.cl.Queue().Len()
	disk.set(0.87)
	st, err := s.CleanOnce()
	require.NoError(t, err)
	require.True(t, st.Forced)
	require.Equal(t, n-1, st.CommitLogFiles, "everything but the last file, regardless of age")
	require.Equal(t, 1, s.cl.Queue().Len())
	require.Equal(t, s.GetMaxOffsetInQueue("TopicR", 0)-s.GetMinOffsetInQueue("TopicR", 0),
		int64(countLast(t, s)), "the queue now starts at the first message of the last file")
}

// countLast counts the records in the last CommitLog file.
func countLast(t *testing.T, s *DefaultMessageStore) int {
	t.Helper()
	f := s.cl.Queue().Last()
	b := f.Data()[:f.WrotePos()]
	n := 0
	for p := 0; p < len(b); {
		rec := decode(t, b[p:])
		p += int(rec.TotalSize)
		n++
	}
	return n
}

func TestRetentionForcedNeedsCleanFileForciblyEnable(t *testing.T) {
	s, disk, now := retentionStore(t, 500, func(c *MessageStoreConfig) { c.CleanFileForciblyEnable = false })
	age(t, s, 1, now, 73*time.Hour)
	disk.set(0.87)
	st, err := s.CleanOnce()
	require.NoError(t, err)
	require.False(t, st.Forced)
	require.Equal(t, 1, st.CommitLogFiles)
}

func TestRetentionAtMostTenFilesPerPass(t *testing.T) {
	s, _, now := retentionStore(t, 1200, func(c *MessageStoreConfig) { c.DeleteWhen = "10" })
	n := s.cl.Queue().Len()
	require.True(t, n >= 13, "files: %d", n)
	age(t, s, n-1, now, 100*time.Hour)
	st, err := s.CleanOnce()
	require.NoError(t, err)
	require.Equal(t, deleteFilesBatchMax, st.CommitLogFiles)
	st, err = s.CleanOnce()
	require.NoError(t, err)
	require.Equal(t, n-1-deleteFilesBatchMax, st.CommitLogFiles)
	require.Equal(t, 1, s.cl.Queue().Len(), "the last file always stays")
}

func TestRetentionManualDelete(t *testing.T) {
	s, _, now := retentionStore(t, 500, nil)
	age(t, s, 2, now, 100*time.Hour)
	s.ExecuteDeleteFilesManually()
	st, err := s.CleanOnce()
	require.NoError(t, err)
	require.True(t, st.Manual)
	require.Equal(t, 2, st.CommitLogFiles)
}

func TestDiskFullRefusesPuts(t *testing.T) {
	s, disk, _ := retentionStore(t, 10, nil)
	disk.set(0.93)
	s.checkDisk()
	require.True(t, s.IsDiskFull())
	r := s.PutMessage(context.Background(), newMsg("TopicR", 0, "x", nil))
	require.Equal(t, ServiceNotAvailable, r.Status)
	require.Contains(t, r.Err.Error(), "93.0% full")
	require.Contains(t, r.Err.Error(), "diskSpaceWarningLevelRatio")
	r = s.PutMessages(context.Background(), &MessageBatch{Topic: "TopicR"})
	require.Equal(t, ServiceNotAvailable, r.Status)

	disk.set(0.88) // between the forcible and the warning ratio: still refused (Java clears at <= 0.85)
	s.checkDisk()
	require.True(t, s.IsDiskFull())
	disk.set(0.84)
	s.checkDisk()
	require.False(t, s.IsDiskFull())
	put(t, s, newMsg("TopicR", 0, "y", nil))
}

func TestRetentionServiceRunsPeriodically(t *testing.T) {
	now := time.Now()
	disk := &fakeDisk{}
	disk.set(0.5)
	cfg := testConfig(t.TempDir())
	cfg.DeleteWhen = fmt.Sprint(now.Hour())
	cfg.CleanResourceInterval = 20
	cfg.DeleteCommitLogFilesInterval = 1
	cfg.DeleteConsumeQueueFilesInterval = 1
	s, err := Open(cfg, Options{Now: func() time.Time { return now }, DiskUsage: disk.usage,
		CleanFirstDelay: 10 * time.Millisecond, DiskCheckInterval: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	defer s.Shutdown()
	for i := 0; i < 300; i++ {
		put(t, s, newMsg("TopicP", 0, strings.Repeat("p", 100), nil))
	}
	waitDispatched(t, s)
	age(t, s, 2, now, 100*time.Hour)
	require.Eventually(t, func() bool { return s.GetMinPhyOffset() == int64(2*cfg.MappedFileSizeCommitLog) }, 5*time.Second, 5*time.Millisecond, "periodic cleanup")
	disk.set(0.95)
	require.Eventually(t, s.IsDiskFull, 5*time.Second, 5*time.Millisecond, "periodic disk check")
}

func TestDiskPartitionUsedRatio(t *testing.T) {
	r, err := DiskPartitionUsedRatio(t.TempDir())
	require.NoError(t, err)
	require.True(t, r >= 0 && r <= 1, "ratio %v", r)
	_, err = DiskPartitionUsedRatio("/nonexistent/rocketd")
	require.Error(t, err)
}

func TestDiskUsageOfMissingDirUsesParent(t *testing.T) {
	var asked []string
	root := t.TempDir()
	s, err := Open(testConfig(root), Options{DiskUsage: func(p string) (float64, error) {
		asked = append(asked, p)
		return 0.5, nil
	}})
	require.NoError(t, err)
	defer s.Shutdown()
	require.Equal(t, 0.5, s.diskUsage(filepath.Join(root, "commitlog", "not", "yet")))
	require.Equal(t, []string{root}, asked[len(asked)-1:])
}
