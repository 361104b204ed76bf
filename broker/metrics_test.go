package broker

import (
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/ops"
	"github.com/rocketd/rocketd/ops/opstest"
	"github.com/rocketd/rocketd/remoting/code"
)

// The monitoring listener over real HTTP, with a real name server: names and labels of rocketmq-exporter,
// rocketd's own metrics, readiness after registration, and values that move when messages are sent and
// partly consumed.
func TestMetricsScrapeUnderLoad(t *testing.T) {
	ns, err := namesrv.New(nil, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NoError(t, ns.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = ns.Close() })

	mon := ops.NewMonitor()
	require.NoError(t, mon.Start("127.0.0.1:0", slog.New(slog.DiscardHandler)))
	t.Cleanup(func() { _ = mon.Close() })
	tb := startTestBroker(t, func(c *conf.Broker) { c.Broker.NamesrvAddr = ns.Addr() }, func(o *Options) { o.Metrics = true })
	require.NoError(t, mon.Register(tb.b.Collectors()...))
	mon.SetReady(tb.b.Ready)
	base := "http://" + mon.Addr()

	require.Eventually(t, func() bool { c, _ := opstest.Get(t, base+"/readyz"); return c == http.StatusOK },
		10*time.Second, 20*time.Millisecond, "ready once registered with the name server")

	const topic, group = "MetricsTopic", "metrics-group"
	tb.createTopic(t, topic, 2)
	before := opstest.Scrape(t, base+"/metrics")
	sends0, _ := opstest.Value(before, "rocketd_request_duration_seconds", map[string]string{"code": "310"})
	maxOff0, ok := opstest.Value(before, "rocketmq_brokeruntime_commitlog_maxoffset", nil)
	require.True(t, ok, opstest.Describe(before, "rocketmq_brokeruntime_commitlog_maxoffset"))

	const n = 20
	for i := 0; i < n; i++ {
		resp := tb.call(t, code.SendMessageV2, sendV2(topic, i%2, "TAGS\x01T"), []byte("metrics-body-"+strconv.Itoa(i)))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
	// The group consumed 3 messages of queue 0 and none of queue 1.
	resp := tb.call(t, code.UpdateConsumerOffset, map[string]string{"consumerGroup": group, "topic": topic, "queueId": "0", "commitOffset": "3"}, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	resp = tb.call(t, code.UpdateConsumerOffset, map[string]string{"consumerGroup": group, "topic": topic, "queueId": "1", "commitOffset": "0"}, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)

	var after = opstest.Scrape(t, base+"/metrics")
	require.Eventually(t, func() bool {
		after = opstest.Scrape(t, base+"/metrics")
		v, _ := opstest.Value(after, "rocketd_store_dispatch_behind_bytes", nil)
		return v == 0
	}, 10*time.Second, 20*time.Millisecond, "dispatch catches up")

	// rocketmq-exporter names and label sets.
	for name, labels := range map[string][]string{
		"rocketmq_broker_tps":                           {"cluster", "brokerIP", "broker"},
		"rocketmq_broker_qps":                           {"cluster", "brokerIP", "broker"},
		"rocketmq_producer_offset":                      {"cluster", "broker", "topic"},
		"rocketmq_consumer_offset":                      {"cluster", "broker", "topic", "group"},
		"rocketmq_group_diff":                           {"group", "topic", "countOfOnlineConsumers", "msgModel"},
		"rocketmq_group_get_latency_by_storetime":       {"cluster", "broker", "topic", "group"},
		"rocketmq_brokeruntime_commitlog_maxoffset":     {"cluster", "brokerIP", "brokerHost", "des", "boottime", "broker_version"},
		"rocketmq_brokeruntime_gettotal_tps10":          {"cluster", "brokerIP", "brokerHost", "des", "boottime", "broker_version"},
		"rocketmq_brokeruntime_msg_put_total_today_now": {"cluster", "brokerIP", "brokerHost", "des", "boottime", "broker_version"},
	} {
		require.ElementsMatch(t, labels, opstest.Labels(after, name), name)
	}
	// The minute windows (rocketmq_producer_tps, rocketmq_consumer_tps) fill on the 10 s sampling; they exist once
	// the topic was written.
	_, ok = opstest.Value(after, "rocketmq_producer_tps", map[string]string{"topic": topic, "cluster": "DefaultCluster", "broker": "broker-t"})
	require.True(t, ok, opstest.Describe(after, "rocketmq_producer_tps"))

	// Values moved.
	v, _ := opstest.Value(after, "rocketmq_producer_offset", map[string]string{"topic": topic})
	require.Equal(t, float64(n), v)
	v, _ = opstest.Value(after, "rocketmq_group_diff", map[string]string{"topic": topic, "group": group, "msgModel": "1"})
	require.Equal(t, float64(n-3), v)
	v, _ = opstest.Value(after, "rocketmq_consumer_offset", map[string]string{"topic": topic, "group": group})
	require.Equal(t, float64(3), v)
	v, _ = opstest.Value(after, "rocketmq_group_get_latency_by_storetime", map[string]string{"topic": topic, "group": group})
	require.GreaterOrEqual(t, v, float64(0))
	v, _ = opstest.Value(after, "rocketmq_brokeruntime_msg_put_total_today_now", nil)
	require.GreaterOrEqual(t, v, float64(n))
	maxOff, _ := opstest.Value(after, "rocketmq_brokeruntime_commitlog_maxoffset", nil)
	require.Greater(t, maxOff, maxOff0)
	sends, _ := opstest.Value(after, "rocketd_request_duration_seconds", map[string]string{"code": "310"})
	require.Equal(t, sends0+n, sends, "one latency observation per SEND_MESSAGE_V2")
	_, ok = opstest.Value(after, "rocketd_request_duration_seconds", map[string]string{"code": "15"})
	require.True(t, ok)
	conns, _ := opstest.Value(after, "rocketd_connections", map[string]string{"listener": "main"})
	require.GreaterOrEqual(t, conns, float64(1))
	stored, _ := opstest.Value(after, "rocketd_store_commitlog_bytes", nil)
	require.Equal(t, maxOff, stored)
	_, ok = opstest.Value(after, "rocketd_store_flush_behind_bytes", nil)
	require.True(t, ok)
	_, ok = opstest.Value(after, "rocketd_store_disk_used_ratio", map[string]string{"path": "commitlog"})
	require.True(t, ok)
	_, ok = opstest.Value(after, "go_gc_duration_seconds", nil)
	require.True(t, ok)

	// Off: no collectors, no instrumented routes.
	off := startTestBroker(t)
	require.Nil(t, off.b.Collectors())
}
