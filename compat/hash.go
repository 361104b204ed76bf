package compat

import "unicode/utf8"

// JavaStringHashCode returns Java's String.hashCode() of s: h = 31*h + c over the UTF-16 code units of the
// string, with int32 overflow. Characters outside the BMP count as two units (a surrogate pair). Invalid UTF-8
// bytes decode to U+FFFD, which is what Java's UTF-8 decoder produces for them.
func JavaStringHashCode(s string) int32 { return JavaStringHashCodeFrom(0, s) }

// JavaStringHashCodeFrom continues a String.hashCode: JavaStringHashCodeFrom(JavaStringHashCode(a), b) is
// JavaStringHashCode(a + b) when a ends on a whole character, without building a + b.
func JavaStringHashCodeFrom(h int32, s string) int32 {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			h = 31*h + int32(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// TagsCode is the ConsumeQueue tags code of a TAGS property value: Java's String.hashCode sign-extended to
// int64; 0 for an empty tag (store.md §6).
func TagsCode(tags string) int64 {
	if tags == "" {
		return 0
	}
	return int64(JavaStringHashCode(tags))
}
