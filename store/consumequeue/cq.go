package consumequeue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/rocketd/rocketd/store/mmapfile"
)

// Format constants.
const (
	UnitSize        = 20        // CQ_STORE_UNIT_SIZE
	DefaultFileSize = 6_000_000 // 300,000 units
	preBlankSize    = math.MaxInt32
)

// ErrPut means a unit could not be written (no file could be created).
var ErrPut = errors.New("consumequeue: cannot write unit")

// RoundFileSize rounds mappedFileSizeConsumeQueue up to a multiple of 20, as Java does.
func RoundFileSize(n int) int {
	if n <= 0 {
		return DefaultFileSize
	}
	return (n + UnitSize - 1) / UnitSize * UnitSize
}

// Unit is one decoded unit.
type Unit struct {
	PhyOffset int64
	Size      int32
	TagsCode  int64
}

// preBlank reports the filler unit (0, 0x7FFFFFFF, 0). Java lets it set maxPhysicOffset to 2^31-1 when a
// file holds nothing else, which would make dispatch skip every later record below 2 GiB; we ignore it.
func (u Unit) preBlank() bool { return u.PhyOffset == 0 && u.Size == preBlankSize }

// Valid reports Java's unit validity rule.
func (u Unit) Valid() bool { return u.PhyOffset >= 0 && u.Size > 0 }

// DecodeUnit reads the unit at b[0:20]; ok is false if b is shorter. It never panics.
func DecodeUnit(b []byte) (Unit, bool) {
	if len(b) < UnitSize {
		return Unit{}, false
	}
	return Unit{
		PhyOffset: int64(binary.BigEndian.Uint64(b)),
		Size:      int32(binary.BigEndian.Uint32(b[8:])),
		TagsCode:  int64(binary.BigEndian.Uint64(b[12:])),
	}, true
}

// PutUnitBytes encodes u into b[0:20].
func PutUnitBytes(b []byte, u Unit) {
	binary.BigEndian.PutUint64(b, uint64(u.PhyOffset))
	binary.BigEndian.PutUint32(b[8:], uint32(u.Size))
	binary.BigEndian.PutUint64(b[12:], uint64(u.TagsCode))
}

// ConsumeQueue is one topic/queue.
type ConsumeQueue struct {
	topic    string
	queueID  int32
	fileSize int
	q        *mmapfile.Queue
	log      *slog.Logger

	mu              sync.Mutex // serialises writers (dispatch, truncation)
	firstCreated    bool
	maxPhysicOffset atomic.Int64 // phy+size of the last unit, -1 if none
	minLogicOffset  atomic.Int64 // bytes
}

// reserveChunk is how much disk a consume queue file reserves at a time (3,276 units).
const reserveChunk = 64 << 10

// New returns the queue rooted at root/<topic>/<queueId>; call Load.
func New(root, topic string, queueID int32, fileSize int, log *slog.Logger) *ConsumeQueue {
	if log == nil {
		log = slog.Default()
	}
	fileSize = RoundFileSize(fileSize)
	dir := filepath.Join(root, topic, strconv.Itoa(int(queueID)))
	cq := &ConsumeQueue{topic: topic, queueID: queueID, fileSize: fileSize, q: mmapfile.NewQueue(dir, fileSize),
		log: log.With("component", "store", "topic", topic, "queueId", queueID)}
	// A broker has thousands of queues, most files mostly empty: reserve their blocks as units are written.
	cq.q.ReserveLazily(reserveChunk)
	cq.maxPhysicOffset.Store(-1)
	return cq
}

// Topic of the queue.
func (cq *ConsumeQueue) Topic() string { return cq.topic }

// QueueID of the queue.
func (cq *ConsumeQueue) QueueID() int32 { return cq.queueID }

// Files exposes the segment queue.
func (cq *ConsumeQueue) Files() *mmapfile.Queue { return cq.q }

// Load maps the existing files.
func (cq *ConsumeQueue) Load() error { return cq.q.Load() }

// MaxPhysicOffset is the CommitLog end offset covered by the last unit (-1 if none).
func (cq *ConsumeQueue) MaxPhysicOffset() int64 { return cq.maxPhysicOffset.Load() }

// MinOffset is the smallest readable logical offset (unit index).
func (cq *ConsumeQueue) MinOffset() int64 { return cq.minLogicOffset.Load() / UnitSize }

