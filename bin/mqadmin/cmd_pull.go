package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rocketd/rocketd/remoting/admin"
)

// javaBytes is Arrays.toString(byte[]): signed decimal bytes.
func javaBytes(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = strconv.Itoa(int(int8(c)))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// messageExtString is Java MessageExt.toString of a pulled message.
func messageExtString(m *admin.Message) string {
	txID := "null"
	if m.Props["TRAN_MSG"] == "true" {
		txID = m.Props["UNIQ_KEY"]
	}
	return fmt.Sprintf("MessageExt [brokerName=%s, queueId=%d, storeSize=%d, queueOffset=%d, sysFlag=%d, bornTimestamp=%d, bornHost=/%s, storeTimestamp=%d, storeHost=/%s, msgId=%s, commitLogOffset=%d, bodyCRC=%d, reconsumeTimes=%d, preparedTransactionOffset=%d, toString()=Message{topic='%s', flag=%d, properties=%s, body=%s, transactionId='%s'}]",
		nullStr(m.BrokerName), m.QueueID, m.StoreSize, m.QueueOffset, m.SysFlag, m.BornTimestamp, m.BornHost, m.StoreTimestamp,
		m.StoreHost, m.OffsetMsgID, m.CommitLogOff, m.BodyCRC, m.ReconsumeTimes, m.PreparedTxOff, m.Topic, m.Flag,
		propsString(m), javaBytes(m.Body), txID)
}

// brokerOf returns the master address of brokerName in topic's route.
func brokerOf(route *admin.TopicRouteData, brokerName string) (string, error) {
	for _, bd := range route.BrokerDatas {
		if bd.BrokerName == brokerName {
			if a := bd.SelectAddr(); a != "" {
				return a, nil
			}
		}
	}
	return "", fmt.Errorf("broker %s is not in the route", brokerName)
}

// timestampOpt is printMsg's -b/-e: milliseconds or yyyy-MM-dd#HH:mm:ss:SSS.
func timestampOpt(x *invocation, short string) (int64, error) {
	s := x.str(short)
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ms, nil
	}
	t, err := time.ParseInLocation("2006-01-02#15:04:05:000", s, time.Local)
	if err != nil {
		return 0, badValue(short, s, "milliseconds since the epoch or yyyy-MM-dd#HH:mm:ss:SSS")
	}
	return t.UnixMilli(), nil
}

// queueRange is a queue's [min, max) offsets, narrowed by -b / -e timestamps.
func queueRange(x *invocation, addr string, mq admin.MessageQueue) (int64, int64, error) {
	minOff, err := x.admin.MinOffset(x.ctx, addr, mq)
	if err != nil {
		return 0, 0, err
	}
	maxOff, err := x.admin.MaxOffset(x.ctx, addr, mq)
	if err != nil {
		return 0, 0, err
	}
	if x.has("b") {
		ts, err := timestampOpt(x, "b")
		if err != nil {
			return 0, 0, err
		}
		if minOff, err = x.admin.SearchOffset(x.ctx, addr, mq, ts); err != nil {
			return 0, 0, err
		}
	}
	if x.has("e") {
		ts, err := timestampOpt(x, "e")
		if err != nil {
			return 0, 0, err
		}
		if maxOff, err = x.admin.SearchOffset(x.ctx, addr, mq, ts); err != nil {
			return 0, 0, err
		}
	}
	return minOff, maxOff, nil
}

// readQueues lists the topic's readable queues (Java fetchSubscribeMessageQueues). Java iterates them as a
// HashSet; here they are in queue order.
func readQueues(topic string, route *admin.TopicRouteData) []admin.MessageQueue {
	var mqs []admin.MessageQueue
	for _, q := range route.QueueDatas {
		if q.Perm&4 == 0 {
			continue
		}
		for i := int32(0); i < q.ReadQueueNums; i++ {
			mqs = append(mqs, admin.MessageQueue{Topic: topic, BrokerName: q.BrokerName, QueueID: i})
		}
	}
	sort.Slice(mqs, func(i, j int) bool { return mqs[i].Less(mqs[j]) })
	return mqs
}

