// Package filterdata is the broker's consumer filter table, Java's broker.filter.ConsumerFilterManager (4.9.8):
// the SQL92 (non-TAG) subscriptions consumers registered, kept per topic and group, persisted every 10 s and at
// shutdown in <storePathRootDir>/config/consumerFilter.json, written pretty (tabs) as fastjson writes it, with
// Java's .tmp/.bak protocol (compat/fastjson):
//
//	{
//		"filterDataByTopic":{
//			"<topic>":{
//				"groupFilterData":{
//					"<group>":{
//						"bloomFilterData":{"bitNum":112,"bitPos":[55,79,70]},   (pretty, one key a line)
//						"bornTime":<ms>,            when this expression was registered
//						"clientVersion":<n>,        the subscription's subVersion
//						"consumerGroup":"<group>",
//						"dead":<bool>,              deadTime >= bornTime (a getter fastjson writes)
//						"deadTime":<ms>,            0 while a consumer of the group is online
//						"expression":"<SQL92>",
//						"expressionType":"SQL92",
//						"topic":"<topic>"
//					}
//				},
//				"topic":"<topic>"
//			}
//		}
//	}
//
// Keys are written sorted (fastjson sorts bean fields; Java writes its hash maps in hash order, which no reader
// depends on). A heartbeat registers its non-TAG subscriptions (a newer subVersion replaces the entry, the same
// one revives a dead entry) and marks the group's other topics dead; the group's last consumer leaving marks it
// dead. Writing drops entries dead for filterDataCleanTimeSpan (24 h) and topics left empty. Loading marks live
// entries dead (deadTime = max(now-30 s, bornTime): no consumer is online after a restart) and discards the
// whole file when its bloom positions were made with other parameters (bitNum/bitPos length), as Java does.
//
// rocketd evaluates SQL92 from the subscription itself; this table is kept so that a store directory moves
// between Java and rocketd brokers with its filter data, as Java's own restart keeps it.
package filterdata

import (
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/rocketd/rocketd/broker/filter"
	"github.com/rocketd/rocketd/compat/fastjson"
)

// BloomFilterData is a group's bit positions (Java filter.util.BloomFilterData).
type BloomFilterData struct {
	BitNum int     `json:"bitNum"`
	BitPos []int32 `json:"bitPos"`
}

func (d *BloomFilterData) equal(o *BloomFilterData) bool {
	if d == nil || o == nil {
		return d == o
	}
	if d.BitNum != o.BitNum || len(d.BitPos) != len(o.BitPos) {
		return false
	}
	for i := range d.BitPos {
		if d.BitPos[i] != o.BitPos[i] {
			return false
		}
	}
	return true
}

// Data is one group's filter on one topic (Java ConsumerFilterData).
type Data struct {
	ConsumerGroup   string           `json:"consumerGroup"`
	Topic           string           `json:"topic"`
	Expression      string           `json:"expression"`
	ExpressionType  string           `json:"expressionType"`
	BornTime        int64            `json:"bornTime"`
	DeadTime        int64            `json:"deadTime"`
	BloomFilterData *BloomFilterData `json:"bloomFilterData"`
	ClientVersion   int64            `json:"clientVersion"`
}

// Dead is Java's isDead: deadTime >= bornTime.
func (d *Data) Dead() bool { return d.DeadTime >= d.BornTime }

// Subscription is what a heartbeat says about one topic of a group.
type Subscription struct {
	Topic, Expression, ExpressionType string
	Version                           int64
}

// Options configure a Manager.
type Options struct {
	Bloom     Bloom            // from NewBloom(maxErrorRateOfBloomFilter, expectConsumerNumUseFilter)
	CleanSpan time.Duration    // filterDataCleanTimeSpan
	Now       func() time.Time // nil: time.Now
	Log       *slog.Logger
}

// Manager holds the table. All methods are safe for concurrent use.
type Manager struct {
	path string
	opts Options

	mu      sync.Mutex
	byTopic map[string]map[string]*Data // topic -> group -> data

	persistMu sync.Mutex
}

type fileTopic struct {
	GroupFilterData map[string]*Data `json:"groupFilterData"`
	Topic           string           `json:"topic"`
}

