package broker

// Transactions: END_TRANSACTION (37) and RESUME_CHECK_HALF_MESSAGE (323); half messages are written by
// handle_send.go, the check service is broker/txn. Java: EndTransactionProcessor,
// AdminBrokerProcessor.resumeCheckHalfMessage.
// END_TRANSACTION with commitOrRollback 0 (unknown) gets no answer, as in Java; the others are answered
// (Java producers send it oneway, so nobody waits for it).

import (
	"errors"

	"github.com/rocketd/rocketd/broker/txn"
	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

func (b *Broker) handleEndTransaction(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.EndTransactionRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if !b.cfg.Store.BrokerRole.IsMaster() {
		return remoting.NewResponse(req, code.SlaveNotAvailable, ""), nil
	}
	if b.dl.txn == nil {
		return remoting.NewResponse(req, code.SystemError, "the transaction service is not running"), nil
	}
	if h.CommitOrRollback == header.TransactionNotType {
		b.log.Debug("producer reported an unknown transaction state", "producerGroup", h.ProducerGroup,
			"msgId", h.MsgID, "fromCheck", h.FromTransactionCheck, "remote", c.RemoteAddr(), "remark", req.Remark)
	}
	respCode, remark, answer := b.dl.txn.End(&h)
	if !answer {
		return nil, nil
	}
	return remoting.NewResponse(req, respCode, remark), nil
}

func (b *Broker) handleResumeCheckHalf(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.ResumeCheckHalfMessageRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	const failed = "Exception was thrown when putting message back to RMQ_SYS_TRANS_HALF_TOPIC."
	_, phy, err := compat.DecodeOffsetMessageID(h.MsgID)
	if err != nil || b.dl.txn == nil {
		return remoting.NewResponse(req, code.SystemError, failed), nil
	}
	if err := b.dl.txn.Resume(phy); err != nil {
		b.log.Warn("resume check of a half message failed", "msgId", h.MsgID, "err", err)
		if errors.Is(err, txn.ErrNoMessage) {
			return remoting.NewResponse(req, code.SystemError, failed), nil
		}
		return remoting.NewResponse(req, code.SystemError, "Put message back to RMQ_SYS_TRANS_HALF_TOPIC failed."), nil
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}
