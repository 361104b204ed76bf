// Command seed puts known data into a RocketMQ 4.x cluster (rocketd or Java) for the dashboard check: a
// topic, a subscription group with its retry topic, messages with keys, and a committed consumer offset that
// leaves a lag.
//
//	go run ./compat/dashboard/seed -n 127.0.0.1:9876 -b 127.0.0.1:10911
//
// It speaks the remoting protocol through rocketd's client, so it needs no Java and no admin tool.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

func main() {
	ns := flag.String("n", "", "name server host:port (only checked to answer)")
	broker := flag.String("b", "", "broker host:port")
	topic := flag.String("topic", "DashTopic", "topic to create")
	group := flag.String("group", "DashGroup", "subscription group to create")
	msgs := flag.Int("messages", 5, "messages to send to queue 0")
	consumed := flag.Int("consumed", 2, "offset to commit for the group on queue 0 (lag = messages - consumed)")
	flag.Parse()
	if err := seed(*ns, *broker, *topic, *group, *msgs, *consumed); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func seed(ns, broker, topic, group string, msgs, consumed int) error {
	if ns == "" || broker == "" {
		return fmt.Errorf("give -n namesrv and -b broker")
	}
	cl := &remoting.Client{}
	defer cl.Close()
	ctx := context.Background()
	call := func(addr string, c int32, ext map[string]string, body []byte) error {
		resp, err := cl.InvokeSync(ctx, addr, remoting.NewRequest(c, ext, body), 10*time.Second)
		if err != nil {
			return fmt.Errorf("code %d to %s: %w", c, addr, err)
		}
		if resp.Code != code.Success {
			return fmt.Errorf("code %d to %s: response %d %s", c, addr, resp.Code, resp.Remark)
		}
		return nil
	}
	if err := call(ns, code.GetBrokerClusterInfo, nil, nil); err != nil {
		return err
	}
	if err := call(broker, code.UpdateAndCreateTopic, map[string]string{"topic": topic, "defaultTopic": "TBW102",
		"readQueueNums": "4", "writeQueueNums": "4", "perm": "6", "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0",
		"order": "false"}, nil); err != nil {
		return err
	}
	// The retry topic a consumer's heartbeat would create: without it the admin tools' examineConsumeStats
	// (the dashboard's consumer list) fails on its route and shows a lag of -1, on Java as on rocketd.
	if err := call(broker, code.UpdateAndCreateTopic, map[string]string{"topic": "%RETRY%" + group, "defaultTopic": "TBW102",
		"readQueueNums": "1", "writeQueueNums": "1", "perm": "6", "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0",
		"order": "false"}, nil); err != nil {
		return err
	}
	sub := `{"groupName":"` + group + `","consumeEnable":true,"consumeFromMinEnable":true,"consumeBroadcastEnable":true,` +
		`"retryQueueNums":1,"retryMaxTimes":16,"brokerId":0,"whichBrokerWhenConsumeSlowly":1,"notifyConsumerIdsChangedEnable":true}`
	if err := call(broker, code.UpdateAndCreateSubscriptiongroup, nil, []byte(sub)); err != nil {
		return err
	}
	for i := 0; i < msgs; i++ {
		props := "KEYS\x01dash-key-" + strconv.Itoa(i) + "\x02TAGS\x01TagA\x02WAIT\x01true"
		ext := map[string]string{"a": "DashProducer", "b": topic, "c": "TBW102", "d": "4", "e": "0", "f": "0",
			"g": strconv.FormatInt(time.Now().UnixMilli(), 10), "h": "0", "i": props}
		if err := call(broker, code.SendMessageV2, ext, []byte("dashboard message "+strconv.Itoa(i))); err != nil {
			return err
		}
	}
	if err := call(broker, code.UpdateConsumerOffset, map[string]string{"consumerGroup": group, "topic": topic,
		"queueId": "0", "commitOffset": strconv.Itoa(consumed)}, nil); err != nil {
		return err
	}
	fmt.Printf("seeded topic=%s group=%s messages=%d lag=%d\n", topic, group, msgs, msgs-consumed)
	return nil
}
