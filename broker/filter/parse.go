// Package filter is RocketMQ's SQL92 message selector: the grammar of the 4.9.8 filter module (an ActiveMQ
// JMS-selector derivative) over message properties, with its typing and three-valued logic.
//
// Grammar (keywords and identifiers are case-insensitive):
//
//	expr       = and { OR and }
//	and        = equality { AND equality }
//	equality   = comparison { ("=" | "<>") comparison | IS [NOT] NULL }
//	comparison = unary { (">" | ">=" | "<" | "<=") unary | [NOT] BETWEEN unary AND unary
//	                   | [NOT] IN "(" string { "," string } ")" }
//	unary      = "+" unary | "-" unary | NOT unary | primary
//	primary    = literal | identifier | "(" expr ")"
//	literal    = 'string' ('' escapes a quote) | decimal [L] | float | TRUE | FALSE | NULL
//	identifier = [a-zA-Z_$][a-zA-Z0-9_$]*
//
// Comments (-- to end of line, /* */) are skipped. Parse-time checks follow Java: constants compared with
// > >= < <= must be numbers, NULL cannot be compared with = or <>, IN needs a property on its left, BETWEEN
// constants must be non-null and ordered, a float literal must be >= Double.MIN_VALUE (so 0.0 is refused, as
// in Java), a decimal literal must fit in a long, and the whole expression must be boolean (or a property).
// As in Java (whose grammar has no <EOF>), text after a complete expression is ignored once its first token
// is valid: "a = 05" is "a = 0" (05 lexes as 0 then 5), "a = 1 b" is "a = 1" (proven against 4.9.8).
//
// Evaluation: a property is its string value or NULL when absent. Comparing a string with a number converts
// the string to that number's type (Integer, Long or Double); a failed conversion makes the whole evaluation
// fail, which the broker treats as "no match" (Java logs and does not deliver). Two strings compared with
// > >= < <= are compared as doubles when both parse, otherwise the evaluation fails. Unknown / NULL
// operands give NULL, and a message matches only when the result is TRUE.
package filter

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrParse is wrapped by every parse error.
var ErrParse = errors.New("filter: invalid SQL92 expression")

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tDecimal
	tFloat
	tOp // = <> > >= < <= ( ) , + -
	tNot
	tAnd
	tOr
	tBetween
	tIn
	tTrue
	tFalse
	tNull
	tIs
	tError // a lexical error (text is the message)
)

type token struct {
	kind tokKind
	text string
	pos  int
	err  error // tError only
}

var keywords = map[string]tokKind{
	"NOT": tNot, "AND": tAnd, "OR": tOr, "BETWEEN": tBetween, "IN": tIn,
	"TRUE": tTrue, "FALSE": tFalse, "NULL": tNull, "IS": tIs,
}

func perr(pos int, format string, args ...any) error {
	return fmt.Errorf("%w at %d: %s", ErrParse, pos, fmt.Sprintf(format, args...))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIDStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}
func isIDPart(c byte) bool { return isIDStart(c) || isDigit(c) }

// lex tokenizes s. Like JavaCC's lazy token manager, a lexical error only matters if the parser reaches it:
// it ends the token list as a tError token.
func lex(s string) []token {
	out, err := lexAll(s)
	if err != nil {
		return append(out, token{kind: tError, text: err.Error(), pos: len(s), err: err})
	}
	return out
}

