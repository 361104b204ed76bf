// Package configtable is the "versioned JSON config table" Java's ConfigManager subclasses share (4.9.8
// TopicConfigManager, SubscriptionGroupManager): a map from name to config plus a DataVersion, persisted in
// one file under <storePathRootDir>/config as
//
//	{
//		"dataVersion":{
//			"counter":N,
//			"timestamp":T
//		},
//		"<tableKey>":{
//			"<name>":{...config...},
//			...
//		}
//	}
//
// pretty (tabs, compat/fastjson.Pretty) with Java's .tmp/.bak protocol (fastjson.WriteConfig), entries sorted
// by name. The compact form of the same object is the body of the GET_ALL_* admin and slave-sync requests.
//
// Table keeps the map, the version, loading (file, then .bak), slave sync (SyncFrom) and the group-committed
// background writer (Persist, PersistSoon, Flush). The owning manager keeps Java's rules for what changes.
package configtable

import (
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// Value is a config that writes itself in Java's field order.
type Value interface {
	Write(w *fastjson.Writer)
}

// Options describe one table file.
type Options[V Value] struct {
	Name     string // log and error prefix, e.g. "topic"
	Path     string // the JSON file
	TableKey string // the member holding the table, e.g. "topicConfigTable"
	// FromKey, when set, is applied to every decoded entry (file and sync bodies) with its table key, e.g. to
	// fill a name the JSON left out.
	FromKey func(key string, v V) V
	// EntrySize is the expected encoded size of one entry (the encode buffer's size hint).
	EntrySize int
}

// Entry is one table row: the key (Java writes it even when it differs from the config's own name) and value.
type Entry[V Value] struct {
	Key   string
	Value V
}

// Table is a versioned config table. All methods are safe for concurrent use.
type Table[V Value] struct {
	opts    Options[V]
	log     *slog.Logger
	wrapper reflect.Type // struct{ DataVersion *fastjson.DataVersion; Table map[string]V } with opts' JSON names

	mu sync.RWMutex
	m  map[string]V
	dv fastjson.DataVersion

	// Group commit (see Persist): pmu guards the request/write generations.
	pmu      sync.Mutex
	pcond    *sync.Cond
	pwant    uint64 // generation of the newest change that asked to be persisted
	pdone    uint64 // generation covered by the last finished write
	pwriting bool
	perr     error
	pwrites  atomic.Int64
}

// New returns an empty table with a fresh DataVersion. It does not read the file (see Load).
func New[V Value](opts Options[V]) *Table[V] {
	if opts.EntrySize <= 0 {
		opts.EntrySize = 200
	}
	t := &Table[V]{
		opts: opts,
		log:  slog.Default().With("component", "broker", "manager", opts.Name),
		m:    make(map[string]V, 64),
		dv:   fastjson.NewDataVersion(),
		wrapper: reflect.StructOf([]reflect.StructField{
			{Name: "DataVersion", Type: reflect.TypeOf((*fastjson.DataVersion)(nil)), Tag: `json:"dataVersion"`},
			{Name: "Table", Type: reflect.TypeOf(map[string]V(nil)), Tag: reflect.StructTag(`json:"` + opts.TableKey + `"`)},
		}),
	}
	t.pcond = sync.NewCond(&t.pmu)
	return t
}

// Load merges the file (or its .bak when the file is corrupt) over the table: the file's entries win and its
// DataVersion, when present, replaces the table's. A missing file changes nothing; both files corrupt is an
// error naming the file to fix. Load does not write.
func (t *Table[V]) Load() error {
	err := fastjson.ReadConfig(t.opts.Path, func(b []byte) error {
		table, dv, err := t.Decode(b)
		if err != nil {
			return err
		}
		t.mu.Lock()
		for k, v := range table {
			t.m[k] = v
		}
		if dv != nil {
			t.dv = *dv
		}
		cur := t.dv
		t.mu.Unlock()
		t.log.Info(t.opts.Name+": loaded", "file", t.opts.Path, "entries", len(table), "dataVersion", cur.String())
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: load %s: %w", t.opts.Name, t.opts.Path, err)
	}
	return nil
}

// Decode reads the wrapper object (file or sync body): the table (FromKey applied) and the DataVersion, nil
// when the JSON has none.
func (t *Table[V]) Decode(b []byte) (map[string]V, *fastjson.DataVersion, error) {
	w := reflect.New(t.wrapper)
	if err := fastjson.Unmarshal(b, w.Interface()); err != nil {
		return nil, nil, err
	}
	dv := w.Elem().Field(0).Interface().(*fastjson.DataVersion)
	table := w.Elem().Field(1).Interface().(map[string]V)
	if t.opts.FromKey != nil {
		for k, v := range table {
			table[k] = t.opts.FromKey(k, v)
		}
	}
	return table, dv, nil
}

// Path is the file.
func (t *Table[V]) Path() string { return t.opts.Path }

// Get returns the entry under key.
func (t *Table[V]) Get(key string) (V, bool) {
	t.mu.RLock()
	v, ok := t.m[key]
	t.mu.RUnlock()
	return v, ok
}

// Len is the number of entries.
func (t *Table[V]) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.m)
}

