package remoting

import (
	"unicode/utf8"
	"unsafe"
)

// The fast JSON header path (issue #15). Routes registered WithRawExt get their requests' extFields as the raw
// JSON object (Command.RangeExt) instead of a map: the handler reads the few keys it needs without allocating
// a map and two strings per key. Everything else about the header is decoded as before.
//
// scanJSONHeader accepts only the plain shape Java (fastjson) and the Go client write: one object, keys without
// escapes, numbers for code/flag/opaque/version, a language name or number, a remark without escapes or control
// characters, a flat extFields object (or null) and serializeTypeCurrentRPC. For anything else it reports false
// and the caller decodes with the general json-iterator path, so the fast path never changes what is accepted.

// jsonCode reads the code of a header that starts `{"code":<digits>`, the order every known client writes.
func jsonCode(h []byte) (int32, bool) {
	const prefix = `{"code":`
	if len(h) < len(prefix)+1 || string(h[:len(prefix)]) != prefix {
		return 0, false
	}
	n, end, ok := scanInt(h, len(prefix))
	if !ok || end >= len(h) || (h[end] != ',' && h[end] != '}') {
		return 0, false
	}
	return n, true
}

// scanInt reads an optional '-' and 1..10 decimal digits at i that fit an int32.
func scanInt(h []byte, i int) (int32, int, bool) {
	neg := false
	if i < len(h) && h[i] == '-' {
		neg = true
		i++
	}
	start := i
	var n int64
	for i < len(h) && h[i] >= '0' && h[i] <= '9' && i-start < 11 {
		n = n*10 + int64(h[i]-'0')
		i++
	}
	if i == start || i-start > 10 || (i-start > 1 && h[start] == '0') {
		return 0, i, false
	}
	if i < len(h) && (h[i] == '.' || h[i] == 'e' || h[i] == 'E') {
		return 0, i, false
	}
	if neg {
		n = -n
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, i, false
	}
	return int32(n), i, true
}

func skipWS(h []byte, i int) int {
	for i < len(h) && (h[i] == ' ' || h[i] == '\t' || h[i] == '\n' || h[i] == '\r') {
		i++
	}
	return i
}

// scanString reads a JSON string at i (h[i] == '"'). It returns the bytes between the quotes, the index after
// the closing quote and whether they contain escapes. ok is false for a control character or no closing quote.
func scanString(h []byte, i int) (s []byte, next int, escaped, ok bool) {
	if i >= len(h) || h[i] != '"' {
		return nil, i, false, false
	}
	start := i + 1
	for j := start; j < len(h); j++ {
		switch c := h[j]; {
		case c == '"':
			return h[start:j], j + 1, escaped, true
		case c == '\\':
			escaped = true
			j++
			if j >= len(h) {
				return nil, j, false, false
			}
			switch h[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(h)-j < 5 || !isHex4(h[j+1:j+5]) {
					return nil, j, false, false
				}
				j += 4
			default:
				return nil, j, false, false
			}
		case c < 0x20:
			return nil, j, false, false
		}
	}
	return nil, len(h), false, false
}

