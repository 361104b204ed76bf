// Package subgroup is the broker's subscription group table, Java's broker.subscription.SubscriptionGroupManager
// (4.9.8), persisted in <storePathRootDir>/config/subscriptionGroup.json:
//
//	{"dataVersion":{"counter":N,"timestamp":T},"subscriptionGroupTable":{"<group>":{SubscriptionGroupConfig},...}}
//
// written pretty (tabs) with Java's .tmp/.bak protocol (compat/fastjson). The compact form is the
// GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201) body.
//
// Java 4.9.8 quirk, verified by running it: fastjson cannot set the manager's final dataVersion field, so a
// Java broker restarts with dataVersion = (load time, 0) whatever the file says. rocketd loads the file's
// version instead (slaves only compare versions for equality, so either choice is safe).
package subgroup

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// ErrInvalidConfig is returned by Put for a config without a group name.
var ErrInvalidConfig = errors.New("subgroup: invalid subscription group config")

// IsSysConsumerGroup reports the CID_RMQ_SYS_ prefix (Java MixAll.isSysConsumerGroup).
func IsSysConsumerGroup(group string) bool { return strings.HasPrefix(group, SysGroupPrefix) }

// Manager holds the subscription group table. All methods are safe for concurrent use.
type Manager struct {
	path string
	log  *slog.Logger

	mu    sync.RWMutex
	table map[string]SubscriptionGroupConfig
	dv    fastjson.DataVersion

	persistMu sync.Mutex
}

// Open builds the built-in groups, then merges subscriptionGroup.json at path over them (the file wins). A
// missing file is a fresh broker; a corrupt file falls back to its .bak; both corrupt is an error saying which
// file to fix. Open does not write the file.
func Open(path string) (*Manager, error) {
	m := &Manager{
		path:  path,
		log:   slog.Default().With("component", "broker", "manager", "subgroup"),
		table: make(map[string]SubscriptionGroupConfig, 64),
		dv:    fastjson.NewDataVersion(),
	}
	for _, g := range DefaultGroups {
		m.table[g] = New(g)
	}
	err := fastjson.ReadConfig(path, func(b []byte) error {
		table, dv, err := decode(b)
		if err != nil {
			return err
		}
		for k, c := range table {
			m.table[k] = c
		}
		if dv != nil {
			m.dv = *dv
		}
		m.log.Info("subgroup: loaded", "file", path, "groups", len(table), "dataVersion", m.dv.String())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subgroup: load %s: %w", path, err)
	}
	return m, nil
}

type wrapper struct {
	DataVersion            *fastjson.DataVersion              `json:"dataVersion"`
	SubscriptionGroupTable map[string]SubscriptionGroupConfig `json:"subscriptionGroupTable"`
}

func decode(b []byte) (map[string]SubscriptionGroupConfig, *fastjson.DataVersion, error) {
	var w wrapper
	if err := fastjson.Unmarshal(b, &w); err != nil {
		return nil, nil, err
	}
	for k, c := range w.SubscriptionGroupTable {
		if c.GroupName == "" {
			c.GroupName = k
			w.SubscriptionGroupTable[k] = c
		}
	}
	return w.SubscriptionGroupTable, w.DataVersion, nil
}

// Path is the subscriptionGroup.json path.
func (m *Manager) Path() string { return m.path }

// Find returns the config of group without creating it.
func (m *Manager) Find(group string) (SubscriptionGroupConfig, bool) {
	m.mu.RLock()
	c, ok := m.table[group]
	m.mu.RUnlock()
	return c, ok
}

// FindOrCreate is Java's findSubscriptionGroupConfig: an unknown group is created with the defaults (and the
// DataVersion bumped, the file written) when autoCreate (BrokerConfig.autoCreateSubscriptionGroup) is true or
// the group starts with CID_RMQ_SYS_. ok is false when the group neither exists nor may be created (Java
// returns null; the pull/heartbeat handlers answer SUBSCRIPTION_GROUP_NOT_EXIST). A failed write is logged.
func (m *Manager) FindOrCreate(group string, autoCreate bool) (SubscriptionGroupConfig, bool) {
	if c, ok := m.Find(group); ok {
		return c, true
	}
	if !autoCreate && !IsSysConsumerGroup(group) {
		return SubscriptionGroupConfig{}, false
	}
	m.mu.Lock()
	c, ok := m.table[group]
	if !ok {
		c = New(group)
		m.table[group] = c
		m.dv.Next()
	}
	m.mu.Unlock()
	if !ok {
		m.log.Info("subgroup: auto create a subscription group", "config", c.String())
		_ = m.Persist()
	}
	return c, true
}

// Put creates or replaces a group (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP), bumps the version and persists.
func (m *Manager) Put(c SubscriptionGroupConfig) error {
	if c.GroupName == "" {
		return fmt.Errorf("%w: empty groupName", ErrInvalidConfig)
	}
	m.mu.Lock()
	old, existed := m.table[c.GroupName]
	m.table[c.GroupName] = c
	m.dv.Next()
	m.mu.Unlock()
	if existed {
		m.log.Info("subgroup: update subscription group config", "old", old.String(), "new", c.String())
	} else {
		m.log.Info("subgroup: create new subscription group", "config", c.String())
	}
	return m.Persist()
}

// Delete removes a group (DELETE_SUBSCRIPTIONGROUP); false when it did not exist (nothing is written).
func (m *Manager) Delete(group string) (bool, error) {
	m.mu.Lock()
	old, ok := m.table[group]
	if ok {
		delete(m.table, group)
		m.dv.Next()
	}
	m.mu.Unlock()
	if !ok {
		m.log.Warn("subgroup: delete subscription group failed, group does not exist", "group", group)
		return false, nil
	}
	m.log.Info("subgroup: delete subscription group OK", "config", old.String())
	return true, m.Persist()
}

// DisableConsume is Java's disableConsume: consumeEnable = false and a version bump, without writing the file
// (Java leaves that to the next persist).
func (m *Manager) DisableConsume(group string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.table[group]
	if ok {
		c.ConsumeEnable = false
		m.table[group] = c
		m.dv.Next()
	}
	return ok
}

// All returns every group sorted by name.
func (m *Manager) All() []SubscriptionGroupConfig {
	_, es := m.snapshot()
	out := make([]SubscriptionGroupConfig, len(es))
	for i, e := range es {
		out[i] = e.c
	}
	return out
}

// DataVersion returns the current version.
func (m *Manager) DataVersion() fastjson.DataVersion {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.dv
}

type entry struct {
	key string // the table key; Java writes it even when it differs from groupName
	c   SubscriptionGroupConfig
}

func (m *Manager) snapshot() (fastjson.DataVersion, []entry) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]entry, 0, len(m.table))
	for _, k := range fastjson.SortedKeys(m.table) {
		out = append(out, entry{k, m.table[k]})
	}
	return m.dv, out
}

