package remoting

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/ants/v2"
)

// HandlerFunc serves one request. It returns the response to write, or nil to write nothing now (a oneway
// request, or a handler that answers later with Conn.Send, like a held long-poll). A non-nil error becomes a
// SYSTEM_ERROR response whose remark is the error text.
type HandlerFunc func(c *Conn, req *Command) (*Command, error)

// Pool runs handlers. It is an ants pool of Workers goroutines; up to QueueLen further requests wait for a
// worker (the connection's reader blocks, which pushes back on that peer); past that requests are refused with
// SYSTEM_BUSY "[OVERLOAD]...", as Java refuses when its executor queue is full.
//
// At most Workers handlers of a pool run at once, wherever they run: every handler holds one of the pool's
// slots while it runs. A route registered WithInline runs its handler on the connection's reader goroutine
// when a slot is free and no request of the pool is waiting (no hand-off to a worker, no goroutine switch);
// otherwise it queues like any other. So a pool of one worker (Java's single SendMessageThread) still runs one
// handler at a time, in arrival order.
type Pool struct {
	name   string
	p      *ants.PoolWithFunc
	slots  chan struct{} // one token per handler running (on a worker or inline on a reader)
	queued atomic.Int32  // requests handed to the pool and not started yet
}

// task is one request handed to a pool worker (pooled: no closure per request).
type task struct {
	r     *Router
	rt    *route
	c     *Conn
	req   *Command
	start time.Time
}

var taskPool = sync.Pool{New: func() any { return new(task) }}

// runTask is every pool worker's function.
func runTask(arg any) {
	t := arg.(*task)
	r, rt, c, req, start := t.r, t.rt, t.c, t.req, t.start
	*t = task{}
	taskPool.Put(t)
	p := rt.pool
	p.slots <- struct{}{}
	p.queued.Add(-1)
	defer func() { <-p.slots }()
	r.run(rt, c, req, start)
}

// NewPool makes a pool with the given number of workers and waiting requests.
func NewPool(name string, workers, queueLen int) (*Pool, error) {
	if workers < 1 {
		workers = 1
	}
	opts := []ants.Option{ants.WithPanicHandler(func(any) {})}
	if queueLen <= 0 {
		opts = append(opts, ants.WithNonblocking(true)) // ants reads MaxBlockingTasks 0 as "unbounded"
	} else {
		opts = append(opts, ants.WithMaxBlockingTasks(queueLen))
	}
	p, err := ants.NewPoolWithFunc(workers, runTask, opts...)
	if err != nil {
		return nil, fmt.Errorf("remoting: pool %s: %w", name, err)
	}
	return &Pool{name: name, p: p, slots: make(chan struct{}, workers)}, nil
}

// Name is the pool's name, for logs and runtime info.
func (p *Pool) Name() string { return p.name }

// Running is the number of handlers running (on workers or inline).
func (p *Pool) Running() int { return len(p.slots) }

// Waiting is the number of requests waiting for a worker.
func (p *Pool) Waiting() int { return int(p.queued.Load()) }

// Release stops the pool's workers.
func (p *Pool) Release() { p.p.Release() }

