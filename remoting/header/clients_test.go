package header

import "maps"

// The extFields real clients send, key for key (spec/remoting.md §6; Java 4.9.8 MQClientAPIImpl and
// DefaultMQProducerImpl, Go client v2.1.2 internal/request.go). Values are typical ones.

// Properties string as clients build it: name \x01 value \x02 ...
const sampleProps = "KEYS\x01order-1\x02UNIQ_KEY\x017F0000010001B4AAC2E21A9C7B0000\x02WAIT\x01true\x02TAGS\x01TagA\x02"

func with(base, overrides map[string]string) map[string]string {
	m := maps.Clone(base)
	for k, v := range overrides {
		if v == "\x00delete" {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

// sendV2FromJava: a Java 4.9.8 producer's SEND_MESSAGE_V2 (the default): l absent unless resending to a
// retry topic; k and m always present because they are Java primitives; n = bname.
func sendV2FromJava(overrides map[string]string) map[string]string {
	return with(map[string]string{
		"a": "please_rename_unique_group_name",
		"b": "TopicTest",
		"c": "TBW102",
		"d": "4",
		"e": "2",
		"f": "0",
		"g": "1700000000123",
		"h": "0",
		"i": sampleProps,
		"j": "0",
		"k": "false",
		"m": "false",
		"n": "broker-a",
	}, overrides)
}

// sendV1FromJava: a Java 4.9.8 producer with -Dorg.apache.rocketmq.client.sendSmartMsg=false.
func sendV1FromJava(overrides map[string]string) map[string]string {
	return with(map[string]string{
		"producerGroup":         "please_rename_unique_group_name",
		"topic":                 "TopicTest",
		"defaultTopic":          "TBW102",
		"defaultTopicQueueNums": "4",
		"queueId":               "2",
		"sysFlag":               "0",
		"bornTimestamp":         "1700000000123",
		"flag":                  "0",
		"properties":            sampleProps,
		"reconsumeTimes":        "0",
		"unitMode":              "false",
		"batch":                 "false",
		"bname":                 "broker-a",
	}, overrides)
}

// sendV1FromGo: the Go client v2.1.2 SEND_MESSAGE: always all thirteen keys, no bname.
func sendV1FromGo(overrides map[string]string) map[string]string {
	return with(map[string]string{
		"producerGroup":         "go_group",
		"topic":                 "TopicTest",
		"queueId":               "1",
		"sysFlag":               "0",
		"bornTimestamp":         "1700000000456",
		"flag":                  "0",
		"reconsumeTimes":        "0",
		"unitMode":              "false",
		"maxReconsumeTimes":     "0",
		"defaultTopic":          "TBW102",
		"defaultTopicQueueNums": "4",
		"batch":                 "false",
		"properties":            sampleProps,
	}, overrides)
}

// sendBatchFromGo: the Go client v2.1.2 SEND_BATCH_MESSAGE: V2 keys a..m, empty properties, m=true.
func sendBatchFromGo(overrides map[string]string) map[string]string {
	return with(map[string]string{
		"a": "go_group",
		"b": "TopicTest",
		"c": "TBW102",
		"d": "4",
		"e": "0",
		"f": "0",
		"g": "1700000000789",
		"h": "0",
		"i": "",
		"j": "0",
		"k": "false",
		"l": "0",
		"m": "true",
	}, overrides)
}

// pullFromJava: a Java 4.9.8 push consumer's PULL_MESSAGE.
func pullFromJava(overrides map[string]string) map[string]string {
	return with(map[string]string{
		"consumerGroup":        "please_rename_unique_group_name_4",
		"topic":                "TopicTest",
		"queueId":              "3",
		"queueOffset":          "128",
		"maxMsgNums":           "32",
		"sysFlag":              "3",
		"commitOffset":         "120",
		"suspendTimeoutMillis": "15000",
		"subVersion":           "1700000000000",
		"expressionType":       "TAG",
		"bname":                "broker-a",
	}, overrides)
}

// pullFromGo: the Go client v2.1.2 push consumer's PULL_MESSAGE: subscription always sent, subVersion 0.
func pullFromGo(overrides map[string]string) map[string]string {
	return with(map[string]string{
		"consumerGroup":        "go_consumer",
		"topic":                "TopicTest",
		"queueId":              "0",
		"queueOffset":          "0",
		"maxMsgNums":           "32",
		"sysFlag":              "2",
		"commitOffset":         "0",
		"suspendTimeoutMillis": "20000",
		"subscription":         "",
		"subVersion":           "0",
		"expressionType":       "TAG",
	}, overrides)
}

// ACL fields a 4.9.8 client adds when an access key is configured; no header reads them.
var aclKeys = map[string]string{"AccessKey": "rocketmq2", "Signature": "c2lnbmF0dXJl", "bname": "broker-a"}
