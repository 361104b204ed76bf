package compat

import (
	"sort"
	"strings"
)

// Message property encoding (store.md §3): name \x01 value \x02 name \x01 value ... in UTF-8.
const (
	NameValueSeparator = '\x01'
	PropertySeparator  = '\x02'
	KeySeparator       = " "
)

// Property keys of 4.9.8 (MessageConst). The strings are stored on disk and sent on the wire.
const (
	PropertyKeys                           = "KEYS"
	PropertyTags                           = "TAGS"
	PropertyWaitStoreMsgOK                 = "WAIT"
	PropertyDelayTimeLevel                 = "DELAY"
	PropertyRetryTopic                     = "RETRY_TOPIC"
	PropertyRealTopic                      = "REAL_TOPIC"
	PropertyRealQueueID                    = "REAL_QID"
	PropertyTransactionPrepared            = "TRAN_MSG"
	PropertyProducerGroup                  = "PGROUP"
	PropertyMinOffset                      = "MIN_OFFSET"
	PropertyMaxOffset                      = "MAX_OFFSET"
	PropertyBuyerID                        = "BUYER_ID"
	PropertyOriginMessageID                = "ORIGIN_MESSAGE_ID"
	PropertyTransferFlag                   = "TRANSFER_FLAG"
	PropertyCorrectionFlag                 = "CORRECTION_FLAG"
	PropertyMQ2Flag                        = "MQ2_FLAG"
	PropertyReconsumeTime                  = "RECONSUME_TIME"
	PropertyMsgRegion                      = "MSG_REGION"
	PropertyTraceSwitch                    = "TRACE_ON"
	PropertyUniqClientMessageIDKeyIdx      = "UNIQ_KEY"
	PropertyMaxReconsumeTimes              = "MAX_RECONSUME_TIMES"
	PropertyConsumeStartTimestamp          = "CONSUME_START_TIME"
	PropertyTransactionPreparedQueueOffset = "TRAN_PREPARED_QUEUE_OFFSET"
	PropertyTransactionCheckTimes          = "TRANSACTION_CHECK_TIMES"
	PropertyCheckImmunityTimeInSeconds     = "CHECK_IMMUNITY_TIME_IN_SECONDS"
	PropertyInstanceID                     = "INSTANCE_ID"
	PropertyCorrelationID                  = "CORRELATION_ID"
	PropertyMessageReplyToClient           = "REPLY_TO_CLIENT"
	PropertyMessageTTL                     = "TTL"
	PropertyReplyMessageArriveTime         = "ARRIVE_TIME"
	PropertyPushReplyTime                  = "PUSH_REPLY_TIME"
	PropertyCluster                        = "CLUSTER"
	PropertyMessageType                    = "MSG_TYPE"
	PropertyInnerMultiDispatch             = "INNER_MULTI_DISPATCH"
	PropertyInnerMultiQueueOffset          = "INNER_MULTI_QUEUE_OFFSET"
)

// AppendProperties appends the 4.9.8 encoding of props to dst: pairs joined by \x02, no trailing \x02, in the
// order the Java broker writes them (the iteration order of the HashMap it holds them in, see JavaHashMapOrder).
// A Go map does not remember insertion order, which Java uses to order keys sharing a bucket: this assumes
// client keys in name order, then the keys the broker adds (CLUSTER, REAL_TOPIC, ...). Callers that know the
// real insertion order use AppendPropertiesInOrder. Pairs with an empty key or value are skipped, as Java's
// parser would drop them.
func AppendProperties(dst []byte, props map[string]string) []byte {
	if len(props) == 0 {
		return dst
	}
	var small [16]string
	keys := small[:0]
	for k := range props {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := brokerAddedRank(keys[i]), brokerAddedRank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return AppendPropertiesInOrder(dst, keys, props)
}

// brokerAddedRank puts the keys the broker adds after the client's, in the order Java adds them.
func brokerAddedRank(k string) int {
	switch k {
	case PropertyCluster:
		return 1
	case PropertyRetryTopic, PropertyOriginMessageID:
		return 2
	case PropertyRealTopic:
		return 3
	case PropertyRealQueueID:
		return 4
	}
	return 0
}

// AppendPropertiesInOrder is AppendProperties for keys given in insertion order (for example PropertyNames of
// the client's string followed by what the broker added). keys is reordered in place.
func AppendPropertiesInOrder(dst []byte, keys []string, props map[string]string) []byte {
	JavaHashMapOrder(keys, 0)
	first := true
	for _, k := range keys {
		v := props[k]
		if k == "" || v == "" {
			continue
		}
		if !first {
			dst = append(dst, PropertySeparator)
		}
		first = false
		dst = append(dst, k...)
		dst = append(dst, NameValueSeparator)
		dst = append(dst, v...)
	}
	return dst
}

// PropertyNames returns the names in a properties string in the order they appear (first occurrence).
func PropertyNames(s string) []string {
	var keys []string
	seen := make(map[string]bool, 8)
	RangeProperties(s, func(k, _ string) bool {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		return true
	})
	return keys
}

// EncodeProperties is AppendProperties into a new string.
func EncodeProperties(props map[string]string) string {
	return string(AppendProperties(nil, props))
}

// DecodeProperties parses a properties string the way 4.9.8 does: split on \x02; in each segment the key is
// the text before the first \x01 and must be non-empty, the value is the rest (may contain \x01) and must be
// non-empty; other segments are silently dropped. Both the trailing-\x02 form (<= 4.9.2) and the 4.9.8 form
// are accepted. Later duplicates win. It never fails.
func DecodeProperties(s string) map[string]string {
	m := make(map[string]string, 4)
	RangeProperties(s, func(k, v string) bool {
		m[k] = v
		return true
	})
	return m
}

// RangeProperties calls fn for every pair DecodeProperties would keep, in order, without allocating.
// It stops early when fn returns false.
func RangeProperties(s string, fn func(k, v string) bool) {
	for len(s) > 0 {
		seg := s
		if i := strings.IndexByte(s, PropertySeparator); i >= 0 {
			seg, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		kv := strings.IndexByte(seg, NameValueSeparator)
		if kv <= 0 || kv >= len(seg)-1 {
			continue
		}
		if !fn(seg[:kv], seg[kv+1:]) {
			return
		}
	}
}

// GetProperty returns the value of key in an encoded properties string (the last occurrence wins, as in a
// decoded map) without allocating.
func GetProperty(s, key string) (string, bool) {
	var val string
	found := false
	RangeProperties(s, func(k, v string) bool {
		if k == key {
			val, found = v, true
		}
		return true
	})
	return val, found
}
