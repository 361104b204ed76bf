package store

import (
	"errors"
	"strconv"
	"time"
	"unsafe"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store/commitlog"
	"github.com/rocketd/rocketd/store/index"
	"github.com/rocketd/rocketd/store/mmapfile"
)

const reputFallbackInterval = 100 * time.Millisecond

func (s *DefaultMessageStore) wakeReput() {
	select {
	case s.reputWake <- struct{}{}:
	default:
	}
}

// reputLoop is ReputMessageService: dispatch CommitLog records to ConsumeQueues and the index, off the
// send path. Appends wake it; a slow ticker covers anything else.
func (s *DefaultMessageStore) reputLoop() {
	defer s.wg.Done()
	t := time.NewTicker(reputFallbackInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.reputWake:
		case <-t.C:
		}
		s.doReput()
	}
}

// doReput dispatches everything between reputFrom and the CommitLog end. Only one goroutine runs it at a
// time (Start before the loop, the loop, Shutdown after the loop).
func (s *DefaultMessageStore) doReput() {
	for {
		from := s.reputFrom.Load()
		if min := s.cl.MinOffset(); from < min {
			s.log.Warn("reput offset below the commitlog min offset, skipping ahead", "reputFrom", from, "minOffset", min)
			from = min
			s.reputFrom.Store(from)
		}
		if from >= s.cl.MaxOffset() {
			return
		}
		b, f, ok := s.cl.ReadFrom(from)
		if !ok {
			return
		}
		pos := 0
		next := from
		for pos < len(b) {
			rec, err := commitlog.Decode(b[pos:], false)
			switch {
			case err == nil && rec.IsBlank():
				next = s.cl.RollNextFile(from + int64(pos))
				pos = len(b)
				continue
			case err == nil:
				s.dispatch(&rec)
				pos += int(rec.TotalSize)
				next = from + int64(pos)
				continue
			case errors.Is(err, commitlog.ErrTruncated) && (rec.Magic == commitlog.MessageMagicCode || len(b)-pos < 8):
				// A record still being written (slave replication): wait for the rest.
			case rec.TotalSize > 0 && int(rec.TotalSize) <= len(b)-pos && rec.Magic == commitlog.MessageMagicCode:
				s.log.Error("[BUG] dispatch skips a record with a bad length", "offset", from+int64(pos), "err", err)
				pos += int(rec.TotalSize)
				next = from + int64(pos)
				continue
			default:
				s.log.Error("[BUG] dispatch found an unparsable record, skipping the rest of the readable data", "offset", from+int64(pos), "err", err)
				next = from + int64(len(b))
			}
			break
		}
		f.Release()
		if next == from {
			return
		}
		s.reputFrom.Store(next)
	}
}

