package header

import (
	"errors"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
)

func TestParseJavaInt(t *testing.T) {
	ok := map[string]int32{
		"0":            0,
		"-0":           0,
		"+5":           5,
		"00012":        12,
		"2147483647":   2147483647,
		"-2147483648":  -2147483648,
		"\u0661\u0662": 12, // Arabic-Indic digits: Java's Character.digit accepts them
		"\uff11\uff12": 12, // fullwidth digits
		"-\u0969":      -3, // Devanagari three
	}
	for in, want := range ok {
		got, good := ParseJavaInt(in)
		require.True(t, good, "%q", in)
		require.Equal(t, want, got, "%q", in)
	}
	for _, in := range []string{
		"", "+", "-", "+-1", "--1", " 1", "1 ", "1\n", "\t1", "2147483648", "-2147483649", "99999999999999999999",
		"0x10", "1_000", "1e3", "1.0", "١a", "\U0001D7CF", // a supplementary-plane digit is two chars in Java: rejected
		"\xff", "Ⅻ", // invalid UTF-8; a letter-number is not a decimal digit
	} {
		_, good := ParseJavaInt(in)
		require.False(t, good, "%q must be rejected", in)
	}
}

func TestParseJavaLong(t *testing.T) {
	ok := map[string]int64{
		"9223372036854775807":  9223372036854775807,
		"-9223372036854775808": -9223372036854775808,
		"1700000000000":        1700000000000,
		"+0":                   0,
	}
	for in, want := range ok {
		got, good := ParseJavaLong(in)
		require.True(t, good, "%q", in)
		require.Equal(t, want, got, "%q", in)
	}
	for _, in := range []string{"9223372036854775808", "-9223372036854775809", " 5", "5L", ""} {
		_, good := ParseJavaLong(in)
		require.False(t, good, "%q must be rejected", in)
	}
}

func TestParseJavaBool(t *testing.T) {
	for _, in := range []string{"true", "TRUE", "True", "tRuE"} {
		require.True(t, ParseJavaBool(in), in)
	}
	for _, in := range []string{"", "false", "1", "yes", "t", " true", "true ", "truee", "trü"} {
		require.False(t, ParseJavaBool(in), in)
	}
}

// unicodeDigit relies on every BMP range of the Nd table starting at a zero and holding whole runs of ten.
func TestUnicodeDigitTableShape(t *testing.T) {
	for _, rg := range unicode.Nd.R16 {
		require.Equal(t, uint16(1), rg.Stride, "range %U-%U", rg.Lo, rg.Hi)
		require.Zero(t, (int(rg.Hi)-int(rg.Lo)+1)%10, "range %U-%U is not whole runs of ten", rg.Lo, rg.Hi)
	}
}

func TestFieldErrors(t *testing.T) {
	var h PullMessageRequestHeader
	err := h.Decode(map[string]string{"topic": "T"})
	require.ErrorIs(t, err, ErrMissingField)
	require.EqualError(t, err, "the custom field <consumerGroup> is null")
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "consumerGroup", fe.Field)

	err = h.Decode(pullFromJava(map[string]string{"queueOffset": "12 "}))
	require.ErrorIs(t, err, ErrMalformedField)
	require.ErrorContains(t, err, "<queueOffset>")
	require.ErrorContains(t, err, `"12 "`)
}

func TestOpt(t *testing.T) {
	var o Opt[int32]
	require.Equal(t, int32(7), o.Or(7))
	v, set := o.Get()
	require.False(t, set)
	require.Zero(t, v)
	o = Some[int32](3)
	require.Equal(t, int32(3), o.Or(7))
}
