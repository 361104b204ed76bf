package client

import (
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/rocketd/rocketd/remoting"
)

// Group is one consumer group as the broker knows it from heartbeats (Java ConsumerGroupInfo).
type Group struct {
	Name             string
	ConsumeType      string
	MessageModel     string
	ConsumeFromWhere string
	subs             map[string]*SubscriptionData
	channels         map[*remoting.Conn]*ChannelInfo
	lastUpdate       time.Time
}

// Event says what changed in a consumer group.
type Event int

const (
	// Changed: membership or subscriptions changed; the group's consumers must rebalance.
	Changed Event = iota
	// Unregistered: the group's last consumer is gone.
	Unregistered
	// Registered: a heartbeat (re)registered subscriptions (SQL92 filter registration hooks here).
	Registered
)

// Listener is told about consumer group events. conns are the group's connections at that moment.
type Listener func(ev Event, group string, conns []*remoting.Conn, subs []SubscriptionData)

// Consumers tracks consumer groups (Java ConsumerManager).
type Consumers struct {
	mu       sync.RWMutex
	groups   map[string]*Group
	listener Listener
	log      *slog.Logger
}

// NewConsumers makes an empty table; listener may be nil.
func NewConsumers(log *slog.Logger, listener Listener) *Consumers {
	if listener == nil {
		listener = func(Event, string, []*remoting.Conn, []SubscriptionData) {}
	}
	return &Consumers{groups: map[string]*Group{}, listener: listener, log: log}
}

// Register applies one consumer group entry of a heartbeat. notify says whether a change should be announced
// to the group (the subscription group's notifyConsumerIdsChangedEnable). It reports whether anything changed.
func (c *Consumers) Register(cd *ConsumerData, ci ChannelInfo, notify bool) bool {
	c.mu.Lock()
	g := c.groups[cd.GroupName]
	if g == nil {
		g = &Group{Name: cd.GroupName, subs: map[string]*SubscriptionData{}, channels: map[*remoting.Conn]*ChannelInfo{}}
		c.groups[cd.GroupName] = g
	}
	changedCh := g.updateChannel(ci, cd)
	changedSub := g.updateSubscriptions(cd.SubscriptionDataSet)
	conns := g.conns()
	subs := g.subscriptions()
	c.mu.Unlock()
	if changedCh {
		c.log.Info("new consumer connected", "group", cd.GroupName, "clientId", ci.ClientID, "remote", ci.Conn.RemoteAddr())
	}
	if (changedCh || changedSub) && notify {
		c.listener(Changed, cd.GroupName, conns, subs)
	}
	c.listener(Registered, cd.GroupName, conns, subs)
	return changedCh || changedSub
}

func (g *Group) updateChannel(ci ChannelInfo, cd *ConsumerData) bool {
	g.ConsumeType, g.MessageModel, g.ConsumeFromWhere = cd.ConsumeType, cd.MessageModel, cd.ConsumeFromWhere
	g.lastUpdate = ci.LastUpdate
	if old := g.channels[ci.Conn]; old != nil {
		if old.ClientID != ci.ClientID {
			old.ClientID = ci.ClientID
		}
		old.LastUpdate = ci.LastUpdate
		return false
	}
	c := ci
	g.channels[ci.Conn] = &c
	return true
}

// updateSubscriptions follows Java: new topics are added, a higher subVersion replaces the old entry, and
// topics no longer present are dropped.
func (g *Group) updateSubscriptions(subs []SubscriptionData) bool {
	changed := false
	seen := make(map[string]bool, len(subs))
	for i := range subs {
		s := subs[i]
		seen[s.Topic] = true
		old := g.subs[s.Topic]
		if old == nil {
			g.subs[s.Topic] = &s
			changed = true
		} else if s.SubVersion > old.SubVersion {
			g.subs[s.Topic] = &s
		}
	}
	for t := range g.subs {
		if !seen[t] {
			delete(g.subs, t)
			changed = true
		}
	}
	return changed
}

func (g *Group) conns() []*remoting.Conn {
	out := make([]*remoting.Conn, 0, len(g.channels))
	for c := range g.channels {
		out = append(out, c)
	}
	return out
}

