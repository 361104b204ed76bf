package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rocketd/rocketd/remoting/admin"
)

// needBrokerOrCluster is what Java does when neither -b nor -c is given: print the usage.
var needBrokerOrCluster = usageError{"give -b <broker address> or -c <cluster name>"}

func subGroupString(s admin.SubscriptionGroupConfig) string {
	return fmt.Sprintf("SubscriptionGroupConfig [groupName=%s, consumeEnable=%t, consumeFromMinEnable=%t, consumeBroadcastEnable=%t, retryQueueNums=%d, retryMaxTimes=%d, brokerId=%d, whichBrokerWhenConsumeSlowly=%d, notifyConsumerIdsChangedEnable=%t]",
		s.GroupName, s.ConsumeEnable, s.ConsumeFromMinEnable, s.ConsumeBroadcastEnable, s.RetryQueueNums,
		s.RetryMaxTimes, s.BrokerID, s.WhichBrokerWhenConsumeSlowly, s.NotifyConsumerIdsChangedEnable)
}

var updateSubGroupCmd = &command{
	name: "updateSubGroup", desc: "Update or create subscription group",
	opts: []option{
		{short: "b", long: "brokerAddr", hasArg: true, desc: "create subscription group to which broker"},
		{short: "c", long: "clusterName", hasArg: true, desc: "create subscription group to which cluster"},
		{short: "g", long: "groupName", hasArg: true, required: true, desc: "consumer group name"},
		{short: "s", long: "consumeEnable", hasArg: true, desc: "consume enable"},
		{short: "m", long: "consumeFromMinEnable", hasArg: true, desc: "from min offset"},
		{short: "d", long: "consumeBroadcastEnable", hasArg: true, desc: "broadcast"},
		{short: "q", long: "retryQueueNums", hasArg: true, desc: "retry queue nums"},
		{short: "r", long: "retryMaxTimes", hasArg: true, desc: "retry max times"},
		{short: "i", long: "brokerId", hasArg: true, desc: "consumer from which broker id"},
		{short: "w", long: "whichBrokerWhenConsumeSlowly", hasArg: true, desc: "which broker id when consume slowly"},
		{short: "a", long: "notifyConsumerIdsChanged", hasArg: true, desc: "notify consumerId changed"},
	},
	run: func(x *invocation) error {
		sg := admin.DefaultSubscriptionGroupConfig(x.str("g"))
		sg.ConsumeBroadcastEnable, sg.ConsumeFromMinEnable = false, false
		sg.ConsumeEnable = boolOpt(x, "s", sg.ConsumeEnable)
		sg.ConsumeFromMinEnable = boolOpt(x, "m", sg.ConsumeFromMinEnable)
		sg.ConsumeBroadcastEnable = boolOpt(x, "d", sg.ConsumeBroadcastEnable)
		sg.NotifyConsumerIdsChangedEnable = boolOpt(x, "a", sg.NotifyConsumerIdsChangedEnable)
		for _, o := range []struct {
			short string
			set   func(int64)
		}{
			{"q", func(v int64) { sg.RetryQueueNums = int32(v) }},
			{"r", func(v int64) { sg.RetryMaxTimes = int32(v) }},
			{"i", func(v int64) { sg.BrokerID = v }},
			{"w", func(v int64) { sg.WhichBrokerWhenConsumeSlowly = v }},
		} {
			if x.has(o.short) {
				v, err := intOpt(x, o.short, 0)
				if err != nil {
					return err
				}
				o.set(v)
			}
		}
		switch {
		case x.has("b"):
			addr := x.str("b")
			if err := x.admin.CreateSubscriptionGroup(x.ctx, addr, sg); err != nil {
				return err
			}
			x.printf("create subscription group to %s success.\n", addr)
		case x.has("c"):
			masters, err := clusterMasters(x, x.str("c"))
			if err != nil {
				return err
			}
			for _, addr := range masters {
				if err := x.admin.CreateSubscriptionGroup(x.ctx, addr, sg); err != nil {
					return err
				}
				x.printf("create subscription group to %s success.\n", addr)
			}
		default:
			return needBrokerOrCluster
		}
		x.printf("%s", subGroupString(sg))
		return nil
	},
}

