package namesrv

import (
	"slices"
	"strings"

	"github.com/rocketd/rocketd/compat/fastjson"
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
	mode := fastjson.Compact
	if standard {
		mode = fastjson.Standard
	}
	w := fastjson.NewWriter(mode, make([]byte, 0, 256))
	w.BeginObject()
	w.Key("brokerDatas")
	w.BeginArray()
	for _, bd := range tr.BrokerDatas {
		writeBrokerData(w, bd, standard)
	}
	w.EndArray()
	w.Key("filterServerTable")
	w.BeginObject()
	fs := tr.FilterServers
	if standard {
		fs = slices.Clone(fs)
		slices.SortFunc(fs, func(a, b filterEntry) int { return compareJavaStrings(a.addr, b.addr) })
	}
	for _, e := range fs {
		w.Key(e.addr)
		writeStrList(w, e.servers)
	}
	w.EndObject()
	if tr.OrderTopicConf != "" {
		w.Key("orderTopicConf")
		w.String(tr.OrderTopicConf)
	}
	w.Key("queueDatas")
	w.BeginArray()
	for _, qd := range tr.QueueDatas {
		writeQueueData(w, qd)
	}
	w.EndArray()
	w.EndObject()
	return w.Bytes()
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

func writeQueueData(w *fastjson.Writer, qd QueueData) {
	w.BeginObject()
	w.Key("brokerName")
	w.String(qd.BrokerName)
	w.Key("perm")
	w.Int(int64(qd.Perm))
	w.Key("readQueueNums")
	w.Int(int64(qd.ReadQueueNums))
	w.Key("topicSysFlag")
	w.Int(int64(qd.TopicSysFlag))
	w.Key("writeQueueNums")
	w.Int(int64(qd.WriteQueueNums))
	w.EndObject()
}

// writeBrokerData writes {"brokerAddrs":{...},"brokerName":..,"cluster":..}; brokerAddrs is always present.
// The Long keys are bare in HashMap order (Compact) or quoted (the writer's Standard mode), sorted when sortKeys.
func writeBrokerData(w *fastjson.Writer, bd *BrokerData, sortKeys bool) {
	w.BeginObject()
	w.Key("brokerAddrs")
	w.BeginIntMap()
	ids := bd.Addrs.Keys()
	if sortKeys {
		slices.Sort(ids)
	}
	for _, id := range ids {
		w.IntKey(id)
		addr, _ := bd.Addrs.Get(id)
		w.String(addr)
	}
	w.EndObject()
	w.Key("brokerName")
	w.String(bd.BrokerName)
	w.Key("cluster")
	w.String(bd.Cluster)
	w.EndObject()
}

// writeStrList writes a JSON array of strings.
func writeStrList(w *fastjson.Writer, items []string) {
	w.BeginArray()
	for _, s := range items {
		w.String(s)
	}
	w.EndArray()
}

// ClusterInfoBody is GET_BROKER_CLUSTER_INFO's body; Java writes it with bare Long keys in HashMap order.
func (ri *RouteInfo) ClusterInfoBody() []byte {
	ri.mu.RLock()
	defer ri.mu.RUnlock()
	w := fastjson.NewWriter(fastjson.Compact, nil)
	w.BeginObject()
	w.Key("brokerAddrTable")
	w.BeginObject()
	for _, name := range ri.brokers.Keys() {
		w.Key(name)
		bd, _ := ri.brokers.Get(name)
		writeBrokerData(w, bd, false)
	}
	w.EndObject()
	w.Key("clusterAddrTable")
	w.BeginObject()
	for _, cluster := range ri.clusters.Keys() {
		w.Key(cluster)
		names, _ := ri.clusters.Get(cluster)
		writeStrList(w, names.Keys())
	}
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}

// encodeTopicList writes TopicList {"brokerAddr":..,"topicList":[...]}; topics must already be in HashSet order.
func encodeTopicList(topics []string, brokerAddr string) []byte {
	w := fastjson.NewWriter(fastjson.Compact, nil)
	w.BeginObject()
	if brokerAddr != "" {
		w.Key("brokerAddr")
		w.String(brokerAddr)
	}
	w.Key("topicList")
	writeStrList(w, topics)
	w.EndObject()
	return w.Bytes()
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
