package namesrv

import (
	"log/slog"
	"sync"
	"time"
)

// RouteInfo holds the NameServer's tables behind one RWMutex, with the semantics of Java's RouteInfoManager:
//
//	topicQueueTable   topic -> brokerName -> QueueData
//	brokerAddrTable   brokerName -> BrokerData{cluster, brokerName, brokerId -> addr}
//	clusterAddrTable  clusterName -> set of brokerName
//	brokerLiveTable   brokerAddr -> last update, DataVersion, connection, haServerAddr
//	filterServerTable brokerAddr -> filter server addresses
//
// The maps remember Java's HashMap iteration order (jmap), so bodies list entries in the order a Java
// NameServer with the same history would.
type RouteInfo struct {
	mu       sync.RWMutex
	topics   *jmap[string, *jmap[string, *QueueData]]
	brokers  *jmap[string, *BrokerData]
	clusters *jmap[string, *jmap[string, struct{}]]
	live     map[string]*brokerLive
	filters  map[string][]string
	log      *slog.Logger
	now      func() time.Time
}

// QueueData is one broker's queues for one topic.
type QueueData struct {
	BrokerName     string
	ReadQueueNums  int32
	WriteQueueNums int32
	Perm           int32
	TopicSysFlag   int32
}

// BrokerData is one broker name (a master and its slaves) with addresses by broker id; id 0 is the master.
type BrokerData struct {
	Cluster    string
	BrokerName string
	Addrs      *jmap[int64, string]
}

func newBrokerAddrs() *jmap[int64, string] { return newJMap[int64, string](longHash, javaDefaultTable) }

// clone copies the BrokerData as HashMap.clone does (the copy gets a table sized for its entries).
func (b *BrokerData) clone() *BrokerData {
	addrs := newJMap[int64, string](longHash, capForCopy(b.Addrs.Len()))
	for _, id := range b.Addrs.Keys() {
		v, _ := b.Addrs.Get(id)
		addrs.Put(id, v)
	}
	return &BrokerData{Cluster: b.Cluster, BrokerName: b.BrokerName, Addrs: addrs}
}

// BrokerConn is the connection a broker registered on; Close is called when the broker expires.
type BrokerConn interface {
	Close() error
}

type brokerLive struct {
	lastUpdate   time.Time
	dataVersion  DataVersion
	conn         BrokerConn
	haServerAddr string
}

// NewRouteInfo makes empty tables with Java's initial capacities.
func NewRouteInfo(log *slog.Logger) *RouteInfo {
	if log == nil {
		log = slog.Default()
	}
	return &RouteInfo{
		topics:   newStringMap[*jmap[string, *QueueData]](1024),
		brokers:  newStringMap[*BrokerData](128),
		clusters: newStringMap[*jmap[string, struct{}]](32),
		live:     make(map[string]*brokerLive, 256),
		filters:  make(map[string][]string, 256),
		log:      log,
		now:      time.Now,
	}
}

// Registration is one REGISTER_BROKER call.
type Registration struct {
	Cluster      string
	BrokerAddr   string
	BrokerName   string
	BrokerID     int64
	HaServerAddr string
	Body         *RegisterBody
	Conn         BrokerConn
}

// RegisterResult tells a slave where its master is (both empty for a master or when the master is not alive).
type RegisterResult struct {
	MasterAddr   string
	HaServerAddr string
}

