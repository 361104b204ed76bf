package commitlog

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store/mmapfile"
)

// FlushDiskType is flushDiskType.
type FlushDiskType int

// Flush modes.
const (
	AsyncFlush FlushDiskType = iota // ASYNC_FLUSH
	SyncFlush                       // SYNC_FLUSH
)

func (t FlushDiskType) String() string {
	if t == SyncFlush {
		return "SYNC_FLUSH"
	}
	return "ASYNC_FLUSH"
}

// Config of one CommitLog. Durations mirror the Java ms settings named in the comments.
type Config struct {
	Dir                   string        // storePathCommitLog
	MappedFileSize        int           // mappedFileSizeCommitLog
	FlushDiskType         FlushDiskType // flushDiskType
	FlushInterval         time.Duration // flushIntervalCommitLog
	FlushLeastPages       int           // flushCommitLogLeastPages
	FlushThoroughInterval time.Duration // flushCommitLogThoroughInterval
	FlushTimed            bool          // flushCommitLogTimed
	SyncFlushTimeout      time.Duration // syncFlushTimeout
	CheckCRCOnRecover     bool          // checkCRCOnRecover
	Logger                *slog.Logger
	// PrefaultAhead is how many bytes after the write position the flush service keeps populated, so that
	// appends do not take page faults (0: DefaultPrefaultAhead; negative: none). See mmapfile/prefault.go.
	PrefaultAhead int
	// ProgressEvery is the period of "recovery progress" lines while recovery walks the log (0: 5 s).
	ProgressEvery time.Duration

	// OnFlushed receives the store timestamp of the newest record known durable (checkpoint physic time).
	OnFlushed func(storeTimestamp int64)
	// OnAppend is called after each append, outside the lock (the reput service's wake-up).
	OnAppend func()
}

// QueueKey names a consume queue.
type QueueKey struct {
	Topic   string
	QueueID int32
}

// Batch is one append: one or more encoded records of the same topic/queue (Encode / EncodeBatch output).
type Batch struct {
	Buf     []byte
	Topic   string
	QueueID int32
	Count   int
	SysFlag int32
}

// AppendResult describes where a batch went.
type AppendResult struct {
	WroteOffset    int64 // phy offset of the first record
	WroteBytes     int
	LogicsOffset   int64 // queue offset of the first record
	StoreTimestamp int64
	MsgNum         int
}

// CommitLog is the append-only message log.
type CommitLog struct {
	cfg Config
	log *slog.Logger
	q   *mmapfile.Queue

	mu           sync.Mutex // the put lock
	queueOffsets map[QueueKey]int64
	lastEnd      int64     // end offset of the newest record
	lastStoreTs  int64     // its store timestamp
	lastRec      FlushMark // the newest record put by Append (zero after AppendRaw: bytes may end mid-record)
	writable     bool

	fl      atomic.Pointer[flusher]
	durable atomic.Pointer[FlushMark] // the newest FlushMark whose bytes a flush made durable
}

