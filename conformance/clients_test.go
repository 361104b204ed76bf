package conformance

import (
	"context"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/stretchr/testify/require"
)

func (c *cluster) producer(t *testing.T, opts ...producer.Option) rocketmq.Producer {
	t.Helper()
	base := []producer.Option{
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.ns})),
		producer.WithGroupName(uniq("pg")),
		producer.WithInstanceName(uniq("pi")),
		producer.WithRetry(2),
		producer.WithSendMsgTimeout(10 * time.Second),
	}
	p, err := rocketmq.NewProducer(append(base, opts...)...)
	require.NoError(t, err)
	require.NoError(t, p.Start())
	t.Cleanup(func() { _ = p.Shutdown() })
	return p
}

// received collects consumed messages by body, safe for concurrent consumers.
type received struct {
	mu    sync.Mutex
	count map[string]int
	order []string
	msgs  []*primitive.MessageExt
}

func newReceived() *received { return &received{count: map[string]int{}} }

func (r *received) add(msgs ...*primitive.MessageExt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.count[string(m.Body)]++
		r.order = append(r.order, string(m.Body))
		r.msgs = append(r.msgs, m)
	}
}

func (r *received) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.count)
}

func (r *received) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.order)
}

func (r *received) has(body string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[body] > 0
}

// pushConsumer starts a push consumer of group on topic that records into r.
func (c *cluster) pushConsumer(t *testing.T, group, topic, expr string, r *received, opts ...consumer.Option) rocketmq.PushConsumer {
	t.Helper()
	base := []consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.ns})),
		consumer.WithGroupName(group),
		consumer.WithInstance(uniq("ci")),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	}
	pc, err := rocketmq.NewPushConsumer(append(base, opts...)...)
	require.NoError(t, err)
	require.NoError(t, pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: expr},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			r.add(msgs...)
			return consumer.ConsumeSuccess, nil
		}))
	require.NoError(t, pc.Start())
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = pc.Shutdown()
		}
	})
	return &stoppable{PushConsumer: pc, stopped: &stopped}
}

type stoppable struct {
	rocketmq.PushConsumer
	stopped *bool
}

func (s *stoppable) Shutdown() error {
	if *s.stopped {
		return nil
	}
	*s.stopped = true
	return s.PushConsumer.Shutdown()
}

func ctx10s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func msg(topic, body string) *primitive.Message { return primitive.NewMessage(topic, []byte(body)) }

func consumerOrder() consumer.Option { return consumer.WithConsumerOrder(true) }
