package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rocketd/rocketd/conf"
)

func formatSeconds(ms int64) string { return time.UnixMilli(ms).Format("2006-01-02 15:04:05") }

var brokerStatusCmd = &command{
	name: "brokerStatus", desc: "Fetch broker runtime status data",
	opts: []option{
		{short: "b", long: "brokerAddr", hasArg: true, desc: "Broker address"},
		{short: "c", long: "clusterName", hasArg: true, desc: "which cluster"},
	},
	run: func(x *invocation) error {
		print := func(addr string, withAddr bool) error {
			kv, err := x.admin.BrokerRuntimeInfo(x.ctx, addr)
			if err != nil {
				return err
			}
			keys := make([]string, 0, len(kv))
			for k := range kv {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if withAddr {
					x.printf("%-24s %-32s: %s\n", addr, k, kv[k])
				} else {
					x.printf("%-32s: %s\n", k, kv[k])
				}
			}
			return nil
		}
		switch {
		case x.has("b"):
			return print(x.str("b"), false)
		case x.has("c"):
			addrs, err := clusterBrokers(x, x.str("c"))
			if err != nil {
				return err
			}
			for _, a := range addrs {
				if err := print(a, true); err != nil {
					fmt.Fprintf(x.stderr, "mqadmin brokerStatus: %s: %v\n", a, err)
				}
			}
			return nil
		}
		return nil
	},
}

// printConfig prints properties as Java's getBrokerConfig / getNamesrvConfig do ("%-50s=  %s").
func printConfig(x *invocation, p *conf.Properties) {
	for _, k := range p.Keys() {
		v, _ := p.Get(k)
		x.printf("%-50s=  %s\n", k, v)
	}
}

var getBrokerConfigCmd = &command{
	name: "getBrokerConfig", desc: "Get broker config by cluster or special broker!",
	opts: []option{
		{short: "b", long: "brokerAddr", hasArg: true, desc: "get which broker"},
		{short: "c", long: "clusterName", hasArg: true, desc: "get which cluster"},
	},
	run: func(x *invocation) error {
		get := func(prefix, addr string) error {
			x.printf("%s", prefix)
			p, err := x.admin.BrokerConfig(x.ctx, addr)
			if err != nil {
				return err
			}
			if p.Len() == 0 {
				x.printf("Broker[%s] has no config property!\n", addr)
				return nil
			}
			printConfig(x, p)
			x.printf("\n")
			return nil
		}
		switch {
		case x.has("b"):
			addr := x.str("b")
			return get(fmt.Sprintf("============%s============\n", addr), addr)
		case x.has("c"):
			ci, err := x.admin.ClusterInfo(x.ctx)
			if err != nil {
				return err
			}
			names, ok := ci.ClusterAddrTable[x.str("c")]
			if !ok {
				return fmt.Errorf("cluster %q not found: make sure the specified clusterName exists or the name server connected to is correct", x.str("c"))
			}
			sort.Strings(names)
			for _, n := range names {
				bd := ci.BrokerAddrTable[n]
				master := bd.Addr(0)
				if master == "" {
					continue
				}
				if err := get(fmt.Sprintf("============Master: %s============\n", master), master); err != nil {
					return err
				}
				for _, id := range bd.IDs() {
					if id == 0 {
						continue
					}
					slave := bd.Addr(id)
					if err := get(fmt.Sprintf("============My Master: %s=====Slave: %s============\n", master, slave), slave); err != nil {
						return err
					}
				}
			}
		}
		return nil
	},
}

var updateBrokerConfigCmd = &command{
	name: "updateBrokerConfig", desc: "Update broker's config",
	opts: []option{
		{short: "b", long: "brokerAddr", hasArg: true, desc: "update which broker"},
		{short: "c", long: "clusterName", hasArg: true, desc: "update which cluster"},
		{short: "k", long: "key", hasArg: true, required: true, desc: "config key"},
		{short: "v", long: "value", hasArg: true, required: true, desc: "config value"},
	},
	run: func(x *invocation) error {
		k, v := x.str("k"), x.str("v")
		switch {
		case x.has("b"):
			addr := x.str("b")
			if err := x.admin.UpdateBrokerConfig(x.ctx, addr, k, v); err != nil {
				return err
			}
			x.printf("update broker config success, %s\n", addr)
		case x.has("c"):
			masters, err := clusterMasters(x, x.str("c"))
			if err != nil {
				return err
			}
			for _, addr := range masters {
				if err := x.admin.UpdateBrokerConfig(x.ctx, addr, k, v); err != nil {
					return err
				}
				x.printf("update broker config success, %s\n", addr)
			}
		default:
			return needBrokerOrCluster
		}
		return nil
	},
}

