package broker

// Admin codes Java mqadmin uses beyond the basics. Java: AdminBrokerProcessor, BrokerStatsManager, BrokerStats.
//
//   - UPDATE_BROKER_CONFIG (25): body = properties text, applied to the running config (Java
//     Configuration.update). A brokerPermission change re-registers with the name servers.
//     Deliberate difference: keys named in configBlackList are not applied. Java 4.9.8 sets NO_PERMISSION,
//     applies them anyway and then answers SUCCESS; we answer SUCCESS too (mqadmin sees the same) but keep
//     the blacklisted values. Not done: Java also rewrites brokerConfigPath (persisting the change).
//   - GET_CONSUMER_RUNNING_INFO (307), CONSUME_MESSAGE_DIRECTLY (309): forwarded to the client's connection
//     as a new request with the same code, extFields and body (309: the stored record as body and brokerName
//     added); the client's response goes back unchanged (code, remark, extFields, body bytes). Client not
//     found -> 1 "The Consumer <g> <id> not online", timeout (10 s) -> 207, other errors -> 1.
//   - VIEW_BROKER_STATS_DATA (315): BrokerStatsData {statsMinute,statsHour,statsDay} of one named counter
//     (broker/stats); unknown -> 1 "The stats <name> <key> not exist".
//   - GET_ALL_PRODUCER_INFO (328): ProducerTableInfo {"data":{group:[ProducerInfo]}}; remoteIP is Netty's
//     "/ip:port" form.
//
// Broker statistics: b.store is wrapped by statsStore, which counts puts and gets (TOPIC_PUT_NUMS,
// GROUP_GET_NUMS, putTps, msgPutTotal*, ...) for GET_BROKER_RUNTIME_INFO and 315. Code that needs an optional
// capability of the real store must type-assert on b.rawStore(), not b.store.
//
//   - QUERY_CORRECTION_OFFSET (308), CLONE_GROUP_OFFSET (314), GET_BROKER_CONSUME_STATS (317): see their
//     handlers for the Java 4.9.8 bugs we do not copy.
//
//   - CLEAN_EXPIRED_CONSUMEQUEUE (306), CLEAN_UNUSED_TOPIC (316), DELETE_EXPIRED_COMMITLOG (329): the store's
//     CleanExpiredConsumerQueue, CleanUnusedTopic (topics without a config) and ExecuteDeleteFilesManually.
//
//   - QUERY_CONSUME_QUEUE (321, mqadmin queryCq): see handleQueryConsumeQueue.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rocketd/rocketd/broker/client"
	"github.com/rocketd/rocketd/broker/stats"
	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
	"github.com/rocketd/rocketd/store"
)

// adminExt holds the state of broker statistics and the extra admin codes.
type adminExt struct {
	stats    *stats.Manager
	storeSt  *stats.Store
	raw      store.MessageStore
	cfgMu    sync.Mutex // UPDATE_BROKER_CONFIG is serialised (Java: synchronized)
	clientTO time.Duration
}

// callClientTimeout is Java Broker2Client.callClient's invokeSync timeout.
const callClientTimeout = 10 * time.Second

// initAdminExt runs in New, after the managers and the store exist.
func (b *Broker) initAdminExt() error {
	b.ext.stats = stats.NewManager()
	b.ext.storeSt = &stats.Store{}
	b.ext.raw = b.store
	b.ext.clientTO = callClientTimeout
	b.store = &statsStore{MessageStore: b.store, b: b}
	return nil
}

// startAdminExt runs at the end of Start.
func (b *Broker) startAdminExt() {
	b.goLoop(func(ctx context.Context) {
		stats.Run(ctx, b.ext.stats, b.ext.storeSt, b.log.With("component", "stats"))
	})
}

// stopAdminExt runs in Close before the store shuts down.
func (b *Broker) stopAdminExt() {}

// rawStore is the message store under the statistics wrapper.
func (b *Broker) rawStore() store.MessageStore {
	if b.ext.raw != nil {
		return b.ext.raw
	}
	return b.store
}

// statsStore counts puts and gets on their way to the store.
type statsStore struct {
	store.MessageStore
	b *Broker
}

func (s *statsStore) PutMessage(ctx context.Context, msg *store.Message) store.PutResult {
	t0 := time.Now()
	r := s.MessageStore.PutMessage(ctx, msg)
	s.b.countPut(msg.Topic, r, time.Since(t0))
	return r
}

