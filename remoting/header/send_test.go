package header

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeSendV2FromJava(t *testing.T) {
	var h SendMessageRequestHeaderV2
	require.NoError(t, h.Decode(sendV2FromJava(nil)))
	require.Equal(t, SendMessageRequestHeaderV2{
		ProducerGroup:         "please_rename_unique_group_name",
		Topic:                 "TopicTest",
		DefaultTopic:          "TBW102",
		DefaultTopicQueueNums: 4,
		QueueID:               2,
		SysFlag:               0,
		BornTimestamp:         1700000000123,
		Flag:                  0,
		Properties:            sampleProps,
		ReconsumeTimes:        Some[int32](0),
		BrokerName:            "broker-a",
	}, h)
	require.False(t, h.MaxReconsumeTimes.Set, "a Java producer leaves l out")

	// Resend to a retry topic: l carries the limit, j the count.
	require.NoError(t, h.Decode(sendV2FromJava(map[string]string{"b": "%RETRY%g", "j": "3", "l": "16"})))
	require.Equal(t, Some[int32](3), h.ReconsumeTimes)
	require.Equal(t, Some[int32](16), h.MaxReconsumeTimes)

	// Compressed body: Java 4.9.8 sets zlib type bits with the compressed bit.
	require.NoError(t, h.Decode(sendV2FromJava(map[string]string{"f": "769"})))
	require.Equal(t, int32(0x301), h.SysFlag)
}

func TestDecodeSendV1FromJavaAndGo(t *testing.T) {
	var h SendMessageRequestHeader
	require.NoError(t, h.Decode(sendV1FromJava(nil)))
	require.Equal(t, "TopicTest", h.Topic)
	require.Equal(t, int32(2), h.QueueID)
	require.Equal(t, "broker-a", h.BrokerName)
	require.False(t, h.MaxReconsumeTimes.Set)

	require.NoError(t, h.Decode(sendV1FromGo(nil)))
	require.Equal(t, SendMessageRequestHeader{
		ProducerGroup:         "go_group",
		Topic:                 "TopicTest",
		DefaultTopic:          "TBW102",
		DefaultTopicQueueNums: 4,
		QueueID:               1,
		BornTimestamp:         1700000000456,
		Properties:            sampleProps,
		ReconsumeTimes:        Some[int32](0),
		MaxReconsumeTimes:     Some[int32](0),
	}, h)
}

func TestDecodeSendBatchFromGo(t *testing.T) {
	var h SendMessageRequestHeaderV2
	require.NoError(t, h.Decode(sendBatchFromGo(nil)))
	require.True(t, h.Batch)
	require.Empty(t, h.Properties)
	require.Equal(t, Some[int32](0), h.MaxReconsumeTimes)
}

func TestSendV1AndV2ConvertBothWays(t *testing.T) {
	var v2 SendMessageRequestHeaderV2
	require.NoError(t, v2.Decode(sendV2FromJava(map[string]string{"l": "5", "k": "TRUE", "m": "true"})))
	var v1 SendMessageRequestHeader
	require.NoError(t, v1.Decode(sendV1FromJava(map[string]string{"maxReconsumeTimes": "5", "unitMode": "TRUE", "batch": "true"})))
	require.Equal(t, v1, v2.V1())
	require.Equal(t, v2, v1.V2())

	// The encoded forms carry the same values under each version's keys.
	e1, e2 := map[string]string{}, map[string]string{}
	v1.Encode(e1)
	v2.Encode(e2)
	for long, short := range map[string]string{
		"producerGroup": "a", "topic": "b", "defaultTopic": "c", "defaultTopicQueueNums": "d", "queueId": "e",
		"sysFlag": "f", "bornTimestamp": "g", "flag": "h", "properties": "i", "reconsumeTimes": "j",
		"unitMode": "k", "maxReconsumeTimes": "l", "batch": "m", "bname": "n",
	} {
		require.Equal(t, e1[long], e2[short], "%s / %s", long, short)
	}
	require.Len(t, e2, 14)
}

