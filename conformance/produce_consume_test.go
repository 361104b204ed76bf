package conformance

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"
)

// Sync, async, oneway and batch sends all arrive at a push consumer exactly as sent.
func TestSendModesAndPushConsume(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_send")
	c.createTopic(t, topic, 4)
	p := c.producer(t)
	ctx := ctx10s(t)

	var want []string
	for i := 0; i < 10; i++ {
		body := fmt.Sprintf("sync-%d", i)
		res, err := p.SendSync(ctx, msg(topic, body))
		require.NoError(t, err)
		require.Equal(t, primitive.SendOK, res.Status)
		require.Len(t, res.OffsetMsgID, 32)
		want = append(want, body)
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		body := fmt.Sprintf("async-%d", i)
		want = append(want, body)
		wg.Add(1)
		require.NoError(t, p.SendAsync(ctx, func(_ context.Context, res *primitive.SendResult, err error) {
			defer wg.Done()
			require.NoError(t, err)
			require.Equal(t, primitive.SendOK, res.Status)
		}, msg(topic, body)))
	}
	wg.Wait()
	for i := 0; i < 5; i++ {
		body := fmt.Sprintf("oneway-%d", i)
		want = append(want, body)
		require.NoError(t, p.SendOneWay(ctx, msg(topic, body)))
	}
	var batch []*primitive.Message
	for i := 0; i < 5; i++ {
		body := fmt.Sprintf("batch-%d", i)
		want = append(want, body)
		batch = append(batch, msg(topic, body))
	}
	res, err := p.SendSync(ctx, batch...)
	require.NoError(t, err)
	require.Equal(t, primitive.SendOK, res.Status)
	require.Len(t, strings.Split(res.OffsetMsgID, ","), 5, "batch answers one offset msgId per message")

	r := newReceived()
	c.pushConsumer(t, uniq("cg"), topic, "*", r)
	require.Eventually(t, func() bool { return r.distinct() == len(want) }, 60*time.Second, 50*time.Millisecond,
		"consumed %d of %d", r.distinct(), len(want))
	for _, w := range want {
		require.True(t, r.has(w), "missing %s", w)
	}
}

// Two consumers of one group share the queues: every message is consumed, and both get some.
func TestClusteringSharesQueues(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_cluster")
	c.createTopic(t, topic, 4)
	group := uniq("cg")
	r1, r2 := newReceived(), newReceived()
	c.pushConsumer(t, group, topic, "*", r1)
	c.pushConsumer(t, group, topic, "*", r2)
	p := c.producer(t)
	// Consumers rebalance on their own; sends below spread over all queues.
	const n = 40
	for i := 0; i < n; i++ {
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("m-%d", i)))
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool {
		all := map[string]bool{}
		for _, r := range []*received{r1, r2} {
			r.mu.Lock()
			for k := range r.count {
				all[k] = true
			}
			r.mu.Unlock()
		}
		return len(all) == n
	}, 60*time.Second, 50*time.Millisecond)
	// After rebalancing settles, both members own queues; new messages reach both.
	require.Eventually(t, func() bool {
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("late-%d", time.Now().UnixNano())))
		require.NoError(t, err)
		return r1.total() > 0 && r2.total() > 0
	}, 60*time.Second, 200*time.Millisecond, "one consumer never got a queue")
}

// Broadcasting consumers each receive every message.
func TestBroadcasting(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_bcast")
	c.createTopic(t, topic, 2)
	group := uniq("cg")
	r1, r2 := newReceived(), newReceived()
	c.pushConsumer(t, group, topic, "*", r1, consumer.WithConsumerModel(consumer.BroadCasting))
	c.pushConsumer(t, group, topic, "*", r2, consumer.WithConsumerModel(consumer.BroadCasting))
	p := c.producer(t)
	const n = 10
	for i := 0; i < n; i++ {
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("b-%d", i)))
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return r1.distinct() == n && r2.distinct() == n }, 60*time.Second, 50*time.Millisecond,
		"consumer 1 got %d, consumer 2 got %d of %d", r1.distinct(), r2.distinct(), n)
}

// A tag subscription receives only its tag.
func TestTagSubscription(t *testing.T) {
	c := newCluster(t)
	topic := uniq("T_tag")
	c.createTopic(t, topic, 2)
	p := c.producer(t)
	for i := 0; i < 6; i++ {
		tag := []string{"TagA", "TagB", "TagC"}[i%3]
		_, err := p.SendSync(ctx10s(t), msg(topic, fmt.Sprintf("%s-%d", tag, i)).WithTag(tag))
		require.NoError(t, err)
	}
	r := newReceived()
	c.pushConsumer(t, uniq("cg"), topic, "TagA || TagC", r)
	require.Eventually(t, func() bool { return r.distinct() == 4 }, 60*time.Second, 50*time.Millisecond)
	require.Never(t, func() bool { return r.distinct() > 4 }, 500*time.Millisecond, 50*time.Millisecond, "a TagB message")
	r.mu.Lock()
	defer r.mu.Unlock()
	for body := range r.count {
		require.False(t, strings.HasPrefix(body, "TagB"), "TagB delivered: %s", body)
	}
}