func (s *statsStore) PutMessages(ctx context.Context, batch *store.MessageBatch) store.PutResult {
	t0 := time.Now()
	r := s.MessageStore.PutMessages(ctx, batch)
	s.b.countPut(batch.Topic, r, time.Since(t0))
	return r
}

func (s *statsStore) GetMessage(group, topic string, queueID int32, offset int64, maxMsgNums int, filter store.MessageFilter) *store.GetMessageResult {
	t0 := time.Now()
	r := s.MessageStore.GetMessage(group, topic, queueID, offset, maxMsgNums, filter)
	if r != nil {
		found := r.Status == store.Found && len(r.Messages) > 0
		n := int64(len(r.Messages))
		s.b.ext.storeSt.ObserveGet(found, n, time.Since(t0))
		if found {
			s.b.ext.stats.AddPair(stats.GroupGetNums, topic, group, n, 1)
			s.b.ext.stats.AddPair(stats.GroupGetSize, topic, group, int64(r.BufferTotalSize), 1)
			s.b.ext.stats.Add(stats.BrokerGetNums, s.b.cfg.Broker.BrokerClusterName, n, 1)
		}
	}
	return r
}

// DeleteTopic and RuntimeInfo keep the optional capabilities handlers look for on b.store.
func (s *statsStore) DeleteTopic(topic string) {
	if d, ok := s.MessageStore.(topicDeleter); ok {
		d.DeleteTopic(topic)
	}
}

// DispatchBehindBytes and FlushBehindBytes report the store's lags (-1: the store does not tell).
func (s *statsStore) DispatchBehindBytes() int64 {
	if d, ok := s.MessageStore.(interface{ DispatchBehindBytes() int64 }); ok {
		return d.DispatchBehindBytes()
	}
	return -1
}

func (s *statsStore) FlushBehindBytes() int64 {
	if d, ok := s.MessageStore.(interface{ FlushBehindBytes() int64 }); ok {
		return d.FlushBehindBytes()
	}
	return -1
}

func (s *statsStore) RuntimeInfo() map[string]string {
	out := map[string]string{}
	if ri, ok := s.MessageStore.(runtimeInfo); ok {
		for k, v := range ri.RuntimeInfo() {
			out[k] = v
		}
	}
	for k, v := range s.b.ext.storeSt.RuntimeInfo() {
		out[k] = v
	}
	for k, v := range s.b.diskInfo() {
		out[k] = v
	}
	return out
}

func (b *Broker) countPut(topicName string, r store.PutResult, d time.Duration) {
	n := int64(max(r.MsgNum, 1))
	b.ext.storeSt.ObservePut(r.OK(), n, int64(r.WroteBytes), d)
	if r.OK() {
		b.ext.stats.Add(stats.TopicPutNums, topicName, n, 1)
		b.ext.stats.Add(stats.TopicPutSize, topicName, int64(r.WroteBytes), 1)
		b.ext.stats.Add(stats.BrokerPutNums, b.cfg.Broker.BrokerClusterName, n, 1)
	}
}

// ---- UPDATE_BROKER_CONFIG (25)

func (b *Broker) handleUpdateBrokerConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	if len(req.Body) == 0 {
		return remoting.NewResponse(req, code.Success, ""), nil
	}
	props, err := conf.Parse(req.Body)
	if err != nil {
		return remoting.NewResponse(req, code.SystemError, "string2Properties error"), nil
	}
	b.ext.cfgMu.Lock()
	defer b.ext.cfgMu.Unlock()
	black := map[string]bool{}
	for _, k := range strings.Split(b.cfg.Broker.ConfigBlackList, ";") {
		if k = strings.TrimSpace(k); k != "" {
			black[k] = true
		}
	}
	apply := conf.NewProperties()
	var refused []string
	for _, k := range props.Keys() {
		v, _ := props.Get(k)
		if black[k] {
			refused = append(refused, k)
			continue
		}
		apply.Set(k, v)
	}
	// Like Java's properties2Object, a value that does not fit its field is skipped; the rest applies.
	warnings, err := conf.Apply(apply, b.cfg.Targets()...)
	b.log.Info("updateBrokerConfig", "client", c.RemoteAddr(), "keys", apply.Keys(), "refused", refused,
		"warnings", warnings, "err", err)
	if _, ok := apply.Get("brokerPermission"); ok {
		b.topics.SetBrokerPermission(int32(b.cfg.Broker.BrokerPermission))
		b.topicsChanged()
	}
	b.timerSettingsChanged(apply)
	return remoting.NewResponse(req, code.Success, ""), nil
}

