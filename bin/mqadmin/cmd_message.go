package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting/admin"
	"github.com/rocketd/rocketd/remoting/code"
)

// bodyDir is where Java's mqadmin writes message bodies (queryMsgById and friends print the file's path).
const bodyDir = "/tmp/rocketmq/msgbodys"

func writeBody(m *admin.Message, suffix string) string {
	p := filepath.Join(bodyDir, m.MsgID()+suffix)
	if err := os.MkdirAll(bodyDir, 0o755); err == nil {
		_ = os.WriteFile(p, m.Body, 0o644)
	}
	return p
}

// propsString is Java HashMap.toString of the message properties: {k=v, ...} in HashMap iteration order.
func propsString(m *admin.Message) string {
	keys := append([]string(nil), m.PropKeys...)
	compat.JavaHashMapOrder(keys, 0)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m.Props[k]
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func nullable(v string, ok bool) string {
	if !ok {
		return "null"
	}
	return v
}

// printMessage is Java printMsg / showMessage: withOffsetID prints the OffsetID line first (queryMsgById).
func printMessage(x *invocation, m *admin.Message, withOffsetID bool, bodySuffix string) {
	path := writeBody(m, bodySuffix)
	const s, d = "%-20s %s\n", "%-20s %d\n"
	if withOffsetID {
		x.printf(s, "OffsetID:", m.OffsetMsgID)
	}
	x.printf(s, "Topic:", m.Topic)
	x.printf(s, "Tags:", "["+nullable(m.Tags())+"]")
	x.printf(s, "Keys:", "["+nullable(m.Keys())+"]")
	x.printf(d, "Queue ID:", m.QueueID)
	x.printf(d, "Queue Offset:", m.QueueOffset)
	x.printf(d, "CommitLog Offset:", m.CommitLogOff)
	x.printf(d, "Reconsume Times:", m.ReconsumeTimes)
	x.printf(s, "Born Timestamp:", formatMillis(m.BornTimestamp))
	x.printf(s, "Store Timestamp:", formatMillis(m.StoreTimestamp))
	x.printf(s, "Born Host:", m.BornHost.String())
	x.printf(s, "Store Host:", m.StoreHost.String())
	x.printf(d, "System Flag:", m.SysFlag)
	x.printf(s, "Properties:", propsString(m))
	x.printf(s, "Message Body Path:", path)
	tracks, err := messageTrack(x, m)
	if err != nil {
		fmt.Fprintf(x.stderr, "mqadmin: message track: %v\n", err)
		return
	}
	if len(tracks) == 0 {
		x.printf("\n\nWARN: No Consumer")
		return
	}
	x.printf("\n\n")
	for _, t := range tracks {
		x.printf("%s", t)
	}
}

// messageTrack is Java messageTrackDetail: for each group with offsets on the message's topic, whether it
// consumed the message.
func messageTrack(x *invocation, m *admin.Message) ([]string, error) {
	route, _, err := x.admin.TopicRoute(x.ctx, m.Topic)
	if err != nil {
		return nil, err
	}
	var groups []string
	for _, bd := range route.BrokerDatas {
		one := &admin.TopicRouteData{BrokerDatas: []admin.BrokerData{bd}}
		if groups, err = x.admin.TopicConsumeByWho(x.ctx, one, m.Topic); err != nil {
			return nil, err
		}
		break // Java asks the first broker
	}
	var out []string
	track := func(g, typ, exc string) {
		out = append(out, fmt.Sprintf("MessageTrack [consumerGroup=%s, trackType=%s, exceptionDesc=%s]", g, typ, exc))
	}
	for _, g := range groups {
		cc, err := x.admin.ConsumerConnection(x.ctx, g, "")
		if err != nil {
			var re *admin.ResponseError
			if asResponse(err, &re) {
				typ := "UNKNOWN"
				if re.Code == code.ConsumerNotOnline {
					typ = "NOT_ONLINE"
				}
				track(g, typ, fmt.Sprintf("CODE:%d DESC:%s", re.Code, re.Remark))
			} else {
				track(g, "UNKNOWN", err.Error())
			}
			continue
		}
		switch cc.ConsumeType {
		case "CONSUME_ACTIVELY":
			track(g, "PULL", "null")
		case "CONSUME_PASSIVELY":
			consumed, err := messageConsumed(x, m, g)
			if err != nil {
				var re *admin.ResponseError
				typ := "UNKNOWN"
				if asResponse(err, &re) && re.Code == code.ConsumerNotOnline {
					typ = "NOT_ONLINE"
				}
				track(g, typ, err.Error())
				continue
			}
			if !consumed {
				track(g, "NOT_CONSUME_YET", "null")
				continue
			}
			typ := "CONSUMED"
			if sd, ok := cc.SubscriptionTable[m.Topic]; ok {
				tags, _ := m.Tags()
				if len(sd.TagsSet) > 0 && !contains(sd.TagsSet, tags) && !contains(sd.TagsSet, "*") {
					typ = "CONSUMED_BUT_FILTERED"
				}
			}
			track(g, typ, "null")
		default:
			track(g, "UNKNOWN", "null")
		}
	}
	return out, nil
}

// messageConsumed is Java consumed(): the group's committed offset on the message's queue (on the broker that
// stored it) is past the message.
func messageConsumed(x *invocation, m *admin.Message, group string) (bool, error) {
	cs, err := x.admin.ConsumeStats(x.ctx, group, "")
	if err != nil {
		return false, err
	}
	ci, err := x.admin.ClusterInfo(x.ctx)
	if err != nil {
		return false, err
	}
	for _, p := range cs.Offsets {
		if p.K.Topic != m.Topic || p.K.QueueID != m.QueueID {
			continue
		}
		if bd, ok := ci.BrokerAddrTable[p.K.BrokerName]; ok && bd.Addr(0) == m.StoreHost.String() && p.V.ConsumerOffset > m.QueueOffset {
			return true, nil
		}
	}
	return false, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// directResultString is ConsumeMessageDirectlyResult.toString.
func directResultString(v map[string]any) string {
	str := func(k string) string {
		if x, ok := v[k]; ok && x != nil {
			return fmt.Sprint(x)
		}
		return "null"
	}
	return fmt.Sprintf("ConsumeMessageDirectlyResult [order=%s, autoCommit=%s, consumeResult=%s, remark=%s, spentTimeMills=%s]",
		str("order"), str("autoCommit"), str("consumeResult"), str("remark"), str("spentTimeMills"))
}

var queryMsgByIDCmd = &command{
	name: "queryMsgById", desc: "Query Message by Id",
	opts: []option{
		{short: "i", long: "msgId", hasArg: true, required: true, desc: "Message Id"},
		{short: "g", long: "consumerGroup", hasArg: true, desc: "consumer group name"},
		{short: "d", long: "clientId", hasArg: true, desc: "The consumer's client id"},
		{short: "s", long: "sendMessage", hasArg: true, desc: "resend message"},
		{short: "u", long: "unitName", hasArg: true, desc: "unit name"},
	},
	run: func(x *invocation) error {
		var ids []string
		for _, id := range strings.Split(x.str("i"), ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
		switch {
		case x.has("g") && x.has("d"):
			for _, id := range ids {
				m, err := x.admin.ViewMessage(x.ctx, id)
				if err != nil {
					return err
				}
				r, err := x.admin.ConsumeMessageDirectly(x.ctx, m.StoreHost.String(), x.str("g"), x.str("d"), id)
				if err != nil {
					return err
				}
				x.printf("%s", directResultString(r))
			}
		case x.has("s"):
			if !boolOpt(x, "s", false) {
				return nil
			}
			for _, id := range ids {
				m, err := x.admin.ViewMessage(x.ctx, id)
				if err != nil {
					return err
				}
				x.printf("prepare resend msg. originalMsgId=%s", id)
				res, err := x.admin.Send(x.ctx, "ReSendMsgById", admin.OutMessage{Topic: m.Topic, Body: m.Body, Props: m.Props}, nil)
				if err != nil {
					return err
				}
				x.printf("SendResult [sendStatus=%s, msgId=%s, offsetMsgId=%s, messageQueue=%s, queueOffset=%d]",
					res.Status, res.MsgID, res.OffsetMsgID, mqString(res.Queue), res.QueueOffset)
			}
		default:
			for _, id := range ids {
				m, err := x.admin.ViewMessage(x.ctx, id)
				if err != nil {
					return err
				}
				printMessage(x, m, true, "")
			}
		}
		return nil
	},
}

var queryMsgByKeyCmd = &command{
	name: "queryMsgByKey", desc: "Query Message by Key",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "k", long: "msgKey", hasArg: true, required: true, desc: "Message Key"},
	},
	run: func(x *invocation) error {
		msgs, err := x.admin.QueryMessage(x.ctx, x.str("t"), x.str("k"), 64, 0, 1<<63-1, false)
		if err != nil {
			return err
		}
		x.printf("%-50s %4s %40s\n", "#Message ID", "#QID", "#Offset")
		for _, m := range msgs {
			x.printf("%-50s %4d %40d\n", m.MsgID(), m.QueueID, m.QueueOffset)
		}
		return nil
	},
}

var queryMsgByUniqueKeyCmd = &command{
	name: "queryMsgByUniqueKey", desc: "Query Message by Unique key",
	opts: []option{
		{short: "i", long: "msgId", hasArg: true, required: true, desc: "Message Id"},
		{short: "g", long: "consumerGroup", hasArg: true, desc: "consumer group name"},
		{short: "d", long: "clientId", hasArg: true, desc: "The consumer's client id"},
		{short: "t", long: "topic", hasArg: true, required: true, desc: "The topic of msg"},
		{short: "a", long: "showAll", desc: "Print all message, the limit is 32"},
	},
	run: func(x *invocation) error {
		t, id := x.str("t"), x.str("i")
		msgs, err := x.admin.QueryMessage(x.ctx, t, id, 32, 0, 1<<63-1, true)
		if err != nil {
			return err
		}
		if x.has("g") && x.has("d") {
			r, err := x.admin.ConsumeMessageDirectly(x.ctx, msgs[0].StoreHost.String(), x.str("g"), x.str("d"), msgs[0].OffsetMsgID)
			if err != nil {
				return err
			}
			x.printf("%s", directResultString(r))
			return nil
		}
		n := 1
		if x.has("a") {
			n = len(msgs)
		}
		for i := 0; i < n && i < len(msgs); i++ {
			suffix := ""
			if i > 0 {
				suffix = fmt.Sprintf("_%d", i)
			}
			printMessage(x, msgs[i], false, suffix)
		}
		return nil
	},
}

var sendMessageCmd = &command{
	name: "sendMessage", desc: "Send a message",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "Topic name"},
		{short: "p", long: "body", hasArg: true, required: true, desc: "UTF-8 string format of the message body"},
		{short: "k", long: "key", hasArg: true, desc: "Message keys"},
		{short: "c", long: "tags", hasArg: true, desc: "Message tags"},
		{short: "b", long: "broker", hasArg: true, desc: "Send message to target broker"},
		{short: "i", long: "qid", hasArg: true, desc: "Send message to target queue"},
		{short: "m", long: "msgTraceEnable", hasArg: true, desc: "Message Trace Enable, Default: false"},
	},
	run: func(x *invocation) error {
		m := admin.OutMessage{Topic: x.str("t"), Body: []byte(x.str("p")), Keys: x.str("k"), Tags: x.str("c")}
		var mq *admin.MessageQueue
		if x.has("i") {
			if !x.has("b") {
				x.printf("Broker name must be set if the queue is chosen!")
				return usageError{"-i needs -b (the broker name)"}
			}
			q, err := intOpt(x, "i", -1)
			if err != nil {
				return err
			}
			if q > -1 {
				mq = &admin.MessageQueue{Topic: m.Topic, BrokerName: x.str("b"), QueueID: int32(q)}
			}
		}
		if boolOpt(x, "m", false) {
			return fmt.Errorf("-m true (message trace) is not supported by this mqadmin yet; use Java's mqadmin")
		}
		group := fmt.Sprint(time.Now().UnixMilli())
		res, err := x.admin.Send(x.ctx, group, m, mq)
		if err != nil {
			return err
		}
		x.printf("%-32s  %-4s  %-20s    %s\n", "#Broker Name", "#QID", "#Send Result", "#MsgId")
		x.printf("%-32s  %-4d  %-20s    %s\n", res.Queue.BrokerName, res.Queue.QueueID, res.Status, res.MsgID)
		return nil
	},
}
