package timer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
)

// recSize is the size of one timerlog record (see the package comment).
const recSize = 64

const (
	recMagic = 0x52445401 // "RDT" + version 1
	flagRoll = 1
)

// record is one timerlog record.
type record struct {
	flags       uint32
	prevPos     int64
	slotMs      int64
	dueMs       int64
	phyOffset   int64
	size        int32
	queueOffset int64
	writeMs     int64
}

func (r *record) roll() bool { return r.flags&flagRoll != 0 }

func (r *record) encode(b []byte) {
	_ = b[recSize-1]
	binary.BigEndian.PutUint32(b[0:], recMagic)
	binary.BigEndian.PutUint32(b[4:], r.flags)
	binary.BigEndian.PutUint64(b[8:], uint64(r.prevPos))
	binary.BigEndian.PutUint64(b[16:], uint64(r.slotMs))
	binary.BigEndian.PutUint64(b[24:], uint64(r.dueMs))
	binary.BigEndian.PutUint64(b[32:], uint64(r.phyOffset))
	binary.BigEndian.PutUint32(b[40:], uint32(r.size))
	binary.BigEndian.PutUint64(b[44:], uint64(r.queueOffset))
	binary.BigEndian.PutUint64(b[52:], uint64(r.writeMs))
	binary.BigEndian.PutUint32(b[60:], crc32.ChecksumIEEE(b[:60]))
}

var errBadRecord = errors.New("timer: not a valid timerlog record")

// decodeRecord parses one record; errBadRecord for zero bytes, another magic or a crc mismatch.
func decodeRecord(b []byte) (record, error) {
	if len(b) < recSize || binary.BigEndian.Uint32(b[0:]) != recMagic ||
		binary.BigEndian.Uint32(b[60:]) != crc32.ChecksumIEEE(b[:60]) {
		return record{}, errBadRecord
	}
	r := record{
		flags:       binary.BigEndian.Uint32(b[4:]),
		prevPos:     int64(binary.BigEndian.Uint64(b[8:])),
		slotMs:      int64(binary.BigEndian.Uint64(b[16:])),
		dueMs:       int64(binary.BigEndian.Uint64(b[24:])),
		phyOffset:   int64(binary.BigEndian.Uint64(b[32:])),
		size:        int32(binary.BigEndian.Uint32(b[40:])),
		queueOffset: int64(binary.BigEndian.Uint64(b[44:])),
		writeMs:     int64(binary.BigEndian.Uint64(b[52:])),
	}
	if r.size <= 0 || r.phyOffset < 0 || r.prevPos < -1 {
		return record{}, errBadRecord
	}
	return r, nil
}

// tlogFile is one timerlog file.
type tlogFile struct {
	start int64
	f     *os.File
}

// tlog is the timerlog: files of fileSize bytes named by their start position. Appends come from one
// goroutine; reads from any; the file list is guarded by mu.
type tlog struct {
	dir      string
	fileSize int64

	mu       sync.RWMutex
	files    []tlogFile
	writePos int64
	synced   int64 // everything before is fsynced
}

func openLog(dir string, fileSize int64) (*tlog, error) {
	fileSize -= fileSize % recSize
	if fileSize < recSize {
		return nil, fmt.Errorf("timer: mappedFileSizeTimerLog must hold at least one %d-byte record", recSize)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("timer: create %s: %w", dir, err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("timer: read %s: %w", dir, err)
	}
	l := &tlog{dir: dir, fileSize: fileSize}
	for _, e := range ents {
		start, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || len(e.Name()) != 20 || e.IsDir() {
			continue
		}
		if start%fileSize != 0 {
			l.closeAll()
			return nil, fmt.Errorf("timer: timerlog file %s does not start at a multiple of mappedFileSizeTimerLog=%d: keep the size the files were written with", e.Name(), fileSize)
		}
		f, err := os.OpenFile(filepath.Join(dir, e.Name()), os.O_RDWR, 0)
		if err != nil {
			l.closeAll()
			return nil, fmt.Errorf("timer: open timerlog: %w", err)
		}
		l.files = append(l.files, tlogFile{start: start, f: f})
	}
	slices.SortFunc(l.files, func(a, b tlogFile) int { return int(a.start/fileSize - b.start/fileSize) })
	if len(l.files) > 0 {
		l.writePos = l.files[0].start
	}
	return l, nil
}

func (l *tlog) closeAll() {
	for _, f := range l.files {
		_ = f.f.Close()
	}
	l.files = nil
}

// minPos is the start of the oldest file (the write position when there is none).
func (l *tlog) minPos() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.files) == 0 {
		return l.writePos
	}
	return l.files[0].start
}