func mqString(mq admin.MessageQueue) string {
	return fmt.Sprintf("MessageQueue [topic=%s, brokerName=%s, queueId=%d]", mq.Topic, mq.BrokerName, mq.QueueID)
}

var printMsgCmd = &command{
	name: "printMsg", desc: "Print Message Detail",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "c", long: "charsetName ", hasArg: true, desc: "CharsetName(eg: UTF-8,GBK)"},
		{short: "s", long: "subExpression ", hasArg: true, desc: "Subscribe Expression(eg: TagA || TagB)"},
		{short: "b", long: "beginTimestamp ", hasArg: true, desc: "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
		{short: "e", long: "endTimestamp ", hasArg: true, desc: "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
		{short: "d", long: "printBody ", hasArg: true, desc: "print body"},
	},
	run: func(x *invocation) error {
		t := x.str("t")
		if x.has("c") && !strings.EqualFold(x.str("c"), "UTF-8") {
			return fmt.Errorf("-c %s: only UTF-8 is supported by this mqadmin", x.str("c"))
		}
		sub := "*"
		if x.has("s") {
			sub = x.str("s")
		}
		printBody := !x.has("d") || strings.EqualFold(x.str("d"), "true")
		route, _, err := x.admin.TopicRoute(x.ctx, t)
		if err != nil {
			return err
		}
		for _, mq := range readQueues(t, route) {
			addr, err := brokerOf(route, mq.BrokerName)
			if err != nil {
				return err
			}
			minOff, maxOff, err := queueRange(x, addr, mq)
			if err != nil {
				return err
			}
			x.printf("minOffset=%d, maxOffset=%d, %s\n", minOff, maxOff, mqString(mq))
		read:
			for off := minOff; off < maxOff; {
				r, err := x.admin.Pull(x.ctx, addr, admin.ToolsConsumerGroup, mq, sub, off, 32)
				if err != nil {
					fmt.Fprintf(x.stderr, "mqadmin printMsg: %s: %v\n", mqString(mq), err)
					break
				}
				off = r.NextBeginOffset
				switch r.Status {
				case "FOUND":
					for _, m := range r.Messages {
						body := "NOT PRINT BODY"
						if printBody {
							body = string(m.Body)
						}
						x.printf("MSGID: %s %s BODY: %s\n", m.MsgID(), messageExtString(m), body)
					}
				case "NO_MATCHED_MSG":
					x.printf("%s no matched msg. status=%s, offset=%d\n", mqString(mq), r.Status, off)
				default:
					x.printf("%s print msg finished. status=%s, offset=%d\n", mqString(mq), r.Status, off)
					break read
				}
			}
			x.printf("--------------------------------------------------------\n")
		}
		return nil
	},
}

var queryMsgByOffsetCmd = &command{
	name: "queryMsgByOffset", desc: "Query Message by offset",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "b", long: "brokerName", hasArg: true, required: true, desc: "Broker Name"},
		{short: "i", long: "queueId", hasArg: true, required: true, desc: "Queue Id"},
		{short: "o", long: "offset", hasArg: true, required: true, desc: "Queue Offset"},
	},
	run: func(x *invocation) error {
		q, err := intOpt(x, "i", 0)
		if err != nil {
			return err
		}
		off, err := intOpt(x, "o", 0)
		if err != nil {
			return err
		}
		mq := admin.MessageQueue{Topic: x.str("t"), BrokerName: x.str("b"), QueueID: int32(q)}
		route, _, err := x.admin.TopicRoute(x.ctx, mq.Topic)
		if err != nil {
			return err
		}
		addr, err := brokerOf(route, mq.BrokerName)
		if err != nil {
			return err
		}
		r, err := x.admin.Pull(x.ctx, addr, admin.ToolsConsumerGroup, mq, "*", off, 1)
		if err != nil {
			return err
		}
		if r.Status == "FOUND" && len(r.Messages) > 0 {
			printMessage(x, r.Messages[0], true, "")
		}
		return nil
	},
}

