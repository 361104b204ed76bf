package remoting

import (
	"encoding/binary"
	"fmt"
)

// appendRocketMQHeader writes c's header in the ROCKETMQ binary form (see the package comment).
// Empty remark and empty values are written as length 0, which Java reads as null.
func appendRocketMQHeader(dst []byte, c *Command) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(c.Code)))
	dst = append(dst, byte(c.Language))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(c.Version)))
	dst = binary.BigEndian.AppendUint32(dst, uint32(c.Opaque))
	dst = binary.BigEndian.AppendUint32(dst, uint32(c.Flag))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(c.Remark)))
	dst = append(dst, c.Remark...)
	lenAt := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	put := func(k, v string) {
		if k == "" || v == "" || len(k) > 0x7FFF {
			return // Java skips null keys and values; empty ones would decode as null anyway
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(k)))
		dst = append(dst, k...)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
		dst = append(dst, v...)
	}
	if len(c.ExtFields) > 0 {
		var small [16]string
		for _, k := range orderedKeys(c.ExtFields, small[:]) {
			put(k, c.ExtFields[k])
		}
	} else {
		for i := 0; i+1 < len(c.extPairs); i += 2 {
			put(c.extPairs[i], c.extPairs[i+1])
		}
	}
	binary.BigEndian.PutUint32(dst[lenAt:], uint32(len(dst)-lenAt-4))
	return dst
}

// decodeRocketMQHeader parses a ROCKETMQ binary header. Every length is checked against the bytes that are
// really there before anything is allocated.
func decodeRocketMQHeader(h []byte, c *Command) error {
	if len(h) < 21 {
		return fmt.Errorf("%w: ROCKETMQ header has %d bytes, needs at least 21", ErrHeader, len(h))
	}
	c.Code = int32(int16(binary.BigEndian.Uint16(h[0:])))
	c.Language = LanguageCode(h[2])
	c.Version = int32(int16(binary.BigEndian.Uint16(h[3:])))
	c.Opaque = int32(binary.BigEndian.Uint32(h[5:]))
	c.Flag = int32(binary.BigEndian.Uint32(h[9:]))
	p := 13
	rl := int64(int32(binary.BigEndian.Uint32(h[p:])))
	p += 4
	if rl < 0 || rl > int64(len(h)-p) {
		return fmt.Errorf("%w: remark length %d exceeds the header", ErrHeader, rl)
	}
	if rl > 0 {
		c.Remark = string(h[p : p+int(rl)])
	}
	p += int(rl)
	if len(h)-p < 4 {
		return fmt.Errorf("%w: ROCKETMQ header truncated before the extFields length", ErrHeader)
	}
	el := int64(int32(binary.BigEndian.Uint32(h[p:])))
	p += 4
	if el < 0 || el > int64(len(h)-p) {
		return fmt.Errorf("%w: extFields length %d exceeds the header", ErrHeader, el)
	}
	ext := h[p : p+int(el)]
	if len(ext) == 0 {
		return nil
	}
	c.ExtFields = make(map[string]string, 8)
	for len(ext) > 0 {
		if len(ext) < 2 {
			return fmt.Errorf("%w: extFields entry truncated", ErrHeader)
		}
		kl := int(int16(binary.BigEndian.Uint16(ext)))
		ext = ext[2:]
		if kl < 0 || kl > len(ext) {
			return fmt.Errorf("%w: extFields key length %d exceeds the block", ErrHeader, kl)
		}
		k := ext[:kl]
		ext = ext[kl:]
		if len(ext) < 4 {
			return fmt.Errorf("%w: extFields entry truncated", ErrHeader)
		}
		vl := int64(int32(binary.BigEndian.Uint32(ext)))
		ext = ext[4:]
		if vl < 0 || vl > int64(len(ext)) {
			return fmt.Errorf("%w: extFields value length %d exceeds the block", ErrHeader, vl)
		}
		v := ext[:vl]
		ext = ext[vl:]
		if kl == 0 || vl == 0 {
			continue // null key or value, as Java decodes it
		}
		c.ExtFields[string(k)] = string(v)
	}
	return nil
}
