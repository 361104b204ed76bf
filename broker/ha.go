package broker

// Master/slave (Java BrokerController + SlaveSynchronize; store/ha does the CommitLog stream):
//   - every broker opens the HA listener on haListenPort (listenPort+1) and registers brokerIP2:haListenPort
//     as haServerAddr;
//   - a SLAVE replicates from haMasterAddress when set (≥ 6 characters), else from the haServerAddr the name
//     server returns in the REGISTER_BROKER result (updated on every registration);
//   - a SLAVE copies the master's metadata every 10 s (first after 3 s) from the masterAddr of that result:
//     GET_ALL_TOPIC_CONFIG (21), GET_ALL_CONSUMER_OFFSET (43), GET_ALL_DELAY_OFFSET (45),
//     GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201);
//   - a SYNC_MASTER answers a WAIT=true send once a slave acknowledged it (handle_send.go, answerReplicated).

import (
	"context"
	"net"
	"path/filepath"
	"time"

	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/ops"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/store"
)

// haStore is the store's replication (store.DefaultMessageStore).
type haStore interface {
	StartHA(addr string) (net.Addr, error)
	UpdateHaMasterAddress(addr string)
	HAStatus() store.HAStatus
}

// replicaWaiter is the store's SYNC_MASTER completion (store.DefaultMessageStore).
type replicaWaiter interface {
	SyncMaster() bool
	WaitReplica(r store.PutResult, done func(store.PutResult))
}

const (
	slaveSyncFirst    = 3 * time.Second
	slaveSyncPeriod   = 10 * time.Second
	slaveSyncTimeout  = 3 * time.Second
	fallBehindLogTick = 60 * time.Second
)

// startHA opens the HA listener (port 0 in tests, advertised as bound) and, on a slave with haMasterAddress,
// points the HA client at it.
func (b *Broker) startHA() error {
	hs, ok := b.rawStore().(haStore)
	if !ok {
		return nil
	}
	addr := b.haListenAddr
	if addr == "" {
		addr = ops.ListenAddr(b.cfg.Ops, b.cfg.Store.HaListenPort)
	}
	bound, err := hs.StartHA(addr)
	if err != nil {
		return err
	}
	if p := bound.(*net.TCPAddr).Port; p != b.cfg.Store.HaListenPort {
		b.cfg.Store.HaListenPort = p // port 0 (tests): advertise the bound port
	}
	if !b.cfg.Store.BrokerRole.IsMaster() {
		if a := b.cfg.Store.HaMasterAddress; len(a) >= 6 {
			hs.UpdateHaMasterAddress(a)
		} else {
			b.updateHAMasterPeriodically = true
		}
	}
	return nil
}

// registered applies a REGISTER_BROKER result (Java doRegisterBrokerAll): the HA master address (unless
// haMasterAddress is configured) and the master address for the metadata sync.
func (b *Broker) registered(haServerAddr, masterAddr string) {
	if b.updateHAMasterPeriodically && haServerAddr != "" {
		if hs, ok := b.rawStore().(haStore); ok {
			hs.UpdateHaMasterAddress(haServerAddr)
		}
	}
	if masterAddr != "" {
		b.masterAddr.Store(masterAddr)
	}
}

// slaveSyncLoop is SlaveSynchronize's schedule on a slave; on a master it logs how far the slaves are
// behind every minute (Java printMasterAndSlaveDiff).
func (b *Broker) slaveSyncLoop(ctx context.Context) {
	if b.cfg.Store.BrokerRole.IsMaster() {
		t := time.NewTicker(fallBehindLogTick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if hs, ok := b.rawStore().(haStore); ok {
					b.log.Info("Slave fall behind master", "bytes", hs.HAStatus().SlaveFallBehindMuch)
				}
			}
		}
	}
	first, period := slaveSyncFirst, slaveSyncPeriod
	if b.slaveSyncPeriod > 0 {
		first, period = b.slaveSyncPeriod, b.slaveSyncPeriod
	}
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.syncFromMaster(ctx)
		t.Reset(period)
	}
}

// syncFromMaster is SlaveSynchronize.syncAll: each part on its own, a failure is logged and the others run.
func (b *Broker) syncFromMaster(ctx context.Context) {
	master, _ := b.masterAddr.Load().(string)
	if master == "" || master == b.brokerAddr() {
		return
	}
	get := func(c int32) []byte {
		resp, err := b.outer.InvokeSync(ctx, master, remoting.NewRequest(c, nil, nil), slaveSyncTimeout)
		if err != nil {
			b.log.Error("slave sync from the master failed", "master", master, "code", c, "err", err)
			return nil
		}
		if resp.Code != code.Success {
			b.log.Error("slave sync refused by the master", "master", master, "code", c, "resp", respSummary(resp))
			return nil
		}
		return resp.Body
	}
	if body := get(code.GetAllTopicConfig); body != nil {
		if changed, err := b.topics.SyncFrom(body); err != nil {
			b.log.Error("slave sync: topic config", "master", master, "err", err)
		} else if changed {
			b.log.Info("Update slave topic config from master", "master", master)
		}
	}
	if body := get(code.GetAllConsumerOffset); body != nil {
		if err := b.offsets.MergeFrom(body); err != nil {
			b.log.Error("slave sync: consumer offsets", "master", master, "err", err)
		}
	}
	if body := get(code.GetAllDelayOffset); body != nil {
		// Java writes the master's text verbatim to delayOffset.json (read by the schedule service at the next
		// start, e.g. after promotion to master); the slave's loaded table stays as it was, as in Java.
		path := filepath.Join(b.cfg.Store.StorePathRootDir, "config", "delayOffset.json")
		if err := fastjson.WriteConfig(path, body); err != nil {
			b.log.Error("slave sync: delay offsets", "file", path, "err", err)
		}
	}
	if body := get(code.GetAllSubscriptiongroupConfig); body != nil {
		if changed, err := b.subgroups.SyncFrom(body); err != nil {
			b.log.Error("slave sync: subscription groups", "master", master, "err", err)
		} else if changed {
			b.log.Info("Update slave Subscription Group from master", "master", master)
		}
	}
}

// HAStatus reports the replication state (zero when the store has no HA service).
func (b *Broker) HAStatus() store.HAStatus {
	if hs, ok := b.rawStore().(haStore); ok {
		return hs.HAStatus()
	}
	return store.HAStatus{}
}
