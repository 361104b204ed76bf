package admin

import (
	"context"
	"sort"
	"strconv"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// ResetOffsetByTime is Java resetOffsetByTimestamp: INVOKE_BROKER_TO_RESET_OFFSET (222) on every broker of
// topic's route (timestamp -1: the max offsets); the new offsets, sorted by queue. cpp sends the request with
// language CPP (mqadmin -c), which makes the broker answer with the offsets instead of calling the clients.
func (c *Client) ResetOffsetByTime(ctx context.Context, topic, group string, timestamp int64, force, cpp bool) (Pairs[MessageQueue, int64], error) {
	route, _, err := c.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	var all Pairs[MessageQueue, int64]
	for _, bd := range route.BrokerDatas {
		addr := bd.SelectAddr()
		if addr == "" {
			continue
		}
		r := remoting.NewRequest(code.InvokeBrokerToResetOffset, map[string]string{"topic": topic, "group": group,
			"timestamp": strconv.FormatInt(timestamp, 10), "isForce": strconv.FormatBool(force)}, nil)
		if cpp {
			r.Language = remoting.CPP
		}
		resp, err := c.call(ctx, addr, r)
		if err != nil {
			return nil, err
		}
		if len(resp.Body) == 0 {
			// Java: a SUCCESS without body falls through to the error.
			return nil, &ResponseError{Code: resp.Code, Remark: resp.Remark}
		}
		var body struct {
			OffsetTable Pairs[MessageQueue, int64] `json:"offsetTable"`
		}
		if err := decode(resp.Body, &body); err != nil {
			return nil, err
		}
		all = append(all, body.OffsetTable...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].K.Less(all[j].K) })
	return all, nil
}

// UpdateConsumerOffset is UPDATE_CONSUMER_OFFSET (15).
func (c *Client) UpdateConsumerOffset(ctx context.Context, addr, group string, mq MessageQueue, offset int64) error {
	_, err := c.call(ctx, addr, remoting.NewRequest(code.UpdateConsumerOffset, map[string]string{"consumerGroup": group,
		"topic": mq.Topic, "queueId": strconv.Itoa(int(mq.QueueID)), "commitOffset": strconv.FormatInt(offset, 10)}, nil))
	return err
}

// CleanExpiredConsumeQueue is CLEAN_EXPIRED_CONSUMEQUEUE (306).
func (c *Client) CleanExpiredConsumeQueue(ctx context.Context, addr string) error {
	_, err := c.call(ctx, addr, remoting.NewRequest(code.CleanExpiredConsumequeue, nil, nil))
	return err
}

// CleanUnusedTopic is CLEAN_UNUSED_TOPIC (316).
func (c *Client) CleanUnusedTopic(ctx context.Context, addr string) error {
	_, err := c.call(ctx, addr, remoting.NewRequest(code.CleanUnusedTopic, nil, nil))
	return err
}

// MaxOffset is GET_MAX_OFFSET (30).
func (c *Client) MaxOffset(ctx context.Context, addr string, mq MessageQueue) (int64, error) {
	return c.offsetCall(ctx, addr, code.GetMaxOffset, map[string]string{"topic": mq.Topic, "queueId": strconv.Itoa(int(mq.QueueID))})
}

// SearchOffset is SEARCH_OFFSET_BY_TIMESTAMP (29).
func (c *Client) SearchOffset(ctx context.Context, addr string, mq MessageQueue, timestamp int64) (int64, error) {
	return c.offsetCall(ctx, addr, code.SearchOffsetByTimestamp, map[string]string{"topic": mq.Topic,
		"queueId": strconv.Itoa(int(mq.QueueID)), "timestamp": strconv.FormatInt(timestamp, 10)})
}

func (c *Client) offsetCall(ctx context.Context, addr string, rc int32, ext map[string]string) (int64, error) {
	resp, err := c.call(ctx, addr, remoting.NewRequest(rc, ext, nil))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(resp.Ext("offset"), 10, 64)
}
