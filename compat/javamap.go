package compat

// JavaHashMapOrder sorts keys into the iteration order of a java.util.HashMap<String, ?> created with
// initialCapacity (0 = the default constructor, 16) into which the keys were put in the given order: by bucket
// (String.hashCode spread as h ^ h>>>16, masked by the table size: the power of two at or above
// initialCapacity, doubled each time the size passes 0.75 of it) and, within a bucket, in insertion order (the
// sort is stable). Java writes extFields and message properties in this order, so using it makes rocketd's
// bytes equal to Java's. Insertion sort keeps it allocation-free for small key sets.
func JavaHashMapOrder(keys []string, initialCapacity int) {
	n := uint32(16)
	if initialCapacity > 0 {
		n = 1
		for int(n) < initialCapacity {
			n <<= 1
		}
	}
	for float64(len(keys)) > 0.75*float64(n) {
		n <<= 1
	}
	var small [32]uint32
	buckets := small[:0]
	for _, k := range keys {
		h := uint32(JavaStringHashCode(k))
		buckets = append(buckets, (h^h>>16)&(n-1))
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && buckets[j] < buckets[j-1]; j-- {
			buckets[j], buckets[j-1] = buckets[j-1], buckets[j]
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}
