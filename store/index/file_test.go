package index

import "testing"

func TestTopicKeyHashMatchesBuiltKey(t *testing.T) {
	for _, tk := range [][2]string{{"TopicTest", "OrderID188"}, {"%RETRY%g", "7F0000010B5C18B4AAC2671C3D8C0000"}, {"T", "ключ😀"}, {"", ""}} {
		if got, want := TopicKeyHash(tk[0], tk[1]), KeyHash(BuildKey(tk[0], tk[1])); got != want {
			t.Fatalf("TopicKeyHash(%q, %q) = %d, KeyHash(BuildKey) = %d", tk[0], tk[1], got, want)
		}
	}
}
