package topic

import (
	"fmt"
	"strconv"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// FilterType is Java's TopicFilterType, serialised by name.
type FilterType string

const (
	SingleTag FilterType = "SINGLE_TAG"
	MultiTag  FilterType = "MULTI_TAG"
)

// TopicSysFlag bits (Java common.sysflag.TopicSysFlag).
const (
	SysFlagUnit    int32 = 0x1
	SysFlagUnitSub int32 = 0x2
)

// TopicConfig is Java's common.TopicConfig. JSON keys (fastjson, sorted): order, perm, readQueueNums,
// topicFilterType, topicName, topicSysFlag, writeQueueNums.
type TopicConfig struct {
	TopicName       string     `json:"topicName"`
	ReadQueueNums   int32      `json:"readQueueNums"`
	WriteQueueNums  int32      `json:"writeQueueNums"`
	Perm            int32      `json:"perm"`
	TopicFilterType FilterType `json:"topicFilterType"`
	TopicSysFlag    int32      `json:"topicSysFlag"`
	Order           bool       `json:"order"`
}

// New returns a TopicConfig with Java's defaults: 16/16 queues, perm RW, SINGLE_TAG, sysFlag 0, not ordered.
func New(name string) TopicConfig {
	return TopicConfig{
		TopicName:       name,
		ReadQueueNums:   DefaultQueueNums,
		WriteQueueNums:  DefaultQueueNums,
		Perm:            PermRead | PermWrite,
		TopicFilterType: SingleTag,
	}
}

// NewWithQueues is Java's TopicConfig(name, read, write, perm).
func NewWithQueues(name string, read, write, perm int32) TopicConfig {
	tc := New(name)
	tc.ReadQueueNums, tc.WriteQueueNums, tc.Perm = read, write, perm
	return tc
}

// UnmarshalJSON fills missing fields with Java's defaults (fastjson starts from `new TopicConfig()`), and
// maps an unknown filter type to SINGLE_TAG (fastjson would leave it null).
func (tc *TopicConfig) UnmarshalJSON(b []byte) error {
	type plain TopicConfig
	v := plain(New(""))
	if err := fastjson.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.TopicFilterType != SingleTag && v.TopicFilterType != MultiTag {
		v.TopicFilterType = SingleTag
	}
	*tc = TopicConfig(v)
	return nil
}

// Write emits the config through w with fastjson's field order.
func (tc TopicConfig) Write(w *fastjson.Writer) {
	w.BeginObject()
	w.Key("order")
	w.Bool(tc.Order)
	w.Key("perm")
	w.Int(int64(tc.Perm))
	w.Key("readQueueNums")
	w.Int(int64(tc.ReadQueueNums))
	if tc.TopicFilterType != "" {
		w.Key("topicFilterType")
		w.String(string(tc.TopicFilterType))
	}
	w.Key("topicName")
	w.String(tc.TopicName)
	w.Key("topicSysFlag")
	w.Int(int64(tc.TopicSysFlag))
	w.Key("writeQueueNums")
	w.Int(int64(tc.WriteQueueNums))
	w.EndObject()
}

// MarshalJSON is the compact Java form.
func (tc TopicConfig) MarshalJSON() ([]byte, error) {
	w := fastjson.NewWriter(fastjson.Compact, nil)
	tc.Write(w)
	return w.Bytes(), nil
}

// Encode is Java's TopicConfig.encode(): "name read write perm FILTERTYPE", used by the compressed
// REGISTER_BROKER body.
func (tc TopicConfig) Encode() string {
	return tc.TopicName + " " + strconv.Itoa(int(tc.ReadQueueNums)) + " " + strconv.Itoa(int(tc.WriteQueueNums)) +
		" " + strconv.Itoa(int(tc.Perm)) + " " + string(tc.TopicFilterType)
}

// String is for logs, shaped like Java's toString.
func (tc TopicConfig) String() string {
	return fmt.Sprintf("TopicConfig [topicName=%s, readQueueNums=%d, writeQueueNums=%d, perm=%s, topicFilterType=%s, topicSysFlag=%d, order=%t]",
		tc.TopicName, tc.ReadQueueNums, tc.WriteQueueNums, PermString(tc.Perm), tc.TopicFilterType, tc.TopicSysFlag, tc.Order)
}
