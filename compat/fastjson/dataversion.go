package fastjson

import (
	"strconv"
	"time"
)

// DataVersion is Java's common.DataVersion: the version of a metadata table (topics, subscription groups)
// compared by slaves and by the namesrv to decide whether to resync. JSON: {"counter":N,"timestamp":T}.
type DataVersion struct {
	Timestamp int64 `json:"timestamp"` // ms since the epoch of the last change
	Counter   int64 `json:"counter"`   // number of changes
}

// nowMillis is replaced in tests.
var nowMillis = func() int64 { return time.Now().UnixMilli() }

// NewDataVersion is what a fresh Java DataVersion holds: timestamp = now, counter = 0.
func NewDataVersion() DataVersion { return DataVersion{Timestamp: nowMillis()} }

// Next is Java's nextVersion(): timestamp = now (ms), counter + 1.
func (d *DataVersion) Next() {
	d.Timestamp = nowMillis()
	d.Counter++
}

// Equal is Java's DataVersion.equals: both fields equal.
func (d DataVersion) Equal(o DataVersion) bool { return d == o }

// Write emits the object through w (pretty or compact as w is).
func (d DataVersion) Write(w *Writer) {
	w.BeginObject()
	w.Key("counter")
	w.Int(d.Counter)
	w.Key("timestamp")
	w.Int(d.Timestamp)
	w.EndObject()
}

// AppendJSON appends the compact form {"counter":N,"timestamp":T}.
func (d DataVersion) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"counter":`...)
	dst = strconv.AppendInt(dst, d.Counter, 10)
	dst = append(dst, `,"timestamp":`...)
	dst = strconv.AppendInt(dst, d.Timestamp, 10)
	return append(dst, '}')
}

// MarshalJSON implements json.Marshaler with the compact Java form.
func (d DataVersion) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil), nil }

// String is for logs, shaped like Java's toString.
func (d DataVersion) String() string {
	return "DataVersion[timestamp=" + strconv.FormatInt(d.Timestamp, 10) + ", counter=" + strconv.FormatInt(d.Counter, 10) + "]"
}
