package namesrv

import (
	"fmt"
	"testing"
)

// BenchmarkRouteBody is the hot path of a NameServer: every producer and consumer asks for each topic's route
// every 30 s.
func BenchmarkRouteBody(b *testing.B) {
	ri := NewRouteInfo(quietLog())
	var topics []TopicConfig
	for i := 0; i < 500; i++ {
		topics = append(topics, topic(fmt.Sprintf("Topic%d", i), 8, 6, 0))
	}
	for i := 0; i < 4; i++ {
		for id := int64(0); id < 2; id++ {
			ri.Register(Registration{Cluster: "C", BrokerName: fmt.Sprintf("broker-%d", i), BrokerAddr: fmt.Sprintf("10.0.0.%d:%d", i, 10911+id),
				BrokerID: id, Body: sampleBody(1, topics...)})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tr := ri.PickupTopicRoute("Topic42")
		body := tr.encode(false)
		b.SetBytes(int64(len(body)))
	}
}
