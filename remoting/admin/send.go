package admin

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// SendResult is a sent message's outcome.
type SendResult struct {
	Status      string // SEND_OK, FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE
	MsgID       string // the client id (UNIQ_KEY)
	OffsetMsgID string
	Queue       MessageQueue
	QueueOffset int64
}

// OutMessage is a message to send.
type OutMessage struct {
	Topic, Tags, Keys string
	Body              []byte
	// Props, when set, are the message's properties as they are (a resent message keeps its UNIQ_KEY);
	// Tags and Keys are then ignored.
	Props map[string]string
}

var uniqCounter atomic.Uint32

// uniqFix is the first 10 bytes of every id this process makes (Java MessageClientIDSetter: IPv4 address,
// process id, a per-process number), hex.
var uniqFix = func() string {
	var b [10]byte
	ip := net.IPv4(127, 0, 0, 1).To4()
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				ip = n.IP.To4()
				break
			}
		}
	}
	copy(b[:4], ip)
	binary.BigEndian.PutUint16(b[4:], uint16(os.Getpid()))
	_, _ = rand.Read(b[6:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}()

// NewUniqID makes a message client id in Java's layout: the process prefix, milliseconds since the start of
// the month, a counter; 32 upper-case hex characters.
func NewUniqID() string {
	now := time.Now()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	var b [6]byte
	binary.BigEndian.PutUint32(b[:], uint32(now.Sub(month).Milliseconds()))
	binary.BigEndian.PutUint16(b[4:], uint16(uniqCounter.Add(1)))
	return uniqFix + strings.ToUpper(hex.EncodeToString(b[:]))
}

// WriteQueues lists the queues a producer may send to (brokers' write queues, by broker name), as Java's
// topicRouteData2TopicPublishInfo does.
func WriteQueues(topic string, route *TopicRouteData) []MessageQueue {
	qds := append([]QueueData(nil), route.QueueDatas...)
	sort.Slice(qds, func(i, j int) bool { return qds[i].BrokerName < qds[j].BrokerName })
	var out []MessageQueue
	for _, q := range qds {
		if q.Perm&2 == 0 {
			continue
		}
		for i := int32(0); i < q.WriteQueueNums; i++ {
			out = append(out, MessageQueue{Topic: topic, BrokerName: q.BrokerName, QueueID: i})
		}
	}
	return out
}

// Send sends m with SEND_MESSAGE_V2 (310) as producer group group: to mq when given (BrokerName set), else to
// a random write queue of the topic's route (of TBW102's when the topic has none and the broker may create it).
func (c *Client) Send(ctx context.Context, group string, m OutMessage, mq *MessageQueue) (*SendResult, error) {
	route, _, err := c.TopicRoute(ctx, m.Topic)
	if err != nil {
		if !IsCode(err, code.TopicNotExist) {
			return nil, err
		}
		if route, _, err = c.TopicRoute(ctx, "TBW102"); err != nil {
			return nil, fmt.Errorf("topic %s does not exist and the default topic TBW102 has no route: %w", m.Topic, err)
		}
	}
	var target MessageQueue
	if mq != nil {
		target = *mq
	} else {
		qs := WriteQueues(m.Topic, route)
		if len(qs) == 0 {
			return nil, fmt.Errorf("topic %s has no writable queue", m.Topic)
		}
		target = qs[mrand.IntN(len(qs))]
	}
	addr := ""
	for _, bd := range route.BrokerDatas {
		if bd.BrokerName == target.BrokerName {
			addr = bd.Addr(0)
		}
	}
	if addr == "" {
		return nil, fmt.Errorf("broker %s has no master in the route of %s", target.BrokerName, m.Topic)
	}
	props := map[string]string{"WAIT": "true"}
	if m.Props != nil {
		props = map[string]string{}
		for k, v := range m.Props {
			props[k] = v
		}
	} else {
		if m.Tags != "" {
			props["TAGS"] = m.Tags
		}
		if m.Keys != "" {
			props["KEYS"] = m.Keys
		}
	}
	uniq := props["UNIQ_KEY"]
	if uniq == "" {
		uniq = NewUniqID()
		props["UNIQ_KEY"] = uniq
	}
	ext := map[string]string{"a": group, "b": m.Topic, "c": "TBW102", "d": "4", "e": strconv.Itoa(int(target.QueueID)),
		"f": "0", "g": strconv.FormatInt(time.Now().UnixMilli(), 10), "h": "0", "i": compat.EncodeProperties(props),
		"j": "0", "k": "false", "m": "false"}
	resp, err := c.Invoke(ctx, addr, remoting.NewRequest(code.SendMessageV2, ext, m.Body))
	if err != nil {
		return nil, err
	}
	status := ""
	switch resp.Code {
	case code.Success:
		status = "SEND_OK"
	case code.FlushDiskTimeout:
		status = "FLUSH_DISK_TIMEOUT"
	case code.FlushSlaveTimeout:
		status = "FLUSH_SLAVE_TIMEOUT"
	case code.SlaveNotAvailable:
		status = "SLAVE_NOT_AVAILABLE"
	default:
		return nil, &ResponseError{Code: resp.Code, Remark: resp.Remark}
	}
	qid, _ := strconv.Atoi(resp.Ext("queueId"))
	off, _ := strconv.ParseInt(resp.Ext("queueOffset"), 10, 64)
	target.QueueID = int32(qid)
	return &SendResult{Status: status, MsgID: uniq, OffsetMsgID: resp.Ext("msgId"), Queue: target, QueueOffset: off}, nil
}
