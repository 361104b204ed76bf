package store

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// BenchmarkPutMessage measures the append path with 1 KiB bodies (64 MiB CommitLog files, sparse).
// SYNC_FLUSH runs in parallel so group commit can batch msyncs, as real producers do.
func BenchmarkPutMessage(b *testing.B) {
	for _, mode := range []string{AsyncFlush, SyncFlush} {
		b.Run(mode, func(b *testing.B) {
			cfg := DefaultMessageStoreConfig(b.TempDir())
			cfg.MappedFileSizeCommitLog = 64 << 20
			cfg.FlushDiskType = mode
			cfg.MessageIndexEnable = false
			s, err := Open(cfg, Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Start(); err != nil {
				b.Fatal(err)
			}
			defer s.Shutdown()
			body := make([]byte, 1024)
			props := map[string]string{"TAGS": "TagA"}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			b.ResetTimer()
			run := func(ctx context.Context) {
				m := &Message{Topic: "BenchTopic", QueueID: 0, Body: body, Properties: props,
					BornTimestamp: time.Now().UnixMilli(), BornHost: bornHost, StoreHost: storeHost}
				if r := s.PutMessage(ctx, m); r.Status != PutOK {
					b.Fatal(r.Status, r.Err)
				}
			}
			if mode == SyncFlush {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						run(context.Background())
					}
				})
			} else {
				for i := 0; i < b.N; i++ {
					run(context.Background())
				}
			}
			b.StopTimer()
		})
	}
}