var deleteSubGroupCmd = &command{
	name: "deleteSubGroup", desc: "Delete subscription group from broker.",
	opts: []option{
		{short: "b", long: "brokerAddr", hasArg: true, desc: "delete subscription group from which broker"},
		{short: "c", long: "clusterName", hasArg: true, desc: "delete subscription group from which cluster"},
		{short: "g", long: "groupName", hasArg: true, required: true, desc: "subscription group name"},
		{short: "r", long: "removeOffset", hasArg: true, desc: "remove offset"},
	},
	run: func(x *invocation) error {
		g := x.str("g")
		remove := boolOpt(x, "r", false)
		switch {
		case x.has("b"):
			addr := x.str("b")
			if err := x.admin.DeleteSubscriptionGroup(x.ctx, addr, g, remove); err != nil {
				return err
			}
			x.printf("delete subscription group [%s] from broker [%s] success.\n", g, addr)
		case x.has("c"):
			cluster := x.str("c")
			masters, err := clusterMasters(x, cluster)
			if err != nil {
				return err
			}
			for _, addr := range masters {
				if err := x.admin.DeleteSubscriptionGroup(x.ctx, addr, g, remove); err != nil {
					return err
				}
				x.printf("delete subscription group [%s] from broker [%s] in cluster [%s] success.\n", g, addr, cluster)
			}
			// Java then deletes the group's %RETRY% and %DLQ% topics from the cluster, printing as deleteTopic.
			for _, t := range []string{"%RETRY%" + g, "%DLQ%" + g} {
				if err := deleteTopicInCluster(x, cluster, t, masters); err != nil {
					return err
				}
			}
		default:
			return needBrokerOrCluster
		}
		return nil
	},
}

var consumerConnectionCmd = &command{
	name: "consumerConnection", desc: "Query consumer's socket connection, client version and subscription",
	opts: []option{
		{short: "g", long: "consumerGroup", hasArg: true, required: true, desc: "consumer group name"},
		{short: "b", long: "brokerAddr", hasArg: true, desc: "broker address"},
	},
	run: func(x *invocation) error {
		cc, err := x.admin.ConsumerConnection(x.ctx, x.str("g"), x.str("b"))
		if err != nil {
			return err
		}
		x.printf("%-36s %-22s %-10s %s\n", "#ClientId", "#ClientAddr", "#Language", "#Version")
		for _, c := range cc.ConnectionSet {
			x.printf("%-36s %-22s %-10s %s\n", c.ClientID, c.ClientAddr, c.Language, admin.VersionDesc(c.Version))
		}
		x.printf("\nBelow is subscription:\n")
		x.printf("%-20s %s\n", "#Topic", "#SubExpression")
		topics := make([]string, 0, len(cc.SubscriptionTable))
		for t := range cc.SubscriptionTable {
			topics = append(topics, t)
		}
		sort.Strings(topics)
		for _, t := range topics {
			sd := cc.SubscriptionTable[t]
			x.printf("%-20s %s\n", sd.Topic, sd.SubString)
		}
		x.printf("\n")
		x.printf("ConsumeType: %s\n", cc.ConsumeType)
		x.printf("MessageModel: %s\n", cc.MessageModel)
		x.printf("ConsumeFromWhere: %s\n", cc.ConsumeFromWhere)
		return nil
	},
}

var producerConnectionCmd = &command{
	name: "producerConnection", desc: "Query producer's socket connection and client version",
	opts: []option{
		{short: "g", long: "producerGroup", hasArg: true, required: true, desc: "producer group name"},
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
	},
	run: func(x *invocation) error {
		conns, err := x.admin.ProducerConnection(x.ctx, x.str("g"), x.str("t"))
		if err != nil {
			return err
		}
		for i, c := range conns {
			x.printf("%04d  %-32s %-22s %-8s %s\n", i+1, c.ClientID, c.ClientAddr, c.Language, admin.VersionDesc(c.Version))
		}
		return nil
	},
}

