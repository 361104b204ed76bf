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

// RollbackStats is one queue of ResetOffsetByTimeOld.
type RollbackStats struct {
	BrokerName      string
	QueueID         int32
	BrokerOffset    int64
	ConsumerOffset  int64
	TimestampOffset int64
	RollbackOffset  int64
}

// ResetOffsetByTimeOld is Java resetOffsetByTimestampOld, what mqadmin falls back to when the group is not
// online: the admin itself looks up the offset of timestamp (-1: the max offset) in each queue of topic and
// commits it for group with UPDATE_CONSUMER_OFFSET (unless force is false and it is ahead of the committed one).
func (c *Client) ResetOffsetByTimeOld(ctx context.Context, group, topic string, timestamp int64, force bool) ([]RollbackStats, error) {
	route, _, err := c.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	readQueues := map[string]int32{}
	for _, bd := range route.BrokerDatas {
		for _, q := range route.QueueDatas {
			if q.BrokerName == bd.BrokerName {
				readQueues[bd.SelectAddr()] = q.ReadQueueNums
			}
		}
	}
	var out []RollbackStats
	reset := func(addr string, mq MessageQueue, ow OffsetWrapper) error {
		var off int64
		var err error
		if timestamp == -1 {
			off, err = c.MaxOffset(ctx, addr, mq)
		} else {
			off, err = c.SearchOffset(ctx, addr, mq, timestamp)
		}
		if err != nil {
			return err
		}
		rs := RollbackStats{BrokerName: mq.BrokerName, QueueID: mq.QueueID, BrokerOffset: ow.BrokerOffset,
			ConsumerOffset: ow.ConsumerOffset, TimestampOffset: off, RollbackOffset: ow.ConsumerOffset}
		if force || off <= ow.ConsumerOffset {
			rs.RollbackOffset = off
			if err := c.UpdateConsumerOffset(ctx, addr, group, mq, off); err != nil {
				return err
			}
		}
		out = append(out, rs)
		return nil
	}
	for _, bd := range route.BrokerDatas {
		addr := bd.SelectAddr()
		if addr == "" {
			continue
		}
		cs, err := c.ConsumeStatsOn(ctx, addr, group, "")
		if err != nil {
			return nil, err
		}
		offs := cs.Offsets
		sort.SliceStable(offs, func(i, j int) bool { return offs[i].K.Less(offs[j].K) })
		consumed := false
		for _, p := range offs {
			if p.K.Topic != topic {
				continue
			}
			consumed = true
			if err := reset(addr, p.K, p.V); err != nil {
				return nil, err
			}
		}
		if consumed {
			continue
		}
		st, err := c.TopicStatsOn(ctx, addr, topic)
		if err != nil {
			return nil, err
		}
		for i := int32(0); i < readQueues[addr]; i++ {
			mq := MessageQueue{Topic: topic, BrokerName: bd.BrokerName, QueueID: i}
			var ow OffsetWrapper
			for _, p := range st {
				if p.K == mq {
					ow = OffsetWrapper{BrokerOffset: p.V.MaxOffset, ConsumerOffset: p.V.MinOffset}
				}
			}
			if err := reset(addr, mq, ow); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