type file struct {
	FilterDataByTopic map[string]*fileTopic `json:"filterDataByTopic"`
}

// Open loads consumerFilter.json at path (or its .bak). A missing file is an empty table; a file whose bloom
// data does not fit opts.Bloom is ignored (logged), as Java ignores it.
func Open(path string, opts Options) (*Manager, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	opts.Log = opts.Log.With("component", "broker", "manager", "consumerFilter")
	m := &Manager{path: path, opts: opts, byTopic: map[string]map[string]*Data{}}
	err := fastjson.ReadConfig(path, func(b []byte) error {
		t, err := m.decode(b)
		if err != nil {
			return err
		}
		m.byTopic = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("consumer filter: load %s: %w", path, err)
	}
	return m, nil
}

func (m *Manager) now() int64 { return m.opts.Now().UnixMilli() }

// decode parses a file and applies Java's load rules; it returns an empty table when the bloom data changed.
func (m *Manager) decode(b []byte) (map[string]map[string]*Data, error) {
	var f file
	if err := fastjson.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	out := map[string]map[string]*Data{}
	now := m.now()
	for topic, ft := range f.FilterDataByTopic {
		if ft == nil {
			continue
		}
		groups := map[string]*Data{}
		for group, d := range ft.GroupFilterData {
			if d == nil {
				continue
			}
			if !m.opts.Bloom.Valid(d.BloomFilterData) {
				m.opts.Log.Warn("consumer filter: bloom filter parameters changed, ignoring the persisted filter data",
					"file", m.path, "group", group, "topic", topic, "bloom", d.BloomFilterData,
					"want", fmt.Sprintf("bitNum %d, %d positions", m.opts.Bloom.M, m.opts.Bloom.K))
				return map[string]map[string]*Data{}, nil
			}
			if d.DeadTime == 0 { // no consumer is online after a restart
				d.DeadTime = max(now-30_000, d.BornTime)
			}
			groups[group] = d
		}
		out[topic] = groups
	}
	return out, nil
}

func isTagType(t string) bool { return t == "" || t == "TAG" }

// build is Java's ConsumerFilterManager.build with the bloom data: nil when the expression does not compile
// (only SQL92 is a known non-TAG type).
func (m *Manager) build(topic, group, expr, typ string, version int64) *Data {
	if typ != "SQL92" {
		m.opts.Log.Error("consumer filter: unknown expression type", "type", typ, "topic", topic, "group", group)
		return nil
	}
	if _, err := filter.Parse(expr); err != nil {
		m.opts.Log.Error("consumer filter: parse error", "expr", expr, "topic", topic, "group", group, "err", err)
		return nil
	}
	return &Data{ConsumerGroup: group, Topic: topic, Expression: expr, ExpressionType: typ, BornTime: m.now(),
		ClientVersion:   version,
		BloomFilterData: &BloomFilterData{BitNum: m.opts.Bloom.M, BitPos: m.opts.Bloom.Positions(group + "#" + topic)}}
}

// Register applies a heartbeat's subscriptions of group (Java register(group, subList)): each non-TAG
// subscription is registered, and the group's entries on topics it no longer subscribes are marked dead.
func (m *Manager) Register(group string, subs []Subscription) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range subs {
		m.registerOne(s.Topic, group, s.Expression, s.ExpressionType, s.Version)
	}
	now := m.now()
	for topic, groups := range m.byTopic {
		d := groups[group]
		if d == nil || d.Dead() {
			continue
		}
		subscribed := false
		for _, s := range subs {
			if s.Topic == topic {
				subscribed = true
				break
			}
		}
		if !subscribed {
			d.DeadTime = now
		}
	}
}