func lexAll(s string) (out []token, _ error) {
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			j := i + 2
			for j < len(s) && s[j] != '\n' && s[j] != '\r' {
				j++
			}
			if j >= len(s) {
				// Java's LINE_COMMENT needs a line end; without one, "--" is two minus signs.
				out = append(out, token{kind: tOp, text: "-", pos: i})
				i++
				continue
			}
			i = j
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return out, perr(i, "unterminated comment")
			}
			i += 2 + end + 2
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return out, perr(i, "unterminated string literal")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, token{kind: tString, text: b.String(), pos: i})
			i = j + 1
		case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
			t, n, err := lexNumber(s, i)
			if err != nil {
				return out, err
			}
			out = append(out, t)
			i += n
		case isIDStart(c):
			j := i + 1
			for j < len(s) && isIDPart(s[j]) {
				j++
			}
			w := s[i:j]
			if k, ok := keywords[strings.ToUpper(w)]; ok {
				out = append(out, token{kind: k, text: w, pos: i})
			} else {
				out = append(out, token{kind: tIdent, text: w, pos: i})
			}
			i = j
		case c == '<':
			if i+1 < len(s) && (s[i+1] == '>' || s[i+1] == '=') {
				out = append(out, token{kind: tOp, text: s[i : i+2], pos: i})
				i += 2
			} else {
				out = append(out, token{kind: tOp, text: "<", pos: i})
				i++
			}
		case c == '>':
			if i+1 < len(s) && s[i+1] == '=' {
				out = append(out, token{kind: tOp, text: ">=", pos: i})
				i += 2
			} else {
				out = append(out, token{kind: tOp, text: ">", pos: i})
				i++
			}
		case strings.IndexByte("=(),+-", c) >= 0:
			out = append(out, token{kind: tOp, text: string(c), pos: i})
			i++
		default:
			return out, perr(i, "unexpected character %q", c)
		}
	}
	return append(out, token{kind: tEOF, text: "", pos: len(s)}), nil
}

// lexNumber reads a DECIMAL_LITERAL ("0" | [1-9][0-9]* [lL]?) or FLOATING_POINT_LITERAL at s[i:].
func lexNumber(s string, i int) (token, int, error) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	intPart := s[i:j]
	isFloat := false
	if j < len(s) && s[j] == '.' {
		isFloat = true
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			isFloat = true
			j = k
		}
	}
	if isFloat {
		return token{kind: tFloat, text: s[i:j], pos: i}, j - i, nil
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		// DECIMAL_LITERAL is "0" or starts with 1-9: "05" is the literal 0 followed by the literal 5.
		return token{kind: tDecimal, text: "0", pos: i}, 1, nil
	}
	if j < len(s) && (s[j] == 'l' || s[j] == 'L') {
		j++
	}
	return token{kind: tDecimal, text: s[i:j], pos: i}, j - i, nil
}

type parser struct {
	toks []token
	p    int
}

func (p *parser) peek() token { return p.toks[p.p] }
func (p *parser) peekAt(n int) token {
	if p.p+n < len(p.toks) {
		return p.toks[p.p+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.p]
	if t.kind != tEOF && t.kind != tError {
		p.p++
	}
	return t
}
func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == op
}
func (p *parser) expectOp(op string) error {
	if !p.isOp(op) {
		t := p.peek()
		return perr(t.pos, "expected %q, found %q", op, t.text)
	}
	p.p++
	return nil
}

// Expression is a compiled selector.
type Expression struct {
	root node
	src  string
}

// String is the source text.
func (e *Expression) String() string { return e.src }

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

// Parse compiles a SQL92 selector.
func Parse(src string) (*Expression, error) {
	p := &parser{toks: lex(src)}
	n, err := p.orExpr(0)
	if err != nil {
		return nil, err
	}
	// Java's grammar has no <EOF> after the expression: what follows it is ignored, once its first token
	// (which the parser looked at) is a valid token.
	if t := p.peek(); t.kind == tError {
		return nil, t.err
	}
	b, err := asBoolean(n, 0)
	if err != nil {
		return nil, err
	}
	return &Expression{root: b, src: src}, nil
}

// asBoolean is Java's asBooleanExpression: boolean expressions pass, a property is cast, anything else is
// refused.
func asBoolean(n node, pos int) (node, error) {
	if n.isBool() {
		return n, nil
	}
	if _, ok := n.(*propNode); ok {
		return &castNode{x: n}, nil
	}
	return nil, perr(pos, "expression will not result in a boolean value: %s", n)
}

func (p *parser) orExpr(d int) (node, error) {
	if d > maxDepth {
		return nil, perr(p.peek().pos, "expression nested too deeply")
	}
	return p.logic(d, tOr, false, p.andExpr)
}

