package conf

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Broker is everything mqbroker is configured with. One file sets all four.
type Broker struct {
	Broker BrokerConfig
	Store  MessageStoreConfig
	Server NettyServerConfig
	Client NettyClientConfig
	// Ops is rocketd's own keys (ops.go).
	Ops Ops

	// Path is the -c file ("" without one). Java keeps it as brokerConfigPath
	// and writes UPDATE_BROKER_CONFIG changes back into it.
	Path string
	// File is the file's content as read, unknown keys included; Java merges
	// it into the GET_BROKER_CONFIG reply. Empty without a file.
	File *Properties
}

// DefaultBroker is the broker configuration before any file is read: the
// class defaults, with listenPort 10911 and haListenPort 10912.
func DefaultBroker() *Broker {
	b := &Broker{
		Broker: DefaultBrokerConfig(),
		Store:  DefaultMessageStoreConfig(),
		Server: DefaultNettyServerConfig(),
		Client: DefaultNettyClientConfig(),
		Ops:    DefaultOps(),
		File:   NewProperties(),
	}
	b.Server.ListenPort = 10911
	b.Store.HaListenPort = b.Server.ListenPort + 1
	return b
}

// Targets lists the four configs in Java's print order: broker, netty server,
// netty client, message store.
func (b *Broker) Targets() []any {
	return []any{&b.Broker, &b.Server, &b.Client, &b.Store}
}

// LoadBroker builds the broker configuration like Java's BrokerStartup:
// defaults, then the file at path (if path is not empty) applied to all four
// configs, then overrides (command line values such as namesrvAddr from -n),
// then the startup rules:
//
//   - namesrvAddr, when set, must be "host:port" items separated by ';';
//   - a master role (ASYNC_MASTER, SYNC_MASTER) forces brokerId to 0; a SLAVE
//     needs brokerId > 0;
//   - enableDLegerCommitLog forces brokerId to -1;
//   - haListenPort is always listenPort+1, whatever the file says.
//
// Warnings (unknown keys, trimmed values) are returned even with an error.
func LoadBroker(path string, overrides map[string]string) (*Broker, []string, error) {
	b := DefaultBroker()
	warnings, err := load(path, overrides, append(b.Targets(), &b.Ops), brokerFileOnlyKeys, func(p *Properties) {
		b.Path, b.File = path, p
	})
	if err != nil {
		return nil, warnings, err
	}
	if err := ValidateNamesrvAddr(b.Broker.NamesrvAddr); err != nil {
		return nil, warnings, err
	}
	switch b.Store.BrokerRole {
	case AsyncMaster, SyncMaster:
		b.Broker.BrokerID = 0
	case Slave:
		if b.Broker.BrokerID <= 0 {
			return nil, warnings, fmt.Errorf("brokerId is %d but a SLAVE needs brokerId > 0; set brokerId=1 (or higher) in the config file", b.Broker.BrokerID)
		}
	}
	if b.Store.EnableDLegerCommitLog {
		b.Broker.BrokerID = -1
	}
	b.Store.HaListenPort = b.Server.ListenPort + 1
	return b, warnings, nil
}

// Namesrv is everything mqnamesrv is configured with.
type Namesrv struct {
	Namesrv NamesrvConfig
	Server  NettyServerConfig
	// Ops is rocketd's own keys (ops.go).
	Ops Ops

	// File is the -c file's content as read, unknown keys included; Java
	// merges it into the GET_NAMESRV_CONFIG reply. Empty without a file.
	File *Properties
}

// DefaultNamesrv is the name server configuration before any file is read:
// the class defaults with listenPort 9876.
func DefaultNamesrv() *Namesrv {
	n := &Namesrv{
		Namesrv: DefaultNamesrvConfig(),
		Server:  DefaultNettyServerConfig(),
		Ops:     DefaultOps(),
		File:    NewProperties(),
	}
	n.Server.ListenPort = 9876
	return n
}

// Targets lists the configs in Java's print order: namesrv, netty server.
func (n *Namesrv) Targets() []any {
	return []any{&n.Namesrv, &n.Server}
}

// LoadNamesrv builds the name server configuration like Java's
// NamesrvStartup: defaults, the file at path (if not empty) applied to both
// configs, configStorePath set to that file, then overrides.
func LoadNamesrv(path string, overrides map[string]string) (*Namesrv, []string, error) {
	n := DefaultNamesrv()
	warnings, err := load(path, overrides, append(n.Targets(), &n.Ops), nil, func(p *Properties) {
		n.File = p
		n.Namesrv.ConfigStorePath = path
	})
	if err != nil {
		return nil, warnings, err
	}
	return n, warnings, nil
}

// brokerFileOnlyKeys are broker.conf keys that BrokerStartup reads from the
// file itself rather than from a config object: the address server used when
// fetchNamesrvAddrByAddressServer is on (Java defaults: jmenv.tbsite.net and
// nsaddr). They stay in Broker.File and draw no unknown-key warning.
var brokerFileOnlyKeys = []string{"rmqAddressServerDomain", "rmqAddressServerSubGroup"}

// load applies the file (minus fileOnly keys), calls loaded after the file is
// applied, then applies the overrides in key order.
func load(path string, overrides map[string]string, targets []any, fileOnly []string, loaded func(*Properties)) ([]string, error) {
	var warnings []string
	if path != "" {
		p, err := LoadProperties(path)
		if err != nil {
			return nil, err
		}
		apply := NewProperties()
		for _, k := range p.Keys() {
			if !slices.Contains(fileOnly, k) {
				v, _ := p.Get(k)
				apply.Set(k, v)
			}
		}
		w, err := Apply(apply, targets...)
		warnings = append(warnings, prefixAll(path+": ", w)...)
		if err != nil {
			return warnings, fmt.Errorf("config file %s: %w", path, err)
		}
		loaded(p)
	}
	if len(overrides) > 0 {
		p := NewProperties()
		for _, k := range slices.Sorted(maps.Keys(overrides)) {
			p.Set(k, overrides[k])
		}
		w, err := Apply(p, targets...)
		warnings = append(warnings, prefixAll("command line: ", w)...)
		if err != nil {
			return warnings, fmt.Errorf("command line: %w", err)
		}
	}
	return warnings, nil
}

func prefixAll(prefix string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = prefix + l
	}
	return out
}

// ErrBadNamesrvAddr is matched by errors from ValidateNamesrvAddr.
var ErrBadNamesrvAddr = errors.New("illegal name server address")

// ValidateNamesrvAddr checks a name server list the way BrokerStartup does:
// ';'-separated items, each split at its last ':' into host and a port
// 0..65535. Empty means unset and is valid; trailing ';' are ignored (Java's
// String.split drops trailing empty items).
func ValidateNamesrvAddr(addr string) error {
	if addr == "" {
		return nil
	}
	items := strings.Split(addr, ";")
	for len(items) > 0 && items[len(items)-1] == "" {
		items = items[:len(items)-1]
	}
	for _, item := range items {
		i := strings.LastIndexByte(item, ':')
		port, err := strconv.Atoi(item[i+1:])
		if i < 0 || err != nil || port < 0 || port > 65535 {
			return fmt.Errorf("%w %q in %q; write it as \"127.0.0.1:9876;192.168.0.1:9876\"", ErrBadNamesrvAddr, item, addr)
		}
	}
	return nil
}
