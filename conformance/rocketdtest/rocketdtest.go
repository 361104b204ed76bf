// Package rocketdtest runs a rocketd name server and one master broker inside the calling process, for Go tests
// that need a RocketMQ 4.x cluster without a JDK or a container (in the spirit of franz-go's kfake or miniredis).
//
// Both servers listen on 127.0.0.1 with ports chosen by the kernel, and the broker's store lives in a temporary
// directory, so several test binaries can run on one machine at once. Start ties the cluster's life to a test:
//
//	c := rocketdtest.Start(t, rocketdtest.WithBrokerConfig("autoCreateTopicEnable", "false"))
//	p, _ := rocketmq.NewProducer(producer.WithNameServer([]string{c.NamesrvAddr()}))
//
// New and Close do the same without a testing.TB (examples, TestMain). Clients talk to the cluster with any
// RocketMQ 4.x client (the official Go client v2, the Java client, mqadmin) through NamesrvAddr.
package rocketdtest

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rocketd/rocketd/broker"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
)

// Option adjusts the cluster before it starts.
type Option func(*settings)

type settings struct {
	brokerKeys  map[string]string
	namesrvKeys map[string]string
	dir         string
	logger      *slog.Logger
	register    time.Duration
}

// WithBrokerConfig sets a broker.conf key (any key of BrokerConfig, MessageStoreConfig or the netty configs, as
// spelled in broker.conf, e.g. "brokerName", "enablePropertyFilter", "transactionCheckInterval"). An unknown key or
// a value of the wrong type makes New fail, naming the key.
func WithBrokerConfig(key, value string) Option {
	return func(s *settings) { s.brokerKeys[key] = value }
}

// WithNamesrvConfig sets a name server configuration key (e.g. "orderMessageEnable").
func WithNamesrvConfig(key, value string) Option {
	return func(s *settings) { s.namesrvKeys[key] = value }
}

// WithDir keeps the store and the name server's kvConfig.json under dir instead of a fresh temporary directory
// (removed by Close only when rocketdtest created it).
func WithDir(dir string) Option { return func(s *settings) { s.dir = dir } }

// WithLogger sends both servers' logs to l. By default only errors are logged (to stderr); set ROCKETD_TEST_LOG=1
// to see everything.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithRegisterPeriod sets how often the broker re-registers with the name server (Java: 30 s; default here 2 s so
// that a restarted broker's route comes back quickly).
func WithRegisterPeriod(d time.Duration) Option { return func(s *settings) { s.register = d } }

// Cluster is a running name server and master broker.
type Cluster struct {
	log     *slog.Logger
	ns      *namesrv.Server
	cfg     *conf.Broker
	opts    broker.Options
	dir     string
	ownsDir bool

	mu     sync.Mutex
	broker *broker.Broker
	closed bool
}

// Start starts a cluster and stops it (and removes its store) when the test ends. It fails the test if the
// cluster cannot start.
func Start(tb testing.TB, opts ...Option) *Cluster {
	tb.Helper()
	c, err := New(append([]Option{WithDir(tb.TempDir())}, opts...)...)
	if err != nil {
		tb.Fatalf("rocketdtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.Close(); err != nil {
			tb.Errorf("rocketdtest: close: %v", err)
		}
	})
	return c
}

