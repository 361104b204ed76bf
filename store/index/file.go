package index

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store/mmapfile"
)

// Format constants.
const (
	HeaderSize           = 40
	SlotSize             = 4
	EntrySize            = 20
	DefaultMaxHashSlots  = 5_000_000
	DefaultMaxIndexNum   = 20_000_000
	DefaultMaxMsgsBatch  = 64 // maxMsgsNumBatch
	hdrBeginTimestamp    = 0
	hdrEndTimestamp      = 8
	hdrBeginPhyOffset    = 16
	hdrEndPhyOffset      = 24
	hdrHashSlotCount     = 32
	hdrIndexCount        = 36
	invalidIndex         = 0
	timeDiffSecondsScale = 1000
)

// FileSize is the size of an index file for the given counts.
func FileSize(slots, maxIndex int) int { return HeaderSize + slots*SlotSize + maxIndex*EntrySize }

// KeyHash is abs(String.hashCode(key)) with Integer.MIN_VALUE mapped to 0.
func KeyHash(key string) int32 { return absHash(compat.JavaStringHashCode(key)) }

// TopicKeyHash is KeyHash(BuildKey(topic, key)) without building the string.
func TopicKeyHash(topic, key string) int32 {
	h := compat.JavaStringHashCodeFrom(compat.JavaStringHashCode(topic), "#")
	return absHash(compat.JavaStringHashCodeFrom(h, key))
}

func absHash(h int32) int32 {
	if h == math.MinInt32 {
		return 0
	}
	if h < 0 {
		return -h
	}
	return h
}

// BuildKey is topic + "#" + key.
func BuildKey(topic, key string) string { return topic + "#" + key }

// Header is the decoded 40-byte header.
type Header struct {
	BeginTimestamp int64
	EndTimestamp   int64
	BeginPhyOffset int64
	EndPhyOffset   int64
	HashSlotCount  int32
	IndexCount     int32
}

// DecodeHeader reads a header; ok is false if b is short. IndexCount <= 0 reads as 1.
func DecodeHeader(b []byte) (Header, bool) {
	if len(b) < HeaderSize {
		return Header{}, false
	}
	h := Header{
		BeginTimestamp: int64(binary.BigEndian.Uint64(b[hdrBeginTimestamp:])),
		EndTimestamp:   int64(binary.BigEndian.Uint64(b[hdrEndTimestamp:])),
		BeginPhyOffset: int64(binary.BigEndian.Uint64(b[hdrBeginPhyOffset:])),
		EndPhyOffset:   int64(binary.BigEndian.Uint64(b[hdrEndPhyOffset:])),
		HashSlotCount:  int32(binary.BigEndian.Uint32(b[hdrHashSlotCount:])),
		IndexCount:     int32(binary.BigEndian.Uint32(b[hdrIndexCount:])),
	}
	if h.IndexCount <= 0 {
		h.IndexCount = 1
	}
	return h, true
}

// Entry is one decoded entry.
type Entry struct {
	KeyHash   int32
	PhyOffset int64
	TimeDiff  int32
	PrevIndex int32
}

// DecodeEntry reads an entry; ok is false if b is short.
func DecodeEntry(b []byte) (Entry, bool) {
	if len(b) < EntrySize {
		return Entry{}, false
	}
	return Entry{
		KeyHash:   int32(binary.BigEndian.Uint32(b)),
		PhyOffset: int64(binary.BigEndian.Uint64(b[4:])),
		TimeDiff:  int32(binary.BigEndian.Uint32(b[12:])),
		PrevIndex: int32(binary.BigEndian.Uint32(b[16:])),
	}, true
}

// File is one open index file.
type File struct {
	mf       *mmapfile.File
	slots    int
	maxIndex int

	mu  sync.RWMutex // writers (dispatch) vs queries
	hdr Header
}

// Create makes a new index file whose header begins at the previous file's end (Java does the same, so the
// first entry's time diff is relative to it).
func Create(path string, slots, maxIndex int, prevEndPhy, prevEndTs int64) (*File, error) {
	mf, err := mmapfile.Create(path, 0, FileSize(slots, maxIndex))
	if err != nil {
		return nil, err
	}
	f := &File{mf: mf, slots: slots, maxIndex: maxIndex, hdr: Header{IndexCount: 1}}
	if prevEndPhy > 0 {
		f.hdr.BeginPhyOffset, f.hdr.EndPhyOffset = prevEndPhy, prevEndPhy
	}
	if prevEndTs > 0 {
		f.hdr.BeginTimestamp, f.hdr.EndTimestamp = prevEndTs, prevEndTs
	}
	f.writeHeader()
	return f, nil
}

// Open maps an existing index file; its size must match the configured counts.
func Open(path string, slots, maxIndex int) (*File, error) {
	mf, err := mmapfile.Open(path, 0, FileSize(slots, maxIndex))
	if err != nil {
		return nil, fmt.Errorf("%w (index files depend on maxHashSlotNum and maxIndexNum)", err)
	}
	h, _ := DecodeHeader(mf.Data())
	mf.SetWrotePos(mf.Size())
	mf.SetFlushedPos(mf.Size())
	return &File{mf: mf, slots: slots, maxIndex: maxIndex, hdr: h}, nil
}

