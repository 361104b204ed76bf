package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rocketd/rocketd/broker/topic"
	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting/admin"
)

func commands() []*command {
	return []*command{
		updateTopicCmd, deleteTopicCmd, updateSubGroupCmd, deleteSubGroupCmd, updateBrokerConfigCmd,
		updateTopicPermCmd, topicRouteCmd, topicStatusCmd, topicClusterListCmd, brokerStatusCmd,
		producerConnectionCmd, consumerConnectionCmd, consumerProgressCmd, clusterListCmd, topicListCmd,
		updateKvConfigCmd, deleteKvConfigCmd, wipeWritePermCmd, addWritePermCmd, getNamesrvConfigCmd,
		updateNamesrvConfigCmd, getBrokerConfigCmd, queryCqCmd, resetOffsetByTimeCmd, cloneGroupOffsetCmd,
		cleanExpiredCQCmd, cleanUnusedTopicCmd, queryMsgByIDCmd, queryMsgByKeyCmd, queryMsgByUniqueKeyCmd,
		statsAllCmd, brokerConsumeStatsCmd, sendMessageCmd, printMsgCmd, queryMsgByOffsetCmd,
		consumerStatusCmd, printMsgByQueueCmd, consumeMessageCmd,
	}
}

// clusterBrokerData returns the brokers of cluster (an error naming the cluster when the name server has no
// such cluster, as Java's CommandUtil says).
func clusterBrokerData(x *invocation, cluster string) ([]admin.BrokerData, error) {
	ci, err := x.admin.ClusterInfo(x.ctx)
	if err != nil {
		return nil, err
	}
	names, ok := ci.ClusterAddrTable[cluster]
	if !ok {
		return nil, fmt.Errorf("cluster %q not found: make sure the specified clusterName exists or the name server connected to is correct", cluster)
	}
	var out []admin.BrokerData
	for _, n := range names {
		if bd, ok := ci.BrokerAddrTable[n]; ok {
			out = append(out, bd)
		}
	}
	return out, nil
}

