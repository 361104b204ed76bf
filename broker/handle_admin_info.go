package broker

// Runtime information for mqadmin: GET_BROKER_RUNTIME_INFO (28), GET_BROKER_CONFIG (26), GET_TOPIC_STATS_INFO (202),
// GET_CONSUME_STATS (208), GET_CONSUMER_CONNECTION_LIST (203), GET_PRODUCER_CONNECTION_LIST (204),
// QUERY_TOPIC_CONSUME_BY_WHO (300). Java: AdminBrokerProcessor.
// Bodies with Map<MessageQueue, X> use fastjson's object-key form, which Java's admin tools parse.
// The msgPut/msgGet day counters, tps windows and disk keys come from the store wrapper (admin_ext.go, broker/stats).
// remainHowManyDataToCommit is absent, as in Java without transientStorePoolEnable.

import (
	"sort"
	"strconv"
	"time"

	"github.com/rocketd/rocketd/broker/client"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// BrokerVersionDesc is what brokerVersionDesc reports: the 4.x version clients compare against.
const BrokerVersionDesc = "V4_9_8"

func (b *Broker) handleRuntimeInfo(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return jsonResponse(req, struct {
		Table map[string]string `json:"table"`
	}{b.runtimeInfo()})
}

// runtimeInfo is the GET_BROKER_RUNTIME_INFO table (also read by the /metrics collector).
func (b *Broker) runtimeInfo() map[string]string {
	t := map[string]string{
		"brokerVersionDesc":                     BrokerVersionDesc,
		"brokerVersion":                         strconv.Itoa(int(remoting.Version)),
		"msgPutTotalYesterdayMorning":           "0",
		"msgPutTotalTodayMorning":               "0",
		"msgPutTotalTodayNow":                   "0",
		"msgGetTotalYesterdayMorning":           "0",
		"msgGetTotalTodayMorning":               "0",
		"msgGetTotalTodayNow":                   "0",
		"sendThreadPoolQueueSize":               "0",
		"sendThreadPoolQueueCapacity":           strconv.Itoa(b.cfg.Broker.SendThreadPoolQueueCapacity),
		"pullThreadPoolQueueSize":               "0",
		"pullThreadPoolQueueCapacity":           strconv.Itoa(b.cfg.Broker.PullThreadPoolQueueCapacity),
		"queryThreadPoolQueueSize":              "0",
		"queryThreadPoolQueueCapacity":          strconv.Itoa(b.cfg.Broker.QueryThreadPoolQueueCapacity),
		"EndTransactionQueueSize":               "0",
		"EndTransactionThreadPoolQueueCapacity": strconv.Itoa(b.cfg.Broker.EndTransactionPoolQueueCapacity),
		"dispatchBehindBytes":                   "0",
		"pageCacheLockTimeMills":                "0",
		"sendThreadPoolQueueHeadWaitTimeMills":  "0",
		"pullThreadPoolQueueHeadWaitTimeMills":  "0",
		"queryThreadPoolQueueHeadWaitTimeMills": "0",
		"startAcceptSendRequestTimeStamp":       strconv.FormatInt(b.cfg.Broker.StartAcceptSendRequestTimeStamp, 10),
		"remainTransientStoreBufferNumbs":       "0",
		"remainHowManyDataToFlush":              "0",
		"bootTimestamp":                         strconv.FormatInt(b.bootTime.UnixMilli(), 10),
		"runtime":                               runtimeText(time.Since(b.bootTime)),
		"putTps":                                "0.0 0.0 0.0",
		"getTransferedTps":                      "0.0 0.0 0.0",
	}
	for _, p := range b.pools {
		switch p.Name() {
		case "SendMessageThread":
			t["sendThreadPoolQueueSize"] = strconv.Itoa(p.Waiting())
		case "PullMessageThread":
			t["pullThreadPoolQueueSize"] = strconv.Itoa(p.Waiting())
		case "QueryMessageThread":
			t["queryThreadPoolQueueSize"] = strconv.Itoa(p.Waiting())
		}
	}
	if ri, ok := b.store.(runtimeInfo); ok {
		for k, v := range ri.RuntimeInfo() {
			t[k] = v
		}
	}
	t["commitLogMinOffset"] = strconv.FormatInt(b.store.GetMinPhyOffset(), 10)
	t["commitLogMaxOffset"] = strconv.FormatInt(b.store.GetMaxPhyOffset(), 10)
	if _, ok := t["earliestMessageTimeStamp"]; !ok {
		t["earliestMessageTimeStamp"] = "0"
	}
	return t
}

// runtimeText is Java's "[ d days, h hours, m minutes, s seconds ]".
func runtimeText(d time.Duration) string {
	s := int64(d.Seconds())
	return "[ " + strconv.FormatInt(s/86400, 10) + " days, " + strconv.FormatInt(s/3600%24, 10) + " hours, " +
		strconv.FormatInt(s/60%60, 10) + " minutes, " + strconv.FormatInt(s%60, 10) + " seconds ]"
}

func (b *Broker) handleGetBrokerConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	props, err := conf.ToProperties(b.cfg.Targets()...)
	if err != nil {
		return nil, err
	}
	resp := remoting.NewResponse(req, code.Success, "")
	dv := b.topics.DataVersion()
	resp.ExtFields = map[string]string{"version": `{"counter":` + strconv.FormatInt(dv.Counter, 10) +
		`,"timestamp":` + strconv.FormatInt(dv.Timestamp, 10) + `}`}
	resp.Body = []byte(props.String())
	return resp, nil
}

