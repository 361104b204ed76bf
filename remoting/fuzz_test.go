package remoting

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// twoPieces delivers data in two reads split at cut, so every partial-read position gets exercised.
type twoPieces struct {
	a, b []byte
}

func (p *twoPieces) Read(buf []byte) (int, error) {
	if len(p.a) > 0 {
		n := copy(buf, p.a)
		p.a = p.a[n:]
		return n, nil
	}
	if len(p.b) > 0 {
		n := copy(buf, p.b)
		p.b = p.b[n:]
		return n, nil
	}
	return 0, io.EOF
}

func seedFrames(f *testing.F) {
	for _, c := range []*Command{
		{Code: 105, Version: 409, ExtFields: map[string]string{"topic": "TopicTest"}},
		{Code: 0, Flag: 1, Remark: "x", Body: []byte("body")},
		{Code: 310, SerializeType: RocketMQ, ExtFields: map[string]string{"a": "g", "b": "T", "i": "TAGS\x01a\x02"}, Body: []byte("hi")},
	} {
		raw, _ := c.Encode()
		f.Add(raw, uint16(3))
		f.Add(append(raw, raw...), uint16(len(raw)+1))
	}
	f.Add(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 1<<30), 0), uint16(2))
}

const fuzzMaxFrame = 1 << 20

func FuzzFrameReader(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		c := int(cut) % (len(data) + 1)
		fr := NewFrameReader(&twoPieces{a: data[:c], b: data[c:]}, fuzzMaxFrame)
		for i := 0; i < 64; i++ {
			frame, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if len(frame) > fuzzMaxFrame {
				t.Fatalf("frame of %d bytes passed the %d limit", len(frame), fuzzMaxFrame)
			}
			cmd, err := Decode(frame)
			if err != nil {
				continue
			}
			if _, err := cmd.Encode(); err != nil && len(frame) < fuzzMaxFrame/2 {
				t.Fatalf("decoded command does not re-encode: %v", err)
			}
		}
	})
}

func fuzzHeader(f *testing.F, st SerializeType) {
	for _, c := range []*Command{
		{Code: 105, ExtFields: map[string]string{"topic": "TopicTest"}},
		{Code: 0, Flag: 1, Remark: "remark", Opaque: -1},
		{Code: 34, Language: Go, Version: 317, ExtFields: map[string]string{}},
	} {
		c.SerializeType = st
		raw, _ := c.Encode()
		f.Add(raw[8:])
	}
	f.Fuzz(func(t *testing.T, h []byte) {
		var c Command
		var err error
		if st == JSON {
			err = decodeJSONHeader(h, &c)
		} else {
			err = decodeRocketMQHeader(h, &c)
		}
		if err != nil {
			return
		}
		// Whatever decodes must survive a round trip in its own serialization.
		c.SerializeType = st
		raw, err := c.Encode()
		if err != nil {
			return
		}
		back, err := Decode(raw[4:])
		if err != nil {
			t.Fatalf("re-encoded header does not decode: %v\n%q", err, raw)
		}
		if back.Code != c.Code || back.Opaque != c.Opaque || back.Flag != c.Flag || back.Remark != c.Remark && st == JSON {
			t.Fatalf("round trip changed the header: %+v -> %+v", c, back)
		}
		if st == RocketMQ && !bytes.Equal([]byte(back.Remark), []byte(c.Remark)) {
			t.Fatalf("remark changed: %q -> %q", c.Remark, back.Remark)
		}
	})
}

func FuzzDecodeJSONHeader(f *testing.F)     { fuzzHeader(f, JSON) }
func FuzzDecodeRocketMQHeader(f *testing.F) { fuzzHeader(f, RocketMQ) }

// FuzzAppendJSONString: the plain-ASCII shortcut writes what the fastjson writer writes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "abc", "7F0000010B5C18B4AAC2671C3D8C0000", "a\"b", "a\\b", "a/b", "\x01\x7f", "é\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendJSONString([]byte("x"), s), fastjson.AppendString([]byte("x"), s, false); string(got) != string(want) {
			t.Fatalf("%q: got %q, fastjson writes %q", s, got, want)
		}
	})
}
