package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rocketd/rocketd/remoting/admin"
)

// humanMillis is Java UtilAll.timeMillisToHumanString: yyyyMMddHHmmssSSS in local time.
func humanMillis(ms int64) string {
	t := time.UnixMilli(ms)
	return t.Format("20060102150405") + fmt.Sprintf("%03d", t.Nanosecond()/1e6)
}

func processQueueString(p admin.ProcessQueueInfo) string {
	return fmt.Sprintf("ProcessQueueInfo [commitOffset=%d, cachedMsgMinOffset=%d, cachedMsgMaxOffset=%d, cachedMsgCount=%d, cachedMsgSizeInMiB=%d, transactionMsgMinOffset=%d, transactionMsgMaxOffset=%d, transactionMsgCount=%d, locked=%t, tryUnlockTimes=%d, lastLockTimestamp=%s, droped=%t, lastPullTimestamp=%s, lastConsumeTimestamp=%s]",
		p.CommitOffset, p.CachedMsgMinOffset, p.CachedMsgMaxOffset, p.CachedMsgCount, p.CachedMsgSizeInMiB,
		p.TransactionMsgMinOffset, p.TransactionMsgMaxOffset, p.TransactionMsgCount, p.Locked, p.TryUnlockTimes,
		humanMillis(p.LastLockTimestamp), p.Droped, humanMillis(p.LastPullTimestamp), humanMillis(p.LastConsumeTimestamp))
}

// runningInfoString is Java ConsumerRunningInfo.formatString.
func runningInfoString(r *admin.ConsumerRunningInfo) string {
	var b strings.Builder
	b.WriteString("#Consumer Properties#\n")
	for _, p := range r.Properties {
		fmt.Fprintf(&b, "%-40s: %s\n", p.K, p.V)
	}
	b.WriteString("\n\n#Consumer Subscription#\n")
	for i, s := range r.SubscriptionSet {
		fmt.Fprintf(&b, "%03d Topic: %-40s ClassFilter: %-8t SubExpression: %s\n", i+1, s.Topic, s.ClassFilterMode, s.SubString)
	}
	b.WriteString("\n\n#Consumer Offset#\n")
	fmt.Fprintf(&b, "%-64s  %-32s  %-4s  %-20s\n", "#Topic", "#Broker Name", "#QID", "#Consumer Offset")
	for _, p := range r.MQTable {
		fmt.Fprintf(&b, "%-32s  %-32s  %-4d  %-20d\n", p.K.Topic, p.K.BrokerName, p.K.QueueID, p.V.CommitOffset)
	}
	b.WriteString("\n\n#Consumer MQ Detail#\n")
	fmt.Fprintf(&b, "%-64s  %-32s  %-4s  %-20s\n", "#Topic", "#Broker Name", "#QID", "#ProcessQueueInfo")
	for _, p := range r.MQTable {
		fmt.Fprintf(&b, "%-64s  %-32s  %-4d  %s\n", p.K.Topic, p.K.BrokerName, p.K.QueueID, processQueueString(p.V))
	}
	b.WriteString("\n\n#Consumer RT&TPS#\n")
	fmt.Fprintf(&b, "%-64s  %14s %14s %14s %14s %18s %25s\n", "#Topic", "#Pull RT", "#Pull TPS", "#Consume RT", "#ConsumeOK TPS", "#ConsumeFailed TPS", "#ConsumeFailedMsgsInHour")
	for _, p := range r.StatusTable {
		s := p.V
		fmt.Fprintf(&b, "%-32s  %14.2f %14.2f %14.2f %14.2f %18.2f %25d\n", p.K, s.PullRT, s.PullTPS, s.ConsumeRT, s.ConsumeOKTPS, s.ConsumeFailedTPS, s.ConsumeFailedMsgs)
	}
	if r.Jstack != nil {
		b.WriteString("\n\n#Consumer jstack#\n")
		b.WriteString(*r.Jstack)
	}
	return b.String()
}

func sameSubscriptions(a, b []admin.SubscriptionData) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Topic != b[i].Topic || a[i].SubString != b[i].SubString || a[i].ExpressionType != b[i].ExpressionType {
			return false
		}
	}
	return true
}