func (p *parser) andExpr(d int) (node, error) { return p.logic(d, tAnd, true, p.equality) }

// logic parses operand (tok operand)*, left-associative, into AND or OR nodes over boolean operands.
func (p *parser) logic(d int, tok tokKind, and bool, operand func(int) (node, error)) (node, error) {
	l, err := operand(d)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tok {
		pos := p.next().pos
		r, err := operand(d)
		if err != nil {
			return nil, err
		}
		lb, err := asBoolean(l, pos)
		if err != nil {
			return nil, err
		}
		rb, err := asBoolean(r, pos)
		if err != nil {
			return nil, err
		}
		l = &logicNode{and: and, l: lb, r: rb}
	}
	return l, nil
}

func (p *parser) equality(d int) (node, error) {
	l, err := p.comparison(d)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tOp && (t.text == "=" || t.text == "<>"):
			p.next()
			r, err := p.comparison(d)
			if err != nil {
				return nil, err
			}
			if err := checkEqualOperands(l, r, t.pos); err != nil {
				return nil, err
			}
			var n node = &eqNode{l: l, r: r}
			if t.text == "<>" {
				n = &notNode{x: n}
			}
			l = n
		case t.kind == tIs && p.peekAt(1).kind == tNull:
			p.next()
			p.next()
			l = &eqNode{l: l, r: &constNode{v: null}}
		case t.kind == tIs && p.peekAt(1).kind == tNot && p.peekAt(2).kind == tNull:
			p.next()
			p.next()
			p.next()
			l = &notNode{x: &eqNode{l: l, r: &constNode{v: null}}}
		case t.kind == tIs:
			return nil, perr(t.pos, "IS must be followed by NULL or NOT NULL")
		default:
			return l, nil
		}
	}
}

func (p *parser) comparison(d int) (node, error) {
	l, err := p.unary(d)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tOp && (t.text == ">" || t.text == ">=" || t.text == "<" || t.text == "<="):
			p.next()
			r, err := p.unary(d)
			if err != nil {
				return nil, err
			}
			if l, err = newLess(t.text, l, r, t.pos); err != nil {
				return nil, err
			}
		case t.kind == tBetween:
			p.next()
			if l, err = p.between(d, l, false, t.pos); err != nil {
				return nil, err
			}
		case t.kind == tNot && p.peekAt(1).kind == tBetween:
			p.next()
			p.next()
			if l, err = p.between(d, l, true, t.pos); err != nil {
				return nil, err
			}
		case t.kind == tIn:
			p.next()
			if l, err = p.in(l, false, t.pos); err != nil {
				return nil, err
			}
		case t.kind == tNot && p.peekAt(1).kind == tIn:
			p.next()
			p.next()
			if l, err = p.in(l, true, t.pos); err != nil {
				return nil, err
			}
		default:
			return l, nil
		}
	}
}

func (p *parser) between(d int, v node, not bool, pos int) (node, error) {
	lo, err := p.unary(d)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tAnd {
		return nil, perr(p.peek().pos, "BETWEEN needs AND")
	}
	p.next()
	hi, err := p.unary(d)
	if err != nil {
		return nil, err
	}
	if not {
		a, err := newLess("<", v, lo, pos)
		if err != nil {
			return nil, err
		}
		b, err := newLess(">", v, hi, pos)
		if err != nil {
			return nil, err
		}
		return &logicNode{and: false, l: a, r: b}, nil
	}
	lc, lok := lo.(*constNode)
	hc, hok := hi.(*constNode)
	if lok && hok {
		if lc.v.kind == kNull || hc.v.kind == kNull {
			return nil, perr(pos, "illegal values of between, values can not be null")
		}
		if c, err := compareValues(hc.v, lc.v); err == nil && c < 0 {
			return nil, perr(pos, "illegal values of between, left value(%s) must less than or equal to right value(%s)", lc.v, hc.v)
		}
	}
	a, err := newLess(">=", v, lo, pos)
	if err != nil {
		return nil, err
	}
	b, err := newLess("<=", v, hi, pos)
	if err != nil {
		return nil, err
	}
	return &logicNode{and: true, l: a, r: b}, nil
}

