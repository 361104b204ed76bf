package remoting

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// frameOf builds an expected frame from a serialize type, a header and a body, independently of Encode.
func frameOf(st SerializeType, header, body []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(4+len(header)+len(body)))
	out = binary.BigEndian.AppendUint32(out, uint32(st)<<24|uint32(len(header)))
	out = append(out, header...)
	return append(out, body...)
}

// The worked example of spec/remoting.md §1: what a Java 4.9.8 server sends for a response without body.
func TestEncodeJSONResponseMatchesJava(t *testing.T) {
	resp := &Command{Code: 0, Flag: FlagResponse, Language: Java, Opaque: 0, Version: 409}
	got, err := resp.Encode()
	require.NoError(t, err)
	want := `{"code":0,"flag":1,"language":"JAVA","opaque":0,"serializeTypeCurrentRPC":"JSON","version":409}`
	require.Len(t, want, 95)
	require.Equal(t, "000000630000005f", hex.EncodeToString(got[:8]))
	require.Equal(t, want, string(got[8:]))
}

func TestEncodeJSONRequestMatchesJava(t *testing.T) {
	req := &Command{Code: 105, Language: Java, Version: 409, ExtFields: map[string]string{"topic": "TopicTest"}}
	got, err := req.Encode()
	require.NoError(t, err)
	want := `{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":0,"serializeTypeCurrentRPC":"JSON","version":409}`
	require.Equal(t, frameOf(JSON, []byte(want), nil), got)
}

func TestEncodeJSONEscapesLikeFastjson(t *testing.T) {
	c := &Command{Code: 310, Remark: "a\"b\\c\n", ExtFields: map[string]string{
		"i": "TAGS\x01TagA\x02KEYS\x01k1", "b": "中文",
	}, Body: []byte("hello")}
	got, err := c.Encode()
	require.NoError(t, err)
	hl := int(binary.BigEndian.Uint32(got[4:]) & 0xFFFFFF)
	require.Equal(t,
		`{"code":310,"extFields":{"b":"中文","i":"TAGS\u0001TagA\u0002KEYS\u0001k1"},"flag":0,"language":"JAVA","opaque":0,"remark":"a\"b\\c\n","serializeTypeCurrentRPC":"JSON","version":0}`,
		string(got[8:8+hl]))
	require.Equal(t, "hello", string(got[8+hl:]))
	back, err := Decode(got[4:])
	require.NoError(t, err)
	require.Equal(t, c.ExtFields, back.ExtFields)
	require.Equal(t, c.Remark, back.Remark)
}

func TestEncodeEmptyExtFieldsIsPresent(t *testing.T) {
	c := &Command{Code: 0, Flag: 1, ExtFields: map[string]string{}}
	got, err := c.Encode()
	require.NoError(t, err)
	require.Contains(t, string(got), `"extFields":{}`)
}

// What the Go client v2.1.2 sends: struct order, remark "", language "GO", no serializeTypeCurrentRPC.
func TestDecodeGoClientJSON(t *testing.T) {
	h := `{"code":34,"language":"GO","version":317,"opaque":12,"flag":0,"remark":"","extFields":{}}`
	c, err := Decode(frameOf(JSON, []byte(h), []byte(`{"clientID":"x"}`))[4:])
	require.NoError(t, err)
	require.Equal(t, int32(34), c.Code)
	require.Equal(t, Go, c.Language)
	require.Equal(t, int32(317), c.Version)
	require.Equal(t, int32(12), c.Opaque)
	require.Equal(t, "", c.Remark)
	require.NotNil(t, c.ExtFields)
	require.Equal(t, `{"clientID":"x"}`, string(c.Body))
}

func TestDecodeJSONLenient(t *testing.T) {
	h := `{"opaque":-5,"extFields":{"a":"1","n":12,"b":true,"z":null},"unknown":[1,{"x":2}],"language":3,"code":"11","serializeTypeCurrentRPC":"JSON"}`
	c, err := Decode(frameOf(JSON, []byte(h), nil)[4:])
	require.NoError(t, err)
	require.Equal(t, int32(-5), c.Opaque)
	require.Equal(t, int32(11), c.Code)
	require.Equal(t, Python, c.Language)
	require.Equal(t, map[string]string{"a": "1", "n": "12", "b": "true"}, c.ExtFields)
	require.Nil(t, c.Body)
}

