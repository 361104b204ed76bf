package codegen

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGoName(t *testing.T) {
	for java, want := range map[string]string{
		"SEND_MESSAGE_V2":         "SendMessageV2",
		"GET_ROUTEINFO_BY_TOPIC":  "GetRouteinfoByTopic",
		"HEART_BEAT":              "HeartBeat",
		"SUCCESS":                 "Success",
		"GET_KVLIST_BY_NAMESPACE": "GetKvlistByNamespace",
	} {
		require.Equal(t, want, GoName(java))
	}
}

const reqHeader = "code\tname\tserved_by\ttag\n"

func TestParseRequestsRejectsBadRows(t *testing.T) {
	for name, in := range map[string]string{
		"no header":      "10\tSEND_MESSAGE\tbroker\tessential\n",
		"bad code":       reqHeader + "ten\tSEND_MESSAGE\tbroker\tessential\n",
		"bad served_by":  reqHeader + "10\tSEND_MESSAGE\tnobody\tessential\n",
		"bad tag":        reqHeader + "10\tSEND_MESSAGE\tbroker\tfun\n",
		"short row":      reqHeader + "10\tSEND_MESSAGE\tbroker\n",
		"padded column":  reqHeader + "10\t SEND_MESSAGE\tbroker\tessential\n",
		"overflow int32": reqHeader + "4294967296\tX\tbroker\tessential\n",
	} {
		_, err := ParseRequests(strings.NewReader(in))
		require.Error(t, err, name)
	}
}

func TestRenderRejectsDuplicates(t *testing.T) {
	_, err := Render([]Request{{10, "A", "broker", "admin"}, {10, "B", "broker", "admin"}}, nil)
	require.ErrorContains(t, err, "code 10 appears twice")
	_, err = Render([]Request{{10, "A_B", "broker", "admin"}, {11, "A__B", "broker", "admin"}}, nil)
	require.ErrorContains(t, err, "both become Go name AB")
	_, err = Render(nil, []Response{{1, "X"}, {1, "Y"}})
	require.ErrorContains(t, err, "code 1 appears twice")
}

func TestRenderPrefixesOnlyClashingResponses(t *testing.T) {
	src, err := Render(
		[]Request{{10, "SEND_MESSAGE", "broker", "essential"}},
		[]Response{{0, "SUCCESS"}, {77, "SEND_MESSAGE"}},
	)
	require.NoError(t, err)
	require.Contains(t, string(src), "\tSuccess ")
	require.Contains(t, string(src), "RespSendMessage ")
}
