package remoting_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
)

// recorder is a fake namesrv+broker on one port that records every command the official Go client sends.
type recorder struct {
	mu   sync.Mutex
	seen map[int32][]*remoting.Command
}

func (r *recorder) record(c *remoting.Command) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[c.Code] = append(r.seen[c.Code], c)
}

func (r *recorder) first(code int32) *remoting.Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen[code]) == 0 {
		return nil
	}
	return r.seen[code][0]
}

// TestOfficialGoClientWire drives producer.SendSync of rocketmq-client-go v2.1.2 against a recording server:
// the client must accept our route and send responses, and what it sends must decode as spec §2.2 / §6.1 say.
func TestOfficialGoClientWire(t *testing.T) {
	rlog.SetLogLevel("error")
	rec := &recorder{seen: map[int32][]*remoting.Command{}}
	r := remoting.NewRouter(nil)
	var addr string
	r.HandleDefault(nil, func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
		rec.record(req)
		resp := remoting.NewResponse(req, 0, "")
		switch req.Code {
		case 105: // GET_ROUTEINFO_BY_TOPIC
			if req.Ext("topic") != "TopicTest" {
				return remoting.NewResponse(req, 17, "No topic route info in name server for the topic: "+req.Ext("topic")), nil
			}
			resp.Body = []byte(`{"brokerDatas":[{"brokerAddrs":{"0":"` + addr + `"},"brokerName":"broker-a","cluster":"DefaultCluster"}],` +
				`"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}`)
		case 10, 310: // SEND_MESSAGE(_V2)
			resp.ExtFields = map[string]string{
				"msgId": "7F00000100002A9F0000000000000042", "queueId": req.Ext("queueId"), "queueOffset": "42",
				"MSG_REGION": "DefaultRegion", "TRACE_ON": "true",
			}
		case 34: // HEART_BEAT
		default:
			return remoting.NotSupported(req), nil
		}
		return resp, nil
	})
	srv := &remoting.Server{Router: r}
	require.NoError(t, srv.Listen("127.0.0.1:0"))
	defer srv.Close()
	addr = srv.Addr().String()

	p, err := producer.NewDefaultProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{addr})),
		producer.WithGroupName("wire_test_group"),
		producer.WithRetry(0),
		producer.WithSendMsgTimeout(5*time.Second),
	)
	require.NoError(t, err)
	require.NoError(t, p.Start())
	defer func() { _ = p.Shutdown() }()

	msg := primitive.NewMessage("TopicTest", []byte("hello rocketd"))
	msg.WithTag("TagA")
	msg.WithKeys([]string{"k1"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.SendSync(ctx, msg)
	require.NoError(t, err)
	require.Equal(t, primitive.SendOK, res.Status)
	require.Equal(t, "7F00000100002A9F0000000000000042", res.OffsetMsgID)
	require.Equal(t, int64(42), res.QueueOffset)
	require.Equal(t, "broker-a", res.MessageQueue.BrokerName)

	route := rec.first(105)
	require.NotNil(t, route, "client asked for the route")
	require.Equal(t, remoting.Go, route.Language)
	require.Equal(t, int32(317), route.Version)
	require.Equal(t, remoting.JSON, route.SerializeType, "the Go client always sends JSON")

	send := rec.first(10)
	require.NotNil(t, send, "Go client v2.1.2 sends SEND_MESSAGE (10) with v1 names")
	for _, k := range []string{"producerGroup", "topic", "queueId", "sysFlag", "bornTimestamp", "flag", "properties",
		"reconsumeTimes", "unitMode", "maxReconsumeTimes", "defaultTopic", "defaultTopicQueueNums", "batch"} {
		_, ok := send.ExtFields[k]
		require.True(t, ok, "send header lacks %q: %v", k, send.ExtFields)
	}
	require.Equal(t, "wire_test_group", send.Ext("producerGroup"))
	require.Equal(t, "TopicTest", send.Ext("topic"))
	require.Equal(t, "TBW102", send.Ext("defaultTopic"))
	qid, err := strconv.Atoi(send.Ext("queueId"))
	require.NoError(t, err)
	require.Less(t, qid, 4)
	require.Contains(t, send.Ext("properties"), "TAGS\x01TagA")
	require.Contains(t, send.Ext("properties"), "KEYS\x01k1")
	require.Contains(t, send.Ext("properties"), "UNIQ_KEY\x01"+res.MsgID)
	require.Equal(t, "hello rocketd", string(send.Body))
	require.False(t, send.IsResponse())

	// What the client sent must re-encode in Java's form and decode back to the same command.
	raw, err := send.Encode()
	require.NoError(t, err)
	back, err := remoting.Decode(raw[4:])
	require.NoError(t, err)
	require.Equal(t, send.ExtFields, back.ExtFields)
	require.Equal(t, fmt.Sprint(send.Body), fmt.Sprint(back.Body))
}
