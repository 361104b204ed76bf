package commitlog

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"github.com/rocketd/rocketd/compat"

	"github.com/stretchr/testify/require"
)

var (
	v4host = netip.MustParseAddrPort("10.0.0.1:10911")
	v6host = netip.MustParseAddrPort("[2001:db8::1]:10911")
)

func testMessage(body string) *Message {
	return &Message{
		Topic:          "TopicTest",
		QueueID:        3,
		Flag:           7,
		Body:           []byte(body),
		Properties:     compat.EncodeProperties(map[string]string{"TAGS": "TagA", "KEYS": "k1"}),
		BornTimestamp:  1700000000000,
		BornHost:       v4host,
		StoreHost:      v4host,
		ReconsumeTimes: 2,
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	m := testMessage("Hello RocketMQ")
	buf, err := Encode(nil, m, Limits{MaxMessageSize: 4 << 20})
	require.NoError(t, err)
	require.Equal(t, 91+len(m.Body)+len(m.Topic)+len(m.Properties), len(buf))
	Patch(buf, 42, 1000, 1700000000123)
	rec, err := Decode(buf, true)
	require.NoError(t, err)
	require.Equal(t, int32(len(buf)), rec.TotalSize)
	require.Equal(t, MessageMagicCode, rec.Magic)
	require.Equal(t, int32(1774740973), rec.BodyCRC) // store.md §17
	require.Equal(t, int32(3), rec.QueueID)
	require.Equal(t, int32(7), rec.Flag)
	require.Equal(t, int64(42), rec.QueueOffset)
	require.Equal(t, int64(1000), rec.PhysicalOffset)
	require.Equal(t, int64(1700000000123), rec.StoreTimestamp)
	require.Equal(t, int64(1700000000000), rec.BornTimestamp)
	require.Equal(t, v4host, DecodeHost(rec.StoreHost))
	require.Equal(t, int32(2), rec.ReconsumeTimes)
	require.Equal(t, "TopicTest", string(rec.Topic))
	require.Equal(t, m.Properties, string(rec.Properties))
	require.Equal(t, 56, StoreTimestampPos(rec.SysFlag))
	require.Equal(t, "0A00000100002A9F00000000000003E8", string(rec.MsgID(nil)))
	// Magic bytes on disk.
	require.Equal(t, []byte{0xDA, 0xA3, 0x20, 0xA7}, buf[4:8])
}

func TestEncodeIPv6(t *testing.T) {
	m := testMessage("x")
	m.BornHost = v6host
	buf, err := Encode(nil, m, Limits{})
	require.NoError(t, err)
	require.Equal(t, 91+12+1+len(m.Topic)+len(m.Properties), len(buf))
	m.StoreHost = v6host
	buf, err = Encode(nil, m, Limits{})
	require.NoError(t, err)
	require.Equal(t, 91+24+1+len(m.Topic)+len(m.Properties), len(buf))
	Patch(buf, 1, 2, 3)
	rec, err := Decode(buf, true)
	require.NoError(t, err)
	require.Equal(t, compat.BornHostV6Flag|compat.StoreHostAddressV6Flag, rec.SysFlag&0x30)
	require.Equal(t, 68, StoreTimestampPos(rec.SysFlag))
	require.Equal(t, int64(3), rec.StoreTimestamp)
	require.Equal(t, v6host, DecodeHost(rec.StoreHost))
	require.Len(t, string(rec.MsgID(nil)), 56)
	// IPv4-mapped IPv6 is IPv4.
	m.BornHost = netip.MustParseAddrPort("[::ffff:10.0.0.1]:1")
	m.StoreHost = m.BornHost
	buf, err = Encode(nil, m, Limits{})
	require.NoError(t, err)
	require.Equal(t, 91+1+len(m.Topic)+len(m.Properties), len(buf))
}

func TestEncodeLimits(t *testing.T) {
	m := testMessage("x")
	m.Topic = string(make([]byte, 128))
	_, err := Encode(nil, m, Limits{})
	require.ErrorIs(t, err, ErrTopicTooLong)
	m = testMessage("x")
	m.Properties = string(make([]byte, 32768))
	_, err = Encode(nil, m, Limits{})
	require.ErrorIs(t, err, ErrPropsTooLong)
	m = testMessage("xx")
	_, err = Encode(nil, m, Limits{MaxMessageSize: 1})
	require.ErrorIs(t, err, ErrBodyTooLarge)
	m = testMessage("")
	buf, err := Encode(nil, m, Limits{})
	require.NoError(t, err)
	rec, err := Decode(buf, true)
	require.NoError(t, err)
	require.Equal(t, int32(0), rec.BodyCRC)
}

func TestDecodeRejects(t *testing.T) {
	buf, _ := Encode(nil, testMessage("payload"), Limits{})
	bad := append([]byte(nil), buf...)
	bad[len(bad)-30] ^= 0xFF // inside the body? no: properties; flip the body instead
	body := append([]byte(nil), buf...)
	body[72+8+8] ^= 1 // first body byte (IPv4 hosts)
	_, err := Decode(body, true)
	require.ErrorIs(t, err, ErrBadCRC)
	_, err = Decode(body, false)
	require.NoError(t, err)
	_, err = Decode(buf[:len(buf)-1], true)
	require.ErrorIs(t, err, ErrTruncated)
	short := append([]byte(nil), buf...)
	binary.BigEndian.PutUint32(short, uint32(len(buf)-1))
	_, err = Decode(short, true)
	require.True(t, errors.Is(err, ErrBadLength), err)
	v2 := append([]byte(nil), buf...)
	binary.BigEndian.PutUint32(v2[4:], 0xDAA320AB)
	_, err = Decode(v2, true)
	require.ErrorIs(t, err, ErrBadMagic)
	_, err = Decode(make([]byte, 100), true)
	require.ErrorIs(t, err, ErrBadMagic)
	blank := []byte{0, 0, 0, 16, 0xCB, 0xD4, 0x31, 0x94}
	rec, err := Decode(blank, true)
	require.NoError(t, err)
	require.True(t, rec.IsBlank())
	require.Equal(t, int32(16), rec.TotalSize)
}

func clientBatch(items ...BatchItem) []byte {
	var b []byte
	for _, it := range items {
		total := 22 + len(it.Body) + len(it.Properties)
		b = binary.BigEndian.AppendUint32(b, uint32(total))
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, uint32(it.Flag))
		b = binary.BigEndian.AppendUint32(b, uint32(len(it.Body)))
		b = append(b, it.Body...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(it.Properties)))
		b = append(b, it.Properties...)
	}
	return b
}

