package topic

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// FuzzDecodeWrapper: no input makes the topics.json decoder panic; accepted input re-encodes stably.
func FuzzDecodeWrapper(f *testing.F) {
	if b, err := os.ReadFile(javaBrokerTopics); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"topicConfigTable":{"T":{"perm":7,"topicFilterType":"MULTI_TAG"}},"dataVersion":{"counter":1,"timestamp":2}}`))
	m, err := Open(filepath.Join(f.TempDir(), "topics.json"), DefaultOptions())
	if err != nil {
		f.Fatal(err)
	}
	encode := func(table map[string]TopicConfig) []byte {
		es := make([]entry, 0, len(table))
		for _, k := range fastjson.SortedKeys(table) {
			es = append(es, entry{Key: k, Value: table[k]})
		}
		return m.t.EncodeEntries(fastjson.Compact, fastjson.DataVersion{}, es)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		table, _, err := m.decodeWrapper(data)
		if err != nil {
			return
		}
		a := encode(table)
		table2, _, err := m.decodeWrapper(a)
		if err != nil {
			t.Fatalf("cannot decode our own encoding %q: %v", a, err)
		}
		if b := encode(table2); string(a) != string(b) {
			t.Fatalf("round trip differs: %q vs %q", a, b)
		}
	})
}