func (m *Manager) registerOne(topic, group, expr, typ string, version int64) {
	if isTagType(typ) || expr == "" {
		return
	}
	groups := m.byTopic[topic]
	if groups == nil {
		groups = map[string]*Data{}
		m.byTopic[topic] = groups
	}
	old := groups[group]
	if old == nil {
		if d := m.build(topic, group, expr, typ, version); d != nil {
			groups[group] = d
			m.opts.Log.Info("consumer filter: registered", "topic", topic, "group", group, "expr", expr)
		}
		return
	}
	if version <= old.ClientVersion {
		if version == old.ClientVersion && old.Dead() {
			old.DeadTime = 0
		}
		return
	}
	bloom := &BloomFilterData{BitNum: m.opts.Bloom.M, BitPos: m.opts.Bloom.Positions(group + "#" + topic)}
	if old.Expression != expr || old.ExpressionType != typ || !old.BloomFilterData.equal(bloom) {
		d := m.build(topic, group, expr, typ, version)
		if d == nil {
			delete(groups, group) // the new expression does not compile: the client reports it
			return
		}
		groups[group] = d
		return
	}
	old.ClientVersion = version
	if old.Dead() {
		old.DeadTime = 0
	}
}

// Unregister marks the group's live entries dead (its last consumer left; Java unRegister).
func (m *Manager) Unregister(group string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for _, groups := range m.byTopic {
		if d := groups[group]; d != nil && !d.Dead() {
			d.DeadTime = now
		}
	}
}

// Get returns a copy of the group's filter data on topic.
func (m *Manager) Get(topic, group string) (Data, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d := m.byTopic[topic][group]; d != nil {
		return *d, true
	}
	return Data{}, false
}

// clean drops entries dead for CleanSpan or longer, and topics left without entries (Java clean).
func (m *Manager) clean() {
	now := m.now()
	span := m.opts.CleanSpan.Milliseconds()
	for topic, groups := range m.byTopic {
		for group, d := range groups {
			if d.Dead() && now-d.DeadTime >= span {
				m.opts.Log.Info("consumer filter: removed, dead too long", "topic", topic, "group", group)
				delete(groups, group)
			}
		}
		if len(groups) == 0 {
			delete(m.byTopic, topic)
		}
	}
}

// Encode cleans the table and writes it (pretty: the file; compact otherwise).
func (m *Manager) Encode(mode fastjson.Mode) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clean()
	w := fastjson.NewWriter(mode, make([]byte, 0, 256+len(m.byTopic)*512))
	w.BeginObject()
	w.Key("filterDataByTopic")
	w.BeginObject()
	for _, topic := range fastjson.SortedKeys(m.byTopic) {
		groups := m.byTopic[topic]
		w.Key(topic)
		w.BeginObject()
		w.Key("groupFilterData")
		w.BeginObject()
		for _, group := range fastjson.SortedKeys(groups) {
			w.Key(group)
			groups[group].write(w)
		}
		w.EndObject()
		w.Key("topic")
		w.String(topic)
		w.EndObject()
	}
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}

func (d *Data) write(w *fastjson.Writer) {
	w.BeginObject()
	if b := d.BloomFilterData; b != nil {
		w.Key("bloomFilterData")
		w.BeginObject()
		w.Key("bitNum")
		w.Int(int64(b.BitNum))
		if b.BitPos != nil {
			w.Key("bitPos")
			pos := []byte{'['} // fastjson writes an int[] on one line, also when pretty
			for i, p := range b.BitPos {
				if i > 0 {
					pos = append(pos, ',')
				}
				pos = strconv.AppendInt(pos, int64(p), 10)
			}
			w.Raw(append(pos, ']'))
		}
		w.EndObject()
	}
	w.Key("bornTime")
	w.Int(d.BornTime)
	w.Key("clientVersion")
	w.Int(d.ClientVersion)
	w.Key("consumerGroup")
	w.String(d.ConsumerGroup)
	w.Key("dead")
	w.Bool(d.Dead())
	w.Key("deadTime")
	w.Int(d.DeadTime)
	w.Key("expression")
	w.String(d.Expression)
	w.Key("expressionType")
	w.String(d.ExpressionType)
	w.Key("topic")
	w.String(d.Topic)
	w.EndObject()
}

// Persist writes consumerFilter.json (pretty, Java's .tmp/.bak order).
func (m *Manager) Persist() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	if err := fastjson.WriteConfig(m.path, m.Encode(fastjson.Pretty)); err != nil {
		m.opts.Log.Error("consumer filter: persist failed", "file", m.path, "err", err)
		return err
	}
	return nil
}