var printMsgByQueueCmd = &command{
	name: "printMsgByQueue", desc: "Print Message Detail",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "a", long: "brokerName ", hasArg: true, required: true, desc: "broker name"},
		{short: "i", long: "queueId ", hasArg: true, required: true, desc: "queue id"},
		{short: "c", long: "charsetName ", hasArg: true, desc: "CharsetName(eg: UTF-8,GBK)"},
		{short: "s", long: "subExpression ", hasArg: true, desc: "Subscribe Expression(eg: TagA || TagB)"},
		{short: "b", long: "beginTimestamp ", hasArg: true, desc: "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
		{short: "e", long: "endTimestamp ", hasArg: true, desc: "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
		{short: "p", long: "print msg", hasArg: true, desc: "print msg. eg: true | false(default)"},
		{short: "d", long: "printBody ", hasArg: true, desc: "print body. eg: true | false(default)"},
		{short: "f", long: "calculate", hasArg: true, desc: "calculate by tag. eg: true | false(default)"},
	},
	run: func(x *invocation) error {
		if x.has("c") && !strings.EqualFold(x.str("c"), "UTF-8") {
			return fmt.Errorf("-c %s: only UTF-8 is supported by this mqadmin", x.str("c"))
		}
		printMsg, printBody, calByTag := boolOpt(x, "p", false), boolOpt(x, "d", false), boolOpt(x, "f", false)
		sub := "*"
		if x.has("s") {
			sub = x.str("s")
		}
		q, err := intOpt(x, "i", 0)
		if err != nil {
			return err
		}
		mq := admin.MessageQueue{Topic: x.str("t"), BrokerName: x.str("a"), QueueID: int32(q)}
		route, _, err := x.admin.TopicRoute(x.ctx, mq.Topic)
		if err != nil {
			return err
		}
		addr, err := brokerOf(route, mq.BrokerName)
		if err != nil {
			return err
		}
		minOff, maxOff, err := queueRange(x, addr, mq)
		if err != nil {
			return err
		}
		counts := map[string]int64{}
		var order []string
	read:
		for off := minOff; off < maxOff; {
			r, err := x.admin.Pull(x.ctx, addr, admin.ToolsConsumerGroup, mq, sub, off, 32)
			if err != nil {
				fmt.Fprintf(x.stderr, "mqadmin printMsgByQueue: %v\n", err)
				break
			}
			off = r.NextBeginOffset
			if r.Status != "FOUND" {
				break read
			}
			for _, m := range r.Messages {
				if tag, _ := m.Tags(); calByTag && strings.TrimSpace(tag) != "" {
					if _, ok := counts[tag]; !ok {
						order = append(order, tag)
					}
					counts[tag]++
				}
				if printMsg {
					body := "NOT PRINT BODY"
					if printBody {
						body = string(m.Body)
					}
					x.printf("MSGID: %s %s BODY: %s\n", m.MsgID(), messageExtString(m), body)
				}
			}
		}
		if calByTag {
			sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
			for _, t := range order {
				x.printf("Tag: %-30s Count: %d\n", t, counts[t])
			}
		}
		return nil
	},
}

