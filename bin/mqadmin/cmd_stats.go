package main

import (
	"sort"
	"strconv"
	"strings"

	"github.com/rocketd/rocketd/remoting/admin"
)

var statsAllCmd = &command{
	name: "statsAll", desc: "Topic and Consumer tps stats",
	opts: []option{
		{short: "a", long: "activeTopic", desc: "print active topic only"},
		{short: "t", long: "topic", hasArg: true, desc: "print select topic only"},
	},
	run: func(x *invocation) error {
		topics, err := x.admin.TopicList(x.ctx)
		if err != nil {
			return err
		}
		x.printf("%-64s  %-64s %12s %11s %11s %14s %14s\n", "#Topic", "#Consumer Group", "#Accumulation", "#InTPS", "#OutTPS", "#InMsg24Hour", "#OutMsg24Hour")
		sel := x.c.String("t")
		for _, t := range topics {
			if strings.HasPrefix(t, "%RETRY%") || strings.HasPrefix(t, "%DLQ%") || sel != "" && t != sel {
				continue
			}
			topicStats(x, t, x.has("a"))
		}
		return nil
	},
}

// topicStats prints statsAll's lines of one topic; failures leave a topic out, as in Java.
func topicStats(x *invocation, t string, activeOnly bool) {
	route, _, err := x.admin.TopicRoute(x.ctx, t)
	if err != nil {
		return
	}
	var groups []string
	if len(route.BrokerDatas) > 0 {
		one := &admin.TopicRouteData{BrokerDatas: route.BrokerDatas[:1]}
		if groups, err = x.admin.TopicConsumeByWho(x.ctx, one, t); err != nil {
			return
		}
	}
	var inTPS float64
	var inToday int64
	for _, bd := range route.BrokerDatas {
		if m := bd.Addr(0); m != "" {
			if s, err := x.admin.ViewBrokerStatsData(x.ctx, m, "TOPIC_PUT_NUMS", t); err == nil {
				inTPS += s.StatsMinute.Tps
				inToday += s.Sum24h()
			}
		}
	}
	if len(groups) == 0 {
		if !activeOnly || inToday > 0 {
			x.printf("%-64s  %-64s %12d %11.2f %11s %14d %14s\n", frontAtLeast(t, 64), "", 0, inTPS, "", inToday, "NO_CONSUMER")
		}
		return
	}
	for _, g := range groups {
		var outTPS float64
		var outToday int64
		for _, bd := range route.BrokerDatas {
			if m := bd.Addr(0); m != "" {
				if s, err := x.admin.ViewBrokerStatsData(x.ctx, m, "GROUP_GET_NUMS", t+"@"+g); err == nil {
					outTPS += s.StatsMinute.Tps
					outToday += s.Sum24h()
				}
			}
		}
		var acc int64
		if cs, err := x.admin.ConsumeStats(x.ctx, g, t); err == nil {
			acc = max(cs.TotalDiff(), 0)
		}
		if !activeOnly || inToday > 0 || outToday > 0 {
			x.printf("%-64s  %-64s %12d %11.2f %11.2f %14d %14d\n", frontAtLeast(t, 64), frontAtLeast(g, 64), acc, inTPS, outTPS, inToday, outToday)
		}
	}
}

var brokerConsumeStatsCmd = &command{
	name: "brokerConsumeStats", desc: "Fetch broker consume stats data",
	opts: []option{
		{short: "b", long: "brokerAddr", hasArg: true, required: true, desc: "Broker address"},
		{short: "t", long: "timeoutMillis", hasArg: true, desc: "request timeout Millis"},
		{short: "l", long: "level", hasArg: true, desc: "threshold of print diff"},
		{short: "o", long: "order", hasArg: true, desc: "order topic"},
	},
	run: func(x *invocation) error {
		level, err := intOpt(x, "l", 0)
		if err != nil {
			return err
		}
		if x.has("t") {
			if _, err := strconv.ParseInt(x.str("t"), 10, 64); err != nil {
				return badValue("t", x.str("t"), "a number of milliseconds")
			}
		}
		groups, total, err := x.admin.BrokerConsumeStats(x.ctx, x.str("b"), boolOpt(x, "o", false))
		if err != nil {
			return err
		}
		x.printf("%-64s  %-64s  %-32s  %-4s  %-20s  %-20s  %-20s  %s\n", "#Topic", "#Group", "#Broker Name", "#QID", "#Broker Offset", "#Consumer Offset", "#Diff", "#LastTime")
		for _, g := range groups {
			for _, cs := range g.Stats {
				offs := append([]admin.Pair[admin.MessageQueue, admin.OffsetWrapper](nil), cs.Offsets...)
				sort.SliceStable(offs, func(i, j int) bool { return offs[i].K.Less(offs[j].K) })
				for _, p := range offs {
					diff := p.V.BrokerOffset - p.V.ConsumerOffset
					if diff < level || p.V.LastTimestamp <= 0 {
						continue
					}
					x.printf("%-64s  %-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s\n", frontAtLeast(p.K.Topic, 64), g.Group,
						frontAtLeast(p.K.BrokerName, 32), p.K.QueueID, p.V.BrokerOffset, p.V.ConsumerOffset, diff, formatSeconds(p.V.LastTimestamp))
				}
			}
		}
		x.printf("\nDiff Total: %d\n", total)
		return nil
	},
}
