package main

import (
	"errors"
	"strconv"

	jsoniter "github.com/json-iterator/go"
)

var queryCqCmd = &command{
	name: "queryCq", desc: "Query cq command.",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "q", long: "queue", hasArg: true, required: true, desc: "queue num, ie. 1"},
		{short: "i", long: "index", hasArg: true, required: true, desc: "start queue index."},
		{short: "c", long: "count", hasArg: true, desc: "how many."},
		{short: "b", long: "broker", hasArg: true, desc: "broker addr."},
		{short: "g", long: "consumer", hasArg: true, desc: "consumer group."},
	},
	run: func(x *invocation) error {
		t := x.str("t")
		q, err := strconv.ParseInt(x.str("q"), 10, 32)
		if err != nil {
			return badValue("q", x.str("q"), "a queue id")
		}
		index, err := strconv.ParseInt(x.str("i"), 10, 64)
		if err != nil {
			return badValue("i", x.str("i"), "an index")
		}
		count, err := intOpt(x, "c", 10)
		if err != nil {
			return err
		}
		broker := x.str("b")
		if broker == "" {
			route, _, err := x.admin.TopicRoute(x.ctx, t)
			if err != nil {
				return err
			}
			if len(route.BrokerDatas) == 0 {
				return errors.New("No topic route data!")
			}
			broker = route.BrokerDatas[0].Addr(0)
		}
		body, remark, err := x.admin.QueryConsumeQueue(x.ctx, broker, t, int32(q), index, int32(count), x.str("g"))
		if err != nil {
			return err
		}
		if body == nil {
			// Java 4.9.8's mqadmin fails here with a NullPointerException; say what the broker said.
			return errors.New(remark)
		}
		const sep = "======================================\n"
		if body.SubscriptionData != nil {
			b, _ := jsoniter.ConfigCompatibleWithStandardLibrary.Marshal(body.SubscriptionData)
			s, err := prettyRoute(b)
			if err != nil {
				return err
			}
			x.printf("Subscription data: \n%s\n", s)
			x.printf(sep)
		}
		if body.FilterData != nil {
			x.printf("Filter data: \n%s\n", *body.FilterData)
			x.printf(sep)
		}
		x.printf("Queue data: \nmax: %d, min: %d\n", body.MaxQueueIndex, body.MinQueueIndex)
		x.printf(sep)
		for i, d := range body.QueueData {
			x.printf("idx: %d\n", index+int64(i))
			x.printf("ConsumeQueueData{physicOffset=%d, physicSize=%d, tagsCode=%d, extendDataJson='%s', bitMap='%s', eval=%t, msg='%s'}\n",
				d.PhysicOffset, d.PhysicSize, d.TagsCode, nullStr(d.ExtendDataJSON), nullStr(d.BitMap), d.Eval, nullStr(d.Msg))
			x.printf(sep)
		}
		return nil
	},
}

func nullStr(s string) string {
	if s == "" {
		return "null"
	}
	return s
}
