package filter

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

type kind uint8

const (
	kNull kind = iota
	kBool
	kInt    // java.lang.Integer
	kLong   // java.lang.Long
	kDouble // java.lang.Double
	kString
)

type value struct {
	kind kind
	b    bool
	i    int64
	f    float64
	s    string
}

var null = value{}

func str(s string) value       { return value{kind: kString, s: s} }
func boolean(b bool) value     { return value{kind: kBool, b: b} }
func (v value) isNumber() bool { return v.kind == kInt || v.kind == kLong || v.kind == kDouble }

func (v value) String() string {
	switch v.kind {
	case kNull:
		return "NULL"
	case kBool:
		if v.b {
			return "TRUE"
		}
		return "FALSE"
	case kInt, kLong:
		return strconv.FormatInt(v.i, 10)
	case kDouble:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	default:
		return "'" + strings.ReplaceAll(v.s, "'", "''") + "'"
	}
}

// errEval: the evaluation failed (a string that is not a number compared with a number, ...); no match.
var errEval = errors.New("filter: evaluation failed")

// Properties gives a message property by name.
type Properties func(name string) (string, bool)

type node interface {
	eval(p Properties) (value, error)
	isBool() bool
	String() string
}

type constNode struct{ v value }

func (n *constNode) eval(Properties) (value, error) { return n.v, nil }
func (n *constNode) isBool() bool                   { return n.v.kind == kBool || n.v.kind == kNull }
func (n *constNode) String() string                 { return n.v.String() }

type propNode struct{ name string }

func (n *propNode) eval(p Properties) (value, error) {
	if s, ok := p(n.name); ok {
		return str(s), nil
	}
	return null, nil
}
func (n *propNode) isBool() bool   { return false }
func (n *propNode) String() string { return n.name }

// castNode is Java's createBooleanCast: a property used as a condition is TRUE only if it is a boolean,
// which a property (a string) never is.
type castNode struct{ x node }

func (n *castNode) eval(p Properties) (value, error) {
	v, err := n.x.eval(p)
	if err != nil || v.kind == kNull {
		return null, err
	}
	if v.kind != kBool {
		return boolean(false), nil
	}
	return v, nil
}
func (n *castNode) isBool() bool   { return true }
func (n *castNode) String() string { return n.x.String() }

type negNode struct{ x node }

func (n *negNode) eval(p Properties) (value, error) {
	v, err := n.x.eval(p)
	if err != nil {
		return null, err
	}
	switch v.kind {
	case kInt:
		if v.i == math.MinInt32 {
			return v, nil // Java int negation wraps
		}
		return value{kind: kInt, i: -v.i}, nil
	case kLong:
		if v.i == math.MinInt64 {
			return v, nil
		}
		return value{kind: kLong, i: -v.i}, nil
	case kDouble:
		return value{kind: kDouble, f: -v.f}, nil
	}
	return null, nil
}
func (n *negNode) isBool() bool   { return false }
func (n *negNode) String() string { return "-" + n.x.String() }

type notNode struct{ x node }

func (n *notNode) eval(p Properties) (value, error) {
	v, err := n.x.eval(p)
	if err != nil || v.kind != kBool {
		return null, err
	}
	return boolean(!v.b), nil
}
func (n *notNode) isBool() bool   { return true }
func (n *notNode) String() string { return "NOT " + n.x.String() }

type logicNode struct {
	and  bool
	l, r node
}

func (n *logicNode) eval(p Properties) (value, error) {
	lv, err := n.l.eval(p)
	if err != nil {
		return null, err
	}
	if lv.kind == kBool && lv.b != n.and {
		return boolean(!n.and), nil // FALSE for AND, TRUE for OR
	}
	rv, err := n.r.eval(p)
	if err != nil {
		return null, err
	}
	if rv.kind == kBool && rv.b != n.and {
		return boolean(!n.and), nil
	}
	if lv.kind != kBool || rv.kind != kBool {
		return null, nil
	}
	return boolean(n.and), nil
}
func (n *logicNode) isBool() bool { return true }
func (n *logicNode) String() string {
	op := " OR "
	if n.and {
		op = " AND "
	}
	return "(" + n.l.String() + op + n.r.String() + ")"
}

type eqNode struct{ l, r node }

func (n *eqNode) eval(p Properties) (value, error) {
	lv, err := n.l.eval(p)
	if err != nil {
		return null, err
	}
	rv, err := n.r.eval(p)
	if err != nil {
		return null, err
	}
	if (lv.kind == kNull) != (rv.kind == kNull) {
		if lv.kind == kNull {
			return null, nil
		}
		return boolean(false), nil
	}
	if lv.kind == kNull || lv == rv {
		return boolean(true), nil
	}
	c, err := compareValues(lv, rv)
	if err != nil {
		return null, err
	}
	return boolean(c == 0), nil
}
func (n *eqNode) isBool() bool   { return true }
func (n *eqNode) String() string { return n.l.String() + " = " + n.r.String() }

type lessNode struct {
	op   string
	l, r node
}

