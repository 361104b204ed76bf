package header

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzKeys are the keys the decoders read, so fuzzed maps hit real fields instead of only unknown ones.
var fuzzKeys = []string{
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "bname",
	"producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag", "bornTimestamp",
	"flag", "properties", "reconsumeTimes", "unitMode", "maxReconsumeTimes", "batch", "consumerGroup",
	"queueOffset", "maxMsgNums", "commitOffset", "suspendTimeoutMillis", "subscription", "subVersion",
	"expressionType", "offset", "timestamp", "commitOrRollback", "msgId", "topicFilterType", "isForce",
	"brokerId", "bodyCrc32", "_UNIQUE_KEY_QUERY", "group", "delayLevel",
}

// fuzzMap turns fuzz bytes into extFields: records split by 0x00, each "k\x01v". A key of one byte below
// len(fuzzKeys) names a known key.
func fuzzMap(data []byte) map[string]string {
	m := map[string]string{}
	for _, rec := range bytes.Split(data, []byte{0}) {
		k, v, _ := bytes.Cut(rec, []byte{1})
		key := string(k)
		if len(k) == 1 && int(k[0]) < len(fuzzKeys) {
			key = fuzzKeys[k[0]]
		}
		m[key] = string(v)
	}
	return m
}

// checkDecoder decodes; when that succeeds, encoding and decoding again must give the same header.
func checkDecoder(t *testing.T, ext map[string]string, fresh func() Header) {
	h := fresh()
	if err := h.Decode(ext); err != nil {
		require.NotEmpty(t, err.Error())
		return
	}
	out := map[string]string{}
	h.Encode(out)
	back := fresh()
	require.NoError(t, back.Decode(out), "re-decoding our own encoding of %v", ext)
	require.Equal(t, h, back)
}

func addSeeds(f *testing.F, maps ...map[string]string) {
	for _, m := range maps {
		var b bytes.Buffer
		for k, v := range m {
			if b.Len() > 0 {
				b.WriteByte(0)
			}
			b.WriteString(k)
			b.WriteByte(1)
			b.WriteString(v)
		}
		f.Add(b.Bytes())
	}
}

func FuzzDecodeSendV2(f *testing.F) {
	addSeeds(f, sendV2FromJava(nil), sendBatchFromGo(nil), sendV2FromJava(map[string]string{"e": "-2147483648", "g": "+0"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoder(t, fuzzMap(data), func() Header { return new(SendMessageRequestHeaderV2) })
	})
}

func FuzzDecodeSendV1(f *testing.F) {
	addSeeds(f, sendV1FromJava(nil), sendV1FromGo(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoder(t, fuzzMap(data), func() Header { return new(SendMessageRequestHeader) })
	})
}

func FuzzDecodePull(f *testing.F) {
	addSeeds(f, pullFromJava(nil), pullFromGo(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoder(t, fuzzMap(data), func() Header { return new(PullMessageRequestHeader) })
	})
}

// FuzzDecodeAll feeds the same map to every header type.
func FuzzDecodeAll(f *testing.F) {
	for _, tc := range allHeaders() {
		ext := map[string]string{}
		tc.sample.Encode(ext)
		addSeeds(f, ext)
	}
	cases := allHeaders()
	f.Fuzz(func(t *testing.T, data []byte) {
		ext := fuzzMap(data)
		for _, tc := range cases {
			checkDecoder(t, ext, tc.fresh)
		}
	})
}

func FuzzParseJavaLong(f *testing.F) {
	for _, s := range []string{"0", "-9223372036854775808", "9223372036854775807", "+1", "١٢", " 1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseJavaLong(s)
		i, ok32 := ParseJavaInt(s)
		if ok32 {
			require.True(t, ok, "an int is also a long: %q", s)
			require.Equal(t, int64(i), n)
		}
		if ok && n >= -1<<31 && n < 1<<31 {
			require.True(t, ok32, "%q fits an int", s)
		}
	})
}
