package header

// Send headers: SEND_MESSAGE (10) and SEND_REPLY_MESSAGE (324) use the long-name v1 header; SEND_MESSAGE_V2
// (310), SEND_BATCH_MESSAGE (320, always V2) and SEND_REPLY_MESSAGE_V2 (325) use the one-letter V2 header.
// Java: SendMessageRequestHeader, SendMessageRequestHeaderV2, SendMessageResponseHeader.
//
// Both header shapes carry the same fields, so SendMessageRequestHeader and SendMessageRequestHeaderV2 have
// identical Go layouts and convert into each other with a plain type conversion (see V1 and V2).

// SendMessageRequestHeader is the v1 send header (long key names).
type SendMessageRequestHeader struct {
	ProducerGroup         string     // producerGroup, required
	Topic                 string     // topic, required
	DefaultTopic          string     // defaultTopic, required (auto-create template, normally TBW102)
	DefaultTopicQueueNums int32      // defaultTopicQueueNums, required
	QueueID               int32      // queueId, required; < 0 lets the broker pick
	SysFlag               int32      // sysFlag, required (MessageSysFlag bits)
	BornTimestamp         int64      // bornTimestamp, required (client millis)
	Flag                  int32      // flag, required (user flag, stored as is)
	Properties            string     // properties, optional (message properties string)
	ReconsumeTimes        Opt[int32] // reconsumeTimes, optional
	UnitMode              bool       // unitMode, default false
	MaxReconsumeTimes     Opt[int32] // maxReconsumeTimes, optional
	Batch                 bool       // batch, default false: the body is a batch
	BrokerName            string     // bname, optional (4.9.8 clients; the broker ignores it)
}

// SendMessageRequestHeaderV2 is the V2 send header: the same fields under the keys a..n.
type SendMessageRequestHeaderV2 struct {
	ProducerGroup         string     // a
	Topic                 string     // b
	DefaultTopic          string     // c
	DefaultTopicQueueNums int32      // d
	QueueID               int32      // e
	SysFlag               int32      // f
	BornTimestamp         int64      // g
	Flag                  int32      // h
	Properties            string     // i, optional
	ReconsumeTimes        Opt[int32] // j, optional
	UnitMode              bool       // k, default false
	MaxReconsumeTimes     Opt[int32] // l, optional
	Batch                 bool       // m, default false
	BrokerName            string     // n, optional
}

// V2 returns the header as a V2 header (Java createSendMessageRequestHeaderV2).
func (h *SendMessageRequestHeader) V2() SendMessageRequestHeaderV2 {
	return SendMessageRequestHeaderV2(*h)
}

// V1 returns the header as a v1 header (Java createSendMessageRequestHeaderV1); brokers handle v1 only.
func (h *SendMessageRequestHeaderV2) V1() SendMessageRequestHeader {
	return SendMessageRequestHeader(*h)
}

// Decode reads the v1 keys.
func (h *SendMessageRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = SendMessageRequestHeader{
		ProducerGroup:         d.str("producerGroup"),
		Topic:                 d.str("topic"),
		DefaultTopic:          d.str("defaultTopic"),
		DefaultTopicQueueNums: d.i32("defaultTopicQueueNums"),
		QueueID:               d.i32("queueId"),
		SysFlag:               d.i32("sysFlag"),
		BornTimestamp:         d.i64("bornTimestamp"),
		Flag:                  d.i32("flag"),
		Properties:            d.optStr("properties"),
		ReconsumeTimes:        d.optI32("reconsumeTimes"),
		UnitMode:              d.boolOr("unitMode", false),
		MaxReconsumeTimes:     d.optI32("maxReconsumeTimes"),
		Batch:                 d.boolOr("batch", false),
		BrokerName:            d.optStr("bname"),
	}
	return d.err
}

// Encode writes the v1 keys. unitMode and batch are always written, as Java does for its primitives.
func (h *SendMessageRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "producerGroup", h.ProducerGroup)
	putStr(ext, "topic", h.Topic)
	putStr(ext, "defaultTopic", h.DefaultTopic)
	putI32(ext, "defaultTopicQueueNums", h.DefaultTopicQueueNums)
	putI32(ext, "queueId", h.QueueID)
	putI32(ext, "sysFlag", h.SysFlag)
	putI64(ext, "bornTimestamp", h.BornTimestamp)
	putI32(ext, "flag", h.Flag)
	putOptStr(ext, "properties", h.Properties)
	putOptI32(ext, "reconsumeTimes", h.ReconsumeTimes)
	putBool(ext, "unitMode", h.UnitMode)
	putOptI32(ext, "maxReconsumeTimes", h.MaxReconsumeTimes)
	putBool(ext, "batch", h.Batch)
	putOptStr(ext, "bname", h.BrokerName)
}

