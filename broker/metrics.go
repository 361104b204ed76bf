package broker

// The broker's /metrics collectors (served by package ops when metricsListenAddr / --metrics-addr is set).
//
// Names and labels of what Apache rocketmq-exporter exports are kept, so that its Grafana dashboards and
// alerts work unchanged; the values are computed here, at scrape time, from the same tables
// GET_BROKER_RUNTIME_INFO, VIEW_BROKER_STATS_DATA and GET_CONSUME_STATS answer from:
//
//	rocketmq_broker_tps, rocketmq_broker_qps               {cluster, brokerIP, broker}          put/get msgs per s (1 min)
//	rocketmq_producer_tps, rocketmq_producer_message_size  {cluster, broker, topic}             per topic (1 min)
//	rocketmq_producer_offset                                {cluster, broker, topic}             sum of the queues' max offsets
//	rocketmq_consumer_tps, rocketmq_consumer_message_size  {cluster, broker, topic, group}      per group and topic (1 min)
//	rocketmq_consumer_offset                                {cluster, broker, topic, group}      sum of the group's offsets
//	rocketmq_group_diff                                     {group, topic, countOfOnlineConsumers, msgModel}  lag in messages
//	rocketmq_group_get_latency_by_storetime                 {cluster, broker, topic, group}      ms since the oldest unconsumed message was stored
//	rocketmq_brokeruntime_*                                 {cluster, brokerIP, brokerHost, des, boottime, broker_version}
//
// rocketd's own, prefixed rocketd_: store flush and dispatch lag in bytes, commit log and consume queue disk
// use, connections, consumer and producer clients per group, and rocketd_request_duration_seconds
// {code} (a histogram per request code, observed by the remoting router). Go runtime (go_gc_duration_seconds,
// go_memstats_*) and process_* metrics come from package ops.

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rocketd/rocketd/broker/stats"
	"github.com/rocketd/rocketd/remoting"
)

// Collectors are what the broker exports on /metrics (nil when Options.Metrics is false).
func (b *Broker) Collectors() []prometheus.Collector {
	if b.latency == nil {
		return nil
	}
	return []prometheus.Collector{&brokerCollector{b: b}, b.latency}
}

// observeLatency gives every route of r a histogram child (called before the router serves).
func (b *Broker) observeLatency(r *remoting.Router) {
	if b.latency != nil {
		r.ObserveLatency(b.latency.For)
	}
}

type brokerCollector struct{ b *Broker }

var (
	brokerNumsLabels   = []string{"cluster", "brokerIP", "broker"}
	topicLabels        = []string{"cluster", "broker", "topic"}
	groupLabels        = []string{"cluster", "broker", "topic", "group"}
	groupDiffLabels    = []string{"group", "topic", "countOfOnlineConsumers", "msgModel"}
	brokerRuntimeLabel = []string{"cluster", "brokerIP", "brokerHost", "des", "boottime", "broker_version"}

	descBrokerTPS      = prometheus.NewDesc("rocketmq_broker_tps", "BrokerPutNums", brokerNumsLabels, nil)
	descBrokerQPS      = prometheus.NewDesc("rocketmq_broker_qps", "BrokerGetNums", brokerNumsLabels, nil)
	descProducerTPS    = prometheus.NewDesc("rocketmq_producer_tps", "TopicPutNums", topicLabels, nil)
	descProducerSize   = prometheus.NewDesc("rocketmq_producer_message_size", "TopicPutMessageSize", topicLabels, nil)
	descProducerOffset = prometheus.NewDesc("rocketmq_producer_offset", "TopicOffset", topicLabels, nil)
	descConsumerTPS    = prometheus.NewDesc("rocketmq_consumer_tps", "GroupGetNums", groupLabels, nil)
	descConsumerSize   = prometheus.NewDesc("rocketmq_consumer_message_size", "GroupGetMessageSize", groupLabels, nil)
	descConsumerOffset = prometheus.NewDesc("rocketmq_consumer_offset", "GroupBrokerTotalOffset", groupLabels, nil)
	descGroupDiff      = prometheus.NewDesc("rocketmq_group_diff", "GroupDiff", groupDiffLabels, nil)
	descGroupLatency   = prometheus.NewDesc("rocketmq_group_get_latency_by_storetime", "GroupGetLatencyByStoreTime", groupLabels, nil)

	descFlushBehind    = prometheus.NewDesc("rocketd_store_flush_behind_bytes", "CommitLog bytes written but not yet flushed to disk.", nil, nil)
	descDispatchBehind = prometheus.NewDesc("rocketd_store_dispatch_behind_bytes", "CommitLog bytes not yet dispatched to consume queues and index.", nil, nil)
	descDiskUsed       = prometheus.NewDesc("rocketd_store_disk_used_ratio", "Used fraction of the file system holding the path (commitlog, consumequeue).", []string{"path"}, nil)
	descStoreBytes     = prometheus.NewDesc("rocketd_store_commitlog_bytes", "CommitLog bytes between the min and max physical offsets.", nil, nil)
	descConns          = prometheus.NewDesc("rocketd_connections", "Open client connections.", []string{"listener"}, nil)
	descConsumers      = prometheus.NewDesc("rocketd_consumer_clients", "Connected consumer clients per group.", []string{"group"}, nil)
	descProducers      = prometheus.NewDesc("rocketd_producer_clients", "Connected producer clients per group.", []string{"group"}, nil)
)

