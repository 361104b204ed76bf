package broker

// Request-reply: SEND_REPLY_MESSAGE (324, v1 header names) and SEND_REPLY_MESSAGE_V2 (325, one-letter
// names). Java: ReplyMessageProcessor. The reply is pushed at once (PUSH_REPLY_MESSAGE_TO_CLIENT, 326, sync)
// to the producer connection of the client named in REPLY_TO_CLIENT; the answer's code is the push's outcome.
// With storeReplyMessageEnable (default true) it is also stored, as sent (no CLUSTER added), and the answer
// carries its msgId and queue offset.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
	"github.com/rocketd/rocketd/store"
)

func (b *Broker) handleSendReply(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.SendMessageRequestHeader
	if req.Code == code.SendReplyMessageV2 {
		var h2 header.SendMessageRequestHeaderV2
		if err := h2.Decode(req.ExtFields); err != nil {
			return nil, err
		}
		h = h2.V1()
	} else if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	resp := remoting.NewResponse(req, code.SystemError, "")
	resp.ExtFields = map[string]string{
		compat.PropertyMsgRegion:   b.cfg.Broker.RegionID,
		compat.PropertyTraceSwitch: strconv.FormatBool(b.cfg.Broker.TraceOn),
	}
	if start := b.cfg.Broker.StartAcceptSendRequestTimeStamp; time.Now().UnixMilli() < start {
		resp.Remark = "broker unable to service, until " + time.UnixMilli(start).Format("2006-01-02 15:04:05,000")
		return resp, nil
	}
	tc, fail := b.checkSend(c, req, &h)
	if fail != nil {
		fail.ExtFields = resp.ExtFields
		return fail, nil
	}
	queueID := h.QueueID
	if queueID < 0 {
		queueID = rand.Int32N(max(tc.WriteQueueNums, 1))
	}
	born, _ := netip.ParseAddrPort(c.RemoteAddr())
	props := compat.DecodeProperties(h.Properties)
	m := &store.Message{
		Topic: h.Topic, QueueID: queueID, Flag: h.Flag, Body: req.Body, Properties: props,
		PropertiesString: h.Properties, SysFlag: h.SysFlag, BornTimestamp: h.BornTimestamp, BornHost: born,
		StoreHost: b.storeHost, ReconsumeTimes: h.ReconsumeTimes.Or(0),
	}
	if remark := b.pushReply(&h, born, props, req.Body); remark != "" {
		resp.Remark = remark
	} else {
		resp.Code = code.Success
		resp.ExtFields["msgId"] = "0"
		resp.ExtFields["queueId"] = strconv.Itoa(int(queueID))
		resp.ExtFields["queueOffset"] = "0"
	}
	if b.cfg.Broker.StoreReplyMessageEnable {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res := b.store.PutMessage(ctx, m)
		cancel()
		if res.OK() {
			resp.ExtFields["msgId"] = res.MsgID
			resp.ExtFields["queueId"] = strconv.Itoa(int(queueID))
			resp.ExtFields["queueOffset"] = strconv.FormatInt(res.LogicsOffset, 10)
		} else {
			b.log.Warn("storing a reply message failed", "topic", h.Topic, "status", res.Status.String(), "err", res.Err)
		}
	}
	return resp, nil
}

// pushReply sends PUSH_REPLY_MESSAGE_TO_CLIENT to the requester; it returns Java's remark on failure, "" on
// success.
func (b *Broker) pushReply(h *header.SendMessageRequestHeader, born netip.AddrPort, props map[string]string, body []byte) string {
	sender, ok := props[compat.PropertyMessageReplyToClient]
	if !ok {
		b.log.Warn("REPLY_TO_CLIENT is null, can not reply message", "topic", h.Topic)
		return "reply message properties[" + compat.PropertyMessageReplyToClient + "] is null"
	}
	conn := b.findProducerChannel(sender)
	if conn == nil {
		return "push reply message fail, channel of <" + sender + "> not found."
	}
	rh := header.ReplyMessageRequestHeader{
		SendMessageRequestHeader: *h, // Encode leaves out maxReconsumeTimes, batch and bname
		BornHost:                 born.String(), StoreHost: b.storeHost.String(), StoreTimestamp: time.Now().UnixMilli(),
	}
	withTime := make(map[string]string, len(props)+1)
	for k, v := range props {
		withTime[k] = v
	}
	withTime[compat.PropertyPushReplyTime] = strconv.FormatInt(time.Now().UnixMilli(), 10)
	rh.Properties = compat.EncodeProperties(withTime)
	ext := make(map[string]string, 16)
	rh.Encode(ext)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pr, err := conn.Invoke(ctx, remoting.NewRequest(code.PushReplyMessageToClient, ext, body), 10*time.Second)
	if err != nil || pr.Code != code.Success {
		b.log.Warn("push reply message failed", "client", sender, "err", err, "resp", fmt.Sprint(pr))
		return "push reply message to " + sender + "fail."
	}
	return ""
}

// findProducerChannel is Java ProducerManager.findChannel: the live producer connection of clientID in any group.
func (b *Broker) findProducerChannel(clientID string) *remoting.Conn {
	for _, chans := range b.producers.Groups() {
		for _, ci := range chans {
			if ci.ClientID != clientID {
				continue
			}
			select {
			case <-ci.Conn.Done():
			default:
				return ci.Conn
			}
		}
	}
	return nil
}
