package commitlog

import (
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// markedLog writes n records over several 8 KiB files, flushes, and returns the log's DurableMark taken
// after record k (so records k+1.. were written after it), plus every record's offset.
func markedLog(t *testing.T, dir string, n, k int) (FlushMark, []AppendResult) {
	t.Helper()
	c := openTestLog(t, dir, 8192, AsyncFlush)
	_, err := c.RecoverNormally()
	require.NoError(t, err)
	c.SetWritable(true)
	var rs []AppendResult
	var mark FlushMark
	for i := 0; i < n; i++ {
		rs = append(rs, appendOne(t, c, fmt.Sprintf("body %d %s", i, make([]byte, 300+i*37%500))))
		if i == k {
			require.NoError(t, c.FlushAll())
			var ok bool
			mark, ok = c.DurableMark()
			require.True(t, ok, "a flush covering an appended record gives a mark")
		}
	}
	require.NoError(t, c.FlushAll())
	m, ok := c.DurableMark()
	require.True(t, ok)
	require.Equal(t, c.MaxOffset(), m.End, "after a full flush the mark is the end of the log")
	c.Close()
	require.Equal(t, rs[k].WroteOffset+int64(rs[k].WroteBytes), mark.End)
	require.Equal(t, rs[k].WroteOffset, mark.LastOffset)
	return mark, rs
}

func flipBodyByte(t *testing.T, dir string, r AppendResult) {
	t.Helper()
	c := openTestLog(t, dir, 8192, AsyncFlush)
	f := c.Queue().FindByOffset(r.WroteOffset, false)
	require.NotNil(t, f)
	d := f.Data()[r.WroteOffset-f.From():]
	bodyLen := int(binary.BigEndian.Uint32(d[84:])) // IPv4 hosts: BODYLEN at 68+8+8
	require.Positive(t, bodyLen)
	d[88+bodyLen/2] ^= 0x20 // the header stays valid; only the body CRC no longer matches
	c.Close()
}

func recoverWith(t *testing.T, dir string, mark int64) (end int64, dispatched int) {
	t.Helper()
	c := openTestLog(t, dir, 8192, AsyncFlush)
	defer c.Close()
	end, err := c.RecoverAbnormally(func(int64) bool { return false }, func(*Record) { dispatched++ }, mark)
	require.NoError(t, err)
	return end, dispatched
}

// A record with a bad body CRC above the mark is cut, as without a mark.
func TestMarkCorruptRecordAfterMarkIsCut(t *testing.T) {
	dir := t.TempDir()
	mark, rs := markedLog(t, dir, 60, 30)
	c := openTestLog(t, dir, 8192, AsyncFlush)
	require.NoError(t, c.CheckMark(mark))
	c.Close()
	flipBodyByte(t, dir, rs[45])
	end, n := recoverWith(t, dir, mark.End)
	require.Equal(t, rs[45].WroteOffset, end)
	require.Equal(t, 45, n)
}

// A torn last record (a crash in the middle of the memcpy) is cut.
func TestMarkTornLastRecordIsCut(t *testing.T) {
	dir := t.TempDir()
	mark, rs := markedLog(t, dir, 40, 20)
	last := rs[len(rs)-1]
	c := openTestLog(t, dir, 8192, AsyncFlush)
	f := c.Queue().FindByOffset(last.WroteOffset, false)
	pos := last.WroteOffset - f.From()
	clear(f.Data()[pos+int64(last.WroteBytes)/2 : pos+int64(last.WroteBytes)])
	c.Close()
	end, n := recoverWith(t, dir, mark.End)
	require.Equal(t, last.WroteOffset, end)
	require.Equal(t, len(rs)-1, n)
}

// The mark vouches for flushed bytes only: a record it does not describe is refused by CheckMark, and
// the walk then checks every CRC (a corrupt body below the false mark is cut).
func TestMarkThatDoesNotMatchIsNotTrusted(t *testing.T) {
	dir := t.TempDir()
	mark, rs := markedLog(t, dir, 60, 50)
	c := openTestLog(t, dir, 8192, AsyncFlush)
	maxOff := c.MaxOffset()
	for name, m := range map[string]FlushMark{
		"beyond the end of the files": {End: maxOff + 8192*4 + 100, LastOffset: maxOff + 8192*4, LastSize: 100, LastStoreTs: mark.LastStoreTs},
		"beyond the written data":     {End: maxOff + 200, LastOffset: maxOff, LastSize: 200, LastStoreTs: mark.LastStoreTs},
		"other store time":            {End: mark.End, LastOffset: mark.LastOffset, LastSize: mark.LastSize, LastBodyCRC: mark.LastBodyCRC, LastStoreTs: mark.LastStoreTs + 1},
		"other body CRC":              {End: mark.End, LastOffset: mark.LastOffset, LastSize: mark.LastSize, LastBodyCRC: mark.LastBodyCRC ^ 1, LastStoreTs: mark.LastStoreTs},
		"inside a record":             {End: mark.End + 10, LastOffset: mark.LastOffset + 10, LastSize: mark.LastSize, LastBodyCRC: mark.LastBodyCRC, LastStoreTs: mark.LastStoreTs},
		"inconsistent":                {End: mark.End + 1, LastOffset: mark.LastOffset, LastSize: mark.LastSize, LastBodyCRC: mark.LastBodyCRC, LastStoreTs: mark.LastStoreTs},
	} {
		require.ErrorIs(t, c.CheckMark(m), ErrMarkMismatch, name)
	}
	require.NoError(t, c.CheckMark(mark))
	c.Close()
	// The real mark's own record with a damaged body is refused too.
	flipBodyByte(t, dir, rs[50])
	c = openTestLog(t, dir, 8192, AsyncFlush)
	require.ErrorIs(t, c.CheckMark(mark), ErrMarkMismatch)
	c.Close()
}

// A mark the walk does not pass through exactly (it falls inside a record, or beyond the end of the data)
// makes the walk start over checking every CRC, so a corrupt record below it is still cut.
func TestMarkNotOnTheRecordChainFallsBackToFullCheck(t *testing.T) {
	for name, at := range map[string]func(rs []AppendResult) int64{
		"inside a record": func(rs []AppendResult) int64 { return rs[40].WroteOffset + 17 },
		"beyond the data": func(rs []AppendResult) int64 {
			last := rs[len(rs)-1]
			return last.WroteOffset + int64(last.WroteBytes) + 4096
		},
		"inside a BLANK tail": func(rs []AppendResult) int64 { return blankInside(rs) },
		"exactly on a record": nil,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			_, rs := markedLog(t, dir, 60, 30)
			flipBodyByte(t, dir, rs[1])
			if at == nil {
				// Control: a mark on the chain is trusted, so the damage below it goes unnoticed (it was flushed
				// before the mark; the checkpoint gives the same trust to everything before its start file).
				end, n := recoverWith(t, dir, rs[20].WroteOffset)
				require.Equal(t, rs[59].WroteOffset+int64(rs[59].WroteBytes), end)
				require.Equal(t, 60, n)
				return
			}
			end, _ := recoverWith(t, dir, at(rs))
			require.Equal(t, rs[1].WroteOffset, end)
		})
	}
}

