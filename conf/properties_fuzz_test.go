package conf

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseProperties(f *testing.F) {
	for _, seed := range []string{
		"brokerClusterName = DefaultCluster\nbrokerName = broker-a\n",
		"a=1\\\n  2\r\n# c\\\n!x\nk\\ ey:v\\u0041\n",
		`\u00`, "a\\", "\\", "=\n:\n \\\n", "a=\\uD83D\\uDE00", "\xff\xfe=\x80",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		for _, k := range p.Keys() {
			v, ok := p.Get(k)
			if !ok {
				t.Fatalf("key %q listed but absent", k)
			}
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 in %q=%q", k, v)
			}
		}
		// A parsed line re-rendered with escaped separators parses back to
		// the same pair when key and value hold no line breaks, blanks at the
		// ends or backslashes.
		for _, k := range p.Keys() {
			v, _ := p.Get(k)
			if strings.ContainsAny(k+v, "\\\r\n\t\f =:#!") || k == "" || v == "" {
				continue
			}
			q, err := Parse([]byte(k + "=" + v))
			if err != nil {
				t.Fatalf("re-parse %q=%q: %v", k, v, err)
			}
			if got, _ := q.Get(k); got != v {
				t.Fatalf("round trip %q=%q gave %q", k, v, got)
			}
		}
	})
}
