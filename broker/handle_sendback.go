package broker

// Retry: CONSUMER_SEND_MSG_BACK (36). Java: SendMessageProcessor.asyncConsumerSendMsgBack.
// The message at the header's commit-log offset is written again to %RETRY%<group> (created with the
// group's retryQueueNums, perm 6) with reconsumeTimes+1, RETRY_TOPIC (first topic), ORIGIN_MESSAGE_ID (first
// offset msgId), WAIT=false and DELAY = the requested level or 3+reconsumeTimes; the store redirects it to
// SCHEDULE_TOPIC_XXXX. Once reconsumeTimes reaches maxReconsumeTimes (the header's from clients >= V3_4_9,
// else the group's retryMaxTimes), or when the level is negative, it goes to %DLQ%<group> (1 queue, perm 6)
// with DELAY=0.

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/rocketd/rocketd/broker/topic"
	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

// versionV349 is the MQVersion ordinal of V3_4_9: from it on, the header's maxReconsumeTimes counts.
const versionV349 int32 = 122

const dlqQueueNums = 1 // DLQ_NUMS_PER_GROUP

func (b *Broker) handleSendBack(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.ConsumerSendMsgBackRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	resp := remoting.NewResponse(req, code.SystemError, "")
	fail := func(codeV int32, remark string) (*remoting.Command, error) {
		resp.Code, resp.Remark = codeV, remark
		return resp, nil
	}
	sg, ok := b.subgroups.FindOrCreate(h.Group, b.cfg.Broker.AutoCreateSubscriptionGroup) // Java findSubscriptionGroupConfig
	if !ok {
		return fail(code.SubscriptionGroupNotExist, "subscription group not exist, "+h.Group+" "+faqURL)
	}
	if !topic.IsWriteable(int32(b.cfg.Broker.BrokerPermission)) {
		return fail(code.NoPermission, "the broker["+b.cfg.Broker.BrokerIP1+"] sending message is forbidden")
	}
	if sg.RetryQueueNums <= 0 {
		resp.Code = code.Success
		return resp, nil
	}
	newTopic := retryGroupTopicPrefix + h.Group
	var topicSysFlag int32
	if h.UnitMode {
		topicSysFlag = 2 // unit-sub
	}
	tc, created, err := b.topics.CreateInSendMessageBack(newTopic, sg.RetryQueueNums, 6, topicSysFlag)
	if err != nil || tc.TopicName == "" {
		return fail(code.SystemError, "topic["+newTopic+"] not exist")
	}
	if created {
		go b.registerAll(b.ctx, true)
	}
	if !topic.IsWriteable(tc.Perm) {
		return fail(code.NoPermission, "the topic["+newTopic+"] sending message is forbidden")
	}
	queueID := rand.Int32N(sg.RetryQueueNums)
	raw, err := b.store.LookMessageByOffset(h.Offset)
	if err != nil {
		return fail(code.SystemError, "look message by offset failed, "+strconv.FormatInt(h.Offset, 10))
	}
	rec, err := commitlog.Decode(raw, false)
	if err != nil || rec.IsBlank() {
		return fail(code.SystemError, "look message by offset failed, "+strconv.FormatInt(h.Offset, 10))
	}
	props := compat.DecodeProperties(string(rec.Properties))
	if _, ok := props[compat.PropertyRetryTopic]; !ok {
		props[compat.PropertyRetryTopic] = string(rec.Topic)
	}
	props[compat.PropertyWaitStoreMsgOK] = "false"
	maxTimes := sg.RetryMaxTimes
	if req.Version >= versionV349 {
		maxTimes = h.MaxReconsumeTimes.Or(maxTimes)
	}
	delayLevel := h.DelayLevel
	if rec.ReconsumeTimes >= maxTimes || delayLevel < 0 {
		newTopic = dlqTopicPrefix + h.Group
		queueID = rand.Int32N(dlqQueueNums)
		tc, created, err = b.topics.CreateInSendMessageBack(newTopic, dlqQueueNums, 6, 0)
		if err != nil || tc.TopicName == "" {
			return fail(code.SystemError, "topic["+newTopic+"] not exist")
		}
		if created {
			go b.registerAll(b.ctx, true)
		}
		props[compat.PropertyDelayTimeLevel] = "0"
	} else {
		if delayLevel == 0 {
			delayLevel = 3 + rec.ReconsumeTimes
		}
		props[compat.PropertyDelayTimeLevel] = strconv.Itoa(int(delayLevel))
	}
	if v := props[compat.PropertyOriginMessageID]; v == "" {
		props[compat.PropertyOriginMessageID] = string(rec.MsgID(nil))
	}
	m := &store.Message{
		Topic: newTopic, QueueID: queueID, Flag: rec.Flag, Body: rec.Body, Properties: props,
		PropertiesString: compat.EncodeProperties(props), SysFlag: rec.SysFlag, BornTimestamp: rec.BornTimestamp,
		BornHost: commitlog.DecodeHost(rec.BornHost), StoreHost: commitlog.DecodeHost(rec.StoreHost),
		ReconsumeTimes: rec.ReconsumeTimes + 1,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := b.store.PutMessage(ctx, m)
	if res.Status != store.PutOK {
		return fail(code.SystemError, res.Status.String())
	}
	resp.Code = code.Success
	return resp, nil
}