func (g *Group) subscriptions() []SubscriptionData {
	out := make([]SubscriptionData, 0, len(g.subs))
	for _, s := range g.subs {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return out
}

// Unregister removes one connection from group (UNREGISTER_CLIENT).
func (c *Consumers) Unregister(group string, conn *remoting.Conn, notify bool) {
	c.remove(conn, func(name string) bool { return name == group }, notify)
}

// ConnClosed removes conn from every group and announces the change.
func (c *Consumers) ConnClosed(conn *remoting.Conn, notify func(group string) bool) {
	c.mu.Lock()
	var names []string
	for name, g := range c.groups {
		if _, ok := g.channels[conn]; ok {
			names = append(names, name)
		}
	}
	c.mu.Unlock()
	for _, n := range names {
		c.remove(conn, func(name string) bool { return name == n }, notify(n))
	}
}

func (c *Consumers) remove(conn *remoting.Conn, match func(string) bool, notify bool) {
	type ev struct {
		e     Event
		group string
		conns []*remoting.Conn
	}
	var evs []ev
	c.mu.Lock()
	for name, g := range c.groups {
		if !match(name) {
			continue
		}
		ci := g.channels[conn]
		if ci == nil {
			continue
		}
		delete(g.channels, conn)
		c.log.Info("consumer connection removed", "group", name, "clientId", ci.ClientID, "remote", conn.RemoteAddr())
		if len(g.channels) == 0 {
			delete(c.groups, name)
			evs = append(evs, ev{Unregistered, name, nil})
		} else if notify {
			evs = append(evs, ev{Changed, name, g.conns()})
		}
	}
	c.mu.Unlock()
	for _, e := range evs {
		c.listener(e.e, e.group, e.conns, nil)
	}
}

// ScanExpired drops and closes consumer connections without a heartbeat for longer than expiry.
func (c *Consumers) ScanExpired(now time.Time, expiry time.Duration) {
	var stale []*remoting.Conn
	c.mu.RLock()
	for _, g := range c.groups {
		for conn, ci := range g.channels {
			if now.Sub(ci.LastUpdate) > expiry {
				stale = append(stale, conn)
			}
		}
	}
	c.mu.RUnlock()
	for _, conn := range stale {
		c.log.Warn("consumer connection expired, closing it", "remote", conn.RemoteAddr())
		conn.Close() // the close callback removes it and notifies the groups
	}
}

// ClientIDs returns the client ids of the group's live connections (GET_CONSUMER_LIST_BY_GROUP), sorted.
func (c *Consumers) ClientIDs(group string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	g := c.groups[group]
	if g == nil {
		return nil
	}
	out := make([]string, 0, len(g.channels))
	for conn, ci := range g.channels {
		select {
		case <-conn.Done():
			continue
		default:
		}
		out = append(out, ci.ClientID)
	}
	sort.Strings(out)
	return out
}

// GroupSnapshot is a copy of a consumer group's state for admin replies.
type GroupSnapshot struct {
	Name             string
	ConsumeType      string
	MessageModel     string
	ConsumeFromWhere string
	Subscriptions    []SubscriptionData
	Channels         []ChannelInfo
}

// Snapshot returns a copy of the group, or false when no consumer of it is connected.
func (c *Consumers) Snapshot(group string) (GroupSnapshot, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	g := c.groups[group]
	if g == nil {
		return GroupSnapshot{}, false
	}
	s := GroupSnapshot{Name: g.Name, ConsumeType: g.ConsumeType, MessageModel: g.MessageModel,
		ConsumeFromWhere: g.ConsumeFromWhere, Subscriptions: g.subscriptions()}
	for _, ci := range g.channels {
		s.Channels = append(s.Channels, *ci)
	}
	sort.Slice(s.Channels, func(i, j int) bool { return s.Channels[i].ClientID < s.Channels[j].ClientID })
	return s, true
}

// Subscription returns the group's subscription of topic, as registered by heartbeats.
func (c *Consumers) Subscription(group, topic string) (SubscriptionData, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	g := c.groups[group]
	if g == nil {
		return SubscriptionData{}, false
	}
	s := g.subs[topic]
	if s == nil {
		return SubscriptionData{}, false
	}
	return *s, true
}

// FindChannel returns the connection of clientID in group, or nil.
func (c *Consumers) FindChannel(group, clientID string) *remoting.Conn {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if g := c.groups[group]; g != nil {
		for conn, ci := range g.channels {
			if ci.ClientID == clientID {
				return conn
			}
		}
	}
	return nil
}

// GroupsOfTopic returns the groups whose consumers subscribe to topic.
func (c *Consumers) GroupsOfTopic(topic string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for name, g := range c.groups {
		if _, ok := g.subs[topic]; ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Groups returns the names of every group with a connected consumer.
func (c *Consumers) Groups() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.groups))
	for n := range c.groups {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
