package header

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// headerCase is one header type: a fully populated sample and the keys Java marks @CFNotNull without a
// default, which Decode must insist on.
type headerCase struct {
	name     string
	fresh    func() Header
	sample   Header
	required []string
}

func allHeaders() []headerCase {
	return []headerCase{
		{"SendMessageRequestHeader", func() Header { return new(SendMessageRequestHeader) },
			&SendMessageRequestHeader{"pg", "T", "TBW102", 4, -1, 0x301, 1700000000000, 7, sampleProps, Some[int32](2), true, Some[int32](16), true, "broker-a"},
			[]string{"producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag", "bornTimestamp", "flag"}},
		{"SendMessageRequestHeaderV2", func() Header { return new(SendMessageRequestHeaderV2) },
			&SendMessageRequestHeaderV2{"pg", "T", "TBW102", 4, -1, 0x301, 1700000000000, 7, sampleProps, Some[int32](2), true, Some[int32](16), true, "broker-a"},
			[]string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{"SendMessageResponseHeader", func() Header { return new(SendMessageResponseHeader) },
			&SendMessageResponseHeader{"0A0000010000291100000000000004D2,0A0000010000291100000000000005D2", 3, 99, "tx", "DefaultRegion", Some(false)},
			[]string{"msgId", "queueId", "queueOffset"}},
		{"ReplyMessageRequestHeader", func() Header { return new(ReplyMessageRequestHeader) },
			&ReplyMessageRequestHeader{SendMessageRequestHeader{"pg", "T", "TBW102", 4, 1, 0, 17, 0, sampleProps, Some[int32](0), true, Opt[int32]{}, false, ""}, "10.0.0.5:5000", "10.0.0.1:10911", 18},
			[]string{"producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag", "bornTimestamp", "flag", "bornHost", "storeHost"}},
		{"PullMessageRequestHeader", func() Header { return new(PullMessageRequestHeader) },
			&PullMessageRequestHeader{"g", "T", 3, 128, 32, 0x1f, 120, 15000, "TagA || TagB", 1700000000000, "TAG", "broker-a"},
			[]string{"consumerGroup", "topic", "queueId", "queueOffset", "maxMsgNums", "sysFlag", "commitOffset", "suspendTimeoutMillis", "subVersion"}},
		{"PullMessageResponseHeader", func() Header { return new(PullMessageResponseHeader) },
			&PullMessageResponseHeader{1, 160, 0, 170},
			[]string{"suggestWhichBrokerId", "nextBeginOffset", "minOffset", "maxOffset"}},
		{"QueryConsumerOffsetRequestHeader", func() Header { return new(QueryConsumerOffsetRequestHeader) },
			&QueryConsumerOffsetRequestHeader{"g", "T", 1, "broker-a"},
			[]string{"consumerGroup", "topic", "queueId"}},
		{"QueryConsumerOffsetResponseHeader", func() Header { return new(QueryConsumerOffsetResponseHeader) },
			&QueryConsumerOffsetResponseHeader{-1}, []string{"offset"}},
		{"UpdateConsumerOffsetRequestHeader", func() Header { return new(UpdateConsumerOffsetRequestHeader) },
			&UpdateConsumerOffsetRequestHeader{"g", "T", 1, 500, "broker-a"},
			[]string{"consumerGroup", "topic", "queueId", "commitOffset"}},
		{"QueueRequestHeader", func() Header { return new(QueueRequestHeader) },
			&GetMaxOffsetRequestHeader{"T", 2, "broker-a"}, []string{"topic", "queueId"}},
		{"OffsetResponseHeader", func() Header { return new(OffsetResponseHeader) },
			&GetMinOffsetResponseHeader{12}, []string{"offset"}},
		{"SearchOffsetRequestHeader", func() Header { return new(SearchOffsetRequestHeader) },
			&SearchOffsetRequestHeader{"T", 2, 1700000000000, "broker-a"}, []string{"topic", "queueId", "timestamp"}},
		{"GetEarliestMsgStoretimeResponseHeader", func() Header { return new(GetEarliestMsgStoretimeResponseHeader) },
			&GetEarliestMsgStoretimeResponseHeader{1700000000000}, []string{"timestamp"}},
		{"UnregisterClientRequestHeader", func() Header { return new(UnregisterClientRequestHeader) },
			&UnregisterClientRequestHeader{"10.0.0.5@123", "pg", "cg"}, []string{"clientID"}},
		{"ConsumerGroupHeader", func() Header { return new(ConsumerGroupHeader) },
			&GetConsumerListByGroupRequestHeader{"cg"}, []string{"consumerGroup"}},
		{"EndTransactionRequestHeader", func() Header { return new(EndTransactionRequestHeader) },
			&EndTransactionRequestHeader{"pg", 5, 4096, TransactionCommitType, true, "7F0000010001B4AAC2E21A9C7B0000", "tx-1", "broker-a"},
			[]string{"producerGroup", "tranStateTableOffset", "commitLogOffset", "commitOrRollback", "msgId"}},
		{"CheckTransactionStateRequestHeader", func() Header { return new(CheckTransactionStateRequestHeader) },
			&CheckTransactionStateRequestHeader{5, 4096, "u", "u", "0A0000010000291100000000000004D2", "broker-a"},
			[]string{"tranStateTableOffset", "commitLogOffset"}},
		{"ResumeCheckHalfMessageRequestHeader", func() Header { return new(ResumeCheckHalfMessageRequestHeader) },
			&ResumeCheckHalfMessageRequestHeader{"0A0000010000291100000000000004D2"}, nil},
		{"RegisterBrokerRequestHeader", func() Header { return new(RegisterBrokerRequestHeader) },
			&RegisterBrokerRequestHeader{"broker-a", "10.0.0.1:10911", "DefaultCluster", "10.0.0.1:10912", 0, true, 123456},
			[]string{"brokerName", "brokerAddr", "clusterName", "haServerAddr", "brokerId"}},
		{"RegisterBrokerResponseHeader", func() Header { return new(RegisterBrokerResponseHeader) },
			&RegisterBrokerResponseHeader{"10.0.0.1:10912", "10.0.0.1:10911"}, nil},
		{"BrokerIdentityHeader", func() Header { return new(BrokerIdentityHeader) },
			&UnRegisterBrokerRequestHeader{"broker-a", "10.0.0.2:10911", "DefaultCluster", 1},
			[]string{"brokerName", "brokerAddr", "clusterName", "brokerId"}},
		{"QueryDataVersionResponseHeader", func() Header { return new(QueryDataVersionResponseHeader) },
			&QueryDataVersionResponseHeader{true}, []string{"changed"}},
		{"GetRouteInfoRequestHeader", func() Header { return new(GetRouteInfoRequestHeader) },
			&GetRouteInfoRequestHeader{"T", Some(true)}, []string{"topic"}},
		{"PutKVConfigRequestHeader", func() Header { return new(PutKVConfigRequestHeader) },
			&PutKVConfigRequestHeader{"ORDER_TOPIC_CONFIG", "T", "broker-a:4"}, []string{"namespace", "key", "value"}},
		{"KVConfigKeyHeader", func() Header { return new(KVConfigKeyHeader) },
			&GetKVConfigRequestHeader{"ns", "k"}, []string{"namespace", "key"}},
		{"GetKVConfigResponseHeader", func() Header { return new(GetKVConfigResponseHeader) },
			&GetKVConfigResponseHeader{"v"}, nil},
		{"GetKVListByNamespaceRequestHeader", func() Header { return new(GetKVListByNamespaceRequestHeader) },
			&GetKVListByNamespaceRequestHeader{"ns"}, []string{"namespace"}},
		{"BrokerNameHeader", func() Header { return new(BrokerNameHeader) },
			&WipeWritePermOfBrokerRequestHeader{"broker-a"}, []string{"brokerName"}},
		{"WipeWritePermOfBrokerResponseHeader", func() Header { return new(WipeWritePermOfBrokerResponseHeader) },
			&WipeWritePermOfBrokerResponseHeader{3}, []string{"wipeTopicCount"}},
		{"AddWritePermOfBrokerResponseHeader", func() Header { return new(AddWritePermOfBrokerResponseHeader) },
			&AddWritePermOfBrokerResponseHeader{3}, []string{"addTopicCount"}},
		{"DeleteTopicFromNamesrvRequestHeader", func() Header { return new(DeleteTopicFromNamesrvRequestHeader) },
			&DeleteTopicFromNamesrvRequestHeader{"T", "DefaultCluster"}, []string{"topic"}},
		{"GetTopicsByClusterRequestHeader", func() Header { return new(GetTopicsByClusterRequestHeader) },
			&GetTopicsByClusterRequestHeader{"DefaultCluster"}, []string{"cluster"}},
		{"CreateTopicRequestHeader", func() Header { return new(CreateTopicRequestHeader) },
			&CreateTopicRequestHeader{"T", "TBW102", 8, 8, 6, TopicFilterMultiTag, Some[int32](1), true},
			[]string{"topic", "defaultTopic", "readQueueNums", "writeQueueNums", "perm", "topicFilterType"}},
		{"TopicHeader", func() Header { return new(TopicHeader) },
			&DeleteTopicRequestHeader{"T"}, []string{"topic"}},
		{"DeleteSubscriptionGroupRequestHeader", func() Header { return new(DeleteSubscriptionGroupRequestHeader) },
			&DeleteSubscriptionGroupRequestHeader{"g", true}, []string{"groupName"}},
		{"GetBrokerConfigResponseHeader", func() Header { return new(GetBrokerConfigResponseHeader) },
			&GetBrokerConfigResponseHeader{`{"counter":1,"timestamp":2}`}, []string{"version"}},
		{"ViewBrokerStatsDataRequestHeader", func() Header { return new(ViewBrokerStatsDataRequestHeader) },
			&ViewBrokerStatsDataRequestHeader{"TOPIC_PUT_NUMS", "T"}, []string{"statsName", "statsKey"}},
		{"GetConsumeStatsInBrokerHeader", func() Header { return new(GetConsumeStatsInBrokerHeader) },
			&GetConsumeStatsInBrokerHeader{true}, nil},
		{"QueryMessageRequestHeader", func() Header { return new(QueryMessageRequestHeader) },
			&QueryMessageRequestHeader{"T", "order-1", 64, 0, 1700000000000, true},
			[]string{"topic", "key", "maxNum", "beginTimestamp", "endTimestamp"}},
		{"QueryMessageResponseHeader", func() Header { return new(QueryMessageResponseHeader) },
			&QueryMessageResponseHeader{1700000000000, 4096}, []string{"indexLastUpdateTimestamp", "indexLastUpdatePhyoffset"}},
		{"ViewMessageRequestHeader", func() Header { return new(ViewMessageRequestHeader) },
			&ViewMessageRequestHeader{4096}, []string{"offset"}},
		{"ConsumerSendMsgBackRequestHeader", func() Header { return new(ConsumerSendMsgBackRequestHeader) },
			&ConsumerSendMsgBackRequestHeader{4096, "g", 0, "7F00", "T", true, Some[int32](16), "broker-a"},
			[]string{"offset", "group", "delayLevel"}},
		{"GetConsumeStatsRequestHeader", func() Header { return new(GetConsumeStatsRequestHeader) },
			&GetConsumeStatsRequestHeader{"g", "T"}, []string{"consumerGroup"}},
		{"GetProducerConnectionListRequestHeader", func() Header { return new(GetProducerConnectionListRequestHeader) },
			&GetProducerConnectionListRequestHeader{"pg"}, []string{"producerGroup"}},
		{"ResetOffsetRequestHeader", func() Header { return new(ResetOffsetRequestHeader) },
			&ResetOffsetRequestHeader{"T", "g", -1, true}, []string{"topic", "group"}},
		{"GetConsumerStatusRequestHeader", func() Header { return new(GetConsumerStatusRequestHeader) },
			&GetConsumerStatusRequestHeader{"T", "g", "10.0.0.5:5000"}, []string{"topic", "group"}},
		{"GetConsumerRunningInfoRequestHeader", func() Header { return new(GetConsumerRunningInfoRequestHeader) },
			&GetConsumerRunningInfoRequestHeader{"g", "10.0.0.5@123", true}, []string{"consumerGroup", "clientId"}},
		{"ConsumeMessageDirectlyResultRequestHeader", func() Header { return new(ConsumeMessageDirectlyResultRequestHeader) },
			&ConsumeMessageDirectlyResultRequestHeader{"g", "10.0.0.5@123", "0A00", "broker-a"}, []string{"consumerGroup"}},
		{"QueryConsumeTimeSpanRequestHeader", func() Header { return new(QueryConsumeTimeSpanRequestHeader) },
			&QueryConsumeTimeSpanRequestHeader{"T", "g"}, []string{"topic", "group"}},
		{"CloneGroupOffsetRequestHeader", func() Header { return new(CloneGroupOffsetRequestHeader) },
			&CloneGroupOffsetRequestHeader{"g1", "g2", "T", true}, []string{"srcGroup", "destGroup"}},
		{"QueryCorrectionOffsetHeader", func() Header { return new(QueryCorrectionOffsetHeader) },
			&QueryCorrectionOffsetHeader{"g1,g2", "g", "T"}, []string{"compareGroup", "topic"}},
		{"QueryConsumeQueueRequestHeader", func() Header { return new(QueryConsumeQueueRequestHeader) },
			&QueryConsumeQueueRequestHeader{"T", 1, 10, 5, "g"}, nil},
		{"CreateAccessConfigRequestHeader", func() Header { return new(CreateAccessConfigRequestHeader) },
			&CreateAccessConfigRequestHeader{"ak", "sk", "10.*", true, "DENY", "SUB", "T=PUB", "g=SUB"}, []string{"accessKey"}},
		{"DeleteAccessConfigRequestHeader", func() Header { return new(DeleteAccessConfigRequestHeader) },
			&DeleteAccessConfigRequestHeader{"ak"}, []string{"accessKey"}},
		{"UpdateGlobalWhiteAddrsConfigRequestHeader", func() Header { return new(UpdateGlobalWhiteAddrsConfigRequestHeader) },
			&UpdateGlobalWhiteAddrsConfigRequestHeader{"10.*,192.168.0.1", "/conf/plain_acl.yml"}, []string{"globalWhiteAddrs", "aclFileFullPath"}},
		{"GetBrokerAclConfigResponseHeader", func() Header { return new(GetBrokerAclConfigResponseHeader) },
			&GetBrokerAclConfigResponseHeader{"v", "all", "broker-a", "10.0.0.1:10911", "DefaultCluster"},
			[]string{"version", "brokerName", "brokerAddr", "clusterName"}},
	}
}

func TestEveryHeaderRoundTrips(t *testing.T) {
	for _, tc := range allHeaders() {
		t.Run(tc.name, func(t *testing.T) {
			ext := map[string]string{}
			tc.sample.Encode(ext)
			got := tc.fresh()
			require.NoError(t, got.Decode(ext))
			require.Equal(t, tc.sample, got)

			// Unknown keys (ACL signature, bname where the header has none) change nothing.
			got = tc.fresh()
			require.NoError(t, got.Decode(with(aclKeys, ext)))
			require.Equal(t, tc.sample, got)
		})
	}
}

func TestEveryHeaderRequiresExactlyTheJavaNotNullFields(t *testing.T) {
	for _, tc := range allHeaders() {
		t.Run(tc.name, func(t *testing.T) {
			ext := map[string]string{}
			tc.sample.Encode(ext)
			for _, key := range tc.required {
				require.Contains(t, ext, key, "Encode must write required key %s", key)
			}
			for _, key := range slices.Sorted(maps.Keys(ext)) {
				err := tc.fresh().Decode(with(ext, map[string]string{key: "\x00delete"}))
				if slices.Contains(tc.required, key) {
					require.ErrorIs(t, err, ErrMissingField, key)
					require.EqualError(t, err, "the custom field <"+key+"> is null")
				} else {
					require.NoError(t, err, "%s is optional in Java", key)
				}
			}
			if len(tc.required) > 0 {
				err := tc.fresh().Decode(map[string]string{})
				require.EqualError(t, err, "the custom field <"+tc.required[0]+"> is null", "the first missing field is reported")
				require.ErrorIs(t, tc.fresh().Decode(nil), ErrMissingField, "a nil map is an empty map")
			} else {
				require.NoError(t, tc.fresh().Decode(nil))
			}
		})
	}
}

func TestDefaultsOfJavaPrimitives(t *testing.T) {
	var reset ResetOffsetRequestHeader
	require.NoError(t, reset.Decode(map[string]string{"topic": "T", "group": "g"}))
	require.Equal(t, ResetOffsetRequestHeader{Topic: "T", Group: "g"}, reset, "Java leaves timestamp 0 and isForce false")

	var reg RegisterBrokerRequestHeader
	require.NoError(t, reg.Decode(map[string]string{
		"brokerName": "b", "brokerAddr": "a:1", "clusterName": "c", "haServerAddr": "a:2", "brokerId": "0",
	}))
	require.Zero(t, reg.BodyCrc32)
	require.False(t, reg.Compressed)
	ext := map[string]string{}
	reg.Encode(ext)
	require.Equal(t, "0", ext["bodyCrc32"], "a Java broker always sends bodyCrc32")
	require.Equal(t, "false", ext["compressed"])
}

func TestResetOffsetUsesTheLiteralIsForceKey(t *testing.T) {
	ext := map[string]string{}
	(&ResetOffsetRequestHeader{Topic: "T", Group: "g", Timestamp: 1700000000000, IsForce: true}).Encode(ext)
	require.Equal(t, map[string]string{"topic": "T", "group": "g", "timestamp": "1700000000000", "isForce": "true"}, ext)
}

func TestCreateTopicChecksFilterType(t *testing.T) {
	ext := map[string]string{}
	(&CreateTopicRequestHeader{Topic: "T", DefaultTopic: "defaultTopic", ReadQueueNums: 8, WriteQueueNums: 8, Perm: 6, TopicFilterType: "SINGLE_TAG"}).Encode(ext)
	require.Equal(t, "false", ext["order"])
	require.NotContains(t, ext, "topicSysFlag")
	var h CreateTopicRequestHeader
	require.NoError(t, h.Decode(ext))
	err := h.Decode(with(ext, map[string]string{"topicFilterType": "single_tag"}))
	require.ErrorIs(t, err, ErrMalformedField, "Java TopicFilterType.valueOf is case-sensitive")
	require.ErrorContains(t, err, "topicFilterType")

	// What the Go client's admin.CreateTopic sends.
	require.NoError(t, h.Decode(map[string]string{
		"topic": "T", "defaultTopic": "defaultTopic", "readQueueNums": "8", "writeQueueNums": "8", "perm": "6",
		"topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false",
	}))
	require.Equal(t, Some[int32](0), h.TopicSysFlag)
}

func TestEndTransactionChecksCommitOrRollback(t *testing.T) {
	// What the Go client v2.1.2 sends; Java adds bname.
	ext := map[string]string{
		"producerGroup": "pg", "tranStateTableOffset": "5", "commitLogOffset": "4096", "commitOrRollback": "12",
		"fromTransactionCheck": "false", "msgId": "7F0000010001B4AAC2E21A9C7B0000", "transactionId": "",
	}
	var h EndTransactionRequestHeader
	require.NoError(t, h.Decode(ext))
	require.Equal(t, TransactionRollbackType, h.CommitOrRollback)
	for _, v := range []string{"0", "8", "12"} {
		require.NoError(t, h.Decode(with(ext, map[string]string{"commitOrRollback": v})))
	}
	err := h.Decode(with(ext, map[string]string{"commitOrRollback": "4"}))
	require.ErrorIs(t, err, ErrMalformedField)
	require.ErrorContains(t, err, "commitOrRollback field wrong")
}

func TestQueryMessageUniqueKeyFlagIsCaseSensitive(t *testing.T) {
	ext := map[string]string{"topic": "T", "key": "k", "maxNum": "32", "beginTimestamp": "0", "endTimestamp": "9"}
	var h QueryMessageRequestHeader
	require.NoError(t, h.Decode(with(ext, map[string]string{"_UNIQUE_KEY_QUERY": "true"})))
	require.True(t, h.UniqueKeyQuery)
	require.NoError(t, h.Decode(with(ext, map[string]string{"_UNIQUE_KEY_QUERY": "TRUE"})))
	require.False(t, h.UniqueKeyQuery, "the broker compares with equals(\"true\")")
	out := map[string]string{}
	h.Encode(out)
	require.NotContains(t, out, "_UNIQUE_KEY_QUERY")
}