var consumerProgressCmd = &command{
	name: "consumerProgress", desc: "Query consumers's progress, speed",
	opts: []option{
		{short: "g", long: "groupName", hasArg: true, desc: "consumer group name"},
		{short: "s", long: "showClientIP", hasArg: true, desc: "Show Client IP per Queue"},
	},
	run: func(x *invocation) error {
		if !x.has("g") {
			return consumerGroupsSummary(x)
		}
		g := x.str("g")
		showIP := strings.EqualFold(x.str("s"), "true")
		cs, err := x.admin.ConsumeStats(x.ctx, g, "")
		if err != nil {
			return err
		}
		var owners map[admin.MessageQueue]string
		if showIP {
			owners = queueOwners(x, g)
			x.printf("%-64s  %-32s  %-4s  %-20s  %-20s  %-20s %-20s  %s\n", "#Topic", "#Broker Name", "#QID", "#Broker Offset", "#Consumer Offset", "#Client IP", "#Diff", "#LastTime")
		} else {
			x.printf("%-64s  %-32s  %-4s  %-20s  %-20s  %-20s  %s\n", "#Topic", "#Broker Name", "#QID", "#Broker Offset", "#Consumer Offset", "#Diff", "#LastTime")
		}
		var total int64
		for _, p := range cs.Offsets {
			diff := p.V.BrokerOffset - p.V.ConsumerOffset
			total += diff
			last := "N/A"
			if p.V.LastTimestamp != 0 {
				last = formatSeconds(p.V.LastTimestamp)
			}
			if showIP {
				ip := owners[p.K]
				if ip == "" {
					ip = "N/A"
				}
				x.printf("%-64s  %-32s  %-4d  %-20d  %-20d  %-20s %-20d  %s\n", frontAtLeast(p.K.Topic, 64), frontAtLeast(p.K.BrokerName, 32),
					p.K.QueueID, p.V.BrokerOffset, p.V.ConsumerOffset, ip, diff, last)
				continue
			}
			x.printf("%-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s\n", frontAtLeast(p.K.Topic, 64), frontAtLeast(p.K.BrokerName, 32),
				p.K.QueueID, p.V.BrokerOffset, p.V.ConsumerOffset, diff, last)
		}
		x.printf("\n")
		x.printf("Consume TPS: %.2f\n", cs.ConsumeTps)
		x.printf("Diff Total: %d\n", total)
		return nil
	},
}

// consumerGroupsSummary is consumerProgress without -g: one line per group that has a %RETRY% topic.
func consumerGroupsSummary(x *invocation) error {
	topics, err := x.admin.TopicList(x.ctx)
	if err != nil {
		return err
	}
	x.printf("%-64s  %-6s  %-24s %-5s  %-14s  %-7s  %s\n", "#Group", "#Count", "#Version", "#Type", "#Model", "#TPS", "#Diff Total")
	for _, t := range topics {
		if len(t) <= len("%RETRY%") || t[:len("%RETRY%")] != "%RETRY%" {
			continue
		}
		g := t[len("%RETRY%"):]
		var tps int
		var diff int64
		if cs, err := x.admin.ConsumeStats(x.ctx, g, ""); err == nil {
			tps, diff = int(cs.ConsumeTps), cs.TotalDiff()
		}
		count, version, typ, model := 0, "OFFLINE", "", ""
		if cc, err := x.admin.ConsumerConnection(x.ctx, g, ""); err == nil {
			count = len(cc.ConnectionSet)
			if count > 0 {
				version = admin.VersionDesc(cc.MinVersion())
			}
			switch cc.ConsumeType {
			case "CONSUME_ACTIVELY":
				typ = "PULL"
			case "CONSUME_PASSIVELY":
				typ = "PUSH"
			}
			model = cc.MessageModel
		}
		x.printf("%-64s  %-6d  %-24s %-5s  %-14s  %-7d  %d\n", frontAtLeast(g, 64), count, version, typ, model, tps, diff)
	}
	return nil
}
