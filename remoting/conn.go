package remoting

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrClosed: the connection is closed; open a new one (the Client does so on the next call).
	ErrClosed = errors.New("remoting: connection closed")
	// ErrTimeout: no response arrived in time; the request may or may not have been processed.
	ErrTimeout = errors.New("remoting: timed out waiting for the response")
)

// dispatcher serves requests that arrive on a connection.
type dispatcher interface {
	dispatch(c *Conn, req *Command)
}

// Conn is one TCP connection, on the server or the client side. Both sides can send requests on it:
// responses are matched to pending calls by opaque, requests go to the connection's dispatcher.
type Conn struct {
	nc       net.Conn
	remote   string
	d        dispatcher
	log      *slog.Logger
	maxFrame int

	writeq    chan *Command
	closed    chan struct{}
	closeOnce sync.Once
	closeErr  error
	onClose   []func(*Conn)

	mu      sync.Mutex
	pending map[int32]*call

	lastActive atomic.Int64 // unix nanos of the last read or write
	values     sync.Map     // per-connection state owned by the application
}

type call struct {
	done chan struct{}
	resp *Command
	err  error
	cb   func(*Command, error)
	once sync.Once
	t    *time.Timer
}

func (cl *call) finish(resp *Command, err error) {
	cl.once.Do(func() {
		cl.resp, cl.err = resp, err
		if cl.t != nil {
			cl.t.Stop()
		}
		if cl.cb != nil {
			go cl.cb(resp, err)
		}
		close(cl.done)
	})
}

const writeQueueLen = 1024

func newConn(nc net.Conn, d dispatcher, log *slog.Logger, maxFrame int) *Conn {
	c := &Conn{
		nc:       nc,
		remote:   nc.RemoteAddr().String(),
		d:        d,
		log:      log,
		maxFrame: maxFrame,
		writeq:   make(chan *Command, writeQueueLen),
		closed:   make(chan struct{}),
		pending:  make(map[int32]*call),
	}
	c.touch()
	return c
}

// RemoteAddr is the peer's "ip:port".
func (c *Conn) RemoteAddr() string { return c.remote }

// LocalAddr is this side's "ip:port".
func (c *Conn) LocalAddr() string { return c.nc.LocalAddr().String() }

// Done is closed when the connection is closed.
func (c *Conn) Done() <-chan struct{} { return c.closed }

// Values holds per-connection application state (for example the client id a heartbeat announced).
func (c *Conn) Values() *sync.Map { return &c.values }

func (c *Conn) touch() { c.lastActive.Store(time.Now().UnixNano()) }

func (c *Conn) idleFor(now time.Time) time.Duration {
	return now.Sub(time.Unix(0, c.lastActive.Load()))
}

// Close closes the connection, fails every pending call with ErrClosed and runs the close callbacks once.
func (c *Conn) Close() error { c.closeWith(nil); return nil }

func (c *Conn) closeWith(reason error) {
	c.closeOnce.Do(func() {
		c.closeErr = reason
		close(c.closed)
		_ = c.nc.Close()
		c.mu.Lock()
		pending := c.pending
		c.pending = nil
		c.mu.Unlock()
		for _, cl := range pending {
			cl.finish(nil, ErrClosed)
		}
		switch {
		case reason == nil, errors.Is(reason, io.EOF), errors.Is(reason, net.ErrClosed):
			c.log.Debug("connection closed", "remote", c.remote, "reason", reason)
		default:
			c.log.Info("connection closed", "remote", c.remote, "reason", reason)
		}
		for _, f := range c.onClose {
			f(c)
		}
	})
}

// Send queues cmd for writing. It blocks while the write queue is full and fails once the connection closes.
func (c *Conn) Send(cmd *Command) error {
	select {
	case <-c.closed:
		return ErrClosed
	default:
	}
	select {
	case c.writeq <- cmd:
		return nil
	case <-c.closed:
		return ErrClosed
	}
}

// Invoke sends req and waits for its response, at most timeout.
func (c *Conn) Invoke(ctx context.Context, req *Command, timeout time.Duration) (*Command, error) {
	cl, err := c.register(req, nil, 0)
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-cl.done:
		return cl.resp, cl.err
	case <-t.C:
		c.unregister(req.Opaque)
		return nil, fmt.Errorf("%w: code %d to %s after %v", ErrTimeout, req.Code, c.remote, timeout)
	case <-ctx.Done():
		c.unregister(req.Opaque)
		return nil, ctx.Err()
	}
}

