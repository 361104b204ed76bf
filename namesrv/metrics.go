package namesrv

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rocketd/rocketd/ops"
)

// BootMessage is the line Java's NamesrvStartup prints on stdout once the name server serves; start scripts
// wait for "boot success".
const BootMessage = "The Name Server boot success. serializeType=JSON"

var (
	descLiveBrokers = prometheus.NewDesc("rocketd_namesrv_live_brokers", "Broker addresses whose registration has not expired.", nil, nil)
	descTopics      = prometheus.NewDesc("rocketd_namesrv_topics", "Topics in the route table.", nil, nil)
	descClusters    = prometheus.NewDesc("rocketd_namesrv_clusters", "Clusters in the route table.", nil, nil)
	descNsConns     = prometheus.NewDesc("rocketd_connections", "Open client connections.", []string{"listener"}, nil)
)

// Collectors are what the name server exports on /metrics: route table sizes, connections and
// rocketd_request_duration_seconds{code}. Call before Start (it instruments the router).
func (s *Server) Collectors() []prometheus.Collector {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latency == nil {
		s.latency = ops.NewRequestLatency()
		s.router.ObserveLatency(s.latency.For)
	}
	return []prometheus.Collector{nsCollector{s}, s.latency}
}

// Ready is nil once the listener is open (the /readyz check).
func (s *Server) Ready() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.closed {
		return errors.New("listener not open")
	}
	return nil
}

type nsCollector struct{ s *Server }

func (c nsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descLiveBrokers
	ch <- descTopics
	ch <- descClusters
	ch <- descNsConns
}

func (c nsCollector) Collect(ch chan<- prometheus.Metric) {
	ri := c.s.routes
	ri.mu.RLock()
	live, topics, clusters := len(ri.live), ri.topics.Len(), ri.clusters.Len()
	ri.mu.RUnlock()
	ch <- prometheus.MustNewConstMetric(descLiveBrokers, prometheus.GaugeValue, float64(live))
	ch <- prometheus.MustNewConstMetric(descTopics, prometheus.GaugeValue, float64(topics))
	ch <- prometheus.MustNewConstMetric(descClusters, prometheus.GaugeValue, float64(clusters))
	ch <- prometheus.MustNewConstMetric(descNsConns, prometheus.GaugeValue, float64(c.s.srv.NumConns()), "main")
}
