package topic

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// javaBrokerTopics is config/topics.json of a real Java 4.9.8 broker (DefaultCluster / broker-a, defaults).
var javaBrokerTopics = filepath.Join("..", "..", "compat", "fastjson", "testdata", "java", "broker", "topics.json")

func testOptions() Options {
	o := DefaultOptions()
	o.BrokerClusterName = "DefaultCluster"
	o.BrokerName = "broker-a"
	return o
}

func open(t *testing.T, dir string, o Options) *Manager {
	t.Helper()
	m, err := Open(filepath.Join(dir, "config", "topics.json"), o)
	require.NoError(t, err)
	return m
}

func TestSystemTopicsMatchJavaBroker(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())

	// What the Java broker wrote at its first start, minus the half topic its transaction service creates.
	data, err := os.ReadFile(javaBrokerTopics)
	require.NoError(t, err)
	var w struct {
		TopicConfigTable map[string]TopicConfig `json:"topicConfigTable"`
	}
	require.NoError(t, fastjson.Unmarshal(data, &w))
	delete(w.TopicConfigTable, TransHalfTopic)
	delete(w.TopicConfigTable, "TopicTest")
	delete(w.TopicConfigTable, "OrderTopic")

	got := map[string]TopicConfig{}
	for _, tc := range m.All() {
		got[tc.TopicName] = tc
	}
	require.Equal(t, w.TopicConfigTable, got)

	tbw, ok := m.Get(AutoCreateTopicKey)
	require.True(t, ok)
	require.Equal(t, NewWithQueues("TBW102", 8, 8, 7), tbw)
	sched, _ := m.Get(ScheduleTopic)
	require.EqualValues(t, 18, sched.WriteQueueNums)
	_, ok = m.Get(TraceTopic)
	require.False(t, ok, "trace topic only with traceTopicEnable")
	require.Equal(t, int64(0), m.DataVersion().Counter)
}

func TestSystemTopicsOptions(t *testing.T) {
	o := testOptions()
	o.AutoCreateTopicEnable = false
	o.ClusterTopicEnable = false
	o.BrokerTopicEnable = false
	o.TraceTopicEnable = true
	o.MsgTraceTopicName = "MyTrace"
	o.DefaultTopicQueueNums = 0 // means 8
	m := open(t, t.TempDir(), o)
	_, ok := m.Get(AutoCreateTopicKey)
	require.False(t, ok)
	c, _ := m.Get("DefaultCluster")
	require.Equal(t, PermInherit, c.Perm)
	require.EqualValues(t, 16, c.WriteQueueNums)
	b, _ := m.Get("broker-a")
	require.Equal(t, PermInherit, b.Perm)
	tr, ok := m.Get("MyTrace")
	require.True(t, ok)
	require.EqualValues(t, 1, tr.ReadQueueNums)
	_, ok = m.Get("DefaultCluster_REPLY_TOPIC")
	require.True(t, ok)

	for _, name := range []string{"MyTrace", "DefaultCluster", "broker-a", "DefaultCluster_REPLY_TOPIC", "TBW102", "rmq_sys_x", SelfTestTopic} {
		require.True(t, m.IsSystemTopic(name), name)
	}
	require.False(t, m.IsSystemTopic("TopicTest"))
	require.False(t, IsSystemTopic("DefaultCluster"), "the package function only knows Java's static set")
	require.True(t, m.IsNotAllowedSend(ScheduleTopic))
	require.True(t, IsNotAllowedSend(TransHalfTopic))
	require.False(t, IsNotAllowedSend(AutoCreateTopicKey))
	require.Equal(t, "Sending message to topic[SCHEDULE_TOPIC_XXXX] is forbidden.", NotAllowedSendError(ScheduleTopic).Error())
	require.Equal(t, "The topic[TBW102] is conflict with system topic.", SystemTopicError("TBW102").Error())
}

func TestLoadJavaFileAndRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config", "topics.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	data, err := os.ReadFile(javaBrokerTopics)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))

	m, err := Open(path, testOptions())
	require.NoError(t, err)
	require.Equal(t, fastjson.DataVersion{Timestamp: 1795291547254, Counter: 3}, m.DataVersion())
	half, ok := m.Get(TransHalfTopic)
	require.True(t, ok)
	require.Equal(t, NewWithQueues(TransHalfTopic, 1, 1, 6), half)

	var changes atomic.Int32
	m.OnChange(func() { changes.Add(1) })
	tc := NewWithQueues("TopicTest", 4, 4, 6)
	tc.TopicFilterType = MultiTag
	tc.Order = true
	tc.TopicSysFlag = SysFlagUnitSub
	require.NoError(t, m.Put(tc))
	require.EqualValues(t, 1, changes.Load())
	require.Equal(t, int64(4), m.DataVersion().Counter)
	ot, _ := m.Get("OrderTopic")
	require.Equal(t, TopicConfig{TopicName: "OrderTopic", ReadQueueNums: 2, WriteQueueNums: 2, Perm: 6, TopicFilterType: MultiTag}, ot)

	// the previous file became the backup, byte for byte
	bak, err := os.ReadFile(path + ".bak")
	require.NoError(t, err)
	require.Equal(t, data, bak)

	// the file is Java's pretty form
	cur, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(cur), "\t\t\"TopicTest\":{\n\t\t\t\"order\":true,\n\t\t\t\"perm\":6,\n\t\t\t\"readQueueNums\":4,\n\t\t\t\"topicFilterType\":\"MULTI_TAG\",\n\t\t\t\"topicName\":\"TopicTest\",\n\t\t\t\"topicSysFlag\":2,\n\t\t\t\"writeQueueNums\":4\n\t\t}")
	require.True(t, strings.HasPrefix(string(cur), "{\n\t\"dataVersion\":{\n\t\t\"counter\":4,\n\t\t\"timestamp\":"))
	require.True(t, strings.HasSuffix(string(cur), "\n\t}\n}"))

	m2, err := Open(path, testOptions())
	require.NoError(t, err)
	require.Equal(t, m.All(), m2.All())
	require.Equal(t, m.DataVersion(), m2.DataVersion())
	got, _ := m2.Get("TopicTest")
	require.Equal(t, tc, got)
}

func TestFileWinsOverSystemDefaults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "topics.json")
	// A hand-written Java-shaped file: TBW102 edited to 4 queues, a topic with missing fields (Java defaults)
	// and one with an unknown filter type.
	content := "{\n\t\"dataVersion\":{\n\t\t\"counter\":9,\n\t\t\"timestamp\":1700000000000\n\t},\n\t\"topicConfigTable\":{\n" +
		"\t\t\"TBW102\":{\"order\":false,\"perm\":7,\"readQueueNums\":4,\"topicFilterType\":\"SINGLE_TAG\",\"topicName\":\"TBW102\",\"topicSysFlag\":0,\"writeQueueNums\":4},\n" +
		"\t\t\"Sparse\":{\"topicName\":\"Sparse\"},\n" +
		"\t\t\"NoName\":{\"perm\":2},\n" +
		"\t\t\"Odd\":{\"topicName\":\"Odd\",\"topicFilterType\":\"BOGUS\"}\n\t}\n}"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	m, err := Open(path, testOptions())
	require.NoError(t, err)
	tbw, _ := m.Get("TBW102")
	require.EqualValues(t, 4, tbw.WriteQueueNums)
	sparse, _ := m.Get("Sparse")
	require.Equal(t, New("Sparse"), sparse)
	noName, _ := m.Get("NoName")
	require.Equal(t, "NoName", noName.TopicName)
	require.Equal(t, PermWrite, noName.Perm)
	odd, _ := m.Get("Odd")
	require.Equal(t, SingleTag, odd.TopicFilterType)
	require.Equal(t, fastjson.DataVersion{Timestamp: 1700000000000, Counter: 9}, m.DataVersion())
}

func TestCorruptFileFallsBackToBak(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "topics.json")
	m, err := Open(path, testOptions())
	require.NoError(t, err)
	require.NoError(t, m.Put(NewWithQueues("A", 2, 2, 6)))
	require.NoError(t, m.Put(NewWithQueues("B", 2, 2, 6))) // .bak now has A but not B

	require.NoError(t, os.WriteFile(path, []byte("{\n\t\"dataVersion\":{"), 0o644))
	m2, err := Open(path, testOptions())
	require.NoError(t, err)
	require.True(t, m2.Contains("A"))
	require.False(t, m2.Contains("B"))

	require.NoError(t, os.WriteFile(path+".bak", []byte("{{{"), 0o644))
	_, err = Open(path, testOptions())
	require.ErrorIs(t, err, fastjson.ErrConfig)
	require.Contains(t, err.Error(), path+".bak")
}

