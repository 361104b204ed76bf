package conf

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrMalformedEscape reports a \u escape that is not followed by four hex
// digits. Java refuses such a file too ("Malformed \uxxxx encoding").
var ErrMalformedEscape = errors.New(`malformed \uXXXX escape`)

// Properties is an ordered set of key/value pairs read from a Java
// .properties file. Keys keep the position of their first occurrence; a key
// repeated later takes the later value, as in java.util.Properties.
type Properties struct {
	keys []string
	vals map[string]string
}

// NewProperties returns an empty set.
func NewProperties() *Properties {
	return &Properties{vals: map[string]string{}}
}

// Set adds or replaces a key.
func (p *Properties) Set(key, value string) {
	if p.vals == nil {
		p.vals = map[string]string{}
	}
	if _, ok := p.vals[key]; !ok {
		p.keys = append(p.keys, key)
	}
	p.vals[key] = value
}

// Get returns the value of key and whether it is present.
func (p *Properties) Get(key string) (string, bool) {
	if p == nil {
		return "", false
	}
	v, ok := p.vals[key]
	return v, ok
}

// Keys returns the keys in first-seen order.
func (p *Properties) Keys() []string {
	if p == nil {
		return nil
	}
	return append([]string(nil), p.keys...)
}

// Len is the number of distinct keys.
func (p *Properties) Len() int {
	if p == nil {
		return 0
	}
	return len(p.keys)
}

