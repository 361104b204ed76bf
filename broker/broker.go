package broker

import (
	"context"
	"errors"
	"fmt"
	"github.com/rocketd/rocketd/internal/intern"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/broker/acl"
	"github.com/rocketd/rocketd/broker/client"
	"github.com/rocketd/rocketd/broker/filterdata"
	"github.com/rocketd/rocketd/broker/offset"
	"github.com/rocketd/rocketd/broker/subgroup"
	"github.com/rocketd/rocketd/broker/topic"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/ops"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/store"
)

// Broker is one RocketMQ broker: two listeners (listenPort and the VIP port listenPort-2), the metadata
// managers, the client tables, the message store and the registration with the name servers.
type Broker struct {
	cfg *conf.Broker
	log *slog.Logger

	names     intern.Pool // topic and group names of send headers (send_header.go)
	store     store.MessageStore
	topics    *topic.Manager
	subgroups *subgroup.Manager
	offsets   *offset.Manager
	filters   *filterdata.Manager // consumerFilter.json
	producers *client.Producers
	consumers *client.Consumers
	locks     *client.Locks
	holds     *pullHolds
	dl        delivery       // delivery.go
	ext       adminExt       // admin_ext.go
	acl       *acl.Validator // nil unless aclEnable=true (access.go)

	outer      *remoting.Client
	server     *remoting.Server
	vip        *remoting.Server
	pools      []*remoting.Pool
	storeHost  netip.AddrPort
	masterAddr atomic.Value // string
	reregister chan struct{}
	bootTime   time.Time

	latency    *ops.RequestLatency // nil unless Options.Metrics
	nsAccepted atomic.Bool         // a name server accepted REGISTER_BROKER (/readyz)
	started    atomic.Bool         // Start completed (store recovered, listeners open)

	// checkExpression validates a non-TAG subscription expression (nil: none supported).
	checkExpression func(expr string) error

	// updateHAMasterPeriodically: a slave without haMasterAddress follows the REGISTER_BROKER result (ha.go).
	updateHAMasterPeriodically bool

	// Test hooks.
	registerPeriod  time.Duration
	listenAddr      string
	haListenAddr    string
	slaveSyncPeriod time.Duration
	aclInterval     time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Options adjust a broker beyond its configuration (tests, embedding).
type Options struct {
	// ListenAddr overrides ":<listenPort>" (e.g. "127.0.0.1:0"). The VIP port is not opened when set.
	ListenAddr string
	// RegisterPeriod overrides the re-registration period.
	RegisterPeriod time.Duration
	// Store is the message store to use; nil opens the store under storePathRootDir.
	Store store.MessageStore
	// Metrics measures request latency per code for Collectors (/metrics).
	Metrics bool
	// HAListenAddr overrides ":<haListenPort>" for the HA listener (e.g. "127.0.0.1:0"); with ListenAddr set and
	// this empty, the HA listener binds port 0 on ListenAddr's host.
	HAListenAddr string
	// SlaveSyncPeriod overrides the slave's metadata sync schedule (3 s first, then 10 s).
	SlaveSyncPeriod time.Duration
	// ACLWatchInterval overrides how often the ACL files are polled (5 s).
	ACLWatchInterval time.Duration
}

// New builds a broker from its configuration; Start opens the listeners.
func New(cfg *conf.Broker, log *slog.Logger, opts Options) (*Broker, error) {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "broker")
	b := &Broker{
		cfg:             cfg,
		log:             log,
		reregister:      make(chan struct{}, 1),
		registerPeriod:  opts.RegisterPeriod,
		listenAddr:      opts.ListenAddr,
		haListenAddr:    opts.HAListenAddr,
		aclInterval:     opts.ACLWatchInterval,
		bootTime:        time.Now(),
		slaveSyncPeriod: opts.SlaveSyncPeriod,
	}
	if b.haListenAddr == "" && opts.ListenAddr != "" {
		if host, _, err := net.SplitHostPort(opts.ListenAddr); err == nil {
			b.haListenAddr = net.JoinHostPort(host, "0")
		}
	}
	if opts.Metrics {
		b.latency = ops.NewRequestLatency()
	}
	b.masterAddr.Store("")
	if cfg.Broker.BrokerID == 0 && !cfg.Store.BrokerRole.IsMaster() {
		return nil, fmt.Errorf("broker: brokerId 0 with brokerRole %s: a master needs brokerRole ASYNC_MASTER or SYNC_MASTER", cfg.Store.BrokerRole)
	}
	// Java's BrokerController overwrites this with its consumer-filter bloom filter's bit count (f=20 %, n=32 ->
	// 112 bits) at start, and GET_BROKER_CONFIG reports that value; Java refuses to start with invalid f or n.
	bloom, err := filterdata.NewBloom(cfg.Broker.MaxErrorRateOfBloomFilter, cfg.Broker.ExpectConsumerNumUseFilter)
	if err != nil {
		return nil, fmt.Errorf("broker: %w: fix it in broker.conf", err)
	}
	cfg.Store.BitMapLengthConsumeQueueExt = bloom.M
	// First, so that a bad ACL file refuses start before anything is opened.
	if err := b.openACL(); err != nil {
		return nil, err
	}
	built := false
	defer func() {
		if !built && b.acl != nil {
			b.acl.Close() // stop its file watcher
		}
	}()
	root := cfg.Store.StorePathRootDir
	configDir := filepath.Join(root, "config")
	if b.topics, err = topic.Open(filepath.Join(configDir, "topics.json"), topic.Options{
		BrokerClusterName:     cfg.Broker.BrokerClusterName,
		BrokerName:            cfg.Broker.BrokerName,
		AutoCreateTopicEnable: cfg.Broker.AutoCreateTopicEnable,
		DefaultTopicQueueNums: int32(cfg.Broker.DefaultTopicQueueNums),
		ClusterTopicEnable:    cfg.Broker.ClusterTopicEnable,
		BrokerTopicEnable:     cfg.Broker.BrokerTopicEnable,
		TraceTopicEnable:      cfg.Broker.TraceTopicEnable,
		MsgTraceTopicName:     cfg.Broker.MsgTraceTopicName,
		BrokerPermission:      int32(cfg.Broker.BrokerPermission),
	}); err != nil {
		return nil, fmt.Errorf("broker: load topics: %w", err)
	}
	if b.subgroups, err = subgroup.Open(filepath.Join(configDir, "subscriptionGroup.json")); err != nil {
		return nil, fmt.Errorf("broker: load subscription groups: %w", err)
	}
	if b.offsets, err = offset.Open(filepath.Join(configDir, "consumerOffset.json")); err != nil {
		return nil, fmt.Errorf("broker: load consumer offsets: %w", err)
	}
	if b.filters, err = filterdata.Open(filepath.Join(configDir, "consumerFilter.json"), filterdata.Options{
		Bloom:     bloom,
		CleanSpan: time.Duration(cfg.Broker.FilterDataCleanTimeSpan) * time.Millisecond,
		Log:       log,
	}); err != nil {
		return nil, fmt.Errorf("broker: load consumer filters: %w", err)
	}
	b.producers = client.NewProducers(log)
	b.consumers = client.NewConsumers(log, b.notifyConsumers)
	b.locks = client.NewLocks(0)
	b.holds = newPullHolds(b)
	b.store = opts.Store
	if b.store == nil {
		if b.store, err = openStore(cfg, log); err != nil {
			return nil, err
		}
	}
	b.store.SetArrivingListener(b.holds.arriving)
	b.topics.OnChange(b.topicsChanged)
	if err := b.initDelivery(); err != nil {
		return nil, err
	}
	if err := b.initAdminExt(); err != nil {
		return nil, err
	}
	built = true
	return b, nil
}

