package filter

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store/commitlog"
)

func props(kv ...string) Properties {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

func TestMatches(t *testing.T) {
	p := props("a", "5", "b", "x", "f", "2.5", "t", "true", "s", "abc", "big", "3000000000", "TAGS", "TagA")
	cases := []struct {
		expr string
		want bool
	}{
		{"a = 5", true},
		{"a = '5'", true},
		{"a <> 5", false},
		{"a > 4", true},
		{"a >= 5 AND a <= 5", true},
		{"a < 5", false},
		{"a > 4.5", true},
		{"f > 2", false}, // "2.5" does not convert to the Integer 2: Java fails the evaluation
		{"f = 2.5", true},
		{"a BETWEEN 1 AND 5", true},
		{"a BETWEEN 6 AND 9", false},
		{"a NOT BETWEEN 6 AND 9", true},
		{"b IN ('x', 'y')", true},
		{"b NOT IN ('x', 'y')", false},
		{"missing IN ('x')", false},
		{"missing NOT IN ('x')", false},
		{"missing IS NULL", true},
		{"a IS NULL", false},
		{"a IS NOT NULL", true},
		{"missing = 1", false},
		{"NOT (missing = 1)", false},
		{"missing = 1 OR a = 5", true},
		{"missing = 1 AND a = 5", false},
		{"t = TRUE", true},
		{"t = FALSE", false},
		{"TRUE", true},
		{"FALSE OR TRUE", true},
		{"NOT FALSE", true},
		{"b = 'x' AND (a > 10 OR TAGS = 'TagA')", true},
		{"s > 1", false},    // 'abc' is not a number: evaluation fails, no match
		{"s = 1", false},    // same
		{"s = 'abc'", true}, // strings compare by equality
		{"big = 3000000000", true},
		{"big > 5", false},  // Integer literal: '3000000000' does not convert to Integer
		{"big > 5L", false}, // 5L fits an int, so it is an Integer too
		{"big > 2147483648", true},
		{"a = -5", false},
		{"-a = -5", false}, // negating a string property gives NULL
		{"a > -1", true},
		{"a = 5 -- comment\n", true},
		{"/* c */ a = 5", true},
		{"b = 'it''s'", false},
		{"s", false}, // a property as a condition is never TRUE
		{"a == 5", false},
		{"a = 5 b", true},         // Java ignores what follows a complete expression
		{"a = 05", false},         // 05 is 0 then 5: "a = 0"
		{"a = 5 -- no end", true}, // no line end: two minus signs, ignored
	}
	for _, c := range cases {
		e, err := Parse(c.expr)
		if c.expr == "a == 5" {
			require.Error(t, err)
			continue
		}
		require.NoError(t, err, c.expr)
		require.Equal(t, c.want, e.Matches(p), c.expr)
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		"", "a >", "a = NULL", "a <> NULL", "a IN (1)", "5 IN ('a')", "'x' > 1", "a > 'x'", "a > TRUE",
		"a BETWEEN 5 AND 1", "a BETWEEN NULL AND 1", "5", "'abc'", "(a = 5", "a = 0.0", "a = 0.",
		"a = 99999999999999999999", "a IS 5", "TRUE = 5", "a ! 5", "'unterminated", "/* open",
		"a IN ()", "a BETWEEN 1", "(a = 1) > 2",
	} {
		_, err := Parse(s)
		require.ErrorIs(t, err, ErrParse, "%q parsed", s)
	}
}

func TestDepthBound(t *testing.T) {
	s := ""
	for i := 0; i < 10000; i++ {
		s += "("
	}
	_, err := Parse(s + "a = 1")
	require.ErrorIs(t, err, ErrParse)
	s = "a = 1"
	for i := 0; i < 10000; i++ {
		s = "NOT " + s
	}
	_, err = Parse(s)
	require.ErrorIs(t, err, ErrParse)
}

func TestCacheAndRecordFilter(t *testing.T) {
	c := NewCache(2)
	e1, err := c.Compile("a = 1")
	require.NoError(t, err)
	e2, _ := c.Compile("a = 1")
	require.Same(t, e1, e2)
	_, err = c.Compile("a >")
	require.Error(t, err)
	_, err2 := c.Compile("a >")
	require.Equal(t, err, err2)
	_, _ = c.Compile("b = 1") // over the bound: cleared, still works
	e3, err := c.Compile("a = 1")
	require.NoError(t, err)

	host := netip.MustParseAddrPort("127.0.0.1:10911")
	rec, err := commitlog.Encode(nil, &commitlog.Message{Topic: "T", Body: []byte("x"), BornHost: host, StoreHost: host,
		Properties: compat.EncodeProperties(map[string]string{"a": "1"})}, commitlog.Limits{MaxMessageSize: 1 << 20})
	require.NoError(t, err)
	f := RecordFilter{Expr: e3}
	require.True(t, f.IsMatchedByConsumeQueue(42))
	require.True(t, f.IsMatchedByCommitLog(rec))
	require.False(t, f.IsMatchedByCommitLog(rec[:10]))
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a = 1", "a BETWEEN 1 AND 2 OR b IN ('x','y')", "NOT (c IS NOT NULL)", "x > 1.5E3",
		"-- c\na=.5", "/**/TRUE", "a <> 'it''s'", "a >= -3L"} {
		f.Add(s, "1")
	}
	f.Fuzz(func(t *testing.T, expr, val string) {
		e, err := Parse(expr)
		if err != nil {
			return
		}
		_ = e.Matches(props("a", val, "b", val, "c", val, "x", val))
		_ = e.String()
	})
}
