package commitlog

import (
	"context"
	"encoding/binary"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func openTestLog(t *testing.T, dir string, size int, mode FlushDiskType) *CommitLog {
	t.Helper()
	c, err := Open(Config{Dir: dir, MappedFileSize: size, FlushDiskType: mode, FlushInterval: 10 * time.Millisecond,
		FlushLeastPages: 4, FlushThoroughInterval: 50 * time.Millisecond, FlushTimed: true,
		SyncFlushTimeout: 2 * time.Second, CheckCRCOnRecover: true})
	require.NoError(t, err)
	return c
}

func appendOne(t *testing.T, c *CommitLog, body string) AppendResult {
	t.Helper()
	m := testMessage(body)
	buf, err := Encode(nil, m, Limits{})
	require.NoError(t, err)
	res, err := c.Append(&Batch{Buf: buf, Topic: m.Topic, QueueID: m.QueueID, Count: 1, SysFlag: m.SysFlag})
	require.NoError(t, err)
	return res
}

func TestAppendRollsWithBlank(t *testing.T) {
	dir := t.TempDir()
	c := openTestLog(t, dir, 4096, AsyncFlush)
	_, err := c.RecoverNormally()
	require.NoError(t, err)
	c.SetWritable(true)
	body := string(make([]byte, 900))
	var results []AppendResult
	for i := 0; i < 10; i++ {
		results = append(results, appendOne(t, c, body))
	}
	recSize := int64(results[0].WroteBytes)
	perFile := (4096 - 8) / recSize // size + 8 <= remaining
	require.Equal(t, int64(4), perFile)
	require.Equal(t, int64(4096), results[perFile].WroteOffset)
	for i, r := range results {
		require.Equal(t, int64(i), r.LogicsOffset)
	}
	// The first file ends in a BLANK header [remaining][0xCBD43194].
	f := c.Queue().Files()[0]
	blankPos := int(perFile * recSize)
	require.Equal(t, uint32(4096-blankPos), binary.BigEndian.Uint32(f.Data()[blankPos:]))
	require.Equal(t, []byte{0xCB, 0xD4, 0x31, 0x94}, f.Data()[blankPos+4:blankPos+8])
	require.NoError(t, c.FlushAll())
	end := c.MaxOffset()
	c.Close()

	c2 := openTestLog(t, dir, 4096, AsyncFlush)
	got, err := c2.RecoverNormally()
	require.NoError(t, err)
	require.Equal(t, end, got)
	// Every record readable by offset.
	for _, r := range results {
		rec, fh, err := c2.RecordAt(r.WroteOffset)
		require.NoError(t, err)
		require.Equal(t, r.WroteOffset, rec.PhysicalOffset)
		require.Equal(t, r.LogicsOffset, rec.QueueOffset)
		fh.Release()
	}
	c2.Close()
}

func TestRecoverCutsTornTail(t *testing.T) {
	dir := t.TempDir()
	c := openTestLog(t, dir, 8192, AsyncFlush)
	_, _ = c.RecoverNormally()
	c.SetWritable(true)
	var rs []AppendResult
	for i := 0; i < 5; i++ {
		rs = append(rs, appendOne(t, c, "some body bytes"))
	}
	// Corrupt the CRC of record 3 and tear record 4.
	f := c.Queue().Last()
	d := f.Data()
	p3 := int(rs[3].WroteOffset)
	binary.BigEndian.PutUint32(d[p3+8:], binary.BigEndian.Uint32(d[p3+8:])^1)
	require.NoError(t, c.FlushAll())
	c.Close()

	c2 := openTestLog(t, dir, 8192, AsyncFlush)
	end, err := c2.RecoverNormally()
	require.NoError(t, err)
	require.Equal(t, rs[3].WroteOffset, end)
	// The tail after the cut is zero.
	for _, b := range c2.Queue().Last().Data()[end:] {
		if b != 0 {
			t.Fatal("non-zero byte after the recovered end")
		}
	}
	c2.SetWritable(true)
	r := appendOne(t, c2, "after")
	require.Equal(t, end, r.WroteOffset)
	c2.Close()

	// Tear the last record in half (a crash mid-write leaves a partial record).
	c3 := openTestLog(t, dir, 8192, AsyncFlush)
	d3 := c3.Queue().Last().Data()
	clear(d3[r.WroteOffset+int64(r.WroteBytes)/2 : r.WroteOffset+int64(r.WroteBytes)])
	var dispatched []int64
	end, err = c3.RecoverAbnormally(func(int64) bool { return true }, func(rec *Record) { dispatched = append(dispatched, rec.PhysicalOffset) }, 0)
	require.NoError(t, err)
	require.Equal(t, r.WroteOffset, end)
	require.Equal(t, []int64{rs[0].WroteOffset, rs[1].WroteOffset, rs[2].WroteOffset}, dispatched)
	c3.Close()
}

func TestSyncFlushWaits(t *testing.T) {
	c := openTestLog(t, t.TempDir(), 1<<20, SyncFlush)
	_, _ = c.RecoverNormally()
	c.SetWritable(true)
	c.StartFlusher()
	r := appendOne(t, c, "durable")
	require.NoError(t, c.WaitFlushed(context.Background(), r.WroteOffset+int64(r.WroteBytes)))
	require.True(t, c.FlushedWhere() >= r.WroteOffset+int64(r.WroteBytes))
	require.NoError(t, c.StopFlusher())
	c.Close()
}

// WhenFlushed answers from the group commit: every callback registered before a flush is called once, after
// the records are durable, and a callback registered after shutdown is answered at once.
func TestWhenFlushedCallsBackAfterTheFlush(t *testing.T) {
	c := openTestLog(t, t.TempDir(), 1<<20, SyncFlush)
	_, _ = c.RecoverNormally()
	c.SetWritable(true)
	c.StartFlusher()
	const n = 50
	type answer struct {
		ok      bool
		durable bool
	}
	answers := make(chan answer, n+1)
	for i := 0; i < n; i++ {
		r := appendOne(t, c, "durable")
		target := r.WroteOffset + int64(r.WroteBytes)
		c.WhenFlushed(target, func(ok bool) { answers <- answer{ok, c.FlushedWhere() >= target} })
	}
	for i := 0; i < n; i++ {
		select {
		case a := <-answers:
			require.True(t, a.ok)
			require.True(t, a.durable, "answered before its records were flushed")
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d callbacks answered", i, n)
		}
	}
	require.NoError(t, c.StopFlusher())
	r := appendOne(t, c, "after stop")
	c.WhenFlushed(r.WroteOffset+int64(r.WroteBytes), func(ok bool) { answers <- answer{ok, true} })
	select {
	case <-answers:
	case <-time.After(10 * time.Second):
		t.Fatal("a callback registered after the flusher stopped was never answered")
	}
	require.Empty(t, answers, "each callback is called once")
	c.Close()
}

func TestAsyncFlusherFlushes(t *testing.T) {
	flushed := make(chan int64, 100)
	dir := t.TempDir()
	c, err := Open(Config{Dir: dir, MappedFileSize: 1 << 20, FlushInterval: 5 * time.Millisecond, FlushLeastPages: 4,
		FlushThoroughInterval: 20 * time.Millisecond, FlushTimed: true,
		OnFlushed: func(ts int64) {
			select {
			case flushed <- ts:
			default:
			}
		}})
	require.NoError(t, err)
	c.SetWritable(true)
	c.StartFlusher()
	r := appendOne(t, c, "x")
	select {
	case ts := <-flushed:
		require.Equal(t, r.StoreTimestamp, ts)
	case <-time.After(5 * time.Second):
		t.Fatal("thorough flush did not happen")
	}
	require.NoError(t, c.StopFlusher())
	c.Close()
	_, err = os.Stat(dir)
	require.NoError(t, err)
}

func TestMessageTooBig(t *testing.T) {
	c := openTestLog(t, t.TempDir(), 1024, AsyncFlush)
	c.SetWritable(true)
	m := testMessage(string(make([]byte, 1024)))
	buf, _ := Encode(nil, m, Limits{})
	_, err := c.Append(&Batch{Buf: buf, Topic: m.Topic, Count: 1})
	require.ErrorIs(t, err, ErrMessageTooBig)
	c.Close()
}

func TestBlankBoundary(t *testing.T) {
	c := openTestLog(t, t.TempDir(), 4096, AsyncFlush)
	c.SetWritable(true)
	overhead := 91 + len("TopicTest") + len(testMessage("").Properties)
	// size + 8 == remaining: placed; the next record meets an 8-byte BLANK.
	r := appendOne(t, c, string(make([]byte, 4088-overhead)))
	require.Equal(t, 4088, r.WroteBytes)
	require.Equal(t, int64(0), r.WroteOffset)
	r = appendOne(t, c, "x")
	require.Equal(t, int64(4096), r.WroteOffset)
	d := c.Queue().Files()[0].Data()
	require.Equal(t, []byte{0, 0, 0, 8, 0xCB, 0xD4, 0x31, 0x94}, d[4088:4096])
	// size + 8 == remaining + 1 in a fresh file: a BLANK of the whole file, record goes to the next one.
	c2 := openTestLog(t, t.TempDir(), 4096, AsyncFlush)
	c2.SetWritable(true)
	r = appendOne(t, c2, "y") // occupy the start so the big one cannot fit after it
	big := 4096 - r.WroteBytes - 8 + 1
	r = appendOne(t, c2, string(make([]byte, big-overhead)))
	require.Equal(t, int64(4096), r.WroteOffset)
	rec, err := Decode(c2.Queue().Files()[0].Data()[118:], true)
	require.NoError(t, err)
	require.True(t, rec.IsBlank())
	require.Equal(t, int32(4096-118), rec.TotalSize)
	c.Close()
	c2.Close()
}

// A group commit that hangs on the disk longer than syncFlushTimeout: the send is answered FLUSH_DISK_TIMEOUT
// by then (Java's FlushDiskWatcher), and not a second time when the flush finally ends.
func TestWhenFlushedTimesOutOnASlowDisk(t *testing.T) {
	c, err := Open(Config{Dir: t.TempDir(), MappedFileSize: 1 << 20, FlushDiskType: SyncFlush,
		SyncFlushTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	_, _ = c.RecoverNormally()
	c.SetWritable(true)
	release := make(chan struct{})
	beforeGroupFlush = func() { <-release }
	defer func() { beforeGroupFlush = nil }()
	c.StartFlusher()
	r := appendOne(t, c, "slow disk")
	answers := make(chan bool, 2)
	start := time.Now()
	c.WhenFlushed(r.WroteOffset+int64(r.WroteBytes), func(ok bool) { answers <- ok })
	select {
	case ok := <-answers:
		require.False(t, ok, "answered ok while the flush hangs")
		require.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "answered before syncFlushTimeout")
	case <-time.After(5 * time.Second):
		t.Fatal("no FLUSH_DISK_TIMEOUT while the flush hangs")
	}
	close(release)
	require.NoError(t, c.StopFlusher())
	require.Empty(t, answers, "the callback ran twice")
	c.Close()
}
