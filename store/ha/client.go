package ha

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ReadBufferSize is the slave's read buffer (Java HAClient READ_MAX_BUFFER_SIZE): a frame body larger than
// this minus the header is refused.
const ReadBufferSize = 4 << 20

// MaxFrameBody is the largest frame body a slave accepts.
const MaxFrameBody = ReadBufferSize - HeaderSize

// Client is the slave side (Java HAClient): it replicates the master's CommitLog into cl.
type Client struct {
	cfg Config
	log *slog.Logger
	cl  Log

	master  atomic.Value // string: host:port of the master's HA listener
	update  chan struct{}
	stopCh  chan struct{}
	done    chan struct{}
	once    sync.Once
	started atomic.Bool

	mu sync.Mutex
	nc net.Conn // current connection, for Close

	connected atomic.Bool
	checked   bool         // this session's first data frame was checked against the log (run goroutine only)
	reported  atomic.Int64 // last offset reported to the master
	lastRead  atomic.Int64 // unix ms of the last byte read
}

// NewClient builds the slave side over cl; Start runs it.
func NewClient(cl Log, cfg Config) *Client {
	cfg.fill()
	c := &Client{cfg: cfg, log: cfg.Logger.With("service", "HAClient"), cl: cl,
		update: make(chan struct{}, 1), stopCh: make(chan struct{}), done: make(chan struct{})}
	c.master.Store("")
	return c
}

// UpdateMasterAddress sets the master's HA address (haMasterAddress or REGISTER_BROKER's haServerAddr). A
// changed address takes effect on the next connection; the current one is closed.
func (c *Client) UpdateMasterAddress(addr string) {
	old := c.master.Swap(addr).(string)
	if old == addr {
		return
	}
	c.log.Info("update master address", "old", old, "new", addr)
	if old != "" {
		c.closeConn()
	}
	select {
	case c.update <- struct{}{}:
	default:
	}
}

// MasterAddress is the current master HA address ("" when unknown).
func (c *Client) MasterAddress() string { return c.master.Load().(string) }

// Connected reports whether a connection to the master is open.
func (c *Client) Connected() bool { return c.connected.Load() }

// Start runs the replication loop.
func (c *Client) Start() {
	if c.started.CompareAndSwap(false, true) {
		go c.run()
	}
}

// Close stops replicating and waits for the loop.
func (c *Client) Close() {
	c.once.Do(func() {
		close(c.stopCh)
		c.closeConn()
		if c.started.Load() {
			<-c.done
		}
	})
}

func (c *Client) closeConn() {
	c.mu.Lock()
	if c.nc != nil {
		_ = c.nc.Close()
	}
	c.mu.Unlock()
}

func (c *Client) stopped() bool {
	select {
	case <-c.stopCh:
		return true
	default:
		return false
	}
}

func (c *Client) run() {
	defer close(c.done)
	buf := make([]byte, ReadBufferSize)
	for !c.stopped() {
		addr := c.MasterAddress()
		if addr == "" {
			select {
			case <-c.stopCh:
			case <-c.update:
			case <-time.After(c.cfg.ReconnectInterval):
			}
			continue
		}
		err := c.session(addr, buf)
		c.connected.Store(false)
		if c.stopped() {
			return
		}
		if err != nil {
			c.log.Warn("HA connection to the master ended; reconnecting", "master", addr, "err", err,
				"retryIn", c.cfg.ReconnectInterval)
		}
		select {
		case <-c.stopCh:
		case <-c.update:
		case <-time.After(c.cfg.ReconnectInterval):
		}
	}
}