// runtimeMetrics maps GET_BROKER_RUNTIME_INFO keys to rocketmq-exporter names; a value of three numbers
// ("putTps": "10s 60s 600s") fans out to the three names given.
var runtimeMetrics = []struct {
	key   string
	names []string
}{
	{"msgPutTotalTodayNow", []string{"rocketmq_brokeruntime_msg_put_total_today_now"}},
	{"msgGetTotalTodayNow", []string{"rocketmq_brokeruntime_msg_gettotal_today_now"}},
	{"msgGetTotalYesterdayMorning", []string{"rocketmq_brokeruntime_msg_gettotal_yesterdaymorning"}},
	{"msgPutTotalYesterdayMorning", []string{"rocketmq_brokeruntime_msg_puttotal_yesterdaymorning"}},
	{"msgGetTotalTodayMorning", []string{"rocketmq_brokeruntime_msg_gettotal_todaymorning"}},
	{"msgPutTotalTodayMorning", []string{"rocketmq_brokeruntime_msg_puttotal_todaymorning"}},
	{"dispatchBehindBytes", []string{"rocketmq_brokeruntime_dispatch_behind_bytes"}},
	{"putMessageSizeTotal", []string{"rocketmq_brokeruntime_put_message_size_total"}},
	{"putMessageAverageSize", []string{"rocketmq_brokeruntime_put_message_average_size"}},
	{"queryThreadPoolQueueCapacity", []string{"rocketmq_brokeruntime_query_threadpool_queue_capacity"}},
	{"earliestMessageTimeStamp", []string{"rocketmq_brokeruntime_earliest_message_timestamp"}},
	{"putMessageEntireTimeMax", []string{"rocketmq_brokeruntime_putmessage_entire_time_max"}},
	{"startAcceptSendRequestTimeStamp", []string{"rocketmq_brokeruntime_start_accept_sendrequest_time"}},
	{"sendThreadPoolQueueSize", []string{"rocketmq_brokeruntime_send_threadpool_queue_size"}},
	{"putMessageTimesTotal", []string{"rocketmq_brokeruntime_putmessage_times_total"}},
	{"getMessageEntireTimeMax", []string{"rocketmq_brokeruntime_getmessage_entire_time_max"}},
	{"pageCacheLockTimeMills", []string{"rocketmq_brokeruntime_pagecache_lock_time_mills"}},
	{"commitLogDiskRatio", []string{"rocketmq_brokeruntime_commitlog_disk_ratio"}},
	{"consumeQueueDiskRatio", []string{"rocketmq_brokeruntime_consumequeue_disk_ratio"}},
	{"getFoundTps", []string{"rocketmq_brokeruntime_getfound_tps10", "rocketmq_brokeruntime_getfound_tps60", "rocketmq_brokeruntime_getfound_tps600"}},
	{"getTotalTps", []string{"rocketmq_brokeruntime_gettotal_tps10", "rocketmq_brokeruntime_gettotal_tps60", "rocketmq_brokeruntime_gettotal_tps600"}},
	{"getTransferedTps", []string{"rocketmq_brokeruntime_gettransfered_tps10", "rocketmq_brokeruntime_gettransfered_tps60", "rocketmq_brokeruntime_gettransfered_tps600"}},
	{"getMissTps", []string{"rocketmq_brokeruntime_getmiss_tps10", "rocketmq_brokeruntime_getmiss_tps60", "rocketmq_brokeruntime_getmiss_tps600"}},
	{"putTps", []string{"rocketmq_brokeruntime_put_tps10", "rocketmq_brokeruntime_put_tps60", "rocketmq_brokeruntime_put_tps600"}},
	{"putLatency99", []string{"rocketmq_brokeruntime_put_latency_99"}},
	{"putLatency999", []string{"rocketmq_brokeruntime_put_latency_999"}},
	{"pullThreadPoolQueueCapacity", []string{"rocketmq_brokeruntime_pull_threadpoolqueue_capacity"}},
	{"sendThreadPoolQueueCapacity", []string{"rocketmq_brokeruntime_send_threadpoolqueue_capacity"}},
	{"pullThreadPoolQueueSize", []string{"rocketmq_brokeruntime_pull_threadpoolqueue_size"}},
	{"queryThreadPoolQueueSize", []string{"rocketmq_brokeruntime_query_threadpoolqueue_size"}},
	{"pullThreadPoolQueueHeadWaitTimeMills", []string{"rocketmq_brokeruntime_pull_threadpoolqueue_headwait_timemills"}},
	{"queryThreadPoolQueueHeadWaitTimeMills", []string{"rocketmq_brokeruntime_query_threadpoolqueue_headwait_timemills"}},
	{"sendThreadPoolQueueHeadWaitTimeMills", []string{"rocketmq_brokeruntime_send_threadpoolqueue_headwait_timemills"}},
	{"commitLogMaxOffset", []string{"rocketmq_brokeruntime_commitlog_maxoffset"}},
	{"commitLogMinOffset", []string{"rocketmq_brokeruntime_commitlog_minoffset"}},
	{"remainTransientStoreBufferNumbs", []string{"rocketmq_brokeruntime_remain_transientstore_buffer_numbs"}},
}

