package remoting

import (
	"slices"

	"github.com/rocketd/rocketd/compat"
)

// orderedKeys returns ext's keys in the order Java writes extFields (a default-capacity HashMap; keys sharing a
// bucket in name order, since a Go map does not remember insertion order), using buf when it is large enough.
func orderedKeys(ext map[string]string, buf []string) []string {
	keys := buf[:0]
	for k := range ext {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	compat.JavaHashMapOrder(keys, 0)
	return keys
}
