package commitlog

import (
	"errors"
	"fmt"
)

// ErrReplicaOffset means replicated bytes do not start at this log's write position (HA: the slave closes the
// connection and reconnects, reporting its real position).
var ErrReplicaOffset = errors.New("commitlog: replicated data does not start at the write position")

// AppendRaw is the slave side of replication (Java CommitLog.appendData): it copies b, bytes the master read
// from its own CommitLog starting at phy, into this log unchanged (records, partial records and BLANK tails
// alike), so the slave's files end up byte-identical to the master's. b must start exactly at the write
// position (an empty log starts its first file at phy rounded down to the file size, so phy must be a file
// start then) and must not cross the end of a file; a full last file rolls to the next one first. It does not
// check writability: a slave's log refuses puts but takes replicated bytes.
func (c *CommitLog) AppendRaw(phy int64, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	size := int64(c.cfg.MappedFileSize)
	c.mu.Lock()
	err := c.appendRawLocked(phy, b, size)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if c.cfg.OnAppend != nil {
		c.cfg.OnAppend()
	}
	if fl := c.fl.Load(); fl != nil {
		fl.poke()
	}
	return nil
}

func (c *CommitLog) appendRawLocked(phy int64, b []byte, size int64) error {
	if phy < 0 {
		return fmt.Errorf("%w: offset %d is negative", ErrReplicaOffset, phy)
	}
	if last := c.q.Last(); last == nil {
		if phy%size != 0 {
			return fmt.Errorf("%w: the log is empty and offset %d is not the start of a %d-byte file", ErrReplicaOffset, phy, size)
		}
	} else if end := last.From() + int64(last.WrotePos()); end != phy {
		return fmt.Errorf("%w: data at %d, log ends at %d", ErrReplicaOffset, phy, end)
	}
	if phy%size+int64(len(b)) > size {
		return fmt.Errorf("%w: %d bytes at %d cross the end of a %d-byte file", ErrReplicaOffset, len(b), phy, size)
	}
	f, err := c.q.LastOrCreate(phy)
	if err != nil {
		return err
	}
	if at := f.From() + int64(f.WrotePos()); at != phy {
		return fmt.Errorf("%w: data at %d, file %s is written to %d", ErrReplicaOffset, phy, f.Path(), at)
	}
	if !f.Append(b) {
		return fmt.Errorf("commitlog: replicated %d bytes do not fit in %s", len(b), f.Path())
	}
	// lastStoreTs stays: the checkpoint's physic time on a slave comes from dispatch (see the store), since the
	// bytes may end inside a record.
	c.lastEnd = phy + int64(len(b))
	c.lastRec = FlushMark{}
	return nil
}
