package client

import (
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/rocketd/rocketd/remoting"
)

// Producers tracks producer groups and their connections (Java ProducerManager).
type Producers struct {
	mu     sync.RWMutex
	groups map[string]map[*remoting.Conn]*ChannelInfo
	log    *slog.Logger
}

// NewProducers makes an empty table.
func NewProducers(log *slog.Logger) *Producers {
	return &Producers{groups: map[string]map[*remoting.Conn]*ChannelInfo{}, log: log}
}

// Register records or refreshes a producer connection of group.
func (p *Producers) Register(group string, ci ChannelInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.groups[group]
	if g == nil {
		g = map[*remoting.Conn]*ChannelInfo{}
		p.groups[group] = g
	}
	if old := g[ci.Conn]; old != nil {
		old.LastUpdate = ci.LastUpdate
		return
	}
	c := ci
	g[ci.Conn] = &c
	p.log.Info("new producer connected", "group", group, "clientId", ci.ClientID, "remote", ci.Conn.RemoteAddr())
}

// Unregister removes conn from group.
func (p *Producers) Unregister(group string, conn *remoting.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g := p.groups[group]; g != nil {
		delete(g, conn)
		if len(g) == 0 {
			delete(p.groups, group)
		}
	}
}

// ConnClosed removes conn from every group.
func (p *Producers) ConnClosed(conn *remoting.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, g := range p.groups {
		if _, ok := g[conn]; ok {
			delete(g, conn)
			if len(g) == 0 {
				delete(p.groups, name)
			}
		}
	}
}

// ScanExpired drops and closes connections without a heartbeat for longer than expiry.
func (p *Producers) ScanExpired(now time.Time, expiry time.Duration) {
	var stale []*remoting.Conn
	p.mu.Lock()
	for name, g := range p.groups {
		for conn, ci := range g {
			if now.Sub(ci.LastUpdate) > expiry {
				delete(g, conn)
				stale = append(stale, conn)
				p.log.Warn("producer connection expired", "group", name, "clientId", ci.ClientID)
			}
		}
		if len(g) == 0 {
			delete(p.groups, name)
		}
	}
	p.mu.Unlock()
	for _, c := range stale {
		c.Close()
	}
}

// Channels returns the group's connections, most recently active first.
func (p *Producers) Channels(group string) []ChannelInfo {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]ChannelInfo, 0, len(p.groups[group]))
	for _, ci := range p.groups[group] {
		out = append(out, *ci)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LastUpdate.After(out[j].LastUpdate) })
	return out
}

// AvailableChannel returns a live connection of group (for CHECK_TRANSACTION_STATE), or nil.
func (p *Producers) AvailableChannel(group string) *remoting.Conn {
	for _, ci := range p.Channels(group) {
		select {
		case <-ci.Conn.Done():
		default:
			return ci.Conn
		}
	}
	return nil
}

// Groups returns every producer group with its connections.
func (p *Producers) Groups() map[string][]ChannelInfo {
	p.mu.RLock()
	names := make([]string, 0, len(p.groups))
	for n := range p.groups {
		names = append(names, n)
	}
	p.mu.RUnlock()
	out := make(map[string][]ChannelInfo, len(names))
	for _, n := range names {
		out[n] = p.Channels(n)
	}
	return out
}
