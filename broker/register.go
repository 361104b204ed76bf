package broker

// Registration with the name servers (Java BrokerOuterAPI.registerBrokerAll / unregisterBrokerAll):
// REGISTER_BROKER to every namesrv at start, 10 s later, then every registerNameServerPeriod (clamped to
// 10-60 s), and after topic changes; UNREGISTER_BROKER on shutdown.

import (
	"context"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rocketd/rocketd/broker/topic"
	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

const registerTimeout = 6 * time.Second

// namesrvAddrs returns the configured name servers (namesrvAddr is ';'-separated).
func (b *Broker) namesrvAddrs() []string {
	var out []string
	for _, a := range strings.Split(b.cfg.Broker.NamesrvAddr, ";") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func (b *Broker) registerBody() []byte { return registerBodyOf(b.topics.SerializeWrapper(false)) }

func registerBodyOf(wrapper []byte) []byte {
	body := make([]byte, 0, len(wrapper)+64)
	body = append(body, `{"filterServerList":[],"topicConfigSerializeWrapper":`...)
	body = append(body, wrapper...)
	return append(body, '}')
}

// registerAll sends REGISTER_BROKER to every name server in parallel. oneway is used after auto-creating a
// topic, as Java does.
func (b *Broker) registerAll(ctx context.Context, oneway bool) {
	if len(b.namesrvAddrs()) == 0 {
		return
	}
	b.registerWith(ctx, b.registerBody(), oneway)
}

// registerIncrement is Java's registerIncrementBrokerData after UPDATE_AND_CREATE_TOPIC: REGISTER_BROKER to
// every name server, synchronously, with a body holding only the changed topic and the DataVersion that
// includes the change. Name servers merge it into the broker's queue data (they never drop topics missing
// from a registration), so the table is not re-sent on every create.
func (b *Broker) registerIncrement(ctx context.Context, tc topic.TopicConfig, dv fastjson.DataVersion) {
	if len(b.namesrvAddrs()) == 0 {
		return
	}
	b.registerWith(ctx, registerBodyOf(b.topics.RegisterIncrementWrapper(tc, dv, false)), false)
}

// registerWith sends one REGISTER_BROKER body to every name server in parallel.
func (b *Broker) registerWith(ctx context.Context, body []byte, oneway bool) {
	addrs := b.namesrvAddrs()
	h := header.RegisterBrokerRequestHeader{
		BrokerName:   b.cfg.Broker.BrokerName,
		BrokerAddr:   b.brokerAddr(),
		ClusterName:  b.cfg.Broker.BrokerClusterName,
		HaServerAddr: b.cfg.Broker.BrokerIP2 + ":" + strconv.Itoa(b.cfg.Store.HaListenPort),
		BrokerID:     b.cfg.Broker.BrokerID,
		Compressed:   false,
		BodyCrc32:    int32(crc32.ChecksumIEEE(body) & 0x7FFFFFFF),
	}
	var wg sync.WaitGroup
	for _, addr := range addrs {
		wg.Add(1)
		go func(addr string) {
			defer wg.Done()
			ext := make(map[string]string, 8)
			h.Encode(ext)
			req := remoting.NewRequest(code.RegisterBroker, ext, body)
			if oneway {
				if err := b.outer.InvokeOneway(ctx, addr, req); err != nil {
					b.log.Warn("register broker (oneway) failed", "namesrv", addr, "err", err)
				}
				return
			}
			resp, err := b.outer.InvokeSync(ctx, addr, req, registerTimeout)
			if err != nil {
				b.log.Warn("register broker failed", "namesrv", addr, "err", err)
				return
			}
			if resp.Code != code.Success {
				b.log.Warn("register broker refused", "namesrv", addr, "code", resp.Code, "remark", resp.Remark)
				return
			}
			var rh header.RegisterBrokerResponseHeader
			if err := rh.Decode(resp.ExtFields); err == nil {
				b.registered(rh.HaServerAddr, rh.MasterAddr)
			}
			b.nsAccepted.Store(true)
			b.log.Debug("registered broker", "namesrv", addr)
		}(addr)
	}
	wg.Wait()
}

// unregisterAll sends UNREGISTER_BROKER to every name server.
func (b *Broker) unregisterAll(ctx context.Context) {
	for _, addr := range b.namesrvAddrs() {
		h := header.UnRegisterBrokerRequestHeader{
			BrokerName:  b.cfg.Broker.BrokerName,
			BrokerAddr:  b.brokerAddr(),
			ClusterName: b.cfg.Broker.BrokerClusterName,
			BrokerID:    b.cfg.Broker.BrokerID,
		}
		ext := make(map[string]string, 4)
		h.Encode(ext)
		resp, err := b.outer.InvokeSync(ctx, addr, remoting.NewRequest(code.UnregisterBroker, ext, nil), 3*time.Second)
		if err != nil || resp.Code != code.Success {
			b.log.Warn("unregister broker failed", "namesrv", addr, "err", err, "resp", respSummary(resp))
		}
	}
}

func respSummary(r *remoting.Command) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("code=%d remark=%q", r.Code, r.Remark)
}

// registerInitialDelay is when the periodic registration first runs after start (Java 4.9.8 BrokerController
// schedules registerBrokerAll at a fixed rate with a 10 s initial delay): a broker whose first REGISTER_BROKER
// failed, e.g. because its name server was started at the same moment, is in the routes 10 s later, not a
// whole period later.
const registerInitialDelay = 10 * time.Second

// registerLoop re-registers registerInitialDelay after start, then every registerNameServerPeriod, until ctx
// ends.
func (b *Broker) registerLoop(ctx context.Context) {
	period := time.Duration(b.cfg.Broker.RegisterNameServerPeriod) * time.Millisecond
	period = min(max(period, 10*time.Second), 60*time.Second)
	if b.registerPeriod > 0 {
		period = b.registerPeriod
	}
	t := time.NewTimer(min(registerInitialDelay, period))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			t.Reset(period) // fixed rate, as Java's scheduleAtFixedRate
			b.registerAll(ctx, false)
		case <-b.reregister:
			b.registerAll(ctx, false)
		}
	}
}

// topicsChanged asks for a re-registration soon (coalesced).
func (b *Broker) topicsChanged() {
	select {
	case b.reregister <- struct{}{}:
	default:
	}
}
