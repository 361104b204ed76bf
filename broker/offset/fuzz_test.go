package offset

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeDoc: no input makes the offset decoder panic; what it accepts re-encodes and decodes the same.
func FuzzDecodeDoc(f *testing.F) {
	for _, name := range []string{"broker/consumerOffset.json", "offset_pretty.json", "offset_compact.json"} {
		if b, err := os.ReadFile(filepath.Join(javaDir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"lmqOffsetTable":{"%LMQ%t@%LMQ%g":"5"},"offsetTable":{"a@b":{-1:2,"3":"4"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeDoc(data)
		if err != nil {
			return
		}
		m := &Manager{table: map[key]*queues{}, odd: map[string]map[int32]int64{}, lmqT: map[string]int64{}, lmq: true}
		m.apply(d)
		for _, legacy := range []bool{true, false} {
			d2, err := decodeDoc(m.Encode(legacy))
			if err != nil {
				t.Fatalf("cannot decode our own encoding %q: %v", m.Encode(legacy), err)
			}
			m2 := &Manager{table: map[key]*queues{}, odd: map[string]map[int32]int64{}, lmqT: map[string]int64{}, lmq: true}
			m2.apply(d2)
			if string(m2.Encode(true)) != string(m.Encode(true)) {
				t.Fatalf("round trip differs: %q vs %q", m2.Encode(true), m.Encode(true))
			}
		}
	})
}