// scanJSONHeader decodes the plain header shape into c, leaving extFields raw in c.rawExt. false: use the
// general decoder (c may be partly filled).
func scanJSONHeader(h []byte, c *Command) bool {
	i := skipWS(h, 0)
	if i >= len(h) || h[i] != '{' {
		return false
	}
	i = skipWS(h, i+1)
	seenExt := false
	for {
		if i >= len(h) {
			return false
		}
		if h[i] == '}' {
			return skipWS(h, i+1) == len(h)
		}
		key, next, esc, ok := scanString(h, i)
		if !ok || esc {
			return false
		}
		i = skipWS(h, next)
		if i >= len(h) || h[i] != ':' {
			return false
		}
		i = skipWS(h, i+1)
		switch string(key) {
		case "code", "flag", "opaque", "version":
			n, end, ok := scanInt(h, i)
			if !ok {
				return false
			}
			switch string(key) {
			case "code":
				c.Code = n
			case "flag":
				c.Flag = n
			case "opaque":
				c.Opaque = n
			default:
				c.Version = n
			}
			i = end
		case "language":
			if i < len(h) && h[i] == '"' {
				s, end, esc, ok := scanString(h, i)
				if !ok || esc {
					return false
				}
				l, _ := ParseLanguage(unsafe.String(unsafe.SliceData(s), len(s)))
				c.Language = l
				i = end
			} else {
				n, end, ok := scanInt(h, i)
				if !ok {
					return false
				}
				if n < 0 || n > 255 {
					c.Language = Other
				} else {
					c.Language = LanguageCode(n)
				}
				i = end
			}
		case "remark":
			if hasLiteral(h, i, "null") {
				c.Remark = ""
				i += 4
				break
			}
			s, end, esc, ok := scanString(h, i)
			if !ok || esc || !plainASCII(s) {
				return false
			}
			c.Remark = string(s)
			i = end
		case "serializeTypeCurrentRPC":
			_, end, _, ok := scanString(h, i)
			if !ok {
				return false
			}
			i = end
		case "extFields":
			if seenExt {
				return false
			}
			seenExt = true
			if hasLiteral(h, i, "null") {
				i += 4
				break
			}
			end, ok := scanFlatObject(h, i, nil)
			if !ok {
				return false
			}
			c.rawExt = h[i:end]
			i = end
		default:
			return false
		}
		i = skipWS(h, i)
		if i < len(h) && h[i] == ',' {
			i = skipWS(h, i+1)
			if i < len(h) && h[i] == '}' {
				return false // trailing comma
			}
			continue
		}
		if i >= len(h) || h[i] != '}' {
			return false
		}
	}
}