// Register records a broker registration.
func (ri *RouteInfo) Register(r Registration) RegisterResult {
	ri.mu.Lock()
	defer ri.mu.Unlock()

	names, ok := ri.clusters.Get(r.Cluster)
	if !ok {
		names = newStringMap[struct{}](javaDefaultTable)
		ri.clusters.Put(r.Cluster, names)
	}
	names.Put(r.BrokerName, struct{}{})

	first := false
	bd, ok := ri.brokers.Get(r.BrokerName)
	if !ok {
		first = true
		bd = &BrokerData{Cluster: r.Cluster, BrokerName: r.BrokerName, Addrs: newBrokerAddrs()}
		ri.brokers.Put(r.BrokerName, bd)
	}
	// One address has one id: a slave promoted to master first loses its old id.
	for _, id := range bd.Addrs.Keys() {
		if addr, _ := bd.Addrs.Get(id); addr == r.BrokerAddr && id != r.BrokerID {
			bd.Addrs.Delete(id)
		}
	}
	oldAddr, existed := bd.Addrs.Put(r.BrokerID, r.BrokerAddr)
	if r.BrokerID == 0 && oldAddr != r.BrokerAddr {
		ri.log.Info("master address changed", "cluster", bd.Cluster, "brokerName", bd.BrokerName, "from", oldAddr, "to", r.BrokerAddr)
	}
	first = first || !existed

	if r.BrokerID == 0 && (first || ri.topicConfigChangedLocked(r.BrokerAddr, r.Body.DataVersion)) {
		for _, tc := range r.Body.Topics {
			ri.putQueueDataLocked(r.BrokerName, tc)
		}
	}

	if _, ok := ri.live[r.BrokerAddr]; !ok {
		ri.log.Info("new broker registered", "addr", r.BrokerAddr, "haServer", r.HaServerAddr)
	}
	ri.live[r.BrokerAddr] = &brokerLive{lastUpdate: ri.now(), dataVersion: r.Body.DataVersion, conn: r.Conn, haServerAddr: r.HaServerAddr}

	if r.Body.FilterServers != nil {
		if len(r.Body.FilterServers) == 0 {
			delete(ri.filters, r.BrokerAddr)
		} else {
			ri.filters[r.BrokerAddr] = append([]string(nil), r.Body.FilterServers...)
		}
	}

	var res RegisterResult
	if r.BrokerID != 0 {
		if master, ok := bd.Addrs.Get(0); ok {
			if li, ok := ri.live[master]; ok {
				res = RegisterResult{MasterAddr: master, HaServerAddr: li.haServerAddr}
			}
		}
	}
	return res
}

func (ri *RouteInfo) putQueueDataLocked(brokerName string, tc TopicConfig) {
	qd := &QueueData{BrokerName: brokerName, ReadQueueNums: tc.ReadQueueNums, WriteQueueNums: tc.WriteQueueNums, Perm: tc.Perm, TopicSysFlag: tc.TopicSysFlag}
	m, ok := ri.topics.Get(tc.TopicName)
	if !ok {
		m = newStringMap[*QueueData](javaDefaultTable)
		ri.topics.Put(tc.TopicName, m)
		ri.log.Info("new topic registered", "topic", tc.TopicName, "brokerName", brokerName)
	}
	if old, existed := m.Put(brokerName, qd); existed && *old != *qd {
		ri.log.Info("topic changed", "topic", tc.TopicName, "old", *old, "new", *qd)
	}
}

func (ri *RouteInfo) topicConfigChangedLocked(addr string, dv DataVersion) bool {
	li, ok := ri.live[addr]
	return !ok || li.dataVersion != dv
}

// QueryDataVersion answers QUERY_DATA_VERSION: whether dv differs from what the broker last registered (an
// unchanged broker counts as alive again), and the version namesrv holds (ok false when it holds none).
func (ri *RouteInfo) QueryDataVersion(addr string, dv DataVersion) (changed bool, held DataVersion, ok bool) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	changed = ri.topicConfigChangedLocked(addr, dv)
	li, ok := ri.live[addr]
	if ok {
		if !changed {
			li.lastUpdate = ri.now()
		}
		held = li.dataVersion
	}
	return changed, held, ok
}

// Unregister removes one broker address (UNREGISTER_BROKER), and the broker name with its queues when it was
// the last address.
func (ri *RouteInfo) Unregister(cluster, addr, brokerName string, brokerID int64) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	delete(ri.live, addr)
	delete(ri.filters, addr)
	removeName := false
	if bd, ok := ri.brokers.Get(brokerName); ok {
		bd.Addrs.Delete(brokerID)
		if bd.Addrs.Len() == 0 {
			ri.brokers.Delete(brokerName)
			removeName = true
		}
	}
	ri.log.Info("broker unregistered", "addr", addr, "brokerName", brokerName, "brokerId", brokerID, "nameRemoved", removeName)
	if !removeName {
		return
	}
	if names, ok := ri.clusters.Get(cluster); ok {
		names.Delete(brokerName)
		if names.Len() == 0 {
			ri.clusters.Delete(cluster)
		}
	}
	ri.removeBrokerNameQueuesLocked(brokerName)
}

func (ri *RouteInfo) removeBrokerNameQueuesLocked(brokerName string) {
	for _, topic := range ri.topics.Keys() {
		m, _ := ri.topics.Get(topic)
		m.Delete(brokerName)
		if m.Len() == 0 {
			ri.topics.Delete(topic)
		}
	}
}