// clusterMasters is Java CommandUtil.fetchMasterAddrByClusterName: the master address of every broker of cluster.
func clusterMasters(x *invocation, cluster string) ([]string, error) {
	bds, err := clusterBrokerData(x, cluster)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, bd := range bds {
		if a := bd.Addr(0); a != "" {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out, nil
}

// clusterBrokers lists every broker address (masters and slaves) of cluster.
func clusterBrokers(x *invocation, cluster string) ([]string, error) {
	bds, err := clusterBrokerData(x, cluster)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, bd := range bds {
		for _, id := range bd.IDs() {
			out = append(out, bd.Addr(id))
		}
	}
	return out, nil
}

// deleteTopicInCluster is Java DeleteTopicSubCommand.deleteTopic: the topic goes from every master, then from
// the name servers, each step printed.
func deleteTopicInCluster(x *invocation, cluster, t string, masters []string) error {
	for _, addr := range masters {
		if err := x.admin.DeleteTopicInBroker(x.ctx, addr, t); err != nil {
			return err
		}
	}
	x.printf("delete topic [%s] from cluster [%s] success.\n", t, cluster)
	if err := x.admin.DeleteTopicInNamesrv(x.ctx, t, cluster); err != nil {
		return err
	}
	x.printf("delete topic [%s] from NameServer success.\n", t)
	return nil
}

func intOpt(x *invocation, short string, def int64) (int64, error) {
	if !x.has(short) {
		return def, nil
	}
	v, err := strconv.ParseInt(x.str(short), 10, 64)
	if err != nil {
		return 0, badValue(short, x.str(short), "an integer")
	}
	return v, nil
}

// boolOpt is Java Boolean.parseBoolean: "true" in any case is true, anything else false.
func boolOpt(x *invocation, short string, def bool) bool {
	if !x.has(short) {
		return def
	}
	return strings.EqualFold(x.str(short), "true")
}

func topicConfigString(tc admin.TopicConfig) string {
	return fmt.Sprintf("TopicConfig [topicName=%s, readQueueNums=%d, writeQueueNums=%d, perm=%s, topicFilterType=%s, topicSysFlag=%d, order=%t]",
		tc.TopicName, tc.ReadQueueNums, tc.WriteQueueNums, topic.PermString(tc.Perm), tc.TopicFilterType, tc.TopicSysFlag, tc.Order)
}

var brokerOrCluster = []option{
	{short: "b", long: "brokerAddr", hasArg: true, group: "bc", desc: "create topic to which broker"},
	{short: "c", long: "clusterName", hasArg: true, group: "bc", desc: "create topic to which cluster"},
}

var updateTopicCmd = &command{
	name: "updateTopic", desc: "Update or create topic",
	opts: []option{
		brokerOrCluster[0], brokerOrCluster[1],
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "r", long: "readQueueNums", hasArg: true, desc: "set read queue nums"},
		{short: "w", long: "writeQueueNums", hasArg: true, desc: "set write queue nums"},
		{short: "p", long: "perm", hasArg: true, desc: "set topic's permission(2|4|6), intro[2:W 4:R; 6:RW]"},
		{short: "o", long: "order", hasArg: true, desc: "set topic's order(true|false)"},
		{short: "u", long: "unit", hasArg: true, desc: "is unit topic (true|false)"},
		{short: "s", long: "hasUnitSub", hasArg: true, desc: "has unit sub (true|false)"},
	},
	groupRequired: map[string]bool{"bc": true},
	run: func(x *invocation) error {
		tc := admin.TopicConfig{TopicName: x.str("t"), ReadQueueNums: 8, WriteQueueNums: 8, Perm: 6, TopicFilterType: "SINGLE_TAG"}
		r, err := intOpt(x, "r", 8)
		if err != nil {
			return err
		}
		w, err := intOpt(x, "w", 8)
		if err != nil {
			return err
		}
		p, err := intOpt(x, "p", 6)
		if err != nil {
			return err
		}
		tc.ReadQueueNums, tc.WriteQueueNums, tc.Perm = int32(r), int32(w), int32(p)
		// TopicSysFlag.buildSysFlag: bit 0 unit, bit 1 unit sub.
		if boolOpt(x, "u", false) {
			tc.TopicSysFlag |= 1
		}
		if boolOpt(x, "s", false) {
			tc.TopicSysFlag |= 2
		}
		tc.Order = boolOpt(x, "o", false)
		if x.has("b") {
			addr := x.str("b")
			if err := x.admin.CreateTopic(x.ctx, addr, tc); err != nil {
				return err
			}
			if tc.Order {
				name, err := brokerNameOf(x, addr)
				if err != nil {
					return err
				}
				conf := fmt.Sprintf("%s:%d", name, tc.WriteQueueNums)
				if err := mergeOrderConf(x, tc.TopicName, conf); err != nil {
					return err
				}
				x.printf("set broker orderConf. isOrder=%t, orderConf=[%s]", tc.Order, conf)
			}
			x.printf("create topic to %s success.\n", addr)
			x.printf("%s", topicConfigString(tc))
			return nil
		}
		masters, err := clusterMasters(x, x.str("c"))
		if err != nil {
			return err
		}
		for _, addr := range masters {
			if err := x.admin.CreateTopic(x.ctx, addr, tc); err != nil {
				return err
			}
			x.printf("create topic to %s success.\n", addr)
		}
		if tc.Order {
			ci, err := x.admin.ClusterInfo(x.ctx)
			if err != nil {
				return err
			}
			names := append([]string(nil), ci.ClusterAddrTable[x.str("c")]...)
			compat.JavaHashMapOrder(names, 0) // Java iterates the cluster's HashSet of broker names
			parts := make([]string, len(names))
			for i, n := range names {
				parts[i] = fmt.Sprintf("%s:%d", n, tc.WriteQueueNums)
			}
			conf := strings.Join(parts, ";")
			if err := x.admin.PutKVConfig(x.ctx, orderTopicNamespace, tc.TopicName, conf); err != nil {
				return err
			}
			x.printf("set cluster orderConf. isOrder=%t, orderConf=[%s]", tc.Order, conf)
		}
		x.printf("%s", topicConfigString(tc))
		return nil
	},
}

// orderTopicNamespace is the name server KV namespace of order topics' queue layout (NamesrvUtil).
const orderTopicNamespace = "ORDER_TOPIC_CONFIG"

// brokerNameOf is Java CommandUtil.fetchBrokerNameByAddr.
func brokerNameOf(x *invocation, addr string) (string, error) {
	ci, err := x.admin.ClusterInfo(x.ctx)
	if err != nil {
		return "", err
	}
	for name, bd := range ci.BrokerAddrTable {
		for _, a := range bd.BrokerAddrs {
			if a == addr {
				return name, nil
			}
		}
	}
	return "", fmt.Errorf("broker %s not found: make sure the specified broker addr exists or the name server connected to is correct", addr)
}

// mergeOrderConf is Java createOrUpdateOrderConf for one broker: the topic's "broker:queues" entries in the
// name server, this broker's replaced, joined with ';' in HashMap order of the broker names.
func mergeOrderConf(x *invocation, topic, conf string) error {
	entries := map[string]string{}
	var names []string
	add := func(e string) {
		name, _, _ := strings.Cut(e, ":")
		if _, ok := entries[name]; !ok {
			names = append(names, name)
		}
		entries[name] = e
	}
	if old, err := x.admin.KVConfig(x.ctx, orderTopicNamespace, topic); err == nil && strings.TrimSpace(old) != "" {
		for _, e := range strings.Split(old, ";") {
			add(e)
		}
	}
	add(conf)
	compat.JavaHashMapOrder(names, 0)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = entries[n]
	}
	return x.admin.PutKVConfig(x.ctx, orderTopicNamespace, topic, strings.Join(parts, ";"))
}