// scanNumber checks a strict JSON number at i: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(h []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(h) && h[i] >= '0' && h[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(h) && h[i] == '-' {
		i++
	}
	switch {
	case i < len(h) && h[i] == '0':
		i++
	case i < len(h) && h[i] >= '1' && h[i] <= '9':
		i = digits(i)
	default:
		return i, false
	}
	if i < len(h) && h[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(h) && (h[i] == 'e' || h[i] == 'E') {
		i++
		if i < len(h) && (h[i] == '+' || h[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f') {
			return false
		}
	}
	return true
}

func hasLiteral(h []byte, i int, lit string) bool {
	return len(h)-i >= len(lit) && string(h[i:i+len(lit)]) == lit
}

func plainASCII(s []byte) bool {
	for _, c := range s {
		if c >= 0x7F {
			return false
		}
	}
	return true
}

// scanFlatObject walks an object whose values are strings, numbers, booleans or null, calling f (when not nil)
// for each pair that is not null. Keys must have no escapes. It returns the index after the closing brace.
// A value handed to f is the string's bytes (escaped tells whether they still hold escapes) or the literal
// text of a number or boolean.
func scanFlatObject(h []byte, i int, f func(key, val []byte, escaped bool) bool) (int, bool) {
	if i >= len(h) || h[i] != '{' {
		return i, false
	}
	i = skipWS(h, i+1)
	if i < len(h) && h[i] == '}' {
		return i + 1, true
	}
	for {
		key, next, esc, ok := scanString(h, i)
		if !ok || esc {
			return i, false
		}
		i = skipWS(h, next)
		if i >= len(h) || h[i] != ':' {
			return i, false
		}
		i = skipWS(h, i+1)
		if i >= len(h) {
			return i, false
		}
		var val []byte
		isNull := false
		escaped := false
		switch c := h[i]; {
		case c == '"':
			val, next, escaped, ok = scanString(h, i)
			if !ok {
				return i, false
			}
			i = next
		case c == 'n' && hasLiteral(h, i, "null"):
			isNull = true
			i += 4
		case c == 't' && hasLiteral(h, i, "true"):
			val = h[i : i+4]
			i += 4
		case c == 'f' && hasLiteral(h, i, "false"):
			val = h[i : i+5]
			i += 5
		case c == '-' || c >= '0' && c <= '9':
			end, ok := scanNumber(h, i)
			if !ok {
				return i, false
			}
			val = h[i:end]
			i = end
		default:
			return i, false
		}
		if !isNull && f != nil && !f(key, val, escaped) {
			return i, false
		}
		i = skipWS(h, i)
		if i >= len(h) {
			return i, false
		}
		if h[i] == '}' {
			return i + 1, true
		}
		if h[i] != ',' {
			return i, false
		}
		i = skipWS(h, i+1)
	}
}

// RangeExt calls f for each extField of a request on a WithRawExt route, without building the map: key and
// value alias the frame and are valid only during the call (copy what you keep). escaped tells that value
// still holds JSON escapes: UnescapeExt turns it into its string. It reports false when the command has no raw
// extFields (use ExtFields / Ext) or when f returned false.
func (c *Command) RangeExt(f func(key, value []byte, escaped bool) bool) bool {
	if c.rawExt == nil {
		return false
	}
	_, ok := scanFlatObject(c.rawExt, 0, f)
	return ok
}

// HasRawExt reports whether the command's extFields are still raw JSON (a WithRawExt route): read them with
// RangeExt, or with ExtFields after LoadExtFields.
func (c *Command) HasRawExt() bool { return c.rawExt != nil }

// UnescapeExt returns the string of an escaped value handed to a RangeExt callback, as a new string.
func UnescapeExt(escaped []byte) (string, error) {
	if s, ok := unescapeBMP(escaped); ok {
		return s, nil
	}
	quoted := make([]byte, 0, len(escaped)+2)
	quoted = append(append(append(quoted, '"'), escaped...), '"')
	it := jsonCfg.BorrowIterator(quoted)
	defer jsonCfg.ReturnIterator(it)
	s := it.ReadString()
	if it.Error != nil {
		return "", it.Error
	}
	return s, nil
}

// LoadExtFields turns raw extFields (a WithRawExt route) into the ExtFields map, as the general decoder would
// have made it. Without raw extFields it does nothing.
func (c *Command) LoadExtFields() error {
	if c.rawExt == nil {
		return nil
	}
	raw := c.rawExt
	c.rawExt = nil
	it := jsonCfg.BorrowIterator(raw)
	defer jsonCfg.ReturnIterator(it)
	readJSONExt(it, c)
	if it.Error != nil {
		return it.Error
	}
	return nil
}

// AppendUnescapeExt is UnescapeExt appending the string's bytes to dst, for a caller that keeps them in a
// buffer of its own (no new string for the common escapes).
func AppendUnescapeExt(dst, escaped []byte) ([]byte, error) {
	if out, ok := appendUnescapeBMP(dst, escaped); ok {
		return out, nil
	}
	s, err := UnescapeExt(escaped)
	if err != nil {
		return dst, err
	}
	return append(dst, s...), nil
}

// unescapeBMP decodes the escapes of a string scanned by scanString into one new string. It declines (false)
// surrogate escapes, which json-iterator decodes in its own way.
func unescapeBMP(v []byte) (string, bool) {
	out, ok := appendUnescapeBMP(make([]byte, 0, len(v)), v)
	if !ok {
		return "", false
	}
	return unsafe.String(unsafe.SliceData(out), len(out)), true
}

// appendUnescapeBMP is unescapeBMP appending to out.
func appendUnescapeBMP(out, v []byte) ([]byte, bool) {
	start := len(out)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(v) {
			return out[:start], false
		}
		switch v[i] {
		case '"', '\\', '/':
			out = append(out, v[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if len(v)-i < 5 || !isHex4(v[i+1:i+5]) {
				return out[:start], false
			}
			var r rune
			for _, h := range v[i+1 : i+5] {
				r = r<<4 | rune(unhex(h))
			}
			if r >= 0xD800 && r <= 0xDFFF {
				return out[:start], false
			}
			out = utf8.AppendRune(out, r)
			i += 4
		default:
			return out[:start], false
		}
	}
	return out, true
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}
