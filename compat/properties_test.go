package compat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPropertiesRoundTrip(t *testing.T) {
	in := map[string]string{"TAGS": "TagA", "KEYS": "k1 k2", "UNIQ_KEY": "AC11000100002A9F0000000000000000", "CLUSTER": "DefaultCluster"}
	s := EncodeProperties(in)
	require.False(t, strings.HasSuffix(s, "\x02"), "4.9.8 writes no trailing separator")
	// The order a Java 4.9.8 broker stores these keys in (compat/testdata/store, TestGoldenJavaPropertiesOrder):
	// HashMap buckets KEYS 7, UNIQ_KEY 12, CLUSTER 12 (added after the client's keys), TAGS 14.
	require.Equal(t, "KEYS\x01k1 k2\x02UNIQ_KEY\x01AC11000100002A9F0000000000000000\x02CLUSTER\x01DefaultCluster\x02TAGS\x01TagA", s)
	require.Equal(t, in, DecodeProperties(s))
	// <= 4.9.2 form with a trailing separator.
	require.Equal(t, in, DecodeProperties(s+"\x02"))
}

func TestDecodePropertiesLenient(t *testing.T) {
	cases := map[string]map[string]string{
		"":                        {},
		"\x02\x02":                {},
		"A\x01":                   {},
		"\x01v":                   {},
		"A\x01v\x01w":             {"A": "v\x01w"},
		"A\x011\x02A\x012":        {"A": "2"},
		"A\x01v\x02junk\x02B\x01": {"A": "v"},
		"AB":                      {},
		"A\x02\x01x\x02B\x01y":    {"B": "y"},
	}
	for in, want := range cases {
		require.Equal(t, want, DecodeProperties(in), "%q", in)
	}
	v, ok := GetProperty("A\x011\x02B\x012\x02A\x013", "A")
	require.True(t, ok)
	require.Equal(t, "3", v)
	_, ok = GetProperty("A\x011", "B")
	require.False(t, ok)
}

func TestEncodeSkipsEmpty(t *testing.T) {
	require.Equal(t, "B\x01x", EncodeProperties(map[string]string{"A": "", "B": "x", "": "y"}))
	require.Equal(t, "", EncodeProperties(nil))
}

func FuzzDecodeProperties(f *testing.F) {
	f.Add("TAGS\x01TagA\x02KEYS\x01k1 k2")
	f.Add("A\x01v\x02")
	f.Add("\x01\x02\x01")
	f.Fuzz(func(t *testing.T, s string) {
		m := DecodeProperties(s)
		for k, v := range m {
			require.NotEmpty(t, k)
			require.NotEmpty(t, v)
			require.NotContains(t, k, "\x02")
			require.NotContains(t, v, "\x02")
			require.NotContains(t, k, "\x01")
		}
		// Re-encoding what we decoded must decode to the same map.
		require.Equal(t, m, DecodeProperties(EncodeProperties(m)))
	})
}

func TestJavaHashMapOrderKeepsInsertionOrderInABucket(t *testing.T) {
	// UNIQ_KEY and CLUSTER share bucket 12 of a 16-bucket table: insertion order decides.
	keys := []string{"TAGS", "CLUSTER", "UNIQ_KEY", "KEYS"}
	JavaHashMapOrder(keys, 0)
	require.Equal(t, []string{"KEYS", "CLUSTER", "UNIQ_KEY", "TAGS"}, keys)
	keys = []string{"UNIQ_KEY", "CLUSTER"}
	JavaHashMapOrder(keys, 0)
	require.Equal(t, []string{"UNIQ_KEY", "CLUSTER"}, keys)
	// More than 12 keys doubles the table to 32 buckets, as Java's resize does.
	// "p" (112) is bucket 0 of 16 but bucket 16 of 32, so it moves behind "m" (13) once the table grows.
	many := []string{"p", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"}
	JavaHashMapOrder(many, 0)
	require.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "p"}, many)
	few := []string{"a", "p"}
	JavaHashMapOrder(few, 0)
	require.Equal(t, []string{"p", "a"}, few)
	require.Equal(t, []string{"PGROUP", "KEYS"}, PropertyNames("PGROUP\x01g\x02KEYS\x01k\x02PGROUP\x01h"))
}
