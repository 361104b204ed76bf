package compat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// ErrBadMessageID is returned for an offset message id that is not 32 or 56 hex characters.
var ErrBadMessageID = errors.New("compat: bad offset message id")

const upperHex = "0123456789ABCDEF"

// AppendOffsetMessageID appends the broker offset message id (store.md §4): store host address (4 or 16 B),
// port (int32), CommitLog physical offset (int64), as uppercase hex. An IPv4-mapped IPv6 address is written
// as IPv4, as Java does; a missing address as 0.0.0.0.
func AppendOffsetMessageID(dst []byte, storeHost netip.AddrPort, phyOffset int64) []byte {
	var raw [28]byte
	addr := storeHost.Addr().Unmap()
	n := 0
	switch {
	case addr.Is6():
		a := addr.As16()
		n = copy(raw[:], a[:])
	case addr.Is4():
		a := addr.As4()
		n = copy(raw[:], a[:])
	default: // no address: 0.0.0.0, as the record encoder writes it
		n = 4
	}
	binary.BigEndian.PutUint32(raw[n:], uint32(storeHost.Port()))
	binary.BigEndian.PutUint64(raw[n+4:], uint64(phyOffset))
	return AppendUpperHex(dst, raw[:n+12])
}

// OffsetMessageID is AppendOffsetMessageID into a new string.
func OffsetMessageID(storeHost netip.AddrPort, phyOffset int64) string {
	return string(AppendOffsetMessageID(make([]byte, 0, 56), storeHost, phyOffset))
}

// OffsetMessageIDFromRaw builds the id from a record's raw STOREHOST field (8 or 20 bytes: address, port).
func OffsetMessageIDFromRaw(dst []byte, storeHostRaw []byte, phyOffset int64) []byte {
	var off [8]byte
	binary.BigEndian.PutUint64(off[:], uint64(phyOffset))
	dst = AppendUpperHex(dst, storeHostRaw)
	return AppendUpperHex(dst, off[:])
}

// AppendUpperHex appends b as uppercase hex (Java UtilAll.bytes2string).
func AppendUpperHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, upperHex[c>>4], upperHex[c&0xF])
	}
	return dst
}

// DecodeOffsetMessageID parses an offset message id. A 32-character id is IPv4, a 56-character one IPv6; hex
// digits of either case are accepted.
func DecodeOffsetMessageID(id string) (storeHost netip.AddrPort, phyOffset int64, err error) {
	var raw [28]byte
	alen := 0
	switch len(id) {
	case 32:
		alen = 4
	case 56:
		alen = 16
	default:
		return netip.AddrPort{}, 0, fmt.Errorf("%w: length %d, want 32 (IPv4) or 56 (IPv6) hex characters", ErrBadMessageID, len(id))
	}
	for i := 0; i < len(id)/2; i++ {
		hi, ok1 := unhex(id[2*i])
		lo, ok2 := unhex(id[2*i+1])
		if !ok1 || !ok2 {
			return netip.AddrPort{}, 0, fmt.Errorf("%w: non-hex character near position %d", ErrBadMessageID, 2*i)
		}
		raw[i] = hi<<4 | lo
	}
	var addr netip.Addr
	if alen == 4 {
		addr = netip.AddrFrom4([4]byte(raw[:4]))
	} else {
		addr = netip.AddrFrom16([16]byte(raw[:16]))
	}
	port := binary.BigEndian.Uint32(raw[alen:])
	off := int64(binary.BigEndian.Uint64(raw[alen+4:]))
	if port > 0xFFFF {
		return netip.AddrPort{}, 0, fmt.Errorf("%w: port %d out of range", ErrBadMessageID, port)
	}
	return netip.AddrPortFrom(addr, uint16(port)), off, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
