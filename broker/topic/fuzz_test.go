package topic

import (
	"os"
	"testing"
)

// FuzzDecodeWrapper: no input makes the topics.json decoder panic; accepted input re-encodes stably.
func FuzzDecodeWrapper(f *testing.F) {
	if b, err := os.ReadFile(javaBrokerTopics); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"topicConfigTable":{"T":{"perm":7,"topicFilterType":"MULTI_TAG"}},"dataVersion":{"counter":1,"timestamp":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		table, _, err := decodeWrapper(data)
		if err != nil {
			return
		}
		m := &Manager{table: table}
		if m.table == nil {
			m.table = map[string]TopicConfig{}
		}
		a := m.SerializeWrapper(true)
		table2, _, err := decodeWrapper(a)
		if err != nil {
			t.Fatalf("cannot decode our own encoding %q: %v", a, err)
		}
		m2 := &Manager{table: table2}
		if m2.table == nil {
			m2.table = map[string]TopicConfig{}
		}
		if b := m2.SerializeWrapper(true); string(a) != string(b) {
			t.Fatalf("round trip differs: %q vs %q", a, b)
		}
	})
}
