package commitlog

import (
	"encoding/binary"
	"time"

	"github.com/rocketd/rocketd/store/mmapfile"
)

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
	return c.walk(files, start, nil)
}

// RecoverAbnormally is the crash path: start at the newest file whose first record is a message with a
// non-zero store time that match accepts (else the first file), validate and dispatch every valid record,
// and cut the log after the last one. It returns the end offset.
func (c *CommitLog) RecoverAbnormally(match func(storeTimestamp int64) bool, dispatch func(rec *Record)) (int64, error) {
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
	c.log.Info("abnormal recovery: walking the commitlog", "from", files[start].Path())
	return c.walk(files, start, dispatch)
}

func (c *CommitLog) walk(files []*mmapfile.File, idx int, dispatch func(rec *Record)) (int64, error) {
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
		rec, err := Decode(f.Data()[pos:], checkCRC)
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
			prog.fileDone(f.Size())
			idx++
			f = files[idx]
			pos = 0
			continue
		}
		if dispatch != nil {
			dispatch(&rec)
		}
		pos += int(rec.TotalSize)
	}
	end := f.From() + int64(pos)
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
