package ha

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// memLog is an in-memory Log with the AppendRaw contract (data only at the write position).
type memLog struct {
	base int64
	data []byte
}

func (l *memLog) MaxOffset() int64 {
	if len(l.data) == 0 {
		return 0
	}
	return l.base + int64(len(l.data))
}

func (l *memLog) Read(int64) ([]byte, func(), bool) { return nil, nil, false }

func (l *memLog) RecordBoundary(int64) bool { return false }

func (l *memLog) AppendRaw(phy int64, b []byte) error {
	if len(l.data) == 0 {
		l.base = phy
	} else if phy != l.MaxOffset() {
		return errors.New("offset mismatch")
	}
	l.data = append(l.data, b...)
	return nil
}

func fuzzFrame(phy int64, body []byte) []byte {
	b := make([]byte, HeaderSize+len(body))
	binary.BigEndian.PutUint64(b, uint64(phy))
	binary.BigEndian.PutUint32(b[8:], uint32(len(body)))
	copy(b[HeaderSize:], body)
	return b
}

// FuzzClientApply feeds arbitrary master streams, split in two reads, to the slave's frame decoder: it never
// panics, never consumes more than it was given, and appends only whole frames that start at the write position.
func FuzzClientApply(f *testing.F) {
	f.Add(append(fuzzFrame(0, []byte("hello")), fuzzFrame(5, []byte("world"))...), 7)
	f.Add(fuzzFrame(0, nil), 3)
	f.Add(fuzzFrame(99, []byte("x")), 12)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff}, 5)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, 0)
	f.Fuzz(func(t *testing.T, stream []byte, split int) {
		log := &memLog{}
		c := NewClient(log, Config{FileSize: 1 << 20})
		report := func(int64) error { return nil }
		if split < 0 {
			split = -split
		}
		if len(stream) > 0 {
			split %= len(stream) + 1
		} else {
			split = 0
		}
		buf := append([]byte(nil), stream[:split]...)
		n, err := c.apply(buf, report)
		if n < 0 || n > len(buf) {
			t.Fatalf("consumed %d of %d", n, len(buf))
		}
		if err == nil {
			buf = append(buf[n:], stream[split:]...)
			m, _ := c.apply(buf, report)
			if m < 0 || m > len(buf) {
				t.Fatalf("consumed %d of %d", m, len(buf))
			}
		}
		// Exactly the bodies of the leading acceptable frames were appended, in order, however the reads split.
		if want := expectedAppend(stream); !bytes.Equal(log.data, want) {
			t.Fatalf("appended %d bytes, want %d", len(log.data), len(want))
		}
	})
}

// expectedAppend is the reference reading of a stream: frames are taken while they are complete, sized
// 0..MaxFrameBody and start at the log's end (any offset while the log is empty).
func expectedAppend(stream []byte) []byte {
	var out []byte
	var end int64
	for pos := 0; len(stream)-pos >= HeaderSize; {
		phy := int64(binary.BigEndian.Uint64(stream[pos:]))
		size := int32(binary.BigEndian.Uint32(stream[pos+8:]))
		if size < 0 || size > MaxFrameBody || (len(out) > 0 && phy != end) || len(stream)-pos < HeaderSize+int(size) {
			break
		}
		if size > 0 {
			if len(out) == 0 {
				end = phy
			}
			out = append(out, stream[pos+HeaderSize:pos+HeaderSize+int(size)]...)
			end += int64(size)
		}
		pos += HeaderSize + int(size)
	}
	return out
}
