package namesrv

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	jsoniter "github.com/json-iterator/go"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// Bodies a broker sends: RegisterBrokerBody (JSON or the compressed stream), a bare TopicConfigSerializeWrapper
// (request version < 37), DataVersion (QUERY_DATA_VERSION). Java: common/.../protocol/body/RegisterBrokerBody,
// TopicConfigSerializeWrapper, common/.../TopicConfig, DataVersion.

// ErrBadBody is matched by every body decoding error.
var ErrBadBody = errors.New("namesrv: malformed request body")

// DataVersion is the broker's topic-config version; Java compares timestamp and counter.
type DataVersion = fastjson.DataVersion

// TopicConfig is what namesrv needs of a broker's topic: the fields that become QueueData.
type TopicConfig struct {
	TopicName      string
	ReadQueueNums  int32
	WriteQueueNums int32
	Perm           int32
	TopicSysFlag   int32
}

// newTopicConfig has Java's TopicConfig field defaults.
func newTopicConfig() TopicConfig {
	return TopicConfig{ReadQueueNums: 16, WriteQueueNums: 16, Perm: 6}
}

// RegisterBody is a decoded RegisterBrokerBody. Topics keep the body's order. FilterServers nil means "not
// given" (old brokers), which leaves the filter-server table alone.
type RegisterBody struct {
	DataVersion   DataVersion
	Topics        []TopicConfig
	FilterServers []string
}

func bodyErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadBody}, args...)...)
}

var jsonCfg = jsoniter.Config{}.Froze()

// DecodeRegisterBody decodes a REGISTER_BROKER body of request version >= 37.
func DecodeRegisterBody(data []byte, compressed bool) (*RegisterBody, error) {
	if compressed {
		return decodeCompressedRegisterBody(data)
	}
	rb := &RegisterBody{DataVersion: DataVersion{Timestamp: time.Now().UnixMilli()}, FilterServers: []string{}}
	it := jsonCfg.BorrowIterator(data)
	defer jsonCfg.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return nil, bodyErr("RegisterBrokerBody must be a JSON object")
	}
	it.ReadMapCB(func(it *jsoniter.Iterator, field string) bool {
		switch field {
		case "topicConfigSerializeWrapper":
			if it.WhatIsNext() == jsoniter.NilValue {
				it.Skip()
				return true
			}
			readWrapper(it, rb)
		case "filterServerList":
			if it.WhatIsNext() == jsoniter.NilValue {
				it.Skip()
				rb.FilterServers = nil
				return true
			}
			rb.FilterServers = readStringList(it)
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	if err := iterDone(it); err != nil {
		return nil, err
	}
	return rb, nil
}

// DecodeTopicConfigWrapper decodes the bare TopicConfigSerializeWrapper that brokers older than 3.0.11 send.
func DecodeTopicConfigWrapper(data []byte) (*RegisterBody, error) {
	rb := &RegisterBody{DataVersion: DataVersion{Timestamp: time.Now().UnixMilli()}}
	it := jsonCfg.BorrowIterator(data)
	defer jsonCfg.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return nil, bodyErr("TopicConfigSerializeWrapper must be a JSON object")
	}
	readWrapper(it, rb)
	if err := iterDone(it); err != nil {
		return nil, err
	}
	return rb, nil
}

// DecodeDataVersion decodes a DataVersion JSON body.
func DecodeDataVersion(data []byte) (DataVersion, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return DataVersion{}, bodyErr("the DataVersion body is empty; send {\"counter\":N,\"timestamp\":T}")
	}
	it := jsonCfg.BorrowIterator(data)
	defer jsonCfg.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return DataVersion{}, bodyErr("DataVersion must be a JSON object")
	}
	dv := readDataVersion(it)
	if err := iterDone(it); err != nil {
		return DataVersion{}, err
	}
	return dv, nil
}

func iterDone(it *jsoniter.Iterator) error {
	if it.Error != nil && it.Error != io.EOF {
		return bodyErr("%v", it.Error)
	}
	return nil
}

