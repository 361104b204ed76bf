package header

import (
	"errors"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Sentinels for errors.Is on a *FieldError.
var (
	// ErrMissingField: a required (@CFNotNull) field is absent from extFields.
	ErrMissingField = errors.New("header: required custom field is missing")
	// ErrMalformedField: a field is present but its value is not what Java would parse.
	ErrMalformedField = errors.New("header: custom field has a malformed value")
)

// FieldError names the extFields key that failed to decode. Its text is meant for a response remark.
type FieldError struct {
	Field string // the extFields key
	Value string // the rejected value; "" when the field is missing
	Want  string // what the value should be: "int", "long" or a list of allowed values
	cause error
}

func (e *FieldError) Error() string {
	if e.cause == ErrMissingField {
		// Java's RemotingCommand text, so remarks read the same as from a Java broker.
		return "the custom field <" + e.Field + "> is null"
	}
	return "the custom field <" + e.Field + "> must be " + e.Want + ", got " + strconv.Quote(e.Value)
}

// Unwrap returns ErrMissingField or ErrMalformedField.
func (e *FieldError) Unwrap() error { return e.cause }

func missing(field string) error {
	return &FieldError{Field: field, cause: ErrMissingField}
}

func malformed(field, value, want string) error {
	return &FieldError{Field: field, Value: value, Want: want, cause: ErrMalformedField}
}

// Opt is a value that may be absent: a Java boxed field (Integer, Long, Boolean) that can be null.
type Opt[T any] struct {
	Value T
	Set   bool
}

// Some returns an Opt holding v.
func Some[T any](v T) Opt[T] { return Opt[T]{Value: v, Set: true} }

// Get returns the value and whether it is set.
func (o Opt[T]) Get() (T, bool) { return o.Value, o.Set }

// Or returns the value, or def when it is not set.
func (o Opt[T]) Or(def T) T {
	if o.Set {
		return o.Value
	}
	return def
}

// dec reads fields from extFields and keeps the first error, so a Decode method is one line per field.
// It lives on the caller's stack; nothing allocates unless a field fails.
type dec struct {
	ext     map[string]string
	letters *LetterFields // instead of ext: SEND_MESSAGE_V2's one-letter keys, read without a map
	err     error
}

func (d *dec) get(key string) (string, bool) {
	if d.letters != nil {
		return d.letters.get(key)
	}
	v, ok := d.ext[key]
	return v, ok
}

// LetterFields holds the values of one-letter lowercase extFields keys (SendMessageRequestHeaderV2's a..n),
// so the send path can decode its header without an extFields map. The zero value is empty.
type LetterFields struct {
	v   [26]string
	set uint32
}

// Put records key's value; keys that are not one lowercase letter are ignored (Decode ignores unknown keys).
// A repeated key keeps the last value, as a map would.
func (f *LetterFields) Put(key []byte, value string) {
	if len(key) == 1 && key[0] >= 'a' && key[0] <= 'z' {
		i := key[0] - 'a'
		f.v[i], f.set = value, f.set|1<<i
	}
}

func (f *LetterFields) get(key string) (string, bool) {
	if len(key) != 1 || key[0] < 'a' || key[0] > 'z' {
		return "", false
	}
	i := key[0] - 'a'
	return f.v[i], f.set&(1<<i) != 0
}

func (d *dec) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// str reads a required string.
func (d *dec) str(key string) string {
	v, ok := d.get(key)
	if !ok {
		d.fail(missing(key))
	}
	return v
}

// optStr reads an optional string; "" when absent.
func (d *dec) optStr(key string) string { v, _ := d.get(key); return v }

// i32 reads a required Java int.
func (d *dec) i32(key string) int32 {
	v, ok := d.get(key)
	if !ok {
		d.fail(missing(key))
		return 0
	}
	return d.parse32(key, v)
}

// i32Or reads a Java int with a default (a primitive or initialised field): absent gives def.
func (d *dec) i32Or(key string, def int32) int32 {
	v, ok := d.get(key)
	if !ok {
		return def
	}
	return d.parse32(key, v)
}

// optI32 reads a nullable Java Integer.
func (d *dec) optI32(key string) Opt[int32] {
	v, ok := d.get(key)
	if !ok {
		return Opt[int32]{}
	}
	return Opt[int32]{Value: d.parse32(key, v), Set: true}
}

// i64 reads a required Java long.
func (d *dec) i64(key string) int64 {
	v, ok := d.get(key)
	if !ok {
		d.fail(missing(key))
		return 0
	}
	return d.parse64(key, v)
}

// i64Or reads a Java long with a default (a primitive field): absent gives def.
func (d *dec) i64Or(key string, def int64) int64 {
	v, ok := d.get(key)
	if !ok {
		return def
	}
	return d.parse64(key, v)
}

// optI64 reads a nullable Java Long.
func (d *dec) optI64(key string) Opt[int64] {
	v, ok := d.get(key)
	if !ok {
		return Opt[int64]{}
	}
	return Opt[int64]{Value: d.parse64(key, v), Set: true}
}

// boolean reads a required Java Boolean.
func (d *dec) boolean(key string) bool {
	v, ok := d.get(key)
	if !ok {
		d.fail(missing(key))
	}
	return ParseJavaBool(v)
}

// boolOr reads a primitive or initialised Java boolean: absent gives def.
func (d *dec) boolOr(key string, def bool) bool {
	v, ok := d.get(key)
	if !ok {
		return def
	}
	return ParseJavaBool(v)
}

// optBool reads a nullable Java Boolean.
func (d *dec) optBool(key string) Opt[bool] {
	v, ok := d.get(key)
	if !ok {
		return Opt[bool]{}
	}
	return Opt[bool]{Value: ParseJavaBool(v), Set: true}
}

func (d *dec) parse32(key, v string) int32 {
	n, ok := ParseJavaInt(v)
	if !ok {
		d.fail(malformed(key, v, "a Java int (optional sign, decimal digits, -2147483648..2147483647)"))
	}
	return n
}

func (d *dec) parse64(key, v string) int64 {
	n, ok := ParseJavaLong(v)
	if !ok {
		d.fail(malformed(key, v, "a Java long (optional sign, decimal digits, no spaces, in range)"))
	}
	return n
}

// ParseJavaBool is Java's Boolean.parseBoolean: true only for "true" in any letter case.
func ParseJavaBool(s string) bool {
	if len(s) != 4 {
		return false
	}
	return s[0]|0x20 == 't' && s[1]|0x20 == 'r' && s[2]|0x20 == 'u' && s[3]|0x20 == 'e'
}

// ParseJavaInt is Java's Integer.parseInt(s) in radix 10.
func ParseJavaInt(s string) (int32, bool) {
	n, ok := parseJava(s, 1<<31)
	return int32(n), ok
}

// ParseJavaLong is Java's Long.parseLong(s) in radix 10.
func ParseJavaLong(s string) (int64, bool) {
	return parseJava(s, 1<<63)
}

// parseJava parses an optional '+' or '-' followed by at least one decimal digit. negLimit is the magnitude
// of the most negative value (2^31 or 2^63); the positive limit is one less. Like Java's Character.digit on
// a char, it accepts any Unicode decimal digit (Nd) of the Basic Multilingual Plane, not only ASCII.
func parseJava(s string, negLimit uint64) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	i := 0
	switch s[0] {
	case '-':
		neg = true
		i = 1
	case '+':
		i = 1
	}
	if i == len(s) {
		return 0, false
	}
	limit := negLimit - 1
	if neg {
		limit = negLimit
	}
	var mag uint64
	for i < len(s) {
		var d uint64
		if c := s[i]; c >= '0' && c <= '9' {
			d = uint64(c - '0')
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			v, ok := unicodeDigit(r)
			if !ok {
				return 0, false
			}
			d = uint64(v)
			i += size
		}
		if mag > (limit-d)/10 {
			return 0, false
		}
		mag = mag*10 + d
	}
	if neg {
		return int64(-mag), true // -2^63 wraps to itself, which is the right answer
	}
	return int64(mag), true
}

