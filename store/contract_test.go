package store_test

import (
	"log/slog"
	"testing"

	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/storetest"
)

// TestContract runs the MessageStore contract against DefaultMessageStore with small files (16 KiB
// CommitLog files, 100-unit ConsumeQueue files), so rolls and BLANK tails happen inside the suite.
func TestContract(t *testing.T) {
	for _, mode := range []string{store.AsyncFlush, store.SyncFlush} {
		t.Run(mode, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.MessageStore {
				cfg := store.DefaultMessageStoreConfig(t.TempDir())
				cfg.MappedFileSizeCommitLog = 16 * 1024
				cfg.MappedFileSizeConsumeQueue = 100 * 20
				cfg.MaxHashSlotNum = 64
				cfg.MaxIndexNum = 256
				cfg.FlushDiskType = mode
				cfg.FlushIntervalCommitLog = 10
				cfg.FlushIntervalConsumeQueue = 10
				s, err := store.Open(cfg, store.Options{Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}

// BenchmarkAppend: go test -run '^$' -bench Append ./store/  (throughput as a ratio of a plain sequential
// write of the same bytes to the same disk).
func BenchmarkAppend(b *testing.B) {
	storetest.BenchAppend(b, func(b *testing.B, dir, flush string) store.MessageStore {
		cfg := store.DefaultMessageStoreConfig(dir)
		cfg.MappedFileSizeCommitLog = 64 << 20
		cfg.FlushDiskType = flush
		s, err := store.Open(cfg, store.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
