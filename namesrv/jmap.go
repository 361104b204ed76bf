package namesrv

import (
	"slices"

	"github.com/rocketd/rocketd/compat"
)

// Java's route tables are java.util.HashMap / HashSet, and fastjson writes them in their iteration order (the
// legacy route form, ClusterInfo, TopicList, KVTable, kvConfig.json) or copies their values into lists in that
// order (queueDatas, brokerDatas, even in the "standard" form). To give byte-identical bodies we keep, per map,
// what decides that order: the table size and the insertion sequence of each key.
//
// HashMap iterates bucket by bucket (bucket = spread(hashCode) & (size-1)); inside a bucket, entries keep the
// order they were inserted (a resize splits a bucket's list without reordering it). Not modelled: bins turned
// into trees once the table has 64+ slots and a bucket 8+ entries (only for pathological key sets).

const (
	javaDefaultTable = 16 // new HashMap<>() / new HashSet<>() allocate 16 slots on the first put
	treeifyThreshold = 8
	minTreeifyTable  = 64
)

// spread is HashMap.hash: the high half of hashCode folded into the low half.
func spread(h int32) uint32 { u := uint32(h); return u ^ u>>16 }

// tableSizeFor is HashMap.tableSizeFor: the next power of two >= n (at least 1).
func tableSizeFor(n int) int {
	c := 1
	for c < n {
		c <<= 1
	}
	return c
}

// threshold is the size above which a table of n slots doubles (load factor 0.75).
func threshold(n int) int { return int(float64(n) * 0.75) }

// capForCopy is the table size HashMap.putAll / clone / new HashMap(map) pick for s entries into an empty map.
func capForCopy(s int) int {
	if s == 0 {
		return javaDefaultTable
	}
	return tableSizeFor(int(float64(s)/0.75 + 1))
}

// capGrown is the table size of a default HashMap/HashSet after s distinct adds (HashSet.addAll one by one).
func capGrown(s int) int {
	c := javaDefaultTable
	for s > threshold(c) {
		c <<= 1
	}
	return c
}

func stringHash(s string) int32 { return compat.JavaStringHashCode(s) }

// longHash is Long.hashCode.
func longHash(v int64) int32 { return int32(v ^ int64(uint64(v)>>32)) }

type jent[V any] struct {
	v   V
	seq uint64
}

// jmap is a map that also knows the order a Java HashMap with the same history iterates it in.
type jmap[K comparable, V any] struct {
	hash  func(K) int32
	init  int // table size allocated on the first put
	table int // current table size; 0 before the first put
	seq   uint64
	m     map[K]*jent[V]
}

func newJMap[K comparable, V any](hash func(K) int32, initialCapacity int) *jmap[K, V] {
	return &jmap[K, V]{hash: hash, init: tableSizeFor(initialCapacity), m: make(map[K]*jent[V])}
}

func newStringMap[V any](initialCapacity int) *jmap[string, V] {
	return newJMap[string, V](stringHash, initialCapacity)
}

func (m *jmap[K, V]) Len() int { return len(m.m) }

func (m *jmap[K, V]) Get(k K) (V, bool) {
	e, ok := m.m[k]
	if !ok {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (m *jmap[K, V]) Has(k K) bool { _, ok := m.m[k]; return ok }

// Put sets k to v; a new key goes to the end of its bucket, an existing one keeps its place.
func (m *jmap[K, V]) Put(k K, v V) (old V, existed bool) {
	if e, ok := m.m[k]; ok {
		old, e.v = e.v, v
		return old, true
	}
	if m.table == 0 {
		m.table = m.init
	}
	if m.table < minTreeifyTable {
		// HashMap resizes instead of treeifying when a bucket already holds 8 entries and the table is small.
		b := m.bucket(k)
		n := 0
		for k2 := range m.m {
			if m.bucket(k2) == b {
				n++
			}
		}
		if n >= treeifyThreshold {
			m.table <<= 1
		}
	}
	m.seq++
	m.m[k] = &jent[V]{v: v, seq: m.seq}
	if len(m.m) > threshold(m.table) {
		m.table <<= 1
	}
	return old, false
}

func (m *jmap[K, V]) Delete(k K) (V, bool) {
	e, ok := m.m[k]
	if !ok {
		var zero V
		return zero, false
	}
	delete(m.m, k)
	return e.v, true
}

func (m *jmap[K, V]) bucket(k K) uint32 {
	t := m.table
	if t == 0 {
		t = m.init
	}
	return spread(m.hash(k)) & uint32(t-1)
}

// Keys returns the keys in Java iteration order.
func (m *jmap[K, V]) Keys() []K {
	keys := make([]K, 0, len(m.m))
	for k := range m.m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b K) int {
		ba, bb := m.bucket(a), m.bucket(b)
		if ba != bb {
			if ba < bb {
				return -1
			}
			return 1
		}
		sa, sb := m.m[a].seq, m.m[b].seq
		if sa < sb {
			return -1
		}
		if sa > sb {
			return 1
		}
		return 0
	})
	return keys
}

// Values returns the values in Java iteration order.
func (m *jmap[K, V]) Values() []V {
	keys := m.Keys()
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = m.m[k].v
	}
	return out
}

// javaOrder orders keys, given in insertion order, as a HashMap/HashSet of the given table size iterates them.
func javaOrder[K any](keys []K, hash func(K) int32, table int) []K {
	type item struct {
		k   K
		b   uint32
		seq int
	}
	items := make([]item, len(keys))
	for i, k := range keys {
		items[i] = item{k, spread(hash(k)) & uint32(table-1), i}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if a.b < b.b {
			return -1
		}
		if a.b > b.b {
			return 1
		}
		return 0
	})
	out := make([]K, len(items))
	for i, it := range items {
		out[i] = it.k
	}
	return out
}

// hashSetOf builds the order of new HashSet<>() after addAll(keys) (keys in source iteration order), dropping
// duplicates.
func hashSetOf(keys []string) []string {
	seen := make(map[string]struct{}, len(keys))
	uniq := make([]string, 0, len(keys))
	for _, k := range keys {
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			uniq = append(uniq, k)
		}
	}
	return javaOrder(uniq, stringHash, capGrown(len(uniq)))
}