// blankInside returns an offset inside the BLANK tail of the first file.
func blankInside(rs []AppendResult) int64 {
	for i := 1; i < len(rs); i++ {
		if rs[i].WroteOffset%8192 == 0 {
			return rs[i].WroteOffset - 4
		}
	}
	panic("no file roll")
}

// BenchmarkRecoverAbnormally walks 64 MiB of 64 KiB records with every body CRC checked (no mark) and with a
// flush mark at the end (the state after a kill -9 once the flusher has caught up). It reports MB/s of log walked.
func BenchmarkRecoverAbnormally(b *testing.B) {
	dir := b.TempDir()
	const fileSize = 16 << 20
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := Open(Config{Dir: dir, MappedFileSize: fileSize, CheckCRCOnRecover: true, Logger: quiet})
	require.NoError(b, err)
	_, err = c.RecoverNormally()
	require.NoError(b, err)
	c.SetWritable(true)
	m := testMessage(string(make([]byte, 64<<10)))
	buf, err := Encode(nil, m, Limits{})
	require.NoError(b, err)
	for c.MaxOffset() < 4*fileSize-2*int64(len(buf)) {
		_, err := c.Append(&Batch{Buf: append([]byte(nil), buf...), Topic: m.Topic, QueueID: m.QueueID, Count: 1})
		require.NoError(b, err)
	}
	require.NoError(b, c.FlushAll())
	mark, ok := c.DurableMark()
	require.True(b, ok)
	c.Close()
	for _, tc := range []struct {
		name string
		mark int64
	}{{"crc-all", 0}, {"flush-mark", mark.End}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(mark.End)
			for i := 0; i < b.N; i++ {
				c, err := Open(Config{Dir: dir, MappedFileSize: fileSize, CheckCRCOnRecover: true, Logger: quiet})
				require.NoError(b, err)
				n := 0
				end, err := c.RecoverAbnormally(func(int64) bool { return false }, func(*Record) { n++ }, tc.mark)
				require.NoError(b, err)
				require.Equal(b, mark.End, end)
				c.Close()
			}
		})
	}
}
