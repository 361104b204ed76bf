package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

func init() { rlog.SetLogLevel("error") }

// ClientSend is SendConfig's load through the official Go client v2.1.2 (DefaultProducer): Namesrv is used
// instead of Addr, InFlight goroutines call SendSync (or, with Async, a window of SendAsync), Batch > 1 sends
// that many messages per SendSync. Conns, Queues, Wait and Binary are the client's business here.
func ClientSend(ctx context.Context, namesrv string, cfg SendConfig) (*SendResult, error) {
	cfg.defaults()
	if cfg.Async && cfg.Batch > 1 {
		return nil, errors.New("bench: client mode: -async with -batch is not supported")
	}
	p, err := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{namesrv})),
		producer.WithGroupName(cfg.Group),
		producer.WithInstanceName("bench"+strconv.FormatInt(time.Now().UnixNano(), 36)),
		producer.WithRetry(2),
		producer.WithSendMsgTimeout(cfg.Timeout),
	)
	if err != nil {
		return nil, err
	}
	if err := p.Start(); err != nil {
		return nil, err
	}
	defer p.Shutdown()
	r := &sendRun{cfg: cfg}
	r.res.Codes = map[int32]int64{}
	body := payload(cfg.Size)
	newMsg := func(seq int64) *primitive.Message {
		m := primitive.NewMessage(cfg.Topic, body)
		if cfg.Tags != "" {
			m.WithTag(cfg.Tags)
		}
		if cfg.Keys {
			m.WithKeys([]string{"k" + strconv.FormatInt(seq, 36)})
		}
		return m
	}
	stop := func() bool {
		return r.phase.Load() == phaseStop || ctx.Err() != nil || (cfg.MaxMsgs > 0 && r.total.Load() >= cfg.MaxMsgs)
	}
	var wg sync.WaitGroup
	if cfg.Async {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mu sync.Mutex
			var s sendStats
			var inner sync.WaitGroup
			defer func() { inner.Wait(); r.merge(&s) }()
			sem := make(chan struct{}, cfg.InFlight)
			for seq := int64(0); !stop(); seq++ {
				sem <- struct{}{}
				t0 := time.Now()
				inner.Add(1)
				err := p.SendAsync(ctx, func(_ context.Context, res *primitive.SendResult, err error) {
					lat := time.Since(t0)
					mu.Lock()
					clientDone(r, &s, res, err, lat)
					mu.Unlock()
					<-sem
					inner.Done()
				}, newMsg(seq))
				if err != nil {
					mu.Lock()
					r.fail(&s, -1, err.Error())
					mu.Unlock()
					<-sem
					inner.Done()
					time.Sleep(time.Millisecond)
				}
			}
		}()
	} else {
		for w := 0; w < cfg.InFlight; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var s sendStats
				defer r.merge(&s)
				msgs := make([]*primitive.Message, cfg.Batch)
				for seq := int64(w) << 32; !stop(); seq++ {
					for i := range msgs {
						msgs[i] = newMsg(seq)
					}
					t0 := time.Now()
					res, err := p.SendSync(ctx, msgs...)
					clientDone(r, &s, res, err, time.Since(t0))
					if err != nil {
						time.Sleep(time.Millisecond)
					}
				}
			}()
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	r.phaseTimer(ctx, done)
	select {
	case <-done:
	case <-time.After(2*cfg.Timeout + 5*time.Second):
		return nil, errors.New("bench: client senders did not stop in time")
	}
	return &r.res, nil
}

func clientDone(r *sendRun, s *sendStats, res *primitive.SendResult, err error, lat time.Duration) {
	switch {
	case err != nil:
		r.fail(s, -1, err.Error())
	case res.Status != primitive.SendOK:
		r.fail(s, int32(100+res.Status), fmt.Sprintf("send status %d", res.Status))
	default:
		r.ok(s, lat)
	}
}

// ClientConsume runs an official Go client push consumer (clustering, from the first offset) on the topic
// and counts what it delivers, for at most d or until `until` messages arrived.
func ClientConsume(ctx context.Context, namesrv, topic, group string, d time.Duration, until int64) (*ConsumeResult, error) {
	var n atomic.Int64
	var bytes atomic.Int64
	enough := make(chan struct{})
	var once sync.Once
	c, err := rocketmq.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{namesrv})),
		consumer.WithGroupName(group),
		consumer.WithInstance("bench"+strconv.FormatInt(time.Now().UnixNano(), 36)),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		return nil, err
	}
	err = c.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			var b int64
			for _, m := range msgs {
				b += int64(len(m.Body))
			}
			bytes.Add(b)
			if v := n.Add(int64(len(msgs))); until > 0 && v >= until {
				once.Do(func() { close(enough) })
			}
			return consumer.ConsumeSuccess, nil
		})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := c.Start(); err != nil {
		return nil, err
	}
	select {
	case <-time.After(d):
	case <-enough:
	case <-ctx.Done():
	}
	res := &ConsumeResult{Msgs: n.Load(), Bytes: bytes.Load(), Elapsed: time.Since(start)}
	_ = c.Shutdown()
	return res, nil
}
