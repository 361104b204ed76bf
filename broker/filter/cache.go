package filter

import (
	"sync"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store/commitlog"
)

// Cache compiles expressions once (Java keeps the last 100 parses; here up to max entries, cleared when full).
type Cache struct {
	mu  sync.Mutex
	m   map[string]cached
	max int
}

type cached struct {
	e   *Expression
	err error
}

// NewCache makes a cache of at most max entries (1024 when max <= 0).
func NewCache(max int) *Cache {
	if max <= 0 {
		max = 1024
	}
	return &Cache{m: map[string]cached{}, max: max}
}

// Compile returns the compiled expression, or the parse error (both cached).
func (c *Cache) Compile(src string) (*Expression, error) {
	c.mu.Lock()
	if v, ok := c.m[src]; ok {
		c.mu.Unlock()
		return v.e, v.err
	}
	c.mu.Unlock()
	e, err := Parse(src)
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[src] = cached{e, err}
	c.mu.Unlock()
	return e, err
}

// RecordFilter is a store.MessageFilter that evaluates e over a record's properties; every unit passes the
// consume-queue stage (no bloom filter bit maps), undecodable records do not match.
type RecordFilter struct{ Expr *Expression }

// IsMatchedByConsumeQueue always passes: the properties live in the CommitLog record.
func (RecordFilter) IsMatchedByConsumeQueue(int64) bool { return true }

// IsMatchedByCommitLog evaluates the expression over the record's properties.
func (f RecordFilter) IsMatchedByCommitLog(rec []byte) bool {
	r, err := commitlog.Decode(rec, false)
	if err != nil {
		return false
	}
	props := string(r.Properties)
	return f.Expr.Matches(func(name string) (string, bool) { return compat.GetProperty(props, name) })
}
