// Package schedule delivers delayed messages: the store keeps a message with DELAY=n in SCHEDULE_TOPIC_XXXX
// queue n-1, its ConsumeQueue tags code being the delivery time; one goroutine per delay level reads that
// queue in order and, once a unit is due, writes the message back to its REAL_TOPIC / REAL_QID.
//
// Java: store/schedule/ScheduleMessageService (4.9.8, synchronous delivery). Differences, deliberate:
//   - Java polls every level every 100 ms; here a level with a pending message sleeps until its due time,
//     an idle level re-checks every 100 ms like Java and is woken at once by the
//     store's dispatch of a new unit to its queue (Wake), so delivery is within a few ms of the due time.
//   - A failed put is retried after 1 s (Java: 100 ms after a failed put, 10 s after an exception).
//
// Progress is config/delayOffset.json, fastjson dialect with the delay LEVEL as unquoted integer key:
// {"offsetTable":{1:0,2:5}} (Java's DelayOffsetSerializeWrapper), written every flushDelayOffsetInterval
// and on Stop. GET_ALL_DELAY_OFFSET answers the compact form.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

// TransHalfTopic is never a valid real topic of a delayed message (Java drops such messages).
const TransHalfTopic = "RMQ_SYS_TRANS_HALF_TOPIC"

// Store is what the service needs from the message store.
type Store interface {
	GetMessage(group, topic string, queueID int32, offset int64, maxMsgNums int, filter store.MessageFilter) *store.GetMessageResult
	PutMessage(ctx context.Context, msg *store.Message) store.PutResult
	GetMinOffsetInQueue(topic string, queueID int32) int64
	GetMaxOffsetInQueue(topic string, queueID int32) int64
}

// Options configure a Service.
type Options struct {
	Path          string            // config/delayOffset.json
	Levels        store.DelayLevels // messageDelayLevel
	FlushInterval time.Duration     // flushDelayOffsetInterval (10 s when zero)
	Store         Store
	Log           *slog.Logger
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

// Service is the schedule (delay) service.
type Service struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	offsets map[int]int64 // level -> next schedule queue offset to deliver
	dirty   bool

	wake   []chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type offsetDoc struct {
	OffsetTable map[string]int64 `json:"offsetTable"`
}

// Open loads delayOffset.json (or its .bak) and corrects offsets outside the queues' bounds, as Java's
// correctDelayOffset does.
func Open(opts Options) (*Service, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 10 * time.Second
	}
	s := &Service{opts: opts, log: opts.Log.With("component", "schedule"), offsets: map[int]int64{}}
	err := fastjson.ReadConfig(opts.Path, func(b []byte) error {
		var d offsetDoc
		if err := fastjson.Unmarshal(b, &d); err != nil {
			return err
		}
		m := make(map[int]int64, len(d.OffsetTable))
		for k, v := range d.OffsetTable {
			lvl, err := strconv.Atoi(k)
			if err != nil {
				return fmt.Errorf("schedule: offsetTable key %q is not a delay level", k)
			}
			m[lvl] = v
		}
		s.offsets = m
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schedule: load %s: %w", opts.Path, err)
	}
	for lvl := 1; lvl <= opts.Levels.MaxLevel(); lvl++ {
		off, ok := s.offsets[lvl]
		if !ok {
			continue
		}
		qid := int32(lvl - 1)
		lo, hi := opts.Store.GetMinOffsetInQueue(store.ScheduleTopic, qid), opts.Store.GetMaxOffsetInQueue(store.ScheduleTopic, qid)
		if off < lo {
			s.log.Error("delay offset below the schedule queue's minimum, corrected", "level", lvl, "offset", off, "min", lo)
			s.offsets[lvl], s.dirty = lo, true
		} else if off > hi {
			s.log.Error("delay offset above the schedule queue's maximum, corrected", "level", lvl, "offset", off, "max", hi)
			s.offsets[lvl], s.dirty = hi, true
		}
	}
	s.wake = make([]chan struct{}, opts.Levels.MaxLevel())
	for i := range s.wake {
		s.wake[i] = make(chan struct{}, 1)
	}
	return s, nil
}

// Start runs one delivery goroutine per level and the periodic persist.
func (s *Service) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for lvl := 1; lvl <= s.opts.Levels.MaxLevel(); lvl++ {
		s.wg.Add(1)
		go func(lvl int) { defer s.wg.Done(); s.run(ctx, lvl) }(lvl)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.opts.FlushInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = s.Persist()
			}
		}
	}()
}

