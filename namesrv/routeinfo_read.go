package namesrv

import (
	"slices"
	"strings"
)

// Read side of RouteInfo: each method snapshots what a body needs under the read lock, in Java's order.

// TopicRoute is Java's TopicRouteData as pickupTopicRouteData builds it.
type TopicRoute struct {
	OrderTopicConf string // "" = absent
	QueueDatas     []QueueData
	BrokerDatas    []*BrokerData
	FilterServers  []filterEntry // brokerAddr -> filter servers, in HashMap order
}

type filterEntry struct {
	addr    string
	servers []string
}

// PickupTopicRoute returns the route of topic, or nil when it has no queue data or no broker data.
func (ri *RouteInfo) PickupTopicRoute(topic string) *TopicRoute {
	ri.mu.RLock()
	defer ri.mu.RUnlock()
	m, ok := ri.topics.Get(topic)
	if !ok {
		return nil
	}
	tr := &TopicRoute{}
	for _, qd := range m.Values() {
		tr.QueueDatas = append(tr.QueueDatas, *qd)
	}
	var fsKeys []string
	fsVals := map[string][]string{}
	for _, name := range hashSetOf(m.Keys()) {
		bd, ok := ri.brokers.Get(name)
		if !ok {
			continue
		}
		c := bd.clone()
		tr.BrokerDatas = append(tr.BrokerDatas, c)
		if len(ri.filters) == 0 {
			continue
		}
		for _, id := range c.Addrs.Keys() {
			addr, _ := c.Addrs.Get(id)
			if l, ok := ri.filters[addr]; ok {
				if _, dup := fsVals[addr]; !dup {
					fsKeys = append(fsKeys, addr)
				}
				fsVals[addr] = l
			}
		}
	}
	if len(tr.BrokerDatas) == 0 {
		return nil
	}
	for _, addr := range javaOrder(fsKeys, stringHash, capGrown(len(fsKeys))) {
		tr.FilterServers = append(tr.FilterServers, filterEntry{addr, slices.Clone(fsVals[addr])})
	}
	return tr
}

// encode writes the TopicRouteData body: standard (quoted, sorted map keys, browser-compatible escapes) or
// legacy (bare Long keys, HashMap order).
func (tr *TopicRoute) encode(standard bool) []byte {
	w := jw{browser: standard}
	w.raw(`{"brokerDatas":[`)
	for i, bd := range tr.BrokerDatas {
		w.comma(i)
		writeBrokerData(&w, bd, standard, standard)
	}
	w.raw(`],"filterServerTable":{`)
	fs := tr.FilterServers
	if standard {
		fs = slices.Clone(fs)
		slices.SortFunc(fs, func(a, b filterEntry) int { return compareJavaStrings(a.addr, b.addr) })
	}
	for i, e := range fs {
		w.comma(i)
		w.key(e.addr)
		w.strList(e.servers)
	}
	w.byte('}')
	if tr.OrderTopicConf != "" {
		w.raw(`,"orderTopicConf":`)
		w.str(tr.OrderTopicConf)
	}
	w.raw(`,"queueDatas":[`)
	for i, qd := range tr.QueueDatas {
		w.comma(i)
		writeQueueData(&w, qd)
	}
	w.raw(`]}`)
	return w.b
}

