package remoting

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// One client pipelines requests whose answers are large and never reads them. Workers must not wait on its
// socket: another client's requests on the same pool are still answered promptly, and the flooding connection
// is closed as a slow consumer once its unread answers pass the pending-write limit.
func TestSlowReaderDoesNotStallWorkers(t *testing.T) {
	pool, err := NewPool("test", 4, 10000)
	require.NoError(t, err)
	t.Cleanup(pool.Release)
	big := make([]byte, 64<<10) // shared: the answers cost the test no memory of their own
	r := NewRouter(nil)
	r.Handle(1000, pool, func(c *Conn, req *Command) (*Command, error) {
		resp := NewResponse(req, 0, "")
		if req.Ext("big") != "" {
			resp.Body = big
		}
		return resp, nil
	})
	var mu sync.Mutex
	var reasons []error
	s := startServer(t, r, func(s *Server) {
		s.MaxPendingBytes = 4 << 20
		s.OnClose = func(c *Conn) { mu.Lock(); reasons = append(reasons, c.closeErr); mu.Unlock() }
	})
	addr := s.Addr().String()

	// The flooder: 4,000 pipelined requests for 64 KiB answers (250 MiB), and it never reads.
	flood, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = flood.Close() })
	floodDone := make(chan struct{})
	go func() {
		defer close(floodDone)
		for i := 0; i < 4000; i++ {
			req := NewRequest(1000, map[string]string{"big": "1"}, nil)
			req.Opaque = int32(i)
			b, err := req.Encode()
			if err != nil {
				return
			}
			_ = flood.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := flood.Write(b); err != nil {
				return // the server closed us: expected
			}
		}
	}()

	cl := newClient(t)
	var worst time.Duration
	for i := 0; i < 50; i++ {
		start := time.Now()
		resp, err := cl.InvokeSync(context.Background(), addr, NewRequest(1000, map[string]string{"i": strconv.Itoa(i)}, nil), 3*time.Second)
		require.NoError(t, err, "request %d of the well-behaved client while another client does not read", i)
		require.Equal(t, int32(0), resp.Code)
		worst = max(worst, time.Since(start))
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("slowest answer to the well-behaved client: %v", worst)
	select {
	case <-floodDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the flooder was never disconnected")
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(reasons)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, reasons, "the flooding connection must be closed")
	require.ErrorIs(t, reasons[0], ErrSlowConsumer)
}

// Send never waits: queueing past the limit to a peer that reads nothing returns at once.
func TestSendNeverBlocks(t *testing.T) {
	a, b := net.Pipe() // a pipe has no buffer: nothing is written until the peer reads
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	c := newConn(a, NewRouter(nil), NewRouter(nil).log, 0, 1<<20)
	go c.serve()
	t.Cleanup(func() { c.Close() })
	body := make([]byte, 100<<10)
	start := time.Now()
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = c.Send(&Command{Code: 1, Body: body})
	}
	require.ErrorIs(t, err, ErrSlowConsumer)
	require.Less(t, time.Since(start), 2*time.Second)
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("connection not closed")
	}
}