var consumeMessageCmd = &command{
	name: "consumeMessage", desc: "Consume message",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "Topic name"},
		{short: "b", long: "brokerName", hasArg: true, desc: "Broker name"},
		{short: "i", long: "queueId", hasArg: true, desc: "Queue Id"},
		{short: "o", long: "offset", hasArg: true, desc: "Queue offset"},
		{short: "g", long: "consumerGroup", hasArg: true, desc: "Consumer group name"},
		{short: "s", long: "beginTimestamp ", hasArg: true, desc: "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
		{short: "e", long: "endTimestamp ", hasArg: true, desc: "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
		{short: "c", long: "MessageNumber", hasArg: true, desc: "Number of message to be consumed"},
	},
	run: func(x *invocation) error {
		t := x.str("t")
		group := admin.ToolsConsumerGroup
		if x.has("g") {
			group = x.str("g")
		}
		count, err := intOpt(x, "c", 128)
		if err != nil {
			return err
		}
		if count <= 0 {
			x.printf("Please input a positive messageNumber!")
			return usageError{"-c must be a positive number"}
		}
		if x.has("i") && !x.has("b") {
			x.printf("Please set the brokerName before queueId!")
			return usageError{"-i needs -b"}
		}
		if x.has("o") && !x.has("i") {
			x.printf("Please set queueId before offset!")
			return usageError{"-o needs -i"}
		}
		var begin, end int64
		now := time.Now().UnixMilli()
		if x.has("s") {
			if begin, err = timestampOpt(x, "s"); err != nil {
				return err
			}
			if begin > now {
				x.printf("Please set the beginTimestamp before now!")
				return usageError{"-s is in the future"}
			}
		}
		if x.has("e") {
			if end, err = timestampOpt(x, "e"); err != nil {
				return err
			}
			if end > now {
				x.printf("Please set the endTimestamp before now!")
				return usageError{"-e is in the future"}
			}
			if begin > end {
				x.printf("Please make sure that the beginTimestamp is less than or equal to the endTimestamp")
				return usageError{"-s is after -e"}
			}
		}
		route, _, err := x.admin.TopicRoute(x.ctx, t)
		if err != nil {
			return err
		}
		bounds := func(addr string, mq admin.MessageQueue) (int64, int64, error) {
			minOff, err := x.admin.MinOffset(x.ctx, addr, mq)
			if err != nil {
				return 0, 0, err
			}
			maxOff, err := x.admin.MaxOffset(x.ctx, addr, mq)
			if err != nil {
				return 0, 0, err
			}
			if begin > 0 {
				if minOff, err = x.admin.SearchOffset(x.ctx, addr, mq, begin); err != nil {
					return 0, 0, err
				}
			}
			if end > 0 {
				if maxOff, err = x.admin.SearchOffset(x.ctx, addr, mq, end); err != nil {
					return 0, 0, err
				}
			}
			return minOff, maxOff, nil
		}
		pullRange := func(addr string, mq admin.MessageQueue, minOff, maxOff int64) {
			for off := minOff; off <= maxOff; {
				r, err := x.admin.Pull(x.ctx, addr, group, mq, "*", off, int(min(maxOff-off+1, 1<<20)))
				if err != nil {
					fmt.Fprintf(x.stderr, "mqadmin consumeMessage: %v\n", err)
					return
				}
				off = r.NextBeginOffset
				switch r.Status {
				case "FOUND":
					x.printf("Consume ok\n")
					for _, m := range r.Messages {
						x.printf("MSGID: %s %s BODY: %s\n", m.MsgID(), messageExtString(m), string(m.Body))
					}
				case "NO_MATCHED_MSG":
					x.printf("%s no matched msg. status=%s, offset=%d\n", mqString(mq), r.Status, off)
				default:
					x.printf("%s print msg finished. status=%s, offset=%d\n", mqString(mq), r.Status, off)
					return
				}
			}
		}
		if x.has("i") {
			q, err := intOpt(x, "i", 0)
			if err != nil {
				return err
			}
			off, err := intOpt(x, "o", 0)
			if err != nil {
				return err
			}
			mq := admin.MessageQueue{Topic: t, BrokerName: x.str("b"), QueueID: int32(q)}
			addr, err := brokerOf(route, mq.BrokerName)
			if err != nil {
				return err
			}
			minOff, maxOff, err := bounds(addr, mq)
			if err != nil {
				return err
			}
			if off > maxOff {
				x.printf("%s no matched msg, offset=%d\n", mqString(mq), off)
				return nil
			}
			minOff = max(minOff, off)
			if maxOff-minOff > count {
				x.printf("The oldler %d message will be provided\n", count)
				maxOff = minOff + count - 1
			}
			pullRange(addr, mq, minOff, maxOff)
			return nil
		}
		left := count
		for _, mq := range readQueues(t, route) {
			if left == 0 {
				return nil
			}
			addr, err := brokerOf(route, mq.BrokerName)
			if err != nil {
				return err
			}
			minOff, maxOff, err := bounds(addr, mq)
			if err != nil {
				return err
			}
			if maxOff-minOff > left {
				x.printf("The older %d message of the %d queue will be provided\n", left, mq.QueueID)
				maxOff = minOff + left - 1
				left = 0
			} else {
				left = left - (maxOff - minOff) - 1
			}
			pullRange(addr, mq, minOff, maxOff)
		}
		return nil
	},
}
