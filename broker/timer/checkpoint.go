package timer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
)

const checkpointSize = 40

// checkpoint is config/timercheck (see the package comment).
type checkpoint struct {
	readSlotMs  int64
	timerlogPos int64
	queueOffset int64
	precision   int64
	slots       int32
}

func (c *checkpoint) encode() []byte {
	b := make([]byte, checkpointSize)
	binary.BigEndian.PutUint64(b[0:], uint64(c.readSlotMs))
	binary.BigEndian.PutUint64(b[8:], uint64(c.timerlogPos))
	binary.BigEndian.PutUint64(b[16:], uint64(c.queueOffset))
	binary.BigEndian.PutUint64(b[24:], uint64(c.precision))
	binary.BigEndian.PutUint32(b[32:], uint32(c.slots))
	binary.BigEndian.PutUint32(b[36:], crc32.ChecksumIEEE(b[:36]))
	return b
}

func decodeCheckpoint(b []byte) (checkpoint, error) {
	if len(b) != checkpointSize || binary.BigEndian.Uint32(b[36:]) != crc32.ChecksumIEEE(b[:36]) {
		return checkpoint{}, errors.New("timer: timercheck is not a valid checkpoint (size or crc)")
	}
	return checkpoint{
		readSlotMs:  int64(binary.BigEndian.Uint64(b[0:])),
		timerlogPos: int64(binary.BigEndian.Uint64(b[8:])),
		queueOffset: int64(binary.BigEndian.Uint64(b[16:])),
		precision:   int64(binary.BigEndian.Uint64(b[24:])),
		slots:       int32(binary.BigEndian.Uint32(b[32:])),
	}, nil
}

// readCheckpoint loads path; ok=false when it does not exist.
func readCheckpoint(path string) (checkpoint, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return checkpoint{}, false, nil
	}
	if err != nil {
		return checkpoint{}, false, fmt.Errorf("timer: read %s: %w", path, err)
	}
	c, err := decodeCheckpoint(b)
	if err != nil {
		return checkpoint{}, false, fmt.Errorf("%w: %s (move it away to restart timer delivery from the oldest rmq_sys_wheel_timer message)", err, path)
	}
	return c, true, nil
}

// writeFileAtomic writes b to path through a synced temporary file and a rename.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("timer: write %s: %w", tmp, err)
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return fmt.Errorf("timer: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("timer: fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("timer: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("timer: rename %s: %w", tmp, err)
	}
	return nil
}

// encodeDone / decodeDone are config/timerdone: positions, then a crc32 of them.
func encodeDone(pos []int64) []byte {
	b := make([]byte, len(pos)*8+4)
	for i, p := range pos {
		binary.BigEndian.PutUint64(b[i*8:], uint64(p))
	}
	binary.BigEndian.PutUint32(b[len(pos)*8:], crc32.ChecksumIEEE(b[:len(pos)*8]))
	return b
}

func decodeDone(b []byte) (map[int64]bool, error) {
	if len(b) < 4 || (len(b)-4)%8 != 0 || binary.BigEndian.Uint32(b[len(b)-4:]) != crc32.ChecksumIEEE(b[:len(b)-4]) {
		return nil, errors.New("timer: timerdone is damaged (size or crc); ignored, so the partly delivered slot is delivered again")
	}
	out := make(map[int64]bool, (len(b)-4)/8)
	for i := 0; i+8 <= len(b)-4; i += 8 {
		out[int64(binary.BigEndian.Uint64(b[i:]))] = true
	}
	return out, nil
}
