package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDeleteAndCleanUnusedTopics(t *testing.T) {
	root := t.TempDir()
	s := openStarted(t, testConfig(root))
	defer s.Shutdown()
	for _, topic := range []string{"Keep", "Drop", "Gone", ScheduleTopic} {
		put(t, s, newMsg(topic, 0, "x", nil))
		put(t, s, newMsg(topic, 1, "y", nil))
	}
	waitDispatched(t, s)
	require.DirExists(t, filepath.Join(root, "consumequeue", "Drop", "0"))

	s.DeleteTopic("Drop")
	require.NoDirExists(t, filepath.Join(root, "consumequeue", "Drop", "0"))
	require.Equal(t, int64(0), s.GetMaxOffsetInQueue("Drop", 0))
	// Created again, the topic starts over at queue offset 0.
	r := put(t, s, newMsg("Drop", 0, "again", nil))
	require.Equal(t, int64(0), r.LogicsOffset)

	n := s.CleanUnusedTopic(func(topic string) bool { return topic == "Keep" || topic == "Drop" })
	require.Equal(t, 1, n, "only Gone goes: Keep and Drop are kept, the schedule topic always is")
	require.NoDirExists(t, filepath.Join(root, "consumequeue", "Gone"))
	require.Equal(t, int64(1), s.GetMaxOffsetInQueue("Keep", 0))
	require.Equal(t, int64(1), s.GetMaxOffsetInQueue(ScheduleTopic, 0))
}

func TestCleanExpiredConsumerQueue(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.FileReservedTime = 0 // a manual delete still only removes files older than this
	s := openStarted(t, cfg)
	defer s.Shutdown()
	put(t, s, newMsg("Old", 0, "old", nil))
	waitDispatched(t, s)
	// Fill past two CommitLog files, then delete the oldest: Old's only unit now points below the minimum.
	body := string(make([]byte, 1024))
	for s.GetMaxPhyOffset() < int64(2*cfg.MappedFileSizeCommitLog) {
		put(t, s, newMsg("New", 0, body, nil))
	}
	waitDispatched(t, s)
	require.Equal(t, 0, s.CleanExpiredConsumerQueue(), "nothing expired while the first file exists")
	files, err := os.ReadDir(filepath.Join(cfg.StorePathRootDir, "commitlog"))
	require.NoError(t, err)
	require.Greater(t, len(files), 2)
	s.ExecuteDeleteFilesManually()
	_, err = s.CleanOnce()
	require.NoError(t, err)
	require.Positive(t, s.GetMinPhyOffset(), "the first CommitLog file was deleted")
	require.Equal(t, 1, s.CleanExpiredConsumerQueue())
	require.Equal(t, int64(0), s.GetMaxOffsetInQueue("Old", 0))
	require.Positive(t, s.GetMaxOffsetInQueue("New", 0))
}