// readConfig runs f with the configuration locked against UPDATE_BROKER_CONFIG, for background loops that
// re-read settings at run time (e.g. transactionCheckInterval). f must not block.
func (b *Broker) readConfig(f func(cfg *conf.Broker)) {
	b.ext.cfgMu.Lock()
	defer b.ext.cfgMu.Unlock()
	f(b.cfg)
}

// ---- GET_CONSUMER_RUNNING_INFO (307), CONSUME_MESSAGE_DIRECTLY (309)

func (b *Broker) handleConsumerRunningInfo(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return b.callConsumer(req, req.Ext("consumerGroup"), req.Ext("clientId"), req.ExtFields, req.Body), nil
}

func (b *Broker) handleConsumeMessageDirectly(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	ext := make(map[string]string, len(req.ExtFields)+1)
	for k, v := range req.ExtFields {
		ext[k] = v
	}
	ext["brokerName"] = b.cfg.Broker.BrokerName
	_, phy, err := compat.DecodeOffsetMessageID(req.Ext("msgId"))
	if err != nil {
		return remoting.NewResponse(req, code.SystemError, "invalid msgId "+req.Ext("msgId")+": "+err.Error()), nil
	}
	rec, err := b.store.LookMessageByOffset(phy)
	if err != nil || len(rec) == 0 {
		return remoting.NewResponse(req, code.SystemError, fmt.Sprintf("message not found at offset %d", phy)), nil
	}
	return b.callConsumer(req, req.Ext("consumerGroup"), req.Ext("clientId"), ext, rec), nil
}

// callConsumer sends a new request with req's code to the client's connection and returns its answer as ours.
func (b *Broker) callConsumer(req *remoting.Command, group, clientID string, ext map[string]string, body []byte) *remoting.Command {
	conn := b.consumers.FindChannel(group, clientID)
	if conn == nil {
		return remoting.NewResponse(req, code.SystemError, fmt.Sprintf("The Consumer <%s> <%s> not online", group, clientID))
	}
	fwdExt := make(map[string]string, len(ext))
	for k, v := range ext {
		fwdExt[k] = v
	}
	ctx := b.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	resp, err := conn.Invoke(ctx, remoting.NewRequest(req.Code, fwdExt, body), b.ext.clientTO)
	if err != nil {
		if errors.Is(err, remoting.ErrTimeout) {
			return remoting.NewResponse(req, code.ConsumeMsgTimeout, fmt.Sprintf("consumer <%s> <%s> Timeout: %v", group, clientID, err))
		}
		return remoting.NewResponse(req, code.SystemError, fmt.Sprintf("invoke consumer <%s> <%s> Exception: %v", group, clientID, err))
	}
	out := *resp
	out.Opaque = req.Opaque
	out.Flag |= remoting.FlagResponse
	return &out
}

// ---- VIEW_BROKER_STATS_DATA (315)

func (b *Broker) handleViewBrokerStatsData(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	name, key := req.Ext("statsName"), req.Ext("statsKey")
	it := b.ext.stats.Get(name, key)
	if it == nil {
		return remoting.NewResponse(req, code.SystemError, fmt.Sprintf("The stats <%s> <%s> not exist", name, key)), nil
	}
	out := []byte(`{"statsDay":`)
	out = appendStatsItem(out, it.Day())
	out = append(out, `,"statsHour":`...)
	out = appendStatsItem(out, it.Hour())
	out = append(out, `,"statsMinute":`...)
	out = appendStatsItem(out, it.Minute())
	out = append(out, '}')
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = out
	return resp, nil
}

// appendStatsItem writes a BrokerStatsItem the way fastjson does: {"avgpt":D,"sum":N,"tps":D}.
func appendStatsItem(dst []byte, s stats.Snapshot) []byte {
	dst = append(dst, `{"avgpt":`...)
	dst = appendJavaDouble(dst, s.Avgpt)
	dst = append(dst, `,"sum":`...)
	dst = strconv.AppendInt(dst, s.Sum, 10)
	dst = append(dst, `,"tps":`...)
	dst = appendJavaDouble(dst, s.Tps)
	return append(dst, '}')
}

