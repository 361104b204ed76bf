package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

func rawClient(t *testing.T) *remoting.Client {
	cl := &remoting.Client{Logger: quietLogger()}
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

// The broker filters by tag itself: a raw pull with subscription "TagA" returns only TagA records, decoded
// by the official Go client's decoder.
func TestBrokerSideTagFilter(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_filter")
	c.createTopic(t, topic, 1)
	p := c.producer(t)
	for i := 0; i < 10; i++ {
		tag := "TagA"
		if i%2 == 1 {
			tag = "TagB"
		}
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("%s-%d", tag, i)).WithTag(tag))
		require.NoError(t, err)
	}
	broker := c.masterAddrs(t)[0]
	cl := rawClient(t)
	ext := map[string]string{"consumerGroup": uniq("raw"), "topic": topic, "queueId": "0", "queueOffset": "0",
		"maxMsgNums": "32", "sysFlag": "4", "commitOffset": "0", "suspendTimeoutMillis": "0", "subscription": "TagA",
		"subVersion": "0", "expressionType": "TAG"}
	var got []*primitive.MessageExt
	require.Eventually(t, func() bool {
		resp, err := cl.InvokeSync(context.Background(), broker, remoting.NewRequest(code.PullMessage, ext, nil), 10*time.Second)
		require.NoError(t, err)
		for _, k := range []string{"nextBeginOffset", "minOffset", "maxOffset", "suggestWhichBrokerId"} {
			require.Contains(t, resp.ExtFields, k, "pull response code %d", resp.Code)
		}
		// Dispatch to the consume queue is asynchronous: wait until all 10 units are there and scanned.
		if resp.Code != code.Success || resp.Ext("maxOffset") != "10" {
			return false
		}
		require.Equal(t, "10", resp.Ext("nextBeginOffset"), "one pull scans all 10 units")
		got = primitive.DecodeMessage(resp.Body)
		return true
	}, 20*time.Second, 100*time.Millisecond)
	require.Len(t, got, 5)
	for _, m := range got {
		require.Equal(t, "TagA", m.GetTags())
		require.Equal(t, topic, m.Topic)
	}
}

// Messages with the same sharding key are consumed in send order by an orderly consumer.
func TestOrderlyPerKey(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_order")
	c.createTopic(t, topic, 4)
	p := c.producer(t, producer.WithQueueSelector(producer.NewHashQueueSelector()))
	const keys, per = 4, 10
	for i := 0; i < per; i++ {
		for k := 0; k < keys; k++ {
			m := msg(topic, fmt.Sprintf("k%d-%02d", k, i))
			m.WithShardingKey(fmt.Sprintf("key-%d", k))
			_, err := p.SendSync(ctx10s(t), m)
			require.NoError(t, err)
		}
	}
	r := newReceived()
	c.pushConsumer(t, uniq("cg"), topic, "*", r, consumerOrder())
	require.Eventually(t, func() bool { return r.distinct() == keys*per }, 60*time.Second, 50*time.Millisecond,
		"consumed %d of %d", r.distinct(), keys*per)
	r.mu.Lock()
	defer r.mu.Unlock()
	last := map[string]int{}
	for _, body := range r.order {
		k := body[:2]
		n, err := strconv.Atoi(body[3:])
		require.NoError(t, err)
		if prev, ok := last[k]; ok {
			require.Greater(t, n, prev, "key %s out of order: %v", k, r.order)
		}
		last[k] = n
	}
}

// A consumer that restarts resumes after its committed offset, also across a broker restart.
func TestOffsetResume(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_resume")
	c.createTopic(t, topic, 2)
	group := uniq("cg")
	p := c.producer(t)
	send := func(prefix string, n int) {
		for i := 0; i < n; i++ {
			_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("%s-%d", prefix, i)))
			require.NoError(t, err)
		}
	}
	send("first", 10)
	r1 := newReceived()
	pc := c.pushConsumer(t, group, topic, "*", r1)
	require.Eventually(t, func() bool { return r1.distinct() == 10 }, 60*time.Second, 50*time.Millisecond)
	require.NoError(t, pc.Shutdown()) // persists its offsets to the broker

	send("second", 5)
	r2 := newReceived()
	pc = c.pushConsumer(t, group, topic, "*", r2)
	require.Eventually(t, func() bool { return r2.distinct() == 5 }, 60*time.Second, 50*time.Millisecond)
	for i := 0; i < 10; i++ {
		require.False(t, r2.has(fmt.Sprintf("first-%d", i)), "first-%d delivered again after restart", i)
	}
	require.NoError(t, pc.Shutdown())
	if c.external {
		return
	}
	c.restartBroker(t)
	send("third", 5)
	r3 := newReceived()
	c.pushConsumer(t, group, topic, "*", r3)
	require.Eventually(t, func() bool { return r3.distinct() == 5 }, 60*time.Second, 50*time.Millisecond)
	for _, prev := range []string{"first-0", "second-0"} {
		require.False(t, r3.has(prev), "%s delivered again after broker restart", prev)
	}
}