var clusterListCmd = &command{
	name: "clusterList", desc: "List all of clusters",
	opts: []option{
		{short: "m", long: "moreStats", desc: "Print more stats"},
		{short: "i", long: "interval", hasArg: true, desc: "specify intervals numbers, it is in seconds"},
	},
	run: func(x *invocation) error {
		interval := time.Duration(0)
		if x.has("i") {
			n, err := strconv.ParseInt(x.str("i"), 10, 64)
			if err != nil || n <= 0 {
				return badValue("i", x.str("i"), "a positive number of seconds")
			}
			interval = time.Duration(n) * time.Second
		}
		for {
			var err error
			if x.has("m") {
				err = clusterMoreStats(x)
			} else {
				err = clusterBaseInfo(x)
			}
			if err != nil || interval == 0 {
				return err
			}
			select {
			case <-time.After(interval):
			case <-x.ctx.Done():
				return nil
			}
		}
	},
}

// clusterBrokerAddrs visits every broker address of every cluster: clusters and broker names in name order,
// ids ascending.
func clusterBrokerAddrs(x *invocation, visit func(cluster, brokerName string, id int64, addr string)) error {
	ci, err := x.admin.ClusterInfo(x.ctx)
	if err != nil {
		return err
	}
	clusters := make([]string, 0, len(ci.ClusterAddrTable))
	for c := range ci.ClusterAddrTable {
		clusters = append(clusters, c)
	}
	sort.Strings(clusters)
	for _, c := range clusters {
		names := append([]string(nil), ci.ClusterAddrTable[c]...)
		sort.Strings(names)
		for _, n := range names {
			bd, ok := ci.BrokerAddrTable[n]
			if !ok {
				continue
			}
			for _, id := range bd.IDs() {
				visit(c, n, id, bd.Addr(id))
			}
		}
	}
	return nil
}

func clusterBaseInfo(x *invocation) error {
	const format = "%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s\n"
	x.printf(format, "#Cluster Name", "#Broker Name", "#BID", "#Addr", "#Version", "#InTPS(LOAD)", "#OutTPS(LOAD)", "#PCWait(ms)", "#Hour", "#SPACE")
	return clusterBrokerAddrs(x, func(cluster, name string, id int64, addr string) {
		kv, err := x.admin.BrokerRuntimeInfo(x.ctx, addr)
		if err != nil {
			fmt.Fprintf(x.stderr, "mqadmin clusterList: %s: %v\n", addr, err)
			kv = map[string]string{}
		}
		first := func(s string) float64 {
			f, _ := strconv.ParseFloat(strings.Fields(s + " 0")[0], 64)
			return f
		}
		hour, space := 0.0, 0.0
		if e := kv["earliestMessageTimeStamp"]; e != "" {
			if ms, err := strconv.ParseInt(e, 10, 64); err == nil {
				hour = float64(time.Now().UnixMilli()-ms) / 1000 / 60 / 60
			}
		}
		if r := kv["commitLogDiskRatio"]; r != "" {
			space, _ = strconv.ParseFloat(r, 64)
		}
		x.printf(format, cluster, name, strconv.FormatInt(id, 10), addr, kv["brokerVersionDesc"],
			fmt.Sprintf("%9.2f(%s,%sms)", first(kv["putTps"]), kv["sendThreadPoolQueueSize"], kv["sendThreadPoolQueueHeadWaitTimeMills"]),
			fmt.Sprintf("%9.2f(%s,%sms)", first(kv["getTransferedTps"]), kv["pullThreadPoolQueueSize"], kv["pullThreadPoolQueueHeadWaitTimeMills"]),
			kv["pageCacheLockTimeMills"], fmt.Sprintf("%2.2f", hour), fmt.Sprintf("%.4f", space))
	})
}

func clusterMoreStats(x *invocation) error {
	x.printf("%-16s  %-32s %14s %14s %14s %14s\n", "#Cluster Name", "#Broker Name", "#InTotalYest", "#OutTotalYest", "#InTotalToday", "#OutTotalToday")
	return clusterBrokerAddrs(x, func(cluster, name string, id int64, addr string) {
		var inY, outY, inT, outT int64
		if kv, err := x.admin.BrokerRuntimeInfo(x.ctx, addr); err == nil {
			n := func(k string) int64 { v, _ := strconv.ParseInt(kv[k], 10, 64); return v }
			inY = n("msgPutTotalTodayMorning") - n("msgPutTotalYesterdayMorning")
			outY = n("msgGetTotalTodayMorning") - n("msgGetTotalYesterdayMorning")
			inT = n("msgPutTotalTodayNow") - n("msgPutTotalTodayMorning")
			outT = n("msgGetTotalTodayNow") - n("msgGetTotalTodayMorning")
		}
		x.printf("%-16s  %-32s %14d %14d %14d %14d\n", cluster, name, inY, outY, inT, outT)
	})
}
