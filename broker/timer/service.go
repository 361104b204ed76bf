package timer

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/broker/schedule"
	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

// Store is what the service needs from the message store.
type Store interface {
	GetMessage(group, topic string, queueID int32, offset int64, maxMsgNums int, filter store.MessageFilter) *store.GetMessageResult
	PutMessage(ctx context.Context, msg *store.Message) store.PutResult
	LookMessageByOffset(phyOffset int64) ([]byte, error)
	GetMaxOffsetInQueue(topic string, queueID int32) int64
	GetMinPhyOffset() int64
}

// Options configure a Service.
type Options struct {
	Root           string        // storePathRootDir: timerwheel, timerlog/ and config/timercheck live here
	PrecisionMs    int           // timerPrecisionMs
	RollWindowSlot int           // timerRollWindowSlot
	FlushInterval  time.Duration // timerFlushIntervalMs
	LogFileSize    int64         // mappedFileSizeTimerLog
	Store          Store
	Log            *slog.Logger
	// Workers is the number of goroutines putting due messages (4 when zero).
	Workers int
	// MaxHeap bounds the due records held in memory (1<<17 when zero).
	MaxHeap int
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

// entry is a record on its way to delivery.
type entry struct {
	dueMs int64
	pos   int64 // timerlog position
	phy   int64
	size  int32
	roll  bool
	slot  int64 // the slot that stays outstanding until it is delivered
}

type entryHeap []entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].dueMs < h[j].dueMs }
func (h entryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *entryHeap) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// Service is the timer message service.
type Service struct {
	opts      Options
	log       *slog.Logger
	precision int64
	rollMs    int64
	lookahead int64
	ckptPath  string
	donePath  string

	lg *tlog
	wh *wheel

	mu          sync.Mutex
	heap        entryHeap
	loaded      int64             // L: every slot before it was loaded into the heap
	outstanding map[int64]int     // slot -> records pushed and not yet delivered (+1 while loading)
	delivered   map[int64][]int64 // slot -> delivered positions, for the slots still outstanding
	early       map[int64]bool    // positions linked into slot L and already pushed
	skip        map[int64]bool    // positions delivered before the last stop (config/timerdone)
	queueOffset int64             // next rmq_sys_wheel_timer offset to enqueue
	writeMs     int64             // never decreasing append time
	buf         [recSize]byte     // append buffer (under mu)
	lastPersist checkpoint        // what the checkpoint file holds
	started     bool

	wakeSched chan struct{}
	wakeEnq   chan struct{}
	space     chan struct{}
	work      chan entry

	enqueued, deliveredN, rolled, lost atomic.Int64

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open opens the timer files under Root, recovering what a crash left (see the package comment).
func Open(opts Options) (*Service, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.MaxHeap <= 0 {
		opts.MaxHeap = 1 << 17
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = time.Second
	}
	if opts.LogFileSize <= 0 {
		opts.LogFileSize = 100 << 20
	}
	if opts.PrecisionMs <= 0 || opts.PrecisionMs > 60_000 {
		return nil, fmt.Errorf("timer: timerPrecisionMs=%d must be between 1 and 60000 (5.x uses 100, 200, 500 or 1000)", opts.PrecisionMs)
	}
	if opts.RollWindowSlot < 2 || int64(opts.RollWindowSlot)*int64(opts.PrecisionMs) > int64(1)<<40 {
		return nil, fmt.Errorf("timer: timerRollWindowSlot=%d must be at least 2 (the default is 172800: 2 days of 1 s slots)", opts.RollWindowSlot)
	}
	s := &Service{
		opts:        opts,
		log:         opts.Log.With("component", "timer"),
		precision:   int64(opts.PrecisionMs),
		rollMs:      int64(opts.RollWindowSlot) * int64(opts.PrecisionMs),
		ckptPath:    filepath.Join(opts.Root, "config", "timercheck"),
		donePath:    filepath.Join(opts.Root, "config", "timerdone"),
		outstanding: map[int64]int{},
		delivered:   map[int64][]int64{},
		early:       map[int64]bool{},
		skip:        map[int64]bool{},
		wakeSched:   make(chan struct{}, 1),
		wakeEnq:     make(chan struct{}, 1),
		space:       make(chan struct{}, 1),
		work:        make(chan entry, 1024),
	}
	s.lookahead = max(s.precision, 200)
	slots := 2 * int64(opts.RollWindowSlot)
	if err := os.MkdirAll(filepath.Dir(s.ckptPath), 0o755); err != nil {
		return nil, fmt.Errorf("timer: %w", err)
	}
	ck, ok, err := readCheckpoint(s.ckptPath)
	if err != nil {
		return nil, err
	}
	if ok && (ck.precision != s.precision || int64(ck.slots) != slots) {
		return nil, fmt.Errorf("timer: the timer files were written with timerPrecisionMs=%d and timerRollWindowSlot=%d: start with those, or move timerwheel, timerlog/ and config/timercheck away (pending timer messages are then lost)",
			ck.precision, ck.slots/2)
	}
	if s.wh, err = openWheel(filepath.Join(opts.Root, "timerwheel"), slots, s.precision); err != nil {
		return nil, err
	}
	if s.lg, err = openLog(filepath.Join(opts.Root, "timerlog"), opts.LogFileSize); err != nil {
		_ = s.wh.close()
		return nil, err
	}
	now := opts.Now().UnixMilli()
	if !ok {
		ck = checkpoint{readSlotMs: now / s.precision * s.precision, timerlogPos: s.lg.minPos()}
	}
	s.queueOffset = ck.queueOffset
	s.loaded = ck.readSlotMs
	s.recover(ck)
	if b, err := os.ReadFile(s.donePath); err == nil {
		if m, err := decodeDone(b); err != nil {
			s.log.Warn(err.Error())
		} else {
			s.skip = m
		}
	}
	ck.timerlogPos = s.lg.writePos
	ck.queueOffset = s.queueOffset
	ck.precision, ck.slots = s.precision, int32(slots)
	if ok {
		s.lastPersist = ck
	}
	s.log.Info("timer store opened", "readSlotMs", ck.readSlotMs, "queueOffset", s.queueOffset, "timerlogPos", s.lg.writePos)
	return s, nil
}

// recover scans the log after the checkpoint: links a record a crash left unlinked and moves the
// enqueue offset past every record found.
func (s *Service) recover(ck checkpoint) {
	relinked := 0
	s.lg.writePos = s.lg.scan(ck.timerlogPos, func(pos int64, r record) {
		if r.queueOffset >= s.queueOffset {
			s.queueOffset = r.queueOffset + 1
		}
		s.writeMs = max(s.writeMs, r.writeMs)
		if r.slotMs < ck.readSlotMs {
			return
		}
		if sl := s.wh.get(r.slotMs); sl.lastPos < pos {
			s.wh.link(r.slotMs, pos)
			relinked++
		}
	})
	if relinked > 0 {
		s.log.Warn("timer records linked after an unclean stop", "records", relinked)
	}
}

// Start runs enqueue, load, delivery and the periodic flush.
func (s *Service) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	run := func(f func(context.Context)) {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); f(ctx) }()
	}
	run(s.enqueueLoop)
	run(s.loadLoop)
	run(s.schedLoop)
	for range s.opts.Workers {
		run(s.putLoop)
	}
	run(s.flushLoop)
}