// compareJavaStrings is String.compareTo (UTF-16 code units), which TreeMap uses for MapSortField.
func compareJavaStrings(a, b string) int {
	if isASCII(a) && isASCII(b) {
		return strings.Compare(a, b)
	}
	return slices.Compare(utf16Units([]rune(a)), utf16Units([]rune(b)))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func utf16Units(rs []rune) []uint16 {
	out := make([]uint16, 0, len(rs))
	for _, r := range rs {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

func writeQueueData(w *jw, qd QueueData) {
	w.raw(`{"brokerName":`)
	w.str(qd.BrokerName)
	w.raw(`,"perm":`)
	w.int(int64(qd.Perm))
	w.raw(`,"readQueueNums":`)
	w.int(int64(qd.ReadQueueNums))
	w.raw(`,"topicSysFlag":`)
	w.int(int64(qd.TopicSysFlag))
	w.raw(`,"writeQueueNums":`)
	w.int(int64(qd.WriteQueueNums))
	w.byte('}')
}

// writeBrokerData writes {"brokerAddrs":{...},"brokerName":..,"cluster":..}; brokerAddrs is always present.
func writeBrokerData(w *jw, bd *BrokerData, quoteKeys, sortKeys bool) {
	w.raw(`{"brokerAddrs":{`)
	ids := bd.Addrs.Keys()
	if sortKeys {
		slices.Sort(ids)
	}
	for i, id := range ids {
		w.comma(i)
		w.longKey(id, quoteKeys)
		addr, _ := bd.Addrs.Get(id)
		w.str(addr)
	}
	w.raw(`},"brokerName":`)
	w.str(bd.BrokerName)
	w.raw(`,"cluster":`)
	w.str(bd.Cluster)
	w.byte('}')
}

// ClusterInfoBody is GET_BROKER_CLUSTER_INFO's body; Java writes it with bare Long keys in HashMap order.
func (ri *RouteInfo) ClusterInfoBody() []byte {
	ri.mu.RLock()
	defer ri.mu.RUnlock()
	w := jw{}
	w.raw(`{"brokerAddrTable":{`)
	for i, name := range ri.brokers.Keys() {
		w.comma(i)
		w.key(name)
		bd, _ := ri.brokers.Get(name)
		writeBrokerData(&w, bd, false, false)
	}
	w.raw(`},"clusterAddrTable":{`)
	for i, cluster := range ri.clusters.Keys() {
		w.comma(i)
		w.key(cluster)
		names, _ := ri.clusters.Get(cluster)
		w.strList(names.Keys())
	}
	w.raw(`}}`)
	return w.b
}

// encodeTopicList writes TopicList {"brokerAddr":..,"topicList":[...]}; topics must already be in HashSet order.
func encodeTopicList(topics []string, brokerAddr string) []byte {
	w := jw{}
	w.byte('{')
	if brokerAddr != "" {
		w.raw(`"brokerAddr":`)
		w.str(brokerAddr)
		w.byte(',')
	}
	w.raw(`"topicList":`)
	w.strList(topics)
	w.byte('}')
	return w.b
}

// AllTopics is GET_ALL_TOPIC_LIST_FROM_NAMESERVER's TopicList body.
func (ri *RouteInfo) AllTopics() []byte {
	ri.mu.RLock()
	defer ri.mu.RUnlock()
	return encodeTopicList(hashSetOf(ri.topics.Keys()), "")
}

// TopicsByCluster lists the topics with queues on any broker of cluster (empty for an unknown cluster, which
// Java reaches through a caught NullPointerException).
func (ri *RouteInfo) TopicsByCluster(cluster string) []byte {
	ri.mu.RLock()
	defer ri.mu.RUnlock()
	var topics []string
	if names, ok := ri.clusters.Get(cluster); ok {
		for _, name := range names.Keys() {
			for _, topic := range ri.topics.Keys() {
				if m, _ := ri.topics.Get(topic); m.Has(name) {
					topics = append(topics, topic)
				}
			}
		}
	}
	return encodeTopicList(hashSetOf(topics), "")
}

// SystemTopics lists every cluster name and broker name (the topics each broker creates for them), with
// brokerAddr set to the first address of the first broker.
func (ri *RouteInfo) SystemTopics() []byte {
	ri.mu.RLock()
	defer ri.mu.RUnlock()
	var topics []string
	for _, cluster := range ri.clusters.Keys() {
		topics = append(topics, cluster)
		names, _ := ri.clusters.Get(cluster)
		topics = append(topics, names.Keys()...)
	}
	addr := ""
	for _, bd := range ri.brokers.Values() {
		if ids := bd.Addrs.Keys(); len(ids) > 0 {
			addr, _ = bd.Addrs.Get(ids[0])
			break
		}
	}
	return encodeTopicList(hashSetOf(topics), addr)
}

// Topic system flag bits (TopicSysFlag).
const (
	flagUnit    = 1 << 0
	flagUnitSub = 1 << 1
)

// TopicsWhere lists topics whose first QueueData (in HashMap order) satisfies pick.
func (ri *RouteInfo) TopicsWhere(pick func(sysFlag int32) bool) []byte {
	ri.mu.RLock()
	defer ri.mu.RUnlock()
	var topics []string
	for _, topic := range ri.topics.Keys() {
		m, _ := ri.topics.Get(topic)
		if vals := m.Values(); len(vals) > 0 && pick(vals[0].TopicSysFlag) {
			topics = append(topics, topic)
		}
	}
	return encodeTopicList(hashSetOf(topics), "")
}