// unicodeDigit returns the value of a BMP Unicode decimal digit. Every run of Nd characters starts with its
// zero and is ten long, so the value is the distance from the start of the table range modulo 10.
func unicodeDigit(r rune) (int, bool) {
	if r > 0xFFFF || r == utf8.RuneError || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if uint16(r) >= rg.Lo && uint16(r) <= rg.Hi {
			return int(uint16(r)-rg.Lo) % 10, true
		}
	}
	return 0, false
}

// Encoding helpers.

func putStr(ext map[string]string, key, v string) { ext[key] = v }

func putOptStr(ext map[string]string, key, v string) {
	if v != "" {
		ext[key] = v
	}
}

func putI32(ext map[string]string, key string, v int32) { ext[key] = strconv.FormatInt(int64(v), 10) }

func putI64(ext map[string]string, key string, v int64) { ext[key] = strconv.FormatInt(v, 10) }

func putBool(ext map[string]string, key string, v bool) { ext[key] = strconv.FormatBool(v) }

func putOptI32(ext map[string]string, key string, v Opt[int32]) {
	if v.Set {
		putI32(ext, key, v.Value)
	}
}

func putOptI64(ext map[string]string, key string, v Opt[int64]) {
	if v.Set {
		putI64(ext, key, v.Value)
	}
}

func putOptBool(ext map[string]string, key string, v Opt[bool]) {
	if v.Set {
		putBool(ext, key, v.Value)
	}
}
