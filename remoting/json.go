package remoting

import (
	"errors"
	"fmt"
	"strconv"

	jsoniter "github.com/json-iterator/go"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// appendJSONHeader writes c's header the way Java 4.9.8 (fastjson) does: keys sorted, null remark and
// extFields omitted, serializeTypeCurrentRPC always "JSON", extFields values always strings and in Java's
// HashMap order.
func appendJSONHeader(dst []byte, c *Command) []byte {
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(c.Code), 10)
	if c.ExtFields != nil {
		dst = append(dst, `,"extFields":{`...)
		dst = appendSortedExt(dst, c.ExtFields)
		dst = append(dst, '}')
	} else if c.extPairs != nil {
		dst = append(dst, `,"extFields":{`...)
		for i := 0; i+1 < len(c.extPairs); i += 2 {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, c.extPairs[i])
			dst = append(dst, ':')
			dst = appendJSONString(dst, c.extPairs[i+1])
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"flag":`...)
	dst = strconv.AppendInt(dst, int64(c.Flag), 10)
	dst = append(dst, `,"language":"`...)
	dst = append(dst, c.Language.jsonName()...)
	dst = append(dst, `","opaque":`...)
	dst = strconv.AppendInt(dst, int64(c.Opaque), 10)
	if c.Remark != "" {
		dst = append(dst, `,"remark":`...)
		dst = appendJSONString(dst, c.Remark)
	}
	dst = append(dst, `,"serializeTypeCurrentRPC":"JSON","version":`...)
	dst = strconv.AppendInt(dst, int64(c.Version), 10)
	return append(dst, '}')
}

// jsonName is the name written in JSON; an out-of-range code is written as OTHER so peers can parse it.
func (l LanguageCode) jsonName() string {
	if l.Valid() {
		return languageNames[l]
	}
	return "OTHER"
}

func appendSortedExt(dst []byte, ext map[string]string) []byte {
	var small [16]string
	for i, k := range orderedKeys(ext, small[:]) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, ext[k])
	}
	return dst
}

// appendJSONString quotes s as fastjson does by default (compat/fastjson): '"' and '\\' escaped, control
// characters, U+007F..U+009F, U+2028 and U+2029 as escapes, everything else raw; invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	// Nearly every header string is printable ASCII without quotes or backslashes (names, numbers, ids):
	// copy it whole; anything else goes through the escaping writer.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7F || c == '"' || c == '\\' {
			return fastjson.AppendString(dst, s, false)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

var jsonCfg = jsoniter.Config{}.Froze()

// ErrHeader is wrapped by every header decoding error.
var ErrHeader = errors.New("remoting: malformed command header")

// decodeJSONHeader parses a JSON header in any key order. Unknown keys are skipped; language may be a name or
// a number; extFields values may be strings, numbers or booleans (kept as their text), null values are absent.
func decodeJSONHeader(data []byte, c *Command) (err error) {
	it := jsonCfg.BorrowIterator(data)
	defer jsonCfg.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return fmt.Errorf("%w: JSON header is not an object", ErrHeader)
	}
	it.ReadObjectCB(func(it *jsoniter.Iterator, key string) bool {
		switch key {
		case "code":
			c.Code = readJSONInt32(it)
		case "flag":
			c.Flag = readJSONInt32(it)
		case "opaque":
			c.Opaque = readJSONInt32(it)
		case "version":
			c.Version = readJSONInt32(it)
		case "language":
			c.Language = readJSONLanguage(it)
		case "remark":
			if it.WhatIsNext() == jsoniter.NilValue {
				it.Skip()
			} else {
				c.Remark = it.ReadString()
			}
		case "extFields":
			readJSONExt(it, c)
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	if it.Error != nil {
		return fmt.Errorf("%w: %v", ErrHeader, it.Error)
	}
	return nil
}

func readJSONInt32(it *jsoniter.Iterator) int32 {
	switch it.WhatIsNext() {
	case jsoniter.NumberValue:
		return it.ReadInt32()
	case jsoniter.NilValue:
		it.Skip()
		return 0
	case jsoniter.StringValue:
		s := it.ReadString()
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			it.ReportError("read int32", "not an int32: "+strconv.Quote(s))
		}
		return int32(n)
	default:
		it.ReportError("read int32", "expected a number")
		return 0
	}
}

func readJSONLanguage(it *jsoniter.Iterator) LanguageCode {
	switch it.WhatIsNext() {
	case jsoniter.StringValue:
		l, _ := ParseLanguage(it.ReadString())
		return l
	case jsoniter.NumberValue:
		n := it.ReadInt()
		if n < 0 || n > 255 {
			return Other
		}
		return LanguageCode(n)
	default:
		it.Skip()
		return Other
	}
}

func readJSONExt(it *jsoniter.Iterator, c *Command) {
	switch it.WhatIsNext() {
	case jsoniter.NilValue:
		it.Skip()
		return
	case jsoniter.ObjectValue:
	default:
		it.ReportError("read extFields", "expected an object")
		return
	}
	if c.ExtFields == nil {
		c.ExtFields = make(map[string]string, 8)
	}
	it.ReadMapCB(func(it *jsoniter.Iterator, k string) bool {
		switch it.WhatIsNext() {
		case jsoniter.StringValue:
			c.ExtFields[k] = it.ReadString()
		case jsoniter.NumberValue:
			c.ExtFields[k] = string(it.ReadNumber())
		case jsoniter.BoolValue:
			c.ExtFields[k] = strconv.FormatBool(it.ReadBool())
		case jsoniter.NilValue:
			it.Skip()
		default:
			it.ReportError("read extFields", "value of "+strconv.Quote(k)+" is not a string")
		}
		return it.Error == nil
	})
}
