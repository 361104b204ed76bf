package remoting

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync"
)

// MaxFrameSize is Java's default frame limit (com.rocketmq.remoting.frameMaxLength): the length field plus
// everything after it.
const MaxFrameSize = 16 << 20

var (
	// ErrFrameTooLarge: the peer announced a frame over the limit; the connection must be closed.
	ErrFrameTooLarge = errors.New("remoting: frame exceeds the 16 MiB limit")
	// ErrFrameCorrupt: the length fields are inconsistent; the connection must be closed.
	ErrFrameCorrupt = errors.New("remoting: corrupt frame")
)

// Encode returns the whole frame of c: length, serialize type, header length, header and body.
func (c *Command) Encode() ([]byte, error) {
	buf, err := c.appendHeaderFrame(make([]byte, 0, 256+c.bodyLen()))
	if err != nil {
		return nil, err
	}
	buf = append(buf, c.Body...)
	for _, s := range c.segs {
		buf = append(buf, s...)
	}
	return buf, nil
}

// appendHeaderFrame appends everything of the frame except the body.
func (c *Command) appendHeaderFrame(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
	switch c.SerializeType {
	case RocketMQ:
		dst = appendRocketMQHeader(dst, c)
	default:
		dst = appendJSONHeader(dst, c)
	}
	hl := len(dst) - start - 8
	if hl > 0xFFFFFF {
		return dst[:start], fmt.Errorf("remoting: header of %d bytes exceeds the 24-bit header length", hl)
	}
	total := 4 + hl + c.bodyLen()
	if total+4 > MaxFrameSize {
		return dst[:start], fmt.Errorf("%w: command would be %d bytes; keep bodies under 16 MiB", ErrFrameTooLarge, total+4)
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(total))
	binary.BigEndian.PutUint32(dst[start+4:], uint32(c.SerializeType)<<24|uint32(hl))
	return dst, nil
}

// Decode parses one frame without its 4-byte length prefix (what FrameReader returns). The command's body
// aliases frame.
func Decode(frame []byte) (*Command, error) { return decodeFor(frame, nil) }

// decodeFor is Decode that leaves extFields raw (Command.RangeExt) for a JSON request whose code rawExt
// accepts (the routes registered WithRawExt).
func decodeFor(frame []byte, rawExt func(code int32) bool) (*Command, error) {
	c := new(Command)
	if err := decodeInto(frame, rawExt, c); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeInto is decodeFor into a zero Command.
func decodeInto(frame []byte, rawExt func(code int32) bool, c *Command) error {
	if len(frame) < 4 {
		return fmt.Errorf("%w: %d bytes, shorter than the header length field", ErrFrameCorrupt, len(frame))
	}
	mark := binary.BigEndian.Uint32(frame)
	st := SerializeType(mark >> 24)
	hl := int(mark & 0xFFFFFF)
	if hl > len(frame)-4 {
		return fmt.Errorf("%w: header length %d exceeds the frame (%d bytes)", ErrFrameCorrupt, hl, len(frame)-4)
	}
	c.SerializeType = st
	h := frame[4 : 4+hl]
	var err error
	switch st {
	case JSON:
		if code, ok := jsonCode(h); ok && rawExt != nil && rawExt(code) {
			if scanJSONHeader(h, c) {
				break
			}
			*c = Command{SerializeType: st} // not the plain shape: the general decoder decides
		}
		err = decodeJSONHeader(h, c)
	case RocketMQ:
		err = decodeRocketMQHeader(h, c)
	default:
		return fmt.Errorf("%w: unknown serialize type %d", ErrFrameCorrupt, st)
	}
	if err != nil {
		return err
	}
	if body := frame[4+hl:]; len(body) > 0 {
		c.Body = body
	}
	return nil
}

// cmdPool holds request Commands of WithFrameReuse routes between requests.
var cmdPool = sync.Pool{New: func() any { return new(Command) }}

// getRequest is a zero Command for the reader to decode into.
func getRequest() *Command { return cmdPool.Get().(*Command) }

// putRequest gives a request back once its WithFrameReuse handler returned.
func putRequest(c *Command) {
	*c = Command{}
	cmdPool.Put(c)
}

// FrameReader reads length-prefixed frames, checking the announced sizes before allocating.
type FrameReader struct {
	r   *bufio.Reader
	max int
}

// NewFrameReader wraps r. maxFrame <= 0 means MaxFrameSize.
func NewFrameReader(r io.Reader, maxFrame int) *FrameReader {
	if maxFrame <= 0 {
		maxFrame = MaxFrameSize
	}
	return &FrameReader{r: bufio.NewReaderSize(r, 64<<10), max: maxFrame}
}

// ReadFrame returns the next frame without its length prefix. io.EOF means a clean end between frames;
// ErrFrameTooLarge and ErrFrameCorrupt mean the stream cannot be trusted any more.
//
// The announced length is checked as soon as its 4 bytes arrive, and the frame's memory grows with the bytes
// that actually arrived (see readBody): a peer cannot make the server reserve memory it has not sent.
func (fr *FrameReader) ReadFrame() ([]byte, error) {
	frame, _, err := fr.readFrame()
	return frame, err
}

// readFrame is ReadFrame that also returns the pool slot of a frame of at most frameChunk bytes (see
// putFrame); the frame is then frame == (*slot)[:len(frame)].
func (fr *FrameReader) readFrame() ([]byte, *[]byte, error) {
	head, err := fr.r.Peek(4)
	if err != nil {
		if err == io.EOF && len(head) > 0 {
			return nil, nil, io.ErrUnexpectedEOF
		}
		return nil, nil, err
	}
	n := int64(binary.BigEndian.Uint32(head))
	if n+4 > int64(fr.max) {
		return nil, nil, fmt.Errorf("%w: peer announced %d bytes (limit %d)", ErrFrameTooLarge, n+4, fr.max)
	}
	if n < MinFrameLength {
		return nil, nil, fmt.Errorf("%w: length %d is shorter than the minimum %d", ErrFrameCorrupt, n, MinFrameLength)
	}
	head, err = fr.r.Peek(8)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, nil, err
	}
	hl := int64(binary.BigEndian.Uint32(head[4:]) & 0xFFFFFF)
	if hl > n-4 {
		return nil, nil, fmt.Errorf("%w: header length %d exceeds the frame length %d", ErrFrameCorrupt, hl, n)
	}
	if _, err := fr.r.Discard(4); err != nil {
		return nil, nil, err
	}
	frame, slot, err := readBody(fr.r, int(n))
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, nil, err
	}
	return frame, slot, nil
}