// Stop ends delivery and writes the offsets (only when it was started: a slave's loaded file stays as is).
func (s *Service) Stop() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.wg.Wait()
	return s.Persist()
}

// Wake tells the level of schedule queue queueID that a unit was dispatched; it never blocks.
func (s *Service) Wake(queueID int32) {
	if queueID < 0 || int(queueID) >= len(s.wake) {
		return
	}
	select {
	case s.wake[queueID] <- struct{}{}:
	default:
	}
}

// Offset returns the next offset of level (0 when none is stored).
func (s *Service) Offset(level int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offsets[level]
}

func (s *Service) setOffset(level int, off int64) {
	s.mu.Lock()
	if s.offsets[level] != off {
		s.offsets[level], s.dirty = off, true
	}
	s.mu.Unlock()
}

// Encode is Java's encode(pretty): {"offsetTable":{1:0,2:5}}; levels in ascending order.
func (s *Service) Encode(mode fastjson.Mode) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := fastjson.NewWriter(mode, make([]byte, 0, 32+len(s.offsets)*16))
	w.BeginObject()
	w.Key("offsetTable")
	w.BeginIntMap()
	for _, lvl := range fastjson.SortedKeys(s.offsets) {
		w.IntKey(int64(lvl))
		w.Int(s.offsets[lvl])
	}
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}

// Persist writes delayOffset.json when something changed.
func (s *Service) Persist() error {
	s.mu.Lock()
	dirty := s.dirty
	s.dirty = false
	s.mu.Unlock()
	if !dirty {
		if _, err := os.Stat(s.opts.Path); err == nil {
			return nil
		}
	}
	if err := fastjson.WriteConfig(s.opts.Path, s.Encode(fastjson.Pretty)); err != nil {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
		s.log.Error("persisting delay offsets failed", "file", s.opts.Path, "err", err)
		return err
	}
	return nil
}

// tagsCapture records the tags code (the delivery time) of every unit the store returns.
type tagsCapture struct {
	pending int64
	codes   []int64
}

func (c *tagsCapture) IsMatchedByConsumeQueue(tc int64) bool { c.pending = tc; return true }
func (c *tagsCapture) IsMatchedByCommitLog([]byte) bool {
	c.codes = append(c.codes, c.pending)
	return true
}

const (
	idleWait  = 100 * time.Millisecond // re-check of an idle level, as Java polls (Wake normally comes first)
	failWait  = time.Second
	batchSize = 32
)

func (s *Service) run(ctx context.Context, lvl int) {
	// Java starts each level 1 s after start; starting at once loses nothing.
	for {
		wait := s.deliverDue(ctx, lvl)
		if ctx.Err() != nil {
			return
		}
		if wait <= 0 {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake[lvl-1]:
		case <-t.C:
		}
		t.Stop()
	}
}

// deliverDue delivers every due message of level and returns how long to wait before looking again.
func (s *Service) deliverDue(ctx context.Context, lvl int) time.Duration {
	qid := int32(lvl - 1)
	levelDelay := s.opts.Levels[lvl-1]
	for ctx.Err() == nil {
		off := s.Offset(lvl)
		capt := &tagsCapture{}
		res := s.opts.Store.GetMessage("", store.ScheduleTopic, qid, off, batchSize, capt)
		if res == nil {
			return failWait // store shut down
		}
		if res.Status != store.Found {
			res.Release()
			if res.NextBeginOffset != off && res.Status != store.OffsetOverflowOne && res.Status != store.NoMessageInQueue {
				s.log.Warn("schedule queue offset corrected", "level", lvl, "from", off, "to", res.NextBeginOffset, "status", res.Status.String())
				s.setOffset(lvl, res.NextBeginOffset)
				continue
			}
			return idleWait
		}
		wait, done := s.deliverBatch(ctx, lvl, levelDelay, res, capt.codes)
		res.Release()
		if !done {
			return wait
		}
		if res.NextBeginOffset > s.Offset(lvl) {
			// Units were skipped (removed records): move past them.
			s.setOffset(lvl, res.NextBeginOffset)
		}
	}
	return 0
}

