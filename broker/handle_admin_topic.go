package broker

// Topic and group administration: UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215),
// GET_ALL_TOPIC_CONFIG (21), UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200), GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201),
// DELETE_SUBSCRIPTIONGROUP (207), GET_ALL_CONSUMER_OFFSET (43), GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305).
// Java: AdminBrokerProcessor.

import (
	"context"
	"fmt"
	"time"

	"github.com/rocketd/rocketd/broker/subgroup"
	"github.com/rocketd/rocketd/broker/topic"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// refuseTopicName is the SYSTEM_ERROR answer Java's create and delete give for an invalid topic name or a
// system topic, or nil when name may be changed.
func (b *Broker) refuseTopicName(req *remoting.Command, name string) *remoting.Command {
	if err := topic.ValidateName(name); err != nil {
		return remoting.NewResponse(req, code.SystemError, err.Error())
	}
	if b.topics.IsSystemTopic(name) {
		return remoting.NewResponse(req, code.SystemError, "The topic["+name+"] is conflict with system topic.")
	}
	return nil
}

func (b *Broker) handleCreateTopic(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.CreateTopicRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if resp := b.refuseTopicName(req, h.Topic); resp != nil {
		return resp, nil
	}
	if !b.cfg.Store.BrokerRole.IsMaster() {
		return remoting.NewResponse(req, code.SystemError, "Can't modify topic or subscription group from slave broker, please execute it from master broker."), nil
	}
	tc := topic.TopicConfig{
		TopicName:       h.Topic,
		ReadQueueNums:   h.ReadQueueNums,
		WriteQueueNums:  h.WriteQueueNums,
		Perm:            h.Perm,
		TopicFilterType: topic.FilterType(h.TopicFilterType),
		TopicSysFlag:    h.TopicSysFlag.Or(0),
		Order:           h.Order,
	}
	stored, dv, err := b.topics.Update(tc)
	if err != nil {
		return nil, fmt.Errorf("persisting topic %s failed: %w", h.Topic, err)
	}
	// Java (registerIncrementBrokerData) registers the one changed topic synchronously, so the route exists
	// before the reply and the cost of a create does not grow with the number of topics.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b.registerIncrement(ctx, stored, dv)
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleDeleteTopic(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.DeleteTopicRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if resp := b.refuseTopicName(req, h.Topic); resp != nil {
		return resp, nil
	}
	if _, err := b.topics.Delete(h.Topic); err != nil {
		return nil, fmt.Errorf("deleting topic %s failed: %w", h.Topic, err)
	}
	if d, ok := b.store.(topicDeleter); ok {
		d.DeleteTopic(h.Topic)
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleGetAllTopicConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	if len(b.topics.All()) == 0 {
		return remoting.NewResponse(req, code.SystemError, "No topic in this broker"), nil
	}
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = b.topics.SerializeWrapper(false)
	return resp, nil
}

func (b *Broker) handleCreateSubscriptionGroup(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var sg subgroup.SubscriptionGroupConfig
	if err := stdJSON.Unmarshal(req.Body, &sg); err != nil {
		return nil, fmt.Errorf("the body is not SubscriptionGroupConfig JSON: %w", err)
	}
	if sg.GroupName == "" {
		return remoting.NewResponse(req, code.SystemError, "the subscription group has no groupName"), nil
	}
	if err := b.subgroups.Put(sg); err != nil {
		return nil, err
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleGetAllSubscriptionGroup(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = b.subgroups.Wrapper()
	return resp, nil
}

func (b *Broker) handleDeleteSubscriptionGroup(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.DeleteSubscriptionGroupRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if _, err := b.subgroups.Delete(h.GroupName); err != nil {
		return nil, err
	}
	if h.RemoveOffset {
		b.offsets.RemoveGroup(h.GroupName)
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleGetAllConsumerOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	body := b.offsets.Encode(true)
	if len(body) == 0 {
		return remoting.NewResponse(req, code.SystemError, "No consumer offset in this broker"), nil
	}
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = body
	return resp, nil
}

func (b *Broker) handleSystemTopicList(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var names []string
	for _, tc := range b.topics.All() {
		if b.topics.IsSystemTopic(tc.TopicName) {
			names = append(names, tc.TopicName)
		}
	}
	return jsonResponse(req, struct {
		TopicList []string `json:"topicList"`
	}{names})
}
