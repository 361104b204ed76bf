package admin

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/store/commitlog"
)

func splitOn(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

// maxBody bounds an inflated message body (the broker's default maxMessageSize is 4 MiB).
const maxBody = 64 << 20

// Message is one stored message as the broker returns it (VIEW_MESSAGE_BY_ID, QUERY_MESSAGE, PULL_MESSAGE).
type Message struct {
	Topic          string
	QueueID        int32
	QueueOffset    int64
	CommitLogOff   int64
	SysFlag        int32
	BornTimestamp  int64
	StoreTimestamp int64
	BornHost       netip.AddrPort
	StoreHost      netip.AddrPort
	ReconsumeTimes int32
	Body           []byte
	PropKeys       []string // in stored order
	Props          map[string]string
	OffsetMsgID    string
	StoreSize      int32
	BodyCRC        int32
	Flag           int32
	PreparedTxOff  int64
	BrokerName     string // set by Pull
}

// MsgID is Java MessageClientExt.getMsgId: the UNIQ_KEY property, else the offset message id.
func (m *Message) MsgID() string {
	if u := m.Props["UNIQ_KEY"]; u != "" {
		return u
	}
	return m.OffsetMsgID
}

// Tags is the TAGS property ("" when absent).
func (m *Message) Tags() (string, bool) { v, ok := m.Props["TAGS"]; return v, ok }

// Keys is the KEYS property.
func (m *Message) Keys() (string, bool) { v, ok := m.Props["KEYS"]; return v, ok }

// DecodeMessages reads the concatenated message records of a response body.
func DecodeMessages(b []byte) ([]*Message, error) {
	var out []*Message
	for len(b) > 0 {
		rec, err := commitlog.Decode(b, false)
		if err != nil {
			return out, fmt.Errorf("%w: %v", errBody, err)
		}
		if rec.IsBlank() || rec.TotalSize <= 0 {
			break
		}
		m := &Message{
			Topic: string(rec.Topic), QueueID: rec.QueueID, QueueOffset: rec.QueueOffset,
			CommitLogOff: rec.PhysicalOffset, SysFlag: rec.SysFlag, BornTimestamp: rec.BornTimestamp,
			StoreTimestamp: rec.StoreTimestamp, BornHost: commitlog.DecodeHost(rec.BornHost),
			StoreHost: commitlog.DecodeHost(rec.StoreHost), ReconsumeTimes: rec.ReconsumeTimes,
			Body: rec.Body, Props: map[string]string{}, StoreSize: rec.TotalSize, BodyCRC: rec.BodyCRC,
			Flag: rec.Flag, PreparedTxOff: rec.PreparedTransactionOffset,
		}
		m.OffsetMsgID = string(rec.MsgID(nil))
		compat.RangeProperties(string(rec.Properties), func(k, v string) bool {
			if _, dup := m.Props[k]; !dup {
				m.PropKeys = append(m.PropKeys, k)
			}
			m.Props[k] = v
			return true
		})
		if rec.SysFlag&compat.CompressedFlag != 0 {
			zr, err := zlib.NewReader(bytes.NewReader(rec.Body))
			if err == nil {
				if body, err := io.ReadAll(io.LimitReader(zr, maxBody)); err == nil {
					m.Body = body
				}
			}
		}
		out = append(out, m)
		b = b[rec.TotalSize:]
	}
	return out, nil
}

// ViewMessage is Java viewMessage(offsetMsgId): VIEW_MESSAGE_BY_ID (33) at the store host the id names.
func (c *Client) ViewMessage(ctx context.Context, offsetMsgID string) (*Message, error) {
	host, off, err := compat.DecodeOffsetMessageID(offsetMsgID)
	if err != nil {
		return nil, fmt.Errorf("message id %q: %w", offsetMsgID, err)
	}
	resp, err := c.call(ctx, host.String(), remoting.NewRequest(code.ViewMessageById, map[string]string{"offset": strconv.FormatInt(off, 10)}, nil))
	if err != nil {
		return nil, err
	}
	msgs, err := DecodeMessages(resp.Body)
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, errors.New("no message in the broker's answer")
	}
	return msgs[0], nil
}

// QueryMessage is Java MQAdminImpl.queryMessage: QUERY_MESSAGE (12) on the master of every broker of topic's
// route, messages whose KEYS (or, uniq, UNIQ_KEY) contain key.
func (c *Client) QueryMessage(ctx context.Context, topic, key string, maxNum int, begin, end int64, uniq bool) ([]*Message, error) {
	route, _, err := c.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	var out []*Message
	var last error
	found := false
	for _, bd := range route.BrokerDatas {
		addr := bd.SelectAddr()
		if addr == "" {
			continue
		}
		ext := map[string]string{"topic": topic, "key": key, "maxNum": strconv.Itoa(maxNum),
			"beginTimestamp": strconv.FormatInt(begin, 10), "endTimestamp": strconv.FormatInt(end, 10)}
		if uniq {
			ext["_UNIQUE_KEY_QUERY"] = "true"
		}
		resp, err := c.call(ctx, addr, remoting.NewRequest(code.QueryMessage, ext, nil))
		if err != nil {
			if IsCode(err, code.QueryNotFound) {
				continue
			}
			last = err
			continue
		}
		found = true
		msgs, err := DecodeMessages(resp.Body)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if uniq {
				// Java keeps one: the earliest stored.
				if m.MsgID() == key && (len(out) == 0 || out[0].StoreTimestamp > m.StoreTimestamp) {
					out = append(out[:0], m)
				}
				continue
			}
			if keys, ok := m.Keys(); ok && m.Topic == topic {
				for _, k := range strings.Split(keys, " ") {
					if k == key {
						out = append(out, m)
						break
					}
				}
			}
		}
	}
	if len(out) == 0 {
		if last != nil && !found {
			return nil, last
		}
		return nil, &ResponseError{Code: code.NoMessage, Remark: "query message by key finished, but no message."}
	}
	return out, nil
}

// ConsumeMessageDirectly is CONSUME_MESSAGE_DIRECTLY (309) through the broker holding the message: the
// client's answer body (ConsumeMessageDirectlyResult JSON).
func (c *Client) ConsumeMessageDirectly(ctx context.Context, addr, group, clientID, msgID string) (map[string]any, error) {
	resp, err := c.call(ctx, addr, remoting.NewRequest(code.ConsumeMessageDirectly,
		map[string]string{"consumerGroup": group, "clientId": clientID, "msgId": msgID}, nil))
	if err != nil {
		return nil, err
	}
	var v map[string]any
	return v, decode(resp.Body, &v)
}
