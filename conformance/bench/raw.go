package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// SendConfig describes one send run. Raw mode talks to the broker address directly with rocketd's
// remoting.Client: SEND_MESSAGE_V2 (or SEND_BATCH_MESSAGE) frames, InFlight of them outstanding at any time,
// spread over Conns connections and matched to their responses by opaque.
type SendConfig struct {
	Addr     string        // broker address
	Topic    string        // must exist, or autoCreateTopicEnable lets the broker create it from TBW102
	Group    string        // producer group written in the header
	Size     int           // body bytes per message
	InFlight int           // outstanding requests (sync: one goroutine each; async: a window)
	Conns    int           // TCP connections (default 1, like one Java producer instance)
	Queues   int           // queue ids used round-robin (default 8)
	Tags     string        // TAGS property ("" none)
	Keys     bool          // a unique KEYS property per message
	Batch    int           // messages per request; > 1 uses SEND_BATCH_MESSAGE
	Async    bool          // one submitter per connection with a window of InFlight, callbacks complete
	Wait     bool          // WAIT=true (the Java and Go producers' default: SYNC_FLUSH brokers answer after the flush)
	Warmup   time.Duration // load without recording first
	Duration time.Duration // measured window (upper bound when MaxMsgs is set)
	MaxMsgs  int64         // stop once this many messages were acked (0: no limit)
	Timeout  time.Duration // per request (default 3 s, the Java producer's sendMsgTimeout)
	Binary   bool          // ROCKETMQ binary headers instead of JSON (Java's default is JSON)
	Rate     float64       // paced: at most this many messages per second over all senders (0: unpaced; sync mode only)
}

func (c *SendConfig) defaults() {
	if c.InFlight <= 0 {
		c.InFlight = 1
	}
	if c.Conns <= 0 {
		c.Conns = 1
	}
	if c.Queues <= 0 {
		c.Queues = 8
	}
	if c.Batch <= 0 {
		c.Batch = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = 3 * time.Second
	}
	if c.Group == "" {
		c.Group = "benchmark_producer"
	}
}

// SendResult is what a send run measured. Msgs, Bytes and Lat cover the measured window only.
type SendResult struct {
	Msgs     int64
	Bytes    int64
	Elapsed  time.Duration
	Total    int64 // messages acked including warmup
	Errors   int64 // failed requests (transport errors and non-SUCCESS codes)
	Codes    map[int32]int64
	FirstErr string
	Lat      Histogram // per request
	// BrokerCPU is the broker's CPU time (utime+stime) over the whole run, warmup included (set by the
	// comparison, which knows the broker's pid): BrokerCPU/Total is its CPU per message.
	BrokerCPU time.Duration `json:",omitempty"`
}

// CPUPerMsg is the broker's CPU per acked message in µs (0 when not measured).
func (r *SendResult) CPUPerMsg() float64 {
	if r == nil || r.BrokerCPU <= 0 || r.Total <= 0 {
		return 0
	}
	return float64(r.BrokerCPU) / 1e3 / float64(r.Total)
}

// TPS is messages per second in the measured window.
func (r *SendResult) TPS() float64 { return rate(r.Msgs, r.Elapsed) }

// MBps is body megabytes (10^6) per second in the measured window.
func (r *SendResult) MBps() float64 { return rate(r.Bytes, r.Elapsed) / 1e6 }

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

type sendRun struct {
	cfg     SendConfig
	phase   atomic.Int32
	total   atomic.Int64
	body    []byte
	props   string
	qids    []string
	clients []*remoting.Client
	conns   []*remoting.Conn

	start time.Time    // pacing origin
	paced atomic.Int64 // requests scheduled so far (Rate > 0)

	mu  sync.Mutex
	res SendResult
}

