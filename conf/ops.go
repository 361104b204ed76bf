package conf

// Ops is rocketd's own keys, which Java 4.9.8 does not have: logging, the opt-in monitoring listener and the
// address the listeners bind. They are read from the same file as the Java keys (broker.conf, the namesrv
// properties) and draw no unknown-key warning, but -p/-m do not print them (their output stays Java's). The
// command-line flags of the same meaning (--log-level, --log-file, --metrics-addr) win over the file.
type Ops struct {
	// debug, info, warn or error.
	LogLevel string `prop:"logLevel"`
	// Log to this file instead of stderr, rotated by size; empty: stderr.
	LogFile string `prop:"logFile"`
	// Rotate the log file at this many megabytes, keep this many rotated files (0: all).
	LogFileMaxSize    int `prop:"logFileMaxSize"`
	LogFileMaxBackups int `prop:"logFileMaxBackups"`
	// host:port of the monitoring HTTP listener (/metrics, /healthz, /readyz, /debug/pprof/); empty: off.
	MetricsListenAddr string `prop:"metricsListenAddr"`
	// Local address the remoting listeners bind (listenPort; the broker's VIP port listenPort-2 too). Empty
	// or 0.0.0.0: all interfaces, as Java.
	BindAddress string `prop:"bindAddress"`
	// Megabytes of allocation the process allows between garbage collections (ops/gc.go: the GC percent is set
	// to max(100, gcHeadroomMB/live heap)); 0: Go's defaults. GOGC or GOMEMLIMIT in the environment win.
	GCHeadroomMB int `prop:"gcHeadroomMB"`
}

// DefaultOps: info to stderr, 100 MB x 10 files when a log file is set, no monitoring listener, all
// interfaces, 64 MB of allocation between garbage collections.
func DefaultOps() Ops {
	return Ops{LogLevel: "info", LogFileMaxSize: 100, LogFileMaxBackups: 10, GCHeadroomMB: 64}
}
