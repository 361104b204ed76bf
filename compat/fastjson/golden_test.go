package fastjson

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	jsoniter "github.com/json-iterator/go"
	"github.com/stretchr/testify/require"
)

// reemit walks normalized JSON in document order and writes it again through w. An object whose keys are
// all integers is written as an integer-keyed map (in the Java goldens only Map<Integer,...> has such keys).
func reemit(t *testing.T, it *jsoniter.Iterator, w *Writer) {
	t.Helper()
	switch it.WhatIsNext() {
	case jsoniter.ObjectValue:
		type kv struct {
			k   string
			raw []byte
		}
		var members []kv
		it.ReadMapCB(func(it *jsoniter.Iterator, k string) bool {
			members = append(members, kv{k, append([]byte(nil), it.SkipAndReturnBytes()...)})
			return true
		})
		intKeys := len(members) > 0
		for _, m := range members {
			if _, err := strconv.ParseInt(m.k, 10, 64); err != nil {
				intKeys = false
			}
		}
		if intKeys {
			w.BeginIntMap()
		} else {
			w.BeginObject()
		}
		for _, m := range members {
			if intKeys {
				k, _ := strconv.ParseInt(m.k, 10, 64)
				w.IntKey(k)
			} else {
				w.Key(m.k)
			}
			reemit(t, jsoniter.ConfigCompatibleWithStandardLibrary.BorrowIterator(m.raw), w)
		}
		w.EndObject()
	case jsoniter.ArrayValue:
		w.BeginArray()
		it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
			reemit(t, it, w)
			return true
		})
		w.EndArray()
	case jsoniter.StringValue:
		w.String(it.ReadString())
	case jsoniter.NumberValue:
		w.Int(it.ReadInt64())
	case jsoniter.BoolValue:
		w.Bool(it.ReadBool())
	case jsoniter.NilValue:
		it.ReadNil()
		w.Null()
	default:
		t.Fatalf("unexpected token")
	}
	if it.Error != nil && it.Error != io.EOF {
		t.Fatalf("reemit: %v", it.Error)
	}
}

func TestGoldenJavaFilesByteExact(t *testing.T) {
	cases := map[string]Mode{
		"broker/topics.json":            Pretty,
		"broker/topics.json.bak":        Pretty,
		"broker/subscriptionGroup.json": Pretty,
		"broker/consumerOffset.json":    Pretty,
		"broker/delayOffset.json":       Pretty,
		"topics_pretty.json":            Pretty,
		"topics_compact.json":           Compact,
		"topics_empty_pretty.json":      Pretty,
		"subgroup_pretty.json":          Pretty,
		"subgroup_compact.json":         Compact,
		"offset_pretty.json":            Pretty,
		"offset_compact.json":           Compact,
		"offset_empty_pretty.json":      Pretty,
		"intkeys_default.json":          Compact,
		"intkeys_pretty.json":           Pretty,
		"string_default.json":           Compact,
		"nested_pretty.json":            Pretty,
	}
	for name, mode := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "java", name))
			require.NoError(t, err)
			norm, err := Normalize(want)
			require.NoError(t, err)
			w := NewWriter(mode, nil)
			reemit(t, jsoniter.ConfigCompatibleWithStandardLibrary.BorrowIterator(norm), w)
			require.Equal(t, string(want), string(w.Bytes()))
		})
	}
}

// javaTestString is the string Gen.java serialises into string_default.json and string_browser.json.
func javaTestString() string {
	b := make([]byte, 0, 160)
	for c := 0; c < 0x80; c++ {
		b = append(b, byte(c))
	}
	return string(b) + "\u00e9\u4e2d\u2028\u2029\U0001F600\u007f\u0080\u009f\u00a0"
}

func TestGoldenStringEscaping(t *testing.T) {
	for name, mode := range map[string]Mode{"string_default.json": Compact, "string_browser.json": Standard} {
		want, err := os.ReadFile(filepath.Join("testdata", "java", name))
		require.NoError(t, err)
		w := NewWriter(mode, nil)
		w.BeginObject()
		w.Key("s")
		w.String(javaTestString())
		w.EndObject()
		require.Equal(t, string(want), string(w.Bytes()), name)

		var got map[string]string
		require.NoError(t, Unmarshal(want, &got), name)
		require.Equal(t, javaTestString(), got["s"], name)
	}
}

func TestGoldenStandardIntKeysAndBigLongs(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "java", "intkeys_browser.json"))
	require.NoError(t, err)
	w := NewWriter(Standard, nil)
	w.BeginObject()
	w.Key("emptyList")
	w.BeginArray()
	w.EndArray()
	w.Key("emptyMap")
	w.BeginIntMap()
	w.EndObject()
	w.Key("list")
	w.BeginArray()
	w.String("a")
	w.String("b")
	w.EndArray()
	w.Key("offsetTable")
	w.BeginIntMap()
	w.IntKey(-1)
	w.Int(9223372036854775807)
	w.IntKey(0)
	w.Int(1)
	w.IntKey(10)
	w.Int(-9223372036854775808)
	w.EndObject()
	w.EndObject()
	require.Equal(t, string(want), string(w.Bytes()))
}

func TestDataVersionJSON(t *testing.T) {
	dv := DataVersion{Timestamp: 1, Counter: 2}
	require.Equal(t, `{"counter":2,"timestamp":1}`, string(dv.AppendJSON(nil)))
	w := NewWriter(Pretty, nil)
	dv.Write(w)
	require.Equal(t, "{\n\t\"counter\":2,\n\t\"timestamp\":1\n}", string(w.Bytes())) // as Java's toJson(true)
	b, err := dv.MarshalJSON()
	require.NoError(t, err)
	var back DataVersion
	require.NoError(t, Unmarshal(b, &back))
	require.Equal(t, dv, back)

	saved := nowMillis
	defer func() { nowMillis = saved }()
	nowMillis = func() int64 { return 42 }
	n := NewDataVersion()
	require.Equal(t, DataVersion{Timestamp: 42}, n)
	nowMillis = func() int64 { return 43 }
	n.Next()
	require.Equal(t, DataVersion{Timestamp: 43, Counter: 1}, n)
	require.True(t, n.Equal(DataVersion{Timestamp: 43, Counter: 1}))
	require.Equal(t, "DataVersion[timestamp=43, counter=1]", n.String())
}
