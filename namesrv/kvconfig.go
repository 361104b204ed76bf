package namesrv

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"

	jsoniter "github.com/json-iterator/go"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// KVConfig is Java's KVConfigManager: namespace -> key -> value, persisted after every change at kvConfigPath
// as {"configTable":{"<namespace>":{"<key>":"<value>"}}} (compact fastjson, HashMap order).
//
// Files follow MixAll.string2File (compat/fastjson.WriteConfig): write <path>.tmp, copy the current file to
// <path>.bak, then move the .tmp over the file. On load a missing file is an empty table; a file that does not parse is logged and ignored,
// as Java does.
type KVConfig struct {
	mu    sync.RWMutex
	path  string
	table *jmap[string, *jmap[string, string]]
	log   *slog.Logger
}

// NamespaceOrderTopicConfig is the namespace whose entries become orderTopicConf in routes (NamesrvUtil).
const NamespaceOrderTopicConfig = "ORDER_TOPIC_CONFIG"

// NewKVConfig makes an empty table persisted at path ("" keeps it in memory only).
func NewKVConfig(path string, log *slog.Logger) *KVConfig {
	if log == nil {
		log = slog.Default()
	}
	return &KVConfig{path: path, table: newStringMap[*jmap[string, string]](javaDefaultTable), log: log}
}

// Load reads the file at the configured path into the table.
func (kv *KVConfig) Load() error {
	if kv.path == "" {
		return nil
	}
	data, err := os.ReadFile(kv.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("namesrv: read kv config %s: %w (check the file's permissions or kvConfigPath)", kv.path, err)
	}
	type nsEntry struct {
		ns   string
		keys []string
		vals []string
	}
	var entries []nsEntry
	it := jsonCfg.BorrowIterator(data)
	defer jsonCfg.ReturnIterator(it)
	if it.WhatIsNext() == jsoniter.ObjectValue {
		it.ReadMapCB(func(it *jsoniter.Iterator, field string) bool {
			if field != "configTable" || it.WhatIsNext() != jsoniter.ObjectValue {
				it.Skip()
				return it.Error == nil
			}
			it.ReadMapCB(func(it *jsoniter.Iterator, ns string) bool {
				e := nsEntry{ns: ns}
				if it.WhatIsNext() != jsoniter.ObjectValue {
					it.Skip()
					return it.Error == nil
				}
				it.ReadMapCB(func(it *jsoniter.Iterator, k string) bool {
					if it.WhatIsNext() == jsoniter.StringValue {
						e.keys = append(e.keys, k)
						e.vals = append(e.vals, it.ReadString())
					} else {
						it.Skip()
					}
					return it.Error == nil
				})
				entries = append(entries, e)
				return it.Error == nil
			})
			return it.Error == nil
		})
	}
	if err := iterDone(it); err != nil {
		kv.log.Warn("kv config file does not parse, starting with an empty table", "path", kv.path, "err", err)
		return nil
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	// Java: configTable.putAll(parsed) sizes the table for the parsed entries; each inner map is fastjson's.
	kv.table = newStringMap[*jmap[string, string]](capForCopy(len(entries)))
	for _, e := range entries {
		m := newStringMap[string](javaDefaultTable)
		for i, k := range e.keys {
			m.Put(k, e.vals[i])
		}
		kv.table.Put(e.ns, m)
	}
	kv.log.Info("kv config loaded", "path", kv.path, "namespaces", len(entries))
	return nil
}

// Put sets one value and persists the table.
func (kv *KVConfig) Put(ns, key, value string) error {
	kv.mu.Lock()
	m, ok := kv.table.Get(ns)
	if !ok {
		m = newStringMap[string](javaDefaultTable)
		kv.table.Put(ns, m)
	}
	m.Put(key, value)
	kv.mu.Unlock()
	kv.log.Info("kv config put", "namespace", ns, "key", key, "value", value)
	return kv.persist()
}

// Delete removes one key (the namespace stays, even when empty) and persists the table.
func (kv *KVConfig) Delete(ns, key string) error {
	kv.mu.Lock()
	if m, ok := kv.table.Get(ns); ok {
		m.Delete(key)
	}
	kv.mu.Unlock()
	kv.log.Info("kv config delete", "namespace", ns, "key", key)
	return kv.persist()
}

// Get returns one value.
func (kv *KVConfig) Get(ns, key string) (string, bool) {
	kv.mu.RLock()
	defer kv.mu.RUnlock()
	m, ok := kv.table.Get(ns)
	if !ok {
		return "", false
	}
	return m.Get(key)
}

// ListBody is the KVTable body {"table":{...}} of a namespace; ok is false when the namespace does not exist.
func (kv *KVConfig) ListBody(ns string) ([]byte, bool) {
	kv.mu.RLock()
	defer kv.mu.RUnlock()
	m, ok := kv.table.Get(ns)
	if !ok {
		return nil, false
	}
	w := fastjson.NewWriter(fastjson.Compact, nil)
	w.BeginObject()
	w.Key("table")
	writeStringMap(w, m)
	w.EndObject()
	return w.Bytes(), true
}

func writeStringMap(w *fastjson.Writer, m *jmap[string, string]) {
	w.BeginObject()
	for _, k := range m.Keys() {
		w.Key(k)
		v, _ := m.Get(k)
		w.String(v)
	}
	w.EndObject()
}

func (kv *KVConfig) encodeLocked() []byte {
	w := fastjson.NewWriter(fastjson.Compact, nil)
	w.BeginObject()
	w.Key("configTable")
	w.BeginObject()
	for _, ns := range kv.table.Keys() {
		w.Key(ns)
		m, _ := kv.table.Get(ns)
		writeStringMap(w, m)
	}
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}

// persist writes the table; holding the lock makes files land in the order of the changes.
func (kv *KVConfig) persist() error {
	if kv.path == "" {
		return nil
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if err := fastjson.WriteConfig(kv.path, kv.encodeLocked()); err != nil {
		kv.log.Error("persisting kv config failed", "path", kv.path, "err", err)
		return err
	}
	return nil
}
