package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/store/checkpoint"
	"github.com/rocketd/rocketd/store/commitlog"
)

// markRecorder keeps the flushMark attribute of the abnormal-recovery line.
type markRecorder struct {
	mu   sync.Mutex
	mark int64
	seen bool
}

func (r *markRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *markRecorder) Handle(_ context.Context, rec slog.Record) error {
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "flushMark" {
			r.mu.Lock()
			r.mark, r.seen = a.Value.Int64(), true
			r.mu.Unlock()
		}
		return true
	})
	return nil
}
func (r *markRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *markRecorder) WithGroup(string) slog.Handler      { return r }

// putN puts n messages round-robin over 3 queues of topic T; bodies vary in size so records cross files.
func putN(t *testing.T, s *DefaultMessageStore, from, n int) []PutResult {
	var rs []PutResult
	for i := from; i < from+n; i++ {
		rs = append(rs, put(t, s, newMsg("T", int32(i%3), fmt.Sprintf("message %d %s", i, make([]byte, 100+i*53%700)),
			map[string]string{"KEYS": fmt.Sprintf("k%d", i)})))
	}
	waitDispatched(t, s)
	return rs
}

// crashAfter makes the directory look like a kill -9 happened: abort present, the Java checkpoint at 0 (the walk
// starts at the first file) and, if mark is not nil, rocketd's flush mark holding those bytes.
func crashAfter(t *testing.T, cfg MessageStoreConfig, mark []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(cfg.abortPath(), nil, 0o644))
	require.NoError(t, os.WriteFile(cfg.checkpointPath(), make([]byte, checkpoint.FileSize), 0o644))
	if mark != nil {
		require.NoError(t, os.WriteFile(cfg.flushMarkPath(), mark, 0o644))
	}
}

func flipBody(t *testing.T, cfg MessageStoreConfig, r PutResult) {
	t.Helper()
	name := filepath.Join(cfg.commitLogDir(), fmt.Sprintf("%020d", r.WroteOffset/int64(cfg.MappedFileSizeCommitLog)*int64(cfg.MappedFileSizeCommitLog)))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	pos := r.WroteOffset % int64(cfg.MappedFileSizeCommitLog)
	var b [4]byte
	_, err = f.ReadAt(b[:], pos+84) // BODYLEN with IPv4 hosts
	require.NoError(t, err)
	at := pos + 88 + int64(binary.BigEndian.Uint32(b[:]))/2
	_, err = f.ReadAt(b[:1], at)
	require.NoError(t, err)
	b[0] ^= 0x10
	_, err = f.WriteAt(b[:1], at)
	require.NoError(t, err)
}

func reopenCrashed(t *testing.T, cfg MessageStoreConfig) (*DefaultMessageStore, *markRecorder) {
	t.Helper()
	rec := &markRecorder{}
	s, err := Open(cfg, Options{Logger: slog.New(rec)})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	require.True(t, rec.seen, "abnormal recovery ran")
	return s, rec
}

// queueCounts is how many of rs went to each queue.
func queueCounts(rs []PutResult) map[int32]int64 {
	m := map[int32]int64{}
	for i := range rs {
		m[int32(i%3)]++
	}
	return m
}

// After a kill -9 the flush mark bounds the CRC re-check, but a record after it with a bad body CRC still ends
// the log, and the ConsumeQueues are cut to match.
func TestFlushMarkCorruptRecordAfterMarkIsCut(t *testing.T) {
	cfg := testConfig(t.TempDir())
	s := openStarted(t, cfg)
	rs := putN(t, s, 0, 80)
	require.NoError(t, s.Shutdown())
	mark, err := os.ReadFile(cfg.flushMarkPath())
	require.NoError(t, err)
	m, err := checkpoint.DecodeMark(mark)
	require.NoError(t, err)
	last := rs[len(rs)-1]
	require.Equal(t, last.WroteOffset+int64(last.WroteBytes), m.End, "a clean shutdown marks the end of the log")

	s = openStarted(t, cfg)
	rs = append(rs, putN(t, s, 80, 60)...)
	require.NoError(t, s.Shutdown())
	crashAfter(t, cfg, mark) // the mark as it was before the last 60 puts
	flipBody(t, cfg, rs[110])

	s, rec := reopenCrashed(t, cfg)
	defer s.Shutdown()
	require.Equal(t, m.End, rec.mark, "the mark was trusted")
	require.Equal(t, rs[110].WroteOffset, s.GetMaxPhyOffset(), "the log ends before the corrupt record")
	for q, n := range queueCounts(rs[:110]) {
		require.Equal(t, n, s.GetMaxOffsetInQueue("T", q), "queue %d", q)
	}
	r := put(t, s, newMsg("T", 0, "after", nil))
	require.Equal(t, rs[110].WroteOffset, r.WroteOffset)
}

