package rocketdtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"

	"github.com/rocketd/rocketd/conformance/rocketdtest"
)

// A cluster in the test process, driven by the official Go client: create a topic, send a message, consume it.
// In a test, rocketdtest.Start(t) does the same as New and stops the cluster in t.Cleanup.
func Example() {
	rlog.SetLogLevel("error")
	c, err := rocketdtest.New(rocketdtest.WithBrokerConfig("autoCreateTopicEnable", "false"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ns := []string{c.NamesrvAddr()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver(ns)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer adm.Close()
	if err := adm.CreateTopic(ctx, admin.WithTopicCreate("Orders"), admin.WithBrokerAddrCreate(c.BrokerAddr())); err != nil {
		fmt.Println(err)
		return
	}

	p, _ := rocketmq.NewProducer(producer.WithNameServer(ns), producer.WithGroupName("example-producer"))
	if err := p.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer p.Shutdown()
	res, err := p.SendSync(ctx, primitive.NewMessage("Orders", []byte("order #1")))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sent:", res.Status == primitive.SendOK)

	got := make(chan string, 1)
	pc, _ := rocketmq.NewPushConsumer(consumer.WithNameServer(ns), consumer.WithGroupName("example-consumer"),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
	_ = pc.Subscribe("Orders", consumer.MessageSelector{}, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for _, m := range msgs {
			select {
			case got <- string(m.Body):
			default:
			}
		}
		return consumer.ConsumeSuccess, nil
	})
	if err := pc.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer pc.Shutdown()
	select {
	case body := <-got:
		fmt.Println("received:", body)
	case <-ctx.Done():
		fmt.Println("nothing received")
	}
	// Output:
	// sent: true
	// received: order #1
}