// Send runs the load and returns what it measured; ctx cancels it early.
func Send(ctx context.Context, cfg SendConfig) (*SendResult, error) {
	cfg.defaults()
	r := &sendRun{cfg: cfg}
	r.res.Codes = map[int32]int64{}
	r.body = payload(cfg.Size)
	props := map[string]string{}
	if cfg.Wait {
		props[compat.PropertyWaitStoreMsgOK] = "true"
	}
	if cfg.Tags != "" {
		props[compat.PropertyTags] = cfg.Tags
	}
	r.props = compat.EncodeProperties(props)
	for q := 0; q < cfg.Queues; q++ {
		r.qids = append(r.qids, strconv.Itoa(q))
	}
	if cfg.Rate > 0 && cfg.Async {
		return nil, errors.New("bench: a paced (-rate) run needs sync mode")
	}
	if cfg.Batch > 1 && cfg.Keys {
		return nil, errors.New("bench: -keys with -batch is not supported")
	}
	if cfg.Batch > 1 {
		r.body = batchBody(r.body, cfg.Batch, cfg.Tags)
	}
	defer func() {
		for _, cl := range r.clients {
			_ = cl.Close()
		}
	}()
	for i := 0; i < cfg.Conns; i++ {
		cl := &remoting.Client{Logger: quietLog(), IdleTimeout: -1}
		r.clients = append(r.clients, cl)
		c, err := cl.Conn(ctx, cfg.Addr)
		if err != nil {
			return nil, err
		}
		r.conns = append(r.conns, c)
	}

	var wg sync.WaitGroup
	r.start = time.Now()
	if cfg.Async {
		for i := range r.conns {
			wg.Add(1)
			go func() { defer wg.Done(); r.asyncLoop(ctx, i, max(cfg.InFlight/cfg.Conns, 1)) }()
		}
	} else {
		for i := 0; i < cfg.InFlight; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); r.syncLoop(ctx, i) }()
		}
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	r.phaseTimer(ctx, done)
	select {
	case <-done:
	case <-time.After(cfg.Timeout + 2*time.Second):
		return nil, errors.New("bench: senders did not stop in time")
	}
	return &r.res, nil
}

// phaseTimer runs warmup, then the measured window, then stops the senders.
func (r *sendRun) phaseTimer(ctx context.Context, done <-chan struct{}) {
	cfg := r.cfg
	wait := func(d time.Duration, until func() bool) {
		t := time.NewTimer(d)
		defer t.Stop()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-t.C:
				return
			case <-ctx.Done():
				return
			case <-done:
				return
			case <-tick.C:
				if until != nil && until() {
					return
				}
			}
		}
	}
	if cfg.Warmup > 0 {
		wait(cfg.Warmup, nil)
	}
	start := time.Now()
	r.phase.Store(phaseMeasure)
	var reached func() bool
	if cfg.MaxMsgs > 0 {
		reached = func() bool { return r.total.Load() >= cfg.MaxMsgs }
	}
	wait(cfg.Duration, reached)
	r.phase.Store(phaseStop)
	r.mu.Lock()
	r.res.Elapsed = time.Since(start)
	r.mu.Unlock()
}

type sendStats struct {
	msgs, bytes, errs int64
	codes             map[int32]int64
	firstErr          string
	lat               Histogram
}

func (r *sendRun) merge(s *sendStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Msgs += s.msgs
	r.res.Bytes += s.bytes
	r.res.Errors += s.errs
	for c, n := range s.codes {
		r.res.Codes[c] += n
	}
	if r.res.FirstErr == "" {
		r.res.FirstErr = s.firstErr
	}
	r.res.Lat.Merge(&s.lat)
	r.res.Total = r.total.Load()
}

// request builds one send request; ext is reused by the sync senders once the previous request is answered.
func (r *sendRun) request(ext map[string]string, q int, seq int64) *remoting.Command {
	cfg := &r.cfg
	if ext["a"] == "" {
		h := header.SendMessageRequestHeaderV2{
			ProducerGroup: cfg.Group, Topic: cfg.Topic, DefaultTopic: "TBW102", DefaultTopicQueueNums: 4,
			QueueID: int32(q), BornTimestamp: time.Now().UnixMilli(), Properties: r.props, Batch: cfg.Batch > 1,
		}
		h.Encode(ext)
	}
	ext["e"] = r.qids[q]
	if cfg.Keys {
		kv := compat.PropertyKeys + "\x01k" + strconv.FormatInt(seq, 36)
		if r.props != "" {
			kv = r.props + "\x02" + kv
		}
		ext["i"] = kv
	}
	c := code.SendMessageV2
	if cfg.Batch > 1 {
		c = code.SendBatchMessage
	}
	req := remoting.NewRequest(c, ext, r.body)
	if cfg.Binary {
		req.SerializeType = remoting.RocketMQ
	}
	return req
}

// complete accounts one answered (or failed) request.
func (r *sendRun) complete(s *sendStats, resp *remoting.Command, err error, lat time.Duration) {
	switch {
	case err != nil:
		r.fail(s, -1, err.Error())
	case resp.Code == code.Success:
		r.ok(s, lat)
	default:
		r.fail(s, resp.Code, fmt.Sprintf("code %d: %s", resp.Code, resp.Remark))
	}
}