// Stop ends delivery (a put under way completes), flushes and writes the checkpoint, and closes the files.
// Records not delivered stay in the wheel and are delivered after the next start.
func (s *Service) Stop() error {
	if s.cancel != nil {
		s.cancel()
		s.wg.Wait()
	}
	err := s.persist()
	if e := s.lg.close(); e != nil && err == nil {
		err = e
	}
	if e := s.wh.close(); e != nil && err == nil {
		err = e
	}
	return err
}

// Wake tells the enqueue loop that rmq_sys_wheel_timer got a message; it never blocks.
func (s *Service) Wake() { signal(s.wakeEnq) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-wake:
	case <-t.C:
	}
}

const (
	enqueueBatch = 64
	idleWait     = 100 * time.Millisecond
	failWait     = time.Second
)

func (s *Service) enqueueLoop(ctx context.Context) {
	for ctx.Err() == nil {
		if n, wait := s.enqueueOnce(ctx); n == 0 {
			sleep(ctx, wait, s.wakeEnq)
		}
	}
}

// enqueueOnce moves up to enqueueBatch messages of rmq_sys_wheel_timer into the wheel.
func (s *Service) enqueueOnce(ctx context.Context) (int, time.Duration) {
	s.mu.Lock()
	off := s.queueOffset
	full := len(s.heap) >= s.opts.MaxHeap
	s.mu.Unlock()
	if full {
		return 0, 10 * time.Millisecond
	}
	res := s.opts.Store.GetMessage("", store.TimerTopic, 0, off, enqueueBatch, nil)
	if res == nil {
		return 0, failWait
	}
	defer res.Release()
	if res.Status != store.Found {
		if res.NextBeginOffset > off && res.Status != store.OffsetOverflowOne && res.Status != store.NoMessageInQueue {
			s.log.Warn("timer queue offset corrected", "from", off, "to", res.NextBeginOffset, "status", res.Status.String())
			s.mu.Lock()
			s.queueOffset = res.NextBeginOffset
			s.mu.Unlock()
			return 1, 0
		}
		return 0, idleWait
	}
	n := 0
	for i, raw := range res.Messages {
		if ctx.Err() != nil {
			break
		}
		rec, err := commitlog.Decode(raw, false)
		if err != nil {
			s.log.Error("unreadable timer message skipped", "queueOffset", res.QueueOffsets[i], "err", err)
			s.mu.Lock()
			s.queueOffset = res.QueueOffsets[i] + 1
			s.mu.Unlock()
			continue
		}
		due := s.opts.Now().UnixMilli()
		if v, ok := compat.DecodeProperties(string(rec.Properties))[compat.PropertyTimerOutMS]; ok {
			if d, err := strconv.ParseInt(v, 10, 64); err == nil {
				due = d
			} else {
				s.log.Error("timer message with a bad TIMER_OUT_MS delivered at once", "queueOffset", res.QueueOffsets[i], "value", v)
			}
		}
		if err := s.add(res.QueueOffsets[i], rec.PhysicalOffset, rec.TotalSize, due); err != nil {
			s.log.Error("timer enqueue failed, retrying", "queueOffset", res.QueueOffsets[i], "err", err)
			return n, failWait
		}
		n++
	}
	return n, 0
}

