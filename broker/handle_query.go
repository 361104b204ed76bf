package broker

// Lookup: QUERY_MESSAGE (12) by key within a time range, VIEW_MESSAGE_BY_ID (33) by commit-log offset.
// Java: QueryMessageProcessor.

import (
	"strconv"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

func (b *Broker) handleQueryMessage(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.QueryMessageRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	maxNum := int(h.MaxNum)
	if h.UniqueKeyQuery {
		maxNum = b.cfg.Store.DefaultQueryMaxNum
	}
	res := b.store.QueryMessage(h.Topic, h.Key, maxNum, h.BeginTimestamp, h.EndTimestamp)
	resp := remoting.NewResponse(req, code.Success, "")
	resp.ExtFields = map[string]string{
		"indexLastUpdateTimestamp": strconv.FormatInt(res.IndexLastUpdateTimestamp, 10),
		"indexLastUpdatePhyoffset": strconv.FormatInt(res.IndexLastUpdatePhyOffset, 10),
	}
	if len(res.Messages) == 0 {
		resp.Code, resp.Remark = code.QueryNotFound, "can not find message, maybe time range not correct"
		return resp, nil
	}
	resp.Body = concatRecords(res.Messages)
	return resp, nil
}

func (b *Broker) handleViewMessage(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.ViewMessageRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	rec, err := b.store.LookMessageByOffset(h.Offset)
	if err != nil {
		return remoting.NewResponse(req, code.SystemError, "can not find message by the offset, "+strconv.FormatInt(h.Offset, 10)), nil
	}
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = rec
	return resp, nil
}
