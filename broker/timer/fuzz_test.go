package timer

import (
	"bytes"
	"testing"
)

func FuzzDecodeRecord(f *testing.F) {
	var b [recSize]byte
	r := record{flags: flagRoll, prevPos: 64, slotMs: 1000, dueMs: 1234, phyOffset: 99, size: 120, queueOffset: 7, writeMs: 5}
	r.encode(b[:])
	f.Add(b[:])
	f.Add(make([]byte, recSize))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := decodeRecord(in)
		if err != nil {
			return
		}
		var out [recSize]byte
		r.encode(out[:])
		if !bytes.Equal(out[:], in[:recSize]) {
			t.Fatalf("record does not round-trip: %x -> %+v -> %x", in[:recSize], r, out)
		}
	})
}

func FuzzDecodeCheckpoint(f *testing.F) {
	c := checkpoint{readSlotMs: 1000, timerlogPos: 640, queueOffset: 3, precision: 1000, slots: 7200}
	f.Add(c.encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := decodeCheckpoint(in)
		if err != nil {
			return
		}
		if !bytes.Equal(c.encode(), in) {
			t.Fatalf("checkpoint does not round-trip: %x", in)
		}
	})
}

func FuzzDecodeDone(f *testing.F) {
	f.Add(encodeDone([]int64{0, 64, 128}))
	f.Add(encodeDone(nil))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := decodeDone(in)
		if err != nil {
			return
		}
		if len(m) > len(in)/8 {
			t.Fatalf("%d positions from %d bytes", len(m), len(in))
		}
	})
}