var consumerStatusCmd = &command{
	name: "consumerStatus", desc: "Query consumer's internal data structure",
	opts: []option{
		{short: "g", long: "consumerGroup", hasArg: true, required: true, desc: "consumer group name"},
		{short: "i", long: "clientId", hasArg: true, desc: "The consumer's client id"},
		{short: "b", long: "brokerAddr", hasArg: true, desc: "broker address"},
		{short: "s", long: "jstack", desc: "Run jstack command in the consumer progress"},
	},
	run: func(x *invocation) error {
		g := x.str("g")
		cc, err := x.admin.ConsumerConnection(x.ctx, g, x.str("b"))
		if err != nil {
			return err
		}
		jstack := x.has("s")
		if x.has("i") {
			r, err := x.admin.ConsumerRunningInfo(x.ctx, g, x.str("i"), jstack)
			if err != nil {
				return err
			}
			x.printf("%s", runningInfoString(r))
			return nil
		}
		// As Java: every client's running info is written to ./<now>/<clientId>, and listed.
		now := time.Now().UnixMilli()
		x.printf("%-10s %-40s %-20s %s\n", "#Index", "#ClientId", "#Version", "#ConsumerRunningInfoFile")
		type entry struct {
			id string
			r  *admin.ConsumerRunningInfo
		}
		var infos []entry
		i := 1
		for _, c := range cc.ConnectionSet {
			r, err := x.admin.ConsumerRunningInfo(x.ctx, g, c.ClientID, jstack)
			if err != nil {
				fmt.Fprintf(x.stderr, "mqadmin consumerStatus: %s: %v\n", c.ClientID, err)
				continue
			}
			path := filepath.Join(strconv.FormatInt(now, 10), c.ClientID)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
				_ = os.WriteFile(path, []byte(runningInfoString(r)), 0o644)
			}
			x.printf("%-10d %-40s %-20s %s\n", i, c.ClientID, admin.VersionDesc(c.Version), path)
			i++
			infos = append(infos, entry{c.ClientID, r})
		}
		if len(infos) == 0 {
			return nil
		}
		sort.Slice(infos, func(a, b int) bool { return infos[a].id < infos[b].id })
		first := infos[0].r
		push := first.Property("PROP_CONSUME_TYPE") == "CONSUME_PASSIVELY"
		start, _ := strconv.ParseInt(first.Property("PROP_CONSUMER_START_TIMESTAMP"), 10, 64)
		same := true
		if push && time.Now().UnixMilli()-start > 2*60*1000 {
			prev := first
			for _, e := range infos {
				if !sameSubscriptions(e.r.SubscriptionSet, prev.SubscriptionSet) {
					same = false
					break
				}
				prev = e.r
			}
			if same && len(prev.SubscriptionSet) == 0 {
				same = false
			}
		}
		if !same {
			x.printf("\n\nWARN: Different subscription in the same group of consumer!!!")
			return nil
		}
		x.printf("\n\nSame subscription in the same group of consumer")
		x.printf("\n\nRebalance %s\n", "OK")
		for _, e := range infos {
			x.printf("%s", analyzeProcessQueue(e.id, e.r))
		}
		return nil
	},
}

// analyzeProcessQueue is Java ConsumerRunningInfo.analyzeProcessQueue: queues a push consumer holds but does
// not make progress on.
func analyzeProcessQueue(clientID string, r *admin.ConsumerRunningInfo) string {
	if r.Property("PROP_CONSUME_TYPE") != "CONSUME_PASSIVELY" {
		return ""
	}
	orderly := strings.EqualFold(r.Property("PROP_CONSUME_ORDERLY"), "true")
	now := time.Now().UnixMilli()
	var b strings.Builder
	for _, p := range r.MQTable {
		mq, pq := mqString(p.K), p.V
		switch {
		case orderly && !pq.Locked:
			fmt.Fprintf(&b, "%s %s can't lock for a while, %dms\n", clientID, mq, now-pq.LastLockTimestamp)
		case orderly && pq.Droped && pq.TryUnlockTimes > 0:
			fmt.Fprintf(&b, "%s %s unlock %d times, still failed\n", clientID, mq, pq.TryUnlockTimes)
		case !orderly && now-pq.LastConsumeTimestamp > 60*1000 && pq.CachedMsgCount > 0:
			fmt.Fprintf(&b, "%s %s can't consume for a while, maybe blocked, %dms\n", clientID, mq, now-pq.LastConsumeTimestamp)
		}
	}
	return b.String()
}

// queueOwners is consumerProgress -s: each queue's consumer IP, from every client's running info.
func queueOwners(x *invocation, group string) map[admin.MessageQueue]string {
	out := map[admin.MessageQueue]string{}
	cc, err := x.admin.ConsumerConnection(x.ctx, group, "")
	if err != nil {
		return out
	}
	for _, c := range cc.ConnectionSet {
		r, err := x.admin.ConsumerRunningInfo(x.ctx, group, c.ClientID, false)
		if err != nil {
			return out
		}
		ip, _, _ := strings.Cut(c.ClientID, "@")
		for _, p := range r.MQTable {
			out[p.K] = ip
		}
	}
	return out
}
