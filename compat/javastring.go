package compat

import "unicode/utf8"

// JavaStringLength is Java's String.length() of s: the number of UTF-16 code units (a character outside
// the BMP counts twice; an invalid UTF-8 byte decodes to one U+FFFD). Java's size checks on topics and
// property strings count these, not bytes.
func JavaStringLength(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