// New starts a cluster; the caller must Close it. The broker is registered with the name server when New
// returns, so clients can look routes up at once.
func New(opts ...Option) (*Cluster, error) {
	s := &settings{brokerKeys: map[string]string{}, namesrvKeys: map[string]string{}, register: 2 * time.Second}
	for _, o := range opts {
		o(s)
	}
	c := &Cluster{log: s.logger, dir: s.dir}
	if c.log == nil {
		c.log = defaultLogger()
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "rocketdtest-")
		if err != nil {
			return nil, fmt.Errorf("temporary store directory: %w", err)
		}
		c.dir, c.ownsDir = d, true
	}
	fail := func(err error) (*Cluster, error) {
		_ = c.Close()
		return nil, err
	}

	nc := conf.DefaultNamesrv()
	nc.Namesrv.KvConfigPath = filepath.Join(c.dir, "namesrv", "kvConfig.json")
	nc.Namesrv.ConfigStorePath = filepath.Join(c.dir, "namesrv", "namesrv.properties")
	if err := apply(s.namesrvKeys, "name server", nc.Targets()...); err != nil {
		return fail(err)
	}
	ns, err := namesrv.New(nc, c.log)
	if err != nil {
		return fail(fmt.Errorf("name server: %w", err))
	}
	if err := ns.Start("127.0.0.1:0"); err != nil {
		return fail(fmt.Errorf("name server: %w", err))
	}
	c.ns = ns

	bc := conf.DefaultBroker()
	bc.Broker.BrokerIP1 = "127.0.0.1"
	bc.Broker.BrokerIP2 = "127.0.0.1"
	bc.Broker.BrokerName = "broker-a"
	bc.Broker.BrokerClusterName = "DefaultCluster"
	bc.Store.StorePathRootDir = filepath.Join(c.dir, "store")
	// Small commitlog files keep a test's disk footprint low (Java's default is 1 GiB, sparse).
	bc.Store.MappedFileSizeCommitLog = 64 << 20
	// Java's fast failure answers SYSTEM_BUSY to sends queued over 200 ms; a loaded CI machine running the race
	// detector can queue that long.
	bc.Broker.WaitTimeMillsInSendQueue = 5000
	if err := apply(s.brokerKeys, "broker", bc.Targets()...); err != nil {
		return fail(err)
	}
	bc.Broker.NamesrvAddr = ns.Addr()
	c.cfg = bc
	c.opts = broker.Options{ListenAddr: "127.0.0.1:0", RegisterPeriod: s.register}
	if err := c.startBroker(); err != nil {
		return fail(err)
	}
	return c, nil
}

// apply sets keys on the config targets in key order, refusing unknown keys and bad values.
func apply(keys map[string]string, what string, targets ...any) error {
	if len(keys) == 0 {
		return nil
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	p := conf.NewProperties()
	for _, k := range names {
		p.Set(k, keys[k])
	}
	warnings, err := conf.Apply(p, targets...)
	if err != nil {
		return fmt.Errorf("%s config: %w", what, err)
	}
	if len(warnings) > 0 {
		return fmt.Errorf("%s config: %s (rocketdtest refuses keys it cannot apply; check the spelling)", what, warnings[0])
	}
	return nil
}

func defaultLogger() *slog.Logger {
	if os.Getenv("ROCKETD_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

func (c *Cluster) startBroker() error {
	b, err := broker.New(c.cfg, c.log, c.opts)
	if err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	if err := b.Start(); err != nil {
		_ = b.Close()
		return fmt.Errorf("broker: %w", err)
	}
	// A restart keeps its port, as a real broker does.
	c.opts.ListenAddr = fmt.Sprintf("127.0.0.1:%d", c.cfg.Server.ListenPort)
	c.broker = b
	return nil
}

// NamesrvAddr is the name server address ("127.0.0.1:port") to give clients.
func (c *Cluster) NamesrvAddr() string { return c.ns.Addr() }

// BrokerAddr is the master broker's address ("127.0.0.1:port").
func (c *Cluster) BrokerAddr() string { return fmt.Sprintf("127.0.0.1:%d", c.cfg.Server.ListenPort) }

// BrokerName is the broker's name (brokerName, "broker-a" by default).
func (c *Cluster) BrokerName() string { return c.cfg.Broker.BrokerName }

// ClusterName is the broker's cluster (brokerClusterName, "DefaultCluster" by default).
func (c *Cluster) ClusterName() string { return c.cfg.Broker.BrokerClusterName }

// Dir is the directory holding the store and the name server's files.
func (c *Cluster) Dir() string { return c.dir }

// BrokerConfig is the broker's configuration. Changes take effect at the next RestartBroker.
func (c *Cluster) BrokerConfig() *conf.Broker { return c.cfg }

// RestartBroker stops the broker cleanly and starts a new one on the same store and port.
func (c *Cluster) RestartBroker() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("rocketdtest: cluster is closed")
	}
	if c.broker != nil {
		if err := c.broker.Close(); err != nil {
			return fmt.Errorf("rocketdtest: stop broker: %w", err)
		}
		c.broker = nil
	}
	return c.startBroker()
}

// Close stops the broker (unregistering it and shutting its store down cleanly), then the name server, and
// removes the temporary directory if New created it. It is safe to call more than once.
func (c *Cluster) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	if c.broker != nil {
		errs = append(errs, c.broker.Close())
	}
	if c.ns != nil {
		errs = append(errs, c.ns.Close())
	}
	if c.ownsDir {
		errs = append(errs, os.RemoveAll(c.dir))
	}
	return errors.Join(errs...)
}

var _ io.Closer = (*Cluster)(nil)
