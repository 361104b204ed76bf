package remoting

import (
	"sync/atomic"
	"time"
)

// SerializeType selects the header encoding of a command.
type SerializeType byte

const (
	// JSON is fastjson-compatible JSON, Java's default.
	JSON SerializeType = 0
	// RocketMQ is the compact binary header (RocketMQSerializable).
	RocketMQ SerializeType = 1
)

func (s SerializeType) String() string {
	switch s {
	case JSON:
		return "JSON"
	case RocketMQ:
		return "ROCKETMQ"
	}
	return "UNKNOWN"
}

// Flag bits.
const (
	FlagResponse int32 = 1 << 0 // RPC_TYPE: set on responses
	FlagOneway   int32 = 1 << 1 // RPC_ONEWAY: the sender expects no response
)

// Version is the MQVersion ordinal rocketd puts in every command it creates (V4_9_8).
const Version int32 = 409

// Response codes the remoting layer itself produces (RemotingSysResponseCode).
const (
	codeSuccess         int32 = 0
	codeSystemError     int32 = 1
	codeSystemBusy      int32 = 2
	codeNotSupported    int32 = 3
	defaultRemarkOnNew        = "not set any response code"
	remarkOverload            = "[OVERLOAD]system busy, start flow control for a while"
	remarkRejectRequest       = "[REJECTREQUEST]system busy, start flow control for a while"
)

// Command is one RemotingCommand: a request or a response.
//
// ExtFields nil means "absent" (omitted from JSON); a non-nil empty map is written as "extFields":{}.
// Remark "" means null. Body nil or empty means no body.
type Command struct {
	Code          int32
	Language      LanguageCode
	Version       int32
	Opaque        int32
	Flag          int32
	Remark        string
	ExtFields     map[string]string
	Body          []byte
	SerializeType SerializeType

	receivedAt time.Time
	rawExt     []byte   // extFields as raw JSON, aliasing the frame (WithRawExt routes); ExtFields is nil then
	extPairs   []string // extFields as key, value, ... in wire order (SetExtPairs); ExtFields is nil then
	frame      *[]byte  // the pooled frame buffer Body and rawExt alias (WithFrameReuse routes give it back)
	recycler   Recycler // told once the command was written (SetRecycler)
	segs       [][]byte // the body as slices written from where they are (SetBodySegments); Body is nil then
	release    func()   // called once segs are written or dropped (SetBodySegments)
}

// Recycler takes a command back once a connection wrote it (a pooled response and the storage it refers to).
type Recycler interface{ Recycle() }

// SetRecycler makes the connection call r.Recycle() once c's bytes were handed to the socket. It is not called
// when c is never written (the connection closed first, or Send refused it): the garbage collector takes it
// then. Ownership: whoever passes c to Send must not touch c (nor what its fields refer to) afterwards.
func (c *Command) SetRecycler(r Recycler) { c.recycler = r }

// releaseFrame gives the request's pooled frame buffer back once its handler returned (WithFrameReuse).
// Body and the raw extFields are cleared: they pointed into the buffer.
func (c *Command) releaseFrame() {
	if c.frame == nil {
		return
	}
	p := c.frame
	c.frame, c.Body, c.rawExt = nil, nil, nil
	putFrame(p)
}

// SetExtPairs sets the extFields as key/value pairs (k1, v1, k2, v2, ...) already in the order Java writes
// them (compat.JavaHashMapOrder of the keys, in key order), so that a hot response needs no map. An empty
// non-nil slice is written as "extFields":{}. ExtFields is cleared; SetExt and Ext still work. The slice is
// not copied and must not change afterwards.
func (c *Command) SetExtPairs(kv []string) {
	c.ExtFields = nil
	c.extPairs = kv
}

// hasExt reports whether the command carries extFields in either form.
func (c *Command) hasExt() bool { return c.ExtFields != nil || c.extPairs != nil }

// pairsToMap moves extPairs into ExtFields.
func (c *Command) pairsToMap() {
	if c.extPairs == nil {
		return
	}
	m := make(map[string]string, len(c.extPairs)/2+1)
	for i := 0; i+1 < len(c.extPairs); i += 2 {
		m[c.extPairs[i]] = c.extPairs[i+1]
	}
	c.ExtFields, c.extPairs = m, nil
}

var opaqueCounter atomic.Int32

// NextOpaque returns a fresh request id from the process-wide counter (wraps like Java's).
func NextOpaque() int32 { return opaqueCounter.Add(1) }

// NewRequest builds a request with a fresh opaque, language JAVA and version 409.
func NewRequest(code int32, ext map[string]string, body []byte) *Command {
	return &Command{Code: code, Language: Java, Version: Version, Opaque: NextOpaque(), ExtFields: ext, Body: body}
}

// NewResponse builds a response to req: same opaque and serialize type, flag bit 0 set.
func NewResponse(req *Command, code int32, remark string) *Command {
	return &Command{
		Code:          code,
		Language:      Java,
		Version:       Version,
		Opaque:        req.Opaque,
		Flag:          FlagResponse,
		Remark:        remark,
		SerializeType: req.SerializeType,
	}
}

// IsResponse reports whether the response bit is set.
func (c *Command) IsResponse() bool { return c.Flag&FlagResponse != 0 }

// IsOneway reports whether the oneway bit is set.
func (c *Command) IsOneway() bool { return c.Flag&FlagOneway != 0 }

// MarkOneway sets the oneway bit.
func (c *Command) MarkOneway() { c.Flag |= FlagOneway }

// ReceivedAt is when the frame was read off the connection (zero for commands built locally).
func (c *Command) ReceivedAt() time.Time { return c.receivedAt }

// Ext returns the named extField ("" when absent).
func (c *Command) Ext(key string) string {
	if c.rawExt != nil {
		_ = c.LoadExtFields()
	}
	for i := 0; i+1 < len(c.extPairs); i += 2 {
		if c.extPairs[i] == key {
			return c.extPairs[i+1]
		}
	}
	return c.ExtFields[key]
}

// SetExt sets one extField, creating the map if needed.
func (c *Command) SetExt(key, value string) {
	if c.rawExt != nil {
		_ = c.LoadExtFields()
	}
	c.pairsToMap()
	if c.ExtFields == nil {
		c.ExtFields = make(map[string]string, 4)
	}
	c.ExtFields[key] = value
}
