package ha

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Log is the CommitLog as replication sees it (the store's adapter).
type Log interface {
	// MaxOffset is the write position.
	MaxOffset() int64
	// Read returns the written bytes from phy to the end of what its file holds; release must be called once
	// the bytes are no longer used. ok is false when phy is not (yet, or any more) readable.
	Read(phy int64) (b []byte, release func(), ok bool)
	// AppendRaw appends replicated bytes at phy, which must be the write position (commitlog.AppendRaw).
	AppendRaw(phy int64, b []byte) error
	// RecordBoundary reports whether phy is known to be where a record starts (for the store: dispatch has
	// reached it). A slave uses it to refuse a master whose log does not match its own.
	RecordBoundary(phy int64) bool
}

// Config holds the HA settings, in Go units (MessageStoreConfig ha* keys).
type Config struct {
	FileSize             int64         // mappedFileSizeCommitLog
	HeartbeatInterval    time.Duration // haSendHeartbeatInterval (5 s)
	HousekeepingInterval time.Duration // haHousekeepingInterval (20 s)
	TransferBatchSize    int           // haTransferBatchSize (32 KiB)
	SlaveFallbehindMax   int64         // haSlaveFallbehindMax (256 MiB)
	ReconnectInterval    time.Duration // slave: wait between connection attempts (Java 5 s)
	Logger               *slog.Logger
}

func (c *Config) fill() {
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 5 * time.Second
	}
	if c.HousekeepingInterval <= 0 {
		c.HousekeepingInterval = 20 * time.Second
	}
	if c.TransferBatchSize <= 0 {
		c.TransferBatchSize = 32 * 1024
	}
	if c.SlaveFallbehindMax <= 0 {
		c.SlaveFallbehindMax = 256 << 20
	}
	if c.ReconnectInterval <= 0 {
		c.ReconnectInterval = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Service is the master side: the HA listener, one conn per slave, push2SlaveMaxOffset and the group
// transfer of SYNC_MASTER puts. (Java starts it on every broker, slaves included.)
type Service struct {
	cfg Config
	log *slog.Logger
	cl  Log

	appended signal // raised on every append; writers sleep on it

	ln     net.Listener
	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup

	connCount     atomic.Int32
	push2SlaveMax atomic.Int64
	transfer      *transfer
}

// NewService builds the master side over cl; Listen starts it.
func NewService(cl Log, cfg Config) *Service {
	cfg.fill()
	s := &Service{cfg: cfg, log: cfg.Logger.With("service", "HAService"), cl: cl,
		conns: make(map[*conn]struct{})}
	s.transfer = newTransfer(s)
	return s
}

// Listen binds addr (":10912", or "127.0.0.1:0" in tests) and starts accepting slaves and the group transfer.
func (s *Service) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ha: listen on haListenPort %s: %w (haListenPort is listenPort+1: pick a listenPort whose next port is free)", addr, err)
	}
	s.ln = ln
	s.wg.Add(2)
	go s.acceptLoop()
	go func() { defer s.wg.Done(); s.transfer.run() }()
	s.log.Info("HA service listening", "addr", ln.Addr().String())
	return ln.Addr(), nil
}

func (s *Service) acceptLoop() {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait a little instead of spinning.
			backoff = min(max(backoff*2, 5*time.Millisecond), time.Second)
			s.log.Warn("HA accept failed", "err", err, "retryIn", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if tc, ok := nc.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = nc.Close()
			return
		}
		c := newConn(s, nc)
		s.conns[c] = struct{}{}
		s.connCount.Add(1)
		s.mu.Unlock()
		s.log.Info("HA service accepted a slave connection", "slave", c.addr)
		c.start()
	}
}

func (s *Service) removeConn(c *conn) {
	s.mu.Lock()
	if _, ok := s.conns[c]; ok {
		delete(s.conns, c)
		s.connCount.Add(-1)
	}
	s.mu.Unlock()
}

// NotifyAppend wakes the connection writers: the CommitLog grew (call after every append).
func (s *Service) NotifyAppend() { s.appended.raise() }

// notifyTransferSome raises push2SlaveMaxOffset to ack (never lowers it) and wakes the group transfer.
func (s *Service) notifyTransferSome(ack int64) {
	for {
		cur := s.push2SlaveMax.Load()
		if ack <= cur {
			return
		}
		if s.push2SlaveMax.CompareAndSwap(cur, ack) {
			s.transfer.wake()
			return
		}
	}
}

// ConnectionCount is the number of connected slaves.
func (s *Service) ConnectionCount() int { return int(s.connCount.Load()) }

// Push2SlaveMaxOffset is the highest offset any slave acknowledged.
func (s *Service) Push2SlaveMaxOffset() int64 { return s.push2SlaveMax.Load() }

// IsSlaveOK is Java's isSlaveOK: a slave is connected and less than haSlaveFallbehindMax behind masterPutWhere.
func (s *Service) IsSlaveOK(masterPutWhere int64) bool {
	return s.connCount.Load() > 0 && masterPutWhere-s.push2SlaveMax.Load() < s.cfg.SlaveFallbehindMax
}

// SlaveFallBehindMuch is how many bytes the master's log is ahead of the best slave's ack (Java
// slaveFallBehindMuch).
func (s *Service) SlaveFallBehindMuch() int64 { return s.cl.MaxOffset() - s.push2SlaveMax.Load() }

// Close stops accepting, closes every slave connection, completes waiting puts (FLUSH_SLAVE_TIMEOUT unless
// already acknowledged) and waits for the goroutines.
func (s *Service) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	if s.ln != nil {
		_ = s.ln.Close()
	}
	for _, c := range conns {
		c.close()
	}
	for _, c := range conns {
		c.wait()
	}
	s.transfer.stop()
	s.wg.Wait()
}

// signal is a broadcast: wait returns a channel closed by the next raise. Raising costs one atomic swap when
// nobody waits.
type signal struct{ p atomic.Pointer[chan struct{}] }

func (g *signal) wait() <-chan struct{} {
	for {
		if p := g.p.Load(); p != nil {
			return *p
		}
		ch := make(chan struct{})
		if g.p.CompareAndSwap(nil, &ch) {
			return ch
		}
	}
}

func (g *signal) raise() {
	if p := g.p.Swap(nil); p != nil {
		close(*p)
	}
}