func appendJavaDouble(dst []byte, f float64) []byte {
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
	for _, ch := range dst[n:] {
		if ch == '.' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

// ---- GET_ALL_PRODUCER_INFO (328)

func (b *Broker) handleAllProducerInfo(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	type producerInfo struct {
		ClientID            string `json:"clientId"`
		LastUpdateTimestamp int64  `json:"lastUpdateTimestamp"`
		Language            string `json:"language"`
		RemoteIP            string `json:"remoteIP"`
		Version             int32  `json:"version"`
	}
	data := map[string][]producerInfo{}
	for g, chs := range b.producers.Groups() {
		l := make([]producerInfo, 0, len(chs))
		for _, ci := range chs {
			l = append(l, producerInfo{ClientID: ci.ClientID, LastUpdateTimestamp: ci.LastUpdate.UnixMilli(),
				Language: ci.Language.String(), RemoteIP: "/" + ci.Conn.RemoteAddr(), Version: ci.Version})
		}
		sort.Slice(l, func(i, j int) bool { return l[i].ClientID < l[j].ClientID })
		data[g] = l
	}
	return jsonResponse(req, struct {
		Data map[string][]producerInfo `json:"data"`
	}{data})
}

// ---- QUERY_CORRECTION_OFFSET (308)

// handleQueryCorrectionOffset answers, per queue of topic, the smallest offset any group (except filterGroups,
// comma-separated) has committed at or above the queue's min offset; a queue where that minimum is above
// compareGroup's offset gets Long.MAX_VALUE. Body {"correctionOffsets":{0:N,...}}.
// Deliberate difference: Java 4.9.8 removes the filterGroups' entries from the live offset table while
// computing this (it edits the table's key set), deleting those groups' offsets; we only skip them. A queue
// of compareGroup with no minimum makes Java fail with a NullPointerException; we leave it out.
func (b *Broker) handleQueryCorrectionOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	topicName, compare := req.Ext("topic"), req.Ext("compareGroup")
	if topicName == "" || compare == "" {
		return remoting.NewResponse(req, code.SystemError, "the custom field <topic> or <compareGroup> is null"), nil
	}
	skip := map[string]bool{}
	for _, g := range strings.Split(req.Ext("filterGroups"), ",") {
		if g = strings.TrimSpace(g); g != "" {
			skip[g] = true
		}
	}
	correction := map[int32]int64{}
	for _, g := range b.offsets.GroupsOfTopic(topicName) {
		if skip[g] {
			continue
		}
		for q, off := range b.offsets.QueryAll(g, topicName) {
			if off < b.store.GetMinOffsetInQueue(topicName, q) {
				continue
			}
			if cur, ok := correction[q]; !ok || off < cur {
				correction[q] = off
			}
		}
	}
	for q, off := range b.offsets.QueryAll(compare, topicName) {
		if cur, ok := correction[q]; ok && cur > off {
			correction[q] = math.MaxInt64
		}
	}
	qs := make([]int32, 0, len(correction))
	for q := range correction {
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i] < qs[j] })
	out := []byte(`{"correctionOffsets":{`)
	for i, q := range qs {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendInt(out, int64(q), 10)
		out = append(out, ':')
		out = strconv.AppendInt(out, correction[q], 10)
	}
	out = append(out, "}}"...)
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = out
	return resp, nil
}

// ---- CLONE_GROUP_OFFSET (314)

// handleCloneGroupOffset copies srcGroup's offsets to destGroup for topic (blank: every topic of srcGroup).
// Unless offline=true, a topic the online srcGroup does not subscribe to is skipped, as in Java.
// Deliberate difference: with a blank topic Java 4.9.8 clones the offsets of topic "" (nothing) for every
// topic it visits; we clone each visited topic. mqadmin cloneGroupOffset always sends a topic.
func (b *Broker) handleCloneGroupOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	src, dest, topicName := req.Ext("srcGroup"), req.Ext("destGroup"), req.Ext("topic")
	if src == "" || dest == "" {
		return remoting.NewResponse(req, code.SystemError, "the custom field <srcGroup> or <destGroup> is null"), nil
	}
	offline, _ := strconv.ParseBool(req.Ext("offline"))
	topics := []string{topicName}
	if strings.TrimSpace(topicName) == "" {
		topics = b.offsets.TopicsOfGroup(src)
	}
	for _, t := range topics {
		if _, ok := b.topics.Get(t); !ok {
			continue
		}
		if !offline {
			if _, subscribed := b.consumers.Subscription(src, t); !subscribed {
				if snap, online := b.consumers.Snapshot(src); online && len(snap.Subscriptions) > 0 {
					continue
				}
			}
		}
		b.offsets.CloneOffset(src, dest, t)
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}

