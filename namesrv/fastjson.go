package namesrv

import (
	"strconv"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// jw writes JSON the way fastjson 1.2.69 (Java 4.9.8's serializer) does: no whitespace, bean fields in
// alphabetical order (the callers write them so), strings escaped by fastjson's rules, and — in the legacy form —
// Long map keys without quotes. It never HTML-escapes.
//
// Two modes:
//   - default (RemotingSerializable.encode): control characters, U+007F..U+009F, U+2028 and U+2029 as \uXXXX
//     (\b \t \n \f \r short), '"' and '\' escaped, everything else raw UTF-8;
//   - browser (BrowserCompatible, the standard route form): additionally '/' as "\/" and every character from
//     U+007F up as \uXXXX (UTF-16 units).
type jw struct {
	b       []byte
	browser bool
}

func (w *jw) raw(s string) { w.b = append(w.b, s...) }
func (w *jw) byte(c byte)  { w.b = append(w.b, c) }
func (w *jw) int(v int64)  { w.b = strconv.AppendInt(w.b, v, 10) }

// str writes a quoted string with fastjson's escaping (compat/fastjson).
func (w *jw) str(s string) { w.b = fastjson.AppendString(w.b, s, w.browser) }

// key writes a quoted field name and the colon.
func (w *jw) key(k string) {
	w.str(k)
	w.byte(':')
}

// longKey writes a Long map key: bare in the legacy form, quoted in the standard one.
func (w *jw) longKey(k int64, quoted bool) {
	if quoted {
		w.byte('"')
		w.int(k)
		w.byte('"')
	} else {
		w.int(k)
	}
	w.byte(':')
}

// comma writes ',' before every element but the first.
func (w *jw) comma(i int) {
	if i > 0 {
		w.byte(',')
	}
}

func (w *jw) strList(items []string) {
	w.byte('[')
	for i, s := range items {
		w.comma(i)
		w.str(s)
	}
	w.byte(']')
}
