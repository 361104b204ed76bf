package conformance

// Timer messages (issue #18) with the official Go client: TIMER_DELIVER_MS set as a user property on an
// unmodified 4.x client. rocketd only: the Java 4.9.8 reference has no timer and delivers such messages at
// once, so these tests skip against an external cluster.
//
// `make test` runs a scaled-down load (ROCKETD_TIMER_N, default 1000 messages due over ROCKETD_TIMER_SPREAD_MS,
// default 20 s); `make timer-full` runs the 10,000 messages over 2 minutes.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/broker"
)

const (
	// timerLateMs is the target: delivered within 100 ms after the due time. The tests assert it for
	// the median and count (and print) the messages beyond it; speed targets go in benchmarks (BENCHMARKS.md,
	// make bench-timer): on a shared 2-core machine a load spike stalls a process for up to a second or so.
	timerLateMs = 100
	// timerBugMs: no message may be later than this (a lost wake-up or a missed slot waits far longer).
	timerBugMs = 3000
)

func timerLoad(t *testing.T) (n int, spreadMs int64) {
	n, spreadMs = 1000, 20_000
	if v, err := strconv.Atoi(os.Getenv("ROCKETD_TIMER_N")); err == nil && v > 0 {
		n = v
	}
	if v, err := strconv.ParseInt(os.Getenv("ROCKETD_TIMER_SPREAD_MS"), 10, 64); err == nil && v > 0 {
		spreadMs = v
	}
	return n, spreadMs
}

// arrivals records when each body reached the consumer, and the delivered message's properties.
type arrivals struct {
	mu    sync.Mutex
	first map[string]time.Time
	count map[string]int
	props map[string]map[string]string
	store map[string]int64
}

func newArrivals() *arrivals {
	return &arrivals{first: map[string]time.Time{}, count: map[string]int{}, props: map[string]map[string]string{}, store: map[string]int64{}}
}

func (a *arrivals) listener(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range msgs {
		b := string(m.Body)
		if a.count[b] == 0 {
			a.first[b] = now
			a.props[b] = m.GetProperties()
			a.store[b] = m.StoreTimestamp
		}
		a.count[b]++
	}
	return consumer.ConsumeSuccess, nil
}

func (a *arrivals) distinct() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.first)
}

// sendTimerLoad sends n messages from 8 goroutines, each due 1 s + random(spreadMs) after its send, and
// returns body -> due ms.
func sendTimerLoad(t *testing.T, c *cluster, topic string, n int, spreadMs int64) map[string]int64 {
	t.Helper()
	p := c.producer(t)
	start := time.Now().UnixMilli()
	due := make(map[string]int64, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				body := fmt.Sprintf("%s-%d", topic, i)
				d := time.Now().UnixMilli() + 1000 + rand.Int64N(spreadMs) // at least 1 s after its send
				m := primitive.NewMessage(topic, []byte(body))
				m.WithTag("TagA")
				m.WithKeys([]string{"key-" + body})
				m.WithProperty("TIMER_DELIVER_MS", strconv.FormatInt(d, 10))
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				r, err := p.SendSync(ctx, m)
				cancel()
				if err == nil && r.Status != primitive.SendOK {
					err = fmt.Errorf("send status %v", r.Status)
				}
				if err != nil {
					errs <- fmt.Errorf("send %s: %w", body, err)
					return
				}
				mu.Lock()
				due[body] = d
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	t.Logf("sent %d timer messages in %d ms, due over the next %d ms", n, time.Now().UnixMilli()-start, spreadMs+1000)
	return due
}

// checkArrivals waits for every message, then checks none arrived early (at the consumer) and, outside the
// excused window (a restart), a median lag within timerLateMs and none later than timerBugMs (those later than
// timerLateMs are counted). exact: no message twice. atBroker: lateness is
// measured by the delivered message's store time instead of its arrival at the consumer: after a broker
// restart the Go client v2.1.2 waits 3 s after each failed pull (_PullDelayTimeWhenError), so arrivals in
// the seconds after a restart measure the client's reconnection, not the timer.
func checkArrivals(t *testing.T, a *arrivals, due map[string]int64, excuse [2]int64, exact, atBroker bool) {
	t.Helper()
	var last int64
	for _, d := range due {
		last = max(last, d)
	}
	deadline := time.UnixMilli(last).Add(30 * time.Second)
	for a.distinct() < len(due) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // late duplicates
	a.mu.Lock()
	defer a.mu.Unlock()
	var lags []int64
	late, excused := 0, 0
	for body, d := range due {
		at, ok := a.first[body]
		require.True(t, ok, "timer message %s (due %s) never arrived", body, time.UnixMilli(d).Format(time.StampMilli))
		lag := at.UnixMilli() - d
		require.GreaterOrEqual(t, lag, int64(0), "timer message %s arrived %d ms early", body, -lag)
		require.GreaterOrEqual(t, a.store[body], d, "timer message %s delivered %d ms early", body, d-a.store[body])
		if atBroker {
			lag = a.store[body] - d
		}
		if d >= excuse[0] && d <= excuse[1] {
			excused++
			continue
		}
		lags = append(lags, lag)
		if lag > timerLateMs {
			late++
			t.Logf("timer message %s arrived %d ms after its due time (stored %d ms after it; due %d ms after the start of the restart window)",
				body, at.UnixMilli()-d, a.store[body]-d, d-excuse[0])
		}
		if lag > timerBugMs {
			t.Errorf("timer message %s arrived %d ms after its due time (stored %d ms after it)", body, at.UnixMilli()-d, a.store[body]-d)
		}
		if exact {
			require.Equal(t, 1, a.count[body], "timer message %s delivered %d times", body, a.count[body])
		}
	}
	if len(lags) > 0 {
		slicesSort(lags)
		require.LessOrEqual(t, lags[len(lags)/2], int64(timerLateMs), "median delivery lag")
		t.Logf("%d messages: lag p50 %d ms, p99 %d ms, max %d ms; %d due during the restart (only checked not early); %d later than %d ms",
			len(lags), lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1], excused, late, timerLateMs)
	}
}

