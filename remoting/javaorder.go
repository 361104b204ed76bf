package remoting

import "github.com/rocketd/rocketd/compat"

// javaMapOrder sorts keys into the iteration order of a java.util.HashMap holding them: by bucket
// (String.hashCode spread as h ^ h>>>16, masked by the table size, which starts at 16 and doubles past a load
// factor of 0.75), and within a bucket by insertion order, approximated here by name order. Java writes
// extFields in that order in both serializations, so using it makes rocketd's frames byte-identical to Java's.
func javaMapOrder(keys []string) {
	n := uint32(16)
	for float64(len(keys)) > 0.75*float64(n) {
		n <<= 1
	}
	var small [16]uint32
	buckets := small[:0]
	for _, k := range keys {
		h := uint32(compat.JavaStringHashCode(k))
		buckets = append(buckets, (h^h>>16)&(n-1))
	}
	// Insertion sort: headers have a handful of keys, and this keeps encoding allocation-free.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && (buckets[j] < buckets[j-1] || buckets[j] == buckets[j-1] && keys[j] < keys[j-1]); j-- {
			buckets[j], buckets[j-1] = buckets[j-1], buckets[j]
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// orderedKeys returns ext's keys in Java's order, using buf when it is large enough.
func orderedKeys(ext map[string]string, buf []string) []string {
	keys := buf[:0]
	for k := range ext {
		keys = append(keys, k)
	}
	javaMapOrder(keys)
	return keys
}
