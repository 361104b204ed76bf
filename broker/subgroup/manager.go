// Package subgroup is the broker's subscription group table, Java's broker.subscription.SubscriptionGroupManager
// (4.9.8), persisted in <storePathRootDir>/config/subscriptionGroup.json:
//
//	{"dataVersion":{"counter":N,"timestamp":T},"subscriptionGroupTable":{"<group>":{SubscriptionGroupConfig},...}}
//
// written pretty (tabs) with Java's .tmp/.bak protocol and group-committed (broker/configtable). The compact form is the
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

	"github.com/rocketd/rocketd/broker/configtable"
	"github.com/rocketd/rocketd/compat/fastjson"
)

// ErrInvalidConfig is returned by Put for a config without a group name.
var ErrInvalidConfig = errors.New("subgroup: invalid subscription group config")

// IsSysConsumerGroup reports the CID_RMQ_SYS_ prefix (Java MixAll.isSysConsumerGroup).
func IsSysConsumerGroup(group string) bool { return strings.HasPrefix(group, SysGroupPrefix) }

// Manager holds the subscription group table. All methods are safe for concurrent use.
type Manager struct {
	log *slog.Logger
	t   *configtable.Table[SubscriptionGroupConfig]
}

// Open builds the built-in groups, then merges subscriptionGroup.json at path over them (the file wins). A
// missing file is a fresh broker; a corrupt file falls back to its .bak; both corrupt is an error saying which
// file to fix. Open does not write the file.
func Open(path string) (*Manager, error) {
	m := &Manager{
		log: slog.Default().With("component", "broker", "manager", "subgroup"),
		t: configtable.New(configtable.Options[SubscriptionGroupConfig]{
			Name: "subgroup", Path: path, TableKey: "subscriptionGroupTable", FromKey: fromKey, EntrySize: 300,
		}),
	}
	m.t.Update(func(table map[string]SubscriptionGroupConfig) bool {
		for _, g := range DefaultGroups {
			table[g] = New(g)
		}
		return false // the version Java starts with
	})
	if err := m.t.Load(); err != nil {
		return nil, err
	}
	return m, nil
}

// fromKey completes a decoded table entry: a config without groupName takes its key.
func fromKey(k string, c SubscriptionGroupConfig) SubscriptionGroupConfig {
	if c.GroupName == "" {
		c.GroupName = k
	}
	return c
}

// decode reads a subscription group wrapper (subscriptionGroup.json or a GET_ALL_SUBSCRIPTIONGROUP_CONFIG body).
func (m *Manager) decode(b []byte) (map[string]SubscriptionGroupConfig, *fastjson.DataVersion, error) {
	return m.t.Decode(b)
}

// Path is the subscriptionGroup.json path.
func (m *Manager) Path() string { return m.t.Path() }

// Find returns the config of group without creating it.
func (m *Manager) Find(group string) (SubscriptionGroupConfig, bool) { return m.t.Get(group) }

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
	var c SubscriptionGroupConfig
	var ok bool
	m.t.Update(func(table map[string]SubscriptionGroupConfig) bool {
		if c, ok = table[group]; !ok {
			c = New(group)
			table[group] = c
		}
		return !ok
	})
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
	old, existed, _ := m.t.Put(c.GroupName, c)
	if existed {
		m.log.Info("subgroup: update subscription group config", "old", old.String(), "new", c.String())
	} else {
		m.log.Info("subgroup: create new subscription group", "config", c.String())
	}
	return m.Persist()
}

// Delete removes a group (DELETE_SUBSCRIPTIONGROUP); false when it did not exist (nothing is written).
func (m *Manager) Delete(group string) (bool, error) {
	old, ok := m.t.Delete(group)
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
	return m.t.Modify(group, func(c *SubscriptionGroupConfig) { c.ConsumeEnable = false })
}

// All returns every group sorted by name.
func (m *Manager) All() []SubscriptionGroupConfig { return m.t.Values() }

// DataVersion returns the current version.
func (m *Manager) DataVersion() fastjson.DataVersion { return m.t.DataVersion() }

// Encode writes the manager as Java serialises it: dataVersion and subscriptionGroupTable (sorted by name).
func (m *Manager) Encode(mode fastjson.Mode) []byte { return m.t.Encode(mode) }

// Wrapper is the compact GET_ALL_SUBSCRIPTIONGROUP_CONFIG body (Java encode()).
func (m *Manager) Wrapper() []byte { return m.Encode(fastjson.Compact) }

// SyncFrom is the slave side of GET_ALL_SUBSCRIPTIONGROUP_CONFIG (Java SlaveSynchronize.syncSubscriptionGroupConfig):
// when the master's DataVersion differs, adopt it, replace the table and persist.
func (m *Manager) SyncFrom(body []byte) (changed bool, err error) { return m.t.SyncFrom(body) }

// Persist writes subscriptionGroup.json (pretty, Java's .tmp/.bak order) and returns once it holds every
// change made before the call; concurrent changes share one write (configtable.Table.Persist).
func (m *Manager) Persist() error { return m.t.Persist() }

// Names returns every group name, sorted.
func (m *Manager) Names() []string { return m.t.Keys() }
