package offset

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat/fastjson"
)

var javaDir = filepath.Join("..", "..", "compat", "fastjson", "testdata", "java")

func openT(t *testing.T, path string) *Manager {
	t.Helper()
	m, err := Open(path)
	require.NoError(t, err)
	return m
}

func copyJava(t *testing.T, name, dst string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(javaDir, name))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, data, 0o644))
	return data
}

// consumerOffset.json as a real Java 4.9.8 broker wrote it at shutdown.
func TestLoadJavaBrokerFileAndWriteSameBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consumerOffset.json")
	data := copyJava(t, "broker/consumerOffset.json", path)
	m := openT(t, path)
	require.Equal(t, map[int32]int64{0: 120, 1: 118, 2: 130, 3: 99}, m.QueryAll("groupA", "TopicTest"))
	v, ok := m.Query("groupA", "%RETRY%groupA", 0)
	require.True(t, ok)
	require.Equal(t, int64(0), v)

	// Java's file has "%RETRY%groupA@groupA" after "TopicTest@groupA" (hash order); ours is sorted. Put the
	// lines in Java's order to compare the bytes.
	got := string(m.EncodePretty())
	want := "{\n\t\"offsetTable\":{\n\t\t\"%RETRY%groupA@groupA\":{0:0\n\t\t},\n\t\t\"TopicTest@groupA\":{0:120,1:118,2:130,3:99\n\t\t}\n\t}\n}"
	require.Equal(t, want, got)
	require.Len(t, got, len(data))

	// Persist writes that, and keeps Java's file as the .bak
	require.NoError(t, m.Persist())
	out, _ := os.ReadFile(path)
	require.Equal(t, want, string(out))
	bak, _ := os.ReadFile(path + ".bak")
	require.Equal(t, data, bak)
}

func TestLoadJavaEncodings(t *testing.T) {
	for _, name := range []string{"offset_pretty.json", "offset_compact.json", "offset_empty_pretty.json"} {
		path := filepath.Join(t.TempDir(), "consumerOffset.json")
		copyJava(t, name, path)
		m := openT(t, path)
		if name == "offset_empty_pretty.json" {
			require.Empty(t, m.Keys())
			require.Equal(t, "{\n\t\"offsetTable\":{}\n}", string(m.EncodePretty()))
			continue
		}
		require.Equal(t, []string{"%RETRY%groupA@groupA", "Empty@g", "TopicTest@groupA"}, m.Keys(), name)
		require.Equal(t, map[int32]int64{}, m.QueryAll("g", "Empty"))
		require.Equal(t, `{"offsetTable":{"%RETRY%groupA@groupA":{0:0},"Empty@g":{},"TopicTest@groupA":{0:120,1:118,2:130,3:99}}}`, string(m.Encode(true)))
		require.Equal(t, `{"offsetTable":{"%RETRY%groupA@groupA":{"0":0},"Empty@g":{},"TopicTest@groupA":{"0":120,"1":118,"2":130,"3":99}}}`, string(m.Encode(false)))
	}
}

func TestHandWrittenJavaShapes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consumerOffset.json")
	content := "{\n\t\"offsetTable\":{\n" +
		"\t\t\"RMQ_SYS_TRANS_HALF_TOPIC@CID_RMQ_SYS_TRANS\":{0:42\n\t\t},\n" +
		"\t\t\"T@g\":{\"0\":7,\"1\":\"9007199254740993\",-1:3\n\t\t},\n" + // quoted id, long as string, negative id
		"\t\t\"weird@a@b\":{0:1\n\t\t},\n" +
		"\t\t\"noseparator\":{0:2\n\t\t}\n\t}\n}"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	m := openT(t, path)
	v, ok := m.Query("CID_RMQ_SYS_TRANS", "RMQ_SYS_TRANS_HALF_TOPIC", 0)
	require.True(t, ok)
	require.Equal(t, int64(42), v)
	require.Equal(t, map[int32]int64{0: 7, 1: 9007199254740993, -1: 3}, m.QueryAll("g", "T"))
	// keys Java cannot split are kept in the file, untouched
	require.Contains(t, m.Keys(), "weird@a@b")
	require.Contains(t, m.Keys(), "noseparator")
	require.Contains(t, string(m.EncodePretty()), "\t\t\"noseparator\":{0:2\n\t\t},\n\t\t\"weird@a@b\":{0:1\n\t\t}\n")
	require.Contains(t, string(m.Encode(false)), `"T@g":{"-1":3,"0":7,"1":"9007199254740993"}`)
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "consumerOffset.json")
	m := openT(t, path)
	m.Commit("g", "T", 0, 1)
	require.NoError(t, m.Persist())
	m.Commit("g", "T", 0, 2)
	require.NoError(t, m.Persist()) // .bak has 1

	for _, bad := range []string{`{"offsetTable":{"T@g":{x:1}}}`, `{"offsetTable":{"T@g":{0:"abc"}}}`, `{"offsetTable":{"T@g":{99999999999:1}}}`, `{"offsetTable":`} {
		require.NoError(t, os.WriteFile(path, []byte(bad), 0o644))
		m2 := openT(t, path)
		v, _ := m2.Query("g", "T", 0)
		require.Equal(t, int64(1), v, "loaded the .bak instead of %s", bad)
	}
	require.NoError(t, os.WriteFile(path+".bak", []byte("{"), 0o644))
	_, err := Open(path)
	require.ErrorIs(t, err, fastjson.ErrConfig)
	require.Contains(t, err.Error(), path+".bak")
}

func TestCommitQueryRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consumerOffset.json")
	m := openT(t, path)
	_, ok := m.Query("g", "T", 0)
	require.False(t, ok)
	require.Nil(t, m.QueryAll("g", "T"))

	m.Commit("g", "T", 0, 10)
	m.Commit("g", "T", 1, 11)
	m.Commit("g", "T", 0, 5) // lower offsets are accepted, as in Java
	m.Commit("g2", "T", 0, 1)
	m.Commit("g", "U", 3, 7)
	v, ok := m.Query("g", "T", 0)
	require.True(t, ok)
	require.Equal(t, int64(5), v)
	require.Equal(t, map[int32]int64{0: 5, 1: 11}, m.QueryAll("g", "T"))
	require.Equal(t, []string{"g", "g2"}, m.GroupsOfTopic("T"))
	require.Equal(t, []string{"T", "U"}, m.TopicsOfGroup("g"))
	require.Empty(t, m.GroupsOfTopic("nope"))

	require.True(t, m.CloneOffset("g", "g3", "T"))
	require.Equal(t, map[int32]int64{0: 5, 1: 11}, m.QueryAll("g3", "T"))
	require.False(t, m.CloneOffset("nobody", "g4", "T"))

	require.Equal(t, 3, m.RemoveTopic("T"))
	require.Empty(t, m.GroupsOfTopic("T"))
	require.Equal(t, []string{"U"}, m.TopicsOfGroup("g"))
	require.Equal(t, 1, m.RemoveGroup("g"))
	require.Empty(t, m.TopicsOfGroup("g"))
	m.Commit("g", "V", 0, 1)
	require.True(t, m.Remove("g", "V"))
	require.False(t, m.Remove("g", "V"))

	// the returned map is a copy
	m.Commit("g", "W", 0, 1)
	all := m.QueryAll("g", "W")
	all[0] = 99
	v, _ = m.Query("g", "W", 0)
	require.Equal(t, int64(1), v)
}

func TestPersistRoundTripAndSkipsWhenUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config", "consumerOffset.json")
	m := openT(t, path)
	require.NoError(t, m.Persist(), "first persist writes even an empty table")
	out, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "{\n\t\"offsetTable\":{}\n}", string(out))

	m.Commit("g", "T", 2, 30)
	m.Commit("g", "T", 10, 31)
	require.NoError(t, m.Persist())
	info1, _ := os.Stat(path)
	require.NoError(t, os.Remove(path+".bak"))
	require.NoError(t, m.Persist()) // nothing changed: no write, so no new .bak
	_, err = os.Stat(path + ".bak")
	require.True(t, os.IsNotExist(err))
	info2, _ := os.Stat(path)
	require.Equal(t, info1.ModTime(), info2.ModTime())

	out, _ = os.ReadFile(path)
	require.Equal(t, "{\n\t\"offsetTable\":{\n\t\t\"T@g\":{2:30,10:31\n\t\t}\n\t}\n}", string(out))
	m2 := openT(t, path)
	require.Equal(t, m.Snapshot(), m2.Snapshot())
}

