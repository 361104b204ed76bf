package broker

import (
	"slices"

	"github.com/rocketd/rocketd/compat"
)

// appendStoredProperties is storedProperties for the common send, without the map: it appends to dst the
// client's properties string as the Java broker stores it, with CLUSTER set to cluster. The keys are the
// client's (first occurrence, WAIT left out) in Java's HashMap order, each with its last value, as a decoded
// map holds them. FuzzStoredProperties checks it against storedProperties.
func appendStoredProperties(dst []byte, client, cluster string) []byte {
	var keyBuf, valBuf [16]string
	keys, vals := keyBuf[:0], valBuf[:0]
	compat.RangeProperties(client, func(k, v string) bool {
		if i := slices.Index(keys, k); i >= 0 {
			vals[i] = v // later duplicates win
			return true
		}
		if k != compat.PropertyWaitStoreMsgOK {
			keys, vals = append(keys, k), append(vals, v)
		}
		return true
	})
	// storedProperties drops a key whose value is empty from the client order and puts CLUSTER, which the
	// broker sets, at the end: only CLUSTER can be empty here (an empty brokerClusterName).
	if i := slices.Index(keys, compat.PropertyCluster); i >= 0 {
		vals[i] = cluster
		if cluster == "" {
			keys, vals = slices.Delete(keys, i, i+1), slices.Delete(vals, i, i+1)
			keys, vals = append(keys, compat.PropertyCluster), append(vals, cluster)
		}
	} else {
		keys, vals = append(keys, compat.PropertyCluster), append(vals, cluster)
	}
	var orderBuf [16]string
	order := append(orderBuf[:0], keys...)
	compat.JavaHashMapOrder(order, 0)
	first := true
	for _, k := range order {
		v := vals[slices.Index(keys, k)]
		if v == "" {
			continue
		}
		if !first {
			dst = append(dst, compat.PropertySeparator)
		}
		first = false
		dst = append(dst, k...)
		dst = append(dst, compat.NameValueSeparator)
		dst = append(dst, v...)
	}
	return dst
}