// add appends the record of one message and links it (see the package comment for the slot choice).
func (s *Service) add(queueOffset, phy int64, size int32, due int64) error {
	now := s.opts.Now().UnixMilli()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeMs = max(s.writeMs, now)
	r := record{phyOffset: phy, size: size, queueOffset: queueOffset, writeMs: s.writeMs, dueMs: due}
	early := false
	switch dueSlot := due / s.precision * s.precision; {
	case dueSlot < s.loaded:
		r.slotMs, early = s.loaded, true
	case due-now >= s.rollMs:
		r.flags = flagRoll
		r.slotMs = max(s.loaded, (now+s.rollMs/2)/s.precision*s.precision)
		r.dueMs = r.slotMs
	default:
		r.slotMs = dueSlot
	}
	r.prevPos = s.wh.get(r.slotMs).lastPos
	pos, err := s.lg.append(&r, s.buf[:])
	if err != nil {
		return err
	}
	s.wh.link(r.slotMs, pos)
	s.queueOffset = queueOffset + 1
	s.enqueued.Add(1)
	if early {
		s.early[pos] = true
		s.outstanding[r.slotMs]++
		heap.Push(&s.heap, entry{dueMs: r.dueMs, pos: pos, phy: phy, size: size, roll: r.roll(), slot: r.slotMs})
		signal(s.wakeSched)
	}
	return nil
}

