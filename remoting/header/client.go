package header

// Client-management headers: UNREGISTER_CLIENT (35), GET_CONSUMER_LIST_BY_GROUP (38) and the broker-to-client
// NOTIFY_CONSUMER_IDS_CHANGED (40). Java: UnregisterClientRequestHeader, GetConsumerListByGroupRequestHeader,
// NotifyConsumerIdsChangedRequestHeader. HEART_BEAT (34) and CHECK_CLIENT_CONFIG (46) carry only a JSON body.

// UnregisterClientRequestHeader is the UNREGISTER_CLIENT request; the response has no fields.
type UnregisterClientRequestHeader struct {
	ClientID      string // clientID (capital ID), required
	ProducerGroup string // producerGroup, optional
	ConsumerGroup string // consumerGroup, optional
}

func (h *UnregisterClientRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = UnregisterClientRequestHeader{
		ClientID:      d.str("clientID"),
		ProducerGroup: d.optStr("producerGroup"),
		ConsumerGroup: d.optStr("consumerGroup"),
	}
	return d.err
}

func (h *UnregisterClientRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "clientID", h.ClientID)
	putOptStr(ext, "producerGroup", h.ProducerGroup)
	putOptStr(ext, "consumerGroup", h.ConsumerGroup)
}

// ConsumerGroupHeader is the one-field shape {consumerGroup} of GET_CONSUMER_LIST_BY_GROUP,
// NOTIFY_CONSUMER_IDS_CHANGED and GET_CONSUMER_CONNECTION_LIST requests.
type ConsumerGroupHeader struct {
	ConsumerGroup string // consumerGroup, required
}

// GetConsumerListByGroupRequestHeader is the GET_CONSUMER_LIST_BY_GROUP request.
type GetConsumerListByGroupRequestHeader = ConsumerGroupHeader

// NotifyConsumerIdsChangedRequestHeader is the NOTIFY_CONSUMER_IDS_CHANGED request (broker to consumer, oneway).
type NotifyConsumerIdsChangedRequestHeader = ConsumerGroupHeader

// GetConsumerConnectionListRequestHeader is the GET_CONSUMER_CONNECTION_LIST request.
type GetConsumerConnectionListRequestHeader = ConsumerGroupHeader

func (h *ConsumerGroupHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = ConsumerGroupHeader{ConsumerGroup: d.str("consumerGroup")}
	return d.err
}

func (h *ConsumerGroupHeader) Encode(ext map[string]string) {
	putStr(ext, "consumerGroup", h.ConsumerGroup)
}
