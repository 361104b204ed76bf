package admin

import (
	"context"
	"strconv"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// PullResult is one PULL_MESSAGE answer. Status is Java's PullStatus name: FOUND, NO_NEW_MSG, NO_MATCHED_MSG
// or OFFSET_ILLEGAL.
type PullResult struct {
	Status          string
	NextBeginOffset int64
	MinOffset       int64
	MaxOffset       int64
	Messages        []*Message
}

// ToolsConsumerGroup is the group Java's mqadmin pulls with (MixAll.TOOLS_CONSUMER_GROUP).
const ToolsConsumerGroup = "TOOLS_CONSUMER"

// Pull is one non-suspended PULL_MESSAGE (11, sysFlag FLAG_SUBSCRIPTION only) of up to max messages from offset, filtered by the TAG
// expression sub ("*" for all). Messages whose tags do not match are dropped as Java's client does
// (NO_MATCHED_MSG when none is left).
func (c *Client) Pull(ctx context.Context, addr, group string, mq MessageQueue, sub string, offset int64, max int) (*PullResult, error) {
	ext := map[string]string{"consumerGroup": group, "topic": mq.Topic, "queueId": strconv.Itoa(int(mq.QueueID)),
		"queueOffset": strconv.FormatInt(offset, 10), "maxMsgNums": strconv.Itoa(max), "sysFlag": "4",
		"commitOffset": "0", "suspendTimeoutMillis": "0", "subscription": sub, "subVersion": "0", "expressionType": "TAG"}
	resp, err := c.Invoke(ctx, addr, remoting.NewRequest(code.PullMessage, ext, nil))
	if err != nil {
		return nil, err
	}
	r := &PullResult{}
	switch resp.Code {
	case code.Success:
		r.Status = "FOUND"
	case code.PullNotFound:
		r.Status = "NO_NEW_MSG"
	case code.PullRetryImmediately:
		r.Status = "NO_MATCHED_MSG"
	case code.PullOffsetMoved:
		r.Status = "OFFSET_ILLEGAL"
	default:
		return nil, &ResponseError{Code: resp.Code, Remark: resp.Remark}
	}
	r.NextBeginOffset, _ = strconv.ParseInt(resp.Ext("nextBeginOffset"), 10, 64)
	r.MinOffset, _ = strconv.ParseInt(resp.Ext("minOffset"), 10, 64)
	r.MaxOffset, _ = strconv.ParseInt(resp.Ext("maxOffset"), 10, 64)
	if r.Status != "FOUND" {
		return r, nil
	}
	msgs, err := DecodeMessages(resp.Body)
	if err != nil {
		return nil, err
	}
	tags := map[string]bool{}
	all := sub == "" || sub == "*"
	if !all {
		for _, t := range splitTags(sub) {
			tags[t] = true
		}
	}
	for _, m := range msgs {
		if t, _ := m.Tags(); all || tags[t] {
			// Java's client adds the queue's offsets to every pulled message.
			m.setProp("MIN_OFFSET", strconv.FormatInt(r.MinOffset, 10))
			m.setProp("MAX_OFFSET", strconv.FormatInt(r.MaxOffset, 10))
			m.BrokerName = mq.BrokerName
			r.Messages = append(r.Messages, m)
		}
	}
	if len(r.Messages) == 0 {
		r.Status = "NO_MATCHED_MSG"
	}
	return r, nil
}

func splitTags(s string) []string {
	var out []string
	for _, p := range splitOn(s, "||") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (m *Message) setProp(k, v string) {
	if _, ok := m.Props[k]; !ok {
		m.PropKeys = append(m.PropKeys, k)
	}
	m.Props[k] = v
}

// MinOffset is GET_MIN_OFFSET (31).
func (c *Client) MinOffset(ctx context.Context, addr string, mq MessageQueue) (int64, error) {
	return c.offsetCall(ctx, addr, code.GetMinOffset, map[string]string{"topic": mq.Topic, "queueId": strconv.Itoa(int(mq.QueueID))})
}
