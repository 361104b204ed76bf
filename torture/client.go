package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/store/commitlog"
)

func createTopic(cl *remoting.Client, addr, topic string, queues int) error {
	q := strconv.Itoa(queues)
	resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.UpdateAndCreateTopic, map[string]string{
		"topic": topic, "defaultTopic": "TBW102", "readQueueNums": q, "writeQueueNums": q, "perm": "6",
		"topicFilterType": "SINGLE_TAG", "order": "false"}, nil), 10*time.Second)
	if err != nil {
		return err
	}
	if resp.Code != code.Success {
		return fmt.Errorf("create topic %s: code %d %s", topic, resp.Code, resp.Remark)
	}
	return nil
}

func sendReq(topic string, queueID int, body []byte) *remoting.Command {
	return remoting.NewRequest(code.SendMessageV2, map[string]string{"a": "torture-pg", "b": topic, "c": "TBW102", "d": "4",
		"e": strconv.Itoa(queueID), "f": "0", "g": strconv.FormatInt(time.Now().UnixMilli(), 10), "h": "0",
		"i": "WAIT\x01true\x02KEYS\x01k" + strconv.Itoa(queueID) + "\x02"}, body)
}

// acked is one acknowledged message.
type acked struct {
	queue  int
	offset int64
	body   string
}

// send sends one message; ok is false for any failure (the message is then not acknowledged).
func send(cl *remoting.Client, addr, topic string, queueID int, body string, timeout time.Duration) (acked, *remoting.Command, error) {
	resp, err := cl.InvokeSync(context.Background(), addr, sendReq(topic, queueID, []byte(body)), timeout)
	if err != nil {
		return acked{}, nil, err
	}
	if resp.Code != code.Success {
		return acked{}, resp, fmt.Errorf("send: code %d %s", resp.Code, resp.Remark)
	}
	off, err := strconv.ParseInt(resp.Ext("queueOffset"), 10, 64)
	if err != nil {
		return acked{}, resp, fmt.Errorf("send: bad queueOffset %q", resp.Ext("queueOffset"))
	}
	q, _ := strconv.Atoi(resp.Ext("queueId"))
	return acked{q, off, body}, resp, nil
}

func pullReq(topic string, queueID int, offset int64) *remoting.Command {
	return remoting.NewRequest(code.PullMessage, map[string]string{"consumerGroup": "torture-cg", "topic": topic,
		"queueId": strconv.Itoa(queueID), "queueOffset": strconv.FormatInt(offset, 10), "maxMsgNums": "32",
		"sysFlag": "4", "commitOffset": "0", "suspendTimeoutMillis": "0", "subscription": "*", "subVersion": "0",
		"expressionType": "TAG"}, nil)
}

// readQueue pulls every message of one queue: queue offset -> body.
func readQueue(cl *remoting.Client, addr, topic string, queueID int) (map[int64]string, error) {
	out := make(map[int64]string)
	var off int64
	for i := 0; i < 1_000_000; i++ {
		resp, err := cl.InvokeSync(context.Background(), addr, pullReq(topic, queueID, off), 10*time.Second)
		if err != nil {
			return out, err
		}
		switch resp.Code {
		case code.Success:
		case code.PullNotFound:
			return out, nil
		case code.PullOffsetMoved, code.PullRetryImmediately:
			next, _ := strconv.ParseInt(resp.Ext("nextBeginOffset"), 10, 64)
			if next <= off {
				return out, nil
			}
			off = next
			continue
		default:
			return out, fmt.Errorf("pull %s/%d@%d: code %d %s", topic, queueID, off, resp.Code, resp.Remark)
		}
		b := resp.Body
		for len(b) > 0 {
			rec, err := commitlog.Decode(b, true)
			if err != nil {
				return out, fmt.Errorf("pull %s/%d@%d: undecodable record: %v", topic, queueID, off, err)
			}
			out[rec.QueueOffset] = string(rec.Body)
			b = b[rec.TotalSize:]
		}
		next, _ := strconv.ParseInt(resp.Ext("nextBeginOffset"), 10, 64)
		if next <= off {
			return out, nil
		}
		off = next
	}
	return out, nil
}

// checkAcked reads back every queue and counts acknowledged messages that are missing or differ.
func checkAcked(cl *remoting.Client, addr, topic string, queues int, acks []acked) (lost, wrong int, err error) {
	got := make([]map[int64]string, queues)
	for q := 0; q < queues; q++ {
		if got[q], err = readQueue(cl, addr, topic, q); err != nil {
			return 0, 0, err
		}
	}
	for _, a := range acks {
		b, ok := got[a.queue][a.offset]
		switch {
		case !ok:
			lost++
		case b != a.body:
			wrong++
		}
	}
	return lost, wrong, nil
}