func (n *lessNode) eval(p Properties) (value, error) {
	lv, err := n.l.eval(p)
	if err != nil || lv.kind == kNull {
		return null, err
	}
	rv, err := n.r.eval(p)
	if err != nil || rv.kind == kNull {
		return null, err
	}
	var c int
	if lv.kind == kString && rv.kind == kString {
		// Strings are compared as doubles when both parse, otherwise it is an error.
		a, err1 := javaDouble(lv.s)
		b, err2 := javaDouble(rv.s)
		if err1 != nil || err2 != nil {
			return null, fmt.Errorf("%w: it's illegal to compare string by '>=', '>', '<', '<='", errEval)
		}
		c = cmpFloat(a, b)
	} else if c, err = compareValues(lv, rv); err != nil {
		return null, err
	}
	switch n.op {
	case ">":
		return boolean(c > 0), nil
	case ">=":
		return boolean(c >= 0), nil
	case "<":
		return boolean(c < 0), nil
	default:
		return boolean(c <= 0), nil
	}
}
func (n *lessNode) isBool() bool   { return true }
func (n *lessNode) String() string { return n.l.String() + " " + n.op + " " + n.r.String() }

type inNode struct {
	prop *propNode
	set  map[string]struct{}
	not  bool
}

func (n *inNode) eval(p Properties) (value, error) {
	v, _ := n.prop.eval(p)
	if v.kind != kString {
		return null, nil
	}
	_, ok := n.set[v.s]
	return boolean(ok != n.not), nil
}
func (n *inNode) isBool() bool { return true }
func (n *inNode) String() string {
	op := " IN "
	if n.not {
		op = " NOT IN "
	}
	return n.prop.String() + op + "(...)"
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat is Double.compareTo: NaN is greater than everything and equal to itself; -0.0 < 0.0.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	sa, sb := math.Signbit(a), math.Signbit(b)
	switch {
	case sa && !sb:
		return -1
	case !sa && sb:
		return 1
	}
	return 0
}

// javaDouble is Double.valueOf for the forms that matter: surrounding whitespace trimmed, an optional
// trailing d/D/f/F, decimal and exponent notation, NaN and Infinity.
func javaDouble(s string) (float64, error) {
	t := strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if n := len(t); n > 0 && strings.ContainsRune("dDfF", rune(t[n-1])) && t != "Infinity" {
		t = t[:n-1]
	}
	switch t {
	case "NaN", "+NaN", "-NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	if t == "" || strings.ContainsAny(t, "xXpP_iInN") {
		return 0, errEval
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errEval
	}
	return f, nil
}

// javaInt parses like Integer.valueOf / Long.valueOf (sign allowed, no spaces).
func javaInt(s string, bits int) (int64, error) {
	if s == "" || strings.ContainsRune(s, '_') {
		return 0, errEval
	}
	n, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return 0, errEval
	}
	return n, nil
}

// compareValues is Java's ComparisonExpression.__compare with convertStringExpressions on: values of
// different types are converted up (Integer -> Long -> Double; a string to the other side's type); pairs
// that cannot be converted compare as -1 (never equal); a string that does not convert is an error.
func compareValues(l, r value) (int, error) {
	if l.kind == r.kind {
		switch l.kind {
		case kBool:
			switch {
			case l.b == r.b:
				return 0, nil
			case !l.b:
				return -1, nil
			}
			return 1, nil
		case kInt, kLong:
			return cmpInt(l.i, r.i), nil
		case kDouble:
			return cmpFloat(l.f, r.f), nil
		case kString:
			return strings.Compare(javaUTF16Order(l.s), javaUTF16Order(r.s)), nil
		}
		return 0, nil
	}
	switch l.kind {
	case kBool:
		if r.kind == kString {
			return compareValues(l, boolean(strings.EqualFold(r.s, "true")))
		}
		return -1, nil
	case kInt:
		switch r.kind {
		case kLong:
			return cmpInt(l.i, r.i), nil
		case kDouble:
			return cmpFloat(float64(l.i), r.f), nil
		case kString:
			n, err := javaInt(r.s, 32)
			if err != nil {
				return 0, err
			}
			return cmpInt(l.i, n), nil
		}
	case kLong:
		switch r.kind {
		case kInt:
			return cmpInt(l.i, r.i), nil
		case kDouble:
			return cmpFloat(float64(l.i), r.f), nil
		case kString:
			n, err := javaInt(r.s, 64)
			if err != nil {
				return 0, err
			}
			return cmpInt(l.i, n), nil
		}
	case kDouble:
		switch r.kind {
		case kInt, kLong:
			return cmpFloat(l.f, float64(r.i)), nil
		case kString:
			f, err := javaDouble(r.s)
			if err != nil {
				return 0, err
			}
			return cmpFloat(l.f, f), nil
		}
	case kString:
		switch r.kind {
		case kBool:
			return compareValues(boolean(strings.EqualFold(l.s, "true")), r)
		case kInt, kLong:
			bits := 32
			if r.kind == kLong {
				bits = 64
			}
			n, err := javaInt(l.s, bits)
			if err != nil {
				return 0, err
			}
			return cmpInt(n, r.i), nil
		case kDouble:
			f, err := javaDouble(l.s)
			if err != nil {
				return 0, err
			}
			return cmpFloat(f, r.f), nil
		}
	}
	return -1, nil
}

// javaUTF16Order returns s unchanged: for equality (the only string comparison reachable) byte order and
// UTF-16 order agree.
func javaUTF16Order(s string) string { return s }

// Matches evaluates the expression over props; only TRUE matches, and a failed evaluation does not.
func (e *Expression) Matches(props Properties) bool {
	v, err := e.root.eval(props)
	return err == nil && v.kind == kBool && v.b
}