func TestDecodeJSONRejectsGarbage(t *testing.T) {
	for _, h := range []string{``, `[]`, `{"code":`, `{"code":1,"extFields":[1]}`, `{"code":1e99}`, `nul`} {
		_, err := Decode(frameOf(JSON, []byte(h), nil)[4:])
		require.ErrorIs(t, err, ErrHeader, "header %q", h)
	}
}

// ROCKETMQ bytes written by hand from the layout in spec/remoting.md §2.4.
func TestRocketMQHeaderGolden(t *testing.T) {
	var h []byte
	h = binary.BigEndian.AppendUint16(h, 105)
	h = append(h, 0)                          // JAVA
	h = binary.BigEndian.AppendUint16(h, 409) // version
	h = binary.BigEndian.AppendUint32(h, 7)   // opaque
	h = binary.BigEndian.AppendUint32(h, 0)   // flag
	h = binary.BigEndian.AppendUint32(h, 2)
	h = append(h, "ok"...)
	var ext []byte
	ext = binary.BigEndian.AppendUint16(ext, 5)
	ext = append(ext, "topic"...)
	ext = binary.BigEndian.AppendUint32(ext, 9)
	ext = append(ext, "TopicTest"...)
	h = binary.BigEndian.AppendUint32(h, uint32(len(ext)))
	h = append(h, ext...)
	want := frameOf(RocketMQ, h, []byte{1, 2, 3})

	c := &Command{Code: 105, Language: Java, Version: 409, Opaque: 7, Remark: "ok",
		ExtFields: map[string]string{"topic": "TopicTest"}, Body: []byte{1, 2, 3}, SerializeType: RocketMQ}
	got, err := c.Encode()
	require.NoError(t, err)
	require.Equal(t, want, got)

	back, err := Decode(want[4:])
	require.NoError(t, err)
	c.receivedAt = back.receivedAt
	require.Equal(t, c, back)
}

func TestRocketMQDuplicateKeysAndNulls(t *testing.T) {
	var ext []byte
	for _, kv := range [][2]string{{"a", "1"}, {"a", "2"}, {"", "x"}, {"b", ""}} {
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(kv[0])))
		ext = append(ext, kv[0]...)
		ext = binary.BigEndian.AppendUint32(ext, uint32(len(kv[1])))
		ext = append(ext, kv[1]...)
	}
	h := make([]byte, 13)
	h = binary.BigEndian.AppendUint32(h, 0)
	h = binary.BigEndian.AppendUint32(h, uint32(len(ext)))
	h = append(h, ext...)
	c, err := Decode(frameOf(RocketMQ, h, nil)[4:])
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "2"}, c.ExtFields)
	require.Equal(t, "", c.Remark)
}

func TestRocketMQRejectsBadLengths(t *testing.T) {
	base := make([]byte, 21)
	cases := map[string][]byte{
		"short":          base[:20],
		"remark too big": append(append(append([]byte{}, base[:13]...), 0x7f, 0, 0, 0), make([]byte, 4)...),
		"negative ext":   append(append([]byte{}, base[:17]...), 0xff, 0xff, 0xff, 0xff),
		"key overflows":  append(append([]byte{}, base[:17]...), 0, 0, 0, 2, 0, 9),
	}
	for name, h := range cases {
		_, err := Decode(frameOf(RocketMQ, h, nil)[4:])
		require.ErrorIs(t, err, ErrHeader, name)
	}
}

