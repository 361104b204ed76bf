package broker

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/store"
)

// pullHolds keeps pulls that found nothing until a message arrives for their queue or they time out (Java
// PullRequestHoldService). Dispatch calls notify; a 1 s sweep catches timeouts and any missed wake-up.
type pullHolds struct {
	b  *Broker
	mu sync.Mutex
	m  map[holdKey][]*heldPull
}

type holdKey struct {
	topic   string
	queueID int32
}

type heldPull struct {
	conn     *remoting.Conn
	req      *remoting.Command
	offset   int64
	deadline time.Time
}

func newPullHolds(b *Broker) *pullHolds { return &pullHolds{b: b, m: map[holdKey][]*heldPull{}} }

func (p *pullHolds) hold(c *remoting.Conn, req *remoting.Command, topic string, queueID int32, offset int64, d time.Duration) {
	k := holdKey{topic, queueID}
	p.mu.Lock()
	p.m[k] = append(p.m[k], &heldPull{conn: c, req: req, offset: offset, deadline: time.Now().Add(d)})
	p.mu.Unlock()
	// A message dispatched between the read and the hold must not wait for the sweep.
	if max := p.b.store.GetMaxOffsetInQueue(topic, queueID); max > offset {
		p.notify(topic, queueID, max)
	}
}

// arriving is the store's dispatch hook.
func (p *pullHolds) arriving(info *store.DispatchInfo) {
	p.notify(info.Topic, info.QueueID, info.QueueOffset+1)
}

// notify wakes the pulls of a queue whose offset is below maxOffset.
func (p *pullHolds) notify(topic string, queueID int32, maxOffset int64) {
	p.answerWhere(holdKey{topic, queueID}, func(h *heldPull) bool { return maxOffset > h.offset })
}

// answerWhere takes the held pulls of k that match out of the table and answers them (outside the lock).
func (p *pullHolds) answerWhere(k holdKey, match func(*heldPull) bool) {
	p.mu.Lock()
	list := p.m[k]
	if len(list) == 0 {
		p.mu.Unlock()
		return
	}
	var take []*heldPull
	keep := list[:0]
	for _, h := range list {
		if match(h) {
			take = append(take, h)
		} else {
			keep = append(keep, h)
		}
	}
	if len(keep) == 0 {
		delete(p.m, k)
	} else {
		p.m[k] = keep
	}
	p.mu.Unlock()
	for _, h := range take {
		p.answer(h)
	}
}

// answer re-runs the pull without suspending and writes its response.
func (p *pullHolds) answer(h *heldPull) {
	go func() {
		select {
		case <-h.conn.Done():
			return
		default:
		}
		resp, err := p.b.processPull(h.conn, h.req, false)
		if err != nil {
			resp = remoting.NewResponse(h.req, 1, err.Error())
		}
		if resp != nil {
			resp.Opaque = h.req.Opaque
			resp.Flag |= remoting.FlagResponse
			_ = h.conn.Send(resp)
		}
	}()
}

// run sweeps every second: timed-out pulls are answered, and queues that have grown wake their pulls.
func (p *pullHolds) run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.releaseAll()
			return
		case now := <-t.C:
			p.sweep(now)
		}
	}
}

func (p *pullHolds) sweep(now time.Time) {
	p.mu.Lock()
	keys := make([]holdKey, 0, len(p.m))
	for k := range p.m {
		keys = append(keys, k)
	}
	p.mu.Unlock()
	for _, k := range keys {
		p.notify(k.topic, k.queueID, p.b.store.GetMaxOffsetInQueue(k.topic, k.queueID))
		p.answerWhere(k, func(h *heldPull) bool { return now.After(h.deadline) })
	}
}

// releaseAll forgets every held pull on shutdown; closing the listeners closes their connections, and the
// clients re-pull from another broker or after restart.
func (p *pullHolds) releaseAll() {
	p.mu.Lock()
	p.m = map[holdKey][]*heldPull{}
	p.mu.Unlock()
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