func (f *File) writeHeader() {
	d := f.mf.Data()
	binary.BigEndian.PutUint64(d[hdrBeginTimestamp:], uint64(f.hdr.BeginTimestamp))
	binary.BigEndian.PutUint64(d[hdrEndTimestamp:], uint64(f.hdr.EndTimestamp))
	binary.BigEndian.PutUint64(d[hdrBeginPhyOffset:], uint64(f.hdr.BeginPhyOffset))
	binary.BigEndian.PutUint64(d[hdrEndPhyOffset:], uint64(f.hdr.EndPhyOffset))
	binary.BigEndian.PutUint32(d[hdrHashSlotCount:], uint32(f.hdr.HashSlotCount))
	binary.BigEndian.PutUint32(d[hdrIndexCount:], uint32(f.hdr.IndexCount))
}

// Path of the file.
func (f *File) Path() string { return f.mf.Path() }

// Header returns a copy of the header.
func (f *File) Header() Header {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.hdr
}

// IsFull reports indexCount >= maxIndexNum.
func (f *File) IsFull() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return int(f.hdr.IndexCount) >= f.maxIndex
}

// Writable is nil unless the file's disk blocks could not be reserved (mmapfile.ErrNoSpace): then it is
// read-only.
func (f *File) Writable() error { return f.mf.Writable() }

// PutKey adds an entry; false if the file is full or not writable.
func (f *File) PutKey(key string, phyOffset, storeTimestamp int64) bool {
	return f.putHash(KeyHash(key), phyOffset, storeTimestamp)
}

// putHash is PutKey with the key's KeyHash already computed.
func (f *File) putHash(hash int32, phyOffset, storeTimestamp int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.hdr.IndexCount
	if int(n) >= f.maxIndex || f.mf.Writable() != nil {
		return false
	}
	d := f.mf.Data()
	slotPos := HeaderSize + int(hash)%f.slots*SlotSize
	slotValue := int32(binary.BigEndian.Uint32(d[slotPos:]))
	if slotValue <= invalidIndex || slotValue > n {
		slotValue = invalidIndex
	}
	var diff int64
	if f.hdr.BeginTimestamp > 0 {
		diff = (storeTimestamp - f.hdr.BeginTimestamp) / timeDiffSecondsScale
		diff = min(max(diff, 0), math.MaxInt32)
	}
	e := d[HeaderSize+f.slots*SlotSize+int(n)*EntrySize:]
	binary.BigEndian.PutUint32(e, uint32(hash))
	binary.BigEndian.PutUint64(e[4:], uint64(phyOffset))
	binary.BigEndian.PutUint32(e[12:], uint32(int32(diff)))
	binary.BigEndian.PutUint32(e[16:], uint32(slotValue))
	binary.BigEndian.PutUint32(d[slotPos:], uint32(n))
	if n <= 1 {
		f.hdr.BeginPhyOffset = phyOffset
		f.hdr.BeginTimestamp = storeTimestamp
	}
	if slotValue == invalidIndex {
		f.hdr.HashSlotCount++
	}
	f.hdr.IndexCount++
	f.hdr.EndPhyOffset = phyOffset
	f.hdr.EndTimestamp = storeTimestamp
	f.writeHeader()
	return true
}

// TimeMatched reports whether [begin, end] overlaps the file's time range (Java isTimeMatched).
func (f *File) TimeMatched(begin, end int64) bool {
	h := f.Header()
	return (begin < h.BeginTimestamp && end > h.EndTimestamp) ||
		(begin >= h.BeginTimestamp && begin <= h.EndTimestamp) ||
		(end >= h.BeginTimestamp && end <= h.EndTimestamp)
}

// SelectPhyOffsets appends to out the physical offsets of entries whose hash equals key's and whose time
// is in [begin, end], newest first, until len(out) reaches maxNum. Hash collisions are not resolved here.
func (f *File) SelectPhyOffsets(out []int64, key string, maxNum int, begin, end int64) []int64 {
	if !f.mf.Hold() {
		return out
	}
	defer f.mf.Release()
	f.mu.RLock()
	defer f.mu.RUnlock()
	d := f.mf.Data()
	hash := KeyHash(key)
	slotPos := HeaderSize + int(hash)%f.slots*SlotSize
	slotValue := int32(binary.BigEndian.Uint32(d[slotPos:]))
	n := f.hdr.IndexCount
	if slotValue <= invalidIndex || slotValue > n || n <= 1 {
		return out
	}
	entries := d[HeaderSize+f.slots*SlotSize:]
	for next, steps := slotValue, 0; steps < f.maxIndex; steps++ {
		if len(out) >= maxNum || int(next) >= f.maxIndex {
			break
		}
		e, ok := DecodeEntry(entries[int(next)*EntrySize:])
		if !ok || e.TimeDiff < 0 {
			break
		}
		t := f.hdr.BeginTimestamp + int64(e.TimeDiff)*timeDiffSecondsScale
		if e.KeyHash == hash && t >= begin && t <= end {
			out = append(out, e.PhyOffset)
		}
		if e.PrevIndex <= invalidIndex || e.PrevIndex > n || e.PrevIndex == next || t < begin {
			break
		}
		next = e.PrevIndex
	}
	return out
}

// Flush msyncs the whole file.
func (f *File) Flush() error {
	f.mf.SetFlushedPos(0)
	_, err := f.mf.Flush(0)
	return err
}

// Close unmaps the file.
func (f *File) Close() { f.mf.Close() }

// Destroy deletes the file.
func (f *File) Destroy() error { return f.mf.Destroy() }
