package broker

// Registration with the name servers (Java BrokerOuterAPI.registerBrokerAll / unregisterBrokerAll):
// REGISTER_BROKER to every namesrv at start, every registerNameServerPeriod (clamped to 10-60 s) and after
// topic changes; UNREGISTER_BROKER on shutdown.

import (
	"context"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"sync"
	"time"

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

func (b *Broker) registerBody() []byte {
	wrapper := b.topics.SerializeWrapper(false)
	body := make([]byte, 0, len(wrapper)+64)
	body = append(body, `{"filterServerList":[],"topicConfigSerializeWrapper":`...)
	body = append(body, wrapper...)
	return append(body, '}')
}

// registerAll sends REGISTER_BROKER to every name server in parallel. oneway is used after auto-creating a
// topic, as Java does.
func (b *Broker) registerAll(ctx context.Context, oneway bool) {
	addrs := b.namesrvAddrs()
	if len(addrs) == 0 {
		return
	}
	body := b.registerBody()
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
			if err := rh.Decode(resp.ExtFields); err == nil && rh.MasterAddr != "" {
				b.masterAddr.Store(rh.MasterAddr)
			}
			b.registered.Store(true)
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

// registerLoop re-registers every registerNameServerPeriod until ctx ends.
func (b *Broker) registerLoop(ctx context.Context) {
	period := time.Duration(b.cfg.Broker.RegisterNameServerPeriod) * time.Millisecond
	period = min(max(period, 10*time.Second), 60*time.Second)
	if b.registerPeriod > 0 {
		period = b.registerPeriod
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
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
