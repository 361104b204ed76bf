package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"

	"github.com/rocketd/rocketd/store/checkpoint"
	"github.com/rocketd/rocketd/store/commitlog"
	"github.com/rocketd/rocketd/store/consumequeue"
	"github.com/rocketd/rocketd/store/index"
	"github.com/rocketd/rocketd/store/mmapfile"
	"golang.org/x/sys/unix"
)

// VerifyReport is the outcome of VerifyDir.
type VerifyReport struct {
	CommitLogFiles int
	Records        int64
	MinPhyOffset   int64
	MaxPhyOffset   int64  // end of the last valid record
	StopReason     string // the error that ended the CommitLog walk ("" for a zero tail)
	Queues         int
	Units          int64
	IndexFiles     int
	IndexEntries   int64
	AbortPresent   bool
	Problems       []string // at most maxProblems
}

const maxProblems = 100

func (r *VerifyReport) problem(format string, args ...any) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

type recordInfo struct {
	topic       string
	queueID     int32
	queueOffset int64
	size        int32
	sysFlag     int32
	storeTs     int64
}

// VerifyDir checks a store directory read-only, the way a Java broker would read it and more strictly:
// every CommitLog record (CRC included) up to the first invalid one, BLANK tails of full files, records'
// PHYSICALOFFSET against their position, every ConsumeQueue unit against the record it points to (size,
// topic, queue id, QUEUEOFFSET = unit index), index entries pointing at record starts, and checkpoint
// timestamps not ahead of the data. It is meant for tests and for checking a store written by Java (or one
// rocketd wrote before handing it to Java); run it on a stopped broker's directory. It reads every record
// into memory-light maps, so use it on test-sized stores.
func VerifyDir(cfg MessageStoreConfig) (*VerifyReport, error) {
	r := &VerifyReport{}
	if _, err := os.Stat(cfg.abortPath()); err == nil {
		r.AbortPresent = true
	}
	records, maxStoreTs, err := verifyCommitLog(cfg, r)
	if err != nil {
		return r, err
	}
	if err := verifyConsumeQueues(cfg, r, records); err != nil {
		return r, err
	}
	if err := verifyIndex(cfg, r, records); err != nil {
		return r, err
	}
	if b, err := os.ReadFile(cfg.checkpointPath()); err == nil {
		physic, logics, _, ok := checkpoint.Decode(b)
		switch {
		case !ok || len(b) != checkpoint.FileSize:
			r.problem("checkpoint is %d bytes, want %d", len(b), checkpoint.FileSize)
		case physic > maxStoreTs && maxStoreTs > 0:
			r.problem("checkpoint physicMsgTimestamp %d is after the newest record (%d)", physic, maxStoreTs)
		case logics > maxStoreTs && maxStoreTs > 0:
			r.problem("checkpoint logicsMsgTimestamp %d is after the newest record (%d)", logics, maxStoreTs)
		}
	}
	return r, nil
}

func mapReadOnly(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() == 0 {
		return nil, func() {}, nil
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && sys.Blocks*512 < st.Size() {
		// A sparse file (a consume queue reserves blocks as it grows; Java's files are sparse): on tmpfs a
		// fault on a hole of a mapping allocates a page, which on a full filesystem is SIGBUS. read() of a
		// hole does not allocate, so copy only the data ranges; the holes stay zero without being touched.
		b, err := readSparse(f, st.Size())
		return b, func() {}, err
	}
	b, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("store: mmap %s: %w", path, err)
	}
	return b, func() { _ = unix.Munmap(b) }, nil
}

func readSparse(f *os.File, size int64) ([]byte, error) {
	b := make([]byte, size)
	fd := int(f.Fd())
	for pos := int64(0); pos < size; {
		data, err := unix.Seek(fd, pos, unix.SEEK_DATA)
		if err != nil {
			if errors.Is(err, unix.ENXIO) {
				break // only a hole remains
			}
			data = pos // no SEEK_DATA: read everything
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil || hole > size {
			hole = size
		}
		if _, err := f.ReadAt(b[data:hole], data); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("store: read %s: %w", f.Name(), err)
		}
		pos = hole
	}
	return b, nil
}

