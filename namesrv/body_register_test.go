package namesrv

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeRegisterBodyJavaCapture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "java", "register_broker.request-body.json"))
	if os.IsNotExist(err) {
		t.Skip("no Java capture")
	}
	require.NoError(t, err)
	rb, err := DecodeRegisterBody(data, false)
	require.NoError(t, err)
	require.Equal(t, DataVersion{Timestamp: 1700000000000, Counter: 7}, rb.DataVersion)
	require.Len(t, rb.Topics, 7)
	require.Equal(t, TopicConfig{TopicName: "TopicUnit", ReadQueueNums: 1, WriteQueueNums: 1, Perm: 6, TopicSysFlag: 1}, rb.Topics[4])
	require.Equal(t, []string{}, rb.FilterServers)
}

func TestRegisterBodyRoundTrip(t *testing.T) {
	in := &RegisterBody{
		DataVersion:   DataVersion{Timestamp: 42, Counter: 3},
		Topics:        []TopicConfig{{TopicName: "A", ReadQueueNums: 4, WriteQueueNums: 2, Perm: 6}, {TopicName: "B", ReadQueueNums: 1, WriteQueueNums: 1, Perm: 7}},
		FilterServers: []string{"1.2.3.4:5"},
	}
	for _, compressed := range []bool{false, true} {
		out, err := DecodeRegisterBody(EncodeRegisterBody(in, compressed), compressed)
		require.NoError(t, err)
		require.Equal(t, in, out)
	}
}

func TestDecodeRegisterBodyDefaults(t *testing.T) {
	rb, err := DecodeRegisterBody([]byte(`{"topicConfigSerializeWrapper":{"topicConfigTable":{"T":{"topicName":"T","perm":"6"}}}}`), false)
	require.NoError(t, err)
	require.Equal(t, TopicConfig{TopicName: "T", ReadQueueNums: 16, WriteQueueNums: 16, Perm: 6}, rb.Topics[0], "Java's TopicConfig defaults")
	require.NotZero(t, rb.DataVersion.Timestamp, "a missing DataVersion is a new one (now)")
}

func TestCompressedBodyErrors(t *testing.T) {
	stream := func(parts ...[]byte) []byte {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		for _, p := range parts {
			_, _ = zw.Write(p)
		}
		_ = zw.Close()
		return b.Bytes()
	}
	n := func(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	dv := []byte(`{"counter":1,"timestamp":2}`)
	for name, body := range map[string][]byte{
		"truncated":         stream(n(int32(len(dv))), dv[:5]),
		"huge length":       stream(n(1 << 30)),
		"negative count":    stream(n(int32(len(dv))), dv, n(-1)),
		"bad topic line":    stream(n(int32(len(dv))), dv, n(1), n(3), []byte("a b")),
		"bad filter type":   stream(n(int32(len(dv))), dv, n(1), n(12), []byte("T 1 1 6 NONE")),
		"missing filter":    stream(n(int32(len(dv))), dv, n(0)),
		"not zlib":          []byte("plain"),
		"bad DataVersion":   stream(n(3), []byte("[1]")),
		"count beyond data": stream(n(int32(len(dv))), dv, n(5)),
	} {
		_, err := DecodeRegisterBody(body, true)
		require.ErrorIs(t, err, ErrBadBody, name)
	}
}

func FuzzDecodeRegisterBody(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "java", "register_broker.request-body.json")); err == nil {
		f.Add(data, false)
	}
	rb := &RegisterBody{DataVersion: DataVersion{Timestamp: 1, Counter: 2}, Topics: []TopicConfig{{TopicName: "T", ReadQueueNums: 4, WriteQueueNums: 4, Perm: 6}}, FilterServers: []string{}}
	f.Add(EncodeRegisterBody(rb, false), false)
	f.Add(EncodeRegisterBody(rb, true), true)
	f.Add([]byte(`{"topicConfigSerializeWrapper":{"dataVersion":null,"topicConfigTable":{"x":null}},"filterServerList":null}`), false)
	f.Add([]byte(`{"topicConfigSerializeWrapper":{"dataVersion":{"counter":1e99}}}`), false)
	f.Fuzz(func(t *testing.T, data []byte, compressed bool) {
		rb, err := DecodeRegisterBody(data, compressed)
		if err == nil {
			require.NotNil(t, rb)
		}
		_, _ = DecodeTopicConfigWrapper(data)
		_, _ = DecodeDataVersion(data)
	})
}
