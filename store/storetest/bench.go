package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rocketd/rocketd/store"
)

// OpenIn opens a store (not started) rooted at dir with the given flushDiskType.
type OpenIn func(b *testing.B, dir, flushDiskType string) store.MessageStore

// BenchAppend measures appends of 1 KiB messages, one by one and in client batches of 32, in both flush
// modes, from one producer (every SYNC_FLUSH put waits for its own durability). After each run it writes
// the same number of bytes in the same chunk sizes to a plain file in the same directory (write(2), plus
// fdatasync per chunk for SYNC_FLUSH) and reports the store's throughput as a ratio of that sequential
// write ("x-seqwrite": 1.0 = as fast as the disk path allows, the ideal), with both MB/s figures, so runs
// on different machines compare.
func BenchAppend(b *testing.B, open OpenIn) {
	for _, flush := range []string{store.AsyncFlush, store.SyncFlush} {
		for _, batch := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/batch=%d", flush, batch), func(b *testing.B) { benchAppend(b, open, flush, batch) })
		}
	}
}

func benchAppend(b *testing.B, open OpenIn, flush string, batch int) {
	dir := b.TempDir()
	s := open(b, filepath.Join(dir, "store"), flush)
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	defer s.Shutdown()
	body := make([]byte, 1024)
	for i := range body {
		body[i] = byte(i)
	}
	props := map[string]string{"TAGS": "TagA"}
	var batchBody []byte
	if batch > 1 {
		bodies := make([][]byte, batch)
		for i := range bodies {
			bodies[i] = body
		}
		batchBody = EncodeBatchBody(bodies, nil)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body) * batch))
	b.ReportAllocs()
	var wrote int64
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		var r store.PutResult
		if batch == 1 {
			r = s.PutMessage(ctx, &store.Message{Topic: "BenchTopic", Body: body, Properties: props,
				BornTimestamp: start.UnixMilli(), BornHost: bornHost, StoreHost: storeHost})
		} else {
			r = s.PutMessages(ctx, &store.MessageBatch{Topic: "BenchTopic", Body: batchBody, Properties: props,
				BornTimestamp: start.UnixMilli(), BornHost: bornHost, StoreHost: storeHost})
		}
		if r.Status != store.PutOK {
			b.Fatal(r.Status, r.Err)
		}
		wrote += int64(r.WroteBytes)
	}
	storeDur := time.Since(start)
	b.StopTimer()

	chunk := make([]byte, int(wrote/int64(b.N)))
	f, err := os.Create(filepath.Join(dir, "seqwrite"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start = time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := f.Write(chunk); err != nil {
			b.Fatal(err)
		}
		if flush == store.SyncFlush {
			if err := syncData(f); err != nil {
				b.Fatal(err)
			}
		}
	}
	seqDur := time.Since(start)
	mb := float64(wrote) / 1e6
	b.ReportMetric(seqDur.Seconds()/storeDur.Seconds(), "x-seqwrite")
	b.ReportMetric(mb/storeDur.Seconds(), "store-MB/s")
	b.ReportMetric(mb/seqDur.Seconds(), "seq-MB/s")
}