// A mark that does not describe the CommitLog (beyond the data: a torn file or a restore from an older backup; or
// naming a record that is not there) is ignored: every record walked is CRC-checked, so a corrupt record far below
// the false mark still ends the log.
func TestFlushMarkNotMatchingFallsBackToFullCheck(t *testing.T) {
	for name, fake := range map[string]func(m checkpoint.Mark) checkpoint.Mark{
		"beyond the end": func(m checkpoint.Mark) checkpoint.Mark {
			return checkpoint.Mark{End: m.End + 1<<20 + 500, LastOffset: m.End + 1<<20, LastSize: 500, LastStoreTs: m.LastStoreTs}
		},
		"other store time": func(m checkpoint.Mark) checkpoint.Mark { m.LastStoreTs--; return m },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t.TempDir())
			s := openStarted(t, cfg)
			rs := putN(t, s, 0, 100)
			require.NoError(t, s.Shutdown())
			b, err := os.ReadFile(cfg.flushMarkPath())
			require.NoError(t, err)
			m, err := checkpoint.DecodeMark(b)
			require.NoError(t, err)
			img := checkpoint.EncodeMark(fake(m))
			crashAfter(t, cfg, img[:])
			flipBody(t, cfg, rs[7])

			s, rec := reopenCrashed(t, cfg)
			defer s.Shutdown()
			require.Zero(t, rec.mark, "the mark was not trusted")
			require.Equal(t, rs[7].WroteOffset, s.GetMaxPhyOffset())
			for q, n := range queueCounts(rs[:7]) {
				require.Equal(t, n, s.GetMaxOffsetInQueue("T", q), "queue %d", q)
			}
		})
	}
}

// The mark never runs ahead of flushed bytes: it is only taken from a flush that covered the record it names.
func TestFlushMarkFollowsFlushes(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.FlushDiskType = SyncFlush
	s := openStarted(t, cfg)
	defer s.Shutdown()
	_, ok := s.cl.DurableMark()
	require.False(t, ok, "no mark before the first put")
	r := put(t, s, newMsg("T", 0, "x", nil)) // SYNC_FLUSH: answered after the flush
	m, ok := s.cl.DurableMark()
	require.True(t, ok)
	require.Equal(t, r.WroteOffset+int64(r.WroteBytes), m.End)
	require.LessOrEqual(t, m.End, s.cl.FlushedWhere())
	require.NoError(t, s.cl.CheckMark(commitlog.FlushMark(m)))
}

// A mark that matches its record but sits past a break in the record chain (a zeroed header, as a lost page
// leaves) is contradicted by the walk: recovery walks again checking every CRC and cuts at the first bad
// record, dropping the ConsumeQueue units of everything after it.
func TestFlushMarkPastABreakFallsBackToFullCheck(t *testing.T) {
	cfg := testConfig(t.TempDir())
	s := openStarted(t, cfg)
	rs := putN(t, s, 0, 100)
	require.NoError(t, s.Shutdown())
	mark, err := os.ReadFile(cfg.flushMarkPath())
	require.NoError(t, err)
	crashAfter(t, cfg, mark)
	flipBody(t, cfg, rs[5])
	// Zero the header of record 30.
	name := filepath.Join(cfg.commitLogDir(), fmt.Sprintf("%020d", rs[30].WroteOffset/int64(cfg.MappedFileSizeCommitLog)*int64(cfg.MappedFileSizeCommitLog)))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(make([]byte, 16), rs[30].WroteOffset%int64(cfg.MappedFileSizeCommitLog))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	s, rec := reopenCrashed(t, cfg)
	defer s.Shutdown()
	require.Positive(t, rec.mark, "the mark itself matched its record")
	require.Equal(t, rs[5].WroteOffset, s.GetMaxPhyOffset(), "the full CRC walk cut at the first corrupt record")
	for q, n := range queueCounts(rs[:5]) {
		require.Equal(t, n, s.GetMaxOffsetInQueue("T", q), "queue %d", q)
	}
}
