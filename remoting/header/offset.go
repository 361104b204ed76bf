package header

// Offset headers: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15), SEARCH_OFFSET_BY_TIMESTAMP (29),
// GET_MAX_OFFSET (30), GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32). Java: QueryConsumerOffset*,
// UpdateConsumerOffset*, SearchOffset*, GetMaxOffset*, GetMinOffset*, GetEarliestMsgStoretime* headers.
// Every request also accepts the 4.9.8 bname key.

// QueryConsumerOffsetRequestHeader is the QUERY_CONSUMER_OFFSET request.
type QueryConsumerOffsetRequestHeader struct {
	ConsumerGroup string // consumerGroup, required
	Topic         string // topic, required
	QueueID       int32  // queueId, required
	BrokerName    string // bname, optional
}

func (h *QueryConsumerOffsetRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueryConsumerOffsetRequestHeader{
		ConsumerGroup: d.str("consumerGroup"),
		Topic:         d.str("topic"),
		QueueID:       d.i32("queueId"),
		BrokerName:    d.optStr("bname"),
	}
	return d.err
}

func (h *QueryConsumerOffsetRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "consumerGroup", h.ConsumerGroup)
	putStr(ext, "topic", h.Topic)
	putI32(ext, "queueId", h.QueueID)
	putOptStr(ext, "bname", h.BrokerName)
}

// QueryConsumerOffsetResponseHeader answers QUERY_CONSUMER_OFFSET with SUCCESS.
type QueryConsumerOffsetResponseHeader struct {
	Offset int64 // offset, required
}

func (h *QueryConsumerOffsetResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueryConsumerOffsetResponseHeader{Offset: d.i64("offset")}
	return d.err
}

func (h *QueryConsumerOffsetResponseHeader) Encode(ext map[string]string) {
	putI64(ext, "offset", h.Offset)
}

// UpdateConsumerOffsetRequestHeader is the UPDATE_CONSUMER_OFFSET request; its response has no fields.
type UpdateConsumerOffsetRequestHeader struct {
	ConsumerGroup string // consumerGroup, required
	Topic         string // topic, required
	QueueID       int32  // queueId, required
	CommitOffset  int64  // commitOffset, required
	BrokerName    string // bname, optional
}

func (h *UpdateConsumerOffsetRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = UpdateConsumerOffsetRequestHeader{
		ConsumerGroup: d.str("consumerGroup"),
		Topic:         d.str("topic"),
		QueueID:       d.i32("queueId"),
		CommitOffset:  d.i64("commitOffset"),
		BrokerName:    d.optStr("bname"),
	}
	return d.err
}

func (h *UpdateConsumerOffsetRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "consumerGroup", h.ConsumerGroup)
	putStr(ext, "topic", h.Topic)
	putI32(ext, "queueId", h.QueueID)
	putI64(ext, "commitOffset", h.CommitOffset)
	putOptStr(ext, "bname", h.BrokerName)
}

// QueueRequestHeader is the shape shared by GET_MAX_OFFSET, GET_MIN_OFFSET and GET_EARLIEST_MSG_STORETIME
// requests (Java GetMaxOffsetRequestHeader, GetMinOffsetRequestHeader, GetEarliestMsgStoretimeRequestHeader).
type QueueRequestHeader struct {
	Topic      string // topic, required
	QueueID    int32  // queueId, required
	BrokerName string // bname, optional
}

// GetMaxOffsetRequestHeader is the GET_MAX_OFFSET request.
type GetMaxOffsetRequestHeader = QueueRequestHeader

// GetMinOffsetRequestHeader is the GET_MIN_OFFSET request.
type GetMinOffsetRequestHeader = QueueRequestHeader

// GetEarliestMsgStoretimeRequestHeader is the GET_EARLIEST_MSG_STORETIME request.
type GetEarliestMsgStoretimeRequestHeader = QueueRequestHeader

func (h *QueueRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueueRequestHeader{
		Topic:      d.str("topic"),
		QueueID:    d.i32("queueId"),
		BrokerName: d.optStr("bname"),
	}
	return d.err
}

func (h *QueueRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putI32(ext, "queueId", h.QueueID)
	putOptStr(ext, "bname", h.BrokerName)
}

// OffsetResponseHeader answers GET_MAX_OFFSET, GET_MIN_OFFSET and SEARCH_OFFSET_BY_TIMESTAMP
// (Java GetMaxOffsetResponseHeader, GetMinOffsetResponseHeader, SearchOffsetResponseHeader).
type OffsetResponseHeader struct {
	Offset int64 // offset, required
}

// GetMaxOffsetResponseHeader answers GET_MAX_OFFSET.
type GetMaxOffsetResponseHeader = OffsetResponseHeader

// GetMinOffsetResponseHeader answers GET_MIN_OFFSET.
type GetMinOffsetResponseHeader = OffsetResponseHeader

// SearchOffsetResponseHeader answers SEARCH_OFFSET_BY_TIMESTAMP.
type SearchOffsetResponseHeader = OffsetResponseHeader

func (h *OffsetResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = OffsetResponseHeader{Offset: d.i64("offset")}
	return d.err
}

func (h *OffsetResponseHeader) Encode(ext map[string]string) {
	putI64(ext, "offset", h.Offset)
}

// SearchOffsetRequestHeader is the SEARCH_OFFSET_BY_TIMESTAMP request.
type SearchOffsetRequestHeader struct {
	Topic      string // topic, required
	QueueID    int32  // queueId, required
	Timestamp  int64  // timestamp, required (millis)
	BrokerName string // bname, optional
}

func (h *SearchOffsetRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = SearchOffsetRequestHeader{
		Topic:      d.str("topic"),
		QueueID:    d.i32("queueId"),
		Timestamp:  d.i64("timestamp"),
		BrokerName: d.optStr("bname"),
	}
	return d.err
}

func (h *SearchOffsetRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putI32(ext, "queueId", h.QueueID)
	putI64(ext, "timestamp", h.Timestamp)
	putOptStr(ext, "bname", h.BrokerName)
}

// GetEarliestMsgStoretimeResponseHeader answers GET_EARLIEST_MSG_STORETIME.
type GetEarliestMsgStoretimeResponseHeader struct {
	Timestamp int64 // timestamp, required
}

func (h *GetEarliestMsgStoretimeResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetEarliestMsgStoretimeResponseHeader{Timestamp: d.i64("timestamp")}
	return d.err
}

func (h *GetEarliestMsgStoretimeResponseHeader) Encode(ext map[string]string) {
	putI64(ext, "timestamp", h.Timestamp)
}