func slicesSort(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// The same message: properties, keys, tag filter and queue as it was sent.
func TestTimerMessageIdentityAndTagFilter(t *testing.T) {
	c := newCluster(t)
	skipExternal(t, c)
	topic := uniq("TimerId")
	c.createTopic(t, topic, 4)
	p := c.producer(t)
	due := time.Now().UnixMilli() + 1500
	var ids []string
	for i, tag := range []string{"TagA", "TagB"} {
		m := primitive.NewMessage(topic, []byte(tag))
		m.WithTag(tag)
		m.WithKeys([]string{"k" + strconv.Itoa(i)})
		m.WithProperty("TIMER_DELIVER_MS", strconv.FormatInt(due, 10))
		r, err := p.SendSync(ctx10s(t), m)
		require.NoError(t, err)
		ids = append(ids, r.MsgID)
	}
	var mu sync.Mutex
	var got []*primitive.MessageExt
	c.funcConsumer(t, uniq("cg"), topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "TagB"},
		func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			mu.Lock()
			got = append(got, msgs...)
			mu.Unlock()
			return consumer.ConsumeSuccess, nil
		})
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) > 0 }, 20*time.Second, 50*time.Millisecond)
	time.Sleep(time.Second)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1, "the tag filter applies to the delivered message")
	m := got[0]
	require.Equal(t, "TagB", string(m.Body))
	require.Equal(t, ids[1], m.MsgId, "msgId (UNIQ_KEY) unchanged")
	require.Equal(t, topic, m.Topic)
	require.Equal(t, "TagB", m.GetTags())
	require.Equal(t, "k1", m.GetKeys())
	require.Equal(t, topic, m.GetProperty("REAL_TOPIC"))
	require.Equal(t, strconv.FormatInt(due, 10), m.GetProperty("TIMER_OUT_MS"))
	require.GreaterOrEqual(t, m.StoreTimestamp, due)

	// Beyond timerMaxDelaySec: refused with MESSAGE_ILLEGAL (13), which the client does not retry.
	far := primitive.NewMessage(topic, []byte("far"))
	far.WithProperty("TIMER_DELAY_SEC", strconv.Itoa(4*24*3600))
	_, err := p.SendSync(ctx10s(t), far)
	require.ErrorContains(t, err, "timerMaxDelaySec")
}

func skipExternal(t *testing.T, c *cluster) {
	if c.external {
		t.Skip("timer messages are a rocketd feature (RocketMQ 5.x); the Java 4.9.8 reference delivers them at once")
	}
}

// runTimerLoad creates a topic, starts a consumer recording arrivals and sends the timerLoad messages.
func runTimerLoad(t *testing.T, c *cluster, prefix string) (*arrivals, map[string]int64, int64) {
	t.Helper()
	n, spread := timerLoad(t)
	topic := uniq(prefix)
	c.createTopic(t, topic, 4)
	a := newArrivals()
	c.funcConsumer(t, uniq("cg"), topic, consumer.MessageSelector{}, a.listener)
	return a, sendTimerLoad(t, c, topic, n, spread), spread
}

// Random due times: every message arrives at the consumer after its due time (none early), none twice, and
// a median lag within the 100 ms, none later than timerBugMs; the lag percentiles are printed.
func TestTimerRandomDueTimesOnTime(t *testing.T) {
	c := newCluster(t)
	skipExternal(t, c)
	a, due, _ := runTimerLoad(t, c, "TimerOnTime")
	checkArrivals(t, a, due, [2]int64{}, true, false)
}

