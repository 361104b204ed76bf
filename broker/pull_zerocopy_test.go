package broker

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/store"
)

// Pull responses are written from the mapped CommitLog, whose files stay pinned until the bytes are written.
// A client pipelines pulls and does not read, so most responses wait in the connection's write queue; the
// CommitLog files they point into are then deleted by the time-based clean-up. The mapping must survive
// until each response is written: reading afterwards yields every response whole and correct (an unmapped
// file would fault the write and close the connection, or crash the process).
func TestPullResponseKeepsDeletedFileMapped(t *testing.T) {
	tb := startTestBroker(t, func(c *conf.Broker) {
		c.Store.MappedFileSizeCommitLog = 1 << 20
		c.Store.DeleteCommitLogFilesInterval = 0
	})
	tb.createTopic(t, "PinTopic", 1)
	const n = 240 // 16 KiB bodies: ~4 CommitLog files of 1 MiB
	bodyOf := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i%26)}, 16<<10-i) }
	for i := range n {
		resp := tb.call(t, code.SendMessageV2, sendV2("PinTopic", 0, "KEYS\x01k"+strconv.Itoa(i)), bodyOf(i))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
	ds := tb.b.store.(*statsStore).MessageStore.(*store.DefaultMessageStore)
	require.Eventually(t, func() bool { return ds.GetMaxOffsetInQueue("PinTopic", 0) == n }, 10*time.Second, 10*time.Millisecond)
	first := filepath.Join(tb.b.cfg.Store.StorePathRootDir, "commitlog", "00000000000000000000")
	_, err := os.Stat(first)
	require.NoError(t, err)

	// The slow reader: a small receive buffer, 48 pipelined pulls of ~256 KiB answers (12 MiB), nothing read.
	nc, err := net.DialTimeout("tcp", tb.addr, 5*time.Second)
	require.NoError(t, err)
	defer nc.Close()
	// (no SetReadBuffer: a tiny window after connect can stall loopback TCP in zero-window probes)
	const pulls = 48
	var frames []byte
	for i := range pulls {
		req := remoting.NewRequest(code.PullMessage, pullExt("g", "PinTopic", 0, 0, 4, 0), nil)
		req.Opaque = int32(1000 + i)
		raw, err := req.Encode()
		require.NoError(t, err)
		frames = append(frames, raw...)
	}
	require.NoError(t, nc.SetDeadline(time.Now().Add(60*time.Second)))
	_, err = nc.Write(frames)
	require.NoError(t, err)

	// Wait until the broker answered every pull and its write queue for us stops shrinking: responses (and
	// the files they pin) are queued.
	var srvConn *remoting.Conn
	require.Eventually(t, func() bool {
		for _, c := range tb.b.server.Conns() {
			if c.RemoteAddr() == nc.LocalAddr().String() {
				srvConn = c
			}
		}
		return srvConn != nil
	}, 5*time.Second, 5*time.Millisecond)
	last, stable := -1, 0
	require.Eventually(t, func() bool {
		p := srvConn.PendingBytes()
		if p == last {
			stable++
		} else {
			last, stable = p, 0
		}
		return stable >= 10 && p > 2<<20
	}, 20*time.Second, 20*time.Millisecond, "the broker should hold megabytes of unwritten pull responses")
	t.Logf("pull responses waiting in the broker's write queue: %d bytes", last)

	// Clean-up by time deletes the first CommitLog files while the responses that point into them wait.
	old := time.Now().Add(-1000 * time.Hour)
	for _, name := range []string{"00000000000000000000", "00000000000001048576"} {
		require.NoError(t, os.Chtimes(filepath.Join(filepath.Dir(first), name), old, old))
	}
	if os.Getenv("NODEL") == "" {
		ds.ExecuteDeleteFilesManually()
		st, err := ds.CleanOnce()
		require.NoError(t, err)
		require.GreaterOrEqual(t, st.CommitLogFiles, 1)
		_, err = os.Stat(first)
		require.True(t, os.IsNotExist(err), "the first CommitLog file must be deleted from disk: %v", err)
	}

	// Now read: every pull is answered whole, from the deleted (still mapped) file.
	fr := remoting.NewFrameReader(nc, 0)
	var want []byte
	seen := map[int32]bool{}
	for i := range pulls {
		f, err := fr.ReadFrame()
		require.NoError(t, err, "response %d", i)
		resp, err := remoting.Decode(f)
		require.NoError(t, err)
		require.True(t, resp.Opaque >= 1000 && resp.Opaque < 1000+pulls && !seen[resp.Opaque], "opaque %d", resp.Opaque)
		seen[resp.Opaque] = true
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		if want == nil {
			want = bytes.Clone(resp.Body)
			msgs := primitive.DecodeMessage(want)
			require.NotEmpty(t, msgs)
			for j, m := range msgs {
				require.Equal(t, "k"+strconv.Itoa(j), m.GetKeys())
				require.Equal(t, bodyOf(j), m.Body, "message %d", j)
			}
		}
		require.Equal(t, want, resp.Body, "response %d must equal the first", i)
	}
	// The broker still serves: the deleted range is gone for new pulls.
	resp := tb.call(t, code.PullMessage, pullExt("g", "PinTopic", 0, 0, 4, 0), nil)
	require.Equal(t, code.PullOffsetMoved, resp.Code, resp.Remark)
}
