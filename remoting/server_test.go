package remoting

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func startServer(t *testing.T, r *Router, tune func(*Server)) *Server {
	t.Helper()
	s := &Server{Router: r}
	if tune != nil {
		tune(s)
	}
	require.NoError(t, s.Listen("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newClient(t *testing.T) *Client {
	t.Helper()
	c := &Client{}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func echoRouter() *Router {
	r := NewRouter(nil)
	r.Handle(1000, nil, func(c *Conn, req *Command) (*Command, error) {
		resp := NewResponse(req, 0, "")
		resp.ExtFields = req.ExtFields
		resp.Body = req.Body
		return resp, nil
	})
	return r
}

func TestSyncAsyncOneway(t *testing.T) {
	var oneway atomic.Int32
	r := echoRouter()
	r.Handle(1001, nil, func(c *Conn, req *Command) (*Command, error) {
		oneway.Add(1)
		return NewResponse(req, 0, ""), nil // must not be written: the request is oneway
	})
	s := startServer(t, r, nil)
	cl := newClient(t)
	ctx := context.Background()
	addr := s.Addr().String()

	for _, st := range []SerializeType{JSON, RocketMQ} {
		req := NewRequest(1000, map[string]string{"k": "v"}, []byte("body"))
		req.SerializeType = st
		resp, err := cl.InvokeSync(ctx, addr, req, 3*time.Second)
		require.NoError(t, err)
		require.Equal(t, req.Opaque, resp.Opaque)
		require.True(t, resp.IsResponse())
		require.Equal(t, st, resp.SerializeType, "answers in the request's serialization")
		require.Equal(t, "v", resp.Ext("k"))
		require.Equal(t, "body", string(resp.Body))
	}

	got := make(chan *Command, 1)
	require.NoError(t, cl.InvokeAsync(ctx, addr, NewRequest(1000, nil, []byte("a")), 3*time.Second, func(c *Command, err error) {
		require.NoError(t, err)
		got <- c
	}))
	select {
	case c := <-got:
		require.Equal(t, "a", string(c.Body))
	case <-time.After(5 * time.Second):
		t.Fatal("async response never arrived")
	}

	require.NoError(t, cl.InvokeOneway(ctx, addr, NewRequest(1001, nil, nil)))
	require.Eventually(t, func() bool { return oneway.Load() == 1 }, 5*time.Second, 5*time.Millisecond)
	// The next sync call still matches its own response, proving no stray reply to the oneway came back first.
	resp, err := cl.InvokeSync(ctx, addr, NewRequest(1000, nil, []byte("after")), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, "after", string(resp.Body))
}

func TestUnknownCodeNotSupported(t *testing.T) {
	s := startServer(t, echoRouter(), nil)
	cl := newClient(t)
	for _, oneway := range []bool{false, true} {
		req := NewRequest(9999, nil, nil)
		c, err := cl.Conn(context.Background(), s.Addr().String())
		require.NoError(t, err)
		if oneway {
			req.Flag = FlagOneway // Java replies to unsupported codes even when oneway
		}
		resp, err := c.Invoke(context.Background(), req, 3*time.Second)
		require.NoError(t, err)
		require.Equal(t, int32(3), resp.Code)
		require.Equal(t, " request type 9999 not supported", resp.Remark)
	}
	// The connection is still usable.
	resp, err := cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(1000, nil, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, int32(0), resp.Code)
}

func TestHandlerErrorAndPanicGiveSystemError(t *testing.T) {
	r := echoRouter()
	r.Handle(1, nil, func(*Conn, *Command) (*Command, error) { return nil, errors.New("the custom field topic is null") })
	r.Handle(2, nil, func(*Conn, *Command) (*Command, error) { panic("boom") })
	s := startServer(t, r, nil)
	cl := newClient(t)
	resp, err := cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(1, nil, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, int32(1), resp.Code)
	require.Equal(t, "the custom field topic is null", resp.Remark)
	resp, err = cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(2, nil, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, int32(1), resp.Code)
	require.Contains(t, resp.Remark, "boom")
	resp, err = cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(1000, nil, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, int32(0), resp.Code)
}

func TestBusyPoolAndReject(t *testing.T) {
	pool, err := NewPool("send", 1, 0)
	require.NoError(t, err)
	defer pool.Release()
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	var reject atomic.Bool
	r := NewRouter(nil)
	r.Handle(10, pool, func(c *Conn, req *Command) (*Command, error) {
		started <- struct{}{}
		<-release
		return NewResponse(req, 0, ""), nil
	}, WithReject(reject.Load))
	s := startServer(t, r, nil)
	cl := newClient(t)
	addr := s.Addr().String()

	first := make(chan *Command, 1)
	require.NoError(t, cl.InvokeAsync(context.Background(), addr, NewRequest(10, nil, nil), 5*time.Second, func(c *Command, err error) { first <- c }))
	<-started
	resp, err := cl.InvokeSync(context.Background(), addr, NewRequest(10, nil, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, int32(2), resp.Code)
	require.Equal(t, "[OVERLOAD]system busy, start flow control for a while", resp.Remark)
	close(release)
	require.Equal(t, int32(0), (<-first).Code)

	reject.Store(true)
	resp, err = cl.InvokeSync(context.Background(), addr, NewRequest(10, nil, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, int32(2), resp.Code)
	require.Equal(t, "[REJECTREQUEST]system busy, start flow control for a while", resp.Remark)
}

func TestIdleCloseAndCallbacks(t *testing.T) {
	closed := make(chan string, 1)
	s := startServer(t, echoRouter(), func(s *Server) {
		s.IdleTimeout = 150 * time.Millisecond
		s.OnClose = func(c *Conn) { closed <- c.RemoteAddr() }
	})
	nc, err := net.Dial("tcp", s.Addr().String())
	require.NoError(t, err)
	defer nc.Close()
	select {
	case addr := <-closed:
		require.Equal(t, nc.LocalAddr().String(), addr)
	case <-time.After(5 * time.Second):
		t.Fatal("idle connection was not closed")
	}
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = nc.Read(make([]byte, 1))
	require.ErrorIs(t, err, io.EOF)
}

func TestBadFramesCloseConnection(t *testing.T) {
	closed := make(chan struct{}, 4)
	s := startServer(t, echoRouter(), func(s *Server) { s.OnClose = func(*Conn) { closed <- struct{}{} } })
	for _, raw := range [][]byte{
		binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 1<<30), 0), // oversized
		frameOf(JSON, []byte(`{"code":`), nil),                                      // undecodable header
		frameOf(SerializeType(9), []byte(`{}`), nil),                                // unknown type
	} {
		nc, err := net.Dial("tcp", s.Addr().String())
		require.NoError(t, err)
		_, err = nc.Write(raw)
		require.NoError(t, err)
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = nc.Read(make([]byte, 1))
		require.ErrorIs(t, err, io.EOF, "server closes without answering")
		nc.Close()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatal("close callback not called")
		}
	}
	// The server is still serving.
	resp, err := newClient(t).InvokeSync(context.Background(), s.Addr().String(), NewRequest(1000, nil, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, int32(0), resp.Code)
}

// The broker calls clients back on the connection they opened (CHECK_TRANSACTION_STATE, GET_CONSUMER_RUNNING_INFO).
func TestServerInitiatedRequest(t *testing.T) {
	conns := make(chan *Conn, 1)
	s := startServer(t, echoRouter(), func(s *Server) { s.OnConnect = func(c *Conn) { conns <- c } })
	cr := NewRouter(nil)
	cr.Handle(307, nil, func(c *Conn, req *Command) (*Command, error) {
		resp := NewResponse(req, 0, "")
		resp.Body = []byte(`{"running":` + req.Ext("clientId") + `}`)
		return resp, nil
	})
	cl := &Client{Router: cr}
	defer cl.Close()
	_, err := cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(1000, nil, nil), 3*time.Second)
	require.NoError(t, err)
	sc := <-conns
	resp, err := sc.Invoke(context.Background(), NewRequest(307, map[string]string{"clientId": "1"}, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, `{"running":1}`, string(resp.Body))
	// A code the client does not serve gets REQUEST_CODE_NOT_SUPPORTED.
	resp, err = sc.Invoke(context.Background(), NewRequest(221, nil, nil), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, int32(3), resp.Code)
}

func TestInvokeTimeoutAndClose(t *testing.T) {
	r := NewRouter(nil)
	hold := make(chan struct{})
	r.Handle(5, nil, func(c *Conn, req *Command) (*Command, error) { <-hold; return nil, nil })
	s := startServer(t, r, nil)
	defer close(hold)
	cl := newClient(t)
	_, err := cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(5, nil, nil), 100*time.Millisecond)
	require.ErrorIs(t, err, ErrTimeout)

	errs := make(chan error, 1)
	require.NoError(t, cl.InvokeAsync(context.Background(), s.Addr().String(), NewRequest(5, nil, nil), 10*time.Second, func(_ *Command, err error) { errs <- err }))
	cl.CloseConn(s.Addr().String())
	select {
	case err := <-errs:
		require.ErrorIs(t, err, ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("pending call not failed on close")
	}
	// A new call redials.
	_, err = cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(5, nil, nil), 50*time.Millisecond)
	require.ErrorIs(t, err, ErrTimeout)
}