var runtimeDescs = func() map[string]*prometheus.Desc {
	m := map[string]*prometheus.Desc{}
	for _, r := range runtimeMetrics {
		for _, n := range r.names {
			m[n] = prometheus.NewDesc(n, "GET_BROKER_RUNTIME_INFO "+r.key, brokerRuntimeLabel, nil)
		}
	}
	return m
}()

func (c *brokerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBrokerTPS, descBrokerQPS, descProducerTPS, descProducerSize,
		descProducerOffset, descConsumerTPS, descConsumerSize, descConsumerOffset, descGroupDiff, descGroupLatency,
		descFlushBehind, descDispatchBehind, descDiskUsed, descStoreBytes, descConns, descConsumers, descProducers} {
		ch <- d
	}
	for _, d := range runtimeDescs {
		ch <- d
	}
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func (c *brokerCollector) Collect(ch chan<- prometheus.Metric) {
	b := c.b
	cluster, name, addr := b.cfg.Broker.BrokerClusterName, b.cfg.Broker.BrokerName, b.brokerAddr()
	st := b.ext.stats
	if st != nil {
		var put, get float64
		st.Each(stats.BrokerPutNums, func(_, _ string, it *stats.Item) { put += it.Minute().Tps })
		st.Each(stats.BrokerGetNums, func(_, _ string, it *stats.Item) { get += it.Minute().Tps })
		gauge(ch, descBrokerTPS, put, cluster, addr, name)
		gauge(ch, descBrokerQPS, get, cluster, addr, name)
		st.Each(stats.TopicPutNums, func(topic, _ string, it *stats.Item) {
			gauge(ch, descProducerTPS, it.Minute().Tps, cluster, name, topic)
		})
		st.Each(stats.TopicPutSize, func(topic, _ string, it *stats.Item) {
			gauge(ch, descProducerSize, it.Minute().Tps, cluster, name, topic)
		})
		st.Each(stats.GroupGetNums, func(topic, group string, it *stats.Item) {
			gauge(ch, descConsumerTPS, it.Minute().Tps, cluster, name, topic, group)
		})
		st.Each(stats.GroupGetSize, func(topic, group string, it *stats.Item) {
			gauge(ch, descConsumerSize, it.Minute().Tps, cluster, name, topic, group)
		})
	}
	for _, tc := range b.topics.All() {
		var sum int64
		for q := int32(0); q < tc.WriteQueueNums; q++ {
			sum += max(b.store.GetMaxOffsetInQueue(tc.TopicName, q), 0)
		}
		gauge(ch, descProducerOffset, float64(sum), cluster, name, tc.TopicName)
	}
	c.collectGroups(ch, cluster, name)
	c.collectRuntime(ch, cluster, name, addr)

	if fb, ok := b.store.(interface{ FlushBehindBytes() int64 }); ok && fb.FlushBehindBytes() >= 0 {
		gauge(ch, descFlushBehind, float64(fb.FlushBehindBytes()))
	}
	if db, ok := b.store.(interface{ DispatchBehindBytes() int64 }); ok && db.DispatchBehindBytes() >= 0 {
		gauge(ch, descDispatchBehind, float64(db.DispatchBehindBytes()))
	}
	gauge(ch, descStoreBytes, float64(max(b.store.GetMaxPhyOffset()-max(b.store.GetMinPhyOffset(), 0), 0)))
	cl := b.cfg.Store.CommitLogPath()
	for _, p := range []struct{ label, path string }{{"commitlog", cl}, {"consumequeue", filepath.Join(b.cfg.Store.StorePathRootDir, "consumequeue")}} {
		if r := diskUsedRatio(p.path); r >= 0 {
			gauge(ch, descDiskUsed, r, p.label)
		}
	}
	if b.server != nil {
		gauge(ch, descConns, float64(b.server.NumConns()), "main")
	}
	if b.vip != nil {
		gauge(ch, descConns, float64(b.vip.NumConns()), "vip")
	}
	for group, chans := range b.producers.Groups() {
		gauge(ch, descProducers, float64(len(chans)), group)
	}
}

