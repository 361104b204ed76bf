package main

import (
	"strconv"
	"time"

	"github.com/rocketd/rocketd/remoting/admin"
	"github.com/rocketd/rocketd/remoting/code"
)

// parseTimestamp is resetOffsetByTime's -s: "now" (-1), milliseconds, or yyyy-MM-dd#HH:mm:ss:SSS in local time.
func parseTimestamp(s string) (int64, error) {
	if s == "now" {
		return -1, nil
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ms, nil
	}
	t, err := time.ParseInLocation("2006-01-02#15:04:05:000", s, time.Local)
	if err != nil {
		return 0, badValue("s", s, "now, milliseconds since the epoch or yyyy-MM-dd#HH:mm:ss:SSS")
	}
	return t.UnixMilli(), nil
}

var resetOffsetByTimeCmd = &command{
	name: "resetOffsetByTime", desc: "Reset consumer offset by timestamp(without client restart).",
	opts: []option{
		{short: "g", long: "group", hasArg: true, required: true, desc: "set the consumer group"},
		{short: "t", long: "topic", hasArg: true, required: true, desc: "set the topic"},
		{short: "s", long: "timestamp", hasArg: true, required: true, desc: "set the timestamp[now|currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
		{short: "f", long: "force", hasArg: true, desc: "set the force rollback by timestamp switch[true|false]"},
		{short: "c", long: "cplus", desc: "reset c++ client offset"},
	},
	run: func(x *invocation) error {
		g, t, ts := x.str("g"), x.str("t"), x.str("s")
		timestamp, err := parseTimestamp(ts)
		if err != nil {
			return err
		}
		force := boolOpt(x, "f", true)
		offsets, err := x.admin.ResetOffsetByTime(x.ctx, t, g, timestamp, force, x.has("c"))
		if admin.IsCode(err, code.ConsumerNotOnline) {
			// The group has no online client: commit the offsets directly, as Java's mqadmin does.
			stats, err := x.admin.ResetOffsetByTimeOld(x.ctx, g, t, timestamp, force)
			if err != nil {
				return err
			}
			x.printf("rollback consumer offset by specified consumerGroup[%s], topic[%s], force[%t], timestamp(string)[%s], timestamp(long)[%d]\n",
				g, t, force, ts, timestamp)
			x.printf("%-20s  %-20s  %-20s  %-20s  %-20s  %-20s\n", "#brokerName", "#queueId", "#brokerOffset", "#consumerOffset", "#timestampOffset", "#rollbackOffset")
			for _, r := range stats {
				x.printf("%-20s  %-20d  %-20d  %-20d  %-20d  %-20d\n", frontAtLeast(r.BrokerName, 32), r.QueueID, r.BrokerOffset,
					r.ConsumerOffset, r.TimestampOffset, r.RollbackOffset)
			}
			return nil
		}
		if err != nil {
			return err
		}
		x.printf("rollback consumer offset by specified group[%s], topic[%s], force[%t], timestamp(string)[%s], timestamp(long)[%d]\n",
			g, t, force, ts, timestamp)
		x.printf("%-40s  %-40s  %-40s\n", "#brokerName", "#queueId", "#offset")
		for _, p := range offsets {
			x.printf("%-40s  %-40d  %-40d\n", frontAtLeast(p.K.BrokerName, 32), p.K.QueueID, p.V)
		}
		return nil
	},
}

var cloneGroupOffsetCmd = &command{
	name: "cloneGroupOffset", desc: "clone offset from other group.",
	opts: []option{
		{short: "s", long: "srcGroup", hasArg: true, required: true, desc: "set source consumer group"},
		{short: "d", long: "destGroup", hasArg: true, required: true, desc: "set destination consumer group"},
		{short: "t", long: "topic", hasArg: true, required: true, desc: "set the topic"},
		{short: "o", long: "offline", hasArg: true, desc: "the group or the topic is offline"},
	},
	run: func(x *invocation) error {
		src, dest, t := x.str("s"), x.str("d"), x.str("t")
		// As Java's: the source group's committed offsets (all its topics) are written for the destination
		// group with UPDATE_CONSUMER_OFFSET on the brokers of the topic's route; -o is not used.
		cs, err := x.admin.ConsumeStats(x.ctx, src, "")
		if err != nil {
			return err
		}
		if len(cs.Offsets) > 0 {
			route, _, err := x.admin.TopicRoute(x.ctx, t)
			if err != nil {
				return err
			}
			for _, p := range cs.Offsets {
				addr := ""
				for _, bd := range route.BrokerDatas {
					if bd.BrokerName == p.K.BrokerName {
						addr = bd.SelectAddr()
						break
					}
				}
				if addr == "" || p.V.ConsumerOffset < 0 {
					continue
				}
				if err := x.admin.UpdateConsumerOffset(x.ctx, addr, dest, p.K, p.V.ConsumerOffset); err != nil {
					return err
				}
			}
		}
		x.printf("clone group offset success. srcGroup[%s], destGroup=[%s], topic[%s]", src, dest, t)
		return nil
	},
}

// cleanCmd is cleanExpiredCQ / cleanUnusedTopic: one broker (-b), one cluster (-c) or every cluster; prints
// "success" or "false" (the last broker's answer), without a newline, as Java.
func cleanCmd(name, desc, clusterDesc string, clean func(x *invocation, addr string) error) *command {
	return &command{
		name: name, desc: desc,
		opts: []option{
			{short: "b", long: "brokerAddr", hasArg: true, desc: "Broker address"},
			{short: "c", long: "cluster", hasArg: true, desc: clusterDesc},
		},
		run: func(x *invocation) error {
			var addrs []string
			if x.has("b") {
				addrs = []string{x.str("b")}
			} else {
				ci, err := x.admin.ClusterInfo(x.ctx)
				if err != nil {
					return err
				}
				for cluster, names := range ci.ClusterAddrTable {
					if c := x.str("c"); c != "" && c != cluster {
						continue
					}
					for _, n := range names {
						bd := ci.BrokerAddrTable[n]
						for _, id := range bd.IDs() {
							addrs = append(addrs, bd.Addr(id))
						}
					}
				}
			}
			result := false
			for _, a := range addrs {
				err := clean(x, a)
				if err != nil {
					return err
				}
				result = true
			}
			if result {
				x.printf("success")
			} else {
				x.printf("false")
			}
			return nil
		},
	}
}

var cleanExpiredCQCmd = cleanCmd("cleanExpiredCQ", "Clean expired ConsumeQueue on broker.", "clustername",
	func(x *invocation, addr string) error { return x.admin.CleanExpiredConsumeQueue(x.ctx, addr) })

var cleanUnusedTopicCmd = cleanCmd("cleanUnusedTopic", "Clean unused topic on broker.", "cluster name",
	func(x *invocation, addr string) error { return x.admin.CleanUnusedTopic(x.ctx, addr) })