// session is one connection: report, then apply frames until an error.
func (c *Client) session(addr string, buf []byte) error {
	nc, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	c.mu.Lock()
	if c.stopped() {
		c.mu.Unlock()
		_ = nc.Close()
		return nil
	}
	c.nc = nc
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.nc = nil
		c.mu.Unlock()
		_ = nc.Close()
	}()
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c.connected.Store(true)
	c.lastRead.Store(time.Now().UnixMilli())
	c.log.Info("connected to the master", "master", addr, "maxPhyOffset", c.cl.MaxOffset())

	var report [8]byte
	lastReport := time.Time{}
	sendReport := func(off int64) error {
		binary.BigEndian.PutUint64(report[:], uint64(off))
		_ = nc.SetWriteDeadline(time.Now().Add(c.cfg.HousekeepingInterval))
		if _, err := nc.Write(report[:]); err != nil {
			return fmt.Errorf("report offset %d: %w", off, err)
		}
		c.reported.Store(off)
		lastReport = time.Now()
		return nil
	}
	if err := sendReport(c.cl.MaxOffset()); err != nil {
		return err
	}

	c.checked = false
	have := 0 // bytes in buf
	for {
		if time.Since(lastReport) >= c.cfg.HeartbeatInterval {
			if err := sendReport(c.reported.Load()); err != nil {
				return err
			}
		}
		// Read with a deadline no later than the next heartbeat, so reports go out on time.
		_ = nc.SetReadDeadline(lastReport.Add(c.cfg.HeartbeatInterval))
		n, err := nc.Read(buf[have:])
		if n > 0 {
			have += n
			c.lastRead.Store(time.Now().UnixMilli())
			consumed, ferr := c.apply(buf[:have], sendReport)
			if ferr != nil {
				return ferr
			}
			have = copy(buf, buf[consumed:have])
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if idle := time.Since(time.UnixMilli(c.lastRead.Load())); idle > c.cfg.HousekeepingInterval {
					return fmt.Errorf("nothing received from the master for %v (haHousekeepingInterval)", idle.Round(time.Millisecond))
				}
				continue
			}
			if errors.Is(err, io.EOF) {
				if have > 0 {
					return fmt.Errorf("master closed the connection in the middle of a frame (%d bytes of it received, dropped)", have)
				}
				return errors.New("master closed the connection")
			}
			return err
		}
	}
}

// apply appends every complete frame in b and reports progress; it returns how many bytes it used.
func (c *Client) apply(b []byte, report func(int64) error) (int, error) {
	pos := 0
	for len(b)-pos >= HeaderSize {
		phy := int64(binary.BigEndian.Uint64(b[pos:]))
		size := int32(binary.BigEndian.Uint32(b[pos+8:]))
		if size < 0 || size > MaxFrameBody {
			return pos, fmt.Errorf("frame body size %d is outside 0..%d: not a RocketMQ HA master, or a corrupt stream", size, MaxFrameBody)
		}
		if mine := c.cl.MaxOffset(); mine != 0 && mine != phy {
			return pos, fmt.Errorf("master pushed offset %d, not this slave's max offset %d", phy, mine)
		}
		if len(b)-pos < HeaderSize+int(size) {
			break
		}
		if size > 0 && !c.checked {
			c.checked = true
			if err := c.checkFirst(phy, b[pos+HeaderSize:pos+HeaderSize+int(size)]); err != nil {
				return pos, err
			}
		}
		if size > 0 {
			if err := c.cl.AppendRaw(phy, b[pos+HeaderSize:pos+HeaderSize+int(size)]); err != nil {
				return pos, fmt.Errorf("append replicated data: %w", err)
			}
		}
		pos += HeaderSize + int(size)
		if mine := c.cl.MaxOffset(); mine > c.reported.Load() {
			if err := report(mine); err != nil {
				return pos, err
			}
		}
	}
	return pos, nil
}

// Magic codes a record or end-of-file BLANK starts with (bytes 4..8, big-endian; commitlog's constants).
const (
	messageMagic = 0xDAA320A7
	blankMagic   = 0xCBD43194
)

// checkFirst refuses a master whose first bytes of a session cannot follow this slave's log: when the log
// ends at a known record boundary, the master's data there must start a record (or a BLANK). Otherwise the
// slave's store holds another broker's log (Java would append the bytes regardless and corrupt it).
func (c *Client) checkFirst(phy int64, body []byte) error {
	if c.cl.MaxOffset() == 0 || !c.cl.RecordBoundary(phy) || len(body) < 8 {
		return nil
	}
	size := int32(binary.BigEndian.Uint32(body))
	magic := binary.BigEndian.Uint32(body[4:8])
	if size > 0 && (magic == messageMagic || magic == blankMagic) {
		return nil
	}
	return fmt.Errorf("the master's CommitLog at offset %d does not start a record where this slave's log ends: "+
		"this slave's store is not a copy of this master's (move it away and let the slave replicate afresh)", phy)
}
