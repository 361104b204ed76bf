package commitlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/rocketd/rocketd/compat"
)

// Format constants; they are part of the on-disk format.
const (
	MessageMagicCode    int32 = -626843481 // 0xDAA320A7
	BlankMagicCode      int32 = -875286124 // 0xCBD43194
	MessageMagicCodeV2  int32 = -626843477 // 0xDAA320AB, 5.x only; illegal in 4.9.8
	EndFileMinBlank           = 8          // END_FILE_MIN_BLANK_LENGTH
	MaxTopicLength            = 127
	MaxPropertiesLength       = 32767

	messageMagicU32 uint32 = 0xDAA320A7
	blankMagicU32   uint32 = 0xCBD43194

	posMagic       = 4
	posBodyCRC     = 8
	posQueueID     = 12
	posFlag        = 16
	posQueueOffset = 20
	posPhyOffset   = 28
	posSysFlag     = 36
	posBornTs      = 40
	posBornHost    = 48
)

// Sentinel errors, usable with errors.Is.
var (
	ErrTruncated      = errors.New("commitlog: record runs past the end of the data")
	ErrBadMagic       = errors.New("commitlog: illegal magic code")
	ErrBadCRC         = errors.New("commitlog: body CRC mismatch")
	ErrBadLength      = errors.New("commitlog: TOTALSIZE differs from the recomputed length")
	ErrTopicTooLong   = errors.New("commitlog: topic longer than 127 bytes")
	ErrPropsTooLong   = errors.New("commitlog: properties longer than 32767 bytes")
	ErrBodyTooLarge   = errors.New("commitlog: message body exceeds maxMessageSize")
	ErrBadBatch       = errors.New("commitlog: malformed batch body")
	ErrMessageTooBig  = errors.New("commitlog: record larger than a CommitLog file")
	ErrNotWritable    = errors.New("commitlog: store is not writable")
	ErrOffsetNotFound = errors.New("commitlog: offset not in any CommitLog file")
)

func hostSize(sysFlag, v6bit int32) int {
	if sysFlag&v6bit != 0 {
		return 20
	}
	return 8
}

// RecordLength is Java's calMsgLength: the exact TOTALSIZE for the given field lengths.
func RecordLength(sysFlag int32, bodyLen, topicLen, propsLen int) int {
	return 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 +
		hostSize(sysFlag, compat.BornHostV6Flag) + 8 +
		hostSize(sysFlag, compat.StoreHostAddressV6Flag) +
		4 + 8 + 4 + bodyLen + 1 + topicLen + 2 + propsLen
}

// BodyCRC is the stored body checksum: CRC32-IEEE masked with 0x7FFFFFFF.
func BodyCRC(body []byte) int32 {
	if len(body) == 0 {
		return 0
	}
	return int32(crc32.ChecksumIEEE(body) & 0x7FFFFFFF)
}

// StoreTimestampPos is the position of STORETIMESTAMP for a record with this SYSFLAG (56 or 68).
func StoreTimestampPos(sysFlag int32) int {
	return posBornHost + hostSize(sysFlag, compat.BornHostV6Flag)
}

// Record is a decoded view of one record; the byte slices alias the buffer it was decoded from.
type Record struct {
	TotalSize                 int32
	Magic                     int32
	BodyCRC                   int32
	QueueID                   int32
	Flag                      int32
	QueueOffset               int64
	PhysicalOffset            int64
	SysFlag                   int32
	BornTimestamp             int64
	BornHost                  []byte // 8 or 20 bytes: address + port
	StoreTimestamp            int64
	StoreHost                 []byte
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
	Body                      []byte
	Topic                     []byte
	Properties                []byte
}

// IsBlank reports a BLANK end-of-file header.
func (r *Record) IsBlank() bool { return r.Magic == BlankMagicCode }

// MsgID appends the offset message id of the record (store host + PHYSICALOFFSET).
func (r *Record) MsgID(dst []byte) []byte {
	return compat.OffsetMessageIDFromRaw(dst, r.StoreHost, r.PhysicalOffset)
}