// InvokeAsync sends req and calls cb (on its own goroutine) with the response, ErrTimeout or ErrClosed.
func (c *Conn) InvokeAsync(req *Command, timeout time.Duration, cb func(*Command, error)) error {
	_, err := c.register(req, cb, timeout)
	return err
}

// InvokeOneway sends req with the oneway bit set; no response is expected.
func (c *Conn) InvokeOneway(req *Command) error {
	req.MarkOneway()
	return c.Send(req)
}

func (c *Conn) register(req *Command, cb func(*Command, error), timeout time.Duration) (*call, error) {
	req.Flag &^= FlagResponse
	cl := &call{done: make(chan struct{}), cb: cb}
	c.mu.Lock()
	if c.pending == nil {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.pending[req.Opaque] = cl
	c.mu.Unlock()
	if cb != nil {
		op := req.Opaque
		cl.t = time.AfterFunc(timeout, func() {
			if c.unregister(op) != nil {
				cl.finish(nil, fmt.Errorf("%w: code %d to %s after %v", ErrTimeout, req.Code, c.remote, timeout))
			}
		})
	}
	if err := c.Send(req); err != nil {
		c.unregister(req.Opaque)
		cl.finish(nil, err)
		return nil, err
	}
	return cl, nil
}

func (c *Conn) unregister(opaque int32) *call {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl := c.pending[opaque]
	if cl != nil {
		delete(c.pending, opaque)
	}
	return cl
}

// serve runs the reader on the calling goroutine and the writer on another; it returns when both have stopped.
func (c *Conn) serve() {
	wdone := make(chan struct{})
	go func() { defer close(wdone); c.writeLoop() }()
	c.readLoop()
	<-wdone
}

func (c *Conn) readLoop() {
	fr := NewFrameReader(c.nc, c.maxFrame)
	for {
		frame, err := fr.ReadFrame()
		if err != nil {
			if errors.Is(err, ErrFrameTooLarge) || errors.Is(err, ErrFrameCorrupt) {
				c.log.Warn("closing connection: bad frame", "remote", c.remote, "err", err)
			}
			c.closeWith(err)
			return
		}
		c.touch()
		cmd, err := Decode(frame)
		if err != nil {
			// Java closes the channel on a header it cannot decode; so do we.
			c.log.Warn("closing connection: undecodable command", "remote", c.remote, "err", err)
			c.closeWith(err)
			return
		}
		cmd.receivedAt = time.Now()
		if cmd.IsResponse() {
			if cl := c.unregister(cmd.Opaque); cl != nil {
				cl.finish(cmd, nil)
			} else {
				c.log.Debug("response without a pending request", "remote", c.remote, "opaque", cmd.Opaque, "code", cmd.Code)
			}
			continue
		}
		c.d.dispatch(c, cmd)
	}
}

// writeLoop batches queued commands into one writev: headers go into a reused buffer, bodies are written
// from where they are, without copying.
func (c *Conn) writeLoop() {
	var hdr []byte
	type part struct{ start, end int }
	var parts []part
	var bodies [][]byte
	for {
		var first *Command
		select {
		case first = <-c.writeq:
		case <-c.closed:
			return
		}
		hdr, parts, bodies = hdr[:0], parts[:0], bodies[:0]
		for cmd := first; cmd != nil; {
			start := len(hdr)
			var err error
			hdr, err = cmd.appendHeaderFrame(hdr)
			if err != nil {
				c.log.Error("dropping a command that cannot be encoded", "remote", c.remote, "code", cmd.Code, "err", err)
			} else {
				parts = append(parts, part{start, len(hdr)})
				bodies = append(bodies, cmd.Body)
			}
			cmd = nil
			if len(parts) < 64 && len(hdr) < 256<<10 {
				select {
				case cmd = <-c.writeq:
				default:
				}
			}
		}
		bufs := make(net.Buffers, 0, 2*len(parts))
		for i, p := range parts {
			bufs = append(bufs, hdr[p.start:p.end])
			if len(bodies[i]) > 0 {
				bufs = append(bufs, bodies[i])
			}
		}
		if _, err := bufs.WriteTo(c.nc); err != nil {
			c.closeWith(err)
			return
		}
		c.touch()
	}
}

// watchIdle closes the connection after idle without reads or writes (Java's all-idle handler).
func (c *Conn) watchIdle(idle time.Duration) {
	if idle <= 0 {
		return
	}
	tick := idle / 4
	if tick > 10*time.Second {
		tick = 10 * time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case now := <-t.C:
			if c.idleFor(now) >= idle {
				c.closeWith(fmt.Errorf("idle for %v", idle))
				return
			}
		}
	}
}
