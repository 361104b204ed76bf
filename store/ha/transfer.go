package ha

import (
	"sync"
	"time"
)

// Result of a SYNC_MASTER wait.
type Result int

// Results of Submit's callback.
const (
	TransferOK      Result = iota // a slave acknowledged the put (PUT_OK)
	TransferTimeout               // no acknowledgement within slaveTimeout (FLUSH_SLAVE_TIMEOUT)
	SlaveNotOK                    // no slave connected or too far behind (SLAVE_NOT_AVAILABLE)
)

type request struct {
	target   int64
	deadline time.Time
	done     func(Result)
}

// transfer is GroupTransferService: the puts waiting for a slave, completed by one goroutine.
type transfer struct {
	s      *Service
	mu     sync.Mutex
	reqs   []request
	wakeCh chan struct{}
	stopCh chan struct{}
	doneCh chan struct{}
	once   sync.Once
}

func newTransfer(s *Service) *transfer {
	return &transfer{s: s, wakeCh: make(chan struct{}, 1), stopCh: make(chan struct{}), doneCh: make(chan struct{})}
}

func (t *transfer) wake() {
	select {
	case t.wakeCh <- struct{}{}:
	default:
	}
}

// Submit is the SYNC_MASTER wait of a stored put ending at nextOffset (Java submitReplicaRequest): done is
// called exactly once, from the transfer goroutine, or at once with SlaveNotOK when no slave can take it.
// It must not block for long: it runs on the goroutine that completes every waiting put.
func (s *Service) Submit(nextOffset int64, timeout time.Duration, done func(Result)) {
	if !s.IsSlaveOK(nextOffset) {
		done(SlaveNotOK)
		return
	}
	if s.push2SlaveMax.Load() >= nextOffset {
		done(TransferOK)
		return
	}
	t := s.transfer
	t.mu.Lock()
	select {
	case <-t.stopCh:
		t.mu.Unlock()
		done(TransferTimeout)
		return
	default:
	}
	t.reqs = append(t.reqs, request{target: nextOffset, deadline: time.Now().Add(timeout), done: done})
	t.mu.Unlock()
	t.wake()
}

// run completes requests when acks arrive or deadlines pass; one timer covers the earliest deadline.
func (t *transfer) run() {
	defer close(t.doneCh)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var work []request
	for {
		select {
		case <-t.stopCh:
			t.drain()
			return
		case <-t.wakeCh:
		case <-timer.C:
		}
		t.mu.Lock()
		work, t.reqs = t.reqs, work[:0]
		t.mu.Unlock()
		acked := t.s.push2SlaveMax.Load()
		now := time.Now()
		var keep []request
		for _, r := range work {
			switch {
			case acked >= r.target:
				r.done(TransferOK)
			case !now.Before(r.deadline):
				r.done(TransferTimeout)
			default:
				keep = append(keep, r)
			}
		}
		clear(work)
		var earliest time.Time
		t.mu.Lock()
		t.reqs = append(t.reqs, keep...)
		for _, r := range t.reqs {
			if earliest.IsZero() || r.deadline.Before(earliest) {
				earliest = r.deadline
			}
		}
		t.mu.Unlock()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		if !earliest.IsZero() {
			timer.Reset(max(time.Until(earliest), time.Millisecond))
		} else {
			timer.Reset(time.Hour)
		}
	}
}

// drain completes everything still waiting (shutdown).
func (t *transfer) drain() {
	t.mu.Lock()
	reqs := t.reqs
	t.reqs = nil
	t.mu.Unlock()
	acked := t.s.push2SlaveMax.Load()
	for _, r := range reqs {
		if acked >= r.target {
			r.done(TransferOK)
		} else {
			r.done(TransferTimeout)
		}
	}
}

// stop ends run (or, if it never ran, completes the waiting requests itself).
func (t *transfer) stop() {
	t.once.Do(func() {
		t.mu.Lock()
		close(t.stopCh)
		t.mu.Unlock()
		if t.s.ln == nil {
			t.drain()
		}
	})
}