func TestCreateInSendMessage(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())
	var changes atomic.Int32
	m.OnChange(func() { changes.Add(1) })
	before := m.DataVersion()

	tc, created, err := m.CreateInSendMessage("NewTopic", AutoCreateTopicKey, "10.0.0.1:5000", 4, 0)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, NewWithQueues("NewTopic", 4, 4, 6), tc)
	require.Equal(t, before.Counter+1, m.DataVersion().Counter)
	require.EqualValues(t, 1, changes.Load())

	again, created, err := m.CreateInSendMessage("NewTopic", AutoCreateTopicKey, "x", 4, 0)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, tc, again)
	require.EqualValues(t, 1, changes.Load())

	// queue count = min(client, template write queues); sysFlag from the client; filter type from the template
	tc, _, err = m.CreateInSendMessage("Big", AutoCreateTopicKey, "x", 16, SysFlagUnit)
	require.NoError(t, err)
	require.EqualValues(t, 8, tc.ReadQueueNums)
	require.EqualValues(t, 8, tc.WriteQueueNums)
	require.Equal(t, SysFlagUnit, tc.TopicSysFlag)
	tc, _, err = m.CreateInSendMessage("Neg", AutoCreateTopicKey, "x", -3, 0)
	require.NoError(t, err)
	require.EqualValues(t, 0, tc.WriteQueueNums)

	// the cluster topic (perm 7) is a template too; its perm minus INHERIT
	tc, created, err = m.CreateInSendMessage("ViaCluster", "DefaultCluster", "x", 4, 0)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, PermRead|PermWrite, tc.Perm)

	mt := NewWithQueues("Tmpl", 2, 2, PermInherit|PermRead)
	mt.TopicFilterType = MultiTag
	require.NoError(t, m.Put(mt))
	tc, _, err = m.CreateInSendMessage("FromTmpl", "Tmpl", "x", 4, 0)
	require.NoError(t, err)
	require.Equal(t, MultiTag, tc.TopicFilterType)
	require.Equal(t, PermRead, tc.Perm)
	require.EqualValues(t, 2, tc.WriteQueueNums)

	_, created, err = m.CreateInSendMessage("X", "NoSuchTemplate", "x", 4, 0)
	require.ErrorIs(t, err, ErrTemplateNotExist)
	require.False(t, created)
	_, _, err = m.CreateInSendMessage("X", "NewTopic", "x", 4, 0)
	require.ErrorIs(t, err, ErrTemplateNotInherit)
	require.False(t, m.Contains("X"))

	// persisted
	m2 := open(t, filepath.Dir(filepath.Dir(m.Path())), testOptions())
	require.True(t, m2.Contains("NewTopic"))
	require.Equal(t, m.DataVersion(), m2.DataVersion())
}

func TestCreateInSendMessageTBW102WithoutAutoCreate(t *testing.T) {
	dir := t.TempDir()
	m := open(t, dir, testOptions())
	require.NoError(t, m.Persist()) // TBW102 (perm 7) is now in topics.json

	o := testOptions()
	o.AutoCreateTopicEnable = false
	m2 := open(t, dir, o)
	tbw, ok := m2.Get(AutoCreateTopicKey)
	require.True(t, ok, "loaded from the file")
	require.EqualValues(t, 7, tbw.Perm)
	dv := m2.DataVersion()

	_, created, err := m2.CreateInSendMessage("T", AutoCreateTopicKey, "x", 4, 0)
	require.ErrorIs(t, err, ErrTemplateNotInherit)
	require.False(t, created)
	tbw, _ = m2.Get(AutoCreateTopicKey)
	require.Equal(t, PermRead|PermWrite, tbw.Perm, "Java strips the stored template's perm to RW")
	require.Equal(t, dv, m2.DataVersion(), "without a version bump")
}

func TestCreateInSendMessageConcurrent(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())
	var changes, creates atomic.Int32
	m.OnChange(func() { changes.Add(1) })
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, created, err := m.CreateInSendMessage("Race", AutoCreateTopicKey, "x", 4, 0)
			if err == nil && created {
				creates.Add(1)
			}
			_, _ = m.Get("Race")
			_ = m.All()
		}()
	}
	wg.Wait()
	require.EqualValues(t, 1, creates.Load())
	require.EqualValues(t, 1, changes.Load())
}

