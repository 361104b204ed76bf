package remoting

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Client keeps one connection per address and sends requests on it. Requests the peer sends back on the same
// connection (a broker calling a client, or a namesrv calling a broker) are served by Router.
type Client struct {
	Router       *Router       // nil: peer requests get REQUEST_CODE_NOT_SUPPORTED
	DialTimeout  time.Duration // 0: 3 s (Java connectTimeoutMillis)
	IdleTimeout  time.Duration // 0: DefaultIdleTimeout; <0: never
	MaxFrameSize int
	// MaxPendingBytes bounds the bytes queued for one connection; past it the connection is closed as a
	// slow consumer. 0: DefaultMaxPendingBytes.
	MaxPendingBytes int
	Logger          *slog.Logger

	mu     sync.Mutex
	conns  map[string]*Conn
	dials  map[string]*dialing
	wg     sync.WaitGroup
	closed bool
}

type dialing struct {
	done chan struct{}
	c    *Conn
	err  error
}

// Conn returns the open connection to addr, dialing it if needed (one dial at a time per address).
func (cl *Client) Conn(ctx context.Context, addr string) (*Conn, error) {
	cl.mu.Lock()
	if cl.closed {
		cl.mu.Unlock()
		return nil, ErrClosed
	}
	if c := cl.conns[addr]; c != nil {
		cl.mu.Unlock()
		return c, nil
	}
	if d := cl.dials[addr]; d != nil {
		cl.mu.Unlock()
		select {
		case <-d.done:
			return d.c, d.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if cl.dials == nil {
		cl.dials = make(map[string]*dialing)
		cl.conns = make(map[string]*Conn)
	}
	d := &dialing{done: make(chan struct{})}
	cl.dials[addr] = d
	cl.mu.Unlock()

	d.c, d.err = cl.dial(ctx, addr)
	cl.mu.Lock()
	delete(cl.dials, addr)
	if d.err == nil {
		if cl.closed {
			d.c.Close()
			d.c, d.err = nil, ErrClosed
		} else {
			cl.conns[addr] = d.c
		}
	}
	cl.mu.Unlock()
	close(d.done)
	return d.c, d.err
}

func (cl *Client) dial(ctx context.Context, addr string) (*Conn, error) {
	to := cl.DialTimeout
	if to <= 0 {
		to = 3 * time.Second
	}
	dctx, cancel := context.WithTimeout(ctx, to)
	defer cancel()
	var dl net.Dialer
	nc, err := dl.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("remoting: connect to %s: %w", addr, err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	r := cl.Router
	if r == nil {
		r = NewRouter(cl.logger())
	}
	c := newConn(nc, r, cl.logger(), cl.MaxFrameSize, cl.MaxPendingBytes)
	c.onClose = append(c.onClose, func(c *Conn) {
		cl.mu.Lock()
		if cl.conns[addr] == c {
			delete(cl.conns, addr)
		}
		cl.mu.Unlock()
	})
	idle := cl.IdleTimeout
	if idle == 0 {
		idle = DefaultIdleTimeout
	}
	cl.wg.Add(2)
	go func() { defer cl.wg.Done(); c.serve() }()
	go func() { defer cl.wg.Done(); c.watchIdle(idle) }()
	return c, nil
}

func (cl *Client) logger() *slog.Logger {
	if cl.Logger != nil {
		return cl.Logger
	}
	return slog.Default()
}

// InvokeSync sends req to addr and waits for the response, at most timeout.
func (cl *Client) InvokeSync(ctx context.Context, addr string, req *Command, timeout time.Duration) (*Command, error) {
	c, err := cl.Conn(ctx, addr)
	if err != nil {
		return nil, err
	}
	return c.Invoke(ctx, req, timeout)
}

// InvokeAsync sends req to addr; cb gets the response or an error (ErrTimeout, ErrClosed, a dial error).
func (cl *Client) InvokeAsync(ctx context.Context, addr string, req *Command, timeout time.Duration, cb func(*Command, error)) error {
	c, err := cl.Conn(ctx, addr)
	if err != nil {
		return err
	}
	return c.InvokeAsync(req, timeout, cb)
}

// InvokeOneway sends req to addr with the oneway bit; nothing comes back.
func (cl *Client) InvokeOneway(ctx context.Context, addr string, req *Command) error {
	c, err := cl.Conn(ctx, addr)
	if err != nil {
		return err
	}
	return c.InvokeOneway(req)
}

// CloseConn closes the connection to addr, if any.
func (cl *Client) CloseConn(addr string) {
	cl.mu.Lock()
	c := cl.conns[addr]
	cl.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// Close closes every connection and waits for their goroutines.
func (cl *Client) Close() error {
	cl.mu.Lock()
	cl.closed = true
	conns := make([]*Conn, 0, len(cl.conns))
	for _, c := range cl.conns {
		conns = append(conns, c)
	}
	cl.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	cl.wg.Wait()
	return nil
}
