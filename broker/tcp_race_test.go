package broker

// Paths the conformance suite drives with the official clients (which run without -race: the Go client v2.1.2
// races on its own), driven here over real TCP by raw clients so that `go test -race ./broker/` covers them:
// broker -> client calls (reset offset, consumer status, transaction check-back, reply push), the admin stats
// codes, batch send, queue locks. Several requests run concurrently on purpose.

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// peerClient is a client connection whose router answers the broker's requests with the given handlers.
func peerClient(t *testing.T, handlers map[int32]remoting.HandlerFunc) *remoting.Client {
	t.Helper()
	pool, err := remoting.NewPool("peer", 2, 64)
	require.NoError(t, err)
	t.Cleanup(pool.Release)
	rt := remoting.NewRouter(quietLog())
	for c, h := range handlers {
		rt.Handle(c, pool, h)
	}
	cl := &remoting.Client{Router: rt, Logger: quietLog()}
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

func invokeOn(t *testing.T, cl *remoting.Client, addr string, req *remoting.Command) *remoting.Command {
	t.Helper()
	resp, err := cl.InvokeSync(context.Background(), addr, req, 10*time.Second)
	require.NoError(t, err)
	return resp
}

func consumerHeartbeat(clientID, group, topic string) []byte {
	return []byte(fmt.Sprintf(`{"clientID":%q,"consumerDataSet":[{"groupName":%q,"consumeType":"CONSUME_PASSIVELY",`+
		`"messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"topic":%q,`+
		`"subString":"*","tagsSet":[],"codeSet":[],"subVersion":1,"expressionType":"TAG","classFilterMode":false}],`+
		`"unitMode":false}],"producerDataSet":[]}`, clientID, group, topic))
}

func producerHeartbeat(clientID, group string) []byte {
	return []byte(fmt.Sprintf(`{"clientID":%q,"consumerDataSet":[],"producerDataSet":[{"groupName":%q}]}`, clientID, group))
}

// 222, 223, 303 and the offset/stats codes, concurrently, with a consumer that answers the broker's calls.
func TestBrokerToConsumerCallsOverTCP(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "TB", 2)
	for i := 0; i < 4; i++ {
		resp := tb.call(t, code.SendMessageV2, sendV2("TB", i%2, ""), []byte("m"+strconv.Itoa(i)))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
	resets := make(chan *remoting.Command, 16)
	cons := peerClient(t, map[int32]remoting.HandlerFunc{
		code.ResetConsumerClientOffset: func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
			resets <- req
			return nil, nil
		},
		code.GetConsumerStatusFromClient: func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
			resp := remoting.NewResponse(req, code.Success, "")
			resp.Body = []byte(`{"messageQueueTable":{{"topic":"TB","brokerName":"broker-t","queueId":0}:1}}`)
			return resp, nil
		},
	})
	require.Equal(t, code.Success, invokeOn(t, cons, tb.addr, remoting.NewRequest(code.HeartBeat, nil,
		consumerHeartbeat("127.0.0.1@cons", "cgb", "TB"))).Code)
	for q := 0; q < 2; q++ {
		require.Equal(t, code.Success, tb.call(t, code.UpdateConsumerOffset, map[string]string{"consumerGroup": "cgb",
			"topic": "TB", "queueId": strconv.Itoa(q), "commitOffset": "1"}, nil).Code)
	}
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	requests := []struct {
		code int32
		ext  map[string]string
		body string
	}{
		{code.InvokeBrokerToGetConsumerStatus, map[string]string{"topic": "TB", "group": "cgb"}, ""},
		{code.QueryConsumeTimeSpan, map[string]string{"topic": "TB", "group": "cgb"}, ""},
		{code.GetConsumeStats, map[string]string{"consumerGroup": "cgb", "topic": "TB"}, ""},
		{code.GetTopicStatsInfo, map[string]string{"topic": "TB"}, ""},
		{code.SearchOffsetByTimestamp, map[string]string{"topic": "TB", "queueId": "0", "timestamp": now}, ""},
		{code.CheckClientConfig, nil, `{"clientId":"127.0.0.1@x","group":"cgb","subscriptionData":{"topic":"TB",` +
			`"subString":"a > 1","expressionType":"SQL92","tagsSet":[],"codeSet":[],"subVersion":1,"classFilterMode":false}}`},
		{code.InvokeBrokerToResetOffset, map[string]string{"topic": "TB", "group": "cgb", "timestamp": "0", "isForce": "true"}, ""},
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &remoting.Client{Logger: quietLog()}
			defer cl.Close()
			for _, r := range requests {
				var body []byte
				if r.body != "" {
					body = []byte(r.body)
				}
				resp, err := cl.InvokeSync(context.Background(), tb.addr, remoting.NewRequest(r.code, r.ext, body), 10*time.Second)
				if err != nil || resp.Code != code.Success {
					errs <- fmt.Sprintf("code %d: err %v resp %v", r.code, err, resp)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	select {
	case r := <-resets:
		require.Contains(t, string(r.Body), `"queueId":0,"topic":"TB"}:0`)
	case <-time.After(10 * time.Second):
		t.Fatal("no RESET_CONSUMER_CLIENT_OFFSET reached the consumer")
	}

	// A pre-V3_0_7 consumer in another group: refused, nothing sent.
	old := peerClient(t, nil)
	hb := remoting.NewRequest(code.HeartBeat, nil, consumerHeartbeat("127.0.0.1@old", "cgold", "TB"))
	hb.Version = 27
	require.Equal(t, code.Success, invokeOn(t, old, tb.addr, hb).Code)
	require.Equal(t, code.Success, tb.call(t, code.UpdateConsumerOffset, map[string]string{"consumerGroup": "cgold",
		"topic": "TB", "queueId": "0", "commitOffset": "0"}, nil).Code)
	require.Equal(t, code.Success, tb.call(t, code.UpdateConsumerOffset, map[string]string{"consumerGroup": "cgold",
		"topic": "TB", "queueId": "1", "commitOffset": "0"}, nil).Code)
	resp := tb.call(t, code.InvokeBrokerToResetOffset, map[string]string{"topic": "TB", "group": "cgold", "timestamp": "0", "isForce": "true"}, nil)
	require.Equal(t, code.SystemError, resp.Code)
	require.Equal(t, "the client does not support this feature. version=V3_0_6", resp.Remark)
}

// An undecided transaction is checked back on the producer's connection; the producer's commit (sent from its
// CHECK_TRANSACTION_STATE handler) makes the message visible; RESUME_CHECK_HALF_MESSAGE re-queues a half message.
func TestTransactionCheckBackOverTCP(t *testing.T) {
	tb := startTestBroker(t, func(c *conf.Broker) {
		c.Broker.TransactionTimeOut = 100
		c.Broker.TransactionCheckInterval = 200
	})
	tb.createTopic(t, "TT", 1)
	checks := make(chan header.CheckTransactionStateRequestHeader, 16)
	prod := peerClient(t, map[int32]remoting.HandlerFunc{
		code.CheckTransactionState: func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
			var h header.CheckTransactionStateRequestHeader
			if err := h.Decode(req.ExtFields); err != nil {
				return nil, err
			}
			checks <- h
			end := header.EndTransactionRequestHeader{ProducerGroup: "pgt", TranStateTableOffset: h.TranStateTableOffset,
				CommitLogOffset: h.CommitLogOffset, CommitOrRollback: header.TransactionCommitType,
				FromTransactionCheck: true, MsgID: h.MsgID, TransactionID: h.TransactionID}
			ext := map[string]string{}
			end.Encode(ext)
			return nil, c.InvokeOneway(remoting.NewRequest(code.EndTransaction, ext, nil))
		},
	})
	require.Equal(t, code.Success, invokeOn(t, prod, tb.addr, remoting.NewRequest(code.HeartBeat, nil,
		producerHeartbeat("127.0.0.1@pt", "pgt"))).Code)
	ext := sendV2("TT", 0, "TRAN_MSG\x01true\x02PGROUP\x01pgt\x02UNIQ_KEY\x01AC11000100002A9F0000000000000001\x02")
	ext["f"] = "4" // TRANSACTION_PREPARED_TYPE
	sent := invokeOn(t, prod, tb.addr, remoting.NewRequest(code.SendMessageV2, ext, []byte("undecided")))
	require.Equal(t, code.Success, sent.Code, sent.Remark)

	select {
	case h := <-checks:
		require.Equal(t, "AC11000100002A9F0000000000000001", h.MsgID)
	case <-time.After(20 * time.Second):
		t.Fatal("no CHECK_TRANSACTION_STATE reached the producer")
	}
	require.Eventually(t, func() bool { return tb.b.store.GetMaxOffsetInQueue("TT", 0) == 1 }, 20*time.Second,
		10*time.Millisecond, "the commit from the check-back did not deliver the message")

	resp := tb.call(t, code.ResumeCheckHalfMessage, map[string]string{"msgId": sent.Ext("msgId")}, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
}

// batchBody encodes a client MessageBatch body (store/commitlog's batch layout).
func batchBody(bodies ...string) []byte {
	var out []byte
	for _, b := range bodies {
		total := 20 + len(b) + 2
		m := make([]byte, 20, total)
		binary.BigEndian.PutUint32(m[0:], uint32(total))
		binary.BigEndian.PutUint32(m[16:], uint32(len(b)))
		m = append(m, b...)
		m = append(m, 0, 0)
		out = append(out, m...)
	}
	return out
}

// SEND_REPLY_MESSAGE_V2 pushes the reply to the requester's connection; SEND_BATCH_MESSAGE stores every inner
// message; LOCK_BATCH_MQ / UNLOCK_BATCH_MQ from two consumers at once give a queue to one of them.
func TestReplyBatchAndLocksOverTCP(t *testing.T) {
	tb := startTestBroker(t)
	tb.createTopic(t, "TR", 2)
	pushed := make(chan *remoting.Command, 4)
	req := peerClient(t, map[int32]remoting.HandlerFunc{
		code.PushReplyMessageToClient: func(c *remoting.Conn, r *remoting.Command) (*remoting.Command, error) {
			pushed <- r
			return remoting.NewResponse(r, code.Success, ""), nil
		},
	})
	require.Equal(t, code.Success, invokeOn(t, req, tb.addr, remoting.NewRequest(code.HeartBeat, nil,
		producerHeartbeat("127.0.0.1@req", "pgreq"))).Code)
	reply := tb.call(t, code.SendReplyMessageV2, sendV2("TR", 0,
		"REPLY_TO_CLIENT\x01127.0.0.1@req\x02CORRELATION_ID\x01c1\x02MSG_TYPE\x01reply\x02"), []byte("answer"))
	require.Equal(t, code.Success, reply.Code, reply.Remark)
	select {
	case r := <-pushed:
		require.Equal(t, "answer", string(r.Body))
	case <-time.After(10 * time.Second):
		t.Fatal("no PUSH_REPLY_MESSAGE_TO_CLIENT reached the requester")
	}

	batch := tb.call(t, code.SendBatchMessage, sendV2("TR", 1, ""), batchBody("b0", "b1", "b2"))
	require.Equal(t, code.Success, batch.Code, batch.Remark)
	require.Eventually(t, func() bool { return tb.b.store.GetMaxOffsetInQueue("TR", 1) == 3 }, 10*time.Second, 10*time.Millisecond)

	lockBody := func(client string) []byte {
		return []byte(`{"consumerGroup":"cgl","clientId":"` + client + `","mqSet":[{"topic":"TR","brokerName":"broker-t","queueId":0}]}`)
	}
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i, client := range []string{"127.0.0.1@l1", "127.0.0.1@l2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &remoting.Client{Logger: quietLog()}
			defer cl.Close()
			resp, err := cl.InvokeSync(context.Background(), tb.addr, remoting.NewRequest(code.LockBatchMq, nil, lockBody(client)), 10*time.Second)
			if err == nil && resp.Code == code.Success {
				got[i] = string(resp.Body)
			}
		}()
	}
	wg.Wait()
	owners := 0
	for _, b := range got {
		if b != "" && b != `{"lockOKMQSet":[]}` {
			owners++
		}
	}
	require.Equal(t, 1, owners, "exactly one consumer holds the queue: %q", got)
	for _, client := range []string{"127.0.0.1@l1", "127.0.0.1@l2"} {
		require.Equal(t, code.Success, tb.call(t, code.UnlockBatchMq, nil, lockBody(client)).Code)
	}
}