func TestRoundTripBothSerializations(t *testing.T) {
	for _, st := range []SerializeType{JSON, RocketMQ} {
		for _, c := range []*Command{
			{Code: 11, Language: Go, Version: 317, Opaque: 1 << 30, SerializeType: st},
			{Code: 0, Flag: FlagResponse, Opaque: -3, Remark: "FOUND", SerializeType: st,
				ExtFields: map[string]string{"nextBeginOffset": "32", "minOffset": "0"}, Body: bytes.Repeat([]byte{0xAB}, 1000)},
			{Code: 40, Flag: FlagOneway, SerializeType: st, ExtFields: map[string]string{"consumerGroup": "g"}},
		} {
			raw, err := c.Encode()
			require.NoError(t, err)
			back, err := Decode(raw[4:])
			require.NoError(t, err)
			c.receivedAt = back.receivedAt
			if st == RocketMQ && c.ExtFields == nil {
				require.Nil(t, back.ExtFields)
			}
			require.Equal(t, c, back, "type %v", st)
		}
	}
}

func TestEncodeRefusesOversizedBody(t *testing.T) {
	c := &Command{Body: make([]byte, MaxFrameSize)}
	_, err := c.Encode()
	require.ErrorIs(t, err, ErrFrameTooLarge)
}

func TestFrameReaderPartialReads(t *testing.T) {
	var stream []byte
	var want []*Command
	for i := 0; i < 5; i++ {
		c := &Command{Code: int32(i), Opaque: int32(i), ExtFields: map[string]string{"i": string(rune('a' + i))}, Body: bytes.Repeat([]byte{byte(i)}, i*100)}
		if i%2 == 1 {
			c.SerializeType = RocketMQ
		}
		raw, err := c.Encode()
		require.NoError(t, err)
		stream = append(stream, raw...)
		want = append(want, c)
	}
	fr := NewFrameReader(iotest.OneByteReader(bytes.NewReader(stream)), 0)
	for _, w := range want {
		f, err := fr.ReadFrame()
		require.NoError(t, err)
		got, err := Decode(f)
		require.NoError(t, err)
		require.Equal(t, w.Code, got.Code)
		require.Equal(t, w.ExtFields, got.ExtFields)
		require.Equal(t, len(w.Body), len(got.Body))
	}
	_, err := fr.ReadFrame()
	require.ErrorIs(t, err, io.EOF)
}

func TestFrameReaderRejectsBeforeAllocating(t *testing.T) {
	// A frame announcing 1 GiB followed by nothing: rejected from the 8 header bytes alone.
	huge := binary.BigEndian.AppendUint32(nil, 1<<30)
	huge = binary.BigEndian.AppendUint32(huge, 10)
	_, err := NewFrameReader(bytes.NewReader(huge), 0).ReadFrame()
	require.ErrorIs(t, err, ErrFrameTooLarge)

	// Largest legal length is 16 MiB - 4; one more is refused.
	edge := binary.BigEndian.AppendUint32(nil, MaxFrameSize-3)
	edge = binary.BigEndian.AppendUint32(edge, 0)
	_, err = NewFrameReader(bytes.NewReader(edge), 0).ReadFrame()
	require.ErrorIs(t, err, ErrFrameTooLarge)

	bad := binary.BigEndian.AppendUint32(nil, 10)
	bad = binary.BigEndian.AppendUint32(bad, 7) // header 7 > 10-4
	_, err = NewFrameReader(bytes.NewReader(append(bad, make([]byte, 6)...)), 0).ReadFrame()
	require.ErrorIs(t, err, ErrFrameCorrupt)

	short := binary.BigEndian.AppendUint32(nil, 2)
	short = binary.BigEndian.AppendUint32(short, 0)
	_, err = NewFrameReader(bytes.NewReader(short), 0).ReadFrame()
	require.ErrorIs(t, err, ErrFrameCorrupt)

	trunc := frameOf(JSON, []byte(`{"code":1}`), nil)
	_, err = NewFrameReader(bytes.NewReader(trunc[:len(trunc)-2]), 0).ReadFrame()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestDecodeUnknownSerializeType(t *testing.T) {
	f := frameOf(SerializeType(7), []byte("{}"), nil)
	_, err := Decode(f[4:])
	require.ErrorIs(t, err, ErrFrameCorrupt)
}
