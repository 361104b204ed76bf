package client

import (
	"sync"
	"time"
)

// MessageQueue identifies one queue of a topic on a broker; its JSON keys are in fastjson's order.
type MessageQueue struct {
	BrokerName string `json:"brokerName"`
	QueueID    int32  `json:"queueId"`
	Topic      string `json:"topic"`
}

// LockMaxLive is how long a queue lock lives without renewal (Java rocketmq.broker.rebalance.lockMaxLiveTime).
const LockMaxLive = 60 * time.Second

type lockEntry struct {
	clientID   string
	lastUpdate time.Time
}

// Locks grants orderly consumers exclusive use of queues (Java RebalanceLockManager).
type Locks struct {
	mu      sync.Mutex
	groups  map[string]map[MessageQueue]*lockEntry
	maxLive time.Duration
	now     func() time.Time
}

// NewLocks makes an empty lock table; maxLive <= 0 means LockMaxLive.
func NewLocks(maxLive time.Duration) *Locks {
	if maxLive <= 0 {
		maxLive = LockMaxLive
	}
	return &Locks{groups: map[string]map[MessageQueue]*lockEntry{}, maxLive: maxLive, now: time.Now}
}

// TryLock locks every queue that is free, expired or already held by clientID, and returns those.
func (l *Locks) TryLock(group string, mqs []MessageQueue, clientID string) []MessageQueue {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	g := l.groups[group]
	if g == nil {
		g = map[MessageQueue]*lockEntry{}
		l.groups[group] = g
	}
	locked := make([]MessageQueue, 0, len(mqs))
	for _, mq := range mqs {
		e := g[mq]
		switch {
		case e == nil:
			g[mq] = &lockEntry{clientID: clientID, lastUpdate: now}
		case e.clientID == clientID:
			e.lastUpdate = now
		case now.Sub(e.lastUpdate) > l.maxLive:
			e.clientID, e.lastUpdate = clientID, now
		default:
			continue
		}
		locked = append(locked, mq)
	}
	return locked
}

// Unlock releases the queues clientID holds.
func (l *Locks) Unlock(group string, mqs []MessageQueue, clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.groups[group]
	for _, mq := range mqs {
		if e := g[mq]; e != nil && e.clientID == clientID {
			delete(g, mq)
		}
	}
}

// IsLocked reports whether clientID holds a live lock on mq.
func (l *Locks) IsLocked(group string, mq MessageQueue, clientID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.groups[group][mq]
	return e != nil && e.clientID == clientID && l.now().Sub(e.lastUpdate) <= l.maxLive
}