// loadLoop loads each slot into the heap lookahead ms before its time.
func (s *Service) loadLoop(ctx context.Context) {
	for ctx.Err() == nil {
		s.mu.Lock()
		next, full := s.loaded, len(s.heap) >= s.opts.MaxHeap
		s.mu.Unlock()
		if full {
			sleep(ctx, 10*time.Millisecond, s.space)
			continue
		}
		if wait := next - s.lookahead - s.opts.Now().UnixMilli(); wait > 0 {
			sleep(ctx, time.Duration(wait)*time.Millisecond, nil)
			continue
		}
		s.load(next)
	}
}

// load walks slot S's list and pushes its records.
func (s *Service) load(S int64) {
	s.mu.Lock()
	sl := s.wh.get(S)
	early := s.early
	s.early = map[int64]bool{}
	s.loaded = S + s.precision
	s.outstanding[S]++ // a token: the slot stays outstanding while it is walked
	s.mu.Unlock()

	var entries []entry
	buf := make([]byte, recSize)
	// The list ends at prevPos -1; positions strictly decrease, so the walk ends even on a damaged list.
	for pos := sl.lastPos; pos >= 0; {
		r, err := s.lg.read(pos, buf)
		if err == nil && (r.slotMs != S || r.prevPos >= pos) {
			err = fmt.Errorf("record of slot %d with previous position %d", r.slotMs, r.prevPos)
		}
		if err != nil {
			s.log.Error("timer slot list broken: its older records are not delivered", "slotMs", S, "pos", pos, "err", err)
			break
		}
		if !early[pos] && !s.skip[pos] {
			entries = append(entries, entry{dueMs: r.dueMs, pos: pos, phy: r.phyOffset, size: r.size, roll: r.roll(), slot: S})
		}
		pos = r.prevPos
	}
	s.mu.Lock()
	for _, e := range entries {
		heap.Push(&s.heap, e)
	}
	s.outstanding[S] += len(entries) - 1
	if s.outstanding[S] <= 0 {
		delete(s.outstanding, S)
		delete(s.delivered, S)
	}
	s.mu.Unlock()
	if len(entries) > 0 {
		signal(s.wakeSched)
	}
}

// schedLoop hands due records to the put workers.
func (s *Service) schedLoop(ctx context.Context) {
	var batch []entry
	for ctx.Err() == nil {
		batch = batch[:0]
		now := s.opts.Now().UnixMilli()
		wait := idleWait
		s.mu.Lock()
		for len(s.heap) > 0 && s.heap[0].dueMs <= now && len(batch) < 256 {
			batch = append(batch, heap.Pop(&s.heap).(entry))
		}
		if len(s.heap) > 0 && s.heap[0].dueMs > now {
			wait = min(wait, time.Duration(s.heap[0].dueMs-now)*time.Millisecond)
		}
		s.mu.Unlock()
		if len(batch) == 0 {
			sleep(ctx, wait, s.wakeSched)
			continue
		}
		signal(s.space)
		for _, e := range batch {
			select {
			case s.work <- e:
			case <-ctx.Done():
				return
			}
		}
	}
}

func (s *Service) putLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-s.work:
			for attempt := 1; ; attempt++ {
				err := s.deliver(e)
				if err == nil {
					break
				}
				if errors.Is(err, errRead) && attempt >= maxReadAttempts {
					s.lost.Add(1)
					s.log.Error("timer message dropped: its CommitLog record cannot be read", "pos", e.pos, "phyOffset", e.phy, "err", err)
					break
				}
				s.log.Error("delivering a timer message failed, retrying", "pos", e.pos, "phyOffset", e.phy, "err", err)
				sleep(ctx, failWait, nil)
				if ctx.Err() != nil {
					return // stays outstanding: delivered after the restart
				}
			}
			s.done(e)
		}
	}
}