// dispatch builds the CQ unit and index entries of one record (CommitLogDispatcherBuildConsumeQueue and
// CommitLogDispatcherBuildIndex).
func (s *DefaultMessageStore) dispatch(rec *commitlog.Record) {
	// props aliases the mapped record, held by doReput until every dispatcher and listener has run: index
	// keys are hashed, tags turned into their code, and listeners copy what they keep (ArrivingListener).
	props := unsafe.String(unsafe.SliceData(rec.Properties), len(rec.Properties))
	var tags, keys, uniq, delay string
	compat.RangeProperties(props, func(k, v string) bool {
		switch k {
		case compat.PropertyTags:
			tags = v
		case compat.PropertyKeys:
			keys = v
		case compat.PropertyUniqClientMessageIDKeyIdx:
			uniq = v
		case compat.PropertyDelayTimeLevel:
			delay = v
		}
		return true
	})
	topic := s.topicNames.Bytes(rec.Topic)
	tagsCode := compat.TagsCode(tags)
	if topic == ScheduleTopic && delay != "" {
		// Java would fail to parse the whole record on a non-numeric DELAY; we keep the tag hash instead.
		if lvl, err := strconv.Atoi(delay); err == nil {
			lvl = min(lvl, s.delays.MaxLevel())
			if lvl > 0 {
				tagsCode = s.delays.DeliverTimestamp(lvl, rec.StoreTimestamp)
			}
		}
	}
	notify := false
	switch compat.TransactionValue(rec.SysFlag) {
	case compat.TransactionNotType, compat.TransactionCommitType:
		cq := s.cqs.GetOrCreate(topic, rec.QueueID)
		var err error
		for i := 0; i < 3; i++ {
			if err = cq.PutUnit(rec.PhysicalOffset, rec.TotalSize, tagsCode, rec.QueueOffset); err == nil {
				break
			}
		}
		if err != nil {
			s.log.Error("consume queue write failed; pulls of this queue will miss the message", "topic", topic,
				"queueId", rec.QueueID, "phyOffset", rec.PhysicalOffset, "err", err)
			if errors.Is(err, mmapfile.ErrNoSpace) {
				failed := err                              // a copy, so that err itself does not escape on every dispatch
				s.logicsError.CompareAndSwap(nil, &failed) // Java: makeLogicsQueueError, puts refused from now on
			}
		} else {
			s.dispatchedTs.Store(rec.StoreTimestamp)
			notify = true
		}
		// A slave's CommitLog gets raw bytes, so its checkpoint physic time comes from dispatch (as Java's
		// reput does on a slave), and only for records already durable.
		if s.cfg.BrokerRole == Slave && s.cl.FlushedWhere() >= rec.PhysicalOffset+int64(rec.TotalSize) {
			s.cp.SetPhysicMsgTimestamp(rec.StoreTimestamp)
		}
	}
	if s.cfg.MessageIndexEnable {
		if err := s.idx.BuildIndex(&index.Request{Topic: topic, Keys: keys, UniqKey: uniq, PhyOffset: rec.PhysicalOffset,
			StoreTimestamp: rec.StoreTimestamp, SysFlag: rec.SysFlag}); err != nil {
			s.log.Error("index build failed", "phyOffset", rec.PhysicalOffset, "err", err)
			if errors.Is(err, mmapfile.ErrNoSpace) {
				failed := err                              // a copy, so that err itself does not escape on every dispatch
				s.logicsError.CompareAndSwap(nil, &failed) // Java: makeIndexFileError
			}
		}
	}
	// Like Java, listeners hear about a message after every dispatcher (CQ and index) has run.
	if notify && s.arriving != nil && s.started.Load() {
		// One DispatchInfo for the store: only one goroutine dispatches at a time, and listeners do not keep it.
		s.dispatchInfo = DispatchInfo{Topic: topic, QueueID: rec.QueueID, QueueOffset: rec.QueueOffset,
			TagsCode: tagsCode, StoreTimestamp: rec.StoreTimestamp, PhyOffset: rec.PhysicalOffset,
			Size: rec.TotalSize, Properties: props}
		s.arriving(&s.dispatchInfo)
		s.dispatchInfo = DispatchInfo{}
	}
}

// flushConsumeQueueLoop is FlushConsumeQueueService: every flushIntervalConsumeQueue flush queues with at
// least flushConsumeQueueLeastPages dirty pages; every flushConsumeQueueThoroughInterval flush all and
// write the checkpoint (logics time captured before the flush, so it never runs ahead of durable data).
func (s *DefaultMessageStore) flushConsumeQueueLoop() {
	defer s.wg.Done()
	interval := ms(s.cfg.FlushIntervalConsumeQueue)
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		least := s.cfg.FlushConsumeQueueLeastPages
		thorough := time.Since(last) >= ms(s.cfg.FlushConsumeQueueThoroughInterval)
		if thorough {
			least = 0
			last = time.Now()
		}
		s.writeFlushMark()
		ts := s.dispatchedTs.Load()
		if err := s.cqs.Flush(least); err != nil {
			s.log.Error("consume queue flush failed", "err", err)
			continue
		}
		if thorough {
			if ts > 0 {
				s.cp.SetLogicsMsgTimestamp(ts)
			}
			if err := s.cp.Flush(); err != nil {
				s.log.Error("checkpoint flush failed", "err", err)
			}
		}
	}
}
