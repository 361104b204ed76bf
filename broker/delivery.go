package broker

// Delivery semantics: the state behind CONSUMER_SEND_MSG_BACK (36, handle_sendback.go), END_TRANSACTION (37)
// and RESUME_CHECK_HALF_MESSAGE (323, handle_txn.go), GET_ALL_DELAY_OFFSET (45, here),
// INVOKE_BROKER_TO_RESET_OFFSET (222), INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223) and QUERY_CONSUME_TIME_SPAN
// (303, handle_reset.go), SEND_REPLY_MESSAGE(_V2) (324/325, handle_reply.go), and SQL92 filtering
// (handle_pull.go, handle_client.go).
//
// enablePropertyFilter: Java defaults to false; rocketd serves SQL92 unless broker.conf sets the key (to
// true or false), so unmodified SQL92 consumers work out of the box. The key in broker.conf wins.

import (
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/broker/filter"
	"github.com/rocketd/rocketd/broker/schedule"
	"github.com/rocketd/rocketd/broker/timer"
	"github.com/rocketd/rocketd/broker/txn"
	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/store"
)

// delivery holds the state of the schedule (delay) service, the transaction service and filters.
type delivery struct {
	sched   atomic.Pointer[schedule.Service]
	timer   atomic.Pointer[timer.Service] // delivery_timer.go
	txn     *txn.Service
	filters *filter.Cache
}

// initDelivery runs in New, after the managers and the store exist.
func (b *Broker) initDelivery() error {
	if b.cfg.File == nil {
		b.cfg.Broker.EnablePropertyFilter = true
	} else if _, set := b.cfg.File.Get("enablePropertyFilter"); !set {
		b.cfg.Broker.EnablePropertyFilter = true
	}
	b.dl.filters = filter.NewCache(0)
	b.checkExpression = func(expr string) error {
		_, err := b.dl.filters.Compile(expr)
		return err
	}
	// The store's dispatch also wakes the schedule level a new delayed unit belongs to.
	b.store.SetArrivingListener(func(info *store.DispatchInfo) {
		b.holds.arriving(info)
		b.timerArriving(info)
		if info.Topic == store.ScheduleTopic {
			if s := b.dl.sched.Load(); s != nil {
				s.Wake(info.QueueID)
			}
		}
	})
	return b.openTimer()
}

// startDelivery runs at the end of Start: the store is recovered, so delay offsets can be checked against
// the schedule queues.
func (b *Broker) startDelivery() {
	master := b.cfg.Store.BrokerRole.IsMaster()
	levels, err := store.ParseDelayLevels(b.cfg.Store.MessageDelayLevel)
	if err != nil {
		b.log.Error("messageDelayLevel is invalid; delayed messages will not be delivered until it is fixed", "err", err)
	} else {
		s, err := schedule.Open(schedule.Options{
			Path:          filepath.Join(b.cfg.Store.StorePathRootDir, "config", "delayOffset.json"),
			Levels:        levels,
			FlushInterval: time.Duration(b.cfg.Store.FlushDelayOffsetInterval) * time.Millisecond,
			Store:         b.store,
			Log:           b.log,
		})
		if err != nil {
			b.log.Error("delayed messages will not be delivered: fix or remove delayOffset.json", "err", err)
		} else {
			if master { // a slave only loads the file, as Java's store does, for GET_ALL_DELAY_OFFSET
				s.Start()
			}
			b.dl.sched.Store(s)
		}
	}
	if !master {
		return // Java runs neither the schedule nor the transaction check on a slave
	}
	if s := b.dl.timer.Load(); s != nil {
		s.Start()
	}
	bc := &b.cfg.Broker
	b.dl.txn = txn.New(txn.Options{
		Store: b.store, Offsets: b.offsets, Producers: b.producers, StoreHost: b.storeHost,
		Timeout:  time.Duration(bc.TransactionTimeOut) * time.Millisecond,
		Interval: time.Duration(bc.TransactionCheckInterval) * time.Millisecond,
		CheckMax: bc.TransactionCheckMax,
		Reserved: time.Duration(b.cfg.Store.FileReservedTime) * time.Hour,
		Settings: func() (timeout, interval time.Duration, checkMax int) {
			b.readConfig(func(cfg *conf.Broker) { // UPDATE_BROKER_CONFIG writes under this lock
				timeout = time.Duration(cfg.Broker.TransactionTimeOut) * time.Millisecond
				interval = time.Duration(cfg.Broker.TransactionCheckInterval) * time.Millisecond
				checkMax = cfg.Broker.TransactionCheckMax
			})
			return
		},
		EnsureTopic: func(name string) {
			if _, created, _ := b.topics.CreateInSendMessageBack(name, 1, 6, 0); created {
				go b.registerAll(b.ctx, true)
			}
		},
		Log: b.log,
	})
	b.dl.txn.Start()
}

// stopDelivery runs in Close before the store shuts down.
func (b *Broker) stopDelivery() {
	if s := b.dl.sched.Load(); s != nil {
		if err := s.Stop(); err != nil {
			b.log.Error("persisting delay offsets at shutdown failed", "err", err)
		}
	}
	if b.dl.txn != nil {
		b.dl.txn.Stop()
	}
	if s := b.dl.timer.Load(); s != nil {
		if err := s.Stop(); err != nil {
			b.log.Error("persisting the timer store at shutdown failed", "err", err)
		}
	}
}

// handleGetAllDelayOffset is GET_ALL_DELAY_OFFSET: the body is delayOffset.json's content, compact.
func (b *Broker) handleGetAllDelayOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	s := b.dl.sched.Load()
	if s == nil {
		return remoting.NewResponse(req, code.SystemError, "No delay offset in this broker"), nil
	}
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = s.Encode(fastjson.Compact)
	return resp, nil
}