func TestEncodeBatch(t *testing.T) {
	body := clientBatch(
		BatchItem{Flag: 1, Body: []byte("a"), Properties: []byte("KEYS\x01k1")},
		BatchItem{Flag: 2, Body: []byte("bb"), Properties: []byte("KEYS\x01k2\x02")},
		BatchItem{Flag: 3, Body: []byte("ccc")},
	)
	tmpl := testMessage("")
	tmpl.Properties = "CLUSTER\x01c"
	out, n, err := EncodeBatch(nil, tmpl, body, Limits{})
	require.NoError(t, err)
	require.Equal(t, 3, n)
	wantProps := []string{"KEYS\x01k1\x02CLUSTER\x01c", "KEYS\x01k2\x02CLUSTER\x01c", "CLUSTER\x01c"}
	for i := 0; i < 3; i++ {
		rec, err := Decode(out, true)
		require.NoError(t, err)
		require.Equal(t, int32(i+1), rec.Flag)
		require.Equal(t, i+1, len(rec.Body))
		require.Equal(t, wantProps[i], string(rec.Properties))
		out = out[rec.TotalSize:]
	}
	require.Len(t, out, 0)
	_, _, err = EncodeBatch(nil, tmpl, body[:len(body)-1], Limits{})
	require.ErrorIs(t, err, ErrBadBatch)
	_, _, err = EncodeBatch(nil, tmpl, nil, Limits{})
	require.ErrorIs(t, err, ErrBadBatch)
}

func FuzzDecode(f *testing.F) {
	buf, _ := Encode(nil, testMessage("fuzz"), Limits{})
	f.Add(buf, true)
	f.Add([]byte{0, 0, 0, 16, 0xCB, 0xD4, 0x31, 0x94}, false)
	f.Fuzz(func(t *testing.T, b []byte, crc bool) {
		for _, part := range [][]byte{b, b[:len(b)/2]} {
			rec, err := Decode(part, crc)
			if err == nil && !rec.IsBlank() {
				if int(rec.TotalSize) > len(part) || RecordLength(rec.SysFlag, len(rec.Body), len(rec.Topic), len(rec.Properties)) != int(rec.TotalSize) {
					t.Fatalf("accepted an inconsistent record")
				}
			}
		}
	})
}

func FuzzParseBatch(f *testing.F) {
	f.Add(clientBatch(BatchItem{Flag: 1, Body: []byte("a"), Properties: []byte("A\x01b")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		tmpl := testMessage("")
		out, n, err := EncodeBatch(nil, tmpl, b, Limits{MaxMessageSize: 1 << 20})
		if err != nil {
			return
		}
		for i := 0; i < n; i++ {
			rec, err := Decode(out, true)
			if err != nil {
				t.Fatalf("re-encoded batch record %d invalid: %v", i, err)
			}
			out = out[rec.TotalSize:]
		}
	})
}