func TestDecodeSendV2Errors(t *testing.T) {
	var h SendMessageRequestHeaderV2
	for key := range map[string]bool{"a": true, "b": true, "c": true, "d": true, "e": true, "f": true, "g": true, "h": true} {
		err := h.Decode(sendV2FromJava(map[string]string{key: "\x00delete"}))
		require.ErrorIs(t, err, ErrMissingField, key)
		require.EqualError(t, err, "the custom field <"+key+"> is null")
	}
	for _, bad := range []map[string]string{
		{"e": " 1"}, {"e": "2147483648"}, {"g": "9223372036854775808"}, {"d": "4.0"}, {"j": "x"}, {"l": ""},
	} {
		err := h.Decode(sendV2FromJava(bad))
		require.ErrorIs(t, err, ErrMalformedField, "%v", bad)
	}
	// Optional keys may be absent; the booleans follow Boolean.parseBoolean.
	require.NoError(t, h.Decode(sendV2FromJava(map[string]string{"i": "\x00delete", "j": "\x00delete", "k": "yes", "m": "\x00delete", "n": "\x00delete"})))
	require.False(t, h.UnitMode)
	require.False(t, h.Batch)
	require.False(t, h.ReconsumeTimes.Set)
}

func TestDecodeSendIgnoresUnknownKeys(t *testing.T) {
	var h SendMessageRequestHeaderV2
	require.NoError(t, h.Decode(with(sendV2FromJava(nil), aclKeys)))
	var v1 SendMessageRequestHeader
	require.NoError(t, v1.Decode(with(sendV1FromGo(nil), aclKeys)))
}

func TestDecodeResetsReusedHeader(t *testing.T) {
	var h SendMessageRequestHeaderV2
	require.NoError(t, h.Decode(sendV2FromJava(map[string]string{"l": "16"})))
	require.NoError(t, h.Decode(sendV2FromJava(nil)))
	require.False(t, h.MaxReconsumeTimes.Set, "a value from the previous command leaked")
}

func TestSendResponse(t *testing.T) {
	h := SendMessageResponseHeader{MsgID: "0A0000010000291100000000000004D2", QueueID: 1, QueueOffset: 42, Region: "DefaultRegion", TraceOn: Some(true)}
	ext := map[string]string{}
	h.Encode(ext)
	require.Equal(t, map[string]string{
		"msgId": "0A0000010000291100000000000004D2", "queueId": "1", "queueOffset": "42",
		"MSG_REGION": "DefaultRegion", "TRACE_ON": "true",
	}, ext)
	var back SendMessageResponseHeader
	require.NoError(t, back.Decode(ext))
	require.Equal(t, h, back)
}

func BenchmarkDecodeSendV2(b *testing.B) {
	ext := sendV2FromJava(nil)
	var h SendMessageRequestHeaderV2
	b.ReportAllocs()
	for b.Loop() {
		if err := h.Decode(ext); err != nil {
			b.Fatal(err)
		}
	}
	if h.Topic != "TopicTest" {
		b.Fatal("decoded the wrong topic")
	}
}

func BenchmarkEncodeSendResponse(b *testing.B) {
	h := SendMessageResponseHeader{MsgID: "0A0000010000291100000000000004D2", QueueID: 1, QueueOffset: 42, Region: "DefaultRegion", TraceOn: Some(true)}
	ext := make(map[string]string, 8)
	b.ReportAllocs()
	for b.Loop() {
		h.Encode(ext)
	}
}

// The hot path must stay allocation-free.
func TestDecodeSendV2DoesNotAllocate(t *testing.T) {
	ext := sendV2FromJava(map[string]string{"l": "16"})
	var h SendMessageRequestHeaderV2
	allocs := testing.AllocsPerRun(100, func() {
		if err := h.Decode(ext); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}