// deliverBatch delivers the due prefix of res. done reports that every message of the batch was handled.
func (s *Service) deliverBatch(ctx context.Context, lvl int, levelDelay int64, res *store.GetMessageResult, codes []int64) (time.Duration, bool) {
	for i, raw := range res.Messages {
		now := s.opts.Now().UnixMilli()
		due := int64(0)
		if i < len(codes) {
			due = codes[i]
		}
		if due > now+levelDelay { // Java's correctDeliverTimestamp
			due = now
		}
		if due > now {
			return time.Duration(due-now) * time.Millisecond, false
		}
		qoff := res.QueueOffsets[i]
		m, err := Restore(raw)
		if err != nil {
			s.log.Error("undeliverable delayed message skipped", "level", lvl, "offset", qoff, "err", err)
			s.setOffset(lvl, qoff+1)
			continue
		}
		if m.Topic == TransHalfTopic {
			s.log.Error("delayed message with real topic "+TransHalfTopic+" discarded", "level", lvl, "offset", qoff)
			s.setOffset(lvl, qoff+1)
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		r := s.opts.Store.PutMessage(pctx, m)
		cancel()
		if r.Status != store.PutOK {
			s.log.Error("delivering a delayed message failed, retrying", "level", lvl, "offset", qoff, "topic", m.Topic,
				"status", r.Status.String(), "err", r.Err)
			return failWait, false
		}
		s.setOffset(lvl, qoff+1)
	}
	return 0, true
}

// ErrNoRealTopic: a schedule record without REAL_TOPIC / REAL_QID.
var ErrNoRealTopic = errors.New("schedule: record has no REAL_TOPIC / REAL_QID property")

// Restore rebuilds the message a schedule record stands for, as Java's messageTimeup: topic and queue from
// REAL_TOPIC / REAL_QID; body, flag, sysflag, born/store hosts, born time and reconsume times copied. The
// stored properties string is the record's (so DELAY, REAL_TOPIC and REAL_QID stay in it, as in Java);
// only the in-memory map loses DELAY (no second scheduling) and gets WAIT=false.
func Restore(raw []byte) (*store.Message, error) {
	rec, err := commitlog.Decode(raw, false)
	if err != nil {
		return nil, err
	}
	propStr := string(rec.Properties)
	props := compat.DecodeProperties(propStr)
	topic, ok1 := props[compat.PropertyRealTopic]
	qidStr, ok2 := props[compat.PropertyRealQueueID]
	if !ok1 || !ok2 {
		return nil, ErrNoRealTopic
	}
	qid, err := strconv.Atoi(qidStr)
	if err != nil {
		return nil, fmt.Errorf("schedule: REAL_QID %q is not a number", qidStr)
	}
	delete(props, compat.PropertyDelayTimeLevel)
	props[compat.PropertyWaitStoreMsgOK] = "false"
	return &store.Message{
		Topic:            topic,
		QueueID:          int32(qid),
		Flag:             rec.Flag,
		Body:             append([]byte(nil), rec.Body...),
		Properties:       props,
		PropertiesString: propStr,
		SysFlag:          rec.SysFlag,
		BornTimestamp:    rec.BornTimestamp,
		BornHost:         commitlog.DecodeHost(rec.BornHost),
		StoreHost:        commitlog.DecodeHost(rec.StoreHost),
		ReconsumeTimes:   rec.ReconsumeTimes,
	}, nil
}
