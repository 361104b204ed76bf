package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	jsoniter "github.com/json-iterator/go"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// prettyRoute prints a TopicRouteData body as Java's topicRoute does (fastjson toJSONString(route, true)):
// tabs, bean fields in name order, maps (brokerAddrs, filterServerTable) with their first entry on the
// opening line and integer keys unquoted.
func prettyRoute(body []byte) (string, error) {
	norm, err := fastjson.Normalize(body)
	if err != nil {
		return "", err
	}
	var v any
	dec := jsoniter.ConfigCompatibleWithStandardLibrary.NewDecoder(bytes.NewReader(norm))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	var b strings.Builder
	writePretty(&b, v, 0, false)
	return b.String(), nil
}

var mapFields = map[string]bool{"brokerAddrs": true, "filterServerTable": true}

func writePretty(b *strings.Builder, v any, indent int, asMap bool) {
	nl := func(n int) { b.WriteByte('\n'); b.WriteString(strings.Repeat("\t", n)) }
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		if asMap {
			sort.Slice(keys, func(i, j int) bool { return numLess(keys[i], keys[j]) })
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteByte(',')
					nl(indent + 1)
				}
				if isInt(k) {
					b.WriteString(k)
				} else {
					b.WriteString(quote(k))
				}
				b.WriteByte(':')
				writePretty(b, t[k], indent+1, false)
			}
			nl(indent)
			b.WriteByte('}')
			return
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(indent + 1)
			b.WriteString(quote(k))
			b.WriteByte(':')
			writePretty(b, t[k], indent+1, mapFields[k])
		}
		nl(indent)
		b.WriteByte('}')
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(indent + 1)
			writePretty(b, e, indent+1, false)
		}
		nl(indent)
		b.WriteByte(']')
	case string:
		b.WriteString(quote(t))
	case nil:
		b.WriteString("null")
	default:
		fmt.Fprint(b, t)
	}
}

func quote(s string) string { return string(fastjson.AppendString(nil, s, false)) }

func isInt(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c >= '0' && c <= '9' || c == '-' && i == 0) {
			return false
		}
	}
	return true
}

func numLess(a, b string) bool {
	if isInt(a) && isInt(b) && len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
