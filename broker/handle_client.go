package broker

// Client management: HEART_BEAT (34), UNREGISTER_CLIENT (35), CHECK_CLIENT_CONFIG (46),
// GET_CONSUMER_LIST_BY_GROUP (38), LOCK_BATCH_MQ (41), UNLOCK_BATCH_MQ (42).
// Java: ClientManageProcessor, ConsumerManageProcessor.getConsumerListByGroup, AdminBrokerProcessor.lockBatchMQ.
// SQL92 expressions are validated by b.checkExpression (broker/filter, set in delivery.go).

import (
	"fmt"
	"strings"
	"time"

	jsoniter "github.com/json-iterator/go"

	"github.com/rocketd/rocketd/broker/client"
	"github.com/rocketd/rocketd/broker/filterdata"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

var stdJSON = jsoniter.ConfigCompatibleWithStandardLibrary

// jsonResponse answers SUCCESS with v encoded as the body.
func jsonResponse(req *remoting.Command, v any) (*remoting.Command, error) {
	body, err := stdJSON.Marshal(v)
	if err != nil {
		return nil, err
	}
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = body
	return resp, nil
}

const retryGroupTopicPrefix = "%RETRY%"

func (b *Broker) handleHeartbeat(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	hb, err := client.ParseHeartbeat(req.Body)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	ci := client.ChannelInfo{Conn: c, ClientID: hb.ClientID, Language: req.Language, Version: req.Version, LastUpdate: now}
	for i := range hb.ConsumerDataSet {
		cd := &hb.ConsumerDataSet[i]
		sg, ok := b.subgroups.FindOrCreate(cd.GroupName, b.cfg.Broker.AutoCreateSubscriptionGroup)
		notify := b.cfg.Broker.NotifyConsumerIdsChangedEnable
		if ok {
			notify = notify && sg.NotifyConsumerIdsChangedEnable
			// Java creates the group's retry topic on heartbeat.
			perm := int32(6)
			if cd.UnitMode {
				perm = 6
			}
			if _, _, err := b.topics.CreateInSendMessageBack(retryGroupTopicPrefix+cd.GroupName, sg.RetryQueueNums, perm, 0); err != nil {
				b.log.Warn("creating retry topic failed", "group", cd.GroupName, "err", err)
			}
		}
		b.consumers.Register(cd, ci, notify)
	}
	for _, pd := range hb.ProducerDataSet {
		b.producers.Register(pd.GroupName, ci)
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleUnregisterClient(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.UnregisterClientRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if h.ProducerGroup != "" {
		b.producers.Unregister(h.ProducerGroup, c)
	}
	if h.ConsumerGroup != "" {
		notify := b.cfg.Broker.NotifyConsumerIdsChangedEnable
		if sg, ok := b.subgroups.Find(h.ConsumerGroup); ok {
			notify = notify && sg.NotifyConsumerIdsChangedEnable
		}
		b.consumers.Unregister(h.ConsumerGroup, c, notify)
	}
	resp := remoting.NewResponse(req, code.Success, "")
	resp.ExtFields = map[string]string{}
	return resp, nil
}

func (b *Broker) handleConsumerListByGroup(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetConsumerListByGroupRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	ids := b.consumers.ClientIDs(h.ConsumerGroup)
	if len(ids) == 0 {
		b.log.Warn("getConsumerListByGroup: no consumer", "group", h.ConsumerGroup, "remote", c.RemoteAddr())
		return remoting.NewResponse(req, code.SystemError, "no consumer for this group, "+h.ConsumerGroup), nil
	}
	return jsonResponse(req, struct {
		ConsumerIDList []string `json:"consumerIdList"`
	}{ids})
}

// checkClientConfigBody is CheckClientRequestBody.
type checkClientConfigBody struct {
	ClientID         string                  `json:"clientId"`
	Group            string                  `json:"group"`
	SubscriptionData client.SubscriptionData `json:"subscriptionData"`
}

func (b *Broker) handleCheckClientConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var body checkClientConfigBody
	if err := stdJSON.Unmarshal(req.Body, &body); err != nil {
		return nil, fmt.Errorf("CHECK_CLIENT_CONFIG body is not CheckClientRequestBody JSON: %w", err)
	}
	sd := body.SubscriptionData
	if sd.IsTagType() {
		return remoting.NewResponse(req, code.Success, ""), nil
	}
	if !b.cfg.Broker.EnablePropertyFilter {
		return remoting.NewResponse(req, code.SystemError,
			"The broker does not support consumer to filter message by "+sd.ExpressionType), nil
	}
	if b.checkExpression == nil || !strings.EqualFold(sd.ExpressionType, "SQL92") {
		return remoting.NewResponse(req, code.SubscriptionParseFailed,
			"Unsupported filter expression type "+sd.ExpressionType+" (rocketd does not implement it yet)"), nil
	}
	if err := b.checkExpression(sd.SubString); err != nil {
		return remoting.NewResponse(req, code.SubscriptionParseFailed, err.Error()), nil
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}

// lockBatchBody is LockBatchRequestBody / UnlockBatchRequestBody.
type lockBatchBody struct {
	ConsumerGroup  string                `json:"consumerGroup"`
	ClientID       string                `json:"clientId"`
	OnlyThisBroker bool                  `json:"onlyThisBroker"`
	MqSet          []client.MessageQueue `json:"mqSet"`
}

func (b *Broker) handleLockBatch(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var body lockBatchBody
	if err := stdJSON.Unmarshal(req.Body, &body); err != nil {
		return nil, fmt.Errorf("LOCK_BATCH_MQ body is not LockBatchRequestBody JSON: %w", err)
	}
	locked := b.locks.TryLock(body.ConsumerGroup, body.MqSet, body.ClientID)
	out, err := stdJSON.Marshal(struct {
		LockOKMQSet []client.MessageQueue `json:"lockOKMQSet"`
	}{locked})
	if err != nil {
		return nil, err
	}
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = out
	return resp, nil
}

func (b *Broker) handleUnlockBatch(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var body lockBatchBody
	if err := stdJSON.Unmarshal(req.Body, &body); err != nil {
		return nil, fmt.Errorf("UNLOCK_BATCH_MQ body is not UnlockBatchRequestBody JSON: %w", err)
	}
	b.locks.Unlock(body.ConsumerGroup, body.MqSet, body.ClientID)
	return remoting.NewResponse(req, code.Success, ""), nil
}

// connClosed forgets a closed connection's producers and consumers and tells the groups.
func (b *Broker) connClosed(c *remoting.Conn) {
	b.producers.ConnClosed(c)
	b.consumers.ConnClosed(c, func(string) bool { return b.cfg.Broker.NotifyConsumerIdsChangedEnable })
}

// notifyConsumers is the consumer-group listener: NOTIFY_CONSUMER_IDS_CHANGED (oneway) to every member.
func (b *Broker) notifyConsumers(ev client.Event, group string, conns []*remoting.Conn, subs []client.SubscriptionData) {
	switch ev {
	case client.Registered: // Java's DefaultConsumerIdsChangeListener: REGISTER -> ConsumerFilterManager.register
		fs := make([]filterdata.Subscription, 0, len(subs))
		for _, s := range subs {
			fs = append(fs, filterdata.Subscription{Topic: s.Topic, Expression: s.SubString, ExpressionType: s.ExpressionType, Version: s.SubVersion})
		}
		b.filters.Register(group, fs)
		return
	case client.Unregistered:
		b.filters.Unregister(group)
		return
	case client.Changed:
	}
	for _, conn := range conns {
		h := header.NotifyConsumerIdsChangedRequestHeader{ConsumerGroup: group}
		ext := make(map[string]string, 1)
		h.Encode(ext)
		if err := conn.InvokeOneway(remoting.NewRequest(code.NotifyConsumerIdsChanged, ext, nil)); err != nil {
			b.log.Debug("notify consumer ids changed failed", "group", group, "remote", conn.RemoteAddr(), "err", err)
		}
	}
}
