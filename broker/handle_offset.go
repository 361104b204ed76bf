package broker

// Offsets: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15), GET_MAX_OFFSET (30), GET_MIN_OFFSET (31),
// SEARCH_OFFSET_BY_TIMESTAMP (29), GET_EARLIEST_MSG_STORETIME (32).
// Java: ConsumerManageProcessor, AdminBrokerProcessor.
// Difference: Java answers offset 0 to a new group only while message 0 is still in page cache; rocketd
// answers 0 whenever the queue still starts at offset 0 (the store is memory-mapped).

import (
	"strconv"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

func offsetResponse(req *remoting.Command, key string, v int64) *remoting.Command {
	resp := remoting.NewResponse(req, code.Success, "")
	resp.ExtFields = map[string]string{key: strconv.FormatInt(v, 10)}
	return resp
}

func (b *Broker) handleQueryConsumerOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.QueryConsumerOffsetRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if off, ok := b.offsets.Query(h.ConsumerGroup, h.Topic, h.QueueID); ok && off >= 0 {
		return offsetResponse(req, "offset", off), nil
	}
	if b.store.GetMinOffsetInQueue(h.Topic, h.QueueID) <= 0 {
		return offsetResponse(req, "offset", 0), nil
	}
	resp := remoting.NewResponse(req, code.QueryNotFound, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first")
	resp.ExtFields = map[string]string{}
	return resp, nil
}

func (b *Broker) handleUpdateConsumerOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.UpdateConsumerOffsetRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	b.offsets.Commit(h.ConsumerGroup, h.Topic, h.QueueID, h.CommitOffset)
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleGetMaxOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetMaxOffsetRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	return offsetResponse(req, "offset", b.store.GetMaxOffsetInQueue(h.Topic, h.QueueID)), nil
}

func (b *Broker) handleGetMinOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetMinOffsetRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	return offsetResponse(req, "offset", b.store.GetMinOffsetInQueue(h.Topic, h.QueueID)), nil
}

func (b *Broker) handleSearchOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.SearchOffsetRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	return offsetResponse(req, "offset", b.store.GetOffsetInQueueByTime(h.Topic, h.QueueID, h.Timestamp)), nil
}

func (b *Broker) handleEarliestMsgStoretime(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetEarliestMsgStoretimeRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	return offsetResponse(req, "timestamp", b.store.GetEarliestMessageTime(h.Topic, h.QueueID)), nil
}
