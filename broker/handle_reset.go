package broker

// Back-tracking: INVOKE_BROKER_TO_RESET_OFFSET (222) -> RESET_CONSUMER_CLIENT_OFFSET (220, oneway, to every
// consumer of the group), INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223) -> GET_CONSUMER_STATUS_FROM_CLIENT (221),
// QUERY_CONSUME_TIME_SPAN (303). Java: Broker2Client.resetOffset / getConsumeStatus,
// AdminBrokerProcessor.queryConsumeTimeSpan.
// The broker does not change the stored offsets itself: the consumers reset and commit them.
// Both refuse (SYSTEM_ERROR "the client does not support this feature. version=<desc>") when a consumer of the
// group registered with a version older than V3_0_7_SNAPSHOT, as Java does. Java sends the resets in its
// channel table's hash order and stops at the first old client; rocketd checks every channel first and sends
// none (one of the outcomes Java can produce, and the one that leaves the group consistent).

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/rocketd/rocketd/broker/client"
	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// minBackTrackVersion is MQVersion.Version.V3_0_7_SNAPSHOT.ordinal(): older clients cannot reset their
// offsets or report their status.
const minBackTrackVersion = 28

// oldVersionNames are MQVersion.Version names 0..27 (from Java 4.9.8's enum, printed on the reference).
var oldVersionNames = [minBackTrackVersion]string{
	"V3_0_0_SNAPSHOT", "V3_0_0_ALPHA1", "V3_0_0_BETA1", "V3_0_0_BETA2", "V3_0_0_BETA3", "V3_0_0_BETA4",
	"V3_0_0_BETA5", "V3_0_0_BETA6_SNAPSHOT", "V3_0_0_BETA6", "V3_0_0_BETA7_SNAPSHOT", "V3_0_0_BETA7",
	"V3_0_0_BETA8_SNAPSHOT", "V3_0_0_BETA8", "V3_0_0_BETA9_SNAPSHOT", "V3_0_0_BETA9", "V3_0_0_FINAL",
	"V3_0_1_SNAPSHOT", "V3_0_1", "V3_0_2_SNAPSHOT", "V3_0_2", "V3_0_3_SNAPSHOT", "V3_0_3", "V3_0_4_SNAPSHOT",
	"V3_0_4", "V3_0_5_SNAPSHOT", "V3_0_5", "V3_0_6_SNAPSHOT", "V3_0_6",
}

// tooOldForBackTrack returns the refusal of 222/223 when a channel's client predates V3_0_7_SNAPSHOT.
func (b *Broker) tooOldForBackTrack(req *remoting.Command, what string, chans []client.ChannelInfo) *remoting.Command {
	for _, ci := range chans {
		if ci.Version >= minBackTrackVersion {
			continue
		}
		desc := strconv.Itoa(int(ci.Version)) // Java fails with an index error on a negative version
		if ci.Version >= 0 {
			desc = oldVersionNames[ci.Version]
		}
		b.log.Warn("["+what+"] the client does not support this feature", "client", ci.ClientID, "version", desc)
		return remoting.NewResponse(req, code.SystemError, "the client does not support this feature. version="+desc)
	}
	return nil
}

// mqOffset is one entry of ResetOffsetBody's offsetTable.
type mqOffset struct {
	queueID int32
	offset  int64
}

// appendMQJSON writes a MessageQueue as fastjson writes it (JSON-escaped names): {"brokerName":..,"queueId":..,"topic":..}.
func appendMQJSON(dst []byte, brokerName, topic string, queueID int32) []byte {
	dst = append(dst, `{"brokerName":`...)
	dst = appendJSONString(dst, brokerName)
	dst = append(dst, `,"queueId":`...)
	dst = strconv.AppendInt(dst, int64(queueID), 10)
	dst = append(dst, `,"topic":`...)
	dst = appendJSONString(dst, topic)
	return append(dst, '}')
}

