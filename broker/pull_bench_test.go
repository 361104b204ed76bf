package broker

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// BenchmarkPullRoundTrip is one PULL_MESSAGE round trip of 32 x 128 B messages over loopback TCP to a real
// broker with a real store (issue #15, zero-copy consumption): subscription "*" in the request, as the Java
// push consumer sends it with a fresh subscription, offsets cycling over a 12,800-message backlog. The client
// writes pre-encoded frames and reads into a reused buffer, so allocations are the broker's.
//
//	go test ./broker -run '^$' -bench PullRoundTrip -benchmem
func BenchmarkPullRoundTrip(b *testing.B) {
	tb := startTestBroker(b, tuneAsyncFlushBench)
	tb.createTopic(b, "PullBench", 4)
	nc, err := net.DialTimeout("tcp", tb.addr, 5*time.Second)
	require.NoError(b, err)
	defer nc.Close()
	const n, batch = 12800, 32
	send := remoting.NewRequest(code.SendMessageV2, sendV2("PullBench", 1, "TAGS\x01TagA\x02WAIT\x01true"), bytes.Repeat([]byte("x"), 128))
	sframe, err := send.Encode()
	require.NoError(b, err)
	buf := make([]byte, 64<<10)
	for range n {
		buf = sendRoundTrip(b, nc, sframe, buf)
	}
	require.Eventually(b, func() bool { return tb.b.store.GetMaxOffsetInQueue("PullBench", 1) == n }, 10*time.Second, 5*time.Millisecond)
	var frames [][]byte
	for off := int64(0); off < n; off += batch {
		f, err := remoting.NewRequest(code.PullMessage, pullExt("bench_group", "PullBench", 1, off, 0x6, 1000), nil).Encode()
		require.NoError(b, err)
		frames = append(frames, f)
	}
	for _, f := range frames { // warm up; every pull must find 32 messages
		buf = sendRoundTrip(b, nc, f, buf)
		cmd, err := remoting.Decode(buf[4:])
		require.NoError(b, err)
		require.Equal(b, code.Success, cmd.Code, cmd.Remark)
		require.Equal(b, int64(batch), countRecords(cmd.Body))
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		buf = sendRoundTrip(b, nc, frames[i%len(frames)], buf)
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "msg/s")
}

// countRecords counts the CommitLog records in a pull body (each starts with its 4-byte TOTALSIZE).
func countRecords(body []byte) int64 {
	var k int64
	for len(body) >= 4 {
		sz := int(uint32(body[0])<<24 | uint32(body[1])<<16 | uint32(body[2])<<8 | uint32(body[3]))
		if sz <= 0 || sz > len(body) {
			break
		}
		body, k = body[sz:], k+1
	}
	return k
}
