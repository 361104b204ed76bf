package remoting

import (
	"bytes"
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A body given as segments is the same frame on the wire as the concatenated Body, and the release runs
// exactly once, after the write.
func TestBodySegmentsOnTheWire(t *testing.T) {
	segs := [][]byte{[]byte("first record|"), {}, bytes.Repeat([]byte("x"), 70000), []byte("|last")}
	whole := bytes.Join(segs, nil)
	var released atomic.Int32
	r := NewRouter(nil)
	r.Handle(1000, nil, func(c *Conn, req *Command) (*Command, error) {
		resp := NewResponse(req, 0, "remark")
		resp.SetExtPairs([]string{"k", "v"})
		if req.Ext("segs") != "" {
			resp.SetBodySegments(segs, func() { released.Add(1) })
			require.Nil(t, resp.Body)
		} else {
			resp.Body = whole
		}
		return resp, nil
	})
	s := startServer(t, r, nil)
	cl := newClient(t)
	for i := 0; i < 20; i++ {
		a, err := cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(1000, map[string]string{"segs": "1"}, nil), 5*time.Second)
		require.NoError(t, err)
		b, err := cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(1000, map[string]string{}, nil), 5*time.Second)
		require.NoError(t, err)
		require.Equal(t, whole, a.Body)
		a.Opaque, b.Opaque = 0, 0
		fa, err := a.Encode()
		require.NoError(t, err)
		fb, err := b.Encode()
		require.NoError(t, err)
		require.Equal(t, fb, fa, "the frames must be byte-identical")
	}
	require.Eventually(t, func() bool { return released.Load() == 20 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	require.Equal(t, int32(20), released.Load(), "each release runs once")

	// Encode (used in-process) writes the segments too and leaves the release to the owner.
	c := &Command{Code: 1, Flag: FlagResponse}
	c.SetBodySegments(segs, func() { released.Add(1) })
	f1, err := c.Encode()
	require.NoError(t, err)
	c2 := &Command{Code: 1, Flag: FlagResponse, Body: whole}
	f2, err := c2.Encode()
	require.NoError(t, err)
	require.Equal(t, f2, f1)
	c.ReleaseBody()
	c.ReleaseBody()
	require.Equal(t, int32(21), released.Load())
}

// Segments count toward the pending-write limit like a Body; a peer that does not read is cut off, and every
// release runs, whether its response was written, still queued when the connection closed, or refused.
func TestBodySegmentsSlowReaderReleasesAll(t *testing.T) {
	a, b := net.Pipe() // no buffer: nothing is written until the peer reads
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	c := newConn(a, NewRouter(nil), NewRouter(nil).log, 0, 1<<20)
	go c.serve()
	t.Cleanup(func() { c.Close() })
	seg := make([]byte, 100<<10)
	var made, released atomic.Int32
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		cmd := &Command{Code: 1, Flag: FlagResponse}
		made.Add(1)
		cmd.SetBodySegments([][]byte{seg, seg[:10]}, func() { released.Add(1) })
		err = c.Send(cmd)
	}
	require.ErrorIs(t, err, ErrSlowConsumer, "100 KiB segments must count toward the 1 MiB limit")
	require.Less(t, made.Load(), int32(15))
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("connection not closed")
	}
	require.Eventually(t, func() bool { return released.Load() == made.Load() }, 5*time.Second, time.Millisecond,
		"every release must run once the connection is gone")
	// A send after the close is refused and released at once.
	cmd := &Command{Code: 1}
	cmd.SetBodySegments([][]byte{seg}, func() { released.Add(1) })
	require.ErrorIs(t, c.Send(cmd), ErrClosed)
	require.Equal(t, made.Load()+1, released.Load())
}
