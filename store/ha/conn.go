package ha

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// HeaderSize is the master -> slave frame header: phy offset (8) + body size (4).
const HeaderSize = 12

// conn is one slave on the master (Java HAConnection): a reader goroutine for the acks and a writer goroutine
// for the CommitLog stream.
type conn struct {
	s    *Service
	nc   net.Conn
	addr string
	log  *slog.Logger

	requestOffset atomic.Int64 // first report, -1 until it arrives (Java slaveRequestOffset)
	ackOffset     atomic.Int64 // latest report (Java slaveAckOffset)
	requested     chan struct{}

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

func newConn(s *Service, nc net.Conn) *conn {
	c := &conn{s: s, nc: nc, addr: nc.RemoteAddr().String(), requested: make(chan struct{}), done: make(chan struct{})}
	c.log = s.log.With("slave", c.addr)
	c.requestOffset.Store(-1)
	c.ackOffset.Store(-1)
	return c
}

func (c *conn) start() {
	c.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
}

// close ends both goroutines (idempotent).
func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.nc.Close()
	})
}

func (c *conn) wait() { c.wg.Wait() }

// fail logs why the connection ends and closes it.
func (c *conn) fail(msg string, args ...any) {
	select {
	case <-c.done:
		return // already closing: the other side's error is the consequence
	default:
	}
	c.log.Warn(msg, args...)
	c.close()
	c.s.removeConn(c)
}

// readLoop is ReadSocketService: slave reports, 8 bytes each; the last complete one in what was read wins.
func (c *conn) readLoop() {
	defer c.wg.Done()
	defer c.s.removeConn(c)
	var buf [1024]byte // a multiple of 8: reports never straddle the wrap
	n := 0
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.s.cfg.HousekeepingInterval))
		m, err := c.nc.Read(buf[n:])
		n += m
		if n >= 8 {
			last := n - n%8
			off := int64(binary.BigEndian.Uint64(buf[last-8 : last]))
			copy(buf[:], buf[last:n])
			n -= last
			if !c.ack(off) {
				return
			}
		}
		if err != nil {
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout():
				c.fail("HA connection closed: nothing read from the slave for haHousekeepingInterval", "interval", c.s.cfg.HousekeepingInterval)
			case errors.Is(err, io.EOF):
				c.fail("HA connection closed by the slave")
			default:
				c.fail("HA connection read failed", "err", err)
			}
			return
		}
	}
}

// ack records a slave report; false closes the connection.
func (c *conn) ack(off int64) bool {
	max := c.s.cl.MaxOffset()
	if off < 0 || off > max {
		// Java closes on an ack beyond its log after the first report; a first report beyond it (a slave
		// store from another master, or one that outran this master) is refused too instead of idling.
		c.fail("HA connection closed: the slave reports an offset beyond this master's CommitLog; "+
			"the slave's store does not belong to this master (move it away and let the slave replicate afresh)",
			"slaveOffset", off, "masterMaxOffset", max)
		return false
	}
	c.ackOffset.Store(off)
	if c.requestOffset.CompareAndSwap(-1, off) {
		c.log.Info("slave requests CommitLog data", "offset", off)
		close(c.requested)
	}
	c.s.notifyTransferSome(off)
	return true
}

// writeLoop is WriteSocketService: stream the CommitLog from the slave's first report on.
func (c *conn) writeLoop() {
	defer c.wg.Done()
	defer c.s.removeConn(c)
	select {
	case <-c.requested:
	case <-c.done:
		return
	}
	cfg := &c.s.cfg
	next := c.requestOffset.Load()
	if next == 0 {
		max := c.s.cl.MaxOffset()
		next = max - max%cfg.FileSize
	}
	c.log.Info("master transfers CommitLog data to the slave", "from", next, "slaveRequest", c.requestOffset.Load())
	hdr := make([]byte, HeaderSize)
	lastWrite := time.Now()
	tick := time.NewTicker(cfg.HeartbeatInterval / 2)
	defer tick.Stop()
	warnedGone := false
	for {
		if time.Since(lastWrite) > cfg.HeartbeatInterval {
			if !c.send(hdr, next, nil) {
				return
			}
			lastWrite = time.Now()
		}
		wake := c.s.appended.wait() // before the read: an append after it raises this channel
		if b, release, ok := c.s.cl.Read(next); ok {
			if len(b) > cfg.TransferBatchSize {
				b = b[:cfg.TransferBatchSize]
			}
			sent := c.send(hdr, next, b)
			release()
			if !sent {
				return
			}
			next += int64(len(b))
			lastWrite = time.Now()
			continue
		}
		if !warnedGone && next < c.s.cl.MaxOffset() {
			// Java idles here too: the slave needs data this master no longer has (retention removed it).
			c.log.Warn("the slave needs CommitLog data this master no longer holds; it will only receive heartbeats",
				"offset", next)
			warnedGone = true
		}
		select {
		case <-c.done:
			return
		case <-wake:
		case <-tick.C:
		}
	}
}

// send writes one frame (writev of header and body) with a deadline.
func (c *conn) send(hdr []byte, phy int64, body []byte) bool {
	binary.BigEndian.PutUint64(hdr[0:8], uint64(phy))
	binary.BigEndian.PutUint32(hdr[8:12], uint32(len(body)))
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.s.cfg.HousekeepingInterval))
	bufs := net.Buffers{hdr, body}
	if _, err := bufs.WriteTo(c.nc); err != nil {
		c.fail("HA connection write to the slave failed", "offset", phy, "err", err)
		return false
	}
	return true
}
