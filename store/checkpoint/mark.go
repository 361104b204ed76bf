package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"sync"

	"github.com/rocketd/rocketd/store/mmapfile"
)

// MarkFileName is the rocketd-only flush mark beside `checkpoint` in the store root. Java 4.9.8 never lists
// the store root, so it ignores the file; rocketd trusts it only after checking it against the CommitLog.
const MarkFileName = "rocketd-flushmark"

// MarkSize is the mark file's size: one 64-byte block, written in place with one pwrite and an fsync.
const MarkSize = 64

// markMagic is "RDFM" (rocketd flush mark), version 1.
const (
	markMagic   = 0x5244464D
	markVersion = 1
)

// Mark says that the CommitLog bytes below End were made durable (msync) before the mark was written, and
// names the record that ends at End, so that recovery can check that the bytes are still those records:
//
//	off size field
//	  0    4 magic        0x5244464D "RDFM"
//	  4    4 version      1
//	  8    8 end          CommitLog offset; every byte below it was flushed before this mark was written
//	 16    8 lastOffset   PHYSICALOFFSET of the record ending at end (end = lastOffset + lastSize)
//	 24    4 lastSize     its TOTALSIZE
//	 28    4 lastBodyCRC  its BODYCRC field
//	 32    8 lastStoreTs  its STORETIMESTAMP, ms
//	 40   20 zero
//	 60    4 crc          crc32.ChecksumIEEE(bytes 0..59)
//
// All integers are big-endian. A mark that fails its CRC, or whose record is not found at lastOffset with
// the same size, body CRC and store time (and a valid body CRC), is ignored: recovery then checks every
// record it walks, as without the file.
type Mark struct {
	End         int64
	LastOffset  int64
	LastSize    int32
	LastBodyCRC int32
	LastStoreTs int64
}

// Valid reports whether m is self-consistent (it may still not match the CommitLog).
func (m Mark) Valid() bool {
	return m.LastOffset >= 0 && m.LastSize > 0 && m.End == m.LastOffset+int64(m.LastSize)
}

// ErrBadMark means the bytes are not a mark written by rocketd (wrong size, magic, version or CRC).
var ErrBadMark = errors.New("checkpoint: not a valid flush mark")

// EncodeMark returns the 64-byte image of m.
func EncodeMark(m Mark) [MarkSize]byte {
	var b [MarkSize]byte
	binary.BigEndian.PutUint32(b[0:], markMagic)
	binary.BigEndian.PutUint32(b[4:], markVersion)
	binary.BigEndian.PutUint64(b[8:], uint64(m.End))
	binary.BigEndian.PutUint64(b[16:], uint64(m.LastOffset))
	binary.BigEndian.PutUint32(b[24:], uint32(m.LastSize))
	binary.BigEndian.PutUint32(b[28:], uint32(m.LastBodyCRC))
	binary.BigEndian.PutUint64(b[32:], uint64(m.LastStoreTs))
	binary.BigEndian.PutUint32(b[60:], crc32.ChecksumIEEE(b[:60]))
	return b
}

// DecodeMark parses a mark file image.
func DecodeMark(b []byte) (Mark, error) {
	if len(b) != MarkSize {
		return Mark{}, fmt.Errorf("%w: %d bytes, want %d", ErrBadMark, len(b), MarkSize)
	}
	if crc32.ChecksumIEEE(b[:60]) != binary.BigEndian.Uint32(b[60:]) {
		return Mark{}, fmt.Errorf("%w: CRC mismatch", ErrBadMark)
	}
	if binary.BigEndian.Uint32(b[0:]) != markMagic || binary.BigEndian.Uint32(b[4:]) != markVersion {
		return Mark{}, fmt.Errorf("%w: magic or version", ErrBadMark)
	}
	for _, c := range b[40:60] {
		if c != 0 {
			return Mark{}, fmt.Errorf("%w: reserved bytes are not zero", ErrBadMark)
		}
	}
	m := Mark{
		End:         int64(binary.BigEndian.Uint64(b[8:])),
		LastOffset:  int64(binary.BigEndian.Uint64(b[16:])),
		LastSize:    int32(binary.BigEndian.Uint32(b[24:])),
		LastBodyCRC: int32(binary.BigEndian.Uint32(b[28:])),
		LastStoreTs: int64(binary.BigEndian.Uint64(b[32:])),
	}
	if !m.Valid() {
		return Mark{}, fmt.Errorf("%w: end %d is not lastOffset %d + lastSize %d", ErrBadMark, m.End, m.LastOffset, m.LastSize)
	}
	return m, nil
}

// MarkFile is the open mark file.
type MarkFile struct {
	mu      sync.Mutex
	f       *os.File
	written Mark
}

// OpenMark opens (creating it empty if missing) the mark file at path and reads the mark in it. ok is false
// when there is none or it is not valid (a torn or foreign file): the caller must then not trust it.
func OpenMark(path string) (mf *MarkFile, m Mark, ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, Mark{}, false, fmt.Errorf("checkpoint: open %s: %w", path, err)
	}
	var b [MarkSize + 1]byte
	n, _ := f.ReadAt(b[:], 0)
	mf = &MarkFile{f: f}
	if n == MarkSize {
		if m, err = DecodeMark(b[:n]); err == nil {
			mf.written = m
			return mf, m, true, nil
		}
	}
	// No valid mark: make the file 64 zero bytes (not a valid mark) with its blocks reserved, so that later
	// writes overwrite in place and never need a block on a full disk.
	if err := f.Truncate(MarkSize); err != nil {
		f.Close()
		return nil, Mark{}, false, fmt.Errorf("checkpoint: size %s: %w", path, err)
	}
	if err := mmapfile.Reserve(f, 0, MarkSize, false); err != nil {
		slog.Warn("cannot reserve the flush mark's blocks; writing it may fail while the disk is full", "component", "store", "path", path, "err", err)
	}
	return mf, Mark{}, false, nil
}

// Write stores m (if it differs from what the file holds) and makes it durable. Call it only after the
// CommitLog bytes below m.End were flushed.
func (mf *MarkFile) Write(m Mark) error {
	mf.mu.Lock()
	defer mf.mu.Unlock()
	if m == mf.written {
		return nil
	}
	b := EncodeMark(m)
	if _, err := mf.f.WriteAt(b[:], 0); err != nil {
		return fmt.Errorf("checkpoint: write flush mark: %w", err)
	}
	if err := mf.f.Sync(); err != nil {
		return fmt.Errorf("checkpoint: fsync flush mark: %w", err)
	}
	mf.written = m
	return nil
}

// Clear zeroes the mark (no mark: the next abnormal recovery checks every record it walks).
func (mf *MarkFile) Clear() error {
	mf.mu.Lock()
	defer mf.mu.Unlock()
	var zero [MarkSize]byte
	if _, err := mf.f.WriteAt(zero[:], 0); err != nil {
		return fmt.Errorf("checkpoint: clear flush mark: %w", err)
	}
	if err := mf.f.Sync(); err != nil {
		return fmt.Errorf("checkpoint: fsync flush mark: %w", err)
	}
	mf.written = Mark{}
	return nil
}

// Close closes the file.
func (mf *MarkFile) Close() error { return mf.f.Close() }