func TestMergeFromMaster(t *testing.T) {
	master := openT(t, filepath.Join(t.TempDir(), "consumerOffset.json"))
	master.Commit("g", "T", 0, 100)
	master.Commit("g", "T", 1, 101)
	slave := openT(t, filepath.Join(t.TempDir(), "consumerOffset.json"))
	slave.Commit("g", "T", 2, 5) // replaced: Java's putAll swaps the whole topic@group map
	slave.Commit("h", "T", 0, 6) // kept
	require.NoError(t, slave.MergeFrom(master.Encode(true)))
	require.Equal(t, map[int32]int64{0: 100, 1: 101}, slave.QueryAll("g", "T"))
	require.Equal(t, map[int32]int64{0: 6}, slave.QueryAll("h", "T"))
	require.Error(t, slave.MergeFrom([]byte("{")))
}

func TestLmq(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lmqConsumerOffset.json")
	m, err := OpenLmq(path)
	require.NoError(t, err)
	m.Commit("%LMQ%g", "%LMQ%t", 3, 5)
	m.Commit("g", "t", 1, 6)
	v, ok := m.Query("%LMQ%g", "%LMQ%t", 0)
	require.True(t, ok)
	require.Equal(t, int64(5), v)
	require.Equal(t, map[int32]int64{0: 5}, m.QueryAll("%LMQ%g", "%LMQ%t"))
	// exactly what Java's LmqConsumerOffsetManager.encode(true) printed for the same calls
	require.Equal(t, "{\n\t\"lmqOffsetTable\":{\n\t\t\"%LMQ%t@%LMQ%g\":5\n\t},\n\t\"offsetTable\":{\n\t\t\"t@g\":{1:6\n\t\t}\n\t}\n}", string(m.EncodePretty()))
	require.NoError(t, m.Persist())
	m2, err := OpenLmq(path)
	require.NoError(t, err)
	v, ok = m2.Query("%LMQ%g", "%LMQ%t", 7)
	require.True(t, ok)
	require.Equal(t, int64(5), v)

	// without LMQ mode, %LMQ% groups are ordinary groups
	plain := openT(t, filepath.Join(t.TempDir(), "consumerOffset.json"))
	plain.Commit("%LMQ%g", "%LMQ%t", 3, 5)
	require.Equal(t, map[int32]int64{3: 5}, plain.QueryAll("%LMQ%g", "%LMQ%t"))
	require.NotContains(t, string(plain.Encode(true)), "lmqOffsetTable")
}

func TestConcurrentCommitAndPersist(t *testing.T) {
	m := openT(t, filepath.Join(t.TempDir(), "consumerOffset.json"))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				m.Commit(fmt.Sprintf("g%d", g), "T", int32(i%8), int64(i))
				_, _ = m.Query(fmt.Sprintf("g%d", g), "T", int32(i%8))
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			require.NoError(t, m.Persist())
			_ = m.Encode(true)
			_ = m.GroupsOfTopic("T")
		}
	}()
	wg.Wait()
	require.NoError(t, m.Persist())
	m2 := openT(t, m.Path())
	require.Equal(t, m.Snapshot(), m2.Snapshot())
	require.Len(t, m2.GroupsOfTopic("T"), 4)
}

func BenchmarkCommit(b *testing.B) {
	m, err := Open(filepath.Join(b.TempDir(), "consumerOffset.json"))
	if err != nil {
		b.Fatal(err)
	}
	m.Commit("group", "TopicTest", 0, 0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := int64(0)
		for pb.Next() {
			i++
			m.Commit("group", "TopicTest", int32(i&3), i)
		}
	})
}

// TestJavaFixtureConsumerOffsetJSON: TODO(fixtures) loads consumerOffset.json written by a real Java 4.9.8
// broker under compat/testdata/broker/config/ once that fixture run exists; skips until then.
func TestJavaFixtureConsumerOffsetJSON(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "compat", "testdata", "broker", "config", "*onsumerOffset.json*"))
	if len(files) == 0 {
		t.Skip("TODO: no Java 4.9.8 fixture under compat/testdata/broker/config yet")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "consumerOffset.json")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		m, err := OpenLmq(path)
		require.NoError(t, err, f)
		require.NoError(t, m.Persist())
		m2, err := OpenLmq(path)
		require.NoError(t, err)
		require.Equal(t, m.Snapshot(), m2.Snapshot(), f)
	}
}
