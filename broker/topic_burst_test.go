package broker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/broker/topic"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// registerRecorder is a name server stand-in on real TCP that answers REGISTER_BROKER and remembers the size
// of every registration body.
type registerRecorder struct {
	mu     sync.Mutex
	sizes  []int
	topics [][]string // topic names of each registration (nil when the body did not decode)
}

func (r *registerRecorder) start(t *testing.T) string {
	router := remoting.NewRouter(nil)
	router.Handle(code.RegisterBroker, nil, func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
		var names []string
		if rb, err := namesrv.DecodeRegisterBody(req.Body, req.Ext("compressed") == "true"); err == nil {
			names = []string{}
			for _, tc := range rb.Topics {
				names = append(names, tc.TopicName)
			}
		}
		r.mu.Lock()
		r.sizes = append(r.sizes, len(req.Body))
		r.topics = append(r.topics, names)
		r.mu.Unlock()
		return remoting.NewResponse(req, code.Success, ""), nil
	})
	router.HandleDefault(nil, func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
		return remoting.NewResponse(req, code.Success, ""), nil
	})
	s := &remoting.Server{Router: router, Logger: slog.New(slog.DiscardHandler)}
	require.NoError(t, s.Listen("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	return s.Addr().String()
}

func (r *registerRecorder) topicLists() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.topics)
}

func (r *registerRecorder) snapshot() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sizes)
}

// Creating topics registers only the changed topic with the name servers (Java 4.9.8
// registerIncrementBrokerData), not the whole table, and a burst of creates shares topics.json writes. The
// count defaults to 5,000 (ROCKETD_TOPIC_BURST overrides it); the timing and route-lookup latency are printed.
func TestTopicBurstRegistersIncrementally(t *testing.T) {
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("ROCKETD_TOPIC_BURST")); err == nil && v > 0 {
		n = v
	}
	if testing.Short() || raceEnabled {
		n = 1000 // the figure that matters is printed by the run without -race (make torture runs it too)
	}
	log := slog.New(slog.DiscardHandler)
	nc := conf.DefaultNamesrv()
	nc.Namesrv.KvConfigPath = filepath.Join(t.TempDir(), "kvConfig.json")
	ns, err := namesrv.New(nc, log)
	require.NoError(t, err)
	require.NoError(t, ns.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = ns.Close() })
	rec := &registerRecorder{}
	recAddr := rec.start(t)

	tb := startTestBroker(t, func(c *conf.Broker) { c.Broker.NamesrvAddr = ns.Addr() + ";" + recAddr },
		func(o *Options) { o.RegisterPeriod = time.Hour }) // only the creates register during the test
	require.Eventually(t, func() bool { return len(rec.snapshot()) > 0 }, 10*time.Second, 10*time.Millisecond, "start registration")
	startRegs := len(rec.snapshot())
	writesBefore := tb.b.topics.FileWrites()

	workers := 16 // the admin pool has 16 workers (adminBrokerThreadPoolNums); ROCKETD_TOPIC_BURST_CONNS overrides
	if v, err := strconv.Atoi(os.Getenv("ROCKETD_TOPIC_BURST_CONNS")); err == nil && v > 0 {
		workers = v
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				resp, err := tb.cl.InvokeSync(context.Background(), tb.addr, remoting.NewRequest(code.UpdateAndCreateTopic, map[string]string{
					"topic": fmt.Sprintf("Burst-%05d", i), "defaultTopic": "TBW102", "readQueueNums": "4", "writeQueueNums": "4",
					"perm": "6", "topicFilterType": "SINGLE_TAG", "order": "false"}, nil), 10*time.Second)
				if err == nil && resp.Code != code.Success {
					err = fmt.Errorf("create %d: code %d %s", i, resp.Code, resp.Remark)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	regs := rec.snapshot()[startRegs:]
	maxSize := 0
	for _, s := range regs {
		maxSize = max(maxSize, s)
	}
	writes := tb.b.topics.FileWrites() - writesBefore
	t.Logf("%d topics created over TCP by %d connections in %v (%.0f/s); %d registrations to one name server, largest body %d bytes; topics.json written %d times",
		n, workers, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), len(regs), maxSize, writes)
	require.GreaterOrEqual(t, len(regs), n, "every create registers with every name server before answering")
	require.Less(t, maxSize, 1024, "a create must register the changed topic, not the whole table")
	require.Less(t, writes, int64(n)/4, "a burst of creates must share topics.json writes")

	// The real name server knows every topic; route lookups stay fast.
	var lat []time.Duration
	for i := 0; i < min(n, 1000); i++ {
		topic := fmt.Sprintf("Burst-%05d", (i*7919)%n)
		t0 := time.Now()
		resp, err := tb.cl.InvokeSync(context.Background(), ns.Addr(), remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": topic}, nil), 5*time.Second)
		lat = append(lat, time.Since(t0))
		require.NoError(t, err)
		require.Equal(t, code.Success, resp.Code, "route of %s: %s", topic, resp.Remark)
	}
	slices.Sort(lat)
	t.Logf("route lookups over TCP: p50 %v, p99 %v", lat[len(lat)/2], lat[len(lat)*99/100])

	// Once the writer has caught up, the file holds every topic, in Java's format (read back by a fresh manager).
	require.NoError(t, tb.b.topics.Flush())
	back, err := topic.Open(tb.b.topics.Path(), topic.DefaultOptions())
	require.NoError(t, err)
	for i := 0; i < n; i++ {
		require.True(t, back.Contains(fmt.Sprintf("Burst-%05d", i)), "Burst-%05d missing from topics.json", i)
	}
	require.Equal(t, tb.b.topics.DataVersion(), back.DataVersion())
}

// Creates are answered before topics.json is written; stopping the broker writes what is pending.
func TestCloseWritesAnsweredCreates(t *testing.T) {
	tb := startTestBroker(t)
	for i := 0; i < 300; i++ {
		tb.createTopic(t, fmt.Sprintf("Pending-%03d", i), 2)
	}
	require.NoError(t, tb.b.Close())
	back, err := topic.Open(tb.b.topics.Path(), topic.DefaultOptions())
	require.NoError(t, err)
	for i := 0; i < 300; i++ {
		require.True(t, back.Contains(fmt.Sprintf("Pending-%03d", i)))
	}
}
