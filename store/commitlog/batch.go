package commitlog

import (
	"encoding/binary"
	"fmt"
)

// Client batch body (MessageBatch encoded by the producer), one inner message after another:
//
//	[TOTALSIZE int32][MAGIC int32 (0)][BODYCRC int32 (0)][FLAG int32][BODYLEN int32][BODY]
//	[PROPLEN int16][PROPS]
//
// The broker re-encodes each inner message as a full v1 record with its own CRC, consecutive queue offsets
// and one store timestamp (store.md §2 "Batch put").

// BatchItem is one inner message of a client batch; slices alias the batch body.
type BatchItem struct {
	Flag       int32
	Body       []byte
	Properties []byte
}

// ParseBatch splits a client batch body. It never panics; a malformed body gives ErrBadBatch.
func ParseBatch(b []byte, fn func(i int, it BatchItem) error) (int, error) {
	n := 0
	for pos := 0; pos < len(b); n++ {
		if len(b)-pos < 20 {
			return n, fmt.Errorf("%w: %d trailing bytes at %d", ErrBadBatch, len(b)-pos, pos)
		}
		total := int(int32(binary.BigEndian.Uint32(b[pos:])))
		if total < 22 || total > len(b)-pos {
			return n, fmt.Errorf("%w: inner message %d TOTALSIZE %d at %d", ErrBadBatch, n, total, pos)
		}
		m := b[pos : pos+total]
		var it BatchItem
		it.Flag = int32(binary.BigEndian.Uint32(m[12:]))
		bodyLen := int(int32(binary.BigEndian.Uint32(m[16:])))
		if bodyLen < 0 || 20+bodyLen+2 > total {
			return n, fmt.Errorf("%w: inner message %d BODYLEN %d", ErrBadBatch, n, bodyLen)
		}
		it.Body = m[20 : 20+bodyLen]
		propLen := int(int16(binary.BigEndian.Uint16(m[20+bodyLen:])))
		if propLen < 0 || 22+bodyLen+propLen != total {
			return n, fmt.Errorf("%w: inner message %d PROPLEN %d, TOTALSIZE %d", ErrBadBatch, n, propLen, total)
		}
		it.Properties = m[22+bodyLen : total]
		if err := fn(n, it); err != nil {
			return n, err
		}
		pos += total
	}
	return n, nil
}

// EncodeBatch appends one v1 record per inner message of batchBody. tmpl supplies topic, queue, sysflag,
// hosts, born timestamp and the batch-level properties (appended to every record's properties). It returns
// the records and the number of messages.
func EncodeBatch(dst []byte, tmpl *Message, batchBody []byte, l Limits) ([]byte, int, error) {
	if len(tmpl.Topic) > MaxTopicLength {
		return dst, 0, fmt.Errorf("%w: %d bytes", ErrTopicTooLong, len(tmpl.Topic))
	}
	start := len(dst)
	n, err := ParseBatch(batchBody, func(i int, it BatchItem) error {
		m := *tmpl
		m.Flag = it.Flag
		m.PreparedTransactionOffset = 0
		if l.MaxMessageSize > 0 && len(it.Body) > l.MaxMessageSize {
			return fmt.Errorf("%w: inner message %d body %d > %d bytes", ErrBodyTooLarge, i, len(it.Body), l.MaxMessageSize)
		}
		pLen := len(it.Properties) + len(tmpl.Properties)
		if len(it.Properties) > 0 && len(tmpl.Properties) > 0 && it.Properties[len(it.Properties)-1] != '\x02' {
			pLen++
		}
		if pLen > MaxPropertiesLength {
			return fmt.Errorf("%w: inner message %d has %d bytes", ErrPropsTooLong, i, pLen)
		}
		dst = encode(dst, &m, it.Body, BodyCRC(it.Body), string(it.Properties), tmpl.Properties)
		return nil
	})
	if err != nil {
		return dst[:start], 0, err
	}
	if n == 0 {
		return dst[:start], 0, fmt.Errorf("%w: no messages", ErrBadBatch)
	}
	return dst, n, nil
}
