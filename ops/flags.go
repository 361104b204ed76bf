package ops

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/rocketd/rocketd/conf"
)

// Flag names shared by mqnamesrv and mqbroker; each has a config key of the same meaning (conf.Ops) and the
// flag wins when both are given.
const (
	FlagLogLevel    = "log-level"
	FlagLogFile     = "log-file"
	FlagMetricsAddr = "metrics-addr"
	FlagBindAddress = "bind-address"
)

// Flags are the operating flags of both commands.
func Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: FlagLogLevel, Usage: "log `level`: debug, info, warn, error (key logLevel; default info)"},
		&cli.StringFlag{Name: FlagLogFile, Usage: "log to `file` instead of stderr, rotated by size (keys logFile, logFileMaxSize MB, logFileMaxBackups)"},
		&cli.StringFlag{Name: FlagMetricsAddr, Usage: "serve /metrics, /healthz, /readyz and /debug/pprof/ on `host:port` (key metricsListenAddr; default off)"},
		&cli.StringFlag{Name: FlagBindAddress, Usage: "local `address` the server listens on (key bindAddress; default all interfaces)"},
	}
}

// ApplyFlags overrides the config keys with the flags given on the command line.
func ApplyFlags(c *cli.Context, o *conf.Ops) {
	if c.IsSet(FlagLogLevel) {
		o.LogLevel = c.String(FlagLogLevel)
	}
	if c.IsSet(FlagLogFile) {
		o.LogFile = c.String(FlagLogFile)
	}
	if c.IsSet(FlagMetricsAddr) {
		o.MetricsListenAddr = c.String(FlagMetricsAddr)
	}
	if c.IsSet(FlagBindAddress) {
		o.BindAddress = c.String(FlagBindAddress)
	}
}

// SetVersion gives app a --version flag printing "<name> <version> (commit ..., go..., os/arch, ...)".
func SetVersion(app *cli.App) {
	app.Version = BuildVersion().String()
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version, commit and Go version, and exit"}
	cli.VersionPrinter = func(c *cli.Context) {
		_, _ = fmt.Fprintf(c.App.Writer, "%s %s\n", c.App.Name, c.App.Version)
	}
}

// pprofEnv is the older way to get the profiling endpoints (conformance/bench sets it): when
// metricsListenAddr and --metrics-addr are both unset, ROCKETD_PPROF=host:port starts the monitoring listener.
const pprofEnv = "ROCKETD_PPROF"

// Setup applies the command-line flags over the config keys, builds the process logger (NewLogger) and makes
// it slog's default. Call the returned function at exit; it closes the log file.
func Setup(c *cli.Context, o *conf.Ops) (*slog.Logger, func(), error) {
	ApplyFlags(c, o)
	if o.MetricsListenAddr == "" {
		o.MetricsListenAddr = os.Getenv(pprofEnv)
	}
	log, closer, err := NewLogger(c.App.ErrWriter, *o)
	if err != nil {
		return nil, nil, err
	}
	slog.SetDefault(log)
	log.Debug("logging configured", "level", o.LogLevel, "file", o.LogFile, "maxSizeMB", o.LogFileMaxSize,
		"maxBackups", o.LogFileMaxBackups, "version", BuildVersion().String())
	return log, func() { _ = closer.Close() }, nil
}

// StartMonitor starts the monitoring listener when o.MetricsListenAddr is set; nil when it is not.
func StartMonitor(o conf.Ops, log *slog.Logger) (*Monitor, error) {
	if o.MetricsListenAddr == "" {
		return nil, nil
	}
	m := NewMonitor()
	if err := m.Start(o.MetricsListenAddr, log); err != nil {
		return nil, err
	}
	return m, nil
}

// ListenAddr is the address a remoting listener binds: bindAddress (all interfaces when empty) and port.
func ListenAddr(o conf.Ops, port int) string {
	host := o.BindAddress
	if host == "0.0.0.0" {
		host = ""
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}
