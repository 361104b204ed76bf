package ops

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Monitor is the opt-in monitoring HTTP listener (metricsListenAddr / --metrics-addr):
//
//	GET /metrics        Prometheus text format: the server's collectors, Go runtime (go_gc_duration_seconds...)
//	                    and process (process_*) metrics
//	GET /healthz        200 "ok" while the process serves HTTP at all
//	GET /readyz         200 "ready" once the server is ready (broker: store recovered, listeners open,
//	                    registered with a name server), else 503 and the reason
//	GET /debug/pprof/   net/http/pprof
//
// The endpoints are unauthenticated: bind them to loopback or a management network.
type Monitor struct {
	// Registry is where the server registers its collectors (any time, also after Start).
	Registry *prometheus.Registry

	mu    sync.Mutex
	ready func() error
	srv   *http.Server
	ln    net.Listener
	done  chan struct{}
}

// NewMonitor makes a monitor whose registry already holds the Go runtime and process collectors.
func NewMonitor() *Monitor {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfoCollector())
	return &Monitor{Registry: reg, ready: func() error { return errors.New("starting") }}
}

// SetReady sets the readiness check (nil error: ready).
func (m *Monitor) SetReady(f func() error) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.ready = f
	m.mu.Unlock()
}

func (m *Monitor) checkReady() error {
	m.mu.Lock()
	f := m.ready
	m.mu.Unlock()
	return f()
}

// Handler serves the endpoints.
func (m *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := m.checkReady(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "not ready: %v\n", err)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// Start listens on addr (host:port; port 0 picks one) and serves in the background.
func (m *Monitor) Start(addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("monitoring listener on %s: %w; pick a free host:port for metricsListenAddr / --metrics-addr", addr, err)
	}
	m.mu.Lock()
	m.ln = ln
	m.srv = &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	m.done = make(chan struct{})
	srv, done := m.srv, m.done
	m.mu.Unlock()
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("monitoring listener stopped", "err", err)
		}
	}()
	log.Info("monitoring listener started", "addr", ln.Addr().String(), "paths", "/metrics /healthz /readyz /debug/pprof/")
	return nil
}

// Register adds collectors to the registry (no-op on a nil monitor).
func (m *Monitor) Register(cs ...prometheus.Collector) error {
	if m == nil {
		return nil
	}
	for _, c := range cs {
		if err := m.Registry.Register(c); err != nil {
			return fmt.Errorf("monitoring: %w", err)
		}
	}
	return nil
}

// Addr is the bound address ("" before Start).
func (m *Monitor) Addr() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Close stops the listener.
func (m *Monitor) Close() error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	srv, done := m.srv, m.done
	m.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	return err
}

// buildInfoCollector exports rocketd_build_info{version,commit,goversion} 1.
func buildInfoCollector() prometheus.Collector {
	b := BuildVersion()
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "rocketd_build_info",
		Help:        "rocketd build: version, commit and Go version in labels; always 1.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "goversion": b.GoVersion},
	})
	g.Set(1)
	return g
}
