package remoting

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fast header path must decode exactly what the general decoder decodes, or step aside.
func checkFastAgrees(t *testing.T, h []byte) bool {
	var fast Command
	if !scanJSONHeader(h, &fast) {
		return false
	}
	raw := fast.rawExt
	var fromRange map[string]string
	if raw != nil {
		fromRange = map[string]string{}
		require.True(t, fast.RangeExt(func(k, v []byte, esc bool) bool {
			s := string(v)
			if esc {
				var err error
				s, err = UnescapeExt(v)
				require.NoError(t, err)
				appended, err := AppendUnescapeExt([]byte("prefix"), v)
				require.NoError(t, err)
				require.Equal(t, "prefix"+s, string(appended), "AppendUnescapeExt of %q", v)
			}
			fromRange[string(k)] = s
			return true
		}), "RangeExt over a scanned object")
	}
	require.NoError(t, fast.LoadExtFields())
	var slow Command
	require.NoError(t, decodeJSONHeader(h, &slow), "fast path accepted %q, the general decoder refuses it", h)
	require.Equal(t, slow, fast, "header %q", h)
	if raw != nil {
		require.Equal(t, slow.ExtFields, fromRange, "RangeExt values of %q", h)
	}
	return true
}

func TestFastJSONHeaderAgrees(t *testing.T) {
	for _, c := range []*Command{sendV2Request(), pullResponse(), NewRequest(34, nil, nil), {Code: 1, Remark: "a \"quoted\" remark", ExtFields: map[string]string{"k": "\u2028é\x01"}}} {
		raw, err := c.Encode()
		require.NoError(t, err)
		h := raw[8 : 8+int(raw[5])<<16|int(raw[6])<<8|int(raw[7])]
		require.True(t, checkFastAgrees(t, h) || bytes.Contains(h, []byte(`\"`)), "%s", h)
	}
	for _, h := range []string{
		`{"code":310,"extFields":{"a":"g","d":4,"k":true,"m":false,"n":null},"flag":0,"language":"GO","opaque":7,"serializeTypeCurrentRPC":"JSON","version":317}`,
		`{"code":310, "language":5, "remark":null, "extFields":null}`,
		`{"code":310,"extFields":{"i":"KEYS\u0001k\u0002WAIT\u0001true","x":"\ud83d\ude00"}}`,
		`{"code":310,"extFields":{"i":"\"\\\/\b\f\n\r\t\u00e9\u20AC\u0000","y":"\ud800"}}`,
	} {
		require.True(t, checkFastAgrees(t, []byte(h)), h)
	}
	for _, h := range []string{`{"code":310,"extFields":{"a":+1}}`, `{"code":310,"extFields":{"a":{"b":1}}}`, `{"code":310,}`,
		`{"code":310,"extFields":{"a":"1"},"extFields":{}}`, `{"code":3100000000000}`, `{"code":310,"remark":"x\u0041"}`} {
		var c Command
		require.False(t, scanJSONHeader([]byte(h), &c), h)
	}
}

func FuzzFastJSONHeader(f *testing.F) {
	raw, _ := sendV2Request().Encode()
	f.Add(raw[8:])
	f.Add([]byte(`{"code":310,"extFields":{"a":"g","d":4,"k":true,"n":null},"language":"GO","opaque":7}`))
	f.Add([]byte(`{"code":310,"extFields":{"i":"\u0001\u0002"}}`))
	f.Fuzz(func(t *testing.T, h []byte) {
		jsonCode(h) // must not panic
		checkFastAgrees(t, h)
	})
}
