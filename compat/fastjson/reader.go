package fastjson

import (
	"errors"
	"fmt"

	jsoniter "github.com/json-iterator/go"
)

// ErrSyntax is wrapped by every error of the lenient reader.
var ErrSyntax = errors.New("fastjson: syntax error")

// maxDepth bounds nesting; config files and bodies never come close.
const maxDepth = 512

var std = jsoniter.ConfigCompatibleWithStandardLibrary

// Unmarshal decodes fastjson-dialect JSON (see Normalize) into v with json-iterator, which follows
// encoding/json's rules and struct tags.
func Unmarshal(data []byte, v any) error {
	norm, err := Normalize(data)
	if err != nil {
		return err
	}
	if err := std.Unmarshal(norm, v); err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return nil
}

func syntaxErr(pos int, format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", ErrSyntax, pos, fmt.Sprintf(format, args...))
}

// Normalize rewrites the fastjson dialect Java writes and accepts into compact standard JSON:
//   - unquoted object keys (integers such as 0 or -1, or identifiers) are quoted;
//   - single-quoted strings become double-quoted;
//   - whitespace (including a UTF-8 BOM at the start) is dropped, pretty or compact input alike;
//   - trailing commas before } or ] are dropped.
//
// Anything else that is not JSON is an error wrapping ErrSyntax, including object-valued keys
// (Map<MessageQueue,...>) and trailing data after the top-level value. Empty input is an error.
func Normalize(data []byte) ([]byte, error) {
	n := &normalizer{in: data, out: make([]byte, 0, len(data))}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		n.pos = 3
	}
	if err := n.run(); err != nil {
		return nil, err
	}
	return n.out, nil
}

type normalizer struct {
	in    []byte
	pos   int
	out   []byte
	stack []byte // '{' or '['
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\b'
}

func (n *normalizer) skipSpace() {
	for n.pos < len(n.in) && isSpace(n.in[n.pos]) {
		n.pos++
	}
}

func (n *normalizer) peek() (byte, bool) {
	n.skipSpace()
	if n.pos >= len(n.in) {
		return 0, false
	}
	return n.in[n.pos], true
}

// run is an iterative parser: a value, then for each open container the separators and members.
func (n *normalizer) run() error {
	if err := n.value(); err != nil {
		return err
	}
	for len(n.stack) > 0 {
		c, ok := n.peek()
		if !ok {
			return syntaxErr(n.pos, "unexpected end of input inside %s", kindName(n.stack[len(n.stack)-1]))
		}
		open := n.stack[len(n.stack)-1]
		closeCh := byte('}')
		if open == '[' {
			closeCh = ']'
		}
		switch c {
		case closeCh:
			n.pos++
			if last := len(n.out) - 1; n.out[last] == ',' {
				n.out = n.out[:last] // trailing comma
			}
			n.out = append(n.out, closeCh)
			n.stack = n.stack[:len(n.stack)-1]
		case ',':
			n.pos++
			if last := n.out[len(n.out)-1]; last == ',' || last == '{' || last == '[' {
				return syntaxErr(n.pos-1, "unexpected ','")
			}
			n.out = append(n.out, ',')
			if err := n.member(open, closeCh); err != nil {
				return err
			}
		default:
			return syntaxErr(n.pos, "expected ',' or %q, found %q", closeCh, c)
		}
	}
	if _, ok := n.peek(); ok {
		return syntaxErr(n.pos, "unexpected data after the top-level value")
	}
	return nil
}

func kindName(open byte) string {
	if open == '[' {
		return "array"
	}
	return "object"
}

// member parses one member after '{' or ',' unless the container closes next (trailing comma or empty).
func (n *normalizer) member(open, closeCh byte) error {
	c, ok := n.peek()
	if !ok {
		return syntaxErr(n.pos, "unexpected end of input inside %s", kindName(open))
	}
	if c == closeCh {
		return nil
	}
	if open == '{' {
		if err := n.key(); err != nil {
			return err
		}
		c, ok = n.peek()
		if !ok || c != ':' {
			return syntaxErr(n.pos, "expected ':' after an object key")
		}
		n.pos++
		n.out = append(n.out, ':')
	}
	return n.value()
}

