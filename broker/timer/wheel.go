package timer

import (
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// slotSize is the size of one wheel slot (see the package comment).
const slotSize = 32

// slot is one wheel slot; firstPos/lastPos are -1 when it is empty.
type slot struct {
	timeMs   int64
	firstPos int64
	lastPos  int64
	num      int32
}

// wheel is the timerwheel file, mapped shared: a write is in the page cache at once (survives kill -9).
// The caller serialises access.
type wheel struct {
	f         *os.File
	data      []byte
	slots     int64
	precision int64
}

func openWheel(path string, slots, precisionMs int64) (*wheel, error) {
	size := slots * slotSize
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("timer: open %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("timer: stat %s: %w", path, err)
	}
	if st.Size() != 0 && st.Size() != size {
		_ = f.Close()
		return nil, fmt.Errorf("timer: %s was written with timerRollWindowSlot=%d, not %d: start with that, or move timerwheel, timerlog/ and config/timercheck away (pending timer messages are then lost)",
			path, st.Size()/slotSize/2, slots/2)
	}
	if err := f.Truncate(size); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("timer: size %s: %w", path, err)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("timer: map %s: %w", path, err)
	}
	return &wheel{f: f, data: data, slots: slots, precision: precisionMs}, nil
}

func (w *wheel) off(timeMs int64) int64 { return (timeMs / w.precision) % w.slots * slotSize }

// get returns the slot of timeMs (a slot start); an entry of another lap reads as empty.
func (w *wheel) get(timeMs int64) slot {
	b := w.data[w.off(timeMs):]
	if int64(binary.BigEndian.Uint64(b)) != timeMs/w.precision {
		return slot{timeMs: timeMs, firstPos: -1, lastPos: -1}
	}
	return slot{
		timeMs:   timeMs,
		firstPos: int64(binary.BigEndian.Uint64(b[8:])),
		lastPos:  int64(binary.BigEndian.Uint64(b[16:])),
		num:      int32(binary.BigEndian.Uint32(b[24:])),
	}
}

func (w *wheel) put(s slot) {
	b := w.data[w.off(s.timeMs):]
	binary.BigEndian.PutUint64(b[8:], uint64(s.firstPos))
	binary.BigEndian.PutUint64(b[16:], uint64(s.lastPos))
	binary.BigEndian.PutUint32(b[24:], uint32(s.num))
	binary.BigEndian.PutUint32(b[28:], 0)
	// The slot's time last: a torn write leaves an entry of another lap, read as empty.
	binary.BigEndian.PutUint64(b, uint64(s.timeMs/w.precision))
}

// link makes pos the head of the slot at timeMs and returns the previous head (-1).
func (w *wheel) link(timeMs, pos int64) int64 {
	s := w.get(timeMs)
	prev := s.lastPos
	if s.firstPos < 0 {
		s.firstPos = pos
	}
	s.lastPos = pos
	s.num++
	w.put(s)
	return prev
}

func (w *wheel) sync() error {
	if err := unix.Msync(w.data, unix.MS_SYNC); err != nil {
		return fmt.Errorf("timer: msync timerwheel: %w", err)
	}
	return nil
}

func (w *wheel) close() error {
	err := w.sync()
	if e := unix.Munmap(w.data); e != nil && err == nil {
		err = e
	}
	w.data = nil
	if e := w.f.Close(); e != nil && err == nil {
		err = e
	}
	return err
}
