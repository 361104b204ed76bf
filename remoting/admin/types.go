package admin

import (
	"sort"
	"strconv"
)

// BrokerData is one broker name's addresses by broker id ("0" is the master).
type BrokerData struct {
	Cluster     string            `json:"cluster"`
	BrokerName  string            `json:"brokerName"`
	BrokerAddrs map[string]string `json:"brokerAddrs"`
}

// IDs returns the broker ids in ascending order (Java HashMap<Long,String> order for small ids).
func (b BrokerData) IDs() []int64 {
	ids := make([]int64, 0, len(b.BrokerAddrs))
	for k := range b.BrokerAddrs {
		if id, err := strconv.ParseInt(k, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Addr returns the address of broker id.
func (b BrokerData) Addr(id int64) string { return b.BrokerAddrs[strconv.FormatInt(id, 10)] }

// SelectAddr is Java BrokerData.selectBrokerAddr: the master, else the lowest-id slave ("" if none).
func (b BrokerData) SelectAddr() string {
	if a := b.Addr(0); a != "" {
		return a
	}
	if ids := b.IDs(); len(ids) > 0 {
		return b.Addr(ids[0])
	}
	return ""
}

// ClusterInfo is GET_BROKER_CLUSTER_INFO's body.
type ClusterInfo struct {
	BrokerAddrTable  map[string]BrokerData `json:"brokerAddrTable"`
	ClusterAddrTable map[string][]string   `json:"clusterAddrTable"`
}

// QueueData is one broker's queues of a topic.
type QueueData struct {
	BrokerName     string `json:"brokerName"`
	ReadQueueNums  int32  `json:"readQueueNums"`
	WriteQueueNums int32  `json:"writeQueueNums"`
	Perm           int32  `json:"perm"`
	TopicSysFlag   int32  `json:"topicSysFlag"`
}

// TopicRouteData is GET_ROUTEINFO_BY_TOPIC's body.
type TopicRouteData struct {
	OrderTopicConf string       `json:"orderTopicConf,omitempty"`
	QueueDatas     []QueueData  `json:"queueDatas"`
	BrokerDatas    []BrokerData `json:"brokerDatas"`
}

// MessageQueue names one queue.
type MessageQueue struct {
	Topic      string `json:"topic"`
	BrokerName string `json:"brokerName"`
	QueueID    int32  `json:"queueId"`
}

// Less is Java MessageQueue.compareTo: topic, broker name, queue id.
func (m MessageQueue) Less(o MessageQueue) bool {
	if m.Topic != o.Topic {
		return m.Topic < o.Topic
	}
	if m.BrokerName != o.BrokerName {
		return m.BrokerName < o.BrokerName
	}
	return m.QueueID < o.QueueID
}

// TopicOffset is one queue's offsets in GET_TOPIC_STATS_INFO.
type TopicOffset struct {
	MinOffset           int64 `json:"minOffset"`
	MaxOffset           int64 `json:"maxOffset"`
	LastUpdateTimestamp int64 `json:"lastUpdateTimestamp"`
}

// TopicStats is a topic's queues with their offsets, sorted by queue.
type TopicStats = Pairs[MessageQueue, TopicOffset]

// OffsetWrapper is one queue's offsets in GET_CONSUME_STATS.
type OffsetWrapper struct {
	BrokerOffset   int64 `json:"brokerOffset"`
	ConsumerOffset int64 `json:"consumerOffset"`
	LastTimestamp  int64 `json:"lastTimestamp"`
}

// ConsumeStats is a group's progress: queues sorted, consume TPS summed over brokers.
type ConsumeStats struct {
	Offsets    Pairs[MessageQueue, OffsetWrapper]
	ConsumeTps float64
}

// TotalDiff is the sum of brokerOffset - consumerOffset.
func (c ConsumeStats) TotalDiff() int64 {
	var n int64
	for _, p := range c.Offsets {
		n += p.V.BrokerOffset - p.V.ConsumerOffset
	}
	return n
}

// Connection is one client connection.
type Connection struct {
	ClientID   string `json:"clientId"`
	ClientAddr string `json:"clientAddr"`
	Language   string `json:"language"`
	Version    int32  `json:"version"`
}

// SubscriptionData is a consumer's subscription of one topic.
type SubscriptionData struct {
	Topic           string   `json:"topic"`
	SubString       string   `json:"subString"`
	TagsSet         []string `json:"tagsSet"`
	CodeSet         []any    `json:"codeSet"`
	SubVersion      int64    `json:"subVersion"`
	ExpressionType  string   `json:"expressionType"`
	ClassFilterMode bool     `json:"classFilterMode"`
}

// ConsumerConnection is GET_CONSUMER_CONNECTION_LIST's body.
type ConsumerConnection struct {
	ConnectionSet     []Connection                `json:"connectionSet"`
	SubscriptionTable map[string]SubscriptionData `json:"subscriptionTable"`
	ConsumeType       string                      `json:"consumeType"`
	MessageModel      string                      `json:"messageModel"`
	ConsumeFromWhere  string                      `json:"consumeFromWhere"`
}

// MinVersion is Java ConsumerConnection.computeMinVersion.
func (c ConsumerConnection) MinVersion() int32 {
	v := int32(1<<31 - 1)
	for _, x := range c.ConnectionSet {
		if x.Version < v {
			v = x.Version
		}
	}
	return v
}

// TopicConfig is a topic's configuration (UPDATE_AND_CREATE_TOPIC).
type TopicConfig struct {
	TopicName       string
	ReadQueueNums   int32
	WriteQueueNums  int32
	Perm            int32
	TopicFilterType string
	TopicSysFlag    int32
	Order           bool
}

// SubscriptionGroupConfig is a consumer group's configuration (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP); JSON
// field names as Java's.
type SubscriptionGroupConfig struct {
	GroupName                      string `json:"groupName"`
	ConsumeEnable                  bool   `json:"consumeEnable"`
	ConsumeFromMinEnable           bool   `json:"consumeFromMinEnable"`
	ConsumeBroadcastEnable         bool   `json:"consumeBroadcastEnable"`
	RetryQueueNums                 int32  `json:"retryQueueNums"`
	RetryMaxTimes                  int32  `json:"retryMaxTimes"`
	BrokerID                       int64  `json:"brokerId"`
	WhichBrokerWhenConsumeSlowly   int64  `json:"whichBrokerWhenConsumeSlowly"`
	NotifyConsumerIdsChangedEnable bool   `json:"notifyConsumerIdsChangedEnable"`
}

// DefaultSubscriptionGroupConfig has Java's field defaults.
func DefaultSubscriptionGroupConfig(name string) SubscriptionGroupConfig {
	return SubscriptionGroupConfig{GroupName: name, ConsumeEnable: true, ConsumeFromMinEnable: true,
		ConsumeBroadcastEnable: true, RetryQueueNums: 1, RetryMaxTimes: 16, WhichBrokerWhenConsumeSlowly: 1,
		NotifyConsumerIdsChangedEnable: true}
}

// ConsumeQueueData is one consume queue unit of QUERY_CONSUME_QUEUE.
type ConsumeQueueData struct {
	PhysicOffset   int64  `json:"physicOffset"`
	PhysicSize     int32  `json:"physicSize"`
	TagsCode       int64  `json:"tagsCode"`
	ExtendDataJSON string `json:"extendDataJson"`
	BitMap         string `json:"bitMap"`
	Eval           bool   `json:"eval"`
	Msg            string `json:"msg"`
}

// ConsumeQueueBody is QUERY_CONSUME_QUEUE's body.
type ConsumeQueueBody struct {
	SubscriptionData *SubscriptionData  `json:"subscriptionData"`
	FilterData       *string            `json:"filterData"`
	QueueData        []ConsumeQueueData `json:"queueData"`
	MaxQueueIndex    int64              `json:"maxQueueIndex"`
	MinQueueIndex    int64              `json:"minQueueIndex"`
}