func appendJSONString(dst []byte, s string) []byte {
	w := fastjson.NewWriter(fastjson.Compact, dst)
	w.String(s)
	return w.Bytes()
}

// resetOffsetBody is ResetOffsetBody in fastjson's form: {"offsetTable":{{mq}:offset,...}}.
func resetOffsetBody(brokerName, topic string, table []mqOffset) []byte {
	b := []byte(`{"offsetTable":{`)
	for i, e := range table {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendMQJSON(b, brokerName, topic, e.queueID)
		b = append(b, ':')
		b = strconv.AppendInt(b, e.offset, 10)
	}
	return append(b, "}}"...)
}

// resetOffsetBodyForC is ResetOffsetBodyForC: {"offsetTable":[{"brokerName":..,"offset":..,"queueId":..,"topic":..}]}.
func resetOffsetBodyForC(brokerName, topic string, table []mqOffset) []byte {
	b := []byte(`{"offsetTable":[`)
	for i, e := range table {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"brokerName":`...)
		b = appendJSONString(b, brokerName)
		b = append(b, `,"offset":`...)
		b = strconv.AppendInt(b, e.offset, 10)
		b = append(b, `,"queueId":`...)
		b = strconv.AppendInt(b, int64(e.queueID), 10)
		b = append(b, `,"topic":`...)
		b = appendJSONString(b, topic)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

func (b *Broker) handleResetOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.ResetOffsetRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	b.log.Info("reset offset requested", "remote", c.RemoteAddr(), "topic", h.Topic, "group", h.Group,
		"timestamp", h.Timestamp, "isForce", h.IsForce)
	tc, ok := b.topics.Get(h.Topic)
	if !ok {
		return remoting.NewResponse(req, code.SystemError, "[reset-offset] reset offset failed, no topic in this broker. topic="+h.Topic), nil
	}
	table := make([]mqOffset, 0, tc.WriteQueueNums)
	for q := int32(0); q < tc.WriteQueueNums; q++ {
		cur, ok := b.offsets.Query(h.Group, h.Topic, q)
		if !ok {
			return remoting.NewResponse(req, code.SystemError, fmt.Sprintf("THe consumer group <%s> not exist", h.Group)), nil
		}
		var target int64
		if h.Timestamp == -1 {
			target = b.store.GetMaxOffsetInQueue(h.Topic, q)
		} else {
			target = b.store.GetOffsetInQueueByTime(h.Topic, q, h.Timestamp)
		}
		target = max(target, 0)
		if h.IsForce || target < cur {
			table = append(table, mqOffset{q, target})
		} else {
			table = append(table, mqOffset{q, cur})
		}
	}
	snap, ok := b.consumers.Snapshot(h.Group)
	if !ok || len(snap.Channels) == 0 {
		return remoting.NewResponse(req, code.ConsumerNotOnline, fmt.Sprintf(
			"Consumer not online, so can not reset offset, Group: %s Topic: %s Timestamp: %d", h.Group, h.Topic, h.Timestamp)), nil
	}
	if refused := b.tooOldForBackTrack(req, "reset-offset", snap.Channels); refused != nil {
		return refused, nil
	}
	brokerName := b.cfg.Broker.BrokerName
	body := resetOffsetBody(brokerName, h.Topic, table)
	for _, ci := range snap.Channels {
		ext := map[string]string{}
		(&header.ResetOffsetRequestHeader{Topic: h.Topic, Group: h.Group, Timestamp: h.Timestamp}).Encode(ext)
		b2 := body
		if ci.Language == remoting.CPP {
			b2 = resetOffsetBodyForC(brokerName, h.Topic, table)
		}
		if err := ci.Conn.InvokeOneway(remoting.NewRequest(code.ResetConsumerClientOffset, ext, b2)); err != nil {
			b.log.Error("reset offset: notifying a consumer failed", "topic", h.Topic, "group", h.Group,
				"client", ci.ClientID, "err", err)
		}
	}
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = body
	return resp, nil
}

// rawObjectField returns the raw JSON value of a top-level key of obj (strings and nesting respected), so
// fastjson's object-keyed maps can be passed on without parsing them.
func rawObjectField(obj []byte, key string) ([]byte, bool) {
	needle := []byte(`"` + key + `":`)
	i := bytes.Index(obj, needle)
	if i < 0 {
		return nil, false
	}
	start := i + len(needle)
	depth, inStr := 0, false
	for j := start; j < len(obj); j++ {
		ch := obj[j]
		if inStr {
			switch ch {
			case '\\':
				j++
			case '"':
				inStr = false
			}
			continue
		}
		switch ch {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return obj[start:j], true
			}
			depth--
			if depth == 0 {
				return obj[start : j+1], true
			}
		case ',':
			if depth == 0 {
				return obj[start:j], true
			}
		}
	}
	return nil, false
}

func (b *Broker) handleGetConsumerStatus(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetConsumerStatusRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	snap, ok := b.consumers.Snapshot(h.Group)
	if !ok || len(snap.Channels) == 0 {
		return remoting.NewResponse(req, code.SystemError, "No Any Consumer online in the consumer group: ["+h.Group+"]"), nil
	}
	if refused := b.tooOldForBackTrack(req, "get-consumer-status", snap.Channels); refused != nil {
		return refused, nil
	}
	type reply struct {
		clientID string
		table    []byte
	}
	var (
		mu      sync.Mutex
		replies []reply
		wg      sync.WaitGroup
	)
	for _, ci := range snap.Channels {
		if h.ClientAddr != "" && ci.ClientID != h.ClientAddr { // Java compares the client id, despite the name
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ext := map[string]string{}
			(&header.GetConsumerStatusRequestHeader{Topic: h.Topic, Group: h.Group}).Encode(ext)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			resp, err := ci.Conn.Invoke(ctx, remoting.NewRequest(code.GetConsumerStatusFromClient, ext, nil), 5*time.Second)
			if err != nil || resp.Code != code.Success {
				b.log.Warn("get consumer status from a client failed", "group", h.Group, "client", ci.ClientID, "err", err)
				return
			}
			raw, ok := rawObjectField(resp.Body, "messageQueueTable")
			if !ok {
				return
			}
			table, err := parseMQOffsetTable(raw)
			if err != nil {
				b.log.Warn("get consumer status: unreadable client answer", "client", ci.ClientID, "err", err)
				return
			}
			mu.Lock()
			replies = append(replies, reply{ci.ClientID, encodeMQOffsetTable(table)})
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(replies, func(i, j int) bool { return replies[i].clientID < replies[j].clientID })
	body := []byte(`{"consumerTable":{`)
	for i, r := range replies {
		if i > 0 {
			body = append(body, ',')
		}
		body = appendJSONString(body, r.clientID)
		body = append(body, ':')
		body = append(body, r.table...)
	}
	body = append(body, `},"messageQueueTable":{}}`...)
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = body
	return resp, nil
}

type mqKey struct {
	Topic      string `json:"topic"`
	BrokerName string `json:"brokerName"`
	QueueID    int32  `json:"queueId"`
}

type mqEntry struct {
	mq     mqKey
	offset int64
}

// parseMQOffsetTable reads an object-keyed map {{mq}:offset,...} as fastjson (Java) and the Go client
// (different key order) write it.
func parseMQOffsetTable(raw []byte) ([]mqEntry, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return nil, fmt.Errorf("messageQueueTable is not an object")
	}
	in := bytes.TrimSpace(raw[1 : len(raw)-1])
	var out []mqEntry
	for len(in) > 0 {
		if in[0] != '{' {
			return nil, fmt.Errorf("messageQueueTable key is not a MessageQueue object")
		}
		end := matchBrace(in)
		if end < 0 {
			return nil, fmt.Errorf("messageQueueTable key is not closed")
		}
		var k mqKey
		if err := stdJSON.Unmarshal(in[:end+1], &k); err != nil {
			return nil, err
		}
		in = bytes.TrimSpace(in[end+1:])
		if len(in) == 0 || in[0] != ':' {
			return nil, fmt.Errorf("messageQueueTable entry without ':'")
		}
		in = bytes.TrimSpace(in[1:])
		j := bytes.IndexByte(in, ',')
		num := in
		if j >= 0 {
			num, in = in[:j], bytes.TrimSpace(in[j+1:])
		} else {
			in = nil
		}
		off, err := strconv.ParseInt(string(bytes.TrimSpace(num)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("messageQueueTable offset: %w", err)
		}
		out = append(out, mqEntry{k, off})
	}
	return out, nil
}

// matchBrace returns the index of the brace closing b[0], strings respected, or -1.
func matchBrace(b []byte) int {
	depth, inStr := 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// encodeMQOffsetTable writes the table as fastjson does, queues in a stable order.
func encodeMQOffsetTable(t []mqEntry) []byte {
	sort.Slice(t, func(i, j int) bool {
		a, b := t[i].mq, t[j].mq
		if a.Topic != b.Topic {
			return a.Topic < b.Topic
		}
		if a.BrokerName != b.BrokerName {
			return a.BrokerName < b.BrokerName
		}
		return a.QueueID < b.QueueID
	})
	out := []byte{'{'}
	for i, e := range t {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendMQJSON(out, e.mq.BrokerName, e.mq.Topic, e.mq.QueueID)
		out = append(out, ':')
		out = strconv.AppendInt(out, e.offset, 10)
	}
	return append(out, '}')
}

func (b *Broker) handleConsumeTimeSpan(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.QueryConsumeTimeSpanRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	tc, ok := b.topics.Get(h.Topic)
	if !ok {
		return remoting.NewResponse(req, code.TopicNotExist, "topic["+h.Topic+"] not exist"), nil
	}
	st := b.store
	body := []byte(`{"consumeTimeSpanSet":[`)
	for q := int32(0); q < tc.WriteQueueNums; q++ {
		minTime := st.GetEarliestMessageTime(h.Topic, q)
		maxOff := st.GetMaxOffsetInQueue(h.Topic, q)
		maxTime := st.GetMessageStoreTimeStamp(h.Topic, q, maxOff-1)
		cur, ok := b.offsets.Query(h.Group, h.Topic, q)
		if !ok {
			cur = -1
		}
		consumeTime := minTime
		if cur > 0 {
			consumeTime = st.GetMessageStoreTimeStamp(h.Topic, q, cur-1)
		}
		var delay int64
		if cur < maxOff {
			delay = time.Now().UnixMilli() - st.GetMessageStoreTimeStamp(h.Topic, q, cur)
		}
		if q > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"consumeTimeStamp":`...)
		body = strconv.AppendInt(body, consumeTime, 10)
		body = append(body, `,"consumeTimeStampStr":`...)
		body = appendJSONString(body, javaDate(consumeTime))
		body = append(body, `,"delayTime":`...)
		body = strconv.AppendInt(body, delay, 10)
		body = append(body, `,"maxTimeStamp":`...)
		body = strconv.AppendInt(body, maxTime, 10)
		body = append(body, `,"maxTimeStampStr":`...)
		body = appendJSONString(body, javaDate(maxTime))
		body = append(body, `,"messageQueue":`...)
		body = appendMQJSON(body, b.cfg.Broker.BrokerName, h.Topic, q)
		body = append(body, `,"minTimeStamp":`...)
		body = strconv.AppendInt(body, minTime, 10)
		body = append(body, `,"minTimeStampStr":`...)
		body = appendJSONString(body, javaDate(minTime))
		body = append(body, '}')
	}
	body = append(body, "]}"...)
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = body
	return resp, nil
}

// javaDate is UtilAll.formatDate(date, "yyyy-MM-dd#HH:mm:ss:SSS") in local time.
func javaDate(ms int64) string {
	return time.UnixMilli(ms).Format("2006-01-02#15:04:05:000")
}
