package conf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func parseMap(t *testing.T, src string) map[string]string {
	t.Helper()
	p, err := Parse([]byte(src))
	require.NoError(t, err)
	m := map[string]string{}
	for _, k := range p.Keys() {
		m[k], _ = p.Get(k)
	}
	return m
}

func TestParseSeparatorsAndBlanks(t *testing.T) {
	got := parseMap(t, "a=1\nb:2\nc 3\n  d\t=\t4\ne   :5\nf = = 6\ng\n h=\n i  \f j k \n")
	require.Equal(t, map[string]string{
		"a": "1",
		"b": "2",
		"c": "3",
		"d": "4",
		"e": "5",
		"f": "= 6", // only one separator is consumed
		"g": "",
		"h": "",
		"i": "j k ", // trailing blanks belong to the value
	}, got)
}

func TestParseComments(t *testing.T) {
	got := parseMap(t, "# comment\n! also comment\n   # indented comment\na=1 # not a comment\n#x=1\\\nb=2\n")
	// A comment ending in a backslash does not swallow the next line.
	require.Equal(t, map[string]string{"a": "1 # not a comment", "b": "2"}, got)
}

func TestParseContinuation(t *testing.T) {
	got := parseMap(t, "a=one \\\n    two\\\n\tthree\nb=x\\\\\nc=y\\\\\\\n  z\nd=last\\")
	require.Equal(t, map[string]string{
		"a": "one twothree",
		"b": `x\`, // even number of backslashes: no continuation
		"c": `y\z`,
		"d": "last", // backslash at end of input is dropped
	}, got)
}

func TestParseContinuationIntoEmptyLineEndsValue(t *testing.T) {
	got := parseMap(t, "a=1\\\n\nb=2")
	require.Equal(t, map[string]string{"a": "1", "b": "2"}, got)
}

func TestParseLineEndings(t *testing.T) {
	got := parseMap(t, "a=1\r\nb=2\rc=3\\\r\n  4\r\n")
	require.Equal(t, map[string]string{"a": "1", "b": "2", "c": "34"}, got)
}

func TestParseEscapes(t *testing.T) {
	got := parseMap(t, `k\ ey\=x\:y=v\t\n\r\f\\\u0041\u00e9\uD83D\uDE00\q\#`+"\n"+`\#notcomment=1`)
	require.Equal(t, map[string]string{
		"k ey=x:y":    "v\t\n\r\f\\Aé😀q#",
		"#notcomment": "1",
	}, got)
}

func TestParseMalformedUnicodeEscape(t *testing.T) {
	for _, src := range []string{`a=\u12`, `a=\u12G4`, "x=1\n\nb\\u00=2"} {
		_, err := Parse([]byte(src))
		require.ErrorIs(t, err, ErrMalformedEscape, src)
	}
	_, err := Parse([]byte("x=1\n\nb=\\uZZZZ"))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 3, pe.Line)
}

func TestParseDuplicateKeysKeepFirstPositionLastValue(t *testing.T) {
	p, err := Parse([]byte("b=1\na=2\nb=3\n"))
	require.NoError(t, err)
	require.Equal(t, []string{"b", "a"}, p.Keys())
	v, ok := p.Get("b")
	require.True(t, ok)
	require.Equal(t, "3", v)
	require.Equal(t, "b=3\na=2\n", p.String())
}

func TestParseEncoding(t *testing.T) {
	// Valid UTF-8 is read as UTF-8.
	require.Equal(t, map[string]string{"name": "café"}, parseMap(t, "name=café"))
	// Anything else is ISO-8859-1, byte per character, as Java reads it.
	require.Equal(t, map[string]string{"name": "caf\u00e9"}, parseMap(t, "name=caf\xe9"))
}

func TestParseEmpty(t *testing.T) {
	for _, src := range []string{"", "\n\n", "   ", "# only\n"} {
		p, err := Parse([]byte(src))
		require.NoError(t, err)
		require.Zero(t, p.Len())
	}
}

func TestLoadPropertiesMissingFile(t *testing.T) {
	_, err := LoadProperties(filepath.Join(t.TempDir(), "nope.conf"))
	require.ErrorIs(t, err, os.ErrNotExist)
	require.Contains(t, err.Error(), "-c")
}

// Quirks of the JDK reader found by differential testing against OpenJDK 17.
func TestParseLoneContinuationQuirks(t *testing.T) {
	// After a line that is only a backslash the logical line is still empty,
	// so a '#' that follows starts a comment.
	require.Equal(t, map[string]string{"a": ""}, parseMap(t, " \\\n#4\f=\ra\f\r"))
	// A logical line that ends up empty is a blank line, not an empty key.
	require.Equal(t, map[string]string{"k": "v"}, parseMap(t, "k=v\r\n\\\r\n\r\n"))
	// ...except when the backslash line ends the input.
	require.Equal(t, map[string]string{"k": "v", "": ""}, parseMap(t, "k=v\n\\\n"))
}
