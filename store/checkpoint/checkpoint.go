// Package checkpoint implements the store's `checkpoint` file (store.md §8).
//
// The file is 4096 bytes (one OS page; Java maps exactly that much). Only the first 24 bytes are used,
// three big-endian int64 millisecond timestamps:
//
//	off size field
//	  0    8 physicMsgTimestamp  store time of the newest record covered by a full CommitLog flush
//	  8    8 logicsMsgTimestamp  store time of the newest record dispatched to a ConsumeQueue and flushed
//	 16    8 indexMsgTimestamp   end timestamp of the newest IndexFile that became full (and was flushed)
//	 24 4072 zero
//
// Abnormal recovery starts from min(physic, logics) - 3 s, so a timestamp must never be ahead of data
// that is durable; 0 is always safe (full rescan).
package checkpoint

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"github.com/rocketd/rocketd/store/mmapfile"
)

// FileSize is the on-disk size.
const FileSize = 4096

// Checkpoint is the open file.
type Checkpoint struct {
	f      *os.File
	mu     sync.Mutex
	physic atomic.Int64
	logics atomic.Int64
	index  atomic.Int64
}

// Open opens or creates the file and reads the timestamps.
func Open(path string) (*Checkpoint, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: open %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("checkpoint: stat %s: %w", path, err)
	}
	if st.Size() < FileSize {
		if err := f.Truncate(FileSize); err != nil {
			f.Close()
			return nil, fmt.Errorf("checkpoint: extend %s: %w", path, err)
		}
	}
	// Reserve the blocks now, so that flushing the checkpoint on a full disk still succeeds. A filesystem
	// without fallocate is left as it is (its writes report ENOSPC; they never fault).
	if err := mmapfile.Reserve(f, 0, FileSize, false); err != nil {
		slog.Warn("cannot reserve the checkpoint's blocks; flushing it may fail while the disk is full", "component", "store", "path", path, "err", err)
	}
	var b [24]byte
	if _, err := f.ReadAt(b[:], 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	c := &Checkpoint{f: f}
	c.physic.Store(int64(binary.BigEndian.Uint64(b[0:])))
	c.logics.Store(int64(binary.BigEndian.Uint64(b[8:])))
	c.index.Store(int64(binary.BigEndian.Uint64(b[16:])))
	return c, nil
}

// Decode reads the three timestamps from the first 24 bytes of a checkpoint file image.
func Decode(b []byte) (physic, logics, index int64, ok bool) {
	if len(b) < 24 {
		return 0, 0, 0, false
	}
	return int64(binary.BigEndian.Uint64(b)), int64(binary.BigEndian.Uint64(b[8:])), int64(binary.BigEndian.Uint64(b[16:])), true
}

// PhysicMsgTimestamp getter.
func (c *Checkpoint) PhysicMsgTimestamp() int64 { return c.physic.Load() }

// LogicsMsgTimestamp getter.
func (c *Checkpoint) LogicsMsgTimestamp() int64 { return c.logics.Load() }

// IndexMsgTimestamp getter.
func (c *Checkpoint) IndexMsgTimestamp() int64 { return c.index.Load() }

// SetPhysicMsgTimestamp sets the in-memory value (written by Flush).
func (c *Checkpoint) SetPhysicMsgTimestamp(v int64) { c.physic.Store(v) }

// SetLogicsMsgTimestamp sets the in-memory value (written by Flush).
func (c *Checkpoint) SetLogicsMsgTimestamp(v int64) { c.logics.Store(v) }

// SetIndexMsgTimestamp sets the in-memory value (written by Flush).
func (c *Checkpoint) SetIndexMsgTimestamp(v int64) { c.index.Store(v) }

// MinTimestamp is min(physic, logics) - 3000 ms, floored at 0: where abnormal recovery may start.
func (c *Checkpoint) MinTimestamp() int64 {
	m := min(c.physic.Load(), c.logics.Load()) - 3000
	return max(m, 0)
}

// MinTimestampIndex is min(MinTimestamp, index).
func (c *Checkpoint) MinTimestampIndex() int64 { return min(c.MinTimestamp(), c.index.Load()) }

// Flush writes the three timestamps and fsyncs.
func (c *Checkpoint) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b [24]byte
	binary.BigEndian.PutUint64(b[0:], uint64(c.physic.Load()))
	binary.BigEndian.PutUint64(b[8:], uint64(c.logics.Load()))
	binary.BigEndian.PutUint64(b[16:], uint64(c.index.Load()))
	if _, err := c.f.WriteAt(b[:], 0); err != nil {
		return fmt.Errorf("checkpoint: write: %w", err)
	}
	if err := c.f.Sync(); err != nil {
		return fmt.Errorf("checkpoint: fsync: %w", err)
	}
	return nil
}

// Close flushes and closes the file.
func (c *Checkpoint) Close() error {
	err := c.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	return err
}
