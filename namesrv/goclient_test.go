package namesrv

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// fakeBroker answers just enough for the official Go client: sends, heartbeats and topic deletion.
type fakeBroker struct {
	srv     *remoting.Server
	sends   atomic.Int32
	deletes atomic.Int32
}

func startFakeBroker(t *testing.T) *fakeBroker {
	t.Helper()
	fb := &fakeBroker{}
	r := remoting.NewRouter(quietLog())
	r.HandleDefault(nil, func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
		resp := remoting.NewResponse(req, code.Success, "")
		switch req.Code {
		case code.SendMessage, code.SendMessageV2:
			fb.sends.Add(1)
			resp.ExtFields = map[string]string{
				"msgId": "7F00000100002A9F0000000000000001", "queueId": req.Ext("queueId"), "queueOffset": "1",
				"MSG_REGION": "DefaultRegion", "TRACE_ON": "true",
			}
		case code.HeartBeat:
		case code.DeleteTopicInBroker:
			fb.deletes.Add(1)
		default:
			return remoting.NotSupported(req), nil
		}
		return resp, nil
	})
	fb.srv = &remoting.Server{Router: r, Logger: quietLog()}
	require.NoError(t, fb.srv.Listen("127.0.0.1:0"))
	t.Cleanup(func() { _ = fb.srv.Close() })
	return fb
}

func (fb *fakeBroker) addr() string { return fb.srv.Addr().String() }

// TestOfficialGoClient: rocketmq-client-go v2.1.2 admin and producer against our namesrv. The Go client asks
// for routes with version 317, so it gets the legacy form with bare brokerAddrs keys, as from Java.
func TestOfficialGoClient(t *testing.T) {
	rlog.SetLogLevel("error")
	s := startServer(t, nil)
	ns := s.Addr()
	fb := startFakeBroker(t)
	brokerSide := newClient(t)
	register(t, brokerSide, ns, "DefaultCluster", "broker-a", fb.addr(), 0,
		sampleBody(1, topic("GoTopic", 4, 6, 0), topic("TBW102", 8, 7, 0)))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver([]string{ns})))
	require.NoError(t, err)
	defer adm.Close()
	list, err := adm.FetchAllTopicList(ctx)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"GoTopic", "TBW102"}, list.TopicList)

	mqs, err := adm.FetchPublishMessageQueues(ctx, "GoTopic")
	require.NoError(t, err)
	require.Len(t, mqs, 4)
	require.Equal(t, "broker-a", mqs[0].BrokerName)

	p, err := producer.NewDefaultProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{ns})),
		producer.WithGroupName("namesrv_go_client_test"),
		producer.WithRetry(0),
		producer.WithSendMsgTimeout(5*time.Second),
	)
	require.NoError(t, err)
	require.NoError(t, p.Start())
	defer func() { _ = p.Shutdown() }()
	res, err := p.SendSync(ctx, primitive.NewMessage("GoTopic", []byte("via rocketd namesrv")))
	require.NoError(t, err)
	require.Equal(t, primitive.SendOK, res.Status)
	require.Equal(t, "broker-a", res.MessageQueue.BrokerName)
	require.Less(t, res.MessageQueue.QueueId, 4)
	require.Equal(t, int32(1), fb.sends.Load(), "the send went to the address namesrv published")

	err = adm.DeleteTopic(ctx, admin.WithTopicDelete("GoTopic"), admin.WithBrokerAddrDelete(fb.addr()), admin.WithNameSrvAddr([]string{ns}))
	require.NoError(t, err)
	require.Equal(t, int32(1), fb.deletes.Load())
	cl := newClient(t)
	require.Equal(t, code.TopicNotExist, route(t, cl, ns, "GoTopic", nil).Code)
	list, err = adm.FetchAllTopicList(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"TBW102"}, list.TopicList)
}