// Random due times with a clean broker restart in the middle: none lost, none early, none twice, and
// those not due during the restart delivered without delay (timerBugMs; lags printed).
func TestTimerRandomDueTimesAcrossARestart(t *testing.T) {
	c := newCluster(t)
	skipExternal(t, c)
	a, due, spread := runTimerLoad(t, c, "TimerRestart")
	time.Sleep(time.Duration(spread/2) * time.Millisecond)
	from := time.Now().UnixMilli()
	c.restartBroker(t)
	to := time.Now().UnixMilli() + 3000 // the clients reconnect and re-pull
	checkArrivals(t, a, due, [2]int64{from, to}, true, true)
}

const envTimerBrokerChild = "ROCKETD_TIMER_BROKER_CHILD"

// TestTimerBrokerChild is a broker process for the kill -9 test; it does nothing in a normal run.
func TestTimerBrokerChild(t *testing.T) {
	spec := os.Getenv(envTimerBrokerChild) // root|namesrv|port
	if spec == "" {
		t.Skip("child process of TestTimerKill9")
	}
	f := strings.Split(spec, "|")
	cfg := brokerConfig(f[0], f[1])
	b, err := broker.New(cfg, quietLogger(), broker.Options{ListenAddr: "127.0.0.1:" + f[2], RegisterPeriod: 2 * time.Second})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	if err := b.Start(); err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	fmt.Println("ready", cfg.Server.ListenPort)
	time.Sleep(time.Hour)
}

// startBrokerChild runs a broker in a child process; it returns the process and its port.
func startBrokerChild(t *testing.T, root, ns string, port int) (*exec.Cmd, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTimerBrokerChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%d", envTimerBrokerChild, root, ns, port))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case ready <- sc.Text():
			default:
			}
		}
	}()
	select {
	case l := <-ready:
		var p int
		_, err := fmt.Sscanf(l, "ready %d", &p)
		require.NoError(t, err, "broker child: %s", l)
		return cmd, p
	case <-time.After(60 * time.Second):
		t.Fatal("broker child did not start")
	}
	return nil, 0
}

// Random due times with the broker killed (SIGKILL) in the middle and restarted on the same store: none
// lost, none early; duplicates are allowed (as with Java after a crash).
func TestTimerKill9(t *testing.T) {
	if os.Getenv(envNamesrv) != "" {
		t.Skip("timer messages are a rocketd feature (RocketMQ 5.x); the kill needs a rocketd broker process")
	}
	// A name server in-process, the broker in a child process.
	c := &cluster{ns: startNamesrv(t)}
	root := filepath.Join(t.TempDir(), "store")
	cmd, port := startBrokerChild(t, root, c.ns, 0)
	a, due, spread := runTimerLoad(t, c, "TimerKill")
	time.Sleep(time.Duration(spread/2) * time.Millisecond)
	from := time.Now().UnixMilli()
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	startBrokerChild(t, root, c.ns, port)
	to := time.Now().UnixMilli() + 3000
	checkArrivals(t, a, due, [2]int64{from, to}, false, true)
}

// A transactional message with a timer property: held from the commit (5.x runs its timer hook on the
// committed message), delivered at its time, not before.
func TestTimerTransactionalMessageStartsAtCommit(t *testing.T) {
	c := newCluster(t)
	skipExternal(t, c)
	topic := uniq("TimerTx")
	c.createTopic(t, topic, 2)
	a := newArrivals()
	c.funcConsumer(t, uniq("cg"), topic, consumer.MessageSelector{}, a.listener)
	p := c.txProducer(t, uniq("tpg"), &txListener{exec: primitive.CommitMessageState, check: primitive.CommitMessageState})
	due := time.Now().UnixMilli() + 2500
	m := primitive.NewMessage(topic, []byte("tx-timer"))
	m.WithProperty("TIMER_DELIVER_MS", strconv.FormatInt(due, 10))
	r, err := p.SendMessageInTransaction(ctx10s(t), m)
	require.NoError(t, err)
	require.Equal(t, primitive.CommitMessageState, r.State)
	require.Eventually(t, func() bool { return a.distinct() == 1 }, 20*time.Second, 20*time.Millisecond)
	a.mu.Lock()
	defer a.mu.Unlock()
	require.GreaterOrEqual(t, a.first["tx-timer"].UnixMilli(), due, "not before its time")
	require.GreaterOrEqual(t, a.store["tx-timer"], due)
	require.Less(t, a.store["tx-timer"]-due, int64(timerBugMs))
}
