package bench

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"

	"github.com/rocketd/rocketd/remoting"
)

// Echo is the physical limit of the send path on this machine: it reads the same request frames a broker
// gets and answers each with a canned SEND_OK carrying the request's opaque, without decoding the header
// (the opaque is found by a byte scan), storing anything or allocating per request. The response is the
// shape a broker writes (msgId, queueId, queueOffset, MSG_REGION, TRACE_ON), in the request's serialization,
// so the client does the same work as against a real broker. Writes are flushed when no further request is
// already buffered, so pipelined requests are answered in batches, as a broker's writer does.
type Echo struct {
	ln     net.Listener
	json   []byte // JSON response frame; the opaque is a right-aligned 11-character field at jsonAt
	jsonAt int
	bin    []byte // ROCKETMQ response frame; the opaque is 4 bytes at binAt
	binAt  int
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

const opaqueWidth = 11 // "-2147483648"

// NewEcho listens on addr ("127.0.0.1:0").
func NewEcho(addr string) (*Echo, error) {
	e := &Echo{conns: map[net.Conn]struct{}{}}
	resp := &remoting.Command{
		Code: 0, Language: remoting.Java, Version: remoting.Version, Opaque: -2147483648, Flag: remoting.FlagResponse,
		ExtFields: map[string]string{
			"msgId": "7F00000100002A9F0000000000000000", "queueId": "0", "queueOffset": "0",
			"MSG_REGION": "DefaultRegion", "TRACE_ON": "true",
		},
	}
	var err error
	if e.json, err = resp.Encode(); err != nil {
		return nil, err
	}
	e.jsonAt = bytes.Index(e.json, []byte(`"opaque":-2147483648`))
	if e.jsonAt < 0 {
		return nil, errors.New("bench: echo: no opaque in the encoded JSON response")
	}
	e.jsonAt += len(`"opaque":`)
	resp.SerializeType = remoting.RocketMQ
	if e.bin, err = resp.Encode(); err != nil {
		return nil, err
	}
	e.binAt = 8 + 5 // length, type+header length, then code(2) language(1) version(2) opaque(4)
	if e.ln, err = net.Listen("tcp", addr); err != nil {
		return nil, err
	}
	return e, nil
}

// Addr is the listening address.
func (e *Echo) Addr() string { return e.ln.Addr().String() }

// Serve accepts connections until Close.
func (e *Echo) Serve() error {
	for {
		nc, err := e.ln.Accept()
		if err != nil {
			return err
		}
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			nc.Close()
			return net.ErrClosed
		}
		e.conns[nc] = struct{}{}
		e.wg.Add(1)
		e.mu.Unlock()
		go func() {
			defer e.wg.Done()
			e.serveConn(nc)
			e.mu.Lock()
			delete(e.conns, nc)
			e.mu.Unlock()
			nc.Close()
		}()
	}
}

// Close stops listening, closes every connection and waits for them.
func (e *Echo) Close() error {
	e.mu.Lock()
	e.closed = true
	for c := range e.conns {
		c.Close()
	}
	e.mu.Unlock()
	err := e.ln.Close()
	e.wg.Wait()
	return err
}

func (e *Echo) serveConn(nc net.Conn) {
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	r := bufio.NewReaderSize(nc, 64<<10)
	w := bufio.NewWriterSize(nc, 64<<10)
	jsonResp := append([]byte(nil), e.json...)
	binResp := append([]byte(nil), e.bin...)
	var frame []byte
	for {
		head, err := r.Peek(8)
		if err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(head))
		mark := binary.BigEndian.Uint32(head[4:])
		if n < 4 || n+4 > remoting.MaxFrameSize {
			return
		}
		hl := int(mark & 0xFFFFFF)
		if hl > n-4 {
			return
		}
		if cap(frame) < 8+hl {
			frame = make([]byte, 8+hl)
		}
		frame = frame[:8+hl]
		if _, err := io.ReadFull(r, frame); err != nil {
			return
		}
		if _, err := r.Discard(n - 4 - hl); err != nil { // the body is not looked at
			return
		}
		hdr := frame[8:]
		switch remoting.SerializeType(mark >> 24) {
		case remoting.RocketMQ:
			if len(hdr) < 9 {
				return
			}
			copy(binResp[e.binAt:e.binAt+4], hdr[5:9])
			_, err = w.Write(binResp)
		default:
			op, ok := jsonOpaque(hdr)
			if !ok {
				return
			}
			field := jsonResp[e.jsonAt : e.jsonAt+opaqueWidth]
			for i := range field {
				field[i] = ' '
			}
			var nb [opaqueWidth + 1]byte
			s := strconv.AppendInt(nb[:0], int64(op), 10)
			copy(field[opaqueWidth-len(s):], s)
			_, err = w.Write(jsonResp)
		}
		if err != nil {
			return
		}
		if r.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

// jsonOpaque finds "opaque":<int> in a JSON header without parsing the rest.
func jsonOpaque(h []byte) (int32, bool) {
	i := bytes.Index(h, []byte(`"opaque":`))
	if i < 0 {
		return 0, false
	}
	i += len(`"opaque":`)
	for i < len(h) && h[i] == ' ' {
		i++
	}
	neg := i < len(h) && h[i] == '-'
	if neg {
		i++
	}
	var v int64
	j := i
	for ; j < len(h) && h[j] >= '0' && h[j] <= '9' && j-i < 10; j++ {
		v = v*10 + int64(h[j]-'0')
	}
	if j == i {
		return 0, false
	}
	if neg {
		v = -v
	}
	return int32(v), true
}