func TestCreateInSendMessageBack(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())
	tc, created, err := m.CreateInSendMessageBack("%RETRY%g", 1, PermRead|PermWrite, 0)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, NewWithQueues("%RETRY%g", 1, 1, 6), tc)
	_, created, err = m.CreateInSendMessageBack("%RETRY%g", 3, 2, 0)
	require.NoError(t, err)
	require.False(t, created)

	tc, created, err = m.CreateTransCheckMaxTime(1, PermRead|PermWrite)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, TransCheckMaxTimeTopic, tc.TopicName)
	_, _, err = m.CreateInSendMessageBack("", 1, 6, 0)
	require.ErrorIs(t, err, ErrInvalidTopicConfig)
}

func TestDelete(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())
	require.NoError(t, m.Put(NewWithQueues("T", 1, 1, 6)))
	dv := m.DataVersion()
	ok, err := m.Delete("T")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, dv.Counter+1, m.DataVersion().Counter)
	ok, err = m.Delete("T")
	require.NoError(t, err)
	require.False(t, ok)
	require.Equal(t, dv.Counter+1, m.DataVersion().Counter)
	m2 := open(t, filepath.Dir(filepath.Dir(m.Path())), testOptions())
	require.False(t, m2.Contains("T"))
}

func TestPutRejectsNonsense(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())
	require.ErrorIs(t, m.Put(TopicConfig{}), ErrInvalidTopicConfig)
	require.ErrorIs(t, m.Put(TopicConfig{TopicName: "x", ReadQueueNums: -1}), ErrInvalidTopicConfig)
	require.NoError(t, m.Put(TopicConfig{TopicName: "x", ReadQueueNums: 1, WriteQueueNums: 1, Perm: 6}))
	got, _ := m.Get("x")
	require.Equal(t, SingleTag, got.TopicFilterType)
}

func TestValidateName(t *testing.T) {
	require.NoError(t, ValidateName("TopicTest"))
	require.NoError(t, ValidateName("%RETRY%group|a-b_c"))
	require.NoError(t, ValidateName(strings.Repeat("a", 127)))
	require.ErrorIs(t, ValidateName(strings.Repeat("a", 128)), ErrNameTooLong)
	require.ErrorIs(t, ValidateName(""), ErrBlankName)
	require.ErrorIs(t, ValidateName("  "), ErrBlankName)
	for _, bad := range []string{"a b", "a.b", "a@b", "a/b", "中文", "a\x00", "a:b", "a+b"} {
		require.ErrorIs(t, ValidateName(bad), ErrIllegalName, bad)
	}
	require.Equal(t, "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$", ErrIllegalName.Error())
	// Java checks characters before length
	require.ErrorIs(t, ValidateName(strings.Repeat("a", 130)+"."), ErrIllegalName)
}

func TestPerm(t *testing.T) {
	require.True(t, IsReadable(6))
	require.True(t, IsWriteable(6))
	require.False(t, IsInherited(6))
	require.True(t, IsInherited(7))
	require.False(t, IsWriteable(4))
	require.Equal(t, "RWX", PermString(7))
	require.Equal(t, "R--", PermString(4))
	require.Equal(t, "-W-", PermString(2))
	require.EqualValues(t, 8, PermPriority)
}

func TestSerializeAndRegisterWrapper(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())
	tc := NewWithQueues("T", 4, 4, 6)
	tc.TopicFilterType = MultiTag
	tc.Order = true
	require.NoError(t, m.Put(tc))
	body := m.SerializeWrapper(true)
	dv := m.DataVersion()
	require.True(t, strings.HasPrefix(string(body), `{"dataVersion":`+string(dv.AppendJSON(nil))+`,"topicConfigTable":{"BenchmarkTest":{"order":false,"perm":6,"readQueueNums":1024,`))
	require.Contains(t, string(body), `"T":{"order":true,"perm":6,"readQueueNums":4,"topicFilterType":"MULTI_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":4}`)
	require.Equal(t, body, m.SerializeWrapper(false), "ASCII names: both forms agree")

	m.SetBrokerPermission(PermRead)
	reg := string(m.RegisterWrapper(true))
	require.Contains(t, reg, `"T":{"order":false,"perm":4,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":4}`)
	require.NotContains(t, reg, `"perm":6`)
	_, all := m.RegisterSnapshot()
	for _, tc := range all {
		if tc.TopicName == "T" {
			require.Equal(t, "T 4 4 4 SINGLE_TAG", tc.Encode())
		}
	}
	m.SetBrokerPermission(6)
	require.Equal(t, m.SerializeWrapper(true), m.RegisterWrapper(true))
}

