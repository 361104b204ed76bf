package topic

import (
	"errors"
	"fmt"
	"strings"
)

// Topic names Java 4.9.8 reserves (common.topic.TopicValidator, common.MixAll).
const (
	AutoCreateTopicKey      = "TBW102"
	ScheduleTopic           = "SCHEDULE_TOPIC_XXXX"
	BenchmarkTopic          = "BenchmarkTest"
	TransHalfTopic          = "RMQ_SYS_TRANS_HALF_TOPIC"
	TraceTopic              = "RMQ_SYS_TRACE_TOPIC"
	TransOpHalfTopic        = "RMQ_SYS_TRANS_OP_HALF_TOPIC"
	TransCheckMaxTimeTopic  = "TRANS_CHECK_MAX_TIME_TOPIC"
	SelfTestTopic           = "SELF_TEST_TOPIC"
	OffsetMovedEventTopic   = "OFFSET_MOVED_EVENT"
	SystemTopicPrefix       = "rmq_sys_"
	RetryGroupTopicPrefix   = "%RETRY%"
	DLQGroupTopicPrefix     = "%DLQ%"
	ReplyTopicPostfix       = "REPLY_TOPIC"
	LmqPrefix               = "%LMQ%"
	ScheduleTopicQueueNums  = 18 // SCHEDULE_TOPIC_QUEUE_NUM: one queue per delay level
	DefaultQueueNums        = 16 // TopicConfig.defaultReadQueueNums / defaultWriteQueueNums
	DefaultTopicQueueNums   = 8  // BrokerConfig.defaultTopicQueueNums
	DLQNumsPerGroup         = 1
	MaxTopicLength          = 127
	defaultBrokerPermission = PermRead | PermWrite
)

// Errors of ValidateName; the texts are Java's remarks (SYSTEM_ERROR responses).
var (
	ErrBlankName   = errors.New("The specified topic is blank.")
	ErrIllegalName = errors.New("The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$")
	ErrNameTooLong = errors.New("The specified topic is longer than topic max length.")
)

// staticSystemTopics is Java's SYSTEM_TOPIC_SET before any broker adds its own names.
var staticSystemTopics = map[string]bool{
	AutoCreateTopicKey:     true,
	ScheduleTopic:          true,
	BenchmarkTopic:         true,
	TransHalfTopic:         true,
	TraceTopic:             true,
	TransOpHalfTopic:       true,
	TransCheckMaxTimeTopic: true,
	SelfTestTopic:          true,
	OffsetMovedEventTopic:  true,
}

// notAllowedSend is Java's NOT_ALLOWED_SEND_TOPIC_SET: producers get NO_PERMISSION
// "Sending message to topic[<t>] is forbidden.".
var notAllowedSend = map[string]bool{
	ScheduleTopic:          true,
	TransHalfTopic:         true,
	TransOpHalfTopic:       true,
	TransCheckMaxTimeTopic: true,
	SelfTestTopic:          true,
	OffsetMovedEventTopic:  true,
}

// IsLegalName reports whether s uses only ^[%|a-zA-Z0-9_-]* (Java isTopicOrGroupIllegal, negated; groups too).
func IsLegalName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '%' || c == '|' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidateName applies Java's TopicValidator.validateTopic in its order: blank, characters, length
// (127 UTF-16 units; legal names are ASCII so bytes = units).
func ValidateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return ErrBlankName
	}
	if !IsLegalName(name) {
		return ErrIllegalName
	}
	if len(name) > MaxTopicLength {
		return ErrNameTooLong
	}
	return nil
}

// IsSystemTopic reports Java's static system topics and the rmq_sys_ prefix. Manager.IsSystemTopic also
// knows the names a broker adds (cluster, broker, trace and reply topics).
func IsSystemTopic(name string) bool {
	return staticSystemTopics[name] || strings.HasPrefix(name, SystemTopicPrefix)
}

// IsNotAllowedSend reports topics a producer may not send to.
func IsNotAllowedSend(name string) bool { return notAllowedSend[name] }

// SystemTopicError is Java's remark for an admin request on a system topic.
func SystemTopicError(name string) error {
	return fmt.Errorf("The topic[%s] is conflict with system topic.", name)
}

// NotAllowedSendError is Java's remark for a send to a forbidden topic (response NO_PERMISSION).
func NotAllowedSendError(name string) error {
	return fmt.Errorf("Sending message to topic[%s] is forbidden.", name)
}

// RetryTopic is %RETRY%<group>.
func RetryTopic(group string) string { return RetryGroupTopicPrefix + group }

// DLQTopic is %DLQ%<group>.
func DLQTopic(group string) string { return DLQGroupTopicPrefix + group }

// ReplyTopic is <cluster>_REPLY_TOPIC.
func ReplyTopic(cluster string) string { return cluster + "_" + ReplyTopicPostfix }

// IsLmq reports an LMQ topic or group (%LMQ% prefix).
func IsLmq(name string) bool { return strings.HasPrefix(name, LmqPrefix) }
