package remoting

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// DefaultIdleTimeout is Java's serverChannelMaxIdleTimeSeconds / clientChannelMaxIdleTimeSeconds.
const DefaultIdleTimeout = 120 * time.Second

// Server accepts remoting connections and dispatches their requests through Router.
type Server struct {
	Router       *Router
	IdleTimeout  time.Duration // 0: DefaultIdleTimeout; <0: never
	MaxFrameSize int           // 0: MaxFrameSize
	// MaxPendingBytes bounds the bytes queued for one connection and not yet read by its peer; past it the
	// connection is closed and logged as a slow consumer. 0: DefaultMaxPendingBytes.
	MaxPendingBytes int
	Logger          *slog.Logger
	// OnConnect and OnClose are called for every connection (OnClose exactly once, after it is closed).
	OnConnect func(*Conn)
	OnClose   func(*Conn)

	mu     sync.Mutex
	ln     net.Listener
	conns  map[*Conn]struct{}
	wg     sync.WaitGroup
	closed bool
}

// Listen binds addr ("127.0.0.1:0" for a free port) and serves in the background.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("remoting: listen on %s: %w (is another server using the port?)", addr, err)
	}
	if err := s.attach(ln); err != nil {
		return err
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); _ = s.accept(ln) }()
	return nil
}

// Serve accepts on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.attach(ln); err != nil {
		return err
	}
	return s.accept(ln)
}

func (s *Server) attach(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = ln.Close()
		return errors.New("remoting: server closed")
	}
	s.ln = ln
	if s.conns == nil {
		s.conns = make(map[*Conn]struct{})
	}
	return nil
}

func (s *Server) accept(ln net.Listener) error {
	log := s.logger()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTooManyFiles) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				log.Warn("accept failed, retrying", "err", err, "backoff", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		if tc, ok := nc.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		s.serveConn(nc)
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) serveConn(nc net.Conn) {
	c := newConn(nc, s.Router, s.logger(), s.MaxFrameSize, s.MaxPendingBytes)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	c.onClose = append(c.onClose, func(c *Conn) {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		if s.OnClose != nil {
			s.OnClose(c)
		}
	})
	if s.OnConnect != nil {
		s.OnConnect(c)
	}
	idle := s.IdleTimeout
	if idle == 0 {
		idle = DefaultIdleTimeout
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); c.serve() }()
	go func() { defer s.wg.Done(); c.watchIdle(idle) }()
}

// Addr is the bound address, or nil before Listen.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// NumConns is the number of open connections.
func (s *Server) NumConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Conns returns the open connections.
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// Close stops accepting, closes every connection and waits for their goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	ln := s.ln
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	var err error
	if ln != nil {
		err = ln.Close()
	}
	for _, c := range conns {
		c.Close()
	}
	s.wg.Wait()
	return err
}