// Open maps the CommitLog files in cfg.Dir (no recovery yet; call RecoverNormally or RecoverAbnormally).
func Open(cfg Config) (*CommitLog, error) {
	if cfg.MappedFileSize < 1024 {
		return nil, fmt.Errorf("commitlog: mappedFileSizeCommitLog %d too small", cfg.MappedFileSize)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &CommitLog{
		cfg:          cfg,
		log:          cfg.Logger.With("component", "store"),
		q:            mmapfile.NewQueue(cfg.Dir, cfg.MappedFileSize),
		queueOffsets: make(map[QueueKey]int64),
	}
	if err := c.q.Load(); err != nil {
		return nil, err
	}
	return c, nil
}

// Queue exposes the segment queue (recovery, retention, tests).
func (c *CommitLog) Queue() *mmapfile.Queue { return c.q }

// MinOffset is the first file's start, or 0 when the log is empty.
func (c *CommitLog) MinOffset() int64 {
	if m := c.q.MinOffset(); m >= 0 {
		return m
	}
	return 0
}

// MaxOffset is the end of the last record (the next write position).
func (c *CommitLog) MaxOffset() int64 { return c.q.MaxOffset() }

// FlushedWhere is the durable offset.
func (c *CommitLog) FlushedWhere() int64 { return c.q.FlushedWhere() }

// RollNextFile returns the start of the file after the one holding offset.
func (c *CommitLog) RollNextFile(offset int64) int64 {
	s := int64(c.cfg.MappedFileSize)
	return offset + s - offset%s
}

// SetQueueOffsets replaces the next-queue-offset table (rebuilt from the consume queues after recovery).
func (c *CommitLog) SetQueueOffsets(m map[QueueKey]int64) {
	c.mu.Lock()
	c.queueOffsets = m
	c.mu.Unlock()
}

// QueueOffset is the next queue offset of topic/queueId.
func (c *CommitLog) QueueOffset(k QueueKey) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queueOffsets[k]
}

// RemoveQueue forgets a queue's counter (topic deletion).
func (c *CommitLog) RemoveQueue(k QueueKey) {
	c.mu.Lock()
	delete(c.queueOffsets, k)
	c.mu.Unlock()
}

// Append writes a batch of encoded records, patching queue offsets, physical offsets and the store
// timestamp, rolling to a new file with a BLANK tail when the batch does not fit.
func (c *CommitLog) Append(b *Batch) (AppendResult, error) {
	c.mu.Lock()
	res, err := c.appendLocked(b)
	c.mu.Unlock()
	if err == nil && c.cfg.OnAppend != nil {
		c.cfg.OnAppend()
	}
	if fl := c.fl.Load(); err == nil && fl != nil {
		fl.poke()
	}
	return res, err
}

func (c *CommitLog) appendLocked(b *Batch) (AppendResult, error) {
	if !c.writable {
		return AppendResult{}, ErrNotWritable
	}
	need := len(b.Buf) + EndFileMinBlank
	if need > c.cfg.MappedFileSize {
		return AppendResult{}, fmt.Errorf("%w: %d bytes, file size %d", ErrMessageTooBig, len(b.Buf), c.cfg.MappedFileSize)
	}
	f, err := c.q.LastOrCreate(0)
	if err == nil {
		err = f.Writable() // a sparse file opened on a full disk: writing to it could SIGBUS
	}
	if err != nil {
		return AppendResult{}, err
	}
	if f.Remaining() < need {
		var blank [8]byte
		binary.BigEndian.PutUint32(blank[:], uint32(f.Remaining()))
		binary.BigEndian.PutUint32(blank[4:], blankMagicU32)
		pos := f.WrotePos()
		copy(f.Data()[pos:], blank[:])
		f.SetWrotePos(f.Size())
		if f, err = c.q.LastOrCreate(0); err != nil {
			return AppendResult{}, err
		}
	}
	now := time.Now().UnixMilli()
	key := QueueKey{b.Topic, b.QueueID}
	advance := true
	switch compat.TransactionValue(b.SysFlag) {
	case compat.TransactionPreparedType, compat.TransactionRollbackType:
		advance = false
	}
	var qOff int64
	if advance {
		qOff = c.queueOffsets[key]
	}
	base := f.From() + int64(f.WrotePos())
	lastAt, lastSize := 0, 0
	for p, i := 0, 0; p < len(b.Buf); i++ {
		if len(b.Buf)-p < 8 {
			return AppendResult{}, fmt.Errorf("%w: batch buffer has %d stray bytes", ErrBadLength, len(b.Buf)-p)
		}
		size := int(int32(binary.BigEndian.Uint32(b.Buf[p:])))
		if size < 8 || size > len(b.Buf)-p {
			return AppendResult{}, fmt.Errorf("%w: record of %d bytes in a %d-byte batch buffer", ErrBadLength, size, len(b.Buf))
		}
		q := int64(0)
		if advance {
			q = qOff + int64(i)
		}
		Patch(b.Buf[p:p+size], q, base+int64(p), now)
		lastAt, lastSize = p, size
		p += size
	}
	if !f.Append(b.Buf) {
		return AppendResult{}, fmt.Errorf("commitlog: append of %d bytes did not fit in %s", len(b.Buf), f.Path())
	}
	if advance {
		c.queueOffsets[key] = qOff + int64(b.Count)
	}
	c.lastEnd = base + int64(len(b.Buf))
	c.lastStoreTs = now
	c.lastRec = FlushMark{End: c.lastEnd, LastOffset: base + int64(lastAt), LastSize: int32(lastSize),
		LastBodyCRC: int32(binary.BigEndian.Uint32(b.Buf[lastAt+posBodyCRC:])), LastStoreTs: now}
	return AppendResult{WroteOffset: base, WroteBytes: len(b.Buf), LogicsOffset: qOff, StoreTimestamp: now, MsgNum: b.Count}, nil
}

