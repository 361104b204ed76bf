package client

import (
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
)

func TestParseHeartbeatJavaAndGoShapes(t *testing.T) {
	java := `{"clientID":"10.0.0.5@12345","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"g","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919,-45],"expressionType":"TAG","subString":"TagA || x","subVersion":1700000000000,"tagsSet":["TagA","x"],"topic":"T"}],"unitMode":false}],"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}]}`
	hb, err := ParseHeartbeat([]byte(java))
	require.NoError(t, err)
	require.Equal(t, "10.0.0.5@12345", hb.ClientID)
	require.Equal(t, CodeSet{2598919, -45}, hb.ConsumerDataSet[0].SubscriptionDataSet[0].CodeSet)

	goClient := `{"clientID":"10.0.0.6@999","producerDataSet":[],"consumerDataSet":[{"groupName":"g","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","subscriptionDataSet":[{"classFilterMode":false,"topic":"T","subString":"*","tagsSet":[],"codeSet":["2598919","-45"],"subVersion":1700000000000000000,"expressionType":"TAG"}],"unitMode":false}]}`
	hb, err = ParseHeartbeat([]byte(goClient))
	require.NoError(t, err)
	require.Equal(t, CodeSet{2598919, -45}, hb.ConsumerDataSet[0].SubscriptionDataSet[0].CodeSet)
	require.Equal(t, int64(1700000000000000000), hb.ConsumerDataSet[0].SubscriptionDataSet[0].SubVersion)

	for _, bad := range []string{``, `{`, `{"clientID":""}`, `{"clientID":"x","consumerDataSet":[{"subscriptionDataSet":[{"codeSet":["abc"]}]}]}`, `[]`} {
		_, err := ParseHeartbeat([]byte(bad))
		require.Error(t, err, bad)
	}
}

// pipeConns gives real *remoting.Conn values by connecting a client to a throwaway server.
func pipeConns(t *testing.T, n int) []*remoting.Conn {
	t.Helper()
	var mu sync.Mutex
	var conns []*remoting.Conn
	s := &remoting.Server{Router: remoting.NewRouter(nil), OnConnect: func(c *remoting.Conn) { mu.Lock(); conns = append(conns, c); mu.Unlock() }}
	require.NoError(t, s.Listen("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	for i := 0; i < n; i++ {
		nc, err := net.Dial("tcp", s.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { nc.Close() })
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(conns) == n }, 5*time.Second, 5*time.Millisecond)
	return conns
}

func TestConsumersNotifyOnChange(t *testing.T) {
	conns := pipeConns(t, 2)
	type ev struct {
		e     Event
		group string
		n     int
	}
	var mu sync.Mutex
	var evs []ev
	cs := NewConsumers(slog.Default(), func(e Event, g string, cc []*remoting.Conn, _ []SubscriptionData) {
		if e == Registered {
			return
		}
		mu.Lock()
		evs = append(evs, ev{e, g, len(cc)})
		mu.Unlock()
	})
	cd := &ConsumerData{GroupName: "g", SubscriptionDataSet: []SubscriptionData{{Topic: "T", SubString: "*", SubVersion: 1}}}
	now := time.Now()
	require.True(t, cs.Register(cd, ChannelInfo{Conn: conns[0], ClientID: "a", LastUpdate: now}, true))
	require.False(t, cs.Register(cd, ChannelInfo{Conn: conns[0], ClientID: "a", LastUpdate: now}, true), "same heartbeat changes nothing")
	require.True(t, cs.Register(cd, ChannelInfo{Conn: conns[1], ClientID: "b", LastUpdate: now}, true))
	require.Equal(t, []string{"a", "b"}, cs.ClientIDs("g"))

	cs.Unregister("g", conns[0], true)
	require.Equal(t, []string{"b"}, cs.ClientIDs("g"))
	cs.ConnClosed(conns[1], func(string) bool { return true })
	require.Empty(t, cs.ClientIDs("g"))
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []ev{{Changed, "g", 1}, {Changed, "g", 2}, {Changed, "g", 1}, {Unregistered, "g", 0}}, evs)
}

func TestConsumersSubscriptionUpdates(t *testing.T) {
	conns := pipeConns(t, 1)
	cs := NewConsumers(slog.Default(), nil)
	ci := ChannelInfo{Conn: conns[0], ClientID: "a", LastUpdate: time.Now()}
	cs.Register(&ConsumerData{GroupName: "g", SubscriptionDataSet: []SubscriptionData{{Topic: "T", SubString: "a", SubVersion: 2}, {Topic: "U", SubVersion: 1}}}, ci, true)
	// An older subVersion does not replace; a dropped topic is removed.
	require.True(t, cs.Register(&ConsumerData{GroupName: "g", SubscriptionDataSet: []SubscriptionData{{Topic: "T", SubString: "b", SubVersion: 1}}}, ci, true))
	s, ok := cs.Subscription("g", "T")
	require.True(t, ok)
	require.Equal(t, "a", s.SubString)
	_, ok = cs.Subscription("g", "U")
	require.False(t, ok)
	cs.Register(&ConsumerData{GroupName: "g", SubscriptionDataSet: []SubscriptionData{{Topic: "T", SubString: "c", SubVersion: 3}}}, ci, true)
	s, _ = cs.Subscription("g", "T")
	require.Equal(t, "c", s.SubString)
	require.Equal(t, []string{"g"}, cs.GroupsOfTopic("T"))
}

func TestExpiryClosesConnections(t *testing.T) {
	conns := pipeConns(t, 2)
	ps := NewProducers(slog.Default())
	cs := NewConsumers(slog.Default(), nil)
	old := time.Now().Add(-3 * time.Minute)
	ps.Register("pg", ChannelInfo{Conn: conns[0], ClientID: "p", LastUpdate: old})
	cs.Register(&ConsumerData{GroupName: "cg"}, ChannelInfo{Conn: conns[1], ClientID: "c", LastUpdate: old}, true)
	ps.ScanExpired(time.Now(), ChannelExpiry)
	cs.ScanExpired(time.Now(), ChannelExpiry)
	require.Empty(t, ps.Channels("pg"))
	for _, c := range conns {
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("expired connection not closed")
		}
	}
}

func TestLocks(t *testing.T) {
	l := NewLocks(time.Minute)
	now := time.Now()
	l.now = func() time.Time { return now }
	mq := func(q int32) MessageQueue { return MessageQueue{BrokerName: "b", QueueID: q, Topic: "T"} }
	require.Equal(t, []MessageQueue{mq(0), mq(1)}, l.TryLock("g", []MessageQueue{mq(0), mq(1)}, "c1"))
	require.Equal(t, []MessageQueue{mq(2)}, l.TryLock("g", []MessageQueue{mq(1), mq(2)}, "c2"))
	require.True(t, l.IsLocked("g", mq(1), "c1"))
	l.Unlock("g", []MessageQueue{mq(1)}, "c2") // not the holder: no effect
	require.True(t, l.IsLocked("g", mq(1), "c1"))
	now = now.Add(61 * time.Second)
	require.Equal(t, []MessageQueue{mq(1)}, l.TryLock("g", []MessageQueue{mq(1)}, "c2"), "expired lock is taken over")
	l.Unlock("g", []MessageQueue{mq(1)}, "c2")
	require.False(t, l.IsLocked("g", mq(1), "c2"))
}
