package namesrv

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// namesrv's bodies are written with compat/fastjson's Writer (Compact: the legacy form, Standard: the
// route features). The expected strings were printed by fastjson 1.2.69_noneautotype (the jar Java 4.9.8 ships) for
// JSON.toJSONString(map) and for the route features (BrowserCompatible, QuoteFieldNames, SkipTransientField,
// MapSortField).
func TestFastjsonStringEscapes(t *testing.T) {
	in := "a/b\"c\\d\u0001\b\t\u000b\u001f\u007f\u0080\u009f\u00a0é<>&'\u2028😀"
	w := fastjson.NewWriter(fastjson.Compact, nil)
	w.String(in)
	require.Equal(t, `"a/b\"c\\d\u0001\b\t\u000B\u001F\u007F\u0080\u009F`+"\u00a0é<>&'"+`\u2028`+"😀"+`"`, string(w.Bytes()))
	w = fastjson.NewWriter(fastjson.Standard, nil)
	w.String(in)
	require.Equal(t, `"a\/b\"c\\d\u0001\b\t\u000B\u001F\u007F\u0080\u009F\u00A0\u00E9<>&'\u2028\uD83D\uDE00"`, string(w.Bytes()))
}

func TestFastjsonInvalidUTF8(t *testing.T) {
	w := fastjson.NewWriter(fastjson.Compact, nil)
	w.String("a\xffb")
	require.Equal(t, "\"a\uFFFDb\"", string(w.Bytes()))
	w = fastjson.NewWriter(fastjson.Standard, nil)
	w.String("a\xffb")
	require.Equal(t, `"a\uFFFDb"`, string(w.Bytes()))
}