func (s *Service) done(e entry) {
	s.mu.Lock()
	s.outstanding[e.slot]--
	if s.outstanding[e.slot] <= 0 {
		delete(s.outstanding, e.slot)
		delete(s.delivered, e.slot)
	} else {
		s.delivered[e.slot] = append(s.delivered[e.slot], e.pos)
	}
	s.mu.Unlock()
}

// errRead marks a CommitLog read failure: retried maxReadAttempts times, then the record is dropped (a put
// failure is retried until it succeeds).
var errRead = errors.New("timer: read the message")

const maxReadAttempts = 3

// deliver puts the message of e to its real topic (or, for a roll record, back to rmq_sys_wheel_timer).
func (s *Service) deliver(e entry) error {
	start := s.opts.Now()
	raw, err := s.opts.Store.LookMessageByOffset(e.phy)
	if err != nil {
		if e.phy < s.opts.Store.GetMinPhyOffset() {
			s.lost.Add(1)
			s.log.Error("timer message lost: its CommitLog file was deleted (fileReservedTime shorter than the roll window?)", "phyOffset", e.phy)
			return nil
		}
		return fmt.Errorf("%w at CommitLog offset %d: %v", errRead, e.phy, err)
	}
	var m *store.Message
	if e.roll {
		m, err = rollMessage(raw)
	} else {
		m, err = Restore(raw)
	}
	if err != nil {
		s.lost.Add(1)
		s.log.Error("undeliverable timer message dropped", "phyOffset", e.phy, "err", err)
		return nil
	}
	if m.Topic == schedule.TransHalfTopic {
		s.lost.Add(1)
		s.log.Error("timer message with real topic "+schedule.TransHalfTopic+" discarded", "phyOffset", e.phy)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t0 := s.opts.Now()
	r := s.opts.Store.PutMessage(ctx, m)
	if r.Status == store.MessageIllegal || r.Status == store.PropertiesSizeExceeded {
		// Not retried, as in 5.x (PUT_NO_RETRY): the same put would fail again.
		s.lost.Add(1)
		s.log.Error("timer message dropped: its real topic refuses it", "phyOffset", e.phy, "topic", m.Topic, "status", r.Status.String(), "err", r.Err)
		return nil
	}
	if late := t0.UnixMilli() - e.dueMs; !e.roll && (late > 50 || time.Since(t0) > 50*time.Millisecond) {
		s.log.Warn("timer message delivered late", "lateStartMs", late, "readMs", t0.Sub(start).Milliseconds(),
			"putMs", time.Since(t0).Milliseconds(), "topic", m.Topic)
	}
	if r.Status != store.PutOK {
		return fmt.Errorf("put to %s: %s: %v", m.Topic, r.Status, r.Err)
	}
	if e.roll {
		s.rolled.Add(1)
	} else {
		s.deliveredN.Add(1)
	}
	return nil
}

// Restore rebuilds the message a timer record stands for: broker/schedule.Restore (REAL_TOPIC / REAL_QID,
// record fields and properties string kept), and the TIMER_* request keys out of the in-memory map so the
// put does not hold it again.
func Restore(raw []byte) (*store.Message, error) {
	m, err := schedule.Restore(raw)
	if err != nil {
		return nil, err
	}
	delete(m.Properties, compat.PropertyTimerDeliverMS)
	delete(m.Properties, compat.PropertyTimerDelaySec)
	delete(m.Properties, compat.PropertyTimerDelayMS)
	return m, nil
}

// rollMessage is a far-off message put again to rmq_sys_wheel_timer with TIMER_ROLL_TIMES+1.
func rollMessage(raw []byte) (*store.Message, error) {
	rec, err := commitlog.Decode(raw, false)
	if err != nil {
		return nil, err
	}
	props := compat.DecodeProperties(string(rec.Properties))
	n, _ := strconv.Atoi(props[compat.PropertyTimerRollTimes])
	props[compat.PropertyTimerRollTimes] = strconv.Itoa(n + 1)
	enc := compat.EncodeProperties(props)
	props[compat.PropertyWaitStoreMsgOK] = "false"
	return &store.Message{
		Topic: store.TimerTopic, QueueID: 0, Flag: rec.Flag, Body: append([]byte(nil), rec.Body...),
		Properties: props, PropertiesString: enc, SysFlag: rec.SysFlag, BornTimestamp: rec.BornTimestamp,
		BornHost: commitlog.DecodeHost(rec.BornHost), StoreHost: commitlog.DecodeHost(rec.StoreHost),
		ReconsumeTimes: rec.ReconsumeTimes,
	}, nil
}

func (s *Service) flushLoop(ctx context.Context) {
	t := time.NewTicker(s.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.persist(); err != nil {
				s.log.Error("timer flush failed", "err", err)
			}
			s.cleanLog()
		}
	}
}