// fileAt returns the file holding pos (nil when deleted or not yet created).
func (l *tlog) fileAt(pos int64) *os.File {
	i, ok := slices.BinarySearchFunc(l.files, pos/l.fileSize*l.fileSize, func(f tlogFile, s int64) int {
		switch {
		case f.start < s:
			return -1
		case f.start > s:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return l.files[i].f
}

// read reads the record at pos.
func (l *tlog) read(pos int64, buf []byte) (record, error) {
	l.mu.RLock()
	f := l.fileAt(pos)
	l.mu.RUnlock()
	if f == nil {
		return record{}, fmt.Errorf("timer: timerlog position %d is not in any file", pos)
	}
	if _, err := f.ReadAt(buf[:recSize], pos%l.fileSize); err != nil {
		return record{}, fmt.Errorf("timer: read timerlog at %d: %w", pos, err)
	}
	return decodeRecord(buf)
}

// next returns the position the next record is written at, creating its file when needed.
func (l *tlog) next() (int64, *os.File, error) {
	pos := l.writePos
	if pos%l.fileSize+recSize > l.fileSize {
		pos = (pos/l.fileSize + 1) * l.fileSize
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.fileAt(pos); f != nil {
		return pos, f, nil
	}
	name := filepath.Join(l.dir, fmt.Sprintf("%020d", pos/l.fileSize*l.fileSize))
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return 0, nil, fmt.Errorf("timer: create timerlog file: %w", err)
	}
	if err := f.Truncate(l.fileSize); err != nil {
		_ = f.Close()
		_ = os.Remove(name)
		return 0, nil, fmt.Errorf("timer: size timerlog file %s: %w", name, err)
	}
	l.files = append(l.files, tlogFile{start: pos / l.fileSize * l.fileSize, f: f})
	return pos, f, nil
}

// append writes rec and returns its position. Only the enqueue goroutine (or Open) appends.
func (l *tlog) append(rec *record, buf []byte) (int64, error) {
	pos, f, err := l.next()
	if err != nil {
		return 0, err
	}
	rec.encode(buf[:recSize])
	if _, err := f.WriteAt(buf[:recSize], pos%l.fileSize); err != nil {
		return 0, fmt.Errorf("timer: write timerlog at %d: %w", pos, err)
	}
	l.mu.Lock()
	l.writePos = pos + recSize
	l.mu.Unlock()
	return pos, nil
}

// scan calls fn for each valid record from pos on and returns the position after the last one. A file ends
// at its first invalid record; the log ends at the last file's.
func (l *tlog) scan(pos int64, fn func(pos int64, r record)) int64 {
	buf := make([]byte, recSize)
	l.mu.RLock()
	files := slices.Clone(l.files)
	l.mu.RUnlock()
	if len(files) == 0 {
		return max(pos, 0)
	}
	if pos < files[0].start {
		pos = files[0].start
	}
	end := pos
	for i, tf := range files {
		if tf.start+l.fileSize <= pos {
			continue
		}
		p := max(pos, tf.start)
		for p-tf.start+recSize <= l.fileSize {
			if _, err := tf.f.ReadAt(buf, p-tf.start); err != nil {
				break
			}
			r, err := decodeRecord(buf)
			if err != nil {
				break
			}
			fn(p, r)
			p += recSize
			end = p
		}
		if i == len(files)-1 && end < tf.start {
			end = tf.start
		}
	}
	return end
}

// sync fsyncs the files written since the last sync and returns the position everything before is durable.
func (l *tlog) sync() (int64, error) {
	l.mu.RLock()
	pos := l.writePos
	var fs []*os.File
	for _, tf := range l.files {
		if tf.start+l.fileSize > l.synced {
			fs = append(fs, tf.f)
		}
	}
	l.mu.RUnlock()
	for _, f := range fs {
		if err := f.Sync(); err != nil {
			return 0, fmt.Errorf("timer: fsync timerlog: %w", err)
		}
	}
	l.mu.Lock()
	l.synced = pos
	l.mu.Unlock()
	return pos, nil
}

// deleteBefore removes the files that end at or before pos, never the one being written.
func (l *tlog) deleteBefore(pos int64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for len(l.files) > 1 && l.files[0].start+l.fileSize <= pos && l.files[0].start+l.fileSize <= l.writePos {
		name := l.files[0].f.Name()
		_ = l.files[0].f.Close()
		_ = os.Remove(name)
		l.files = l.files[1:]
		n++
	}
	return n
}

// oldestFileEnd returns the last record of the oldest file when it is not the file being written.
func (l *tlog) oldestFileLast() (record, bool) {
	l.mu.RLock()
	if len(l.files) < 2 {
		l.mu.RUnlock()
		return record{}, false
	}
	f := l.files[0].f
	l.mu.RUnlock()
	buf := make([]byte, recSize)
	if _, err := f.ReadAt(buf, l.fileSize-recSize); err != nil {
		return record{}, false
	}
	r, err := decodeRecord(buf)
	return r, err == nil
}

func (l *tlog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first error
	for _, tf := range l.files {
		if err := tf.f.Sync(); err != nil && first == nil {
			first = err
		}
		if err := tf.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	l.files = nil
	return first
}
