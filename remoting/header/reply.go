package header

// Request-reply header: PUSH_REPLY_MESSAGE_TO_CLIENT (326), sent by the broker to the client named in the
// reply message's REPLY_TO_CLIENT property. SEND_REPLY_MESSAGE (324) and SEND_REPLY_MESSAGE_V2 (325) use the
// send headers (send.go). Java: ReplyMessageRequestHeader.

// ReplyMessageRequestHeader is the PUSH_REPLY_MESSAGE_TO_CLIENT request; the body is the message body. Its
// message fields are the v1 send header's, under the same keys, except that Java's reply header has no
// maxReconsumeTimes, batch or bname: Decode leaves those zero and Encode never writes them.
type ReplyMessageRequestHeader struct {
	SendMessageRequestHeader
	BornHost       string // bornHost, required: ip:port
	StoreHost      string // storeHost, required: ip:port
	StoreTimestamp int64  // storeTimestamp, default 0 (a Java primitive)
}

func (h *ReplyMessageRequestHeader) Decode(ext map[string]string) error {
	var s SendMessageRequestHeader
	err := s.Decode(ext)
	d := dec{ext: ext}
	*h = ReplyMessageRequestHeader{
		SendMessageRequestHeader: s.replyFields(),
		BornHost:                 d.str("bornHost"),
		StoreHost:                d.str("storeHost"),
		StoreTimestamp:           d.i64Or("storeTimestamp", 0),
	}
	if err != nil {
		return err
	}
	return d.err
}

func (h *ReplyMessageRequestHeader) Encode(ext map[string]string) {
	s := h.SendMessageRequestHeader.replyFields()
	s.Encode(ext)
	delete(ext, "batch") // the send header always writes it
	putStr(ext, "bornHost", h.BornHost)
	putStr(ext, "storeHost", h.StoreHost)
	putI64(ext, "storeTimestamp", h.StoreTimestamp)
}

// replyFields is h without the fields Java's reply header lacks.
func (h SendMessageRequestHeader) replyFields() SendMessageRequestHeader {
	h.MaxReconsumeTimes, h.Batch, h.BrokerName = Opt[int32]{}, false, ""
	return h
}
