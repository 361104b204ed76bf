package admin

import (
	"errors"
	"fmt"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// Java bodies are fastjson: unquoted integer keys ({0:"addr"}) and maps keyed by objects
// (Map<MessageQueue, ...> as {{"brokerName":"b","queueId":0,"topic":"T"}:{...}}). decode turns every
// object-keyed map into an array of {"k":key,"v":value} pairs (type Pair), then reads the rest with the
// lenient fastjson reader.

// Pair is one entry of a map keyed by an object.
type Pair[K, V any] struct {
	K K `json:"k"`
	V V `json:"v"`
}

var errBody = errors.New("admin: malformed response body")

func decode(body []byte, v any) error {
	if len(body) == 0 {
		return fmt.Errorf("%w: empty", errBody)
	}
	p := &keyRewriter{in: body, out: make([]byte, 0, len(body)+64)}
	if err := p.value(0); err != nil {
		return err
	}
	if err := fastjson.Unmarshal(p.out, v); err != nil {
		return fmt.Errorf("%w: %v", errBody, err)
	}
	return nil
}

type keyRewriter struct {
	in  []byte
	pos int
	out []byte
}

func (p *keyRewriter) ws() {
	for p.pos < len(p.in) && (p.in[p.pos] == ' ' || p.in[p.pos] == '\t' || p.in[p.pos] == '\n' || p.in[p.pos] == '\r') {
		p.pos++
	}
}

func (p *keyRewriter) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", errBody, what, p.pos)
}

// value copies one value, rewriting object-keyed maps inside it.
func (p *keyRewriter) value(depth int) error {
	if depth > 256 {
		return p.fail("nesting too deep")
	}
	p.ws()
	if p.pos >= len(p.in) {
		return p.fail("unexpected end")
	}
	switch c := p.in[p.pos]; c {
	case '"', '\'':
		return p.str()
	case '[':
		p.out = append(p.out, '[')
		p.pos++
		for {
			p.ws()
			if p.pos < len(p.in) && p.in[p.pos] == ']' {
				p.pos++
				p.out = append(p.out, ']')
				return nil
			}
			if err := p.value(depth + 1); err != nil {
				return err
			}
			p.ws()
			if p.pos < len(p.in) && p.in[p.pos] == ',' {
				p.pos++
				p.out = append(p.out, ',')
			}
			if p.pos >= len(p.in) {
				return p.fail("unterminated array")
			}
		}
	case '{':
		p.pos++
		save := p.pos
		p.ws()
		objectKeys := p.pos < len(p.in) && p.in[p.pos] == '{'
		p.pos = save
		if objectKeys {
			p.out = append(p.out, '[')
		} else {
			p.out = append(p.out, '{')
		}
		for n := 0; ; n++ {
			p.ws()
			if p.pos < len(p.in) && p.in[p.pos] == '}' {
				p.pos++
				if objectKeys {
					p.out = append(p.out, ']')
				} else {
					p.out = append(p.out, '}')
				}
				return nil
			}
			if objectKeys {
				p.out = append(p.out, `{"k":`...)
				if err := p.value(depth + 1); err != nil {
					return err
				}
			} else if err := p.key(); err != nil {
				return err
			}
			p.ws()
			if p.pos >= len(p.in) || p.in[p.pos] != ':' {
				return p.fail("':' expected")
			}
			p.pos++
			if objectKeys {
				p.out = append(p.out, `,"v":`...)
			} else {
				p.out = append(p.out, ':')
			}
			if err := p.value(depth + 1); err != nil {
				return err
			}
			if objectKeys {
				p.out = append(p.out, '}')
			}
			p.ws()
			if p.pos < len(p.in) && p.in[p.pos] == ',' {
				p.pos++
				p.out = append(p.out, ',')
			}
			if p.pos >= len(p.in) {
				return p.fail("unterminated object")
			}
		}
	default:
		start := p.pos
		for p.pos < len(p.in) && !isDelim(p.in[p.pos]) {
			p.pos++
		}
		if p.pos == start {
			return p.fail(fmt.Sprintf("unexpected %q", c))
		}
		p.out = append(p.out, p.in[start:p.pos]...)
		return nil
	}
}

func isDelim(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// key copies a plain key (quoted or not).
func (p *keyRewriter) key() error {
	if p.pos >= len(p.in) {
		return p.fail("unterminated object")
	}
	if p.in[p.pos] == '"' || p.in[p.pos] == '\'' {
		return p.str()
	}
	start := p.pos
	for p.pos < len(p.in) && !isDelim(p.in[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return p.fail("key expected")
	}
	p.out = append(p.out, p.in[start:p.pos]...)
	return nil
}

// str copies a string literal with its quotes.
func (p *keyRewriter) str() error {
	q := p.in[p.pos]
	start := p.pos
	p.pos++
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case '\\':
			p.pos += 2
			continue
		case q:
			p.pos++
			p.out = append(p.out, p.in[start:p.pos]...)
			return nil
		}
		p.pos++
	}
	return p.fail("unterminated string")
}

// Pairs is an object-keyed map decoded as pairs; an empty map ({}) decodes as no pairs.
type Pairs[K, V any] []Pair[K, V]

// UnmarshalJSON accepts the pair array decode makes and an empty object.
func (p *Pairs[K, V]) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		*p = nil
		return nil
	}
	var s []Pair[K, V]
	if err := jsonAPI.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = s
	return nil
}