// collectGroups exports, per (group, topic) with committed offsets, the lag (rocketmq_group_diff, clustering
// groups, as the exporter), the committed offset sum and the store-time latency of the oldest unconsumed
// message.
func (c *brokerCollector) collectGroups(ch chan<- prometheus.Metric, cluster, name string) {
	b := c.b
	now := time.Now().UnixMilli()
	seen := map[string]bool{}
	for _, key := range b.offsets.Keys() {
		topic, group, ok := strings.Cut(key, "@")
		if !ok {
			continue
		}
		tc, ok := b.topics.Get(topic)
		if !ok {
			continue
		}
		snap, online := b.consumers.Snapshot(group)
		if !seen[group] {
			seen[group] = true
			gauge(ch, descConsumers, float64(len(snap.Channels)), group)
		}
		var diff, consumed int64
		var oldest int64
		for q := int32(0); q < tc.WriteQueueNums; q++ {
			brokerOff := max(b.store.GetMaxOffsetInQueue(topic, q), 0)
			off, _ := b.offsets.Query(group, topic, q)
			off = max(off, 0)
			consumed += off
			if brokerOff > off {
				diff += brokerOff - off
				if ts := b.store.GetMessageStoreTimeStamp(topic, q, off); ts > 0 && (oldest == 0 || ts < oldest) {
					oldest = ts
				}
			}
		}
		gauge(ch, descConsumerOffset, float64(consumed), cluster, name, topic, group)
		var latency float64
		if oldest > 0 {
			latency = float64(max(now-oldest, 0))
		}
		gauge(ch, descGroupLatency, latency, cluster, name, topic, group)
		if online && snap.MessageModel == "BROADCASTING" {
			continue
		}
		// msgModel is the MessageModel ordinal: CLUSTERING = 1.
		gauge(ch, descGroupDiff, float64(diff), group, topic, strconv.Itoa(len(snap.Channels)), "1")
	}
}

func (c *brokerCollector) collectRuntime(ch chan<- prometheus.Metric, cluster, name, addr string) {
	t := c.b.runtimeInfo()
	// brokerHost is the broker name, as the exporter fills it from the cluster table.
	labels := []string{cluster, addr, name, t["brokerVersionDesc"], t["bootTimestamp"], t["brokerVersion"]}
	for _, r := range runtimeMetrics {
		v, ok := t[r.key]
		if !ok {
			continue
		}
		// Windows without enough samples yet are empty ("putTps": " " after start): no sample for them.
		fields := strings.Split(v, " ")
		if len(fields) != len(r.names) {
			continue
		}
		for i, n := range r.names {
			f, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			gauge(ch, runtimeDescs[n], f, labels...)
		}
	}
}