// ok accounts one acked request of cfg.Batch messages.
func (r *sendRun) ok(s *sendStats, lat time.Duration) {
	r.total.Add(int64(r.cfg.Batch))
	if r.phase.Load() == phaseMeasure {
		s.msgs += int64(r.cfg.Batch)
		s.bytes += int64(r.cfg.Batch * r.cfg.Size)
		s.lat.Record(lat)
	}
}

// fail accounts one failed request; code -1 is a transport error.
func (r *sendRun) fail(s *sendStats, c int32, msg string) {
	s.errs++
	if s.codes == nil {
		s.codes = map[int32]int64{}
	}
	s.codes[c]++
	if s.firstErr == "" {
		s.firstErr = msg
	}
}

func (r *sendRun) syncLoop(ctx context.Context, w int) {
	var s sendStats
	defer r.merge(&s)
	c := r.conns[w%len(r.conns)]
	ext := map[string]string{}
	q := w % r.cfg.Queues
	for seq := int64(w) << 32; ; seq++ {
		if r.phase.Load() == phaseStop || ctx.Err() != nil {
			return
		}
		if r.cfg.MaxMsgs > 0 && r.total.Load() >= r.cfg.MaxMsgs {
			return
		}
		if r.cfg.Rate > 0 && !r.pace(ctx) {
			return
		}
		req := r.request(ext, q, seq)
		q = (q + 1) % r.cfg.Queues
		t0 := time.Now()
		resp, err := c.Invoke(ctx, req, r.cfg.Timeout)
		r.complete(&s, resp, err, time.Since(t0))
		if err != nil {
			ext = map[string]string{} // the writer may still hold the old map
			if errors.Is(err, remoting.ErrClosed) {
				return
			}
		} else if resp.Code == code.SystemBusy {
			time.Sleep(time.Millisecond)
		}
	}
}

// pace waits for this request's slot in the schedule (start + n/Rate); false when the run ends meanwhile.
// A sender that falls behind does not wait, so a broker slower than Rate is simply driven flat out.
func (r *sendRun) pace(ctx context.Context) bool {
	n := r.paced.Add(1) - 1
	at := r.start.Add(time.Duration(float64(n*int64(r.cfg.Batch)) / r.cfg.Rate * float64(time.Second)))
	for {
		d := time.Until(at)
		if d <= 0 {
			return true
		}
		if r.phase.Load() == phaseStop || ctx.Err() != nil {
			return false
		}
		time.Sleep(min(d, 50*time.Millisecond))
	}
}

func (r *sendRun) asyncLoop(ctx context.Context, w, window int) {
	c := r.conns[w]
	sem := make(chan struct{}, window)
	var mu sync.Mutex
	var s sendStats
	var wg sync.WaitGroup
	defer func() { wg.Wait(); r.merge(&s) }()
	q := 0
	for seq := int64(w) << 32; ; seq++ {
		if r.phase.Load() == phaseStop || ctx.Err() != nil {
			return
		}
		if r.cfg.MaxMsgs > 0 && r.total.Load() >= r.cfg.MaxMsgs {
			return
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		req := r.request(map[string]string{}, q, seq)
		q = (q + 1) % r.cfg.Queues
		t0 := time.Now()
		wg.Add(1)
		err := c.InvokeAsync(req, r.cfg.Timeout, func(resp *remoting.Command, err error) {
			lat := time.Since(t0)
			mu.Lock()
			r.complete(&s, resp, err, lat)
			mu.Unlock()
			<-sem
			wg.Done()
		})
		if err != nil {
			mu.Lock()
			r.complete(&s, nil, err, 0)
			mu.Unlock()
			<-sem
			wg.Done()
			return
		}
	}
}

// payload is a body of n printable bytes (not all zero, so nothing downstream can shortcut it).
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}

// batchBody encodes n copies of body as a SEND_BATCH_MESSAGE body: per message TOTALSIZE, MAGICCODE (0),
// BODYCRC (0), FLAG, BODYLEN, BODY, PROPERTIESLENGTH (int16), PROPERTIES.
func batchBody(body []byte, n int, tags string) []byte {
	props := ""
	if tags != "" {
		props = compat.EncodeProperties(map[string]string{compat.PropertyTags: tags})
	}
	one := 20 + len(body) + 2 + len(props)
	out := make([]byte, 0, n*one)
	for i := 0; i < n; i++ {
		out = binary.BigEndian.AppendUint32(out, uint32(one))
		out = binary.BigEndian.AppendUint32(out, 0)
		out = binary.BigEndian.AppendUint32(out, 0)
		out = binary.BigEndian.AppendUint32(out, 0)
		out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
		out = append(out, body...)
		out = binary.BigEndian.AppendUint16(out, uint16(len(props)))
		out = append(out, props...)
	}
	return out
}