func (n *normalizer) key() error {
	c := n.in[n.pos]
	switch {
	case c == '"' || c == '\'':
		return n.str(c)
	case c == '-' || c == '_' || c == '$' || isAlnum(c):
		start := n.pos
		for n.pos < len(n.in) && (isAlnum(n.in[n.pos]) || n.in[n.pos] == '-' || n.in[n.pos] == '_' || n.in[n.pos] == '$' || n.in[n.pos] == '.') {
			n.pos++
		}
		n.out = append(n.out, '"')
		n.out = append(n.out, n.in[start:n.pos]...)
		n.out = append(n.out, '"')
		return nil
	case c == '{' || c == '[':
		return syntaxErr(n.pos, "object or array used as a map key (Map<MessageQueue,...>) is not supported here")
	default:
		return syntaxErr(n.pos, "unexpected %q where an object key was expected", c)
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// value parses a scalar, or opens a container and its first member.
func (n *normalizer) value() error {
	c, ok := n.peek()
	if !ok {
		return syntaxErr(n.pos, "unexpected end of input, expected a value")
	}
	switch {
	case c == '{' || c == '[':
		if len(n.stack) >= maxDepth {
			return syntaxErr(n.pos, "nesting deeper than %d", maxDepth)
		}
		n.pos++
		n.out = append(n.out, c)
		n.stack = append(n.stack, c)
		closeCh := byte('}')
		if c == '[' {
			closeCh = ']'
		}
		return n.member(c, closeCh)
	case c == '"' || c == '\'':
		return n.str(c)
	case c == '-' || c >= '0' && c <= '9':
		return n.number()
	case c >= 'a' && c <= 'z':
		start := n.pos
		for n.pos < len(n.in) && n.in[n.pos] >= 'a' && n.in[n.pos] <= 'z' {
			n.pos++
		}
		word := string(n.in[start:n.pos])
		if word != "true" && word != "false" && word != "null" {
			return syntaxErr(start, "unexpected literal %q", word)
		}
		n.out = append(n.out, word...)
		return nil
	default:
		return syntaxErr(n.pos, "unexpected %q where a value was expected", c)
	}
}

func (n *normalizer) number() error {
	start := n.pos
	if n.in[n.pos] == '-' {
		n.pos++
	}
	digits := 0
	for n.pos < len(n.in) && n.in[n.pos] >= '0' && n.in[n.pos] <= '9' {
		n.pos++
		digits++
	}
	if digits == 0 || digits > 1 && n.in[n.pos-digits] == '0' {
		return syntaxErr(start, "malformed number")
	}
	if n.pos < len(n.in) && n.in[n.pos] == '.' {
		n.pos++
		d := 0
		for n.pos < len(n.in) && n.in[n.pos] >= '0' && n.in[n.pos] <= '9' {
			n.pos++
			d++
		}
		if d == 0 {
			return syntaxErr(start, "malformed number")
		}
	}
	if n.pos < len(n.in) && (n.in[n.pos] == 'e' || n.in[n.pos] == 'E') {
		n.pos++
		if n.pos < len(n.in) && (n.in[n.pos] == '+' || n.in[n.pos] == '-') {
			n.pos++
		}
		d := 0
		for n.pos < len(n.in) && n.in[n.pos] >= '0' && n.in[n.pos] <= '9' {
			n.pos++
			d++
		}
		if d == 0 {
			return syntaxErr(start, "malformed number")
		}
	}
	// Java's 'L'/'F'/'D' suffixes are not accepted: nothing RocketMQ writes uses them.
	n.out = append(n.out, n.in[start:n.pos]...)
	return nil
}

// str copies a string literal quoted with q (double or single) as a double-quoted JSON string.
func (n *normalizer) str(q byte) error {
	start := n.pos
	n.pos++
	n.out = append(n.out, '"')
	for n.pos < len(n.in) {
		c := n.in[n.pos]
		switch {
		case c == q:
			n.pos++
			n.out = append(n.out, '"')
			return nil
		case c == '\\':
			if n.pos+1 >= len(n.in) {
				return syntaxErr(start, "unterminated string")
			}
			e := n.in[n.pos+1]
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				n.out = append(n.out, '\\', e)
				n.pos += 2
			case '\'':
				n.out = append(n.out, '\'')
				n.pos += 2
			case 'u':
				if n.pos+6 > len(n.in) || !isHex4(n.in[n.pos+2:n.pos+6]) {
					return syntaxErr(n.pos, "malformed \\u escape")
				}
				n.out = append(n.out, n.in[n.pos:n.pos+6]...)
				n.pos += 6
			default:
				return syntaxErr(n.pos, "invalid escape \\%c", e)
			}
		case c == '"': // inside a single-quoted string
			n.out = append(n.out, '\\', '"')
			n.pos++
		case c < 0x20:
			// fastjson tolerates raw control characters; JSON does not: escape them.
			n.out = appendU(n.out, rune(c))
			n.pos++
		default:
			n.out = append(n.out, c)
			n.pos++
		}
	}
	return syntaxErr(start, "unterminated string")
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