// String renders "key=value\n" lines in key order, without escaping, the way
// the Java servers render a Properties object on the wire
// (MixAll.properties2String).
func (p *Properties) String() string {
	var b strings.Builder
	for _, k := range p.Keys() {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(p.vals[k])
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseError locates a problem in a properties file.
type ParseError struct {
	Line int // 1-based line where the logical line starts
	Err  error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// LoadProperties reads and parses a properties file.
func LoadProperties(path string) (*Properties, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w (check the path given with -c)", err)
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse config file %s: %w", path, err)
	}
	return p, nil
}

// Parse reads data with the rules of java.util.Properties.load:
//
//   - a line whose first non-blank character is '#' or '!' is a comment;
//     comments never continue onto the next line;
//   - blank characters are space, tab and form feed; they are skipped at the
//     start of every line;
//   - a line ending in an odd number of backslashes continues on the next
//     line, whose leading blanks are skipped;
//   - the key ends at the first unescaped '=', ':' or blank; blanks around the
//     separator are skipped, and one '=' or ':' after blanks is the separator;
//   - the value is the rest of the line, trailing blanks included;
//   - escapes \t \n \r \f \uXXXX are decoded, any other escaped character
//     stands for itself (\= \: \# \! \\ and an escaped space).
//
// The rules are those of the JDK 9+ reader, checked against OpenJDK 17 on
// thousands of generated inputs. Java 8 differs only for a line holding
// nothing but a continuation backslash.
//
// Differences from Java: Java reads the bytes as ISO-8859-1; Parse reads UTF-8
// when the whole input is valid UTF-8 (identical for ASCII files) and falls
// back to ISO-8859-1 otherwise. A lone UTF-16 surrogate written as \uXXXX
// becomes U+FFFD.
func Parse(data []byte) (*Properties, error) {
	text := decodeText(data)
	p := NewProperties()
	lr := lineReader{src: text, line: 1}
	for {
		logical, start, ok := lr.next()
		if !ok {
			return p, nil
		}
		key, value := splitKeyValue(logical)
		k, err := unescape(key)
		if err != nil {
			return nil, &ParseError{Line: start, Err: err}
		}
		v, err := unescape(value)
		if err != nil {
			return nil, &ParseError{Line: start, Err: err}
		}
		p.Set(k, v)
	}
}

func decodeText(data []byte) []rune {
	if utf8.Valid(data) {
		return []rune(string(data))
	}
	out := make([]rune, len(data))
	for i, b := range data {
		out[i] = rune(b)
	}
	return out
}

func isBlank(c rune) bool { return c == ' ' || c == '\t' || c == '\f' }

// lineReader yields logical lines: comments and blank lines dropped,
// continuations joined, leading blanks removed, escapes still in place.
// It follows the reader of current JDKs (9 and later); see Parse.
type lineReader struct {
	src  []rune
	pos  int
	line int
}

// advance consumes one character, or \r\n as one line terminator.
func (r *lineReader) advance() {
	switch r.src[r.pos] {
	case '\r':
		if r.pos+1 < len(r.src) && r.src[r.pos+1] == '\n' {
			r.pos++
		}
		r.line++
	case '\n':
		r.line++
	}
	r.pos++
}

func (r *lineReader) next() (logical []rune, startLine int, ok bool) {
	var buf []rune
	skipBlank := true  // skipping blanks at the start of a natural line
	joined := false    // that natural line continues the previous one
	backslash := false // the last character was an unpaired backslash
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		eol := c == '\n' || c == '\r'
		if skipBlank {
			if isBlank(c) || (eol && !joined) {
				r.advance()
				continue
			}
			skipBlank, joined = false, false
		}
		if len(buf) == 0 && (c == '#' || c == '!') {
			for r.pos < len(r.src) && r.src[r.pos] != '\n' && r.src[r.pos] != '\r' {
				r.pos++
			}
			skipBlank = true
			continue
		}
		if !eol {
			if len(buf) == 0 {
				startLine = r.line
			}
			buf = append(buf, c)
			backslash = c == '\\' && !backslash
			r.pos++
			continue
		}
		if len(buf) == 0 { // nothing but a continuation so far: a blank line
			r.advance()
			skipBlank = true
			continue
		}
		lastChar := r.pos+1 >= len(r.src)
		r.advance()
		if !backslash {
			return buf, startLine, true
		}
		buf = buf[:len(buf)-1] // the continuation backslash
		if lastChar {
			return buf, startLine, true // JDK quirk: even when now empty
		}
		backslash = false
		skipBlank, joined = true, true
	}
	if len(buf) == 0 {
		return nil, 0, false
	}
	if backslash { // a backslash right before end of input is dropped
		buf = buf[:len(buf)-1]
	}
	return buf, startLine, true
}

func splitKeyValue(line []rune) (key, value []rune) {
	keyLen, valueStart := 0, len(line)
	hasSep, backslash := false, false
	for keyLen < len(line) {
		c := line[keyLen]
		if !backslash && (c == '=' || c == ':') {
			valueStart, hasSep = keyLen+1, true
			break
		}
		if !backslash && isBlank(c) {
			valueStart = keyLen + 1
			break
		}
		backslash = c == '\\' && !backslash
		keyLen++
	}
	for valueStart < len(line) {
		c := line[valueStart]
		if !isBlank(c) {
			if hasSep || (c != '=' && c != ':') {
				break
			}
			hasSep = true
		}
		valueStart++
	}
	return line[:keyLen], line[valueStart:]
}

func unescape(in []rune) (string, error) {
	var units []uint16 // UTF-16, so that \uD83D\uDE00 pairs combine
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			units = utf16.AppendRune(units, c)
			continue
		}
		i++
		if i >= len(in) {
			break // dangling backslash: dropped, as Java's reader does
		}
		switch c = in[i]; c {
		case 't':
			units = append(units, '\t')
		case 'n':
			units = append(units, '\n')
		case 'r':
			units = append(units, '\r')
		case 'f':
			units = append(units, '\f')
		case 'u':
			if i+4 >= len(in) {
				return "", ErrMalformedEscape
			}
			var u uint16
			for _, h := range in[i+1 : i+5] {
				d, ok := hexDigit(h)
				if !ok {
					return "", ErrMalformedEscape
				}
				u = u<<4 | d
			}
			units = append(units, u)
			i += 4
		default:
			units = utf16.AppendRune(units, c)
		}
	}
	return string(utf16.Decode(units)), nil
}

func hexDigit(c rune) (uint16, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint16(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint16(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint16(c-'A') + 10, true
	}
	return 0, false
}
