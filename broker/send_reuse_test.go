package broker

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// Send frames are read into pooled buffers that go back to the pool when handleSend returns. Pipelined sends
// of different sizes (so buffers of every class are reused while later frames are being read) must be stored
// with exactly their own body and properties.
func TestPipelinedSendsKeepTheirBytes(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "ReuseTopic", 1)
	const n = 400
	bodyOf := func(i int) []byte {
		size := []int{1, 300, 1000, 3000, 9000}[i%5] + i
		return bytes.Repeat([]byte{byte('a' + i%26)}, size)
	}
	var frames []byte
	for i := range n {
		req := remoting.NewRequest(code.SendMessageV2, sendV2("ReuseTopic", 0, "KEYS\x01k"+strconv.Itoa(i)+"\x02TAGS\x01T"+strconv.Itoa(i%7)), bodyOf(i))
		raw, err := req.Encode()
		require.NoError(t, err)
		frames = append(frames, raw...)
	}
	nc, err := net.DialTimeout("tcp", tb.addr, 5*time.Second)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(60*time.Second)))
	werr := make(chan error, 1)
	go func() { _, err := nc.Write(frames); werr <- err }()
	fr := remoting.NewFrameReader(nc, 0)
	for i := range n {
		f, err := fr.ReadFrame()
		require.NoError(t, err, "response %d", i)
		resp, err := remoting.Decode(f)
		require.NoError(t, err)
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
	require.NoError(t, <-werr)

	var got []*primitive.MessageExt
	deadline := time.Now().Add(30 * time.Second)
	for off := 0; off < n; {
		resp := tb.call(t, code.PullMessage, pullExt("g", "ReuseTopic", 0, int64(off), 4, 0), nil)
		if resp.Code != code.Success && time.Now().Before(deadline) { // not dispatched yet
			time.Sleep(10 * time.Millisecond)
			continue
		}
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		msgs := primitive.DecodeMessage(resp.Body)
		require.NotEmpty(t, msgs)
		got = append(got, msgs...)
		off += len(msgs)
	}
	require.Len(t, got, n)
	// Each message must carry its own body and properties (the check does not depend on the stored order).
	seen := map[int]bool{}
	for _, m := range got {
		i, err := strconv.Atoi(strings.TrimPrefix(m.GetKeys(), "k"))
		require.NoError(t, err, "keys %q", m.GetKeys())
		require.False(t, seen[i], "message %d stored twice", i)
		seen[i] = true
		require.Equal(t, bodyOf(i), m.Body, "message %d body", i)
		require.Equal(t, "T"+strconv.Itoa(i%7), m.GetTags(), "message %d tags", i)
	}
}
