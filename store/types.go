package store

import (
	"errors"
	"net/netip"
	"unsafe"

	"github.com/rocketd/rocketd/store/mmapfile"
)

// Sentinel errors, usable with errors.Is.
var (
	ErrLocked       = errors.New("store: the store directory is locked by another broker")
	ErrShutdown     = errors.New("store: message store is shut down")
	ErrNotFound     = errors.New("store: no message at that offset")
	ErrBadConfig    = errors.New("store: bad configuration")
	ErrNotStarted   = errors.New("store: message store not started")
	ErrStoreCorrupt = errors.New("store: store files are inconsistent")
)

// Message is one message to store (Java MessageExtBrokerInner).
type Message struct {
	Topic   string
	QueueID int32
	Flag    int32
	Body    []byte
	// Properties is the in-memory property map (WAIT, DELAY and the TIMER_* keys are read from it). It may be
	// nil when PropertiesString is set: the store then reads DELAY and TIMER_* from PropertiesString (and
	// decodes it only for a message it redirects), and WAIT counts as absent (set SkipFlushWait for a message
	// that must not wait).
	Properties map[string]string
	// PropertiesString, when set, is stored verbatim (the broker encodes it with WAIT stripped, as Java
	// does); otherwise Properties is encoded. A delayed message is always re-encoded from Properties. The
	// store does not keep it (nor Body) once PutMessage returned.
	PropertiesString          string
	SysFlag                   int32
	BornTimestamp             int64
	BornHost                  netip.AddrPort
	StoreHost                 netip.AddrPort
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
	// SkipFlushWait: return once appended even under SYNC_FLUSH with WAIT; the caller waits with WaitDurable
	// off its worker, so one flush covers every send in flight (Java completes such sends asynchronously).
	SkipFlushWait bool
	// NoMsgID leaves PutResult.MsgID empty: the caller builds the offset message id itself where it needs it
	// (compat.AppendOffsetMessageID of StoreHost and PutResult.WroteOffset), without a string per put.
	NoMsgID bool
}

// MessageBatch is a client batch (MessageExtBatch): Body holds the client-encoded inner messages.
type MessageBatch struct {
	Topic            string
	QueueID          int32
	Body             []byte
	Properties       map[string]string // batch-level; appended to every inner message
	PropertiesString string
	SysFlag          int32
	BornTimestamp    int64
	BornHost         netip.AddrPort
	StoreHost        netip.AddrPort
	SkipFlushWait    bool // as Message.SkipFlushWait
}

// PutMessageStatus mirrors Java's PutMessageStatus.
type PutMessageStatus int

// Put statuses (Java names).
const (
	PutOK PutMessageStatus = iota
	FlushDiskTimeout
	FlushSlaveTimeout
	SlaveNotAvailable
	ServiceNotAvailable
	CreateMappedFileFailed
	MessageIllegal
	PropertiesSizeExceeded
	OSPageCacheBusy
	UnknownError
	LMQConsumeQueueNumExceeded
	WheelTimerNotEnable  // a TIMER_* message while timerWheelEnable=false (5.x WHEEL_TIMER_NOT_ENABLE)
	WheelTimerMsgIllegal // a TIMER_* value that is not a number or beyond timerMaxDelaySec (5.x WHEEL_TIMER_MSG_ILLEGAL)
)

var putStatusNames = [...]string{"PUT_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE",
	"SERVICE_NOT_AVAILABLE", "CREATE_MAPEDFILE_FAILED", "MESSAGE_ILLEGAL", "PROPERTIES_SIZE_EXCEEDED",
	"OS_PAGECACHE_BUSY", "UNKNOWN_ERROR", "LMQ_CONSUME_QUEUE_NUM_EXCEEDED", "WHEEL_TIMER_NOT_ENABLE",
	"WHEEL_TIMER_MSG_ILLEGAL"}

func (s PutMessageStatus) String() string {
	if int(s) < len(putStatusNames) {
		return putStatusNames[s]
	}
	return "UNKNOWN"
}

// PutResult is the outcome of a put. Err explains a non-OK status.
type PutResult struct {
	Status         PutMessageStatus
	Err            error
	MsgID          string // offset message id(s), comma-joined for a batch
	WroteOffset    int64
	WroteBytes     int
	LogicsOffset   int64
	StoreTimestamp int64
	MsgNum         int
}

// OK reports a status where the message is stored (PUT_OK and the timeouts).
func (r PutResult) OK() bool {
	switch r.Status {
	case PutOK, FlushDiskTimeout, FlushSlaveTimeout, SlaveNotAvailable:
		return true
	}
	return false
}

// GetMessageStatus mirrors Java's GetMessageStatus.
type GetMessageStatus int

// Get statuses (Java names).
const (
	Found GetMessageStatus = iota
	NoMatchedMessage
	MessageWasRemoving
	OffsetFoundNull
	OffsetOverflowBadly
	OffsetOverflowOne
	OffsetTooSmall
	NoMatchedLogicQueue
	NoMessageInQueue
)