func (p *parser) in(v node, not bool, pos int) (node, error) {
	prop, ok := v.(*propNode)
	if !ok {
		return nil, perr(pos, "expected a property for In expression, got: %s", v)
	}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	set := map[string]struct{}{}
	for {
		t := p.next()
		if t.kind != tString {
			return nil, perr(t.pos, "IN list needs string literals, found %q", t.text)
		}
		set[t.text] = struct{}{}
		if p.isOp(",") {
			p.next()
			continue
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		break
	}
	return &inNode{prop: prop, set: set, not: not}, nil
}

func (p *parser) unary(d int) (node, error) {
	if d > maxDepth {
		return nil, perr(p.peek().pos, "expression nested too deeply")
	}
	t := p.peek()
	switch {
	case t.kind == tOp && t.text == "+":
		p.next()
		return p.unary(d + 1)
	case t.kind == tOp && t.text == "-":
		p.next()
		x, err := p.unary(d + 1)
		if err != nil {
			return nil, err
		}
		return &negNode{x: x}, nil
	case t.kind == tNot:
		p.next()
		x, err := p.unary(d + 1)
		if err != nil {
			return nil, err
		}
		b, err := asBoolean(x, t.pos)
		if err != nil {
			return nil, err
		}
		return &notNode{x: b}, nil
	}
	return p.primary(d)
}

func (p *parser) primary(d int) (node, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return &constNode{v: str(t.text)}, nil
	case tDecimal:
		txt := strings.TrimRight(t.text, "lL")
		n, err := strconv.ParseInt(txt, 10, 64)
		if err != nil {
			return nil, perr(t.pos, "decimal literal %s out of the long range", t.text)
		}
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			return &constNode{v: value{kind: kInt, i: n}}, nil
		}
		return &constNode{v: value{kind: kLong, i: n}}, nil
	case tFloat:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, perr(t.pos, "bad float literal %s", t.text)
		}
		if f > math.MaxFloat64 {
			return nil, perr(t.pos, "%s is greater than %v", t.text, math.MaxFloat64)
		}
		if f < math.SmallestNonzeroFloat64 {
			return nil, perr(t.pos, "%s is less than %v", t.text, math.SmallestNonzeroFloat64)
		}
		return &constNode{v: value{kind: kDouble, f: f}}, nil
	case tTrue:
		return &constNode{v: boolean(true)}, nil
	case tFalse:
		return &constNode{v: boolean(false)}, nil
	case tNull:
		return &constNode{v: null}, nil
	case tIdent:
		return &propNode{name: t.text}, nil
	case tOp:
		if t.text == "(" {
			n, err := p.orExpr(d + 1)
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	switch t.kind {
	case tEOF:
		return nil, perr(t.pos, "unexpected end of expression")
	case tError:
		return nil, t.err
	}
	return nil, perr(t.pos, "unexpected %q", t.text)
}

// checkEqualOperands: NULL cannot be compared with = / <>; a boolean constant on the left needs one on the
// right when both are constants.
func checkEqualOperands(l, r node, pos int) error {
	for _, n := range []node{l, r} {
		if c, ok := n.(*constNode); ok && c.v.kind == kNull {
			return perr(pos, "'NULL' cannot be compared")
		}
	}
	lc, lok := l.(*constNode)
	rc, rok := r.(*constNode)
	if lok && rok && lc.v.kind == kBool && rc.v.kind != kBool {
		return perr(pos, "'%s' cannot be compared with '%s'", lc.v, rc.v)
	}
	return nil
}

// newLess builds > >= < <=; constants must be numbers and boolean expressions cannot be compared.
func newLess(op string, l, r node, pos int) (node, error) {
	for _, n := range []node{l, r} {
		if c, ok := n.(*constNode); ok {
			if !c.v.isNumber() {
				return nil, perr(pos, "value '%s' cannot be compared", c.v)
			}
			continue
		}
		if n.isBool() {
			return nil, perr(pos, "value '%s' cannot be compared", n)
		}
	}
	return &lessNode{op: op, l: l, r: r}, nil
}
