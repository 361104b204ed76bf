package configtable

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat/fastjson"
)

type item struct {
	Name string `json:"name"`
	N    int64  `json:"n"`
}

func (it item) Write(w *fastjson.Writer) {
	w.BeginObject()
	w.Key("n")
	w.Int(it.N)
	w.Key("name")
	w.String(it.Name)
	w.EndObject()
}

func newTable(t *testing.T) *Table[item] {
	t.Helper()
	return New(Options[item]{
		Name: "test", Path: filepath.Join(t.TempDir(), "config", "items.json"), TableKey: "itemTable",
		FromKey: func(k string, it item) item {
			if it.Name == "" {
				it.Name = k
			}
			return it
		},
	})
}

func TestPersistWritesSortedPrettyFileAndLoadReadsIt(t *testing.T) {
	tb := newTable(t)
	_, existed, dv := tb.Put("b", item{Name: "b", N: 2})
	require.False(t, existed)
	require.EqualValues(t, 1, dv.Counter)
	tb.Put("a", item{Name: "a", N: 1})
	require.NoError(t, tb.Persist())

	got, err := os.ReadFile(tb.Path())
	require.NoError(t, err)
	ts := tb.DataVersion().Timestamp
	want := "{\n\t\"dataVersion\":{\n\t\t\"counter\":2,\n\t\t\"timestamp\":" + formatInt(ts) + "\n\t},\n\t\"itemTable\":{\n" +
		"\t\t\"a\":{\n\t\t\t\"n\":1,\n\t\t\t\"name\":\"a\"\n\t\t},\n" +
		"\t\t\"b\":{\n\t\t\t\"n\":2,\n\t\t\t\"name\":\"b\"\n\t\t}\n\t}\n}"
	require.Equal(t, want, string(got))

	again := New(tb.opts)
	again.Put("c", item{Name: "c"}) // entries the file lacks stay; the file's version wins
	require.NoError(t, again.Load())
	require.Equal(t, []string{"a", "b", "c"}, again.Keys())
	require.Equal(t, tb.DataVersion(), again.DataVersion())
}

func formatInt(v int64) string {
	w := fastjson.NewWriter(fastjson.Compact, nil)
	w.Int(v)
	return string(w.Bytes())
}

func TestDecodeFillsNameFromKeyAndSyncFromAdoptsOnlyANewVersion(t *testing.T) {
	tb := newTable(t)
	tb.Put("old", item{Name: "old"})
	body := []byte(`{"dataVersion":{"counter":7,"timestamp":9},"itemTable":{"k":{"n":3}}}`)

	changed, err := tb.SyncFrom(body)
	require.NoError(t, err)
	require.True(t, changed)
	require.Equal(t, []item{{Name: "k", N: 3}}, tb.Values())
	require.Equal(t, fastjson.DataVersion{Counter: 7, Timestamp: 9}, tb.DataVersion())
	require.EqualValues(t, 1, tb.FileWrites())

	changed, err = tb.SyncFrom(body) // same version: nothing applied, nothing written
	require.NoError(t, err)
	require.False(t, changed)
	require.EqualValues(t, 1, tb.FileWrites())

	_, err = tb.SyncFrom([]byte(`{"itemTable":[`))
	require.Error(t, err)
	require.Equal(t, []item{{Name: "k", N: 3}}, tb.Values(), "a bad body changes nothing")
}

func TestModifyAndDeleteBumpOnlyWhenPresent(t *testing.T) {
	tb := newTable(t)
	tb.Put("a", item{Name: "a"})
	require.False(t, tb.Modify("x", func(*item) { t.Fatal("called for a missing key") }))
	_, ok := tb.Delete("x")
	require.False(t, ok)
	require.EqualValues(t, 1, tb.DataVersion().Counter)

	require.True(t, tb.Modify("a", func(it *item) { it.N = 5 }))
	old, ok := tb.Delete("a")
	require.True(t, ok)
	require.Equal(t, item{Name: "a", N: 5}, old)
	require.EqualValues(t, 3, tb.DataVersion().Counter)
	require.Zero(t, tb.Len())
}

// Concurrent changes that each wait for Persist are all on disk when their Persist returns, and share writes.
func TestPersistIsGroupCommitted(t *testing.T) {
	tb := newTable(t)
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := formatInt(int64(i))
			tb.Put(k, item{Name: k})
			require.NoError(t, tb.Persist())
			b, err := os.ReadFile(tb.Path())
			require.NoError(t, err)
			require.Contains(t, string(b), `"name":"`+k+`"`)
		}()
	}
	wg.Wait()
	require.NoError(t, tb.Flush())
	require.Less(t, tb.FileWrites(), int64(n), "one write per change")

	tb.PersistSoon()
	require.NoError(t, tb.Flush())
	again := New(tb.opts)
	require.NoError(t, again.Load())
	require.Equal(t, n, again.Len())
}