// ---- GET_BROKER_CONSUME_STATS (317)

// handleBrokerConsumeStats is Java fetchAllConsumeStatsInBroker: for every subscription group, ConsumeStats of
// each topic it has offsets on (write queues; isOrder=true keeps order topics only), body
// {"brokerAddr":..,"consumeStatsList":[{group:[ConsumeStats,...]},...],"totalDiff":N}.
func (b *Broker) handleBrokerConsumeStats(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	isOrder, _ := strconv.ParseBool(req.Ext("isOrder"))
	groups := b.subgroups.All()
	sort.Slice(groups, func(i, j int) bool { return groups[i].GroupName < groups[j].GroupName })
	var total int64
	out := []byte(`{"brokerAddr":`)
	out = strconv.AppendQuote(out, b.brokerAddr())
	out = append(out, `,"consumeStatsList":[`...)
	for gi, g := range groups {
		if gi > 0 {
			out = append(out, ',')
		}
		out = append(out, '{')
		out = strconv.AppendQuote(out, g.GroupName)
		out = append(out, ":["...)
		first := true
		for _, t := range b.offsets.TopicsOfGroup(g.GroupName) {
			tc, ok := b.topics.Get(t)
			if !ok || (isOrder && !tc.Order) {
				continue
			}
			if _, subscribed := b.consumers.Subscription(g.GroupName, t); !subscribed {
				if snap, online := b.consumers.Snapshot(g.GroupName); online && len(snap.Subscriptions) > 0 {
					continue
				}
			}
			if !first {
				out = append(out, ',')
			}
			first = false
			var tps float64
			if it := b.ext.stats.Get(stats.GroupGetNums, t+"@"+g.GroupName); it != nil {
				tps = it.Minute().Tps
			}
			out = append(out, `{"consumeTps":`...)
			out = appendJavaDouble(out, tps)
			out = append(out, `,"offsetTable":{`...)
			for q := int32(0); q < tc.WriteQueueNums; q++ {
				brokerOff := max(b.store.GetMaxOffsetInQueue(t, q), 0)
				consumerOff, _ := b.offsets.Query(g.GroupName, t, q)
				consumerOff = max(consumerOff, 0)
				var last int64
				if consumerOff > 0 {
					last = max(b.store.GetMessageStoreTimeStamp(t, q, consumerOff-1), 0)
				}
				total += brokerOff - consumerOff
				if q > 0 {
					out = append(out, ',')
				}
				out = appendOffsetWrapper(out, b.cfg.Broker.BrokerName, q, t, brokerOff, consumerOff, last)
			}
			out = append(out, "}}"...)
		}
		out = append(out, "]}"...)
	}
	out = append(out, `],"totalDiff":`...)
	out = strconv.AppendInt(out, total, 10)
	out = append(out, '}')
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = out
	return resp, nil
}

// ---- not implemented yet

// ---- QUERY_CONSUME_QUEUE (321)

type consumeQueueViewer interface {
	ViewConsumeQueue(topic string, queueID int32, index int64, count int) (store.ConsumeQueueView, bool)
}

// consumeQueueData is Java's ConsumeQueueData as fastjson writes it: eval always, the ext fields only for units
// whose tagsCode addresses a ConsumeQueueExt record (never here: rocketd has no consume queue ext).
type consumeQueueData struct {
	Eval         bool  `json:"eval"`
	PhysicOffset int64 `json:"physicOffset"`
	PhysicSize   int32 `json:"physicSize"`
	TagsCode     int64 `json:"tagsCode"`
}

type queryConsumeQueueBody struct {
	FilterData       *string                  `json:"filterData,omitempty"`
	MaxQueueIndex    int64                    `json:"maxQueueIndex"`
	MinQueueIndex    int64                    `json:"minQueueIndex"`
	QueueData        []consumeQueueData       `json:"queueData"`
	SubscriptionData *client.SubscriptionData `json:"subscriptionData,omitempty"`
}

