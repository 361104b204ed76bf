// Package offset is the broker's consumer offset table, Java's broker.offset.ConsumerOffsetManager (4.9.8),
// persisted in <storePathRootDir>/config/consumerOffset.json:
//
//	{"offsetTable":{"<topic>@<group>":{0:12,1:5},...}}
//
// with UNQUOTED integer queue-id keys (fastjson's Map<Integer,Long>), written pretty with Java's .tmp/.bak
// protocol (compat/fastjson). Values are the next queue offset to consume. The compact form is the
// GET_ALL_CONSUMER_OFFSET (43) body. Transaction check progress lives here too, under group CID_RMQ_SYS_TRANS.
//
// With enableLmq Java uses LmqConsumerOffsetManager and lmqConsumerOffset.json instead: the same offsetTable
// plus "lmqOffsetTable":{"<topic>@<group>":offset} for groups starting with %LMQ% (one offset per topic@group,
// queue id ignored). OpenLmq selects that behaviour; the caller picks the file name.
//
// The broker calls Persist every flushConsumerOffsetInterval (5 s) and at shutdown; Commit is on the pull path
// and takes no exclusive lock once a topic@group exists.
package offset

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// Separator joins topic and group in the persisted key (TOPIC_GROUP_SEPARATOR).
const Separator = "@"

// LmqPrefix marks LMQ groups and topics.
const LmqPrefix = "%LMQ%"

// ErrBadOffsetFile wraps decode errors of offset documents.
var ErrBadOffsetFile = errors.New("offset: bad consumer offset document")

type key struct{ topic, group string }

type queues struct {
	mu sync.Mutex
	m  map[int32]int64
}

func (q *queues) snapshot() map[int32]int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[int32]int64, len(q.m))
	for k, v := range q.m {
		out[k] = v
	}
	return out
}

// Manager holds the offsets. All methods are safe for concurrent use.
type Manager struct {
	path string
	lmq  bool
	log  *slog.Logger

	mu    sync.RWMutex
	table map[key]*queues
	odd   map[string]map[int32]int64 // keys that are not exactly "topic@group": kept for the file, unreachable
	lmqT  map[string]int64           // lmqOffsetTable (LMQ mode, or preserved from the file)

	changes   atomic.Uint64
	persistMu sync.Mutex
	persisted uint64 // value of changes at the last successful Persist
	written   bool
}

// Open loads consumerOffset.json at path (missing = empty; corrupt = .bak; both corrupt = error).
func Open(path string) (*Manager, error) { return open(path, false) }

// OpenLmq loads lmqConsumerOffset.json at path and routes %LMQ% groups to lmqOffsetTable, like Java's
// LmqConsumerOffsetManager (enableLmq=true).
func OpenLmq(path string) (*Manager, error) { return open(path, true) }

func open(path string, lmq bool) (*Manager, error) {
	m := &Manager{
		path:  path,
		lmq:   lmq,
		log:   slog.Default().With("component", "broker", "manager", "offset"),
		table: make(map[key]*queues, 256),
		odd:   make(map[string]map[int32]int64),
		lmqT:  make(map[string]int64),
	}
	err := fastjson.ReadConfig(path, func(b []byte) error {
		doc, err := decodeDoc(b)
		if err != nil {
			return err
		}
		m.apply(doc)
		m.log.Info("offset: loaded", "file", path, "entries", len(doc.offsets), "lmqEntries", len(doc.lmq))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("offset: load %s: %w", path, err)
	}
	return m, nil
}

// Path is the file path.
func (m *Manager) Path() string { return m.path }

type doc struct {
	offsets map[string]map[int32]int64
	lmq     map[string]int64
}

// flexInt accepts a JSON number or a number in a string (fastjson reads both; BrowserCompatible writes longs
// beyond 2^53 as strings).
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("offset value %s is not an integer", b)
	}
	*f = flexInt(v)
	return nil
}

func decodeDoc(b []byte) (doc, error) {
	var raw struct {
		OffsetTable    map[string]map[string]flexInt `json:"offsetTable"`
		LmqOffsetTable map[string]flexInt            `json:"lmqOffsetTable"`
	}
	if err := fastjson.Unmarshal(b, &raw); err != nil {
		return doc{}, fmt.Errorf("%w: %v", ErrBadOffsetFile, err)
	}
	d := doc{offsets: make(map[string]map[int32]int64, len(raw.OffsetTable)), lmq: make(map[string]int64, len(raw.LmqOffsetTable))}
	for k, qs := range raw.OffsetTable {
		inner := make(map[int32]int64, len(qs))
		for qk, v := range qs {
			qid, err := strconv.ParseInt(qk, 10, 32)
			if err != nil {
				return doc{}, fmt.Errorf("%w: queue id %q of %q is not an int32", ErrBadOffsetFile, qk, k)
			}
			inner[int32(qid)] = int64(v)
		}
		d.offsets[k] = inner
	}
	for k, v := range raw.LmqOffsetTable {
		d.lmq[k] = int64(v)
	}
	return d, nil
}

