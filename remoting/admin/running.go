package admin

import (
	"context"
	"fmt"
	"strconv"

	jsoniter "github.com/json-iterator/go"

	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// KV is one ordered key/value pair.
type KV struct{ K, V string }

// ProcessQueueInfo is a consumer's state of one queue.
type ProcessQueueInfo struct {
	CommitOffset            int64 `json:"commitOffset"`
	CachedMsgMinOffset      int64 `json:"cachedMsgMinOffset"`
	CachedMsgMaxOffset      int64 `json:"cachedMsgMaxOffset"`
	CachedMsgCount          int64 `json:"cachedMsgCount"`
	CachedMsgSizeInMiB      int64 `json:"cachedMsgSizeInMiB"`
	TransactionMsgMinOffset int64 `json:"transactionMsgMinOffset"`
	TransactionMsgMaxOffset int64 `json:"transactionMsgMaxOffset"`
	TransactionMsgCount     int64 `json:"transactionMsgCount"`
	Locked                  bool  `json:"locked"`
	TryUnlockTimes          int64 `json:"tryUnlockTimes"`
	LastLockTimestamp       int64 `json:"lastLockTimestamp"`
	Droped                  bool  `json:"droped"`
	LastPullTimestamp       int64 `json:"lastPullTimestamp"`
	LastConsumeTimestamp    int64 `json:"lastConsumeTimestamp"`
}

// ConsumeStatus is a consumer's rates for one topic.
type ConsumeStatus struct {
	PullRT            float64 `json:"pullRT"`
	PullTPS           float64 `json:"pullTPS"`
	ConsumeRT         float64 `json:"consumeRT"`
	ConsumeOKTPS      float64 `json:"consumeOKTPS"`
	ConsumeFailedTPS  float64 `json:"consumeFailedTPS"`
	ConsumeFailedMsgs int64   `json:"consumeFailedMsgs"`
}

// ConsumerRunningInfo is a client's answer to GET_CONSUMER_RUNNING_INFO, in the order the client wrote it
// (Java: Properties, TreeSet, TreeMap).
type ConsumerRunningInfo struct {
	Properties      []KV
	SubscriptionSet []SubscriptionData
	MQTable         Pairs[MessageQueue, ProcessQueueInfo]
	StatusTable     Pairs[string, ConsumeStatus]
	Jstack          *string
}

// Property returns the value of a consumer property.
func (r *ConsumerRunningInfo) Property(k string) string {
	for _, p := range r.Properties {
		if p.K == k {
			return p.V
		}
	}
	return ""
}

// ConsumerRunningInfo is Java getConsumerRunningInfo: GET_CONSUMER_RUNNING_INFO (307) through the first master
// of the group's retry topic, which forwards it to the client.
func (c *Client) ConsumerRunningInfo(ctx context.Context, group, clientID string, jstack bool) (*ConsumerRunningInfo, error) {
	route, _, err := c.TopicRoute(ctx, "%RETRY%"+group)
	if err != nil {
		return nil, err
	}
	for _, bd := range route.BrokerDatas {
		addr := bd.Addr(0)
		if addr == "" {
			continue
		}
		resp, err := c.call(ctx, addr, remoting.NewRequest(code.GetConsumerRunningInfo, map[string]string{
			"consumerGroup": group, "clientId": clientID, "jstackEnable": strconv.FormatBool(jstack)}, nil))
		if err != nil {
			return nil, err
		}
		return decodeRunningInfo(resp.Body)
	}
	return nil, fmt.Errorf("no master broker in the route of %%RETRY%%%s", group)
}

func decodeRunningInfo(body []byte) (*ConsumerRunningInfo, error) {
	p := &keyRewriter{in: body, out: make([]byte, 0, len(body)+64)}
	if err := p.value(0); err != nil {
		return nil, err
	}
	norm, err := fastjson.Normalize(p.out)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBody, err)
	}
	var r ConsumerRunningInfo
	api := jsoniter.ConfigCompatibleWithStandardLibrary
	it := jsoniter.ParseBytes(api, norm)
	for field := it.ReadObject(); field != ""; field = it.ReadObject() {
		switch field {
		case "properties":
			for k := it.ReadObject(); k != ""; k = it.ReadObject() {
				v := it.ReadAny()
				r.Properties = append(r.Properties, KV{k, v.ToString()})
			}
		case "subscriptionSet":
			it.ReadVal(&r.SubscriptionSet)
		case "mqTable":
			it.ReadVal(&r.MQTable)
		case "statusTable":
			for k := it.ReadObject(); k != ""; k = it.ReadObject() {
				var s ConsumeStatus
				it.ReadVal(&s)
				r.StatusTable = append(r.StatusTable, Pair[string, ConsumeStatus]{k, s})
			}
		case "jstack":
			if it.WhatIsNext() == jsoniter.NilValue {
				it.Skip()
			} else {
				s := it.ReadString()
				r.Jstack = &s
			}
		default:
			it.Skip()
		}
	}
	if it.Error != nil && it.Error.Error() != "EOF" {
		return nil, fmt.Errorf("%w: %v", errBody, it.Error)
	}
	return &r, nil
}