// segmentNames lists a segment directory, reporting bad names, sizes and gaps.
func segmentNames(dir string, size int, r *VerifyReport) ([]int64, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var offs []int64
	for _, e := range es {
		off, err := mmapfile.ParseFileName(e.Name())
		if err != nil {
			r.problem("%s: %v", dir, err)
			continue
		}
		if info, err := e.Info(); err != nil || info.Size() != int64(size) {
			r.problem("%s: size differs from %d", filepath.Join(dir, e.Name()), size)
			continue
		}
		offs = append(offs, off)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	for i := 1; i < len(offs); i++ {
		if offs[i] != offs[i-1]+int64(size) {
			r.problem("%s: gap between %s and %s", dir, mmapfile.FileName(offs[i-1]), mmapfile.FileName(offs[i]))
		}
	}
	return offs, nil
}

func verifyCommitLog(cfg MessageStoreConfig, r *VerifyReport) (map[int64]recordInfo, int64, error) {
	size := cfg.MappedFileSizeCommitLog
	dir := cfg.commitLogDir()
	offs, err := segmentNames(dir, size, r)
	if err != nil {
		return nil, 0, err
	}
	r.CommitLogFiles = len(offs)
	records := make(map[int64]recordInfo)
	var maxTs int64
	stopped := false
	for i, from := range offs {
		if i == 0 {
			r.MinPhyOffset = from
		}
		data, unmap, err := mapReadOnly(filepath.Join(dir, mmapfile.FileName(from)))
		if err != nil {
			return nil, 0, err
		}
		pos := 0
		for !stopped {
			rec, err := commitlog.Decode(data[pos:], cfg.CheckCRCOnRecover)
			if err != nil {
				if !allZero(data[pos:min(len(data), pos+commitlog.EndFileMinBlank)]) {
					r.StopReason = fmt.Sprintf("%s at offset %d", err, from+int64(pos))
				}
				stopped = true
				if i < len(offs)-1 {
					r.problem("commitlog ends at %d inside %s but later files exist", from+int64(pos), mmapfile.FileName(from))
				}
				r.MaxPhyOffset = from + int64(pos)
				break
			}
			if rec.IsBlank() {
				if int(rec.TotalSize) != size-pos {
					r.problem("BLANK at %d says %d bytes remain, %d do", from+int64(pos), rec.TotalSize, size-pos)
				}
				r.MaxPhyOffset = from + int64(size)
				break
			}
			phy := from + int64(pos)
			if rec.PhysicalOffset != phy {
				r.problem("record at %d has PHYSICALOFFSET %d", phy, rec.PhysicalOffset)
			}
			if size-pos-int(rec.TotalSize) < commitlog.EndFileMinBlank && pos+int(rec.TotalSize) != size {
				r.problem("record at %d leaves fewer than 8 bytes before the end of its file", phy)
			}
			records[phy] = recordInfo{topic: string(rec.Topic), queueID: rec.QueueID, queueOffset: rec.QueueOffset,
				size: rec.TotalSize, sysFlag: rec.SysFlag, storeTs: rec.StoreTimestamp}
			maxTs = max(maxTs, rec.StoreTimestamp)
			r.Records++
			pos += int(rec.TotalSize)
			r.MaxPhyOffset = from + int64(pos)
		}
		unmap()
	}
	return records, maxTs, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func verifyConsumeQueues(cfg MessageStoreConfig, r *VerifyReport, records map[int64]recordInfo) error {
	root := cfg.consumeQueueDir()
	size := consumequeue.RoundFileSize(cfg.MappedFileSizeConsumeQueue)
	topics, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, t := range topics {
		qs, err := os.ReadDir(filepath.Join(root, t.Name()))
		if err != nil {
			return err
		}
		for _, q := range qs {
			qid, err := strconv.ParseInt(q.Name(), 10, 32)
			if err != nil {
				continue
			}
			r.Queues++
			dir := filepath.Join(root, t.Name(), q.Name())
			offs, err := segmentNames(dir, size, r)
			if err != nil {
				return err
			}
			ended := false
			for _, from := range offs {
				data, unmap, err := mapReadOnly(filepath.Join(dir, mmapfile.FileName(from)))
				if err != nil {
					return err
				}
				for p := 0; p+consumequeue.UnitSize <= len(data); p += consumequeue.UnitSize {
					u, _ := consumequeue.DecodeUnit(data[p:])
					idx := (from + int64(p)) / consumequeue.UnitSize
					if !u.Valid() {
						if !allZero(data[p : p+consumequeue.UnitSize]) {
							r.problem("%s: invalid unit %d", dir, idx)
						}
						ended = true
						continue
					}
					if ended {
						r.problem("%s: unit %d follows the end of the queue", dir, idx)
						continue
					}
					if u.PhyOffset == 0 && u.Size == 0x7FFFFFFF {
						continue // pre-blank
					}
					r.Units++
					if u.PhyOffset >= r.MaxPhyOffset {
						r.problem("%s: unit %d points at %d, beyond the commitlog end %d", dir, idx, u.PhyOffset, r.MaxPhyOffset)
						continue
					}
					if u.PhyOffset < r.MinPhyOffset {
						continue // expired commitlog
					}
					rec, ok := records[u.PhyOffset]
					switch {
					case !ok:
						r.problem("%s: unit %d points at %d, not a record start", dir, idx, u.PhyOffset)
					case rec.size != u.Size || rec.topic != t.Name() || rec.queueID != int32(qid) || rec.queueOffset != idx:
						r.problem("%s: unit %d (phy %d size %d) does not match its record (%s/%d offset %d size %d)",
							dir, idx, u.PhyOffset, u.Size, rec.topic, rec.queueID, rec.queueOffset, rec.size)
					}
				}
				unmap()
			}
		}
	}
	return nil
}

func verifyIndex(cfg MessageStoreConfig, r *VerifyReport, records map[int64]recordInfo) error {
	dir := cfg.indexDir()
	es, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	want := index.FileSize(cfg.MaxHashSlotNum, cfg.MaxIndexNum)
	for _, e := range es {
		path := filepath.Join(dir, e.Name())
		if len(e.Name()) != 17 {
			r.problem("%s: index file name is not yyyyMMddHHmmssSSS", path)
		}
		data, unmap, err := mapReadOnly(path)
		if err != nil {
			return err
		}
		r.IndexFiles++
		if len(data) != want {
			r.problem("%s: %d bytes, want %d for maxHashSlotNum/maxIndexNum", path, len(data), want)
			unmap()
			continue
		}
		h, _ := index.DecodeHeader(data)
		if int(h.IndexCount) > cfg.MaxIndexNum {
			r.problem("%s: indexCount %d > maxIndexNum", path, h.IndexCount)
		}
		base := index.HeaderSize + cfg.MaxHashSlotNum*index.SlotSize
		for k := 1; k < int(h.IndexCount) && k < cfg.MaxIndexNum; k++ {
			en, _ := index.DecodeEntry(data[base+k*index.EntrySize:])
			r.IndexEntries++
			if en.PhyOffset >= r.MinPhyOffset && en.PhyOffset < r.MaxPhyOffset {
				if _, ok := records[en.PhyOffset]; !ok {
					r.problem("%s: entry %d points at %d, not a record start", path, k, en.PhyOffset)
				}
			}
		}
		unmap()
	}
	return nil
}
