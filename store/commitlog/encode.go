package commitlog

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/rocketd/rocketd/compat"
)

// Message is what the encoder needs to build one record. QUEUEOFFSET, PHYSICALOFFSET and STORETIMESTAMP
// are assigned at append time.
type Message struct {
	Topic                     string
	QueueID                   int32
	Flag                      int32
	Body                      []byte
	Properties                string // encoded (compat.AppendProperties)
	SysFlag                   int32  // the V6 host bits are derived from BornHost / StoreHost
	BornTimestamp             int64
	BornHost                  netip.AddrPort
	StoreHost                 netip.AddrPort
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
}

// Limits bounds what the encoder accepts.
type Limits struct {
	MaxMessageSize int // maxMessageSize: body limit (4 MiB default)
}

// HostSysFlag sets or clears the V6 bits of sysFlag for the given hosts. IPv4-mapped IPv6 counts as IPv4,
// as in Java (store.md §16.17).
func HostSysFlag(sysFlag int32, born, store netip.AddrPort) int32 {
	sysFlag &^= compat.BornHostV6Flag | compat.StoreHostAddressV6Flag
	if is6(born) {
		sysFlag |= compat.BornHostV6Flag
	}
	if is6(store) {
		sysFlag |= compat.StoreHostAddressV6Flag
	}
	return sysFlag
}

func is6(ap netip.AddrPort) bool {
	a := ap.Addr()
	return a.IsValid() && !a.Unmap().Is4()
}

// AppendHost appends the 8- or 20-byte host encoding (address, int32 port). An invalid address encodes as
// 0.0.0.0.
func AppendHost(dst []byte, ap netip.AddrPort) []byte {
	a := ap.Addr().Unmap()
	if a.Is6() {
		b := a.As16()
		dst = append(dst, b[:]...)
	} else if a.Is4() {
		b := a.As4()
		dst = append(dst, b[:]...)
	} else {
		dst = append(dst, 0, 0, 0, 0)
	}
	return binary.BigEndian.AppendUint32(dst, uint32(ap.Port()))
}

// DecodeHost parses an 8- or 20-byte host field.
func DecodeHost(b []byte) netip.AddrPort {
	switch len(b) {
	case 8:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[:4])), uint16(binary.BigEndian.Uint32(b[4:])))
	case 20:
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[:16])), uint16(binary.BigEndian.Uint32(b[16:])))
	}
	return netip.AddrPort{}
}

func (l Limits) check(m *Message) error {
	if len(m.Topic) > MaxTopicLength {
		return fmt.Errorf("%w: %d bytes", ErrTopicTooLong, len(m.Topic))
	}
	if len(m.Properties) > MaxPropertiesLength {
		return fmt.Errorf("%w: %d bytes", ErrPropsTooLong, len(m.Properties))
	}
	if l.MaxMessageSize > 0 && len(m.Body) > l.MaxMessageSize {
		return fmt.Errorf("%w: %d > %d bytes", ErrBodyTooLarge, len(m.Body), l.MaxMessageSize)
	}
	return nil
}

// Encode appends the v1 record for m to dst with QUEUEOFFSET, PHYSICALOFFSET and STORETIMESTAMP zero
// (Patch fills them in). The body CRC is computed here.
func Encode(dst []byte, m *Message, l Limits) ([]byte, error) {
	if err := l.check(m); err != nil {
		return dst, err
	}
	return encode(dst, m, m.Body, BodyCRC(m.Body), m.Properties, ""), nil
}

// encode writes the record; extraProps (batch-level properties) is appended to props with a \x02 between
// them if props is non-empty and does not already end with one.
func encode(dst []byte, m *Message, body []byte, crc int32, props, extraProps string) []byte {
	sysFlag := HostSysFlag(m.SysFlag, m.BornHost, m.StoreHost)
	pLen := len(props) + len(extraProps)
	sep := len(extraProps) > 0 && len(props) > 0 && props[len(props)-1] != compat.PropertySeparator
	if sep {
		pLen++
	}
	total := RecordLength(sysFlag, len(body), len(m.Topic), pLen)
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, messageMagicU32)
	dst = binary.BigEndian.AppendUint32(dst, uint32(crc))
	dst = binary.BigEndian.AppendUint32(dst, uint32(m.QueueID))
	dst = binary.BigEndian.AppendUint32(dst, uint32(m.Flag))
	dst = binary.BigEndian.AppendUint64(dst, 0) // QUEUEOFFSET
	dst = binary.BigEndian.AppendUint64(dst, 0) // PHYSICALOFFSET
	dst = binary.BigEndian.AppendUint32(dst, uint32(sysFlag))
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.BornTimestamp))
	dst = AppendHost(dst, m.BornHost)
	dst = binary.BigEndian.AppendUint64(dst, 0) // STORETIMESTAMP
	dst = AppendHost(dst, m.StoreHost)
	dst = binary.BigEndian.AppendUint32(dst, uint32(m.ReconsumeTimes))
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.PreparedTransactionOffset))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)))
	dst = append(dst, body...)
	dst = append(dst, byte(len(m.Topic)))
	dst = append(dst, m.Topic...)
	dst = binary.BigEndian.AppendUint16(dst, uint16(pLen))
	dst = append(dst, props...)
	if sep {
		dst = append(dst, compat.PropertySeparator)
	}
	dst = append(dst, extraProps...)
	if len(dst)-start != total {
		panic("commitlog: encoder length mismatch") // unreachable: RecordLength mirrors the writes above
	}
	return dst
}

// Patch fills in the append-time fields of an encoded record.
func Patch(rec []byte, queueOffset, phyOffset, storeTimestamp int64) {
	binary.BigEndian.PutUint64(rec[posQueueOffset:], uint64(queueOffset))
	binary.BigEndian.PutUint64(rec[posPhyOffset:], uint64(phyOffset))
	sysFlag := int32(binary.BigEndian.Uint32(rec[posSysFlag:]))
	binary.BigEndian.PutUint64(rec[StoreTimestampPos(sysFlag):], uint64(storeTimestamp))
}
