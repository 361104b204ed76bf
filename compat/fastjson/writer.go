package fastjson

import (
	"cmp"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Mode selects the output form of a Writer. Modes combine with |.
type Mode uint8

const (
	// Compact is fastjson's default: no whitespace, unquoted integer map keys, raw UTF-8.
	Compact Mode = 0
	// Pretty is JSON.toJSONString(obj, true): tab indentation as Java writes config files.
	Pretty Mode = 1 << iota
	// Standard is the BrowserCompatible form: valid JSON (quoted integer keys), non-ASCII as \uXXXX,
	// `/` as `\/`, longs beyond ±2^53-1 as strings.
	Standard
)

// maxSafeLong is the bound beyond which BrowserCompatible writes a long as a JSON string.
const maxSafeLong = 9007199254740991

type frameKind uint8

const (
	frameObject frameKind = iota // bean or string-keyed map
	frameIntMap                  // map with integer keys
	frameArray
)

type frame struct {
	kind  frameKind
	count int
}

// Writer appends fastjson-shaped JSON to a byte slice. The caller emits keys in the order it wants them
// (fastjson sorts bean fields alphabetically; use SortedKeys for maps). The zero Writer writes Compact.
// A Writer never fails: misuse (an End without a Begin) is ignored rather than panicking.
type Writer struct {
	buf   []byte
	mode  Mode
	stack []frame
}

// NewWriter returns a Writer in the given mode appending to buf (which may be nil).
func NewWriter(mode Mode, buf []byte) *Writer {
	return &Writer{buf: buf, mode: mode, stack: make([]frame, 0, 8)}
}

// Bytes returns the output so far.
func (w *Writer) Bytes() []byte { return w.buf }

// Reset empties the output and the nesting state, keeping the mode and the buffer's capacity.
func (w *Writer) Reset() {
	w.buf = w.buf[:0]
	w.stack = w.stack[:0]
}

func (w *Writer) pretty() bool   { return w.mode&Pretty != 0 }
func (w *Writer) standard() bool { return w.mode&Standard != 0 }

func (w *Writer) newline() {
	w.buf = append(w.buf, '\n')
	for range w.stack {
		w.buf = append(w.buf, '\t')
	}
}

func (w *Writer) top() *frame {
	if len(w.stack) == 0 {
		return nil
	}
	return &w.stack[len(w.stack)-1]
}

func (w *Writer) begin(kind frameKind, open byte) {
	w.elem()
	w.buf = append(w.buf, open)
	w.stack = append(w.stack, frame{kind: kind})
}

func (w *Writer) end(close byte) {
	f := w.top()
	if f == nil {
		return
	}
	n := f.count
	w.stack = w.stack[:len(w.stack)-1]
	if w.pretty() && n > 0 {
		w.newline()
	}
	w.buf = append(w.buf, close)
}

// BeginObject opens a bean or a map with string keys; follow with Key/value pairs and EndObject.
func (w *Writer) BeginObject() { w.begin(frameObject, '{') }

// EndObject closes the innermost object or integer-keyed map.
func (w *Writer) EndObject() { w.end('}') }

// BeginIntMap opens a map with integer keys (Map<Integer,...> / Map<Long,...> in Java); follow with
// IntKey/value pairs and EndObject.
func (w *Writer) BeginIntMap() { w.begin(frameIntMap, '{') }

// BeginArray opens an array; write values directly and close with EndArray.
func (w *Writer) BeginArray() { w.begin(frameArray, '[') }

// EndArray closes the innermost array.
func (w *Writer) EndArray() { w.end(']') }

// Key writes the separator, the indentation and `"name":` for the next field of an object.
func (w *Writer) Key(name string) {
	f := w.top()
	if f != nil {
		if f.count > 0 {
			w.buf = append(w.buf, ',')
		}
		f.count++
	}
	if w.pretty() {
		w.newline()
	}
	w.buf = w.appendString(w.buf, name)
	w.buf = append(w.buf, ':')
}

// IntKey writes the separator and `k:` (Compact/Pretty) or `"k":` (Standard) for an integer-keyed map.
// Pretty output keeps integer-keyed entries on one line, as fastjson does.
func (w *Writer) IntKey(k int64) {
	f := w.top()
	if f != nil {
		if f.count > 0 {
			w.buf = append(w.buf, ',')
		}
		f.count++
	}
	if w.standard() {
		w.buf = append(w.buf, '"')
		w.buf = strconv.AppendInt(w.buf, k, 10)
		w.buf = append(w.buf, '"')
	} else {
		w.buf = strconv.AppendInt(w.buf, k, 10)
	}
	w.buf = append(w.buf, ':')
}

// elem prepares an array element (separator and indentation). Values after Key/IntKey need nothing.
func (w *Writer) elem() {
	f := w.top()
	if f == nil || f.kind != frameArray {
		return
	}
	if f.count > 0 {
		w.buf = append(w.buf, ',')
	}
	f.count++
	if w.pretty() {
		w.newline()
	}
}

// String writes a JSON string escaped as fastjson does.
func (w *Writer) String(s string) {
	w.elem()
	w.buf = w.appendString(w.buf, s)
}

// Int writes an integer. In Standard mode a value beyond ±(2^53-1) is written as a string, like
// fastjson's BrowserCompatible does for longs.
func (w *Writer) Int(v int64) {
	w.elem()
	if w.standard() && (v > maxSafeLong || v < -maxSafeLong) {
		w.buf = append(w.buf, '"')
		w.buf = strconv.AppendInt(w.buf, v, 10)
		w.buf = append(w.buf, '"')
		return
	}
	w.buf = strconv.AppendInt(w.buf, v, 10)
}

// Bool writes true or false.
func (w *Writer) Bool(v bool) {
	w.elem()
	w.buf = strconv.AppendBool(w.buf, v)
}

// Null writes null.
func (w *Writer) Null() {
	w.elem()
	w.buf = append(w.buf, "null"...)
}

// Raw appends already-encoded JSON as one value (it is not re-indented).
func (w *Writer) Raw(b []byte) {
	w.elem()
	w.buf = append(w.buf, b...)
}

const hexUpper = "0123456789ABCDEF"

func appendU(dst []byte, c rune) []byte {
	return append(dst, '\\', 'u', hexUpper[c>>12&0xF], hexUpper[c>>8&0xF], hexUpper[c>>4&0xF], hexUpper[c&0xF])
}

// appendString appends s quoted and escaped for the writer's mode.
func (w *Writer) appendString(dst []byte, s string) []byte {
	return AppendString(dst, s, w.standard())
}

// AppendString appends s as a fastjson string literal. standard selects the BrowserCompatible escaping.
// Invalid UTF-8 bytes are written as U+FFFD (Java strings cannot hold them).
func AppendString(dst []byte, s string, standard bool) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\b':
				dst = append(dst, '\\', 'b')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\f':
				dst = append(dst, '\\', 'f')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c < 0x20 || c == 0x7F:
				dst = appendU(dst, rune(c))
			case c == '/' && standard:
				dst = append(dst, '\\', '/')
			default:
				dst = append(dst, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case standard:
			if r > 0xFFFF {
				r -= 0x10000
				dst = appendU(dst, 0xD800+(r>>10))
				dst = appendU(dst, 0xDC00+(r&0x3FF))
			} else {
				dst = appendU(dst, r)
			}
		case r <= 0x9F || r == 0x2028 || r == 0x2029:
			dst = appendU(dst, r)
		case r == utf8.RuneError && size == 1:
			dst = append(dst, "\uFFFD"...)
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// SortedKeys returns the keys of m in ascending order (fastjson writes bean fields sorted; sorting maps too
// keeps our files deterministic, which Java does not care about).
func SortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
