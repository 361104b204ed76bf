// Package topic is the broker's topic table, Java's broker.topic.TopicConfigManager (4.9.8), persisted in
// <storePathRootDir>/config/topics.json:
//
//	{"dataVersion":{"counter":N,"timestamp":T},"topicConfigTable":{"<name>":{TopicConfig},...}}
//
// written pretty (tabs) with Java's .tmp/.bak protocol and group-committed (broker/configtable). The same shape, compact, is the
// TopicConfigSerializeWrapper body of REGISTER_BROKER and GET_ALL_TOPIC_CONFIG.
//
// Not done here: the unit/unit-sub flag updates (updateTopicUnitFlag) beyond SetSysFlag.
package topic

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rocketd/rocketd/broker/configtable"
	"github.com/rocketd/rocketd/compat/fastjson"
)

// Errors of the auto-create paths. A send that gets one of them answers TOPIC_NOT_EXIST.
var (
	ErrTemplateNotExist    = errors.New("topic: the default (template) topic does not exist on this broker")
	ErrTemplateNotInherit  = errors.New("topic: the default (template) topic has no PERM_INHERIT, so it cannot create topics")
	ErrNotFound            = errors.New("topic: not found")
	ErrInvalidTopicConfig  = errors.New("topic: invalid topic config")
	errTopicNameMismatches = errors.New("topicConfigTable key differs from its topicName")
)

// Options is what Java's TopicConfigManager reads from BrokerConfig. Zero values of DefaultTopicQueueNums,
// MsgTraceTopicName and BrokerPermission mean Java's defaults (8, RMQ_SYS_TRACE_TOPIC, 6).
type Options struct {
	BrokerClusterName     string
	BrokerName            string
	AutoCreateTopicEnable bool
	DefaultTopicQueueNums int32
	ClusterTopicEnable    bool
	BrokerTopicEnable     bool
	TraceTopicEnable      bool
	MsgTraceTopicName     string
	BrokerPermission      int32
}

// DefaultOptions are Java 4.9.8's BrokerConfig defaults (brokerName defaults to the host name in Java).
func DefaultOptions() Options {
	return Options{
		BrokerClusterName:     "DefaultCluster",
		BrokerName:            "broker-a",
		AutoCreateTopicEnable: true,
		DefaultTopicQueueNums: DefaultTopicQueueNums,
		ClusterTopicEnable:    true,
		BrokerTopicEnable:     true,
		MsgTraceTopicName:     TraceTopic,
		BrokerPermission:      defaultBrokerPermission,
	}
}

func (o *Options) normalize() {
	if o.DefaultTopicQueueNums <= 0 {
		o.DefaultTopicQueueNums = DefaultTopicQueueNums
	}
	if o.MsgTraceTopicName == "" {
		o.MsgTraceTopicName = TraceTopic
	}
	if o.BrokerPermission == 0 {
		o.BrokerPermission = defaultBrokerPermission
	}
}

// Manager holds the topic table. All methods are safe for concurrent use.
type Manager struct {
	opts Options
	log  *slog.Logger

	t         *configtable.Table[TopicConfig]
	brokerPrm atomic.Int32
	sysTopics map[string]bool // names this broker added to Java's SYSTEM_TOPIC_SET; read-only after Open

	lmu       sync.Mutex
	listeners []func()
}

