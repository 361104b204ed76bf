package commitlog

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrFlushTimeout means the record is stored but was not durable within syncFlushTimeout
// (FLUSH_DISK_TIMEOUT).
var ErrFlushTimeout = errors.New("commitlog: flush to disk timed out")

const (
	groupCommitInterval = 10 * time.Millisecond
	shutdownFlushTries  = 10
)

type waiter struct {
	target int64
	ch     chan bool     // WaitFlushed: pooled, signalled once
	cb     func(ok bool) // WhenFlushed: called once on the flusher goroutine
}

func (w *waiter) signal(ok bool) {
	if w.cb != nil {
		w.cb(ok)
		return
	}
	w.ch <- ok
}

var waiterPool = sync.Pool{New: func() any { return &waiter{ch: make(chan bool, 1)} }}

type flusher struct {
	c       *CommitLog
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	waiters []*waiter
	closed  bool // complete ran: WhenFlushed answers at once
}

// StartFlusher starts the flush service for the configured flushDiskType.
func (c *CommitLog) StartFlusher() {
	fl := &flusher{c: c, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if !c.fl.CompareAndSwap(nil, fl) {
		return
	}
	if c.cfg.FlushDiskType == SyncFlush {
		go fl.groupCommitLoop()
	} else {
		go fl.asyncLoop()
	}
}

// StopFlusher stops the flush service after a final full flush (retried like Java's shutdown path).
func (c *CommitLog) StopFlusher() error {
	if fl := c.fl.Swap(nil); fl != nil {
		close(fl.stop)
		<-fl.done
	}
	return c.FlushAll()
}

// FlushAll makes everything written durable.
func (c *CommitLog) FlushAll() error {
	var err error
	for i := 0; i < shutdownFlushTries; i++ {
		if err = c.flush(0); err == nil && c.q.FlushedWhere() >= c.q.MaxOffset() {
			return nil
		}
	}
	return err
}

func (fl *flusher) poke() {
	if fl.c.cfg.FlushDiskType == SyncFlush || !fl.c.cfg.FlushTimed {
		select {
		case fl.wake <- struct{}{}:
		default:
		}
	}
}

// flush msyncs and reports the newest durable store timestamp.
func (c *CommitLog) flush(leastPages int) error {
	end, ts, rec := c.lastAppend()
	_, err := c.q.Flush(leastPages)
	if err != nil {
		c.log.Error("commitlog flush failed", "err", err)
		return err
	}
	if c.q.FlushedWhere() >= end {
		if ts > 0 && c.cfg.OnFlushed != nil {
			c.cfg.OnFlushed(ts)
		}
		if rec.LastSize > 0 && rec.End == end {
			c.durable.Store(&rec)
		}
	}
	return nil
}

// asyncLoop is FlushRealTimeService: every flushIntervalCommitLog, flush if ≥ flushCommitLogLeastPages
// dirty pages; every flushCommitLogThoroughInterval flush regardless.
func (fl *flusher) asyncLoop() {
	defer close(fl.done)
	cfg := fl.c.cfg
	interval := cfg.FlushInterval
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	lastThorough := time.Now()
	for {
		select {
		case <-fl.stop:
			return
		case <-t.C:
		case <-fl.wake:
		}
		least := cfg.FlushLeastPages
		if now := time.Now(); now.Sub(lastThorough) >= cfg.FlushThoroughInterval {
			least = 0
			lastThorough = now
		}
		_ = fl.c.flush(least)
	}
}

// groupCommitLoop is GroupCommitService: every 10 ms (or when a waiter arrives) one msync covers all
// records written so far, then every waiter whose end offset is durable is released.
func (fl *flusher) groupCommitLoop() {
	defer close(fl.done)
	t := time.NewTicker(groupCommitInterval)
	defer t.Stop()
	var batch []*waiter
	for {
		select {
		case <-fl.stop:
			fl.complete()
			return
		case <-t.C:
		case <-fl.wake:
		}
		fl.mu.Lock()
		batch, fl.waiters = fl.waiters, batch[:0]
		fl.mu.Unlock()
		if fl.c.q.FlushedWhere() < fl.c.q.MaxOffset() {
			_ = fl.c.flush(0)
		}
		flushed := fl.c.q.FlushedWhere()
		for i, w := range batch {
			w.signal(flushed >= w.target)
			batch[i] = nil
		}
	}
}

// complete releases every waiter after a final flush (shutdown).
func (fl *flusher) complete() {
	_ = fl.c.flush(0)
	flushed := fl.c.q.FlushedWhere()
	fl.mu.Lock()
	ws := fl.waiters
	fl.waiters = nil
	fl.closed = true
	fl.mu.Unlock()
	for _, w := range ws {
		w.signal(flushed >= w.target)
	}
}

// WhenFlushed calls cb once the log is durable up to target (SYNC_FLUSH): cb(true), or cb(false) when the
// flush that covered it failed (FLUSH_DISK_TIMEOUT). cb runs on the group-commit goroutine after its flush, so
// it must not block; no goroutine or timer is started per call (Java's asyncPutMessage completes the same way,
// from GroupCommitService). In ASYNC_FLUSH mode, or when target is already durable, cb(true) runs at once.
func (c *CommitLog) WhenFlushed(target int64, cb func(ok bool)) {
	fl := c.fl.Load()
	if c.cfg.FlushDiskType != SyncFlush || fl == nil || c.q.FlushedWhere() >= target {
		cb(true)
		return
	}
	fl.mu.Lock()
	if fl.closed {
		fl.mu.Unlock()
		cb(c.q.FlushedWhere() >= target)
		return
	}
	fl.waiters = append(fl.waiters, &waiter{target: target, cb: cb})
	fl.mu.Unlock()
	fl.poke()
}

// WaitFlushed blocks until the log is durable up to target (SYNC_FLUSH), at most syncFlushTimeout.
// In ASYNC_FLUSH mode it returns at once.
func (c *CommitLog) WaitFlushed(ctx context.Context, target int64) error {
	fl := c.fl.Load()
	if c.cfg.FlushDiskType != SyncFlush || fl == nil {
		return nil
	}
	if c.q.FlushedWhere() >= target {
		return nil
	}
	w := waiterPool.Get().(*waiter)
	w.target = target
	fl.mu.Lock()
	fl.waiters = append(fl.waiters, w)
	fl.mu.Unlock()
	fl.poke()
	timeout := c.cfg.SyncFlushTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case ok := <-w.ch:
		waiterPool.Put(w)
		if !ok {
			return ErrFlushTimeout
		}
		return nil
	case <-timer.C:
		return ErrFlushTimeout // w may still be signalled later: it is not reused
	case <-ctx.Done():
		return ErrFlushTimeout
	case <-fl.done:
		// The flusher stopped (shutdown) after a final flush; it may have missed this waiter.
		if c.q.FlushedWhere() >= target {
			return nil
		}
		return ErrFlushTimeout
	}
}