// brokerAddr is the address clients use: brokerIP1:listenPort (the real port once bound).
func (b *Broker) brokerAddr() string {
	return net.JoinHostPort(b.cfg.Broker.BrokerIP1, strconv.Itoa(b.cfg.Server.ListenPort))
}

// Addr is the bound main listener.
func (b *Broker) Addr() net.Addr { return b.server.Addr() }

// Start opens the listeners, registers with the name servers and starts the background work.
func (b *Broker) Start() error {
	b.ctx, b.cancel = context.WithCancel(context.Background())
	if err := b.store.Start(); err != nil {
		return fmt.Errorf("broker: start store: %w", err)
	}
	b.outer = &remoting.Client{Logger: b.log}
	main, vip, err := b.routers()
	if err != nil {
		return err
	}
	b.observeLatency(main)
	b.observeLatency(vip)
	idle := time.Duration(b.cfg.Server.ServerChannelMaxIdleTimeSeconds) * time.Second
	b.server = &remoting.Server{Router: main, IdleTimeout: idle, Logger: b.log, OnClose: b.connClosed}
	addr := b.listenAddr
	if addr == "" {
		addr = ops.ListenAddr(b.cfg.Ops, b.cfg.Server.ListenPort)
	}
	if err := b.server.Listen(addr); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	if b.listenAddr != "" {
		// Tests bind port 0: advertise the port really bound.
		b.cfg.Server.ListenPort = b.server.Addr().(*net.TCPAddr).Port
	} else {
		b.vip = &remoting.Server{Router: vip, IdleTimeout: idle, Logger: b.log, OnClose: b.connClosed}
		if err := b.vip.Listen(ops.ListenAddr(b.cfg.Ops, b.cfg.Server.ListenPort-2)); err != nil {
			_ = b.server.Close()
			return fmt.Errorf("broker: VIP channel: %w", err)
		}
	}
	ip, err := netip.ParseAddr(b.cfg.Broker.BrokerIP1)
	if err != nil {
		return fmt.Errorf("broker: brokerIP1 %q is not an IP address: set brokerIP1 in broker.conf", b.cfg.Broker.BrokerIP1)
	}
	b.storeHost = netip.AddrPortFrom(ip, uint16(b.cfg.Server.ListenPort))
	if err := b.startHA(); err != nil {
		b.closeListeners()
		return fmt.Errorf("broker: %w", err)
	}

	b.registerAll(b.ctx, false)
	b.goLoop(b.registerLoop)
	b.goLoop(b.housekeeping)
	b.goLoop(b.holds.run)
	b.goLoop(b.slaveSyncLoop)
	b.startDelivery()
	b.startAdminExt()
	b.started.Store(true)
	b.log.Info("boot success", "name", b.cfg.Broker.BrokerName, "addr", b.brokerAddr(),
		"listen", b.server.Addr().String(), "cluster", b.cfg.Broker.BrokerClusterName, "namesrv", b.cfg.Broker.NamesrvAddr)
	return nil
}

