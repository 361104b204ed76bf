package code

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting/code/internal/codegen"
)

// The checked-in zz_generated.go must be exactly what the tables produce today.
func TestGeneratedFileMatchesTables(t *testing.T) {
	req, err := os.ReadFile("requests.tsv")
	require.NoError(t, err)
	resp, err := os.ReadFile("responses.tsv")
	require.NoError(t, err)
	want, err := codegen.Generate(bytes.NewReader(req), bytes.NewReader(resp))
	require.NoError(t, err)
	got, err := os.ReadFile("zz_generated.go")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "zz_generated.go is stale: run `go generate ./remoting/code` and commit the result")
}

func TestRequestValues(t *testing.T) {
	for _, tc := range []struct {
		got  int32
		want int32
		name string
	}{
		{SendMessage, 10, "SEND_MESSAGE"},
		{PullMessage, 11, "PULL_MESSAGE"},
		{QueryConsumerOffset, 14, "QUERY_CONSUMER_OFFSET"},
		{HeartBeat, 34, "HEART_BEAT"},
		{ConsumerSendMsgBack, 36, "CONSUMER_SEND_MSG_BACK"},
		{RegisterBroker, 103, "REGISTER_BROKER"},
		{GetRouteinfoByTopic, 105, "GET_ROUTEINFO_BY_TOPIC"},
		{GetKvlistByNamespace, 219, "GET_KVLIST_BY_NAMESPACE"},
		{InvokeBrokerToResetOffset, 222, "INVOKE_BROKER_TO_RESET_OFFSET"},
		{SendMessageV2, 310, "SEND_MESSAGE_V2"},
		{SendBatchMessage, 320, "SEND_BATCH_MESSAGE"},
		{QueryDataVersion, 322, "QUERY_DATA_VERSION"},
		{DeleteExpiredCommitlog, 329, "DELETE_EXPIRED_COMMITLOG"},
	} {
		require.Equal(t, tc.want, tc.got, tc.name)
		require.Equal(t, tc.name, RequestName(tc.got))
		require.True(t, IsRequest(tc.got), tc.name)
	}
}

func TestResponseValues(t *testing.T) {
	for _, tc := range []struct {
		got  int32
		want int32
		name string
	}{
		{Success, 0, "SUCCESS"},
		{SystemError, 1, "SYSTEM_ERROR"},
		{SystemBusy, 2, "SYSTEM_BUSY"},
		{RequestCodeNotSupported, 3, "REQUEST_CODE_NOT_SUPPORTED"},
		{TransactionFailed, 4, "TRANSACTION_FAILED"},
		{FlushDiskTimeout, 10, "FLUSH_DISK_TIMEOUT"},
		{TopicNotExist, 17, "TOPIC_NOT_EXIST"},
		{PullNotFound, 19, "PULL_NOT_FOUND"},
		{PullRetryImmediately, 20, "PULL_RETRY_IMMEDIATELY"},
		{PullOffsetMoved, 21, "PULL_OFFSET_MOVED"},
		{QueryNotFound, 22, "QUERY_NOT_FOUND"},
		{TransactionStateUnknow, 202, "TRANSACTION_STATE_UNKNOW"},
		{ConsumerNotOnline, 206, "CONSUMER_NOT_ONLINE"},
		{FlowControl, 215, "FLOW_CONTROL"},
	} {
		require.Equal(t, tc.want, tc.got, tc.name)
		require.Equal(t, tc.name, ResponseName(tc.got))
		require.True(t, IsResponse(tc.got), tc.name)
	}
}

func TestUnknownCodes(t *testing.T) {
	require.Equal(t, "UNKNOWN(16)", RequestName(16))
	require.Equal(t, "UNKNOWN(-1)", RequestName(-1))
	require.Equal(t, "UNKNOWN(29)", ResponseName(29))
	require.False(t, IsRequest(44))
	require.False(t, IsRequest(361), "5.x LITE_PULL_MESSAGE is not a 4.9.8 code")
	require.False(t, IsResponse(5))
	require.Equal(t, ServedByNone, ServedBy(9999))
	require.Empty(t, Tag(9999))
}

func TestServedBy(t *testing.T) {
	require.Equal(t, ServedByBroker, ServedBy(SendMessageV2))
	require.Equal(t, ServedByBroker, ServedBy(PullMessage))
	require.Equal(t, ServedByBroker, ServedBy(GetConsumerRunningInfo), "the broker forwards 307 to the client")
	require.Equal(t, ServedByNamesrv, ServedBy(GetRouteinfoByTopic))
	require.Equal(t, ServedByNamesrv, ServedBy(DeleteTopicInNamesrv))
	require.Equal(t, ServedByClient, ServedBy(CheckTransactionState))
	require.Equal(t, ServedByClient, ServedBy(NotifyConsumerIdsChanged))
	require.Equal(t, ServedByClient, ServedBy(ResetConsumerClientOffset))
	require.Equal(t, ServedByNone, ServedBy(QueryBrokerOffset))
	require.Equal(t, ServedByNone, ServedBy(RegisterFilterServer))
	require.Equal(t, "essential", Tag(SendMessage))
	require.Equal(t, "txn", Tag(EndTransaction))
}

func TestCodesAndNamesAreUnique(t *testing.T) {
	reqs := AllRequests()
	require.Len(t, reqs, 95, "RequestCode.java 4.9.8 defines 95 codes")
	require.True(t, slices.IsSorted(reqs))
	names := map[string]bool{}
	for i, c := range reqs {
		if i > 0 {
			require.NotEqual(t, reqs[i-1], c, "duplicate request code")
		}
		n := RequestName(c)
		require.False(t, names[n], "duplicate request name %s", n)
		names[n] = true
	}

	resps := AllResponses()
	require.Len(t, resps, 37, "ResponseCode.java + RemotingSysResponseCode.java 4.9.8 define 37 codes")
	require.True(t, slices.IsSorted(resps))
	names = map[string]bool{}
	for i, c := range resps {
		if i > 0 {
			require.NotEqual(t, resps[i-1], c, "duplicate response code")
		}
		n := ResponseName(c)
		require.False(t, names[n], "duplicate response name %s", n)
		names[n] = true
	}

	// AllRequests hands out a copy.
	reqs[0] = -7
	require.Equal(t, SendMessage, AllRequests()[0])
}