// Encode writes the manager as Java serialises it: dataVersion and subscriptionGroupTable (sorted by name).
func (m *Manager) Encode(mode fastjson.Mode) []byte {
	dv, es := m.snapshot()
	w := fastjson.NewWriter(mode, make([]byte, 0, 64+len(es)*300))
	w.BeginObject()
	w.Key("dataVersion")
	dv.Write(w)
	w.Key("subscriptionGroupTable")
	w.BeginObject()
	for _, e := range es {
		w.Key(e.key)
		e.c.Write(w)
	}
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}

// Wrapper is the compact GET_ALL_SUBSCRIPTIONGROUP_CONFIG body (Java encode()).
func (m *Manager) Wrapper() []byte { return m.Encode(fastjson.Compact) }

// SyncFrom is the slave side of GET_ALL_SUBSCRIPTIONGROUP_CONFIG (Java SlaveSynchronize.syncSubscriptionGroupConfig):
// when the master's DataVersion differs, adopt it, replace the table and persist.
func (m *Manager) SyncFrom(body []byte) (changed bool, err error) {
	table, dv, err := decode(body)
	if err != nil {
		return false, fmt.Errorf("subgroup: decode master subscription groups: %w", err)
	}
	if dv == nil {
		d := fastjson.NewDataVersion()
		dv = &d
	}
	m.mu.Lock()
	if m.dv.Equal(*dv) {
		m.mu.Unlock()
		return false, nil
	}
	m.dv = *dv
	m.table = make(map[string]SubscriptionGroupConfig, len(table))
	for k, c := range table {
		m.table[k] = c
	}
	m.mu.Unlock()
	return true, m.Persist()
}

// Persist writes subscriptionGroup.json (pretty, Java's .tmp/.bak order).
func (m *Manager) Persist() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	if err := fastjson.WriteConfig(m.path, m.Encode(fastjson.Pretty)); err != nil {
		m.log.Error("subgroup: persist failed", "file", m.path, "err", err)
		return err
	}
	return nil
}

// Names returns every group name, sorted.
func (m *Manager) Names() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fastjson.SortedKeys(m.table)
}