var deleteTopicCmd = &command{
	name: "deleteTopic", desc: "Delete topic from broker and NameServer.",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "c", long: "clusterName", hasArg: true, required: true, desc: "delete topic from which cluster"},
	},
	run: func(x *invocation) error {
		t, cluster := x.str("t"), x.str("c")
		masters, err := clusterMasters(x, cluster)
		if err != nil {
			return err
		}
		return deleteTopicInCluster(x, cluster, t, masters)
	},
}

var updateTopicPermCmd = &command{
	name: "updateTopicPerm", desc: "Update topic perm",
	opts: []option{
		{short: "b", long: "brokerAddr", hasArg: true, desc: "create topic to which broker"},
		{short: "c", long: "clusterName", hasArg: true, desc: "create topic to which cluster"},
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "p", long: "perm", hasArg: true, required: true, desc: "set topic's permission(2|4|6), intro[2:W; 4:R; 6:RW]"},
	},
	run: func(x *invocation) error {
		t := x.str("t")
		if !x.has("b") && !x.has("c") {
			return needBrokerOrCluster
		}
		perm, err := intOpt(x, "p", 0)
		if err != nil {
			return err
		}
		route, _, err := x.admin.TopicRoute(x.ctx, t)
		if err != nil {
			return err
		}
		if len(route.QueueDatas) == 0 {
			return fmt.Errorf("topic %s has no queues in the name server", t)
		}
		// As Java: the new configuration is the route's first queue data with the new perm.
		q0 := route.QueueDatas[0]
		tc := admin.TopicConfig{TopicName: t, ReadQueueNums: q0.ReadQueueNums, WriteQueueNums: q0.WriteQueueNums,
			Perm: int32(perm), TopicFilterType: "SINGLE_TAG", TopicSysFlag: q0.TopicSysFlag}
		if x.has("b") {
			addr := x.str("b")
			brokerName := ""
			for _, bd := range route.BrokerDatas {
				if bd.Addr(0) == addr {
					brokerName = bd.BrokerName
				}
			}
			if brokerName == "" {
				x.printf("updateTopicPerm error broker not exit or broker is not master!.\n")
				return fmt.Errorf("%s is not the master of a broker in the route of %s", addr, t)
			}
			var old int32
			for _, q := range route.QueueDatas {
				if q.BrokerName == brokerName {
					old = q.Perm
					if old == int32(perm) {
						x.printf("new perm equals to the old one!\n")
						return nil
					}
					break
				}
			}
			if err := x.admin.CreateTopic(x.ctx, addr, tc); err != nil {
				return err
			}
			x.printf("update topic perm from %d to %d in %s success.\n", old, perm, addr)
			x.printf("%s.\n", topicConfigString(tc))
			return nil
		}
		masters, err := clusterMasters(x, x.str("c"))
		if err != nil {
			return err
		}
		for _, addr := range masters {
			if err := x.admin.CreateTopic(x.ctx, addr, tc); err != nil {
				return err
			}
			x.printf("update topic perm from %d to %d in %s success.\n", q0.Perm, perm, addr)
		}
		return nil
	},
}

