// Package intern keeps one copy of strings that hot paths see over and over (topic and group names), so that
// turning their bytes into a string does not allocate each time.
package intern

import "sync"

// MaxStrings is how many strings a Pool holds before it starts over.
const MaxStrings = 8192

// MaxLen is the longest string a Pool keeps. Longer ones (a long SQL92 subscription, a hostile peer's
// padding) are returned as copies and not kept, so what a Pool holds is bounded by MaxStrings x MaxLen bytes,
// not by what peers send.
const MaxLen = 512

// Pool is a bounded set of interned strings; the zero value is ready. It is safe for concurrent use.
type Pool struct {
	mu sync.Mutex
	m  map[string]string
}

// Bytes returns the string of b, allocating only the first time it is seen (or after the pool started over).
func (p *Pool) Bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.m[string(b)]; ok { // no allocation for the lookup
		return v
	}
	return p.add(string(b))
}

// String returns the pool's copy of s; a string not yet seen is copied, so s may alias memory that is reused.
func (p *Pool) String(s string) string {
	if s == "" {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.m[s]; ok {
		return v
	}
	return p.add(string([]byte(s)))
}

func (p *Pool) add(v string) string {
	if len(v) > MaxLen {
		return v
	}
	if p.m == nil || len(p.m) >= MaxStrings {
		p.m = make(map[string]string, 64)
	}
	p.m[v] = v
	return v
}
