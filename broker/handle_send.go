package broker

// Produce: SEND_MESSAGE (10, v1 names), SEND_MESSAGE_V2 (310, one-letter names), SEND_BATCH_MESSAGE (320,
// V2 names, batch body). Java: SendMessageProcessor, AbstractSendMessageProcessor, BrokerFastFailure.
// Transactional sends (TRAN_MSG=true) become half messages (broker/txn); delayed messages are stored in
// SCHEDULE_TOPIC_XXXX by the store and delivered by broker/schedule; a send to %RETRY%<group> whose
// reconsumeTimes reached the maximum goes to %DLQ%<group> (routeRetry). Under SYNC_FLUSH / SYNC_MASTER a WAIT=true
// send is answered from the flush / the slave's acknowledgement (answerWhenDurable, answerReplicated; ha.go).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/rocketd/rocketd/broker/topic"
	"github.com/rocketd/rocketd/broker/txn"
	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
	"github.com/rocketd/rocketd/store"
)

// storedProperties encodes the properties as the Java broker stores them: in the iteration order of the HashMap
// it parsed the client's string into (so in bucket order, ties in the client string's order, then CLUSTER and
// anything else the broker added), and without WAIT, which only steers the flush wait.
func storedProperties(props map[string]string, client string) string {
	var small [16]string
	keys := small[:0]
	compat.RangeProperties(client, func(k, _ string) bool {
		if k != compat.PropertyWaitStoreMsgOK && props[k] != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
		return true
	})
	if _, ok := props[compat.PropertyCluster]; ok && !slices.Contains(keys, compat.PropertyCluster) {
		keys = append(keys, compat.PropertyCluster)
	}
	var extra []string
	for k := range props {
		if k != compat.PropertyWaitStoreMsgOK && !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	keys = append(keys, extra...)
	b := compat.AppendPropertiesInOrder(make([]byte, 0, len(client)+32), keys, props)
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is not used again: no second copy
}

const (
	dlqTopicPrefix = "%DLQ%"
	faqURL         = "\nSee http://rocketmq.apache.org/docs/faq/ for further details."
)

// sendBusy is the send processor's rejectRequest: the store cannot take writes quickly right now.
func (b *Broker) sendBusy() bool { return false }

func (b *Broker) handleSend(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	// Java's BrokerFastFailure: a send that waited in the queue too long is answered busy at once.
	if wait := time.Duration(b.cfg.Broker.WaitTimeMillsInSendQueue) * time.Millisecond; wait > 0 && !req.ReceivedAt().IsZero() {
		if waited := time.Since(req.ReceivedAt()); waited > wait {
			return remoting.NewResponse(req, code.SystemBusy, fmt.Sprintf(
				"[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: %dms, size of queue: %d",
				waited.Milliseconds(), 0)), nil
		}
	}
	st := getSendState()
	h, err := b.decodeSendHeader(req, &st.props)
	if err != nil {
		return nil, err
	}
	st.cmd = *remoting.NewResponse(req, code.SystemError, "")
	resp := &st.cmd
	resp.SetExtPairs(noExtPairs)
	resp.SetRecycler(st)
	tc, fail := b.checkSend(c, req, &h)
	if fail != nil {
		fail.ExtFields = map[string]string{}
		return fail, nil
	}
	queueID := h.QueueID
	if queueID < 0 {
		queueID = rand.Int32N(max(tc.WriteQueueNums, 1))
	}
	born, _ := netip.ParseAddrPort(c.RemoteAddr())
	m := &st.msg
	*m = store.Message{
		Topic:          h.Topic,
		QueueID:        queueID,
		Flag:           h.Flag,
		Body:           req.Body,
		SysFlag:        h.SysFlag,
		BornTimestamp:  h.BornTimestamp,
		BornHost:       born,
		StoreHost:      b.storeHost,
		ReconsumeTimes: h.ReconsumeTimes.Or(0),
	}
	if tc.TopicFilterType == "MULTI_TAG" {
		m.SysFlag |= compat.MultiTagsFlag
	}
	batch := h.Batch || req.Code == code.SendBatchMessage
	// The common send (no batch, no transaction) reads the few properties it needs from the client's string
	// and stores them re-ordered into a buffer, without a map (see appendStoredProperties).
	var props map[string]string
	var wait bool
	if batch || needsPropertyMap(h.Properties) {
		props = compat.DecodeProperties(h.Properties)
		wait = waitStoreMsgOK(props)
	} else {
		v, ok := compat.GetProperty(h.Properties, compat.PropertyWaitStoreMsgOK)
		wait = !ok || strings.EqualFold(v, "true")
	}
	oneway := req.IsOneway()
	// Under SYNC_FLUSH a send that waits for the disk is answered from the flush completion, off the send
	// worker, so one flush covers every send in flight (Java's asyncPutMessage); see answerWhenDurable.
	dw, async := b.rawStore().(durableWaiter)
	async = async && dw.SyncFlush() && wait

	// No context or timer per send: the store bounds its own flush wait (syncFlushTimeout).
	ctx := context.Background()
	var res store.PutResult
	if batch {
		if strings.HasPrefix(h.Topic, retryGroupTopicPrefix) {
			resp.Code, resp.Remark = code.MessageIllegal, "batch request does not support retry group "+h.Topic
			return resp, nil
		}
		props[compat.PropertyCluster] = b.cfg.Broker.BrokerClusterName
		res = b.store.PutMessages(ctx, &store.MessageBatch{
			Topic: m.Topic, QueueID: m.QueueID, Body: req.Body, Properties: props,
			PropertiesString: storedProperties(props, h.Properties), SysFlag: m.SysFlag, BornTimestamp: m.BornTimestamp,
			BornHost: m.BornHost, StoreHost: m.StoreHost, SkipFlushWait: async,
		})
	} else {
		if done, r := b.routeRetry(&h, req.Version, m, resp); done {
			return r, nil
		}
		if props == nil {
			st.stored = appendStoredProperties(st.stored[:0], h.Properties, b.cfg.Broker.BrokerClusterName)
			m.PropertiesString = unsafe.String(unsafe.SliceData(st.stored), len(st.stored))
			// Without the map the store takes WAIT as absent: a WAIT=false send must say it does not wait.
			m.SkipFlushWait = async || !wait
			m.NoMsgID = true // putResponse writes it into the state's buffer
		} else {
			props[compat.PropertyCluster] = b.cfg.Broker.BrokerClusterName
			m.Properties = props
			m.PropertiesString = storedProperties(props, h.Properties)
			m.SkipFlushWait = async
		}
		if strings.EqualFold(props[compat.PropertyTransactionPrepared], "true") { // Boolean.parseBoolean
			if b.cfg.Broker.RejectTransactionMessage {
				resp.Code = code.NoPermission
				resp.Remark = "the broker[" + b.cfg.Broker.BrokerIP1 + "] sending transaction message is forbidden"
				return resp, nil
			}
			// Java's asyncPrepareMessage: the half message; the send answer carries its queue offset.
			if _, created, _ := b.topics.CreateInSendMessageBack(txn.HalfTopic, 1, 6, 0); created {
				go b.registerAll(b.ctx, true)
			}
			txn.PrepareHalf(m)
		}
		res = b.store.PutMessage(ctx, m)
		m.Body, m.PropertiesString, m.Properties = nil, "", nil // the store copied them
	}
	// Under SYNC_MASTER a send that waits is answered once a slave has it (Java submitReplicaRequest).
	rw, replicate := b.rawStore().(replicaWaiter)
	if !replicate || !rw.SyncMaster() || !wait {
		rw = nil
	}
	if async && res.Status == store.PutOK {
		b.answerWhenDurable(c, oneway, st, dw, rw, res, queueID)
		return nil, nil
	}
	if rw != nil && res.Status == store.PutOK {
		b.answerReplicated(c, oneway, st, rw, res, res.Status, queueID)
		return nil, nil
	}
	b.putResponse(st, res, queueID)
	return resp, nil
}

// needsPropertyMap reports whether a send's properties take the map path: a transaction half (rewritten by
// txn.PrepareHalf) or a message the store redirects (DELAY, TIMER_*), whose re-encoded properties keep WAIT
// as Java's do (Java re-encodes them from its map, which still holds WAIT).
func needsPropertyMap(props string) bool {
	found := false
	compat.RangeProperties(props, func(k, _ string) bool {
		found = k == compat.PropertyTransactionPrepared || k == compat.PropertyDelayTimeLevel || strings.HasPrefix(k, "TIMER_")
		return !found
	})
	return found
}

// sendState is what one send needs beyond the request: the response with its extFields pairs, the message
// handed to the store, and buffers for the client's properties, the stored properties and the answer's
// msgId / queue offset text. It comes from a pool and goes back when the connection wrote the response
// (remoting.Command.SetRecycler); a send answered otherwise (an error, a response built elsewhere) drops it.
type sendState struct {
	cmd    remoting.Command
	kv     [10]string
	msg    store.Message
	props  []byte // the client's properties string, unescaped (decodeSendHeader)
	stored []byte // the properties as stored (appendStoredProperties)
	text   []byte // msgId and queue offset of the answer
}

var sendStates = sync.Pool{New: func() any {
	return &sendState{props: make([]byte, 0, 256), stored: make([]byte, 0, 256), text: make([]byte, 0, 128)}
}}

func getSendState() *sendState { return sendStates.Get().(*sendState) }

// Recycle is called by the connection once the response is written: nothing refers to the state any more.
func (s *sendState) Recycle() {
	s.cmd, s.kv, s.msg = remoting.Command{}, [10]string{}, store.Message{}
	if cap(s.props) > 64<<10 || cap(s.stored) > 64<<10 {
		return // an outsized message: let its buffers go
	}
	s.props, s.stored, s.text = s.props[:0], s.stored[:0], s.text[:0]
	sendStates.Put(s)
}

// noExtPairs is the empty extFields of a send response that is not SUCCESS ("extFields":{}).
var noExtPairs = []string{}

// sendResponseKeys are the send response's extFields keys in the order Java's HashMap writes them.
var sendResponseKeys = func() [5]string {
	k := []string{"MSG_REGION", "TRACE_ON", "msgId", "queueId", "queueOffset"}
	slices.Sort(k)
	compat.JavaHashMapOrder(k, 0)
	return [5]string(k)
}()

// answerReplicated writes the send response once a slave acknowledged the records (or FLUSH_SLAVE_TIMEOUT /
// SLAVE_NOT_AVAILABLE). It registers a callback with the store's group transfer: no goroutine or timer per
// send. flushStatus is the SYNC_FLUSH outcome; as in Java, a replication failure overrides it. The request
// is not kept (the router reuses it): the response already carries its opaque.
func (b *Broker) answerReplicated(c *remoting.Conn, oneway bool, st *sendState, rw replicaWaiter, res store.PutResult,
	flushStatus store.PutMessageStatus, queueID int32) {
	rw.WaitReplica(res, func(r store.PutResult) {
		if r.Status == store.PutOK {
			r.Status = flushStatus
		}
		b.putResponse(st, r, queueID)
		if !oneway {
			_ = c.Send(&st.cmd)
		}
	})
}

// durableWaiter is the store's SYNC_FLUSH completion (store.DefaultMessageStore).
type durableWaiter interface {
	SyncFlush() bool
	WhenDurable(r store.PutResult, done func(store.PutResult))
}

// waitStoreMsgOK is Java's Message.isWaitStoreMsgOK: WAIT absent or "true" (any case).
func waitStoreMsgOK(props map[string]string) bool {
	v, ok := props[compat.PropertyWaitStoreMsgOK]
	return !ok || strings.EqualFold(v, "true")
}

// answerWhenDurable writes the send response once the records are flushed (or FLUSH_DISK_TIMEOUT). It
// registers a callback with the store's group commit, like answerReplicated: no goroutine or timer per send,
// and the send worker is free to append the next messages, so one flush covers every send in flight.
func (b *Broker) answerWhenDurable(c *remoting.Conn, oneway bool, st *sendState, dw durableWaiter, rw replicaWaiter,
	res store.PutResult, queueID int32) {
	dw.WhenDurable(res, func(flushed store.PutResult) {
		if rw != nil {
			b.answerReplicated(c, oneway, st, rw, res, flushed.Status, queueID)
			return
		}
		b.putResponse(st, flushed, queueID)
		if !oneway {
			_ = c.Send(&st.cmd)
		}
	})
}

// checkSend is Java's msgCheck: broker and topic permissions, topic name, auto-creation and queue id.
func (b *Broker) checkSend(c *remoting.Conn, req *remoting.Command, h *header.SendMessageRequestHeader) (topic.TopicConfig, *remoting.Command) {
	fail := func(codeV int32, remark string) (topic.TopicConfig, *remoting.Command) {
		return topic.TopicConfig{}, remoting.NewResponse(req, codeV, remark)
	}
	if !topic.IsWriteable(int32(b.cfg.Broker.BrokerPermission)) {
		return fail(code.NoPermission, "the broker["+b.brokerAddr()+"] sending message is forbidden")
	}
	if err := topic.ValidateName(h.Topic); err != nil {
		return fail(code.SystemError, err.Error())
	}
	if b.topics.IsNotAllowedSend(h.Topic) {
		return fail(code.NoPermission, "Sending message to topic["+h.Topic+"] is forbidden.")
	}
	tc, ok := b.topics.Get(h.Topic)
	if !ok {
		var sysFlag int32
		if h.UnitMode {
			if strings.HasPrefix(h.Topic, retryGroupTopicPrefix) {
				sysFlag = 2 // unit-sub
			} else {
				sysFlag = 1 // unit
			}
		}
		var err error
		tc, ok, err = b.topics.CreateInSendMessage(h.Topic, h.DefaultTopic, c.RemoteAddr(), h.DefaultTopicQueueNums, sysFlag)
		if err != nil {
			b.log.Warn("auto-creating topic failed", "topic", h.Topic, "err", err)
		}
		if ok {
			go b.registerAll(b.ctx, true)
		}
		if !ok && strings.HasPrefix(h.Topic, retryGroupTopicPrefix) {
			tc, ok, _ = b.topics.CreateInSendMessageBack(h.Topic, 1, 6, sysFlag)
		}
		if !ok {
			if tc2, found := b.topics.Get(h.Topic); found {
				tc, ok = tc2, true
			}
		}
		if !ok {
			return fail(code.TopicNotExist, "topic["+h.Topic+"] not exist, apply first please!"+faqURL)
		}
	}
	if n := max(tc.WriteQueueNums, tc.ReadQueueNums); h.QueueID >= n {
		return fail(code.SystemError, fmt.Sprintf("request queueId[%d] is illegal, %s Producer: %s", h.QueueID, tc.String(), c.RemoteAddr()))
	}
	return tc, nil
}

// routeRetry sends a message for a %RETRY% topic to the DLQ once it was retried too often (Java
// handleRetryAndDLQ). It reports done=true with the response when the message must not be stored.
// As in Java, the DELAY the client sent stays in the properties (Java's DELAY=0 is lost when the properties
// are replaced), so a diverted message with a DELAY still passes through the schedule topic.
func (b *Broker) routeRetry(h *header.SendMessageRequestHeader, version int32, m *store.Message, resp *remoting.Command) (bool, *remoting.Command) {
	if !strings.HasPrefix(h.Topic, retryGroupTopicPrefix) {
		return false, nil
	}
	group := strings.TrimPrefix(h.Topic, retryGroupTopicPrefix)
	sg, ok := b.subgroups.FindOrCreate(group, b.cfg.Broker.AutoCreateSubscriptionGroup) // Java findSubscriptionGroupConfig
	if !ok {
		resp.Code, resp.Remark = code.SubscriptionGroupNotExist, "subscription group not exist, "+group+faqURL
		return true, resp
	}
	maxTimes := sg.RetryMaxTimes
	if version >= versionV349 {
		maxTimes = h.MaxReconsumeTimes.Or(maxTimes)
	}
	if h.ReconsumeTimes.Or(0) < maxTimes {
		return false, nil
	}
	dlq := dlqTopicPrefix + group
	tc, ok, err := b.topics.CreateInSendMessageBack(dlq, 1, 6, 0)
	if !ok {
		resp.Code, resp.Remark = code.SystemError, fmt.Sprintf("topic[%s] not exist: %v", dlq, err)
		return true, resp
	}
	m.Topic = dlq
	m.QueueID = rand.Int32N(max(tc.WriteQueueNums, 1))
	return false, nil
}

// putResponse maps a store result onto the send response (Java handlePutMessageResult), writing the extFields
// pairs into the state (no map) and the msgId (when the store left it to us) and queue offset into its buffer.
func (b *Broker) putResponse(st *sendState, res store.PutResult, queueID int32) {
	resp, kv := &st.cmd, &st.kv
	switch res.Status {
	case store.PutOK:
		resp.Code = code.Success
	case store.FlushDiskTimeout:
		resp.Code = code.FlushDiskTimeout
	case store.FlushSlaveTimeout:
		resp.Code = code.FlushSlaveTimeout
	case store.SlaveNotAvailable:
		resp.Code = code.SlaveNotAvailable
	case store.CreateMappedFileFailed:
		resp.Code, resp.Remark = code.SystemError, "create mapped file failed, server is busy or broken."
		if res.Err != nil {
			resp.Remark += " (" + res.Err.Error() + ")" // names the file and the disk that is full
		}
		return
	case store.MessageIllegal, store.PropertiesSizeExceeded:
		resp.Code = code.MessageIllegal
		resp.Remark = "the message is illegal, maybe msg body or properties length not matched. msg body length limit " +
			strconv.Itoa(b.cfg.Store.MaxMessageSize) + " bytes, msg properties length limit 32767 bytes."
		if res.Err != nil {
			resp.Remark += " (" + res.Err.Error() + ")"
		}
		return
	case store.ServiceNotAvailable:
		resp.Code = code.ServiceNotAvailable
		resp.Remark = "service not available now. It may be caused by one of the following reasons: the broker's disk is full, messages are put to the slave, message store has been shut down, etc."
		if res.Err != nil {
			resp.Remark += " (" + res.Err.Error() + ")"
		}
		return
	case store.WheelTimerNotEnable, store.WheelTimerMsgIllegal: // 5.x answers both with MESSAGE_ILLEGAL
		resp.Code, resp.Remark = code.MessageIllegal, "timer message refused"
		if res.Err != nil {
			resp.Remark = res.Err.Error()
		}
		return
	case store.OSPageCacheBusy:
		resp.Code, resp.Remark = code.SystemError, "[PC_SYNCHRONIZED]broker busy, start flow control for a while"
		return
	default:
		resp.Code, resp.Remark = code.SystemError, "UNKNOWN_ERROR"
		if res.Err != nil {
			resp.Remark += ": " + res.Err.Error()
		}
		return
	}
	msgID := res.MsgID
	text := st.text[:0]
	if msgID == "" && st.msg.NoMsgID {
		text = compat.AppendOffsetMessageID(text, b.storeHost, res.WroteOffset)
	}
	idEnd := len(text)
	text = strconv.AppendInt(text, res.LogicsOffset, 10)
	offEnd := len(text)
	text = strconv.AppendInt(text, int64(queueID), 10)
	st.text = text // text is not appended to again until the state is recycled: the strings below stay valid
	if idEnd > 0 {
		msgID = unsafe.String(unsafe.SliceData(text), idEnd)
	}
	for i, k := range sendResponseKeys {
		var v string
		switch k {
		case "msgId":
			v = msgID
		case "queueId":
			v = unsafe.String(&text[offEnd], len(text)-offEnd)
		case "queueOffset":
			v = unsafe.String(&text[idEnd], offEnd-idEnd)
		case "MSG_REGION":
			v = b.cfg.Broker.RegionID
		case "TRACE_ON":
			v = strconv.FormatBool(b.cfg.Broker.TraceOn)
		}
		kv[2*i], kv[2*i+1] = k, v
	}
	resp.SetExtPairs(kv[:])
}