func readWrapper(it *jsoniter.Iterator, rb *RegisterBody) {
	it.ReadMapCB(func(it *jsoniter.Iterator, field string) bool {
		switch field {
		case "dataVersion":
			if it.WhatIsNext() == jsoniter.NilValue {
				it.Skip()
				return true
			}
			rb.DataVersion = readDataVersion(it)
		case "topicConfigTable":
			if it.WhatIsNext() == jsoniter.NilValue {
				it.Skip()
				return true
			}
			it.ReadMapCB(func(it *jsoniter.Iterator, _ string) bool {
				if it.WhatIsNext() == jsoniter.NilValue {
					it.Skip()
					return true
				}
				tc := readTopicConfig(it)
				if tc.TopicName != "" {
					rb.Topics = append(rb.Topics, tc)
				}
				return it.Error == nil
			})
		default:
			it.Skip()
		}
		return it.Error == nil
	})
}

func readDataVersion(it *jsoniter.Iterator) DataVersion {
	dv := DataVersion{Timestamp: time.Now().UnixMilli()}
	it.ReadMapCB(func(it *jsoniter.Iterator, field string) bool {
		switch field {
		case "timestamp":
			dv.Timestamp = readInt64(it, field)
		case "counter":
			dv.Counter = readInt64(it, field)
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	return dv
}

func readTopicConfig(it *jsoniter.Iterator) TopicConfig {
	tc := newTopicConfig()
	it.ReadMapCB(func(it *jsoniter.Iterator, field string) bool {
		switch field {
		case "topicName":
			if it.WhatIsNext() == jsoniter.StringValue {
				tc.TopicName = it.ReadString()
			} else {
				it.Skip()
			}
		case "readQueueNums":
			tc.ReadQueueNums = int32(readInt64(it, field))
		case "writeQueueNums":
			tc.WriteQueueNums = int32(readInt64(it, field))
		case "perm":
			tc.Perm = int32(readInt64(it, field))
		case "topicSysFlag":
			tc.TopicSysFlag = int32(readInt64(it, field))
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	return tc
}

// readInt64 accepts a number or a numeric string, as fastjson does.
func readInt64(it *jsoniter.Iterator, field string) int64 {
	switch it.WhatIsNext() {
	case jsoniter.NumberValue:
		n := it.ReadNumber()
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil {
				it.ReportError("read "+field, "not a number: "+string(n))
				return 0
			}
			v = int64(f)
		}
		return v
	case jsoniter.StringValue:
		s := it.ReadString()
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			it.ReportError("read "+field, "not a number: "+strconv.Quote(s))
		}
		return v
	case jsoniter.NilValue:
		it.Skip()
		return 0
	}
	it.ReportError("read "+field, "expected a number")
	it.Skip()
	return 0
}

func readStringList(it *jsoniter.Iterator) []string {
	out := []string{}
	if it.WhatIsNext() != jsoniter.ArrayValue {
		it.ReportError("read filterServerList", "expected an array of strings")
		it.Skip()
		return out
	}
	it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
		if it.WhatIsNext() == jsoniter.StringValue {
			out = append(out, it.ReadString())
		} else {
			it.Skip()
		}
		return it.Error == nil
	})
	return out
}

// maxInflated bounds what one compressed body may expand to (a zip bomb must not exhaust memory).
const maxInflated = 64 << 20

// decodeCompressedRegisterBody reads the zlib stream: [len][DataVersion JSON] [count] count x [len]["name r w
// perm FILTER"] [len][filterServerList JSON].
func decodeCompressedRegisterBody(data []byte) (*RegisterBody, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, bodyErr("compressed RegisterBrokerBody: %v", err)
	}
	defer zr.Close()
	r := &limitedReader{r: zr, left: maxInflated}
	dvJSON, err := r.chunk("DataVersion")
	if err != nil {
		return nil, err
	}
	dv, err := DecodeDataVersion(dvJSON)
	if err != nil {
		return nil, err
	}
	n, err := r.int32("topic count")
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, bodyErr("compressed RegisterBrokerBody: negative topic count %d", n)
	}
	rb := &RegisterBody{DataVersion: dv}
	for i := int32(0); i < n; i++ {
		line, err := r.chunk("topic config")
		if err != nil {
			return nil, err
		}
		tc, err := parseTopicConfigLine(string(line))
		if err != nil {
			return nil, err
		}
		rb.Topics = append(rb.Topics, tc)
	}
	fsJSON, err := r.chunk("filterServerList")
	if err != nil {
		return nil, err
	}
	// Java logs and keeps an empty list when this part does not parse.
	rb.FilterServers = []string{}
	it := jsonCfg.BorrowIterator(fsJSON)
	if it.WhatIsNext() == jsoniter.ArrayValue {
		if l := readStringList(it); it.Error == nil || it.Error == io.EOF {
			rb.FilterServers = l
		}
	}
	jsonCfg.ReturnIterator(it)
	return rb, nil
}