// BootMessage is the line Java's BrokerStartup prints on stdout once the broker serves, which start
// scripts wait for: "The broker[<name>, <ip:port>] boot success. serializeType=JSON[ and name server is <list>]".
func (b *Broker) BootMessage() string {
	msg := "The broker[" + b.cfg.Broker.BrokerName + ", " + b.brokerAddr() + "] boot success. serializeType=JSON"
	if b.cfg.Broker.NamesrvAddr != "" {
		msg += " and name server is " + b.cfg.Broker.NamesrvAddr
	}
	return msg
}

// Ready is nil once the broker serves: store recovered, listeners open and, when name servers are
// configured, registered with at least one (the /readyz check).
func (b *Broker) Ready() error {
	if !b.started.Load() {
		return errors.New("store recovering or listeners not open yet")
	}
	if len(b.namesrvAddrs()) > 0 && !b.nsAccepted.Load() {
		return errors.New("not registered with any name server yet (namesrvAddr " + b.cfg.Broker.NamesrvAddr + ")")
	}
	return nil
}

func (b *Broker) goLoop(f func(context.Context)) {
	b.wg.Add(1)
	go func() { defer b.wg.Done(); f(b.ctx) }()
}

// housekeeping expires idle clients and persists consumerFilter.json (every 10 s, as Java) and persists consumer
// offsets (flushConsumerOffsetInterval).
func (b *Broker) housekeeping(ctx context.Context) {
	scan := time.NewTicker(10 * time.Second)
	defer scan.Stop()
	persist := time.NewTicker(time.Duration(max(b.cfg.Broker.FlushConsumerOffsetInterval, 1000)) * time.Millisecond)
	defer persist.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-scan.C:
			b.producers.ScanExpired(now, client.ChannelExpiry)
			b.consumers.ScanExpired(now, client.ChannelExpiry)
			_ = b.filters.Persist() // logged by Persist
		case <-persist.C:
			if err := b.offsets.Persist(); err != nil {
				b.log.Error("persisting consumer offsets failed", "err", err)
			}
		}
	}
}

func (b *Broker) closeListeners() {
	if b.server != nil {
		_ = b.server.Close()
	}
	if b.vip != nil {
		_ = b.vip.Close()
	}
}

// Close stops serving, unregisters from the name servers, persists the metadata and shuts the store down
// cleanly (flush, checkpoint, abort file removed).
func (b *Broker) Close() error {
	var errs []error
	b.once.Do(func() {
		if b.cancel != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			b.unregisterAll(ctx)
			cancel()
			b.cancel()
		}
		if b.server != nil {
			errs = append(errs, b.server.Close())
		}
		if b.vip != nil {
			errs = append(errs, b.vip.Close())
		}
		b.wg.Wait()
		b.stopDelivery()
		b.stopAdminExt()
		if b.acl != nil {
			b.acl.Close()
		}
		if b.outer != nil {
			_ = b.outer.Close()
		}
		for _, p := range b.pools {
			p.Release()
		}
		errs = append(errs, b.topics.Flush()) // creates answered before their topics.json write
		errs = append(errs, b.offsets.Persist())
		errs = append(errs, b.filters.Persist())
		errs = append(errs, b.store.Shutdown())
		b.log.Info("broker stopped", "name", b.cfg.Broker.BrokerName)
	})
	return errors.Join(errs...)
}

// Run starts the broker and blocks until ctx is done, then shuts it down.
func (b *Broker) Run(ctx context.Context) error {
	if err := b.Start(); err != nil {
		_ = b.store.Shutdown()
		return err
	}
	<-ctx.Done()
	return b.Close()
}