// Decode reads the keys a..n. It is on the send hot path and does not allocate unless a field is bad.
func (h *SendMessageRequestHeaderV2) Decode(ext map[string]string) error {
	return h.decode(dec{ext: ext})
}

// DecodeLetters is Decode from LetterFields instead of a map (the send path's raw extFields).
func (h *SendMessageRequestHeaderV2) DecodeLetters(f *LetterFields) error {
	return h.decode(dec{letters: f})
}

func (h *SendMessageRequestHeaderV2) decode(d dec) error {
	*h = SendMessageRequestHeaderV2{
		ProducerGroup:         d.str("a"),
		Topic:                 d.str("b"),
		DefaultTopic:          d.str("c"),
		DefaultTopicQueueNums: d.i32("d"),
		QueueID:               d.i32("e"),
		SysFlag:               d.i32("f"),
		BornTimestamp:         d.i64("g"),
		Flag:                  d.i32("h"),
		Properties:            d.optStr("i"),
		ReconsumeTimes:        d.optI32("j"),
		UnitMode:              d.boolOr("k", false),
		MaxReconsumeTimes:     d.optI32("l"),
		Batch:                 d.boolOr("m", false),
		BrokerName:            d.optStr("n"),
	}
	return d.err
}

// Encode writes the keys a..n; k and m are always written.
func (h *SendMessageRequestHeaderV2) Encode(ext map[string]string) {
	putStr(ext, "a", h.ProducerGroup)
	putStr(ext, "b", h.Topic)
	putStr(ext, "c", h.DefaultTopic)
	putI32(ext, "d", h.DefaultTopicQueueNums)
	putI32(ext, "e", h.QueueID)
	putI32(ext, "f", h.SysFlag)
	putI64(ext, "g", h.BornTimestamp)
	putI32(ext, "h", h.Flag)
	putOptStr(ext, "i", h.Properties)
	putOptI32(ext, "j", h.ReconsumeTimes)
	putBool(ext, "k", h.UnitMode)
	putOptI32(ext, "l", h.MaxReconsumeTimes)
	putBool(ext, "m", h.Batch)
	putOptStr(ext, "n", h.BrokerName)
}

// SendMessageResponseHeader answers 10/310/320/324/325. Clients need msgId, queueId and queueOffset on the
// codes SUCCESS, FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT and SLAVE_NOT_AVAILABLE, and read MSG_REGION and
// TRACE_ON from the same map, so the broker writes those two here as well.
type SendMessageResponseHeader struct {
	MsgID         string    // msgId, required: offsetMsgId (batch: comma-joined)
	QueueID       int32     // queueId, required
	QueueOffset   int64     // queueOffset, required
	TransactionID string    // transactionId, optional (a 4.9.8 broker never sets it)
	Region        string    // MSG_REGION, optional (broker regionId, default DefaultRegion)
	TraceOn       Opt[bool] // TRACE_ON, optional (broker traceOn)
}

// Decode reads the response keys.
func (h *SendMessageResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = SendMessageResponseHeader{
		MsgID:         d.str("msgId"),
		QueueID:       d.i32("queueId"),
		QueueOffset:   d.i64("queueOffset"),
		TransactionID: d.optStr("transactionId"),
		Region:        d.optStr("MSG_REGION"),
		TraceOn:       d.optBool("TRACE_ON"),
	}
	return d.err
}

// Encode writes the response keys.
func (h *SendMessageResponseHeader) Encode(ext map[string]string) {
	putStr(ext, "msgId", h.MsgID)
	putI32(ext, "queueId", h.QueueID)
	putI64(ext, "queueOffset", h.QueueOffset)
	putOptStr(ext, "transactionId", h.TransactionID)
	putOptStr(ext, "MSG_REGION", h.Region)
	putOptBool(ext, "TRACE_ON", h.TraceOn)
}