var getStatusNames = [...]string{"FOUND", "NO_MATCHED_MESSAGE", "MESSAGE_WAS_REMOVING", "OFFSET_FOUND_NULL",
	"OFFSET_OVERFLOW_BADLY", "OFFSET_OVERFLOW_ONE", "OFFSET_TOO_SMALL", "NO_MATCHED_LOGIC_QUEUE", "NO_MESSAGE_IN_QUEUE"}

func (s GetMessageStatus) String() string {
	if int(s) < len(getStatusNames) {
		return getStatusNames[s]
	}
	return "UNKNOWN"
}

// MessageFilter decides which units/records a pull returns (Java MessageFilter without the ext unit).
type MessageFilter interface {
	// IsMatchedByConsumeQueue sees the CQ tags code.
	IsMatchedByConsumeQueue(tagsCode int64) bool
	// IsMatchedByCommitLog sees the whole record (SQL92 filters); return true when not needed.
	IsMatchedByCommitLog(record []byte) bool
}

// GetMessageResult holds record bytes that alias the mapped CommitLog: call Release when they have been
// written out (or copied).
type GetMessageResult struct {
	Status                  GetMessageStatus
	NextBeginOffset         int64
	MinOffset               int64
	MaxOffset               int64
	Messages                [][]byte // whole records, in queue order
	QueueOffsets            []int64  // queue offset of each message
	BufferTotalSize         int
	SuggestPullingFromSlave bool

	held []*mmapfile.File // the files Messages live in, one reference each

	// Room for a pull's usual answer (32 records), so that a pull allocates the result only.
	msgBuf  [32][]byte
	offBuf  [32]int64
	heldBuf [2]*mmapfile.File
	segBuf  [32][]byte
}

// MessageCount is len(Messages).
func (r *GetMessageResult) MessageCount() int { return len(r.Messages) }

// TakeBody hands the records over as the body of a pull response, laid out as Java's (the stored records
// concatenated, in queue order) without copying them: segs are the records, where consecutive records that
// lie next to each other in one mapped file are merged into one slice (a queue written in batches is
// usually one slice per file). The mapped files stay pinned until release is called (exactly once, e.g.
// by the connection once the bytes are written): a file deleted meanwhile (retention, a forced clean-up)
// is unmapped at the last release. release must be called exactly once. r keeps its counts and offsets, but no longer its Messages, and its
// Release does nothing after this. Nil segs (and a no-op release) when nothing was found.
func (r *GetMessageResult) TakeBody() (segs [][]byte, release func()) {
	if len(r.Messages) == 0 {
		r.Release()
		return nil, func() {}
	}
	segs = r.segBuf[:0] // the segments keep r alive until they are dropped
	var last *mmapfile.File
	for _, m := range r.Messages {
		f := r.fileOf(m)
		if n := len(segs); n > 0 && f != nil && f == last && adjacent(segs[n-1], m) {
			segs[n-1] = unsafe.Slice(unsafe.SliceData(segs[n-1]), len(segs[n-1])+len(m))
			continue
		}
		segs = append(segs, m)
		last = f
	}
	held := r.held
	r.held, r.Messages = nil, nil
	return segs, func() {
		for _, f := range held {
			f.Release()
		}
	}
}

// fileOf is the held file whose mapping holds m (nil if none does).
func (r *GetMessageResult) fileOf(m []byte) *mmapfile.File {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	for _, f := range r.held {
		d := f.Data()
		if start := uintptr(unsafe.Pointer(unsafe.SliceData(d))); p >= start && p+uintptr(len(m)) <= start+uintptr(len(d)) {
			return f
		}
	}
	return nil
}

// adjacent reports whether b starts right where a ends (both from one mapping).
func adjacent(a, b []byte) bool {
	return len(a) > 0 && len(b) > 0 && unsafe.Add(unsafe.Pointer(unsafe.SliceData(a)), len(a)) == unsafe.Pointer(unsafe.SliceData(b))
}

// Release lets the store unmap files the messages live in. Messages must not be used afterwards.
func (r *GetMessageResult) Release() {
	for _, f := range r.held {
		f.Release()
	}
	r.held = nil
	r.Messages = nil
}

// QueryMessageResult is the outcome of QueryMessage; Messages are copies.
type QueryMessageResult struct {
	Messages                 [][]byte
	IndexLastUpdateTimestamp int64
	IndexLastUpdatePhyOffset int64
	BufferTotalSize          int
}

// DispatchInfo describes one ConsumeQueue unit just dispatched (the long-polling hook).
type DispatchInfo struct {
	Topic          string
	QueueID        int32
	QueueOffset    int64 // the unit's logical offset; the queue's max offset is now QueueOffset+1
	TagsCode       int64
	StoreTimestamp int64
	PhyOffset      int64
	Size           int32
	Properties     string
}

// ArrivingListener is called from the dispatch goroutine for every ConsumeQueue unit; it must not block.
// info, and its Properties (which alias the mapped CommitLog), are valid only during the call: copy what you
// keep (a copy of *info is fine, but copy Properties with strings.Clone).
type ArrivingListener func(info *DispatchInfo)