// MinFrameLength is the smallest length field a frame can carry: the 4-byte serialize type + header length
// word (Java's decoder cannot read a frame without it and closes the channel).
const MinFrameLength = 4

// frameChunk is the most a frame is given before any of its bytes arrived.
const frameChunk = 64 << 10

// readBody reads n bytes, growing the buffer geometrically as bytes arrive: the memory held for a frame is at
// most twice what the peer has sent plus frameChunk, whatever length it announced. A frame of at most
// frameChunk bytes is read into a pooled buffer (at most twice its size, and never over frameChunk), whose
// slot is returned so that a route that opted in (WithFrameReuse) can give it back.
func readBody(r io.Reader, n int) ([]byte, *[]byte, error) {
	if n <= frameChunk {
		slot := getFrame(n)
		buf := (*slot)[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			putFrame(slot)
			return nil, nil, err
		}
		return buf, slot, nil
	}
	buf := make([]byte, frameChunk)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, nil, err
	}
	for len(buf) < n {
		next := make([]byte, min(2*len(buf), n))
		copy(next, buf)
		if _, err := io.ReadFull(r, next[len(buf):]); err != nil {
			return nil, nil, err
		}
		buf = next
	}
	return buf, nil, nil
}

// Frame buffers of 512 B to frameChunk (64 KiB), one pool per power of two.
const minFrameClass = 9 // 512 B

var framePools [8]sync.Pool

func frameClass(n int) int {
	return max(bits.Len(uint(max(n, 1)-1))-minFrameClass, 0)
}

func getFrame(n int) *[]byte {
	c := frameClass(n)
	if p, _ := framePools[c].Get().(*[]byte); p != nil {
		return p
	}
	b := make([]byte, 1<<(c+minFrameClass))
	return &b
}

// putFrame gives a frame buffer back; nothing may use it afterwards.
func putFrame(p *[]byte) {
	c := frameClass(cap(*p))
	if cap(*p) == 1<<(c+minFrameClass) && c < len(framePools) {
		*p = (*p)[:cap(*p)]
		framePools[c].Put(p)
	}
}
