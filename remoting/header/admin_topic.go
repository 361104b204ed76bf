package header

// Topic and broker administration headers: UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215),
// GET_TOPIC_STATS_INFO (202), QUERY_TOPIC_CONSUME_BY_WHO (300), DELETE_SUBSCRIPTIONGROUP (207),
// GET_BROKER_CONFIG (26, response), VIEW_BROKER_STATS_DATA (315), GET_BROKER_CONSUME_STATS (317).
// Java: CreateTopicRequestHeader, DeleteTopicRequestHeader, GetTopicStatsInfoRequestHeader,
// QueryTopicConsumeByWhoRequestHeader, DeleteSubscriptionGroupRequestHeader, GetBrokerConfigResponseHeader,
// ViewBrokerStatsDataRequestHeader, GetConsumeStatsInBrokerHeader.

// Topic filter types accepted by CreateTopicRequestHeader.TopicFilterType (Java TopicFilterType).
const (
	TopicFilterSingleTag = "SINGLE_TAG"
	TopicFilterMultiTag  = "MULTI_TAG"
)

// CreateTopicRequestHeader is the UPDATE_AND_CREATE_TOPIC request.
type CreateTopicRequestHeader struct {
	Topic           string     // topic, required
	DefaultTopic    string     // defaultTopic, required
	ReadQueueNums   int32      // readQueueNums, required
	WriteQueueNums  int32      // writeQueueNums, required
	Perm            int32      // perm, required
	TopicFilterType string     // topicFilterType, required: SINGLE_TAG or MULTI_TAG
	TopicSysFlag    Opt[int32] // topicSysFlag, optional
	Order           bool       // order, default false
}

func (h *CreateTopicRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = CreateTopicRequestHeader{
		Topic:           d.str("topic"),
		DefaultTopic:    d.str("defaultTopic"),
		ReadQueueNums:   d.i32("readQueueNums"),
		WriteQueueNums:  d.i32("writeQueueNums"),
		Perm:            d.i32("perm"),
		TopicFilterType: d.str("topicFilterType"),
		TopicSysFlag:    d.optI32("topicSysFlag"),
		Order:           d.boolOr("order", false),
	}
	if d.err == nil && h.TopicFilterType != TopicFilterSingleTag && h.TopicFilterType != TopicFilterMultiTag {
		d.fail(malformed("topicFilterType", h.TopicFilterType, "SINGLE_TAG or MULTI_TAG"))
	}
	return d.err
}

func (h *CreateTopicRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putStr(ext, "defaultTopic", h.DefaultTopic)
	putI32(ext, "readQueueNums", h.ReadQueueNums)
	putI32(ext, "writeQueueNums", h.WriteQueueNums)
	putI32(ext, "perm", h.Perm)
	putStr(ext, "topicFilterType", h.TopicFilterType)
	putOptI32(ext, "topicSysFlag", h.TopicSysFlag)
	putBool(ext, "order", h.Order)
}

// TopicHeader is the {topic} shape of DELETE_TOPIC_IN_BROKER, GET_TOPIC_STATS_INFO and
// QUERY_TOPIC_CONSUME_BY_WHO requests.
type TopicHeader struct {
	Topic string // topic, required
}

// DeleteTopicRequestHeader is the DELETE_TOPIC_IN_BROKER request.
type DeleteTopicRequestHeader = TopicHeader

// GetTopicStatsInfoRequestHeader is the GET_TOPIC_STATS_INFO request.
type GetTopicStatsInfoRequestHeader = TopicHeader

// QueryTopicConsumeByWhoRequestHeader is the QUERY_TOPIC_CONSUME_BY_WHO request.
type QueryTopicConsumeByWhoRequestHeader = TopicHeader

func (h *TopicHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = TopicHeader{Topic: d.str("topic")}
	return d.err
}

func (h *TopicHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
}

// DeleteSubscriptionGroupRequestHeader is the DELETE_SUBSCRIPTIONGROUP request.
type DeleteSubscriptionGroupRequestHeader struct {
	GroupName    string // groupName, required
	RemoveOffset bool   // removeOffset, default false
}

func (h *DeleteSubscriptionGroupRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = DeleteSubscriptionGroupRequestHeader{GroupName: d.str("groupName"), RemoveOffset: d.boolOr("removeOffset", false)}
	return d.err
}

func (h *DeleteSubscriptionGroupRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "groupName", h.GroupName)
	putBool(ext, "removeOffset", h.RemoveOffset)
}

// GetBrokerConfigResponseHeader answers GET_BROKER_CONFIG; the body is the properties text.
type GetBrokerConfigResponseHeader struct {
	Version string // version, required: the broker's config DataVersion JSON
}

func (h *GetBrokerConfigResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetBrokerConfigResponseHeader{Version: d.str("version")}
	return d.err
}

func (h *GetBrokerConfigResponseHeader) Encode(ext map[string]string) {
	putStr(ext, "version", h.Version)
}

// ViewBrokerStatsDataRequestHeader is the VIEW_BROKER_STATS_DATA request.
type ViewBrokerStatsDataRequestHeader struct {
	StatsName string // statsName, required
	StatsKey  string // statsKey, required
}

func (h *ViewBrokerStatsDataRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = ViewBrokerStatsDataRequestHeader{StatsName: d.str("statsName"), StatsKey: d.str("statsKey")}
	return d.err
}

func (h *ViewBrokerStatsDataRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "statsName", h.StatsName)
	putStr(ext, "statsKey", h.StatsKey)
}

// GetConsumeStatsInBrokerHeader is the GET_BROKER_CONSUME_STATS request.
type GetConsumeStatsInBrokerHeader struct {
	IsOrder bool // isOrder, default false (a Java primitive)
}

func (h *GetConsumeStatsInBrokerHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetConsumeStatsInBrokerHeader{IsOrder: d.boolOr("isOrder", false)}
	return d.err
}

func (h *GetConsumeStatsInBrokerHeader) Encode(ext map[string]string) {
	putBool(ext, "isOrder", h.IsOrder)
}
