package header

// Pull headers: PULL_MESSAGE (11) request and its response. Java: PullMessageRequestHeader (a fast-decoded
// header in 4.9.8), PullMessageResponseHeader.

// PullMessageRequestHeader is the PULL_MESSAGE request.
type PullMessageRequestHeader struct {
	ConsumerGroup        string // consumerGroup, required
	Topic                string // topic, required
	QueueID              int32  // queueId, required
	QueueOffset          int64  // queueOffset, required: logical offset to read from
	MaxMsgNums           int32  // maxMsgNums, required
	SysFlag              int32  // sysFlag, required (PullSysFlag bits)
	CommitOffset         int64  // commitOffset, required
	SuspendTimeoutMillis int64  // suspendTimeoutMillis, required: long-poll hold time
	Subscription         string // subscription, optional: expression, used when the subscription bit is set
	SubVersion           int64  // subVersion, required
	ExpressionType       string // expressionType, optional: TAG (default) or SQL92
	BrokerName           string // bname, optional (4.9.8 clients)
}

// PullSysFlag bits of PullMessageRequestHeader.SysFlag (Java PullSysFlag).
const (
	PullFlagCommitOffset int32 = 0x1  // store CommitOffset for the group
	PullFlagSuspend      int32 = 0x2  // long polling allowed
	PullFlagSubscription int32 = 0x4  // use Subscription/ExpressionType instead of the heartbeat's
	PullFlagClassFilter  int32 = 0x8  // legacy class filter
	PullFlagLitePull     int32 = 0x10 // Java lite pull consumer
)

// Decode reads the request keys.
func (h *PullMessageRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = PullMessageRequestHeader{
		ConsumerGroup:        d.str("consumerGroup"),
		Topic:                d.str("topic"),
		QueueID:              d.i32("queueId"),
		QueueOffset:          d.i64("queueOffset"),
		MaxMsgNums:           d.i32("maxMsgNums"),
		SysFlag:              d.i32("sysFlag"),
		CommitOffset:         d.i64("commitOffset"),
		SuspendTimeoutMillis: d.i64("suspendTimeoutMillis"),
		Subscription:         d.optStr("subscription"),
		SubVersion:           d.i64("subVersion"),
		ExpressionType:       d.optStr("expressionType"),
		BrokerName:           d.optStr("bname"),
	}
	return d.err
}

// Encode writes the request keys.
func (h *PullMessageRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "consumerGroup", h.ConsumerGroup)
	putStr(ext, "topic", h.Topic)
	putI32(ext, "queueId", h.QueueID)
	putI64(ext, "queueOffset", h.QueueOffset)
	putI32(ext, "maxMsgNums", h.MaxMsgNums)
	putI32(ext, "sysFlag", h.SysFlag)
	putI64(ext, "commitOffset", h.CommitOffset)
	putI64(ext, "suspendTimeoutMillis", h.SuspendTimeoutMillis)
	putOptStr(ext, "subscription", h.Subscription)
	putI64(ext, "subVersion", h.SubVersion)
	putOptStr(ext, "expressionType", h.ExpressionType)
	putOptStr(ext, "bname", h.BrokerName)
}

// PullMessageResponseHeader answers PULL_MESSAGE. All four keys are required on SUCCESS, PULL_NOT_FOUND,
// PULL_RETRY_IMMEDIATELY and PULL_OFFSET_MOVED: Java clients unbox them into longs.
type PullMessageResponseHeader struct {
	SuggestWhichBrokerID int64 // suggestWhichBrokerId: broker id for the next pull of this queue (0 = master)
	NextBeginOffset      int64 // nextBeginOffset
	MinOffset            int64 // minOffset
	MaxOffset            int64 // maxOffset
}

// Decode reads the response keys.
func (h *PullMessageResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = PullMessageResponseHeader{
		SuggestWhichBrokerID: d.i64("suggestWhichBrokerId"),
		NextBeginOffset:      d.i64("nextBeginOffset"),
		MinOffset:            d.i64("minOffset"),
		MaxOffset:            d.i64("maxOffset"),
	}
	return d.err
}

// Encode writes the response keys.
func (h *PullMessageResponseHeader) Encode(ext map[string]string) {
	putI64(ext, "suggestWhichBrokerId", h.SuggestWhichBrokerID)
	putI64(ext, "nextBeginOffset", h.NextBeginOffset)
	putI64(ext, "minOffset", h.MinOffset)
	putI64(ext, "maxOffset", h.MaxOffset)
}
