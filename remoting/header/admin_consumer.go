package header

// Consumer administration headers: CONSUMER_SEND_MSG_BACK (36), GET_CONSUME_STATS (208),
// GET_PRODUCER_CONNECTION_LIST (204), INVOKE_BROKER_TO_RESET_OFFSET (222) and RESET_CONSUMER_CLIENT_OFFSET
// (220), INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223) and GET_CONSUMER_STATUS_FROM_CLIENT (221),
// GET_CONSUMER_RUNNING_INFO (307), CONSUME_MESSAGE_DIRECTLY (309), QUERY_CONSUME_TIME_SPAN (303),
// CLONE_GROUP_OFFSET (314), QUERY_CORRECTION_OFFSET (308), QUERY_CONSUME_QUEUE (321).
// GET_CONSUMER_CONNECTION_LIST (203) uses ConsumerGroupHeader (client.go).

// ConsumerSendMsgBackRequestHeader is the CONSUMER_SEND_MSG_BACK request.
type ConsumerSendMsgBackRequestHeader struct {
	Offset            int64      // offset, required: commit-log physical offset of the original message
	Group             string     // group, required
	DelayLevel        int32      // delayLevel, required: 0 = broker picks 3 + reconsumeTimes, < 0 = DLQ
	OriginMsgID       string     // originMsgId, optional
	OriginTopic       string     // originTopic, optional
	UnitMode          bool       // unitMode, default false
	MaxReconsumeTimes Opt[int32] // maxReconsumeTimes, optional (the group's retryMaxTimes when absent)
	BrokerName        string     // bname, optional
}

func (h *ConsumerSendMsgBackRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = ConsumerSendMsgBackRequestHeader{
		Offset:            d.i64("offset"),
		Group:             d.str("group"),
		DelayLevel:        d.i32("delayLevel"),
		OriginMsgID:       d.optStr("originMsgId"),
		OriginTopic:       d.optStr("originTopic"),
		UnitMode:          d.boolOr("unitMode", false),
		MaxReconsumeTimes: d.optI32("maxReconsumeTimes"),
		BrokerName:        d.optStr("bname"),
	}
	return d.err
}

func (h *ConsumerSendMsgBackRequestHeader) Encode(ext map[string]string) {
	putI64(ext, "offset", h.Offset)
	putStr(ext, "group", h.Group)
	putI32(ext, "delayLevel", h.DelayLevel)
	putOptStr(ext, "originMsgId", h.OriginMsgID)
	putOptStr(ext, "originTopic", h.OriginTopic)
	putBool(ext, "unitMode", h.UnitMode)
	putOptI32(ext, "maxReconsumeTimes", h.MaxReconsumeTimes)
	putOptStr(ext, "bname", h.BrokerName)
}

// GetConsumeStatsRequestHeader is the GET_CONSUME_STATS request.
type GetConsumeStatsRequestHeader struct {
	ConsumerGroup string // consumerGroup, required
	Topic         string // topic, optional: blank means every topic with offsets for the group
}

func (h *GetConsumeStatsRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetConsumeStatsRequestHeader{ConsumerGroup: d.str("consumerGroup"), Topic: d.optStr("topic")}
	return d.err
}

func (h *GetConsumeStatsRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "consumerGroup", h.ConsumerGroup)
	putOptStr(ext, "topic", h.Topic)
}

// GetProducerConnectionListRequestHeader is the GET_PRODUCER_CONNECTION_LIST request.
type GetProducerConnectionListRequestHeader struct {
	ProducerGroup string // producerGroup, required
}

func (h *GetProducerConnectionListRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetProducerConnectionListRequestHeader{ProducerGroup: d.str("producerGroup")}
	return d.err
}

func (h *GetProducerConnectionListRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "producerGroup", h.ProducerGroup)
}

// ResetOffsetRequestHeader is INVOKE_BROKER_TO_RESET_OFFSET (admin to broker) and
// RESET_CONSUMER_CLIENT_OFFSET (broker to consumers, oneway). The force flag's key is literally isForce.
type ResetOffsetRequestHeader struct {
	Topic     string // topic, required
	Group     string // group, required
	Timestamp int64  // timestamp, default 0 (a Java primitive): millis, -1 = the max offset
	IsForce   bool   // isForce, default false: reset even when the current offset is smaller
}

func (h *ResetOffsetRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = ResetOffsetRequestHeader{
		Topic:     d.str("topic"),
		Group:     d.str("group"),
		Timestamp: d.i64Or("timestamp", 0),
		IsForce:   d.boolOr("isForce", false),
	}
	return d.err
}

func (h *ResetOffsetRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putStr(ext, "group", h.Group)
	putI64(ext, "timestamp", h.Timestamp)
	putBool(ext, "isForce", h.IsForce)
}

// GetConsumerStatusRequestHeader is INVOKE_BROKER_TO_GET_CONSUMER_STATUS (admin to broker) and
// GET_CONSUMER_STATUS_FROM_CLIENT (broker to consumer).
type GetConsumerStatusRequestHeader struct {
	Topic      string // topic, required
	Group      string // group, required
	ClientAddr string // clientAddr, optional: only this client
}

func (h *GetConsumerStatusRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetConsumerStatusRequestHeader{Topic: d.str("topic"), Group: d.str("group"), ClientAddr: d.optStr("clientAddr")}
	return d.err
}