// Open builds the table Java's constructor builds (the system topics), then merges topics.json at path over
// it (the file wins), like TopicConfigManager's constructor followed by load(). A missing file is a fresh
// broker; a corrupt file falls back to topics.json.bak; both corrupt is an error saying which file to fix.
// Open does not write the file.
func Open(path string, opts Options) (*Manager, error) {
	opts.normalize()
	m := &Manager{
		opts:      opts,
		log:       slog.Default().With("component", "broker", "manager", "topic"),
		sysTopics: make(map[string]bool),
		t: configtable.New(configtable.Options[TopicConfig]{
			Name: "topic", Path: path, TableKey: "topicConfigTable", FromKey: fromKey, EntrySize: 160,
		}),
	}
	m.brokerPrm.Store(opts.BrokerPermission)
	m.addSystemTopics()
	if err := m.t.Load(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Manager) addSystemTopics() {
	o := m.opts
	var sys []TopicConfig
	add := func(tc TopicConfig) { sys = append(sys, tc) }
	add(NewWithQueues(SelfTestTopic, 1, 1, PermRead|PermWrite))
	if o.AutoCreateTopicEnable {
		add(NewWithQueues(AutoCreateTopicKey, o.DefaultTopicQueueNums, o.DefaultTopicQueueNums, PermInherit|PermRead|PermWrite))
	}
	add(NewWithQueues(BenchmarkTopic, 1024, 1024, PermRead|PermWrite))
	perm := PermInherit
	if o.ClusterTopicEnable {
		perm |= PermRead | PermWrite
	}
	if o.BrokerClusterName != "" {
		add(NewWithQueues(o.BrokerClusterName, DefaultQueueNums, DefaultQueueNums, perm))
	}
	perm = PermInherit
	if o.BrokerTopicEnable {
		perm |= PermRead | PermWrite
	}
	if o.BrokerName != "" {
		add(NewWithQueues(o.BrokerName, 1, 1, perm))
	}
	add(NewWithQueues(OffsetMovedEventTopic, 1, 1, PermRead|PermWrite))
	add(NewWithQueues(ScheduleTopic, ScheduleTopicQueueNums, ScheduleTopicQueueNums, PermRead|PermWrite))
	if o.TraceTopicEnable {
		add(NewWithQueues(o.MsgTraceTopicName, 1, 1, PermRead|PermWrite))
	}
	add(NewWithQueues(ReplyTopic(o.BrokerClusterName), 1, 1, PermRead|PermWrite))
	m.t.Update(func(table map[string]TopicConfig) bool {
		for _, tc := range sys {
			m.sysTopics[tc.TopicName] = true
			table[tc.TopicName] = tc
		}
		return false // the version Java starts with
	})
}

// fromKey completes a decoded table entry: a config without topicName takes its key.
func fromKey(k string, tc TopicConfig) TopicConfig {
	if tc.TopicName == "" {
		tc.TopicName = k
	} else if tc.TopicName != k {
		// Java keeps such an entry under its key; so do we.
		slog.Default().Warn("topic: "+errTopicNameMismatches.Error(), "component", "broker", "key", k, "topicName", tc.TopicName)
	}
	return tc
}

// decodeWrapper reads a TopicConfigSerializeWrapper (topics.json or a GET_ALL_TOPIC_CONFIG body).
func (m *Manager) decodeWrapper(b []byte) (map[string]TopicConfig, *fastjson.DataVersion, error) {
	return m.t.Decode(b)
}

// Path is the topics.json path.
func (m *Manager) Path() string { return m.t.Path() }

// OnChange registers fn, called after every committed change of the table (create, update, delete, order
// flags, slave sync), outside the manager's lock, in the goroutine that made the change. Java re-registers
// with the namesrv after such changes; fn must not block (signal a goroutine instead).
func (m *Manager) OnChange(fn func()) {
	if fn == nil {
		return
	}
	m.lmu.Lock()
	m.listeners = append(m.listeners, fn)
	m.lmu.Unlock()
}

func (m *Manager) notify() {
	m.lmu.Lock()
	ls := slices.Clone(m.listeners)
	m.lmu.Unlock()
	for _, fn := range ls {
		func() {
			defer func() {
				if r := recover(); r != nil {
					m.log.Error("topic: OnChange callback panicked", "panic", r)
				}
			}()
			fn()
		}()
	}
}

// Get returns the config of name (Java selectTopicConfig).
func (m *Manager) Get(name string) (TopicConfig, bool) { return m.t.Get(name) }

// Contains reports whether name exists.
func (m *Manager) Contains(name string) bool {
	_, ok := m.Get(name)
	return ok
}

// IsOrderTopic reports the order flag of name (false when absent).
func (m *Manager) IsOrderTopic(name string) bool {
	tc, ok := m.Get(name)
	return ok && tc.Order
}

// Len is the number of topics.
func (m *Manager) Len() int { return m.t.Len() }

// All returns every config sorted by name (the table key).
func (m *Manager) All() []TopicConfig { return m.t.Values() }

// Names returns every topic name, sorted.
func (m *Manager) Names() []string { return m.t.Keys() }

// DataVersion returns the current version.
func (m *Manager) DataVersion() fastjson.DataVersion { return m.t.DataVersion() }

type entry = configtable.Entry[TopicConfig]

// Snapshot returns the version and the table (sorted by key) taken under one lock, for REGISTER_BROKER.
func (m *Manager) Snapshot() (fastjson.DataVersion, []TopicConfig) {
	dv, es := m.t.Entries()
	return dv, values(es)
}

func values(es []entry) []TopicConfig {
	out := make([]TopicConfig, len(es))
	for i, e := range es {
		out[i] = e.Value
	}
	return out
}

// IsSystemTopic reports Java's system topics, including the names this broker added (cluster, broker, trace
// and reply topics) and the rmq_sys_ prefix.
func (m *Manager) IsSystemTopic(name string) bool {
	return IsSystemTopic(name) || m.sysTopics[name]
}

// IsNotAllowedSend reports topics a producer may not send to.
func (m *Manager) IsNotAllowedSend(name string) bool { return IsNotAllowedSend(name) }

// ValidateName is the package function ValidateName.
func (m *Manager) ValidateName(name string) error { return ValidateName(name) }

func validConfig(tc TopicConfig) error {
	if tc.TopicName == "" {
		return fmt.Errorf("%w: empty topicName", ErrInvalidTopicConfig)
	}
	if tc.ReadQueueNums < 0 || tc.WriteQueueNums < 0 {
		return fmt.Errorf("%w: negative queue count for %s", ErrInvalidTopicConfig, tc.TopicName)
	}
	return nil
}

// Put creates or replaces a topic (Java updateTopicConfig: UPDATE_AND_CREATE_TOPIC, slave and admin paths),
// bumps the DataVersion and persists. The name is not validated here: callers check ValidateName and
// IsSystemTopic as Java's processor does. An empty filter type becomes SINGLE_TAG.
func (m *Manager) Put(tc TopicConfig) error {
	if _, _, err := m.update(tc); err != nil {
		return err
	}
	err := m.Persist()
	m.notify()
	return err
}

// Update is Put without the OnChange listeners: Java's updateTopicConfig on the UPDATE_AND_CREATE_TOPIC path,
// after which the caller registers the one changed topic itself (RegisterIncrementWrapper). Like Java, it
// returns only once topics.json holds the change (a create that was answered survives kill -9), but the write
// is group-committed: every create in flight meanwhile is covered by the same whole-file write, so a burst
// from many connections costs a few writes, not one per create. It returns the stored config and the
// DataVersion that includes the change; an error means the table changed but the file could not be written
// (nothing changed when the config was invalid).
func (m *Manager) Update(tc TopicConfig) (TopicConfig, fastjson.DataVersion, error) {
	tc, dv, err := m.update(tc)
	if err != nil {
		return tc, dv, err
	}
	return tc, dv, m.Persist()
}

func (m *Manager) update(tc TopicConfig) (TopicConfig, fastjson.DataVersion, error) {
	if err := validConfig(tc); err != nil {
		return tc, fastjson.DataVersion{}, err
	}
	if tc.TopicFilterType == "" {
		tc.TopicFilterType = SingleTag
	}
	old, existed, dv := m.t.Put(tc.TopicName, tc)
	if existed {
		m.log.Info("topic: update topic config", "old", old.String(), "new", tc.String())
	} else {
		m.log.Info("topic: create new topic", "config", tc.String())
	}
	return tc, dv, nil
}

// RegisterIncrementWrapper is the TopicConfigSerializeWrapper of Java's registerIncrementBrokerData: the one
// topic tc (sent as TopicConfig(name, read, write, brokerPermission) when the broker lacks read or write
// permission) with dataVersion dv.
func (m *Manager) RegisterIncrementWrapper(tc TopicConfig, dv fastjson.DataVersion, legacy bool) []byte {
	perm := m.brokerPrm.Load()
	if !IsReadable(perm) || !IsWriteable(perm) {
		tc = NewWithQueues(tc.TopicName, tc.ReadQueueNums, tc.WriteQueueNums, perm)
	}
	return m.t.EncodeEntries(modeOf(legacy), dv, []entry{{Key: tc.TopicName, Value: tc}})
}

// Delete removes a topic; false when it did not exist (then nothing is written).
func (m *Manager) Delete(name string) (bool, error) {
	old, ok := m.t.Delete(name)
	if !ok {
		m.log.Warn("topic: delete topic config failed, topic does not exist", "topic", name)
		return false, nil
	}
	m.log.Info("topic: delete topic config OK", "config", old.String())
	err := m.Persist()
	m.notify()
	return true, err
}

// CreateInSendMessage is Java's createTopicInSendMessageMethod: when topic is unknown and defaultTopic (the
// template, normally TBW102) exists with PERM_INHERIT, create topic with min(clientDefaultTopicQueueNums,
// template write queues) queues (at least 0), the template's perm without PERM_INHERIT, the given sysFlag and
// the template's filter type. created is true only when this call created it. When the template is TBW102
// and autoCreateTopicEnable is false, the stored template's perm is reset to RW first, exactly as Java does,
// so it can never create topics again. A failed persist is logged, not returned (the topic exists in memory,
// as in Java). OnChange listeners run after a creation.
func (m *Manager) CreateInSendMessage(topic, defaultTopic, remoteAddr string, clientDefaultTopicQueueNums, topicSysFlag int32) (TopicConfig, bool, error) {
	var (
		tc, tmpl       TopicConfig
		exists, hasTpl bool
	)
	m.t.Update(func(table map[string]TopicConfig) bool {
		if tc, exists = table[topic]; exists {
			return false
		}
		if tmpl, hasTpl = table[defaultTopic]; !hasTpl {
			return false
		}
		if defaultTopic == AutoCreateTopicKey && !m.opts.AutoCreateTopicEnable {
			tmpl.Perm = PermRead | PermWrite
			table[defaultTopic] = tmpl
		}
		if !IsInherited(tmpl.Perm) {
			return false
		}
		n := min(clientDefaultTopicQueueNums, tmpl.WriteQueueNums)
		if n < 0 {
			n = 0
		}
		tc = New(topic)
		tc.ReadQueueNums, tc.WriteQueueNums = n, n
		tc.Perm = tmpl.Perm &^ PermInherit
		tc.TopicSysFlag = topicSysFlag
		tc.TopicFilterType = tmpl.TopicFilterType
		table[topic] = tc
		return true
	})
	switch {
	case exists:
		return tc, false, nil
	case !hasTpl:
		m.log.Warn("topic: create new topic failed, the default topic does not exist", "topic", topic, "defaultTopic", defaultTopic, "producer", remoteAddr)
		return TopicConfig{}, false, fmt.Errorf("%w: %s (creating %s)", ErrTemplateNotExist, defaultTopic, topic)
	case !IsInherited(tmpl.Perm):
		m.log.Warn("topic: create new topic failed, the default topic has no inherit perm", "topic", topic, "defaultTopic", defaultTopic, "perm", tmpl.Perm, "producer", remoteAddr)
		return TopicConfig{}, false, fmt.Errorf("%w: %s perm %s (creating %s)", ErrTemplateNotInherit, defaultTopic, PermString(tmpl.Perm), topic)
	}
	m.log.Info("topic: create new topic by default topic", "defaultTopic", defaultTopic, "config", tc.String(), "producer", remoteAddr)
	m.persistLogged()
	m.notify()
	return tc, true, nil
}

// CreateInSendMessageBack is Java's createTopicInSendMessageBackMethod, used for %RETRY% and %DLQ% topics and
// the transaction topics: create topic with queueNums read/write queues, perm and sysFlag unless it exists.
// A failed persist is logged, not returned. OnChange listeners run after a creation.
func (m *Manager) CreateInSendMessageBack(topic string, queueNums, perm, topicSysFlag int32) (TopicConfig, bool, error) {
	if tc, ok := m.Get(topic); ok {
		return tc, false, nil
	}
	if topic == "" {
		return TopicConfig{}, false, fmt.Errorf("%w: empty topicName", ErrInvalidTopicConfig)
	}
	var tc TopicConfig
	var exists bool
	m.t.Update(func(table map[string]TopicConfig) bool {
		if tc, exists = table[topic]; exists {
			return false
		}
		tc = New(topic)
		tc.ReadQueueNums, tc.WriteQueueNums = queueNums, queueNums
		tc.Perm = perm
		tc.TopicSysFlag = topicSysFlag
		table[topic] = tc
		return true
	})
	if exists {
		return tc, false, nil
	}
	m.log.Info("topic: create new topic", "config", tc.String())
	m.persistLogged()
	m.notify()
	return tc, true, nil
}

// CreateTransCheckMaxTime is Java's createTopicOfTranCheckMaxTime (TRANS_CHECK_MAX_TIME_TOPIC, sysFlag 0).
func (m *Manager) CreateTransCheckMaxTime(queueNums, perm int32) (TopicConfig, bool, error) {
	return m.CreateInSendMessageBack(TransCheckMaxTimeTopic, queueNums, perm, 0)
}

// SetSysFlag replaces the topicSysFlag of an existing topic (Java updateTopicUnitFlag/updateTopicUnitSubFlag
// compute the flag), bumps the version and persists; false when the topic does not exist.
func (m *Manager) SetSysFlag(name string, sysFlag int32) (bool, error) {
	if !m.t.Modify(name, func(tc *TopicConfig) { tc.TopicSysFlag = sysFlag }) {
		return false, nil
	}
	err := m.Persist()
	m.notify()
	return true, err
}

// UpdateOrderTopics is Java's updateOrderTopicConfig with the ORDER_TOPIC_CONFIG KV table from the namesrv:
// topics named in orderTopics become ordered, every other ordered topic becomes unordered. A nil map does
// nothing (Java ignores a null table). Persists only on change.
func (m *Manager) UpdateOrderTopics(orderTopics map[string]string) error {
	if orderTopics == nil {
		return nil
	}
	changed := false
	m.t.Update(func(table map[string]TopicConfig) bool {
		for name, tc := range table {
			_, want := orderTopics[name]
			if tc.Order != want {
				tc.Order = want
				table[name] = tc
				changed = true
				m.log.Info("topic: update order topic config", "topic", name, "order", want)
			}
		}
		return changed
	})
	if !changed {
		return nil
	}
	err := m.Persist()
	m.notify()
	return err
}

// SyncFrom is the slave side of GET_ALL_TOPIC_CONFIG (Java SlaveSynchronize.syncTopicConfig): when the
// master's DataVersion differs, adopt it, replace the whole table and persist. changed reports whether
// anything was applied.
func (m *Manager) SyncFrom(body []byte) (changed bool, err error) {
	changed, err = m.t.SyncFrom(body)
	if changed {
		m.notify()
	}
	return changed, err
}

// SetBrokerPermission records brokerPermission (changed at run time by UPDATE_BROKER_CONFIG, wipe/add write
// perm) for RegisterWrapper.
func (m *Manager) SetBrokerPermission(perm int32) {
	m.brokerPrm.Store(perm)
}

// Encode writes the TopicConfigSerializeWrapper with entries sorted by name. Pretty is the file form.
func (m *Manager) Encode(mode fastjson.Mode) []byte { return m.t.Encode(mode) }

func modeOf(legacy bool) fastjson.Mode {
	if legacy {
		return fastjson.Compact
	}
	return fastjson.Standard
}

// SerializeWrapper is the compact TopicConfigSerializeWrapper body of GET_ALL_TOPIC_CONFIG and of
// REGISTER_BROKER (inside RegisterBrokerBody). legacy selects fastjson's default form (what Java sends);
// otherwise the BrowserCompatible form (identical for ASCII topic names).
func (m *Manager) SerializeWrapper(legacy bool) []byte { return m.Encode(modeOf(legacy)) }

// RegisterWrapper is the wrapper Java's registerBrokerAll sends: when brokerPermission lacks read or write,
// every topic is sent as TopicConfig(name, read, write, brokerPermission) (default filter type, sysFlag 0,
// not ordered); otherwise it equals SerializeWrapper.
func (m *Manager) RegisterWrapper(legacy bool) []byte {
	dv, es := m.registerEntries()
	return m.t.EncodeEntries(modeOf(legacy), dv, es)
}

func (m *Manager) registerEntries() (fastjson.DataVersion, []entry) {
	dv, es := m.t.Entries()
	perm := m.brokerPrm.Load()
	if IsReadable(perm) && IsWriteable(perm) {
		return dv, es
	}
	for i, e := range es {
		es[i].Value = NewWithQueues(e.Value.TopicName, e.Value.ReadQueueNums, e.Value.WriteQueueNums, perm)
	}
	return dv, es
}

// RegisterSnapshot is the data of RegisterWrapper, for the compressed REGISTER_BROKER body.
func (m *Manager) RegisterSnapshot() (fastjson.DataVersion, []TopicConfig) {
	dv, es := m.registerEntries()
	return dv, values(es)
}

// Persist writes topics.json and returns once it holds every change made before the call. The write is
// group-committed with every other change in flight (configtable.Table.Persist).
func (m *Manager) Persist() error { return m.t.Persist() }

// PersistSoon asks for a write of topics.json and returns at once.
func (m *Manager) PersistSoon() { m.t.PersistSoon() }

// Flush waits until every change requested so far is written (broker shutdown).
func (m *Manager) Flush() error { return m.t.Flush() }

// FileWrites is the number of times topics.json was written.
func (m *Manager) FileWrites() int64 { return m.t.FileWrites() }

func (m *Manager) persistLogged() { _ = m.Persist() }
