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
	// ErrSlowConsumer: the peer did not read what was sent to it fast enough; its connection was closed so that
	// it could not hold memory or workers. The peer reconnects and retries.
	ErrSlowConsumer = errors.New("remoting: slow consumer: the peer left more unread bytes than the pending-write limit; connection closed")
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

	// The write queue: Send appends and never waits; writeLoop drains. queued counts the bytes not yet
	// written to the socket (estimated per command); past maxPending the connection is closed.
	wmu        sync.Mutex
	wq         []pendingWrite
	queued     int
	maxPending int
	wsignal    chan struct{}
	wstopped   bool // the writer has exited: nothing queued now would be written (or released)

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

type pendingWrite struct {
	cmd  *Command
	size int
}

// DefaultMaxPendingBytes is how many bytes may wait to be written to one connection before it is closed as a
// slow consumer (nats-server's max_pending default).
const DefaultMaxPendingBytes = 64 << 20

func newConn(nc net.Conn, d dispatcher, log *slog.Logger, maxFrame, maxPending int) *Conn {
	if maxPending <= 0 {
		maxPending = DefaultMaxPendingBytes
	}
	c := &Conn{
		nc:         nc,
		remote:     nc.RemoteAddr().String(),
		d:          d,
		log:        log,
		maxFrame:   maxFrame,
		maxPending: maxPending,
		wsignal:    make(chan struct{}, 1),
		closed:     make(chan struct{}),
		pending:    make(map[int32]*call),
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

// Send queues cmd for writing and returns at once: it never waits for the socket. If the bytes queued for
// this connection would pass its pending-write limit, the peer is not reading: the connection is closed as a
// slow consumer and Send returns ErrSlowConsumer. A command is always accepted into an empty queue, whatever
// its size.
//
// A command with body segments (SetBodySegments) is owned by the connection from here: its release runs once
// it is written, or at once when Send fails.
func (c *Conn) Send(cmd *Command) error {
	select {
	case <-c.closed:
		return cmd.sendFailed(ErrClosed)
	default:
	}
	size := wireEstimate(cmd)
	c.wmu.Lock()
	if c.wstopped {
		c.wmu.Unlock()
		return cmd.sendFailed(ErrClosed)
	}
	if c.queued > 0 && c.queued+size > c.maxPending {
		queued := c.queued
		c.wmu.Unlock()
		c.log.Warn("slow consumer: closing a connection that does not read its responses", "remote", c.remote,
			"pendingBytes", queued, "limit", c.maxPending, "code", cmd.Code)
		c.closeWith(ErrSlowConsumer)
		return cmd.sendFailed(ErrSlowConsumer)
	}
	c.wq = append(c.wq, pendingWrite{cmd, size})
	c.queued += size
	c.wmu.Unlock()
	select {
	case c.wsignal <- struct{}{}:
	default:
	}
	return nil
}

func (c *Command) sendFailed(err error) error { c.ReleaseBody(); return err }

// PendingBytes is the estimated number of bytes queued for this connection and not yet written to the socket.
func (c *Conn) PendingBytes() int {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.queued
}

// wireEstimate is the size cmd will take on the wire, close enough to charge it to the pending-write limit.
func wireEstimate(cmd *Command) int {
	n := 128 + len(cmd.Remark) + cmd.bodyLen()
	for k, v := range cmd.ExtFields {
		n += len(k) + len(v) + 8
	}
	for _, s := range cmd.extPairs {
		n += len(s) + 4
	}
	return n
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

// timedReader notes when each read from the socket returned: a frame's arrival time is that of the read that
// completed it, also when the reader gets to it later (a pipelined burst read in one go and served inline one
// request at a time still ages from when it arrived, as in Java's decoder thread). One clock read per read
// call, not per frame.
type timedReader struct {
	r  io.Reader
	at time.Time
}

func (t *timedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.at = time.Now()
	return n, err
}

func (c *Conn) readLoop() {
	tr := &timedReader{r: c.nc, at: time.Now()}
	fr := NewFrameReader(tr, c.maxFrame)
	var rawExt func(int32) bool
	if r, ok := c.d.(interface{ rawExt(code int32) bool }); ok {
		rawExt = r.rawExt
	}
	for {
		frame, slot, err := fr.readFrame()
		if err != nil {
			if errors.Is(err, ErrFrameTooLarge) || errors.Is(err, ErrFrameCorrupt) {
				c.log.Warn("closing connection: bad frame", "remote", c.remote, "err", err)
			}
			c.closeWith(err)
			return
		}
		c.lastActive.Store(tr.at.UnixNano())
		cmd := getRequest()
		if err := decodeInto(frame, rawExt, cmd); err != nil {
			// Java closes the channel on a header it cannot decode; so do we.
			c.log.Warn("closing connection: undecodable command", "remote", c.remote, "err", err)
			c.closeWith(err)
			return
		}
		cmd.receivedAt = tr.at
		cmd.frame = slot
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
// from where they are, without copying. It is the only goroutine that waits on the socket.
func (c *Conn) writeLoop() {
	var hdr []byte
	type part struct {
		start, end int
		segs       [][]byte
	}
	var parts []part
	var bodies [][]byte
	var batch, spare []pendingWrite
	var recycle []Recycler
	// w lives for the connection: net.Buffers.WriteTo takes a pointer, and a fresh slice per batch would be
	// allocated each time.
	w := &struct{ bufs, iov net.Buffers }{}
	var rels []*Command // commands of the batch whose body segments are released once written
	defer func() {
		// Nothing queued now will be written: release the segments of what is left, and refuse later sends.
		c.wmu.Lock()
		c.wstopped = true
		left := c.wq
		c.wq = nil
		c.wmu.Unlock()
		for _, p := range left {
			p.cmd.ReleaseBody()
		}
		for _, p := range batch {
			if p.cmd != nil {
				p.cmd.ReleaseBody()
			}
		}
		for _, cmd := range rels {
			cmd.ReleaseBody()
		}
	}()
	for {
		select {
		case <-c.wsignal:
		case <-c.closed:
			return
		}
		for {
			// Swap the queue with the drained batch: no copy, and both arrays are reused.
			c.wmu.Lock()
			batch, c.wq = c.wq, spare[:0]
			c.wmu.Unlock()
			if len(batch) == 0 {
				spare = batch
				break
			}
			spare = nil
			drained := batch
			for len(batch) > 0 {
				hdr, parts, bodies = hdr[:0], parts[:0], bodies[:0]
				written := 0
				i := 0
				for ; i < len(batch) && (i == 0 || len(parts) < 64 && len(hdr) < 256<<10); i++ {
					cmd := batch[i].cmd
					written += batch[i].size
					start := len(hdr)
					var err error
					hdr, err = cmd.appendHeaderFrame(hdr)
					if err != nil {
						c.log.Error("dropping a command that cannot be encoded", "remote", c.remote, "code", cmd.Code, "err", err)
						cmd.ReleaseBody()
						continue
					}
					parts = append(parts, part{start, len(hdr), cmd.segs})
					bodies = append(bodies, cmd.Body)
					if cmd.release != nil || cmd.segs != nil {
						rels = append(rels, cmd)
					}
					if cmd.recycler != nil {
						recycle = append(recycle, cmd.recycler)
					}
				}
				clear(batch[:i])
				batch = batch[i:]
				w.bufs = w.iov[:0]
				for j, p := range parts {
					w.bufs = append(w.bufs, hdr[p.start:p.end])
					if len(bodies[j]) > 0 {
						w.bufs = append(w.bufs, bodies[j])
					}
					for _, s := range p.segs {
						if len(s) > 0 {
							w.bufs = append(w.bufs, s)
						}
					}
				}
				clear(parts)       // drop the segment references
				w.iov = w.bufs[:0] // keep the grown array; WriteTo consumes w.bufs
				clear(bodies)
				_, err := w.bufs.WriteTo(c.nc)
				clear(w.iov[:cap(w.iov)])
				for _, cmd := range rels {
					cmd.ReleaseBody() // written (or failed): the kernel holds its own copy of the bytes
				}
				clear(rels)
				rels = rels[:0]
				if err != nil {
					clear(recycle) // not written: the garbage collector takes them
					recycle = recycle[:0]
					c.closeWith(err)
					return
				}
				for j, rc := range recycle {
					rc.Recycle()
					recycle[j] = nil
				}
				recycle = recycle[:0]
				c.wmu.Lock()
				c.queued -= written
				c.wmu.Unlock()
				c.touch()
			}
			if cap(drained) <= 4096 { // do not keep a burst's backing array for the connection's lifetime
				spare = drained[:0]
			}
		}
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