// MaxOffset is the next logical offset to be written.
func (cq *ConsumeQueue) MaxOffset() int64 { return cq.q.MaxOffset() / UnitSize }

// RollNextFile is the first unit index of the file after the one holding index.
func (cq *ConsumeQueue) RollNextFile(index int64) int64 {
	per := int64(cq.fileSize / UnitSize)
	return index + per - index%per
}

// Recover scans from the third-last file while units are valid and cuts the queue after the last valid
// one (later files deleted, tail zeroed).
func (cq *ConsumeQueue) Recover() error {
	cq.mu.Lock()
	defer cq.mu.Unlock()
	files := cq.q.Files()
	if len(files) == 0 {
		return nil
	}
	idx := len(files) - 3
	if idx < 0 {
		idx = 0
	}
	f := files[idx]
	pos := 0
	maxPhy := int64(-1)
	for {
		d := f.Data()
		for pos = 0; pos < cq.fileSize; pos += UnitSize {
			u, _ := DecodeUnit(d[pos:])
			if !u.Valid() {
				break
			}
			if !u.preBlank() {
				maxPhy = u.PhyOffset + int64(u.Size)
			}
		}
		if pos == cq.fileSize && idx+1 < len(files) {
			idx++
			f = files[idx]
			continue
		}
		break
	}
	end := f.From() + int64(pos)
	if maxPhy >= 0 {
		cq.maxPhysicOffset.Store(maxPhy)
	}
	return cq.q.TruncateDirty(end)
}

// PutUnit appends the unit for queue offset cqOffset, following Java's rules: units already covered
// (phy+size <= max physic offset) or behind the write position are skipped; a gap is logged and the unit is
// written at the current position anyway (Java does the same); the first file of a queue created at a
// non-zero offset is pre-filled with pre-blank units.
func (cq *ConsumeQueue) PutUnit(phy int64, size int32, tagsCode int64, cqOffset int64) error {
	cq.mu.Lock()
	defer cq.mu.Unlock()
	if phy+int64(size) <= cq.maxPhysicOffset.Load() {
		return nil
	}
	expect := cqOffset * UnitSize
	empty := cq.q.Len() == 0
	f, err := cq.q.LastOrCreate(expect)
	if err == nil {
		err = f.Ensure(f.WrotePos() + UnitSize)
	}
	if err != nil {
		return fmt.Errorf("%w: %s/%d: %w", ErrPut, cq.topic, cq.queueID, err)
	}
	if empty {
		cq.firstCreated = true
	}
	if cq.firstCreated && cqOffset != 0 && f.WrotePos() == 0 && cq.q.Len() == 1 {
		cq.minLogicOffset.Store(expect)
		blank := int(expect % int64(cq.fileSize))
		if err := f.Ensure(blank + UnitSize); err != nil {
			return fmt.Errorf("%w: %s/%d: %w", ErrPut, cq.topic, cq.queueID, err)
		}
		var u [UnitSize]byte
		PutUnitBytes(u[:], Unit{PhyOffset: 0, Size: preBlankSize})
		d := f.Data()
		for p := 0; p < blank; p += UnitSize {
			copy(d[p:], u[:])
		}
		f.SetWrotePos(blank)
		f.SetFlushedPos(0)
	}
	if cqOffset != 0 {
		cur := f.From() + int64(f.WrotePos())
		if expect < cur {
			return nil // built repeatedly
		}
		if expect != cur {
			cq.log.Warn("[BUG] logic queue order maybe wrong", "expectLogicOffset", expect, "currentLogicOffset", cur)
		}
	}
	var u [UnitSize]byte
	PutUnitBytes(u[:], Unit{PhyOffset: phy, Size: size, TagsCode: tagsCode})
	if !f.Append(u[:]) {
		return fmt.Errorf("%w: %s/%d: file %s full", ErrPut, cq.topic, cq.queueID, f.Path())
	}
	cq.maxPhysicOffset.Store(phy + int64(size))
	return nil
}