// splitKey splits "topic@group"; ok is false unless there is exactly one '@' (Java's split("@").length == 2).
func splitKey(s string) (key, bool) {
	i := strings.IndexByte(s, '@')
	if i < 0 || strings.IndexByte(s[i+1:], '@') >= 0 {
		return key{}, false
	}
	return key{topic: s[:i], group: s[i+1:]}, true
}

// apply puts every entry of d (replacing whole topic@group maps, Java's putAll).
func (m *Manager) apply(d doc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, inner := range d.offsets {
		if tk, ok := splitKey(k); ok {
			m.table[tk] = &queues{m: inner}
		} else {
			m.odd[k] = inner
		}
	}
	for k, v := range d.lmq {
		m.lmqT[k] = v
	}
	m.changes.Add(1)
}

func (m *Manager) isLmq(group string) bool { return m.lmq && strings.HasPrefix(group, LmqPrefix) }

// Commit records offset as the next offset of group on topic/queueID (Java commitOffset). An offset lower
// than the stored one is accepted, as in Java.
func (m *Manager) Commit(group, topic string, queueID int32, offset int64) {
	if m.isLmq(group) {
		m.mu.Lock()
		m.lmqT[topic+Separator+group] = offset
		m.mu.Unlock()
		m.changes.Add(1)
		return
	}
	k := key{topic, group}
	m.mu.RLock()
	q := m.table[k]
	m.mu.RUnlock()
	if q == nil {
		m.mu.Lock()
		if q = m.table[k]; q == nil {
			q = &queues{m: make(map[int32]int64, 8)}
			m.table[k] = q
		}
		m.mu.Unlock()
	}
	q.mu.Lock()
	q.m[queueID] = offset
	q.mu.Unlock()
	m.changes.Add(1)
}

// Query returns the committed offset (Java queryOffset returns -1 when absent; here ok is false).
func (m *Manager) Query(group, topic string, queueID int32) (int64, bool) {
	if m.isLmq(group) {
		m.mu.RLock()
		v, ok := m.lmqT[topic+Separator+group]
		m.mu.RUnlock()
		return v, ok
	}
	m.mu.RLock()
	q := m.table[key{topic, group}]
	m.mu.RUnlock()
	if q == nil {
		return 0, false
	}
	q.mu.Lock()
	v, ok := q.m[queueID]
	q.mu.Unlock()
	return v, ok
}

// QueryAll returns a copy of every queue's offset of group on topic, nil when there is none. An LMQ group
// reports its single offset as queue 0.
func (m *Manager) QueryAll(group, topic string) map[int32]int64 {
	if m.isLmq(group) {
		if v, ok := m.Query(group, topic, 0); ok {
			return map[int32]int64{0: v}
		}
		return nil
	}
	m.mu.RLock()
	q := m.table[key{topic, group}]
	m.mu.RUnlock()
	if q == nil {
		return nil
	}
	return q.snapshot()
}

// GroupsOfTopic lists the groups with offsets on topic, sorted (Java whichGroupByTopic).
func (m *Manager) GroupsOfTopic(topic string) []string {
	set := map[string]struct{}{}
	m.mu.RLock()
	for k := range m.table {
		if k.topic == topic {
			set[k.group] = struct{}{}
		}
	}
	m.mu.RUnlock()
	return fastjson.SortedKeys(set)
}

// TopicsOfGroup lists the topics group has offsets on, sorted (Java whichTopicByConsumer).
func (m *Manager) TopicsOfGroup(group string) []string {
	set := map[string]struct{}{}
	m.mu.RLock()
	for k := range m.table {
		if k.group == group {
			set[k.topic] = struct{}{}
		}
	}
	m.mu.RUnlock()
	return fastjson.SortedKeys(set)
}

// Remove drops the offsets of group on topic (Java scanUnsubscribedTopic's it.remove()); false when absent.
func (m *Manager) Remove(group, topic string) bool {
	k := key{topic, group}
	m.mu.Lock()
	_, ok := m.table[k]
	delete(m.table, k)
	m.mu.Unlock()
	if ok {
		m.changes.Add(1)
	}
	return ok
}

// RemoveTopic drops every group's offsets on topic; it returns how many topic@group entries went.
func (m *Manager) RemoveTopic(topic string) int {
	n := m.removeWhere(func(k key) bool { return k.topic == topic })
	if n > 0 {
		m.log.Warn("offset: clean topic offsets", "topic", topic, "entries", n)
	}
	return n
}

// RemoveGroup drops every topic's offsets of group (Java removeOffset); it returns how many entries went.
func (m *Manager) RemoveGroup(group string) int {
	n := m.removeWhere(func(k key) bool { return k.group == group })
	if n > 0 {
		m.log.Warn("offset: clean group offsets", "group", group, "entries", n)
	}
	return n
}