// readSlotLocked is the first slot not fully delivered.
func (s *Service) readSlotLocked() int64 {
	rs := s.loaded
	for sl := range s.outstanding {
		rs = min(rs, sl)
	}
	return rs
}

// persist flushes the timerlog and the wheel, then writes timerdone and the checkpoint.
func (s *Service) persist() error {
	s.mu.Lock()
	ck := checkpoint{readSlotMs: s.readSlotLocked(), timerlogPos: s.lg.writePos, queueOffset: s.queueOffset,
		precision: s.precision, slots: int32(s.wh.slots)}
	var done []int64
	for sl, ps := range s.delivered {
		if sl >= ck.readSlotMs {
			done = append(done, ps...)
		}
	}
	s.mu.Unlock()
	if ck == s.lastPersist && len(done) == 0 {
		return nil
	}
	if _, err := s.lg.sync(); err != nil {
		return err
	}
	if err := s.wh.sync(); err != nil {
		return err
	}
	slices.Sort(done)
	if err := writeFileAtomic(s.donePath, encodeDone(done)); err != nil {
		return err
	}
	if err := writeFileAtomic(s.ckptPath, ck.encode()); err != nil {
		return err
	}
	s.lastPersist = ck
	return nil
}

// cleanLog deletes timerlog files none of whose records can still be loaded.
func (s *Service) cleanLog() {
	s.mu.Lock()
	rs := s.readSlotLocked()
	s.mu.Unlock()
	for {
		last, ok := s.lg.oldestFileLast()
		if !ok || last.writeMs+s.rollMs+2*s.precision >= rs {
			return
		}
		if s.lg.deleteBefore(s.lg.minPos()+s.lg.fileSize) == 0 {
			return
		}
	}
}

// Stats are the figures GET_BROKER_RUNTIME_INFO shows.
type Stats struct {
	Pending                           int64 // messages held: in the wheel, in memory and not yet enqueued
	NextDueMs                         int64 // the earliest due time held (slot start for a not yet loaded slot), 0 when none
	ReadSlotMs                        int64
	OffsetBehind                      int64 // rmq_sys_wheel_timer messages not yet enqueued
	Enqueued, Delivered, Rolled, Lost int64
}

// Stats walks the wheel once (a few ms for the default 345,600 slots).
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{ReadSlotMs: s.readSlotLocked(), Enqueued: s.enqueued.Load(), Delivered: s.deliveredN.Load(),
		Rolled: s.rolled.Load(), Lost: s.lost.Load()}
	for _, n := range s.outstanding {
		st.Pending += int64(n)
	}
	if len(s.heap) > 0 {
		st.NextDueMs = s.heap[0].dueMs
	}
	for i := range s.wh.slots / 2 {
		t := s.loaded + i*s.precision
		if sl := s.wh.get(t); sl.num > 0 {
			st.Pending += int64(sl.num)
			if st.NextDueMs == 0 {
				st.NextDueMs = t
			}
		}
	}
	st.OffsetBehind = max(0, s.opts.Store.GetMaxOffsetInQueue(store.TimerTopic, 0)-s.queueOffset)
	st.Pending += st.OffsetBehind
	return st
}