// Units returns the written units of one file starting at unit index, holding the file (Release it).
// ok is false if index is not in a file or not yet written.
func (cq *ConsumeQueue) Units(index int64) (b []byte, f *mmapfile.File, ok bool) {
	off := index * UnitSize
	if index < 0 || off < cq.minLogicOffset.Load() {
		return nil, nil, false
	}
	f = cq.q.FindByOffset(off, false)
	if f == nil || !f.Hold() {
		return nil, nil, false
	}
	pos, w := int(off-f.From()), f.WrotePos()
	if pos >= w {
		f.Release()
		return nil, nil, false
	}
	return f.Data()[pos:w:w], f, true
}

// UnitAt returns the unit at index.
func (cq *ConsumeQueue) UnitAt(index int64) (Unit, bool) {
	b, f, ok := cq.Units(index)
	if !ok {
		return Unit{}, false
	}
	defer f.Release()
	return DecodeUnit(b)
}

// CorrectMinOffset sets the min logical offset to the first unit of the first file whose physical offset is
// >= the CommitLog min offset. Pre-blank units never qualify.
func (cq *ConsumeQueue) CorrectMinOffset(phyMin int64) {
	f := cq.q.First()
	if f == nil || !f.Hold() {
		return
	}
	defer f.Release()
	d := f.Data()[:f.WrotePos()]
	for p := 0; p+UnitSize <= len(d); p += UnitSize {
		u, _ := DecodeUnit(d[p:])
		if u.preBlank() {
			continue
		}
		if u.PhyOffset >= phyMin {
			cq.minLogicOffset.Store(f.From() + int64(p))
			return
		}
	}
}

// TruncateByPhy drops every unit whose physical offset is >= phy (files whose first unit is beyond are
// deleted; the tail of the cut file is zeroed).
func (cq *ConsumeQueue) TruncateByPhy(phy int64) error {
	cq.mu.Lock()
	defer cq.mu.Unlock()
	cq.maxPhysicOffset.Store(phy)
	files := cq.q.Files()
	for i := len(files) - 1; i >= 0; i-- {
		f := files[i]
		d := f.Data()
		first, _ := DecodeUnit(d)
		if first.PhyOffset >= phy {
			if err := cq.q.TruncateDirty(f.From()); err != nil {
				return err
			}
			continue
		}
		pos := 0
		maxPhy := int64(-1)
		for p := 0; p < cq.fileSize; p += UnitSize {
			u, _ := DecodeUnit(d[p:])
			if !u.Valid() || (p > 0 && u.PhyOffset >= phy) {
				break
			}
			pos = p + UnitSize
			if !u.preBlank() {
				maxPhy = u.PhyOffset + int64(u.Size)
			}
		}
		if maxPhy >= 0 {
			cq.maxPhysicOffset.Store(maxPhy)
		}
		return cq.q.TruncateDirty(f.From() + int64(pos))
	}
	return nil
}

// Flush msyncs dirty units (leastPages 0 = all).
func (cq *ConsumeQueue) Flush(leastPages int) error {
	_, err := cq.q.Flush(leastPages)
	return err
}

// Close unmaps the files.
func (cq *ConsumeQueue) Close() { cq.q.Close() }

// Destroy deletes the queue's files.
func (cq *ConsumeQueue) Destroy() error {
	cq.mu.Lock()
	defer cq.mu.Unlock()
	cq.maxPhysicOffset.Store(-1)
	cq.minLogicOffset.Store(0)
	cq.firstCreated = false
	return cq.q.Destroy()
}

// DeleteExpired is Java's ConsumeQueue.deleteExpiredFile after a CommitLog deletion: oldest first, whole
// files (never the last) whose last unit points below phyMin are deleted, stopping at the first file that
// still indexes live data; then the min offset is recomputed. It returns how many files were deleted.
func (cq *ConsumeQueue) DeleteExpired(phyMin int64) (int, error) {
	cq.mu.Lock()
	files := cq.q.Files()
	n := 0
	for i := 0; i < len(files)-1; i++ {
		f := files[i]
		if !f.Hold() {
			break
		}
		u, ok := DecodeUnit(f.Data()[f.Size()-UnitSize:])
		f.Release()
		if !ok || u.PhyOffset >= phyMin {
			break
		}
		n++
	}
	err := cq.q.DeleteFirst(n)
	cq.mu.Unlock()
	if n > 0 {
		cq.log.Info("deleted expired consume queue files", "files", n, "commitLogMinOffset", phyMin)
	}
	cq.CorrectMinOffset(phyMin)
	return n, err
}