var topicRouteCmd = &command{
	name: "topicRoute", desc: "Examine topic route info",
	opts: []option{
		{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		{short: "l", long: "list", desc: "Use list format to print data"},
	},
	run: func(x *invocation) error {
		route, raw, err := x.admin.TopicRoute(x.ctx, x.str("t"))
		if err != nil {
			return err
		}
		if !x.has("l") {
			s, err := prettyRoute(raw)
			if err != nil {
				return err
			}
			x.printf("%s\n", s)
			return nil
		}
		const format = "%-45s %-32s %-50s %-10s %-11s %-5s\n"
		x.printf(format, "#ClusterName", "#BrokerName", "#BrokerAddrs", "#ReadQueue", "#WriteQueue", "#Perm")
		qd := map[string]admin.QueueData{}
		for _, q := range route.QueueDatas {
			qd[q.BrokerName] = q
		}
		var totalR, totalW int32
		bds := append([]admin.BrokerData(nil), route.BrokerDatas...)
		sort.Slice(bds, func(i, j int) bool { return bds[i].BrokerName < bds[j].BrokerName })
		for _, bd := range bds {
			q := qd[bd.BrokerName]
			totalR += q.ReadQueueNums
			totalW += q.WriteQueueNums
			x.printf(format, bd.Cluster, bd.BrokerName, addrMapString(bd), strconv.Itoa(int(q.ReadQueueNums)),
				strconv.Itoa(int(q.WriteQueueNums)), strconv.Itoa(int(q.Perm)))
		}
		x.printf("%s\n", strings.Repeat("-", 158))
		x.printf(format, "Total:", strconv.Itoa(len(bds)), "", strconv.Itoa(int(totalR)), strconv.Itoa(int(totalW)), "")
		return nil
	},
}

// addrMapString is Java's HashMap<Long,String>.toString: {0=addr, 1=addr}.
func addrMapString(bd admin.BrokerData) string {
	var parts []string
	for _, id := range bd.IDs() {
		parts = append(parts, fmt.Sprintf("%d=%s", id, bd.Addr(id)))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

var topicStatusCmd = &command{
	name: "topicStatus", desc: "Examine topic Status info",
	opts: []option{{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"}},
	run: func(x *invocation) error {
		st, err := x.admin.TopicStats(x.ctx, x.str("t"))
		if err != nil {
			return err
		}
		x.printf("%-32s  %-4s  %-20s  %-20s    %s\n", "#Broker Name", "#QID", "#Min Offset", "#Max Offset", "#Last Updated")
		for _, p := range st {
			last := ""
			if p.V.LastUpdateTimestamp > 0 {
				last = formatMillis(p.V.LastUpdateTimestamp)
			}
			x.printf("%-32s  %-4d  %-20d  %-20d    %s\n", frontAtLeast(p.K.BrokerName, 32), p.K.QueueID, p.V.MinOffset, p.V.MaxOffset, last)
		}
		return nil
	},
}

// formatMillis is Java UtilAll.timeMillisToHumanString2: yyyy-MM-dd HH:mm:ss,SSS in local time.
func formatMillis(ms int64) string {
	return time.UnixMilli(ms).Format("2006-01-02 15:04:05,000")
}

// frontAtLeast is Java UtilAll.frontStringAtLeast: the first n characters.
func frontAtLeast(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

var topicClusterListCmd = &command{
	name: "topicClusterList", desc: "get cluster info for topic",
	opts: []option{{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"}},
	run: func(x *invocation) error {
		route, _, err := x.admin.TopicRoute(x.ctx, x.str("t"))
		if err != nil {
			return err
		}
		ci, err := x.admin.ClusterInfo(x.ctx)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, bd := range route.BrokerDatas {
			for cluster, names := range ci.ClusterAddrTable {
				for _, n := range names {
					if n == bd.BrokerName && !seen[cluster] {
						seen[cluster] = true
						x.printf("%s\n", cluster)
					}
				}
			}
		}
		return nil
	},
}

var topicListCmd = &command{
	name: "topicList", desc: "Fetch all topic list from name server",
	opts: []option{{short: "c", long: "clusterModel", desc: "clusterModel"}},
	run: func(x *invocation) error {
		topics, err := x.admin.TopicList(x.ctx)
		if err != nil {
			return err
		}
		if !x.has("c") {
			for _, t := range topics {
				x.printf("%s\n", t)
			}
			return nil
		}
		ci, err := x.admin.ClusterInfo(x.ctx)
		if err != nil {
			return err
		}
		x.printf("%-20s  %-48s  %-48s\n", "#Cluster Name", "#Topic", "#Consumer Group")
		for _, t := range topics {
			if strings.HasPrefix(t, "%RETRY%") || strings.HasPrefix(t, "%DLQ%") {
				continue
			}
			cluster := ""
			groups := []string{""}
			if route, _, err := x.admin.TopicRoute(x.ctx, t); err == nil && len(route.BrokerDatas) > 0 {
				bn := route.BrokerDatas[0].BrokerName
				for c, names := range ci.ClusterAddrTable {
					for _, n := range names {
						if n == bn {
							cluster = c
						}
					}
				}
				if g, err := x.admin.TopicConsumeByWho(x.ctx, route, t); err == nil && len(g) > 0 {
					groups = g
				}
			}
			for _, g := range groups {
				x.printf("%-20s  %-64s  %-64s\n", frontAtLeast(cluster, 20), frontAtLeast(t, 64), frontAtLeast(g, 64))
			}
		}
		return nil
	},
}
