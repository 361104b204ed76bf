package namesrv

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The expected strings were printed by fastjson 1.2.69_noneautotype (the jar Java 4.9.8 ships) for
// JSON.toJSONString(map) and for the route features (BrowserCompatible, QuoteFieldNames, SkipTransientField,
// MapSortField).
func TestFastjsonStringEscapes(t *testing.T) {
	in := "a/b\"c\\d\u0001\b\t\u000b\u001f\u007f\u0080\u009f\u00a0é<>&'\u2028😀"
	w := jw{}
	w.str(in)
	require.Equal(t, `"a/b\"c\\d\u0001\b\t\u000B\u001F\u007F\u0080\u009F`+"\u00a0é<>&'"+`\u2028`+"😀"+`"`, string(w.b))
	w = jw{browser: true}
	w.str(in)
	require.Equal(t, `"a\/b\"c\\d\u0001\b\t\u000B\u001F\u007F\u0080\u009F\u00A0\u00E9<>&'\u2028\uD83D\uDE00"`, string(w.b))
}

func TestFastjsonInvalidUTF8(t *testing.T) {
	w := jw{}
	w.str("a\xffb")
	require.Equal(t, "\"a\uFFFDb\"", string(w.b))
	w = jw{browser: true}
	w.str("a\xffb")
	require.Equal(t, `"a\uFFFDb"`, string(w.b))
}