// 1 MiB and 3.9 MiB bodies go through (the client compresses what it can); over 4 MiB is refused.
func TestLargeBodies(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_large")
	c.createTopic(t, topic, 1)
	p := c.producer(t, producer.WithRetry(0))
	random := func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	mib := random(1 << 20)
	big := random(3900 * 1024)
	for _, body := range [][]byte{mib, big} {
		res, err := p.SendSync(ctx10s(t), primitive.NewMessage(topic, body))
		require.NoError(t, err)
		require.Equal(t, primitive.SendOK, res.Status)
	}
	_, err := p.SendSync(ctx10s(t), primitive.NewMessage(topic, random(4<<20+1024)))
	require.Error(t, err, "a body over maxMessageSize must be refused")
	require.Contains(t, err.Error(), "13", "MESSAGE_ILLEGAL: %v", err)

	r := newReceived()
	c.pushConsumer(t, uniq("cg"), topic, "*", r)
	require.Eventually(t, func() bool { return r.distinct() == 2 }, 60*time.Second, 50*time.Millisecond)
	require.True(t, r.has(string(mib)))
	require.True(t, r.has(string(big)))
}

// QUERY_MESSAGE by key and VIEW_MESSAGE_BY_ID by the offset message id return the stored message.
func TestQueryByKeyAndID(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_query")
	c.createTopic(t, topic, 2)
	p := c.producer(t)
	key := uniq("order")
	res, err := p.SendSync(ctx10s(t), msg(topic, "find me").WithKeys([]string{key}))
	require.NoError(t, err)
	broker := c.masterAddrs(t)[0]
	cl := rawClient(t)
	now := time.Now().UnixMilli()
	ext := map[string]string{"topic": topic, "key": key, "maxNum": "32",
		"beginTimestamp": strconv.FormatInt(now-60_000, 10), "endTimestamp": strconv.FormatInt(now+60_000, 10)}
	var found []*primitive.MessageExt
	require.Eventually(t, func() bool {
		resp, err := cl.InvokeSync(context.Background(), broker, remoting.NewRequest(code.QueryMessage, ext, nil), 10*time.Second)
		require.NoError(t, err)
		if resp.Code != code.Success {
			return false
		}
		found = primitive.DecodeMessage(resp.Body)
		return len(found) == 1
	}, 20*time.Second, 100*time.Millisecond)
	require.Equal(t, "find me", string(found[0].Body))
	require.Equal(t, res.MsgID, found[0].MsgId)

	id, err := primitive.UnmarshalMsgID([]byte(res.OffsetMsgID))
	require.NoError(t, err)
	resp, err := cl.InvokeSync(context.Background(), broker, remoting.NewRequest(code.ViewMessageById,
		map[string]string{"offset": strconv.FormatInt(id.Offset, 10)}, nil), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	viewed := primitive.DecodeMessage(resp.Body)
	require.Len(t, viewed, 1)
	require.True(t, bytes.Equal([]byte("find me"), viewed[0].Body))
	require.Equal(t, res.OffsetMsgID, viewed[0].OffsetMsgId)
}

// The Go admin API creates a topic on the broker (route appears) and deletes it (route goes).
func TestAdminCreateDeleteTopic(t *testing.T) {
	c := newCluster(t)
	broker := c.masterAddrs(t)[0]
	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver([]string{c.ns})))
	require.NoError(t, err)
	defer adm.Close()
	topic := uniq("T_admin")
	require.NoError(t, adm.CreateTopic(ctx10s(t), admin.WithTopicCreate(topic), admin.WithBrokerAddrCreate(broker)))
	cl := rawClient(t)
	routeCode := func() int32 {
		return c.invokeNS(t, cl, remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": topic}, nil)).Code
	}
	require.Eventually(t, func() bool { return routeCode() == code.Success }, 20*time.Second, 100*time.Millisecond)
	list, err := adm.FetchAllTopicList(ctx10s(t))
	require.NoError(t, err)
	require.Contains(t, list.TopicList, topic)
	require.NoError(t, adm.DeleteTopic(ctx10s(t), admin.WithTopicDelete(topic), admin.WithBrokerAddrDelete(broker),
		admin.WithNameSrvAddr([]string{c.ns})))
	require.Eventually(t, func() bool { return routeCode() == code.TopicNotExist }, 20*time.Second, 100*time.Millisecond)
}
