package subgroup

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat/fastjson"
)

var javaDir = filepath.Join("..", "..", "compat", "fastjson", "testdata", "java")

func open(t *testing.T, path string) *Manager {
	t.Helper()
	m, err := Open(path)
	require.NoError(t, err)
	return m
}

func TestDefaultGroups(t *testing.T) {
	m := open(t, filepath.Join(t.TempDir(), "subscriptionGroup.json"))
	require.Equal(t, []string{"CID_ONS-HTTP-PROXY", "CID_ONSAPI_OWNER", "CID_ONSAPI_PERMISSION", "CID_ONSAPI_PULL",
		"FILTERSRV_CONSUMER", "SELF_TEST_C_GROUP", "TOOLS_CONSUMER"}, m.Names())
	for _, c := range m.All() {
		require.Equal(t, New(c.GroupName), c)
	}
	require.Equal(t, int64(0), m.DataVersion().Counter)
}

// The built-in groups as Java's SubscriptionGroupManager.encode(true) prints them (subgroup_pretty.json,
// version 3 / 1700000000000), compared after sorting: our output is sorted, Java's is hash-ordered.
func TestEncodeMatchesJava(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"subgroup_pretty.json", "subgroup_compact.json"} {
		data, err := os.ReadFile(filepath.Join(javaDir, name))
		require.NoError(t, err)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		m := open(t, path)
		require.Equal(t, fastjson.DataVersion{Timestamp: 1700000000000, Counter: 3}, m.DataVersion())
		mode := fastjson.Compact
		if strings.Contains(name, "pretty") {
			mode = fastjson.Pretty
		}
		require.Equal(t, sortedJava(t, data, mode), string(m.Encode(mode)), name)
	}
}

// sortedJava re-encodes a Java subscriptionGroup document with its groups sorted.
func sortedJava(t *testing.T, data []byte, mode fastjson.Mode) string {
	t.Helper()
	m, err := Open(filepath.Join(t.TempDir(), "subscriptionGroup.json"))
	require.NoError(t, err)
	table, dv, err := m.decode(data)
	require.NoError(t, err)
	w := fastjson.NewWriter(mode, nil)
	w.BeginObject()
	w.Key("dataVersion")
	dv.Write(w)
	w.Key("subscriptionGroupTable")
	w.BeginObject()
	for _, k := range fastjson.SortedKeys(table) {
		w.Key(k)
		table[k].Write(w)
	}
	w.EndObject()
	w.EndObject()
	return string(w.Bytes())
}

func TestLoadJavaBrokerFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(javaDir, "broker", "subscriptionGroup.json"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	m := open(t, path)
	g, ok := m.Find("groupA")
	require.True(t, ok)
	want := New("groupA")
	want.RetryMaxTimes = 3
	want.ConsumeBroadcastEnable = false
	require.Equal(t, want, g)
	require.Len(t, m.All(), 8)
	require.Equal(t, fastjson.DataVersion{Timestamp: 1795291538565, Counter: 1}, m.DataVersion())

	// written back in the same shape: Java's pretty layout, same content
	require.NoError(t, m.Persist())
	out, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, sortedJava(t, data, fastjson.Pretty), string(out))
	bak, err := os.ReadFile(path + ".bak")
	require.NoError(t, err)
	require.Equal(t, data, bak)
}

func TestMissingFieldsTakeJavaDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"subscriptionGroupTable":{"g":{"groupName":"g","retryMaxTimes":3,"unknownX":1},"h":{}}}`), 0o644))
	m := open(t, path)
	g, _ := m.Find("g")
	want := New("g")
	want.RetryMaxTimes = 3
	require.Equal(t, want, g)
	h, _ := m.Find("h")
	require.Equal(t, New("h"), h)
}

func TestFindOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	m := open(t, path)
	_, ok := m.FindOrCreate("g1", false)
	require.False(t, ok)
	_, ok = m.Find("g1")
	require.False(t, ok)

	dv := m.DataVersion()
	c, ok := m.FindOrCreate("g1", true)
	require.True(t, ok)
	require.Equal(t, New("g1"), c)
	require.Equal(t, dv.Counter+1, m.DataVersion().Counter)
	_, ok = m.FindOrCreate("g1", false)
	require.True(t, ok)
	require.Equal(t, dv.Counter+1, m.DataVersion().Counter)

	c, ok = m.FindOrCreate("CID_RMQ_SYS_TRANS", false)
	require.True(t, ok, "system groups are always created")
	require.Equal(t, "CID_RMQ_SYS_TRANS", c.GroupName)

	m2 := open(t, path)
	_, ok = m2.Find("g1")
	require.True(t, ok, "persisted")
	_, ok = m2.Find(TransGroup)
	require.True(t, ok)
}

func TestFindOrCreateConcurrent(t *testing.T) {
	m := open(t, filepath.Join(t.TempDir(), "subscriptionGroup.json"))
	dv := m.DataVersion()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = m.FindOrCreate("g", true)
			_ = m.Wrapper()
		}()
	}
	wg.Wait()
	require.Equal(t, dv.Counter+1, m.DataVersion().Counter)
}

func TestPutDeleteDisable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	m := open(t, path)
	require.ErrorIs(t, m.Put(SubscriptionGroupConfig{}), ErrInvalidConfig)
	c := New("g")
	c.RetryQueueNums = 4
	c.BrokerID = 1
	require.NoError(t, m.Put(c))
	got, _ := m.Find("g")
	require.Equal(t, c, got)

	require.True(t, m.DisableConsume("g"))
	got, _ = m.Find("g")
	require.False(t, got.ConsumeEnable)
	require.False(t, m.DisableConsume("nope"))

	ok, err := m.Delete("g")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = m.Delete("g")
	require.NoError(t, err)
	require.False(t, ok)
	m2 := open(t, path)
	_, ok = m2.Find("g")
	require.False(t, ok)
	require.Equal(t, m.DataVersion(), m2.DataVersion())
}

func TestWrapperShape(t *testing.T) {
	m := open(t, filepath.Join(t.TempDir(), "subscriptionGroup.json"))
	body := string(m.Wrapper())
	dv := m.DataVersion()
	require.True(t, strings.HasPrefix(body, `{"dataVersion":`+string(dv.AppendJSON(nil))+`,"subscriptionGroupTable":{"CID_ONS-HTTP-PROXY":{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"groupName":"CID_ONS-HTTP-PROXY","notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1},`))
	require.True(t, strings.HasSuffix(body, "}}}"))
}

func TestSyncFrom(t *testing.T) {
	master := open(t, filepath.Join(t.TempDir(), "subscriptionGroup.json"))
	require.NoError(t, master.Put(New("mg")))
	// A second change gives the master a higher counter: within one millisecond, one change on each side
	// would produce equal DataVersions, which a slave rightly reads as "nothing to sync".
	require.NoError(t, master.Put(New("mg2")))
	slave := open(t, filepath.Join(t.TempDir(), "subscriptionGroup.json"))
	require.NoError(t, slave.Put(New("sg")))
	changed, err := slave.SyncFrom(master.Wrapper())
	require.NoError(t, err)
	require.True(t, changed)
	require.Equal(t, master.All(), slave.All())
	require.Equal(t, master.DataVersion(), slave.DataVersion())
	changed, err = slave.SyncFrom(master.Wrapper())
	require.NoError(t, err)
	require.False(t, changed)
	_, err = slave.SyncFrom([]byte(`{"subscriptionGroupTable":[`))
	require.Error(t, err)
}

func TestCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	m := open(t, path)
	require.NoError(t, m.Put(New("a")))
	require.NoError(t, m.Put(New("b")))
	require.NoError(t, os.WriteFile(path, []byte(`{"subscriptionGroupTable":{"x":`), 0o644))
	m2 := open(t, path)
	_, ok := m2.Find("a")
	require.True(t, ok, "from .bak")
	require.NoError(t, os.WriteFile(path+".bak", []byte(`nonsense`), 0o644))
	_, err := Open(path)
	require.ErrorIs(t, err, fastjson.ErrConfig)
	require.Contains(t, err.Error(), path+".bak")
}

// TestJavaFixtureSubscriptionGroupJSON: TODO(fixtures) loads subscriptionGroup.json written by a real Java
// 4.9.8 broker under compat/testdata/broker/config/ once that fixture run exists; skips until then.
func TestJavaFixtureSubscriptionGroupJSON(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "compat", "testdata", "broker", "config", "subscriptionGroup.json*"))
	if len(files) == 0 {
		t.Skip("TODO: no Java 4.9.8 fixture under compat/testdata/broker/config yet")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		m := open(t, path)
		require.NoError(t, m.Persist())
		require.Equal(t, m.All(), open(t, path).All(), f)
	}
}

func TestKeyDifferentFromGroupNameIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"subscriptionGroupTable":{"k1":{"groupName":"g"},"k2":{"groupName":"g"}}}`), 0o644))
	m := open(t, path)
	body := string(m.Wrapper())
	require.Contains(t, body, `"k1":{`)
	require.Contains(t, body, `"k2":{`)
	c, ok := m.Find("k1")
	require.True(t, ok)
	require.Equal(t, "g", c.GroupName)
}
