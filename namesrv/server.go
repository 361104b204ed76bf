package namesrv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/ops"
	"github.com/rocketd/rocketd/remoting"
)

// Defaults of Java's NamesrvController and RouteInfoManager.
const (
	DefaultBrokerExpiry = 120 * time.Second // BROKER_CHANNEL_EXPIRED_TIME
	DefaultScanInterval = 10 * time.Second  // scanNotActiveBroker period (first run after 5 s)
)

// Server is the NameServer: the route tables, the KV config and the remoting listener. Set the exported fields
// before Start.
type Server struct {
	// BrokerExpiry removes a broker that has not registered for this long (0: 120 s).
	BrokerExpiry time.Duration
	// ScanInterval is how often expiry is checked (0: 10 s).
	ScanInterval time.Duration
	// NsAddrHTTP, when not empty, is the listen address of an HTTP address server answering
	// GET /rocketmq/nsaddr with NsAddrList (or, when that is empty, this server's own address), the way
	// clients with rocketmq.namesrv.domain find name servers.
	NsAddrHTTP string
	NsAddrList string

	cfgMu     sync.RWMutex
	cfg       *conf.Namesrv
	blackOnce sync.Once
	black     map[string]struct{}

	log    *slog.Logger
	routes *RouteInfo
	kv     *KVConfig
	pool   *remoting.Pool
	srv    *remoting.Server
	router *remoting.Router

	latency *ops.RequestLatency // set by Collectors

	mu      sync.Mutex
	started bool
	closed  bool
	stop    chan struct{}
	wg      sync.WaitGroup
	http    *http.Server
	httpLn  net.Listener
}

// New builds a NameServer from its configuration and loads the KV config file (kvConfigPath).
func New(cfg *conf.Namesrv, log *slog.Logger) (*Server, error) {
	if cfg == nil {
		cfg = conf.DefaultNamesrv()
	}
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "namesrv")
	s := &Server{cfg: cfg, log: log, stop: make(chan struct{})}
	if cfg.File == nil {
		cfg.File = conf.NewProperties()
	}
	s.blackList()
	s.routes = NewRouteInfo(log)
	s.kv = NewKVConfig(cfg.Namesrv.KvConfigPath, log)
	if err := s.kv.Load(); err != nil {
		return nil, err
	}
	workers := cfg.Server.ServerWorkerThreads
	if workers <= 0 {
		workers = 8
	}
	// Java's fixed executor has an unbounded queue; a long one here keeps namesrv from answering SYSTEM_BUSY.
	pool, err := remoting.NewPool("namesrv", workers, 1<<16)
	if err != nil {
		return nil, err
	}
	s.pool = pool
	router := remoting.NewRouter(log)
	s.register(router)
	s.router = router
	idle := time.Duration(cfg.Server.ServerChannelMaxIdleTimeSeconds) * time.Second
	if idle <= 0 {
		idle = -1
	}
	s.srv = &remoting.Server{
		Router:      router,
		IdleTimeout: idle,
		Logger:      log,
		OnClose:     func(c *remoting.Conn) { s.routes.ConnClosed(c.RemoteAddr(), c) },
	}
	return s, nil
}

// Routes exposes the route tables (for tests and the embedding process).
func (s *Server) Routes() *RouteInfo { return s.routes }

// KV exposes the KV config table.
func (s *Server) KV() *KVConfig { return s.kv }

// Start listens on addr (":9876" in production, "127.0.0.1:0" in tests) and starts the expiry scan.
func (s *Server) Start(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("namesrv: server closed; make a new one with New")
	}
	if s.started {
		return errors.New("namesrv: already started")
	}
	if err := s.srv.Listen(addr); err != nil {
		return err
	}
	if s.NsAddrHTTP != "" {
		if err := s.startNsAddr(); err != nil {
			_ = s.srv.Close()
			return err
		}
	}
	s.started = true
	s.wg.Add(1)
	go s.scanLoop()
	s.log.Info("boot success", "addr", s.srv.Addr().String(), "kvConfigPath", s.kv.path)
	return nil
}

// Addr is the bound address ("" before Start).
func (s *Server) Addr() string {
	if a := s.srv.Addr(); a != nil {
		return a.String()
	}
	return ""
}

// Close stops the listener, every connection, the scan and the address server.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	hs := s.http
	s.mu.Unlock()
	err := s.srv.Close()
	if hs != nil {
		_ = hs.Close()
	}
	s.wg.Wait()
	s.pool.Release()
	s.log.Info("name server stopped")
	return err
}

// Run starts on the configured listenPort and serves until ctx is done, then shuts down.
func (s *Server) Run(ctx context.Context) error {
	s.cfgMu.RLock()
	port := s.cfg.Server.ListenPort
	s.cfgMu.RUnlock()
	if err := s.Start(ops.ListenAddr(s.cfg.Ops, port)); err != nil {
		return err
	}
	<-ctx.Done()
	return s.Close()
}

func (s *Server) scanLoop() {
	defer s.wg.Done()
	every := s.ScanInterval
	if every <= 0 {
		every = DefaultScanInterval
	}
	expiry := s.BrokerExpiry
	if expiry <= 0 {
		expiry = DefaultBrokerExpiry
	}
	// Java waits 5 s before the first of its 10 s scans.
	first := time.NewTimer(every / 2)
	defer first.Stop()
	select {
	case <-s.stop:
		return
	case <-first.C:
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n := s.routes.ScanExpired(expiry); n > 0 {
			s.log.Warn("removed expired brokers", "count", n)
		}
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *Server) startNsAddr() error {
	ln, err := net.Listen("tcp", s.NsAddrHTTP)
	if err != nil {
		return fmt.Errorf("namesrv: address server listen on %s: %w (pick a free port for NsAddrHTTP)", s.NsAddrHTTP, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/rocketmq/nsaddr", func(w http.ResponseWriter, r *http.Request) {
		list := s.NsAddrList
		if list == "" {
			list = s.Addr()
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(list))
	})
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.httpLn = ln
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("address server stopped", "err", err)
		}
	}()
	s.log.Info("address server started", "addr", ln.Addr().String())
	return nil
}

// NsAddrHTTPAddr is the bound address of the HTTP address server ("" when it is off).
func (s *Server) NsAddrHTTPAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.httpLn == nil {
		return ""
	}
	return s.httpLn.Addr().String()
}