// parseTopicConfigLine is TopicConfig.decode: exactly five space-separated parts.
func parseTopicConfigLine(s string) (TopicConfig, error) {
	parts := strings.Split(s, " ")
	if len(parts) != 5 {
		return TopicConfig{}, bodyErr("compressed topic config %q: want \"name readQueueNums writeQueueNums perm filterType\"", s)
	}
	tc := newTopicConfig()
	tc.TopicName = parts[0]
	nums := []*int32{&tc.ReadQueueNums, &tc.WriteQueueNums, &tc.Perm}
	for i, p := range nums {
		v, err := strconv.ParseInt(parts[i+1], 10, 32)
		if err != nil {
			return TopicConfig{}, bodyErr("compressed topic config %q: %q is not an int", s, parts[i+1])
		}
		*p = int32(v)
	}
	if parts[4] != "SINGLE_TAG" && parts[4] != "MULTI_TAG" {
		return TopicConfig{}, bodyErr("compressed topic config %q: filter type must be SINGLE_TAG or MULTI_TAG", s)
	}
	return tc, nil
}

type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) int32(what string) (int32, error) {
	var b [4]byte
	if _, err := io.ReadFull(l.r, b[:]); err != nil {
		return 0, bodyErr("compressed RegisterBrokerBody: reading %s length: %v", what, err)
	}
	return int32(binary.BigEndian.Uint32(b[:])), nil
}

func (l *limitedReader) chunk(what string) ([]byte, error) {
	n, err := l.int32(what)
	if err != nil {
		return nil, err
	}
	if n < 0 || int64(n) > l.left {
		return nil, bodyErr("compressed RegisterBrokerBody: %s length %d out of range", what, n)
	}
	l.left -= int64(n)
	buf := make([]byte, 0, min(int(n), 1<<16))
	buf, err = appendN(buf, l.r, int(n))
	if err != nil {
		return nil, bodyErr("compressed RegisterBrokerBody: reading %s: %v", what, err)
	}
	return buf, nil
}

// appendN reads exactly n bytes without trusting n for the allocation up front.
func appendN(buf []byte, r io.Reader, n int) ([]byte, error) {
	var tmp [32 << 10]byte
	for n > 0 {
		k, err := io.ReadFull(r, tmp[:min(n, len(tmp))])
		buf = append(buf, tmp[:k]...)
		n -= k
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// EncodeRegisterBody writes the RegisterBrokerBody as a Java broker does (for tests and tools).
func EncodeRegisterBody(rb *RegisterBody, compressed bool) []byte {
	if !compressed {
		w := fastjson.NewWriter(fastjson.Compact, nil)
		w.BeginObject()
		w.Key("filterServerList")
		writeStrList(w, rb.FilterServers)
		w.Key("topicConfigSerializeWrapper")
		w.BeginObject()
		w.Key("dataVersion")
		w.Raw(rb.DataVersion.AppendJSON(nil))
		w.Key("topicConfigTable")
		w.BeginObject()
		for _, tc := range rb.Topics {
			w.Key(tc.TopicName)
			w.BeginObject()
			w.Key("order")
			w.Bool(false)
			w.Key("perm")
			w.Int(int64(tc.Perm))
			w.Key("readQueueNums")
			w.Int(int64(tc.ReadQueueNums))
			w.Key("topicFilterType")
			w.String("SINGLE_TAG")
			w.Key("topicName")
			w.String(tc.TopicName)
			w.Key("topicSysFlag")
			w.Int(int64(tc.TopicSysFlag))
			w.Key("writeQueueNums")
			w.Int(int64(tc.WriteQueueNums))
			w.EndObject()
		}
		w.EndObject()
		w.EndObject()
		w.EndObject()
		return w.Bytes()
	}
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	put := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		_, _ = zw.Write(n[:])
		_, _ = zw.Write(b)
	}
	put(rb.DataVersion.AppendJSON(nil))
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(rb.Topics)))
	_, _ = zw.Write(n[:])
	for _, tc := range rb.Topics {
		put([]byte(fmt.Sprintf("%s %d %d %d SINGLE_TAG", tc.TopicName, tc.ReadQueueNums, tc.WriteQueueNums, tc.Perm)))
	}
	fs := fastjson.NewWriter(fastjson.Compact, nil)
	writeStrList(fs, rb.FilterServers)
	put(fs.Bytes())
	_ = zw.Close()
	return buf.Bytes()
}
