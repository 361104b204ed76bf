package header

// Message lookup headers: QUERY_MESSAGE (12) request and response, VIEW_MESSAGE_BY_ID (33) request.
// Java: QueryMessageRequestHeader, QueryMessageResponseHeader, ViewMessageRequestHeader.

// QueryMessageRequestHeader is the QUERY_MESSAGE request (lookup by key through the index files).
type QueryMessageRequestHeader struct {
	Topic          string // topic, required
	Key            string // key, required
	MaxNum         int32  // maxNum, required
	BeginTimestamp int64  // beginTimestamp, required
	EndTimestamp   int64  // endTimestamp, required
	// UniqueKeyQuery is the extra key _UNIQUE_KEY_QUERY (Java MixAll.UNIQUE_MSG_QUERY_FLAG): Key is a
	// UNIQ_KEY and the broker uses its own default maxNum. Only the exact text "true" counts;
	// Encode writes it only when true.
	UniqueKeyQuery bool
}

func (h *QueryMessageRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueryMessageRequestHeader{
		Topic:          d.str("topic"),
		Key:            d.str("key"),
		MaxNum:         d.i32("maxNum"),
		BeginTimestamp: d.i64("beginTimestamp"),
		EndTimestamp:   d.i64("endTimestamp"),
		UniqueKeyQuery: ext["_UNIQUE_KEY_QUERY"] == "true", // Java compares with equals("true"): case matters here
	}
	return d.err
}

func (h *QueryMessageRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "topic", h.Topic)
	putStr(ext, "key", h.Key)
	putI32(ext, "maxNum", h.MaxNum)
	putI64(ext, "beginTimestamp", h.BeginTimestamp)
	putI64(ext, "endTimestamp", h.EndTimestamp)
	if h.UniqueKeyQuery {
		putBool(ext, "_UNIQUE_KEY_QUERY", true)
	}
}

// QueryMessageResponseHeader answers QUERY_MESSAGE with SUCCESS.
type QueryMessageResponseHeader struct {
	IndexLastUpdateTimestamp int64 // indexLastUpdateTimestamp, required
	IndexLastUpdatePhyoffset int64 // indexLastUpdatePhyoffset, required
}

func (h *QueryMessageResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = QueryMessageResponseHeader{
		IndexLastUpdateTimestamp: d.i64("indexLastUpdateTimestamp"),
		IndexLastUpdatePhyoffset: d.i64("indexLastUpdatePhyoffset"),
	}
	return d.err
}

func (h *QueryMessageResponseHeader) Encode(ext map[string]string) {
	putI64(ext, "indexLastUpdateTimestamp", h.IndexLastUpdateTimestamp)
	putI64(ext, "indexLastUpdatePhyoffset", h.IndexLastUpdatePhyoffset)
}

// ViewMessageRequestHeader is the VIEW_MESSAGE_BY_ID request.
type ViewMessageRequestHeader struct {
	Offset int64 // offset, required: commit-log physical offset (from the offsetMsgId)
}

func (h *ViewMessageRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = ViewMessageRequestHeader{Offset: d.i64("offset")}
	return d.err
}

func (h *ViewMessageRequestHeader) Encode(ext map[string]string) {
	putI64(ext, "offset", h.Offset)
}
