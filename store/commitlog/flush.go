package commitlog

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrFlushTimeout means the record is stored but was not durable within syncFlushTimeout
// (FLUSH_DISK_TIMEOUT).
var ErrFlushTimeout = errors.New("commitlog: flush to disk timed out")

// DefaultPrefaultAhead is Config.PrefaultAhead's default: at 100 MB/s of appends, 80 ms of writing.
const DefaultPrefaultAhead = 8 << 20

const (
	groupCommitInterval = 10 * time.Millisecond
	shutdownFlushTries  = 10
)

type waiter struct {
	target   int64
	ch       chan bool     // WaitFlushed: pooled, signalled once
	cb       func(ok bool) // WhenFlushed: called once, on the flusher or the watcher goroutine
	deadline time.Time     // WhenFlushed: FLUSH_DISK_TIMEOUT after this (syncFlushTimeout)
	done     atomic.Bool   // WhenFlushed: answered
}

func (w *waiter) signal(ok bool) {
	if w.cb != nil {
		if w.done.CompareAndSwap(false, true) {
			w.cb(ok)
		}
		return
	}
	w.ch <- ok
}

var waiterPool = sync.Pool{New: func() any { return &waiter{ch: make(chan bool, 1)} }}

type flusher struct {
	c        *CommitLog
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	waiters  []*waiter
	inflight []*waiter // the batch the running msync will answer (the watcher looks at it too)
	closed   bool      // complete ran: WhenFlushed answers at once
}

// beforeGroupFlush, when set (tests only), runs before each group-commit flush: a slow disk.
var beforeGroupFlush func()

// StartFlusher starts the flush service for the configured flushDiskType, and the pre-faulting of the pages
// ahead of the write position (Config.PrefaultAhead).
func (c *CommitLog) StartFlusher() {
	fl := &flusher{c: c, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if !c.fl.CompareAndSwap(nil, fl) {
		return
	}
	if ahead := c.cfg.PrefaultAhead; ahead >= 0 {
		if ahead == 0 {
			ahead = DefaultPrefaultAhead
		}
		c.q.StartPrefault(ahead, c.cfg.FlushDiskType != SyncFlush)
	}
	if c.cfg.FlushDiskType == SyncFlush {
		go fl.groupCommitLoop()
		go fl.watch()
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
	c.q.StopPrefault()
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

// poke is the appenders' notification. Under SYNC_FLUSH it starts the group commit's msync at once, a few µs
// before the send registers its waiter (the msync then answers it: see groupCommitLoop); under ASYNC_FLUSH it
// wakes the flush service only when flushCommitLogTimed is false (Java wakes FlushRealTimeService on every put).
// While an msync runs the wake-up just stays pending, so appends in flight cost no extra msync.
func (fl *flusher) poke() {
	if fl.c.cfg.FlushDiskType == SyncFlush || !fl.c.cfg.FlushTimed {
		fl.wakeUp()
	}
}

func (fl *flusher) wakeUp() {
	select {
	case fl.wake <- struct{}{}:
	default:
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

// groupCommitLoop is GroupCommitService: when a waiter arrives (or every 10 ms) one msync covers all records
// written so far, and the next one starts as soon as it ends if more waiters arrived meanwhile (their wake-up
// is pending). After each msync every waiter that was registered before it started is answered (ok when the
// log is durable up to its end offset, else FLUSH_DISK_TIMEOUT, as Java's doCommit does), and so is every
// later waiter whose records the msync already covered: the send worker registers a waiter just after its
// append, often while the msync that includes that append is running.
func (fl *flusher) groupCommitLoop() {
	defer close(fl.done)
	t := time.NewTicker(groupCommitInterval)
	defer t.Stop()
	var batch, ready []*waiter
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
		fl.inflight = batch
		fl.mu.Unlock()
		if fl.c.q.FlushedWhere() < fl.c.q.MaxOffset() {
			if beforeGroupFlush != nil {
				beforeGroupFlush()
			}
			_ = fl.c.flush(0)
		}
		flushed := fl.c.q.FlushedWhere()
		for _, w := range batch {
			w.signal(flushed >= w.target)
		}
		fl.mu.Lock()
		fl.inflight = nil
		clear(batch)
		fl.mu.Unlock()
		// Waiters that arrived during the msync: answer those it covered, keep the rest (in order).
		fl.mu.Lock()
		ready = ready[:0]
		keep := fl.waiters[:0]
		for _, w := range fl.waiters {
			if flushed >= w.target {
				ready = append(ready, w)
			} else {
				keep = append(keep, w)
			}
		}
		clear(fl.waiters[len(keep):])
		fl.waiters = keep
		fl.mu.Unlock()
		for i, w := range ready {
			w.signal(true)
			ready[i] = nil
		}
	}
}

// watch is Java's FlushDiskWatcher: a WhenFlushed callback still waiting syncFlushTimeout after it was
// registered (a flush that hangs on the disk) is answered FLUSH_DISK_TIMEOUT; the flush that covers it later
// does not answer it again. WaitFlushed has its own timer.
func (fl *flusher) watch() {
	timeout := fl.c.syncFlushTimeout()
	t := time.NewTicker(min(timeout/4, 100*time.Millisecond))
	defer t.Stop()
	var late []*waiter
	for {
		select {
		case <-fl.done:
			return
		case now := <-t.C:
			fl.mu.Lock()
			for _, list := range [2][]*waiter{fl.inflight, fl.waiters} {
				for _, w := range list {
					if w.cb != nil && now.After(w.deadline) && !w.done.Load() {
						late = append(late, w)
					}
				}
			}
			fl.mu.Unlock()
			for i, w := range late {
				w.signal(false)
				late[i] = nil
			}
			late = late[:0]
		}
	}
}

func (c *CommitLog) syncFlushTimeout() time.Duration {
	if c.cfg.SyncFlushTimeout > 0 {
		return c.cfg.SyncFlushTimeout
	}
	return 5 * time.Second
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
// flush that covered it failed or syncFlushTimeout passed first (FLUSH_DISK_TIMEOUT; see watch). cb runs on
// the group-commit goroutine after its flush (or on the watcher), exactly once, so it must not block; no goroutine or timer is started per call (Java's asyncPutMessage completes the same way,
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
	fl.waiters = append(fl.waiters, &waiter{target: target, cb: cb, deadline: time.Now().Add(c.syncFlushTimeout())})
	fl.mu.Unlock()
	fl.wakeUp()
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
	fl.wakeUp()
	timer := time.NewTimer(c.syncFlushTimeout())
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
