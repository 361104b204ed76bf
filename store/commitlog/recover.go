package commitlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/rocketd/rocketd/store/mmapfile"
)

// FlushMark names a durable point of the log: every byte below End was flushed (msync) before the mark was
// taken, and End is the end of the record at LastOffset, identified by its size, body CRC and store time.
// The store persists it (store/checkpoint's flush mark file) to bound the CRC re-check of abnormal recovery.
type FlushMark struct {
	End         int64
	LastOffset  int64
	LastSize    int32
	LastBodyCRC int32
	LastStoreTs int64
}

// DurableMark returns the newest mark a flush made durable; ok is false if no flush covered a record put by
// Append since Open (a slave's replicated bytes never give one: they may end inside a record).
func (c *CommitLog) DurableMark() (m FlushMark, ok bool) {
	if p := c.durable.Load(); p != nil {
		return *p, true
	}
	return FlushMark{}, false
}

// ErrMarkMismatch means a flush mark does not describe this log's bytes.
var ErrMarkMismatch = errors.New("commitlog: the flush mark does not match the commitlog")

// CheckMark reports whether m describes this log: the record at m.LastOffset is a message (body CRC checked)
// of m.LastSize bytes whose PHYSICALOFFSET, BODYCRC and STORETIMESTAMP are those of the mark. Call it before
// recovery (it reads up to the end of each file).
func (c *CommitLog) CheckMark(m FlushMark) error {
	if m.LastOffset < 0 || m.LastSize <= 0 || m.End != m.LastOffset+int64(m.LastSize) {
		return fmt.Errorf("%w: inconsistent mark %+v", ErrMarkMismatch, m)
	}
	f := c.q.FindByOffset(m.LastOffset, false)
	if f == nil {
		return fmt.Errorf("%w: offset %d is not in a commitlog file", ErrMarkMismatch, m.LastOffset)
	}
	pos := m.LastOffset - f.From()
	if pos+int64(m.LastSize) > int64(f.Size()) {
		return fmt.Errorf("%w: record of %d bytes at %d crosses the end of %s", ErrMarkMismatch, m.LastSize, m.LastOffset, f.Path())
	}
	rec, err := Decode(f.Data()[pos:pos+int64(m.LastSize)], true)
	switch {
	case err != nil:
		return fmt.Errorf("%w: record at %d: %w", ErrMarkMismatch, m.LastOffset, err)
	case rec.IsBlank() || rec.TotalSize != m.LastSize || rec.PhysicalOffset != m.LastOffset ||
		rec.BodyCRC != m.LastBodyCRC || rec.StoreTimestamp != m.LastStoreTs:
		return fmt.Errorf("%w: record at %d differs (size %d, phy %d, store time %d)", ErrMarkMismatch, m.LastOffset,
			rec.TotalSize, rec.PhysicalOffset, rec.StoreTimestamp)
	}
	return nil
}

// RecoverNormally is the clean-shutdown path: validate records (with CRC if configured) from the
// third-last file on, stop at the first invalid record and cut the log there. It returns the end offset.
func (c *CommitLog) RecoverNormally() (int64, error) {
	files := c.q.Files()
	if len(files) == 0 {
		return 0, nil
	}
	start := len(files) - 3
	if start < 0 {
		start = 0
	}
	return c.walk(files, start, nil, 0)
}

