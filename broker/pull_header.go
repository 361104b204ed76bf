package broker

import (
	"slices"
	"strconv"
	"unsafe"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/header"
)

// decodePullHeader reads a PULL_MESSAGE header. The route is WithRawExt: the fields are read straight from
// the request's JSON, without an extFields map, and the names are interned (a consumer sends the same group,
// topic and subscription on every pull). Anything unusual (a required field missing, a number Java would
// not parse, an escape that does not decode) goes through the map path, so errors read as before.
func (b *Broker) decodePullHeader(req *remoting.Command) (header.PullMessageRequestHeader, error) {
	var h header.PullMessageRequestHeader
	if req.HasRawExt() {
		const required = 1<<9 - 1 // the nine required fields below
		var seen uint32
		ok := req.RangeExt(func(k, v []byte, escaped bool) bool {
			s := unsafe.String(unsafe.SliceData(v), len(v)) // aliases the frame: interned below where kept
			if escaped {
				var err error
				if s, err = remoting.UnescapeExt(v); err != nil {
					return false
				}
			}
			var ok bool
			switch string(k) {
			case "consumerGroup":
				h.ConsumerGroup, ok, seen = b.names.String(s), true, seen|1
			case "topic":
				h.Topic, ok, seen = b.names.String(s), true, seen|2
			case "queueId":
				h.QueueID, ok = header.ParseJavaInt(s)
				seen |= 4
			case "queueOffset":
				h.QueueOffset, ok = header.ParseJavaLong(s)
				seen |= 8
			case "maxMsgNums":
				h.MaxMsgNums, ok = header.ParseJavaInt(s)
				seen |= 16
			case "sysFlag":
				h.SysFlag, ok = header.ParseJavaInt(s)
				seen |= 32
			case "commitOffset":
				h.CommitOffset, ok = header.ParseJavaLong(s)
				seen |= 64
			case "suspendTimeoutMillis":
				h.SuspendTimeoutMillis, ok = header.ParseJavaLong(s)
				seen |= 128
			case "subVersion":
				h.SubVersion, ok = header.ParseJavaLong(s)
				seen |= 256
			case "subscription":
				h.Subscription, ok = b.names.String(s), true
			case "expressionType":
				h.ExpressionType, ok = b.names.String(s), true
			case "bname":
				h.BrokerName, ok = b.names.String(s), true
			default:
				ok = true // Decode ignores unknown keys
			}
			return ok
		})
		if ok && seen == required {
			return h, nil
		}
		if err := req.LoadExtFields(); err != nil {
			return h, err
		}
	}
	err := h.Decode(req.ExtFields)
	return h, err
}

// pullResponseKeys are the pull response's extFields keys in the order Java's HashMap writes them.
var pullResponseKeys = func() [4]string {
	k := []string{"maxOffset", "minOffset", "nextBeginOffset", "suggestWhichBrokerId"}
	slices.Sort(k)
	compat.JavaHashMapOrder(k, 0)
	return [4]string(k)
}()

// setPullResponseHeader writes rh as the response's extFields without a map (same bytes as rh.Encode into
// ExtFields: the keys in Java's order).
func setPullResponseHeader(resp *remoting.Command, rh *header.PullMessageResponseHeader) {
	kv := make([]string, 8)
	for i, k := range pullResponseKeys {
		var v int64
		switch k {
		case "suggestWhichBrokerId":
			v = rh.SuggestWhichBrokerID
		case "nextBeginOffset":
			v = rh.NextBeginOffset
		case "minOffset":
			v = rh.MinOffset
		case "maxOffset":
			v = rh.MaxOffset
		}
		kv[2*i], kv[2*i+1] = k, strconv.FormatInt(v, 10)
	}
	resp.SetExtPairs(kv)
}
