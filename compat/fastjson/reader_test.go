package fastjson

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeAcceptsWhatJavaAccepts(t *testing.T) {
	// Every input here was also parsed successfully by fastjson 1.2.69 into ConsumerOffsetManager.
	want := `{"offsetTable":{"T@g":{"0":12,"1":5}}}`
	for _, in := range []string{
		`{"offsetTable":{"T@g":{"0":12,"1":5}}}`,
		`{"offsetTable":{"T@g":{0:12,1:5}}}`,
		"  \n{ \"offsetTable\" : { \"T@g\" : { 0 : 12 , \"1\" : 5 } } }\n\n",
		"{\n\t\"offsetTable\":{\n\t\t\"T@g\":{0:12,1:5\n\t\t}\n\t}\n}",
		`{"offsetTable":{"T@g":{0:12,1:5,},}}`,
		`{offsetTable:{'T@g':{0:12,1:5}}}`,
		"\xEF\xBB\xBF{\"offsetTable\":{\"T@g\":{0:12,1:5}}}",
	} {
		got, err := Normalize([]byte(in))
		require.NoError(t, err, in)
		require.Equal(t, want, string(got), in)
	}
}

func TestNormalizeOddities(t *testing.T) {
	for in, want := range map[string]string{
		`{-1:2}`:                       `{"-1":2}`,
		`[1, 2 ,3,]`:                   `[1,2,3]`,
		`{}`:                           `{}`,
		`[]`:                           `[]`,
		`"x"`:                          `"x"`,
		`'it''s'`:                      ``, // two strings: trailing data
		`'a"b\'c'`:                     `"a\"b'c"`,
		"\"tab\tin\"":                  `"tab\u0009in"`,
		`{"a":[{"b":null,"c":true}],}`: `{"a":[{"b":null,"c":true}]}`,
		`{"n":-1.5e+3}`:                `{"n":-1.5e+3}`,
		`{"u":"\u00e9\/"}`:             `{"u":"\u00e9\/"}`,
		`{a_b$.c-1:1}`:                 `{"a_b$.c-1":1}`,
		`{"x":1} `:                     `{"x":1}`,
		`{"x":1} x`:                    ``,
		``:                             ``,
		`   `:                          ``,
		`{`:                            ``,
		`{"a"}`:                        ``,
		`{"a":}`:                       ``,
		`{,}`:                          ``,
		`[,1]`:                         ``,
		`{"a":1,,"b":2}`:               ``,
		`{{"topic":"T"}:1}`:            ``,
		`{"a":01}`:                     ``,
		`{"a":1.}`:                     ``,
		`{"a":tru}`:                    ``,
		`{"a":"\x"}`:                   ``,
		`{"a":"\u12"}`:                 ``,
		`{"a":"open`:                   ``,
		`{"a":[1,2}`:                   ``,
		`{"offsetTable":{0:1}}}`:       ``,
		`{"a":1L}`:                     ``,
	} {
		got, err := Normalize([]byte(in))
		if want == "" {
			require.ErrorIs(t, err, ErrSyntax, "%q", in)
			continue
		}
		require.NoError(t, err, in)
		require.Equal(t, want, string(got), in)
		require.True(t, json.Valid(got), in)
	}
}

func TestNormalizeDepthLimit(t *testing.T) {
	deep := make([]byte, 0, 2*maxDepth+2)
	for i := 0; i <= maxDepth; i++ {
		deep = append(deep, '[')
	}
	_, err := Normalize(deep)
	require.ErrorIs(t, err, ErrSyntax)
}

func TestUnmarshalOffsetTableWithIntKeys(t *testing.T) {
	var v struct {
		OffsetTable map[string]map[int32]int64 `json:"offsetTable"`
	}
	in, err := os.ReadFile(filepath.Join("testdata", "java", "offset_pretty.json"))
	require.NoError(t, err)
	require.NoError(t, Unmarshal(in, &v))
	require.Equal(t, map[int32]int64{0: 120, 1: 118, 2: 130, 3: 99}, v.OffsetTable["TopicTest@groupA"])
	require.Equal(t, map[int32]int64{0: 0}, v.OffsetTable["%RETRY%groupA@groupA"])
	require.Empty(t, v.OffsetTable["Empty@g"])

	require.ErrorIs(t, Unmarshal([]byte(`{"offsetTable":[]}`), &v), ErrSyntax)
}

func FuzzNormalize(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "java", "*.json"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{`{0:1}`, `{'a':'b',}`, `[1,[2,[3]]]`, `{"a":"\u00"}`, "{\"a\":1\n}", `-`, `{-:1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Normalize(data)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("Normalize(%q) = %q, not valid JSON", data, out)
		}
		again, err := Normalize(out)
		if err != nil || string(again) != string(out) {
			t.Fatalf("Normalize not idempotent on %q: %q, %v", out, again, err)
		}
		var v any
		_ = Unmarshal(data, &v)
		// split feed: a prefix must never panic either
		_, _ = Normalize(data[:len(data)/2])
	})
}

func FuzzWriterRoundTrip(f *testing.F) {
	f.Add("TopicTest", int64(12), false)
	f.Add("\x00\u2028é😀\"\\/", int64(-9007199254740993), true)
	f.Fuzz(func(t *testing.T, s string, n int64, standard bool) {
		mode := Pretty
		if standard {
			mode = Standard
		}
		w := NewWriter(mode, nil)
		w.BeginObject()
		w.Key(s)
		w.BeginIntMap()
		w.IntKey(n)
		w.String(s)
		w.EndObject()
		w.EndObject()
		var got map[string]map[string]string
		if err := Unmarshal(w.Bytes(), &got); err != nil {
			t.Fatalf("cannot read back %q: %v", w.Bytes(), err)
		}
		// invalid UTF-8 is replaced, like Java would have replaced it on decoding the bytes
		want := []rune(s)
		if string(want) == s {
			require.Equal(t, s, got[s][itoa(n)])
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
