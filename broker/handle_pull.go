package broker

// Consume: PULL_MESSAGE (11), main listener only. Java: PullMessageProcessor, PullRequestHoldService,
// NotifyMessageArrivingListener. Long polling holds a pull that found nothing until a message is dispatched
// to that queue or the client's suspend timeout passes.
// SQL92 subscriptions are evaluated over each record's properties (broker/filter).
// suggestWhichBrokerId and the slave's no-correction rule for PULL_OFFSET_MOVED are Java's (slaveReadEnable,
// offsetCheckInSlave). Not done here: OFFSET_MOVED_EVENT messages.

import (
	"fmt"
	"strings"
	"time"

	"github.com/rocketd/rocketd/broker/client"
	"github.com/rocketd/rocketd/broker/filter"
	"github.com/rocketd/rocketd/broker/topic"
	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
	"github.com/rocketd/rocketd/store"
)

func (b *Broker) handlePull(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return b.processPull(c, req, true)
}

// processPull answers a pull, or holds it (returns nil) when nothing is there and long polling is allowed.
func (b *Broker) processPull(c *remoting.Conn, req *remoting.Command, allowSuspend bool) (*remoting.Command, error) {
	h, err := b.decodePullHeader(req)
	if err != nil {
		return nil, err
	}
	resp := remoting.NewResponse(req, code.SystemError, "")
	fail := func(codeV int32, remark string) (*remoting.Command, error) {
		resp.Code, resp.Remark = codeV, remark
		return resp, nil
	}
	if !topic.IsReadable(int32(b.cfg.Broker.BrokerPermission)) {
		return fail(code.NoPermission, "the broker["+b.brokerAddr()+"] pulling message is forbidden")
	}
	sg, ok := b.subgroups.FindOrCreate(h.ConsumerGroup, b.cfg.Broker.AutoCreateSubscriptionGroup)
	if !ok {
		return fail(code.SubscriptionGroupNotExist, "subscription group ["+h.ConsumerGroup+"] does not exist, "+faqURL)
	}
	if !sg.ConsumeEnable {
		return fail(code.NoPermission, "subscription group no permission, "+h.ConsumerGroup)
	}
	tc, ok := b.topics.Get(h.Topic)
	if !ok {
		return fail(code.TopicNotExist, "topic["+h.Topic+"] not exist, apply first please! "+faqURL)
	}
	if !topic.IsReadable(tc.Perm) {
		return fail(code.NoPermission, "the topic["+h.Topic+"] pulling message is forbidden")
	}
	if h.QueueID < 0 || h.QueueID >= tc.ReadQueueNums {
		return fail(code.SystemError, "queueId["+itoa(h.QueueID)+"] is illegal, topic:["+h.Topic+"] topicConfig.readQueueNums:["+
			itoa(tc.ReadQueueNums)+"] consumer:["+c.RemoteAddr()+"]")
	}

	var sub client.SubscriptionData
	var sqlFilter *filter.Expression
	if h.SysFlag&header.PullFlagSubscription != 0 {
		sub = buildSubscription(h.Topic, h.Subscription, h.ExpressionType)
		if !sub.IsTagType() {
			e, err := b.compileFilter(sub)
			if err != nil {
				return fail(code.SubscriptionParseFailed, "parse the consumer's subscription failed: "+err.Error())
			}
			sqlFilter = e
		}
	} else {
		snap, ok := b.consumers.Snapshot(h.ConsumerGroup)
		if !ok {
			return fail(code.SubscriptionNotExist, "the consumer's group info not exist"+faqURL)
		}
		if !sg.ConsumeBroadcastEnable && snap.MessageModel == "BROADCASTING" {
			return fail(code.NoPermission, "the consumer group["+h.ConsumerGroup+"] can not consume by broadcast way")
		}
		s, ok := b.consumers.Subscription(h.ConsumerGroup, h.Topic)
		if !ok {
			return fail(code.SubscriptionNotExist, "the consumer's subscription not exist"+faqURL)
		}
		if s.SubVersion < h.SubVersion {
			return fail(code.SubscriptionNotLatest, "the consumer's subscription not latest")
		}
		sub = s
		if !sub.IsTagType() {
			// Java keeps only valid expressions registered by heartbeats.
			e, err := b.compileFilter(sub)
			if err != nil {
				return fail(code.FilterDataNotExist, "The broker's consumer filter data is not exist!Your expression may be wrong! ("+err.Error()+")")
			}
			sqlFilter = e
		}
	}
	if !sub.IsTagType() && !b.cfg.Broker.EnablePropertyFilter {
		return fail(code.SystemError, "The broker does not support consumer to filter message by "+sub.ExpressionType)
	}

	var mf store.MessageFilter = tagFilter{tagMatcher(&sub)}
	if sqlFilter != nil {
		mf = filter.RecordFilter{Expr: sqlFilter}
	}
	res := b.store.GetMessage(h.ConsumerGroup, h.Topic, h.QueueID, h.QueueOffset, int(h.MaxMsgNums), mf)
	defer res.Release()
	resp.Remark = res.Status.String()
	rh := header.PullMessageResponseHeader{NextBeginOffset: res.NextBeginOffset, MinOffset: res.MinOffset, MaxOffset: res.MaxOffset}
	// Java: with slaveReadEnable, the group's whichBrokerWhenConsumeSlowly when the consumer lags beyond
	// accessMessageInMemoryMaxRatio of RAM, else the group's brokerId; without it always the master.
	if b.cfg.Broker.SlaveReadEnable {
		if res.SuggestPullingFromSlave {
			rh.SuggestWhichBrokerID = sg.WhichBrokerWhenConsumeSlowly
		} else {
			rh.SuggestWhichBrokerID = sg.BrokerID
		}
	}
	switch res.Status {
	case store.Found:
		resp.Code = code.Success
	case store.MessageWasRemoving, store.NoMatchedMessage:
		resp.Code = code.PullRetryImmediately
	case store.NoMatchedLogicQueue, store.NoMessageInQueue:
		if h.QueueOffset != 0 {
			resp.Code = code.PullOffsetMoved
		} else {
			resp.Code = code.PullNotFound
		}
	case store.OffsetFoundNull, store.OffsetOverflowOne:
		resp.Code = code.PullNotFound
	default: // OffsetOverflowBadly, OffsetTooSmall
		resp.Code = code.PullOffsetMoved
	}
	if resp.Code == code.PullOffsetMoved && !b.cfg.Store.BrokerRole.IsMaster() && !b.cfg.Store.OffsetCheckInSlave {
		// A slave does not correct offsets (it may just lag the master): retry, on the group's broker.
		resp.Code = code.PullRetryImmediately
		rh.SuggestWhichBrokerID = sg.BrokerID
	}
	setPullResponseHeader(resp, &rh)

	if allowSuspend && h.SysFlag&header.PullFlagCommitOffset != 0 && b.cfg.Store.BrokerRole.IsMaster() {
		b.offsets.Commit(h.ConsumerGroup, h.Topic, h.QueueID, h.CommitOffset)
	}
	switch resp.Code {
	case code.Success:
		if req.IsOneway() {
			resp.Body = concatRecords(res.Messages) // never sent; nothing would release the pins
		} else {
			// Zero copy: the records go to the socket from the mapped CommitLog, whose files stay pinned until
			// the connection has written them (or dropped them).
			resp.SetBodySegments(res.TakeBody())
		}
	case code.PullNotFound:
		if allowSuspend && h.SysFlag&header.PullFlagSuspend != 0 {
			hold := time.Duration(h.SuspendTimeoutMillis) * time.Millisecond
			if !b.cfg.Broker.LongPollingEnable {
				hold = time.Duration(b.cfg.Broker.ShortPollingTimeMills) * time.Millisecond
			}
			if hold > 0 {
				b.holds.hold(c, req, h.Topic, h.QueueID, h.QueueOffset, hold)
				return nil, nil
			}
		}
	}
	return resp, nil
}

