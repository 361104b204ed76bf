package remoting

import (
	"bytes"
	"testing"
)

// A SEND_MESSAGE_V2 request as a Java 4.9.8 producer sends it: one-letter header names, 1 KiB body.
func sendV2Request() *Command {
	return &Command{Code: 310, Language: Java, Version: 409, Opaque: 123456, ExtFields: map[string]string{
		"a": "please_rename_unique_group_name", "b": "TopicTest", "c": "TBW102", "d": "4", "e": "3", "f": "0",
		"g": "1700000000000", "h": "0", "i": "KEYS\x01OrderID188\x02UNIQ_KEY\x017F0000010B5C18B4AAC2671C3D8C0000\x02WAIT\x01true\x02TAGS\x01TagA",
		"j": "0", "k": "false", "m": "false", "n": "broker-a",
	}, Body: bytes.Repeat([]byte("x"), 1024)}
}

// A pull response: four offsets in extFields and 32 KiB of stored records.
func pullResponse() *Command {
	return &Command{Code: 0, Flag: FlagResponse, Language: Java, Version: 409, Opaque: 99, Remark: "FOUND",
		ExtFields: map[string]string{"suggestWhichBrokerId": "0", "nextBeginOffset": "1032", "minOffset": "0", "maxOffset": "5000"},
		Body:      bytes.Repeat([]byte{0xDA}, 32<<10)}
}

func benchEncode(b *testing.B, c *Command) {
	b.ReportAllocs()
	b.SetBytes(int64(len(c.Body)))
	buf := make([]byte, 0, 1024)
	for i := 0; i < b.N; i++ {
		var err error
		buf, err = c.appendHeaderFrame(buf[:0])
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchDecode(b *testing.B, c *Command) {
	raw, err := c.Encode()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		if _, err := Decode(raw[4:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSendV2JSON(b *testing.B) { benchEncode(b, sendV2Request()) }
func BenchmarkEncodeSendV2RocketMQ(b *testing.B) {
	c := sendV2Request()
	c.SerializeType = RocketMQ
	benchEncode(b, c)
}
func BenchmarkDecodeSendV2JSON(b *testing.B) { benchDecode(b, sendV2Request()) }
func BenchmarkDecodeSendV2RocketMQ(b *testing.B) {
	c := sendV2Request()
	c.SerializeType = RocketMQ
	benchDecode(b, c)
}
func BenchmarkEncodePullResponse(b *testing.B) { benchEncode(b, pullResponse()) }
func BenchmarkDecodePullResponse(b *testing.B) { benchDecode(b, pullResponse()) }
