package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rocketd/rocketd/store/mmapfile"

	"github.com/stretchr/testify/require"
)

// Concurrent producers on several queues while a consumer pulls: queue offsets stay dense, every message
// is read back once in order, and the directory verifies afterwards.
func TestConcurrentPutAndPull(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.FlushDiskType = SyncFlush
	s := openStarted(t, cfg)
	const producers, perProducer, queues = 4, 50, 3
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < perProducer; i++ {
				r := s.PutMessage(context.Background(), newMsg("C", int32(i%queues), fmt.Sprintf("p%d-%d", p, i), nil))
				if r.Status != PutOK {
					t.Errorf("put: %v %v", r.Status, r.Err)
					return
				}
			}
		}(p)
	}
	// Pull concurrently until every message has been seen.
	seen := 0
	next := make([]int64, queues)
	deadline := time.Now().Add(10 * time.Second)
	for seen < producers*perProducer && time.Now().Before(deadline) {
		for q := int32(0); q < queues; q++ {
			g := s.GetMessage("g", "C", q, next[q], 32, nil)
			if g.Status == Found {
				for i, b := range g.Messages {
					rec := decode(t, b)
					require.Equal(t, next[q]+int64(i), rec.QueueOffset)
				}
				seen += g.MessageCount()
			}
			next[q] = g.NextBeginOffset
			g.Release()
		}
	}
	wg.Wait()
	require.Equal(t, producers*perProducer, seen)
	require.NoError(t, s.Shutdown())
	requireVerified(t, cfg, producers*perProducer)
}

// After the oldest CommitLog file is gone (retention, possibly by Java), units pointing into it are below
// the min offset: pulls there answer OFFSET_TOO_SMALL and the min offset moves past them.
func TestMinOffsetAfterOldestCommitLogFileRemoved(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(root)
	s := openStarted(t, cfg)
	for i := 0; i < 60; i++ { // ~630 B records: 25 per 16 KiB file, 3 files
		put(t, s, newMsg("T", 0, fmt.Sprintf("%02d", i)+string(make([]byte, 500)), nil))
	}
	require.NoError(t, s.Shutdown())
	require.NoError(t, os.Remove(filepath.Join(root, "commitlog", mmapfile.FileName(0))))

	s2 := openStarted(t, cfg)
	defer s2.Shutdown()
	require.Equal(t, int64(16*1024), s2.GetMinPhyOffset())
	min := s2.GetMinOffsetInQueue("T", 0)
	require.True(t, min > 0 && min < 60, min)
	g := s2.GetMessage("g", "T", 0, 0, 32, nil)
	require.Equal(t, OffsetTooSmall, g.Status)
	require.Equal(t, min, g.NextBeginOffset)
	g = s2.GetMessage("g", "T", 0, min, 1, nil)
	require.Equal(t, Found, g.Status)
	require.Equal(t, fmt.Sprintf("%02d", min), string(decode(t, g.Messages[0]).Body[:2]))
	g.Release()
	require.True(t, s2.GetEarliestMessageTime("T", 0) > 0)
	// Offset by time: a time before everything maps to the min offset, after everything to the last.
	require.Equal(t, min, s2.GetOffsetInQueueByTime("T", 0, 1))
	require.Equal(t, int64(59), s2.GetOffsetInQueueByTime("T", 0, time.Now().Add(time.Hour).UnixMilli()))
}