func concatRecords(recs [][]byte) []byte {
	n := 0
	for _, r := range recs {
		n += len(r)
	}
	out := make([]byte, 0, n)
	for _, r := range recs {
		out = append(out, r...)
	}
	return out
}

// buildSubscription parses a TAG expression the way Java FilterAPI.build does: "*" or "" subscribes to all,
// otherwise tags separated by "||".
func buildSubscription(topicName, expr, typ string) client.SubscriptionData {
	s := client.SubscriptionData{Topic: topicName, SubString: expr, ExpressionType: typ}
	if typ != "" && typ != "TAG" {
		return s
	}
	if expr == "" || expr == "*" {
		s.SubString = "*"
		return s
	}
	for _, t := range strings.Split(expr, "||") {
		if t = strings.TrimSpace(t); t != "" {
			s.TagsSet = append(s.TagsSet, t)
			s.CodeSet = append(s.CodeSet, compat.JavaStringHashCode(t))
		}
	}
	return s
}

// tagMatcher is the consume-queue filter: everything for "*", otherwise the tag hash codes. The codes are
// recomputed from tagsSet Java-style, since the Go client hashes bytes rather than UTF-16 units.
func tagMatcher(s *client.SubscriptionData) func(int64) bool {
	if s.SubString == "" || s.SubString == "*" || len(s.TagsSet) == 0 && len(s.CodeSet) == 0 {
		return nil
	}
	codes := make(map[int64]struct{}, len(s.TagsSet)+len(s.CodeSet))
	for _, t := range s.TagsSet {
		codes[int64(compat.JavaStringHashCode(t))] = struct{}{}
	}
	if len(s.TagsSet) == 0 {
		for _, c := range s.CodeSet {
			codes[int64(c)] = struct{}{}
		}
	}
	return func(tc int64) bool { _, ok := codes[tc]; return ok }
}

// compileFilter compiles a non-TAG subscription; only SQL92 is known (Java's other type, class filters, is gone).
func (b *Broker) compileFilter(sub client.SubscriptionData) (*filter.Expression, error) {
	if !strings.EqualFold(sub.ExpressionType, "SQL92") {
		return nil, fmt.Errorf("unknown expression type %q: use TAG or SQL92", sub.ExpressionType)
	}
	return b.dl.filters.Compile(sub.SubString)
}