// ConnClosed is Java's onChannelDestroy: find the broker registered on conn (or, failing that, whose address
// is remoteAddr) and remove it with the same cascade as Unregister.
func (ri *RouteInfo) ConnClosed(remoteAddr string, conn BrokerConn) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	found := ""
	if conn != nil {
		for addr, li := range ri.live {
			if li.conn == conn {
				found = addr
				break
			}
		}
	}
	if found == "" {
		found = remoteAddr
	} else {
		ri.log.Info("broker connection closed, removing its routes", "addr", found)
	}
	if found != "" {
		ri.destroyLocked(found)
	}
}

func (ri *RouteInfo) destroyLocked(addr string) {
	delete(ri.live, addr)
	delete(ri.filters, addr)
	nameFound := ""
	removeName := false
	for _, name := range ri.brokers.Keys() {
		if nameFound != "" {
			break
		}
		bd, _ := ri.brokers.Get(name)
		for _, id := range bd.Addrs.Keys() {
			if a, _ := bd.Addrs.Get(id); a == addr {
				nameFound = bd.BrokerName
				bd.Addrs.Delete(id)
				ri.log.Info("removed broker address", "brokerId", id, "addr", addr)
				break
			}
		}
		if bd.Addrs.Len() == 0 {
			removeName = true
			ri.brokers.Delete(name)
			ri.log.Info("removed broker name", "brokerName", bd.BrokerName)
		}
	}
	if nameFound != "" && removeName {
		for _, cluster := range ri.clusters.Keys() {
			names, _ := ri.clusters.Get(cluster)
			if _, ok := names.Delete(nameFound); ok {
				if names.Len() == 0 {
					ri.clusters.Delete(cluster)
				}
				break
			}
		}
	}
	if removeName {
		// Java removes the name it found; when an empty BrokerData was dropped without a match (nameFound ""),
		// it removes the queues of broker name "" — effectively nothing.
		ri.removeBrokerNameQueuesLocked(nameFound)
	}
}

// ScanExpired removes brokers whose last registration is older than expiry, closing their connections, and
// returns how many it removed.
func (ri *RouteInfo) ScanExpired(expiry time.Duration) int {
	var toClose []BrokerConn
	n := 0
	ri.mu.Lock()
	now := ri.now()
	for addr, li := range ri.live {
		if li.lastUpdate.Add(expiry).Before(now) {
			if li.conn != nil {
				toClose = append(toClose, li.conn)
			}
			ri.log.Warn("broker expired", "addr", addr, "lastUpdate", li.lastUpdate, "expiry", expiry)
			ri.destroyLocked(addr)
			n++
		}
	}
	ri.mu.Unlock()
	// Closing runs the connection's close callbacks (ConnClosed), which take the lock: close after releasing it.
	for _, c := range toClose {
		_ = c.Close()
	}
	return n
}

// permRead and permWrite are PermName bits.
const (
	permWrite = 2
	permRead  = 4
)

// WipeWritePerm clears the write bit of every queue of brokerName; AddWritePerm sets perm to read|write. Both
// return how many topics they touched.
func (ri *RouteInfo) WipeWritePerm(brokerName string) int {
	return ri.operateWritePerm(brokerName, func(p int32) int32 { return p &^ permWrite })
}

func (ri *RouteInfo) AddWritePerm(brokerName string) int {
	return ri.operateWritePerm(brokerName, func(int32) int32 { return permRead | permWrite })
}

func (ri *RouteInfo) operateWritePerm(brokerName string, f func(int32) int32) int {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	n := 0
	for _, m := range ri.topics.Values() {
		if qd, ok := m.Get(brokerName); ok {
			qd.Perm = f(qd.Perm)
			n++
		}
	}
	return n
}

// DeleteTopic removes a topic everywhere, or (cluster != "") only the queues of that cluster's brokers.
func (ri *RouteInfo) DeleteTopic(topic, cluster string) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	if cluster == "" {
		ri.topics.Delete(topic)
		return
	}
	names, ok := ri.clusters.Get(cluster)
	if !ok || names.Len() == 0 {
		return
	}
	m, ok := ri.topics.Get(topic)
	if !ok {
		return
	}
	for _, name := range names.Keys() {
		m.Delete(name)
	}
	if m.Len() == 0 {
		ri.topics.Delete(topic)
	}
}
