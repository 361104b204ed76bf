package broker

// Opt-in profiling for benchmarks: ROCKETD_PPROF=127.0.0.1:6060 makes any process that links the broker
// (bin/mqbroker) serve net/http/pprof on that address, e.g.
//
//	go tool pprof -top http://127.0.0.1:6060/debug/pprof/profile?seconds=10
//	go tool pprof -sample_index=alloc_space -top http://127.0.0.1:6060/debug/pprof/allocs?seconds=10
//
// Unset (the default) nothing is started. conformance/bench (make bench-compare) uses it for its profile
// run. Bind it to loopback: the endpoints are unauthenticated.

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

const pprofEnv = "ROCKETD_PPROF"

func init() {
	addr := os.Getenv(pprofEnv)
	if addr == "" {
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		slog.Warn("pprof listener not started", "component", "broker", "env", pprofEnv, "addr", addr, "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	slog.Info("pprof listening", "component", "broker", "addr", ln.Addr().String())
	go func() { _ = http.Serve(ln, mux) }()
}