func (h *GetConsumerStatusRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putStr(ext, "group", h.Group)
	putOptStr(ext, "clientAddr", h.ClientAddr)
}

// GetConsumerRunningInfoRequestHeader is GET_CONSUMER_RUNNING_INFO; the broker forwards it unchanged to the
// client.
type GetConsumerRunningInfoRequestHeader struct {
	ConsumerGroup string // consumerGroup, required
	ClientID      string // clientId, required
	JstackEnable  bool   // jstackEnable, default false
}

func (h *GetConsumerRunningInfoRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetConsumerRunningInfoRequestHeader{
		ConsumerGroup: d.str("consumerGroup"),
		ClientID:      d.str("clientId"),
		JstackEnable:  d.boolOr("jstackEnable", false),
	}
	return d.err
}

func (h *GetConsumerRunningInfoRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "consumerGroup", h.ConsumerGroup)
	putStr(ext, "clientId", h.ClientID)
	putBool(ext, "jstackEnable", h.JstackEnable)
}

// ConsumeMessageDirectlyResultRequestHeader is CONSUME_MESSAGE_DIRECTLY; the broker adds the message record
// as the body and forwards it to the client.
type ConsumeMessageDirectlyResultRequestHeader struct {
	ConsumerGroup string // consumerGroup, required
	ClientID      string // clientId, optional
	MsgID         string // msgId, optional: the offsetMsgId
	BrokerName    string // brokerName, optional
}

func (h *ConsumeMessageDirectlyResultRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = ConsumeMessageDirectlyResultRequestHeader{
		ConsumerGroup: d.str("consumerGroup"),
		ClientID:      d.optStr("clientId"),
		MsgID:         d.optStr("msgId"),
		BrokerName:    d.optStr("brokerName"),
	}
	return d.err
}

func (h *ConsumeMessageDirectlyResultRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "consumerGroup", h.ConsumerGroup)
	putOptStr(ext, "clientId", h.ClientID)
	putOptStr(ext, "msgId", h.MsgID)
	putOptStr(ext, "brokerName", h.BrokerName)
}

// QueryConsumeTimeSpanRequestHeader is the QUERY_CONSUME_TIME_SPAN request.
type QueryConsumeTimeSpanRequestHeader struct {
	Topic string // topic, required
	Group string // group, required
}

func (h *QueryConsumeTimeSpanRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueryConsumeTimeSpanRequestHeader{Topic: d.str("topic"), Group: d.str("group")}
	return d.err
}

func (h *QueryConsumeTimeSpanRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putStr(ext, "group", h.Group)
}

// CloneGroupOffsetRequestHeader is the CLONE_GROUP_OFFSET request.
type CloneGroupOffsetRequestHeader struct {
	SrcGroup  string // srcGroup, required
	DestGroup string // destGroup, required
	Topic     string // topic, optional
	Offline   bool   // offline, default false
}

func (h *CloneGroupOffsetRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = CloneGroupOffsetRequestHeader{
		SrcGroup:  d.str("srcGroup"),
		DestGroup: d.str("destGroup"),
		Topic:     d.optStr("topic"),
		Offline:   d.boolOr("offline", false),
	}
	return d.err
}

func (h *CloneGroupOffsetRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "srcGroup", h.SrcGroup)
	putStr(ext, "destGroup", h.DestGroup)
	putOptStr(ext, "topic", h.Topic)
	putBool(ext, "offline", h.Offline)
}

// QueryCorrectionOffsetHeader is the QUERY_CORRECTION_OFFSET request.
type QueryCorrectionOffsetHeader struct {
	FilterGroups string // filterGroups, optional: comma-separated
	CompareGroup string // compareGroup, required
	Topic        string // topic, required
}

func (h *QueryCorrectionOffsetHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueryCorrectionOffsetHeader{
		FilterGroups: d.optStr("filterGroups"),
		CompareGroup: d.str("compareGroup"),
		Topic:        d.str("topic"),
	}
	return d.err
}

func (h *QueryCorrectionOffsetHeader) Encode(ext map[string]string) {
	putOptStr(ext, "filterGroups", h.FilterGroups)
	putStr(ext, "compareGroup", h.CompareGroup)
	putStr(ext, "topic", h.Topic)
}

// QueryConsumeQueueRequestHeader is the QUERY_CONSUME_QUEUE request. Java marks none of its fields
// required; the numbers are primitives that default to 0.
type QueryConsumeQueueRequestHeader struct {
	Topic         string // topic, optional
	QueueID       int32  // queueId, default 0
	Index         int64  // index, default 0
	Count         int32  // count, default 0
	ConsumerGroup string // consumerGroup, optional
}

func (h *QueryConsumeQueueRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueryConsumeQueueRequestHeader{
		Topic:         d.optStr("topic"),
		QueueID:       d.i32Or("queueId", 0),
		Index:         d.i64Or("index", 0),
		Count:         d.i32Or("count", 0),
		ConsumerGroup: d.optStr("consumerGroup"),
	}
	return d.err
}

func (h *QueryConsumeQueueRequestHeader) Encode(ext map[string]string) {
	putOptStr(ext, "topic", h.Topic)
	putI32(ext, "queueId", h.QueueID)
	putI64(ext, "index", h.Index)
	putI32(ext, "count", h.Count)
	putOptStr(ext, "consumerGroup", h.ConsumerGroup)
}
