package namesrv

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
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

const upperHex = "0123456789ABCDEF"

func (w *jw) raw(s string) { w.b = append(w.b, s...) }
func (w *jw) byte(c byte)  { w.b = append(w.b, c) }
func (w *jw) int(v int64)  { w.b = strconv.AppendInt(w.b, v, 10) }

func (w *jw) u4(r rune) {
	w.b = append(w.b, '\\', 'u', upperHex[r>>12&15], upperHex[r>>8&15], upperHex[r>>4&15], upperHex[r&15])
}

// str writes a quoted string.
func (w *jw) str(s string) {
	w.b = append(w.b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case '"', '\\':
				w.b = append(w.b, '\\', c)
			case '\b':
				w.raw(`\b`)
			case '\t':
				w.raw(`\t`)
			case '\n':
				w.raw(`\n`)
			case '\f':
				w.raw(`\f`)
			case '\r':
				w.raw(`\r`)
			case '/':
				if w.browser {
					w.raw(`\/`)
				} else {
					w.byte(c)
				}
			default:
				if c < 0x20 || c == 0x7F {
					w.u4(rune(c))
				} else {
					w.byte(c)
				}
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		raw := s[i : i+n]
		if r == utf8.RuneError && n == 1 {
			raw = "\uFFFD" // what Java's UTF-8 decoder made of the byte
		}
		switch {
		case w.browser && r >= 0x10000:
			hi, lo := utf16.EncodeRune(r)
			w.u4(hi)
			w.u4(lo)
		case w.browser || r <= 0x9F || r == 0x2028 || r == 0x2029:
			w.u4(r)
		default:
			w.b = append(w.b, raw...)
		}
		i += n
	}
	w.b = append(w.b, '"')
}

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