func (c *CommitLog) lastAppend() (end, ts int64, rec FlushMark) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastEnd, c.lastStoreTs, c.lastRec
}

// Slice returns size bytes at phy from the mapped file, holding the file: call Release on it when done.
// ok is false if the range is not (or no longer) in a file or not yet written.
func (c *CommitLog) Slice(phy int64, size int) (b []byte, f *mmapfile.File, ok bool) {
	f = c.q.FindByOffset(phy, false)
	if f == nil || size <= 0 || !f.Hold() {
		return nil, nil, false
	}
	pos := int(phy - f.From())
	if pos+size > f.WrotePos() {
		f.Release()
		return nil, nil, false
	}
	return f.Data()[pos : pos+size : pos+size], f, true
}

// ReadFrom returns the written bytes from phy to the write position of its file, holding the file.
func (c *CommitLog) ReadFrom(phy int64) (b []byte, f *mmapfile.File, ok bool) {
	f = c.q.FindByOffset(phy, false)
	if f == nil || !f.Hold() {
		return nil, nil, false
	}
	pos, w := int(phy-f.From()), f.WrotePos()
	if pos >= w {
		f.Release()
		return nil, nil, false
	}
	return f.Data()[pos:w:w], f, true
}

// RecordAt decodes the record at phy (no CRC check) and returns a copy-free view plus the held file.
func (c *CommitLog) RecordAt(phy int64) (Record, *mmapfile.File, error) {
	b, f, ok := c.ReadFrom(phy)
	if !ok {
		return Record{}, nil, fmt.Errorf("%w: %d", ErrOffsetNotFound, phy)
	}
	rec, err := Decode(b, false)
	if err == nil && rec.IsBlank() {
		err = fmt.Errorf("%w: BLANK at %d", ErrBadMagic, phy)
	}
	if err != nil {
		f.Release()
		return Record{}, nil, err
	}
	return rec, f, nil
}

// StoreTimeAt returns the store timestamp of the record at phy (GetOffsetInQueueByTime, earliest time).
func (c *CommitLog) StoreTimeAt(phy int64, size int) (int64, bool) {
	b, f, ok := c.Slice(phy, size)
	if !ok {
		return -1, false
	}
	defer f.Release()
	if len(b) < posSysFlag+4 {
		return -1, false
	}
	sysFlag := int32(binary.BigEndian.Uint32(b[posSysFlag:]))
	p := StoreTimestampPos(sysFlag)
	if len(b) < p+8 {
		return -1, false
	}
	return int64(binary.BigEndian.Uint64(b[p:])), true
}

// SetWritable allows or refuses appends (false until recovery finished, and after shutdown).
func (c *CommitLog) SetWritable(w bool) {
	c.mu.Lock()
	c.writable = w
	c.mu.Unlock()
}

// Close unmaps the files. Stop the flusher first.
func (c *CommitLog) Close() { c.q.Close() }