func TestSyncFromMaster(t *testing.T) {
	master := open(t, t.TempDir(), testOptions())
	require.NoError(t, master.Put(NewWithQueues("M", 2, 2, 6)))
	// A second change gives the master a higher counter, so the versions differ even within one millisecond.
	require.NoError(t, master.Put(NewWithQueues("M2", 2, 2, 6)))
	slave := open(t, t.TempDir(), testOptions())
	require.NoError(t, slave.Put(NewWithQueues("OnlySlave", 2, 2, 6)))
	var changes atomic.Int32
	slave.OnChange(func() { changes.Add(1) })

	changed, err := slave.SyncFrom(master.SerializeWrapper(true))
	require.NoError(t, err)
	require.True(t, changed)
	require.Equal(t, master.All(), slave.All())
	require.Equal(t, master.DataVersion(), slave.DataVersion())
	require.EqualValues(t, 1, changes.Load())

	changed, err = slave.SyncFrom(master.SerializeWrapper(true))
	require.NoError(t, err)
	require.False(t, changed)
	_, err = slave.SyncFrom([]byte("nope"))
	require.ErrorIs(t, err, fastjson.ErrSyntax)
}

func TestUpdateOrderTopics(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())
	require.NoError(t, m.Put(NewWithQueues("A", 1, 1, 6)))
	b := NewWithQueues("B", 1, 1, 6)
	b.Order = true
	require.NoError(t, m.Put(b))
	dv := m.DataVersion()
	require.NoError(t, m.UpdateOrderTopics(map[string]string{"A": "broker-a:1"}))
	require.True(t, m.IsOrderTopic("A"))
	require.False(t, m.IsOrderTopic("B"))
	require.Equal(t, dv.Counter+1, m.DataVersion().Counter)
	require.NoError(t, m.UpdateOrderTopics(map[string]string{"A": "broker-a:1"}))
	require.Equal(t, dv.Counter+1, m.DataVersion().Counter, "no change, no bump")
	require.NoError(t, m.UpdateOrderTopics(nil))
	require.True(t, m.IsOrderTopic("A"))
}

func TestOnChangePanicIsContained(t *testing.T) {
	m := open(t, t.TempDir(), testOptions())
	m.OnChange(func() { panic("boom") })
	require.NoError(t, m.Put(NewWithQueues("A", 1, 1, 6)))
}

// TestJavaFixtureTopicsJSON loads topics.json files a real Java 4.9.8 broker wrote under compat/testdata.
// TODO(fixtures): compat/testdata/broker/config/ is to be filled by the Java fixture run; until then this
// skips. Expect: Open succeeds, every topic round-trips, Persist output re-reads equal.
func TestJavaFixtureTopicsJSON(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "compat", "testdata", "broker", "config", "topics.json*"))
	if len(files) == 0 {
		t.Skip("TODO: no Java 4.9.8 fixture under compat/testdata/broker/config yet")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		dir := t.TempDir()
		path := filepath.Join(dir, "topics.json")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		m, err := Open(path, testOptions())
		require.NoError(t, err, f)
		require.NoError(t, m.Persist())
		m2, err := Open(path, testOptions())
		require.NoError(t, err)
		require.Equal(t, m.All(), m2.All(), f)
	}
}

func TestKeyDifferentFromTopicNameIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "topics.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"topicConfigTable":{"K1":{"topicName":"T"},"K2":{"topicName":"T"}}}`), 0o644))
	m, err := Open(path, testOptions())
	require.NoError(t, err)
	body := string(m.SerializeWrapper(true))
	require.Contains(t, body, `"K1":{"order":false,"perm":6,"readQueueNums":16,"topicFilterType":"SINGLE_TAG","topicName":"T",`)
	require.Contains(t, body, `"K2":{`)
	tc, ok := m.Get("K1")
	require.True(t, ok)
	require.Equal(t, "T", tc.TopicName)
}
