package header

// Request-reply header: PUSH_REPLY_MESSAGE_TO_CLIENT (326), sent by the broker to the client named in the
// reply message's REPLY_TO_CLIENT property. SEND_REPLY_MESSAGE (324) and SEND_REPLY_MESSAGE_V2 (325) use the
// send headers (send.go). Java: ReplyMessageRequestHeader.

// ReplyMessageRequestHeader is the PUSH_REPLY_MESSAGE_TO_CLIENT request; the body is the message body.
type ReplyMessageRequestHeader struct {
	ProducerGroup         string     // producerGroup, required
	Topic                 string     // topic, required
	DefaultTopic          string     // defaultTopic, required
	DefaultTopicQueueNums int32      // defaultTopicQueueNums, required
	QueueID               int32      // queueId, required
	SysFlag               int32      // sysFlag, required
	BornTimestamp         int64      // bornTimestamp, required
	Flag                  int32      // flag, required
	Properties            string     // properties, optional
	ReconsumeTimes        Opt[int32] // reconsumeTimes, optional
	UnitMode              bool       // unitMode, default false
	BornHost              string     // bornHost, required: ip:port
	StoreHost             string     // storeHost, required: ip:port
	StoreTimestamp        int64      // storeTimestamp, default 0 (a Java primitive)
}

func (h *ReplyMessageRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = ReplyMessageRequestHeader{
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
		BornHost:              d.str("bornHost"),
		StoreHost:             d.str("storeHost"),
		StoreTimestamp:        d.i64Or("storeTimestamp", 0),
	}
	return d.err
}

func (h *ReplyMessageRequestHeader) Encode(ext map[string]string) {
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
	putStr(ext, "bornHost", h.BornHost)
	putStr(ext, "storeHost", h.StoreHost)
	putI64(ext, "storeTimestamp", h.StoreTimestamp)
}
