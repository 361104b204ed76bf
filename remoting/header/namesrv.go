package header

// NameServer headers: REGISTER_BROKER (103), UNREGISTER_BROKER (104), QUERY_DATA_VERSION (322),
// GET_ROUTEINFO_BY_TOPIC (105), the KV codes PUT/GET/DELETE_KV_CONFIG (100-102) and GET_KVLIST_BY_NAMESPACE
// (219), WIPE/ADD_WRITE_PERM_OF_BROKER (205/327), DELETE_TOPIC_IN_NAMESRV (216), GET_TOPICS_BY_CLUSTER (224).
// Java: common/.../protocol/header/namesrv/*.java and GetTopicsByClusterRequestHeader.

// RegisterBrokerRequestHeader is the REGISTER_BROKER request.
type RegisterBrokerRequestHeader struct {
	BrokerName   string // brokerName, required
	BrokerAddr   string // brokerAddr, required: ip:port for clients
	ClusterName  string // clusterName, required
	HaServerAddr string // haServerAddr, required
	BrokerID     int64  // brokerId, required: 0 = master
	Compressed   bool   // compressed, default false: the body is the zlib form
	BodyCrc32    int32  // bodyCrc32, default 0: CRC32(body) & 0x7FFFFFFF, checked only when not 0
}

func (h *RegisterBrokerRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = RegisterBrokerRequestHeader{
		BrokerName:   d.str("brokerName"),
		BrokerAddr:   d.str("brokerAddr"),
		ClusterName:  d.str("clusterName"),
		HaServerAddr: d.str("haServerAddr"),
		BrokerID:     d.i64("brokerId"),
		Compressed:   d.boolOr("compressed", false),
		BodyCrc32:    d.i32Or("bodyCrc32", 0),
	}
	return d.err
}

// Encode always writes compressed and bodyCrc32, as a Java broker does.
func (h *RegisterBrokerRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "brokerName", h.BrokerName)
	putStr(ext, "brokerAddr", h.BrokerAddr)
	putStr(ext, "clusterName", h.ClusterName)
	putStr(ext, "haServerAddr", h.HaServerAddr)
	putI64(ext, "brokerId", h.BrokerID)
	putBool(ext, "compressed", h.Compressed)
	putI32(ext, "bodyCrc32", h.BodyCrc32)
}

// RegisterBrokerResponseHeader answers REGISTER_BROKER; both fields are set only for a slave whose master is
// registered.
type RegisterBrokerResponseHeader struct {
	HaServerAddr string // haServerAddr, optional
	MasterAddr   string // masterAddr, optional
}

func (h *RegisterBrokerResponseHeader) Decode(ext map[string]string) error {
	*h = RegisterBrokerResponseHeader{HaServerAddr: ext["haServerAddr"], MasterAddr: ext["masterAddr"]}
	return nil
}

func (h *RegisterBrokerResponseHeader) Encode(ext map[string]string) {
	putOptStr(ext, "haServerAddr", h.HaServerAddr)
	putOptStr(ext, "masterAddr", h.MasterAddr)
}

// BrokerIdentityHeader is the shape shared by UNREGISTER_BROKER and QUERY_DATA_VERSION requests
// (Java UnRegisterBrokerRequestHeader, QueryDataVersionRequestHeader).
type BrokerIdentityHeader struct {
	BrokerName  string // brokerName, required
	BrokerAddr  string // brokerAddr, required
	ClusterName string // clusterName, required
	BrokerID    int64  // brokerId, required
}

// UnRegisterBrokerRequestHeader is the UNREGISTER_BROKER request.
type UnRegisterBrokerRequestHeader = BrokerIdentityHeader

// QueryDataVersionRequestHeader is the QUERY_DATA_VERSION request; the body is the broker's DataVersion.
type QueryDataVersionRequestHeader = BrokerIdentityHeader

func (h *BrokerIdentityHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = BrokerIdentityHeader{
		BrokerName:  d.str("brokerName"),
		BrokerAddr:  d.str("brokerAddr"),
		ClusterName: d.str("clusterName"),
		BrokerID:    d.i64("brokerId"),
	}
	return d.err
}

func (h *BrokerIdentityHeader) Encode(ext map[string]string) {
	putStr(ext, "brokerName", h.BrokerName)
	putStr(ext, "brokerAddr", h.BrokerAddr)
	putStr(ext, "clusterName", h.ClusterName)
	putI64(ext, "brokerId", h.BrokerID)
}

// QueryDataVersionResponseHeader answers QUERY_DATA_VERSION.
type QueryDataVersionResponseHeader struct {
	Changed bool // changed, required
}

func (h *QueryDataVersionResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueryDataVersionResponseHeader{Changed: d.boolean("changed")}
	return d.err
}

func (h *QueryDataVersionResponseHeader) Encode(ext map[string]string) {
	putBool(ext, "changed", h.Changed)
}

// GetRouteInfoRequestHeader is the GET_ROUTEINFO_BY_TOPIC request.
type GetRouteInfoRequestHeader struct {
	Topic                  string    // topic, required
	AcceptStandardJSONOnly Opt[bool] // acceptStandardJsonOnly, optional: quote the brokerAddrs map keys
}

func (h *GetRouteInfoRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetRouteInfoRequestHeader{
		Topic:                  d.str("topic"),
		AcceptStandardJSONOnly: d.optBool("acceptStandardJsonOnly"),
	}
	return d.err
}

func (h *GetRouteInfoRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putOptBool(ext, "acceptStandardJsonOnly", h.AcceptStandardJSONOnly)
}