type reader struct {
	b   []byte
	pos int
	err bool
}

func (r *reader) need(n int) bool {
	if r.err || n < 0 || len(r.b)-r.pos < n {
		r.err = true
		return false
	}
	return true
}

func (r *reader) i32() int32 {
	if !r.need(4) {
		return 0
	}
	v := int32(binary.BigEndian.Uint32(r.b[r.pos:]))
	r.pos += 4
	return v
}

func (r *reader) i64() int64 {
	if !r.need(8) {
		return 0
	}
	v := int64(binary.BigEndian.Uint64(r.b[r.pos:]))
	r.pos += 8
	return v
}

func (r *reader) bytes(n int) []byte {
	if !r.need(n) {
		return nil
	}
	v := r.b[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return v
}

// Decode parses the record at the start of buf (buf may extend to the end of the segment). A BLANK header
// decodes with IsBlank() true and TotalSize = the padding length. Errors: ErrTruncated, ErrBadMagic,
// ErrBadLength, ErrBadCRC (only when checkCRC). It never panics.
func Decode(buf []byte, checkCRC bool) (Record, error) {
	var rec Record
	if len(buf) < 8 {
		return rec, ErrTruncated
	}
	rec.TotalSize = int32(binary.BigEndian.Uint32(buf))
	rec.Magic = int32(binary.BigEndian.Uint32(buf[posMagic:]))
	switch rec.Magic {
	case MessageMagicCode:
	case BlankMagicCode:
		return rec, nil
	default:
		return rec, fmt.Errorf("%w 0x%08X", ErrBadMagic, uint32(rec.Magic))
	}
	if rec.TotalSize <= 0 || int(rec.TotalSize) > len(buf) {
		return rec, fmt.Errorf("%w: TOTALSIZE %d, %d bytes available", ErrTruncated, rec.TotalSize, len(buf))
	}
	r := reader{b: buf[:rec.TotalSize], pos: 8}
	rec.BodyCRC = r.i32()
	rec.QueueID = r.i32()
	rec.Flag = r.i32()
	rec.QueueOffset = r.i64()
	rec.PhysicalOffset = r.i64()
	rec.SysFlag = r.i32()
	rec.BornTimestamp = r.i64()
	rec.BornHost = r.bytes(hostSize(rec.SysFlag, compat.BornHostV6Flag))
	rec.StoreTimestamp = r.i64()
	rec.StoreHost = r.bytes(hostSize(rec.SysFlag, compat.StoreHostAddressV6Flag))
	rec.ReconsumeTimes = r.i32()
	rec.PreparedTransactionOffset = r.i64()
	bodyLen := r.i32()
	rec.Body = r.bytes(int(bodyLen))
	var topicLen int8
	if r.need(1) {
		topicLen = int8(r.b[r.pos])
		r.pos++
	}
	rec.Topic = r.bytes(int(topicLen))
	var propsLen int16
	if r.need(2) {
		propsLen = int16(binary.BigEndian.Uint16(r.b[r.pos:]))
		r.pos += 2
	}
	rec.Properties = r.bytes(int(propsLen))
	if r.err {
		return rec, fmt.Errorf("%w: fields do not fit in TOTALSIZE %d", ErrBadLength, rec.TotalSize)
	}
	if want := RecordLength(rec.SysFlag, int(bodyLen), int(topicLen), int(propsLen)); want != int(rec.TotalSize) {
		return rec, fmt.Errorf("%w: TOTALSIZE %d, computed %d", ErrBadLength, rec.TotalSize, want)
	}
	if checkCRC && bodyLen > 0 {
		if got := BodyCRC(rec.Body); got != rec.BodyCRC {
			return rec, fmt.Errorf("%w: stored %d, computed %d", ErrBadCRC, rec.BodyCRC, got)
		}
	}
	return rec, nil
}