// appendMQKey writes a MessageQueue as fastjson writes it as a map key: {"brokerName":..,"queueId":..,"topic":..}.
func appendMQKey(dst []byte, brokerName string, queueID int32, topicName string) []byte {
	dst = append(dst, `{"brokerName":`...)
	dst = strconv.AppendQuote(dst, brokerName)
	dst = append(dst, `,"queueId":`...)
	dst = strconv.AppendInt(dst, int64(queueID), 10)
	dst = append(dst, `,"topic":`...)
	dst = strconv.AppendQuote(dst, topicName)
	return append(dst, '}')
}

func (b *Broker) handleTopicStats(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetTopicStatsInfoRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	tc, ok := b.topics.Get(h.Topic)
	if !ok {
		return remoting.NewResponse(req, code.TopicNotExist, "topic["+h.Topic+"] not exist"), nil
	}
	out := []byte(`{"offsetTable":{`)
	for q := int32(0); q < tc.WriteQueueNums; q++ {
		if q > 0 {
			out = append(out, ',')
		}
		minO := max(b.store.GetMinOffsetInQueue(h.Topic, q), 0)
		maxO := max(b.store.GetMaxOffsetInQueue(h.Topic, q), 0)
		var last int64
		if maxO > 0 {
			last = b.store.GetMessageStoreTimeStamp(h.Topic, q, maxO-1)
		}
		out = appendMQKey(out, b.cfg.Broker.BrokerName, q, h.Topic)
		out = append(out, `:{"lastUpdateTimestamp":`...)
		out = strconv.AppendInt(out, last, 10)
		out = append(out, `,"maxOffset":`...)
		out = strconv.AppendInt(out, maxO, 10)
		out = append(out, `,"minOffset":`...)
		out = strconv.AppendInt(out, minO, 10)
		out = append(out, '}')
	}
	out = append(out, "}}"...)
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = out
	return resp, nil
}

func (b *Broker) handleConsumeStats(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetConsumeStatsRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	topics := []string{h.Topic}
	if h.Topic == "" {
		topics = b.offsets.TopicsOfGroup(h.ConsumerGroup)
	}
	out := []byte(`{"consumeTps":0.0,"offsetTable":{`)
	first := true
	for _, t := range topics {
		tc, ok := b.topics.Get(t)
		if !ok {
			continue
		}
		if _, subscribed := b.consumers.Subscription(h.ConsumerGroup, t); !subscribed {
			if snap, online := b.consumers.Snapshot(h.ConsumerGroup); online && len(snap.Subscriptions) > 0 {
				continue
			}
		}
		for q := int32(0); q < tc.ReadQueueNums; q++ {
			brokerOff := max(b.store.GetMaxOffsetInQueue(t, q), 0)
			consumerOff, _ := b.offsets.Query(h.ConsumerGroup, t, q)
			consumerOff = max(consumerOff, 0)
			var last int64
			if consumerOff > 0 {
				last = b.store.GetMessageStoreTimeStamp(t, q, consumerOff-1)
			}
			if !first {
				out = append(out, ',')
			}
			first = false
			out = appendOffsetWrapper(out, b.cfg.Broker.BrokerName, q, t, brokerOff, consumerOff, last)
		}
	}
	out = append(out, "}}"...)
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = out
	return resp, nil
}