// RecoverAbnormally is the crash path: start at the newest file whose first record is a message with a
// non-zero store time that match accepts (else the first file), validate and dispatch every valid record,
// and cut the log after the last one. It returns the end offset.
//
// flushedBelow is the End of a FlushMark that CheckMark accepted (0: none): records that end at or below it
// were flushed before the mark was written, so their body CRC is not re-computed (their structure is still
// checked, and they are still dispatched). Should the walk not pass exactly through flushedBelow (a record
// straddles it, or the log ends or breaks before it) the mark is wrong about these bytes, and the walk is
// done again checking every CRC.
func (c *CommitLog) RecoverAbnormally(match func(storeTimestamp int64) bool, dispatch func(rec *Record), flushedBelow int64) (int64, error) {
	files := c.q.Files()
	if len(files) == 0 {
		return 0, nil
	}
	start := 0
	for i := len(files) - 1; i >= 0; i-- {
		// Like Java's isMappedFileMatchedRecover: only the magic and the store timestamp are looked at.
		d := files[i].Data()
		if int32(binary.BigEndian.Uint32(d[posMagic:])) != MessageMagicCode {
			continue
		}
		ts := int64(binary.BigEndian.Uint64(d[StoreTimestampPos(int32(binary.BigEndian.Uint32(d[posSysFlag:]))):]))
		if ts != 0 && match(ts) {
			start = i
			break
		}
	}
	if flushedBelow <= files[start].From() {
		flushedBelow = 0
	}
	c.log.Info("abnormal recovery: walking the commitlog", "from", files[start].Path(), "crcCheckedFrom", flushedBelow)
	end, err := c.walk(files, start, dispatch, flushedBelow)
	if errors.Is(err, ErrMarkMismatch) {
		c.log.Warn("abnormal recovery: the flush mark does not match the commitlog; walking again checking every record", "err", err)
		end, err = c.walk(files, start, dispatch, 0)
	}
	return end, err
}

// walk validates records from files[idx] on, dispatching each, and cuts the log after the last valid one.
// Records that end at or below flushedBelow (> 0) are decoded without their body CRC; the walk then must pass
// through flushedBelow exactly, else it returns ErrMarkMismatch without cutting anything.
func (c *CommitLog) walk(files []*mmapfile.File, idx int, dispatch func(rec *Record), flushedBelow int64) (int64, error) {
	checkCRC := c.cfg.CheckCRCOnRecover
	sizes := make([]int, 0, len(files)-idx)
	for _, f := range files[idx:] {
		sizes = append(sizes, f.Size())
	}
	prog := newProgress(c.log, c.cfg.ProgressEvery, sizes)
	f := files[idx]
	pos := 0
	for n := 0; ; n++ {
		if n&1023 == 0 {
			prog.at(pos)
		}
		at := f.From() + int64(pos)
		rec, err := Decode(f.Data()[pos:], checkCRC && at >= flushedBelow)
		if err != nil {
			if endOfData(f.Data()[pos:]) {
				// Zeros where the next record would start: the normal end of the written data.
				c.log.Debug("commitlog recovery reached the end of the data", "file", f.Path(), "pos", pos)
			} else {
				c.log.Warn("commitlog recovery stops at an invalid record", "file", f.Path(), "pos", pos, "err", err)
			}
			break
		}
		if rec.IsBlank() {
			if idx+1 >= len(files) {
				break // a BLANK in the last file: resume writing at it, as Java does
			}
			if next := files[idx+1].From(); at < flushedBelow && next > flushedBelow {
				return 0, fmt.Errorf("%w: BLANK at %d spans the mark at %d", ErrMarkMismatch, at, flushedBelow)
			}
			prog.fileDone(f.Size())
			idx++
			f = files[idx]
			pos = 0
			continue
		}
		if next := at + int64(rec.TotalSize); at < flushedBelow && next > flushedBelow {
			return 0, fmt.Errorf("%w: record at %d..%d spans the mark at %d", ErrMarkMismatch, at, next, flushedBelow)
		}
		if dispatch != nil {
			dispatch(&rec)
		}
		pos += int(rec.TotalSize)
	}
	end := f.From() + int64(pos)
	if end < flushedBelow {
		return 0, fmt.Errorf("%w: the log ends at %d, before the mark at %d", ErrMarkMismatch, end, flushedBelow)
	}
	c.log.Info("commitlog recovered", "end", end, "files", prog.doneFiles+1, "bytes", prog.doneBytes+int64(pos),
		"elapsed", time.Since(prog.start).Round(time.Millisecond))
	if err := c.q.TruncateDirty(end); err != nil {
		return end, err
	}
	c.mu.Lock()
	c.lastEnd = end
	c.mu.Unlock()
	return end, nil
}

// endOfData reports whether b, the bytes where the next record would start, is the unwritten tail of a
// segment: the end of the file, or a zero TOTALSIZE and MAGICCODE (a segment is zero-filled when created).
func endOfData(b []byte) bool {
	if len(b) < 8 {
		for _, c := range b {
			if c != 0 {
				return false
			}
		}
		return true
	}
	return binary.BigEndian.Uint64(b) == 0
}