// handleQueryConsumeQueue is Java queryConsumeQueue: the queue's min/max index and up to count units from index
// on (one consume queue file at most), plus, when consumerGroup is given, the group's subscription of topic
// (filterData "<group>@<topic> is not online!" when it has none; "null" for a TAG subscription, which has no
// consumer filter data).
//   - unknown queue: SYSTEM_ERROR "<queueId>@<topic> is not exist!". Java's store creates a queue's consume
//     queue on the first look-up of its offsets, so a queue of an existing topic never looked at answers
//     this; here a queue within the topic's queue count counts as existing (empty).
//   - index below the min or not written: SUCCESS with no body and remark "Index <i> of <q>@<topic> is not
//     exist!" (Java mqadmin 4.9.8 then fails with a NullPointerException).
func (b *Broker) handleQueryConsumeQueue(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.QueryConsumeQueueRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return remoting.NewResponse(req, code.SystemError, err.Error()), nil
	}
	viewer, ok := b.rawStore().(consumeQueueViewer)
	if !ok {
		return remoting.NotSupported(req), nil
	}
	v, exists := viewer.ViewConsumeQueue(h.Topic, h.QueueID, h.Index, int(h.Count))
	if !exists {
		tc, known := b.topics.Get(h.Topic)
		if !known || h.QueueID < 0 || h.QueueID >= max(tc.ReadQueueNums, tc.WriteQueueNums) {
			return remoting.NewResponse(req, code.SystemError, fmt.Sprintf("%d@%s is not exist!", h.QueueID, h.Topic)), nil
		}
	}
	body := queryConsumeQueueBody{MaxQueueIndex: v.MaxIndex, MinQueueIndex: v.MinIndex}
	if _, set := req.ExtFields["consumerGroup"]; set {
		if sd, online := b.consumers.Subscription(h.ConsumerGroup, h.Topic); online {
			body.SubscriptionData = &sd
			fd := "null"
			if sd.ExpressionType != "" && sd.ExpressionType != "TAG" {
				fd = fmt.Sprintf("{\n\t\"consumerGroup\":%q,\n\t\"expression\":%q,\n\t\"expressionType\":%q,\n\t\"topic\":%q\n}",
					h.ConsumerGroup, sd.SubString, sd.ExpressionType, h.Topic)
			}
			body.FilterData = &fd
		} else {
			fd := fmt.Sprintf("%s@%s is not online!", h.ConsumerGroup, h.Topic)
			body.FilterData = &fd
		}
	}
	if v.Units == nil {
		return remoting.NewResponse(req, code.Success,
			fmt.Sprintf("Index %d of %d@%s is not exist!", h.Index, h.QueueID, h.Topic)), nil
	}
	body.QueueData = make([]consumeQueueData, 0, len(v.Units))
	for _, u := range v.Units {
		body.QueueData = append(body.QueueData, consumeQueueData{PhysicOffset: u.PhyOffset, PhysicSize: u.Size, TagsCode: u.TagsCode})
	}
	return jsonResponse(req, body)
}

// Store clean-up capabilities behind CLEAN_EXPIRED_CONSUMEQUEUE, CLEAN_UNUSED_TOPIC and DELETE_EXPIRED_COMMITLOG.
type (
	expiredQueueCleaner interface{ CleanExpiredConsumerQueue() int }
	unusedTopicCleaner  interface {
		CleanUnusedTopic(keep func(topic string) bool) int
	}
	manualDeleter interface{ ExecuteDeleteFilesManually() }
)

// handleCleanExpiredConsumeQueue drops consume queues whose messages were all deleted (306).
func (b *Broker) handleCleanExpiredConsumeQueue(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	cl, ok := b.rawStore().(expiredQueueCleaner)
	if !ok {
		return remoting.NotSupported(req), nil
	}
	n := cl.CleanExpiredConsumerQueue()
	b.log.Info("cleanExpiredConsumeQueue", "queues", n, "remote", c.RemoteAddr())
	return remoting.NewResponse(req, code.Success, ""), nil
}

// handleCleanUnusedTopic drops the consume queues of topics the broker no longer has a config for (316).
func (b *Broker) handleCleanUnusedTopic(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	cl, ok := b.rawStore().(unusedTopicCleaner)
	if !ok {
		return remoting.NotSupported(req), nil
	}
	n := cl.CleanUnusedTopic(func(topic string) bool { _, ok := b.topics.Get(topic); return ok })
	b.log.Info("cleanUnusedTopic", "topics", n, "remote", c.RemoteAddr())
	return remoting.NewResponse(req, code.Success, ""), nil
}

// handleDeleteExpiredCommitLog deletes expired CommitLog files now instead of at deleteWhen (329).
func (b *Broker) handleDeleteExpiredCommitLog(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	d, ok := b.rawStore().(manualDeleter)
	if !ok {
		return remoting.NotSupported(req), nil
	}
	d.ExecuteDeleteFilesManually()
	return remoting.NewResponse(req, code.Success, ""), nil
}