type connectionJSON struct {
	ClientAddr string `json:"clientAddr"`
	ClientID   string `json:"clientId"`
	Language   string `json:"language"`
	Version    int32  `json:"version"`
}

func connections(chs []client.ChannelInfo) []connectionJSON {
	out := make([]connectionJSON, 0, len(chs))
	for _, ci := range chs {
		out = append(out, connectionJSON{ClientAddr: ci.Conn.RemoteAddr(), ClientID: ci.ClientID, Language: ci.Language.String(), Version: ci.Version})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ClientID < out[j].ClientID })
	return out
}

type subscriptionJSON struct {
	ClassFilterMode bool     `json:"classFilterMode"`
	CodeSet         []int32  `json:"codeSet"`
	ExpressionType  string   `json:"expressionType"`
	SubString       string   `json:"subString"`
	SubVersion      int64    `json:"subVersion"`
	TagsSet         []string `json:"tagsSet"`
	Topic           string   `json:"topic"`
}

func (b *Broker) handleConsumerConnectionList(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetConsumerConnectionListRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	snap, ok := b.consumers.Snapshot(h.ConsumerGroup)
	if !ok {
		return remoting.NewResponse(req, code.ConsumerNotOnline, "the consumer group["+h.ConsumerGroup+"] not online"), nil
	}
	subs := make(map[string]subscriptionJSON, len(snap.Subscriptions))
	for _, s := range snap.Subscriptions {
		et := s.ExpressionType
		if et == "" {
			et = "TAG"
		}
		subs[s.Topic] = subscriptionJSON{ClassFilterMode: s.ClassFilterMode, CodeSet: append([]int32{}, s.CodeSet...), ExpressionType: et,
			SubString: s.SubString, SubVersion: s.SubVersion, TagsSet: append([]string{}, s.TagsSet...), Topic: s.Topic}
	}
	return jsonResponse(req, struct {
		ConnectionSet     []connectionJSON            `json:"connectionSet"`
		ConsumeFromWhere  string                      `json:"consumeFromWhere"`
		ConsumeType       string                      `json:"consumeType"`
		MessageModel      string                      `json:"messageModel"`
		SubscriptionTable map[string]subscriptionJSON `json:"subscriptionTable"`
	}{connections(snap.Channels), snap.ConsumeFromWhere, snap.ConsumeType, snap.MessageModel, subs})
}

func (b *Broker) handleProducerConnectionList(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetProducerConnectionListRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	chs := b.producers.Channels(h.ProducerGroup)
	if len(chs) == 0 {
		return remoting.NewResponse(req, code.SystemError, "the producer group["+h.ProducerGroup+"] not exist"), nil
	}
	return jsonResponse(req, struct {
		ConnectionSet []connectionJSON `json:"connectionSet"`
	}{connections(chs)})
}

func (b *Broker) handleTopicConsumeByWho(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.QueryTopicConsumeByWhoRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	set := map[string]struct{}{}
	for _, g := range b.consumers.GroupsOfTopic(h.Topic) {
		set[g] = struct{}{}
	}
	for _, g := range b.offsets.GroupsOfTopic(h.Topic) {
		set[g] = struct{}{}
	}
	groups := make([]string, 0, len(set))
	for g := range set {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	return jsonResponse(req, struct {
		GroupList []string `json:"groupList"`
	}{groups})
}

// appendOffsetWrapper writes one offsetTable entry of ConsumeStats: the MessageQueue key and Java's
// OffsetWrapper {"brokerOffset","consumerOffset","lastTimestamp"} (fastjson's alphabetical order).
func appendOffsetWrapper(out []byte, brokerName string, q int32, topic string, brokerOff, consumerOff, last int64) []byte {
	out = appendMQKey(out, brokerName, q, topic)
	out = append(out, `:{"brokerOffset":`...)
	out = strconv.AppendInt(out, brokerOff, 10)
	out = append(out, `,"consumerOffset":`...)
	out = strconv.AppendInt(out, consumerOff, 10)
	out = append(out, `,"lastTimestamp":`...)
	out = strconv.AppendInt(out, last, 10)
	return append(out, '}')
}
