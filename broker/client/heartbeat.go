// Package client tracks the producers and consumers connected to the broker (Java's ProducerManager and
// ConsumerManager): who is in which group, what each consumer group subscribes to, and when their
// connections go stale. It serves HEART_BEAT, UNREGISTER_CLIENT and GET_CONSUMER_LIST_BY_GROUP, and tells a
// group's consumers to rebalance (NOTIFY_CONSUMER_IDS_CHANGED) when membership or subscriptions change.
package client

import (
	"fmt"
	"strconv"

	jsoniter "github.com/json-iterator/go"
)

// HeartbeatData is the HEART_BEAT body. Java and the Go client differ in details the parser tolerates:
// codeSet holds numbers (Java) or strings (Go); subVersion is millis (Java) or nanos (Go).
type HeartbeatData struct {
	ClientID        string         `json:"clientID"`
	ProducerDataSet []ProducerData `json:"producerDataSet"`
	ConsumerDataSet []ConsumerData `json:"consumerDataSet"`
}

// ProducerData names one producer group of the client.
type ProducerData struct {
	GroupName string `json:"groupName"`
}

// ConsumerData describes one consumer group of the client.
type ConsumerData struct {
	GroupName           string             `json:"groupName"`
	ConsumeType         string             `json:"consumeType"`      // CONSUME_PASSIVELY (push) / CONSUME_ACTIVELY (pull)
	MessageModel        string             `json:"messageModel"`     // CLUSTERING / BROADCASTING
	ConsumeFromWhere    string             `json:"consumeFromWhere"` // CONSUME_FROM_LAST_OFFSET, ...
	SubscriptionDataSet []SubscriptionData `json:"subscriptionDataSet"`
	UnitMode            bool               `json:"unitMode"`
}

// SubscriptionData is one topic subscription of a consumer group.
type SubscriptionData struct {
	Topic             string   `json:"topic"`
	SubString         string   `json:"subString"`
	TagsSet           []string `json:"tagsSet"`
	CodeSet           CodeSet  `json:"codeSet"`
	SubVersion        int64    `json:"subVersion"`
	ExpressionType    string   `json:"expressionType"`
	ClassFilterMode   bool     `json:"classFilterMode"`
	FilterClassSource string   `json:"filterClassSource,omitempty"`
}

// CodeSet holds tag hash codes, sent as numbers by Java and as strings by the Go client.
type CodeSet []int32

// UnmarshalJSON accepts [1,-2] and ["1","-2"].
func (c *CodeSet) UnmarshalJSON(b []byte) error {
	it := jsoniter.ConfigDefault.BorrowIterator(b)
	defer jsoniter.ConfigDefault.ReturnIterator(it)
	if it.WhatIsNext() == jsoniter.NilValue {
		*c = nil
		return nil
	}
	out := CodeSet{}
	it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
		switch it.WhatIsNext() {
		case jsoniter.NumberValue:
			out = append(out, it.ReadInt32())
		case jsoniter.StringValue:
			s := it.ReadString()
			n, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				it.ReportError("codeSet", "not an int32: "+strconv.Quote(s))
				return false
			}
			out = append(out, int32(n))
		default:
			it.ReportError("codeSet", "expected numbers or strings")
			return false
		}
		return true
	})
	if it.Error != nil {
		return fmt.Errorf("codeSet: %v", it.Error)
	}
	*c = out
	return nil
}

// ParseHeartbeat decodes a HEART_BEAT body.
func ParseHeartbeat(body []byte) (*HeartbeatData, error) {
	var hb HeartbeatData
	if err := jsoniter.ConfigCompatibleWithStandardLibrary.Unmarshal(body, &hb); err != nil {
		return nil, fmt.Errorf("heartbeat body is not valid HeartbeatData JSON: %w", err)
	}
	if hb.ClientID == "" {
		return nil, fmt.Errorf("heartbeat body has no clientID")
	}
	return &hb, nil
}

// IsTagType reports whether the subscription uses tag filtering (TAG or empty expression type).
func (s *SubscriptionData) IsTagType() bool {
	return s.ExpressionType == "" || s.ExpressionType == "TAG"
}