// PutKVConfigRequestHeader is the PUT_KV_CONFIG request.
type PutKVConfigRequestHeader struct {
	Namespace string // namespace, required
	Key       string // key, required
	Value     string // value, required
}

func (h *PutKVConfigRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = PutKVConfigRequestHeader{Namespace: d.str("namespace"), Key: d.str("key"), Value: d.str("value")}
	return d.err
}

func (h *PutKVConfigRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "namespace", h.Namespace)
	putStr(ext, "key", h.Key)
	putStr(ext, "value", h.Value)
}

// KVConfigKeyHeader is the {namespace, key} shape of GET_KV_CONFIG and DELETE_KV_CONFIG requests
// (Java GetKVConfigRequestHeader, DeleteKVConfigRequestHeader).
type KVConfigKeyHeader struct {
	Namespace string // namespace, required
	Key       string // key, required
}

// GetKVConfigRequestHeader is the GET_KV_CONFIG request.
type GetKVConfigRequestHeader = KVConfigKeyHeader

// DeleteKVConfigRequestHeader is the DELETE_KV_CONFIG request.
type DeleteKVConfigRequestHeader = KVConfigKeyHeader

func (h *KVConfigKeyHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = KVConfigKeyHeader{Namespace: d.str("namespace"), Key: d.str("key")}
	return d.err
}

func (h *KVConfigKeyHeader) Encode(ext map[string]string) {
	putStr(ext, "namespace", h.Namespace)
	putStr(ext, "key", h.Key)
}

// GetKVConfigResponseHeader answers GET_KV_CONFIG with SUCCESS.
type GetKVConfigResponseHeader struct {
	Value string // value, optional
}

func (h *GetKVConfigResponseHeader) Decode(ext map[string]string) error {
	*h = GetKVConfigResponseHeader{Value: ext["value"]}
	return nil
}

func (h *GetKVConfigResponseHeader) Encode(ext map[string]string) {
	putOptStr(ext, "value", h.Value)
}

// GetKVListByNamespaceRequestHeader is the GET_KVLIST_BY_NAMESPACE request.
type GetKVListByNamespaceRequestHeader struct {
	Namespace string // namespace, required
}

func (h *GetKVListByNamespaceRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetKVListByNamespaceRequestHeader{Namespace: d.str("namespace")}
	return d.err
}

func (h *GetKVListByNamespaceRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "namespace", h.Namespace)
}

// BrokerNameHeader is the {brokerName} shape of WIPE_WRITE_PERM_OF_BROKER and ADD_WRITE_PERM_OF_BROKER
// requests (Java WipeWritePermOfBrokerRequestHeader, AddWritePermOfBrokerRequestHeader).
type BrokerNameHeader struct {
	BrokerName string // brokerName, required
}

// WipeWritePermOfBrokerRequestHeader is the WIPE_WRITE_PERM_OF_BROKER request.
type WipeWritePermOfBrokerRequestHeader = BrokerNameHeader

// AddWritePermOfBrokerRequestHeader is the ADD_WRITE_PERM_OF_BROKER request.
type AddWritePermOfBrokerRequestHeader = BrokerNameHeader

func (h *BrokerNameHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = BrokerNameHeader{BrokerName: d.str("brokerName")}
	return d.err
}

func (h *BrokerNameHeader) Encode(ext map[string]string) {
	putStr(ext, "brokerName", h.BrokerName)
}

// WipeWritePermOfBrokerResponseHeader answers WIPE_WRITE_PERM_OF_BROKER.
type WipeWritePermOfBrokerResponseHeader struct {
	WipeTopicCount int32 // wipeTopicCount, required
}

func (h *WipeWritePermOfBrokerResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = WipeWritePermOfBrokerResponseHeader{WipeTopicCount: d.i32("wipeTopicCount")}
	return d.err
}

func (h *WipeWritePermOfBrokerResponseHeader) Encode(ext map[string]string) {
	putI32(ext, "wipeTopicCount", h.WipeTopicCount)
}

// AddWritePermOfBrokerResponseHeader answers ADD_WRITE_PERM_OF_BROKER.
type AddWritePermOfBrokerResponseHeader struct {
	AddTopicCount int32 // addTopicCount, required
}

func (h *AddWritePermOfBrokerResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = AddWritePermOfBrokerResponseHeader{AddTopicCount: d.i32("addTopicCount")}
	return d.err
}

func (h *AddWritePermOfBrokerResponseHeader) Encode(ext map[string]string) {
	putI32(ext, "addTopicCount", h.AddTopicCount)
}

// DeleteTopicFromNamesrvRequestHeader is the DELETE_TOPIC_IN_NAMESRV request.
type DeleteTopicFromNamesrvRequestHeader struct {
	Topic       string // topic, required
	ClusterName string // clusterName, optional: 4.9.8 limits the delete to this cluster
}

func (h *DeleteTopicFromNamesrvRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = DeleteTopicFromNamesrvRequestHeader{Topic: d.str("topic"), ClusterName: d.optStr("clusterName")}
	return d.err
}

func (h *DeleteTopicFromNamesrvRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putOptStr(ext, "clusterName", h.ClusterName)
}

// GetTopicsByClusterRequestHeader is the GET_TOPICS_BY_CLUSTER request.
type GetTopicsByClusterRequestHeader struct {
	Cluster string // cluster, required
}

func (h *GetTopicsByClusterRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetTopicsByClusterRequestHeader{Cluster: d.str("cluster")}
	return d.err
}

func (h *GetTopicsByClusterRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "cluster", h.Cluster)
}