// Keys returns every key, sorted.
func (t *Table[V]) Keys() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return fastjson.SortedKeys(t.m)
}

// DataVersion returns the current version.
func (t *Table[V]) DataVersion() fastjson.DataVersion {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.dv
}

// Entries returns the version and every entry sorted by key, taken under one lock.
func (t *Table[V]) Entries() (fastjson.DataVersion, []Entry[V]) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]Entry[V], 0, len(t.m))
	for _, k := range fastjson.SortedKeys(t.m) {
		out = append(out, Entry[V]{k, t.m[k]})
	}
	return t.dv, out
}

// Values returns every value sorted by key.
func (t *Table[V]) Values() []V {
	_, es := t.Entries()
	out := make([]V, len(es))
	for i, e := range es {
		out[i] = e.Value
	}
	return out
}

// Update runs fn with the table under the write lock; when fn reports a change the DataVersion is bumped.
// It returns the version after fn. fn must not block nor call the table. Update does not write the file.
func (t *Table[V]) Update(fn func(m map[string]V) (changed bool)) fastjson.DataVersion {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fn(t.m) {
		t.dv.Next()
	}
	return t.dv
}

// Put stores v under key and bumps the version. It returns the value it replaced (existed false when there was
// none) and the version that includes the change. Put does not write the file.
func (t *Table[V]) Put(key string, v V) (old V, existed bool, dv fastjson.DataVersion) {
	dv = t.Update(func(m map[string]V) bool {
		old, existed = m[key]
		m[key] = v
		return true
	})
	return old, existed, dv
}

// Modify applies fn to the entry under key and bumps the version; false (nothing changed) when there is none.
// fn runs under the write lock. Modify does not write the file.
func (t *Table[V]) Modify(key string, fn func(v *V)) (ok bool) {
	t.Update(func(m map[string]V) bool {
		var v V
		if v, ok = m[key]; ok {
			fn(&v)
			m[key] = v
		}
		return ok
	})
	return ok
}

// Delete removes key and bumps the version when it was there. Delete does not write the file.
func (t *Table[V]) Delete(key string) (old V, ok bool) {
	t.Update(func(m map[string]V) bool {
		if old, ok = m[key]; ok {
			delete(m, key)
		}
		return ok
	})
	return old, ok
}

// SyncFrom is the slave side of the GET_ALL_* sync (Java SlaveSynchronize): when the master's DataVersion
// (a fresh one when the body has none) differs, adopt it, replace the whole table and persist. changed reports
// whether anything was applied.
func (t *Table[V]) SyncFrom(body []byte) (changed bool, err error) {
	table, dv, err := t.Decode(body)
	if err != nil {
		return false, fmt.Errorf("%s: decode the master's %s: %w", t.opts.Name, t.opts.TableKey, err)
	}
	if dv == nil {
		d := fastjson.NewDataVersion()
		dv = &d
	}
	t.mu.Lock()
	if t.dv.Equal(*dv) {
		t.mu.Unlock()
		return false, nil
	}
	t.dv = *dv
	t.m = make(map[string]V, len(table))
	for k, v := range table {
		t.m[k] = v
	}
	t.mu.Unlock()
	return true, t.Persist()
}

// Encode writes the wrapper object in mode; fastjson.Pretty is the file form.
func (t *Table[V]) Encode(mode fastjson.Mode) []byte {
	dv, es := t.Entries()
	return t.EncodeEntries(mode, dv, es)
}

// EncodeEntries writes the wrapper object of dv and es (in their order) in mode, e.g. a changed subset.
func (t *Table[V]) EncodeEntries(mode fastjson.Mode, dv fastjson.DataVersion, es []Entry[V]) []byte {
	w := fastjson.NewWriter(mode, make([]byte, 0, 64+len(es)*t.opts.EntrySize))
	w.BeginObject()
	w.Key("dataVersion")
	dv.Write(w)
	w.Key(t.opts.TableKey)
	w.BeginObject()
	for _, e := range es {
		w.Key(e.Key)
		e.Value.Write(w)
	}
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}