// removeWhere drops the entries whose key matches and counts a change when any went; it returns how many.
func (m *Manager) removeWhere(match func(key) bool) int {
	n := 0
	m.mu.Lock()
	for k := range m.table {
		if match(k) {
			delete(m.table, k)
			n++
		}
	}
	m.mu.Unlock()
	if n > 0 {
		m.changes.Add(1)
	}
	return n
}

// CloneOffset copies srcGroup's offsets on topic to destGroup (Java cloneOffset, CLONE_GROUP_OFFSET).
func (m *Manager) CloneOffset(srcGroup, destGroup, topic string) bool {
	src := m.QueryAll(srcGroup, topic)
	if src == nil || m.isLmq(srcGroup) {
		return false
	}
	m.mu.Lock()
	m.table[key{topic, destGroup}] = &queues{m: src}
	m.mu.Unlock()
	m.changes.Add(1)
	return true
}

// Keys lists every persisted "topic@group" key of offsetTable, sorted.
func (m *Manager) Keys() []string {
	m.mu.RLock()
	keys := make([]string, 0, len(m.table)+len(m.odd))
	for k := range m.table {
		keys = append(keys, k.topic+Separator+k.group)
	}
	for k := range m.odd {
		keys = append(keys, k)
	}
	m.mu.RUnlock()
	slices.Sort(keys)
	return keys
}

// snapshot copies the tables, keyed as in the file.
func (m *Manager) snapshot() (map[string]map[int32]int64, map[string]int64) {
	m.mu.RLock()
	entries := make(map[string]*queues, len(m.table))
	for k, q := range m.table {
		entries[k.topic+Separator+k.group] = q
	}
	out := make(map[string]map[int32]int64, len(m.table)+len(m.odd))
	for k, inner := range m.odd {
		c := make(map[int32]int64, len(inner))
		for q, v := range inner {
			c[q] = v
		}
		out[k] = c
	}
	lmq := make(map[string]int64, len(m.lmqT))
	for k, v := range m.lmqT {
		lmq[k] = v
	}
	m.mu.RUnlock()
	for k, q := range entries {
		out[k] = q.snapshot()
	}
	return out, lmq
}

// Snapshot returns a copy of offsetTable keyed "topic@group".
func (m *Manager) Snapshot() map[string]map[int32]int64 {
	out, _ := m.snapshot()
	return out
}

func (m *Manager) encode(mode fastjson.Mode) []byte {
	table, lmq := m.snapshot()
	w := fastjson.NewWriter(mode, make([]byte, 0, 64+len(table)*96))
	w.BeginObject()
	if m.lmq {
		w.Key("lmqOffsetTable")
		w.BeginObject()
		for _, k := range fastjson.SortedKeys(lmq) {
			w.Key(k)
			w.Int(lmq[k])
		}
		w.EndObject()
	}
	w.Key("offsetTable")
	w.BeginObject()
	for _, k := range fastjson.SortedKeys(table) {
		w.Key(k)
		inner := table[k]
		w.BeginIntMap()
		for _, q := range fastjson.SortedKeys(inner) {
			w.IntKey(int64(q))
			w.Int(inner[q])
		}
		w.EndObject()
	}
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}

// Encode is the compact document: the GET_ALL_CONSUMER_OFFSET body. legacy keeps fastjson's unquoted queue
// ids (what Java sends, {0:12}); otherwise standard JSON with quoted ids ({"0":12}), which Java also reads.
func (m *Manager) Encode(legacy bool) []byte {
	if legacy {
		return m.encode(fastjson.Compact)
	}
	return m.encode(fastjson.Standard)
}

// EncodePretty is the file form (Java's encode(true)).
func (m *Manager) EncodePretty() []byte { return m.encode(fastjson.Pretty) }

// MergeFrom is the slave side of GET_ALL_CONSUMER_OFFSET (Java SlaveSynchronize.syncConsumerOffset): every
// topic@group of the master replaces ours, others stay; then the file is written.
func (m *Manager) MergeFrom(body []byte) error {
	d, err := decodeDoc(body)
	if err != nil {
		return fmt.Errorf("offset: decode master consumer offsets: %w", err)
	}
	m.apply(d)
	return m.Persist()
}

// Persist writes the file (pretty, unquoted queue ids, Java's .tmp/.bak order) unless nothing changed since
// the last successful Persist. Safe to call from a ticker and at shutdown concurrently with Commit.
func (m *Manager) Persist() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	seen := m.changes.Load()
	if m.written && seen == m.persisted {
		return nil
	}
	if err := fastjson.WriteConfig(m.path, m.EncodePretty()); err != nil {
		m.log.Error("offset: persist failed", "file", m.path, "err", err)
		return err
	}
	m.persisted, m.written = seen, true
	return nil
}