// tryInline takes a slot for a handler run on the reader: only when one is free and nothing waits, so that
// requests queued before keep their turn.
func (p *Pool) tryInline() bool {
	if p.queued.Load() != 0 {
		return false
	}
	select {
	case p.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

type route struct {
	h      HandlerFunc
	pool   *Pool
	reject func() bool
	raw    bool     // WithRawExt
	reuse  bool     // WithFrameReuse
	inline bool     // WithInline
	obs    Observer // nil: not measured
}

// Observer receives one request's duration in seconds (a Prometheus histogram child).
type Observer interface{ Observe(seconds float64) }

// ObserveLatency measures every route from the request's arrival to its response being queued (to the
// handler's return for oneway and held requests): observer(code) is asked once per route here, code -1 for the
// default route. Call it after the routes are registered and before serving.
func (r *Router) ObserveLatency(observer func(code int32) Observer) {
	for c, rt := range r.routes {
		rt.obs = observer(c)
	}
	if r.fallback != nil {
		r.fallback.obs = observer(-1)
	}
}

// RouteOption tunes one route.
type RouteOption func(*route)

// WithReject makes the route refuse requests with SYSTEM_BUSY "[REJECTREQUEST]..." while reject() is true
// (Java's NettyRequestProcessor.rejectRequest).
func WithReject(reject func() bool) RouteOption { return func(r *route) { r.reject = reject } }

// WithRawExt hands the route's JSON requests their extFields raw (Command.RangeExt), without the map, when
// the header has the plain shape clients write; the handler must then read them with RangeExt, Ext or
// LoadExtFields. For hot handlers that read a few keys (SEND_MESSAGE_V2).
func WithRawExt() RouteOption { return func(r *route) { r.raw = true } }

// WithFrameReuse gives the request's frame buffer and the request Command itself back to their pools as soon
// as the handler returned. The handler promises that nothing it keeps or answers with (neither the response
// nor anything that runs after it returned) refers to req, req.Body or the raw extFields: copy what must
// outlive the call (a handler that answers later keeps the opaque and oneway bit, not req).
func WithFrameReuse() RouteOption { return func(r *route) { r.reuse = true } }

// WithInline runs the route's handler on the connection's reader goroutine when its pool has a free slot and
// no waiting request (see Pool). The handler must not wait on anything slow: while it runs, that connection
// reads nothing more (other connections are not affected). For the send handlers, which answer a waiting
// send from the flush or replica completion instead of waiting.
func WithInline() RouteOption { return func(r *route) { r.inline = true } }

// Router maps request codes to handlers and pools. It is the one place a server lists what it serves.
// Register every route before serving; the table is read without locks afterwards.
type Router struct {
	routes   map[int32]*route
	fallback *route
	log      *slog.Logger
	inline   *Pool
	overload sync.Mutex
	lastWarn time.Time
}

// NewRouter makes an empty router. Unknown codes are answered REQUEST_CODE_NOT_SUPPORTED until
// HandleDefault says otherwise.
func NewRouter(log *slog.Logger) *Router {
	if log == nil {
		log = slog.Default()
	}
	return &Router{routes: make(map[int32]*route), log: log}
}

// Handle registers h for code on pool (nil pool: run on a fresh goroutine).
func (r *Router) Handle(code int32, pool *Pool, h HandlerFunc, opts ...RouteOption) {
	rt := &route{h: h, pool: pool}
	for _, o := range opts {
		o(rt)
	}
	r.routes[code] = rt
}

// HandleDefault registers the handler for codes without a route of their own (Java's default processor).
func (r *Router) HandleDefault(pool *Pool, h HandlerFunc, opts ...RouteOption) {
	rt := &route{h: h, pool: pool}
	for _, o := range opts {
		o(rt)
	}
	r.fallback = rt
}

// Handles reports whether code has its own route.
func (r *Router) Handles(code int32) bool { _, ok := r.routes[code]; return ok }

// NotSupported is the REQUEST_CODE_NOT_SUPPORTED reply Java gives for a code nobody serves.
func NotSupported(req *Command) *Command {
	resp := NewResponse(req, codeNotSupported, " request type "+strconv.Itoa(int(req.Code))+" not supported")
	resp.SerializeType = JSON
	return resp
}

// rawExt reports whether requests with code go to a WithRawExt route (the connection reader asks, before it
// decodes the extFields).
func (r *Router) rawExt(code int32) bool {
	rt := r.routes[code]
	return rt != nil && rt.raw
}

func (r *Router) dispatch(c *Conn, req *Command) {
	rt := r.routes[req.Code]
	if rt == nil {
		rt = r.fallback
	}
	if rt == nil {
		r.log.Warn("request code not supported", "code", req.Code, "remote", c.RemoteAddr())
		_ = c.Send(NotSupported(req))
		return
	}
	if rt.reject != nil && rt.reject() {
		busy := NewResponse(req, codeSystemBusy, remarkRejectRequest)
		busy.SerializeType = JSON
		_ = c.Send(busy)
		return
	}
	var start time.Time
	if rt.obs != nil {
		start = time.Now()
	}
	if rt.pool == nil {
		go r.run(rt, c, req, start)
		return
	}
	p := rt.pool
	if rt.inline && p.tryInline() {
		r.run(rt, c, req, start)
		<-p.slots
		return
	}
	t := taskPool.Get().(*task)
	*t = task{r: r, rt: rt, c: c, req: req, start: start}
	p.queued.Add(1)
	if err := p.p.Invoke(t); err != nil {
		p.queued.Add(-1)
		*t = task{}
		taskPool.Put(t)
		if errors.Is(err, ants.ErrPoolOverload) || errors.Is(err, ants.ErrPoolClosed) {
			r.warnOverload(p, c, req)
			busy := NewResponse(req, codeSystemBusy, remarkOverload)
			busy.SerializeType = JSON
			_ = c.Send(busy)
			return
		}
		r.log.Error("submitting request failed", "code", req.Code, "err", err)
	}
}

// warnOverload logs at most every 10 s, as Java does.
func (r *Router) warnOverload(p *Pool, c *Conn, req *Command) {
	r.overload.Lock()
	defer r.overload.Unlock()
	if time.Since(r.lastWarn) < 10*time.Second {
		return
	}
	r.lastWarn = time.Now()
	r.log.Warn("too many requests and system thread pool busy, rejecting", "pool", p.name, "code", req.Code, "remote", c.RemoteAddr())
}

func (r *Router) run(rt *route, c *Conn, req *Command, start time.Time) {
	if rt.obs != nil {
		defer func() { rt.obs.Observe(time.Since(start).Seconds()) }()
	}
	var resp *Command
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("handler panic: %v", p)
				r.log.Error("handler panicked", "code", req.Code, "remote", c.RemoteAddr(), "panic", p, "stack", string(debug.Stack()))
			}
		}()
		resp, err = rt.h(c, req)
	}()
	if rt.reuse {
		req.releaseFrame()
		defer putRequest(req)
	}
	if err != nil {
		r.log.Warn("request failed", "code", req.Code, "remote", c.RemoteAddr(), "err", err)
		if req.IsOneway() {
			return
		}
		fail := NewResponse(req, codeSystemError, err.Error())
		fail.SerializeType = JSON
		_ = c.Send(fail)
		return
	}
	if resp == nil || req.IsOneway() {
		return
	}
	resp.Opaque = req.Opaque
	resp.Flag |= FlagResponse
	_ = c.Send(resp)
}
