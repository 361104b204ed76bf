package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store/commitlog"
	"github.com/rocketd/rocketd/store/mmapfile"
)

var encBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func (s *DefaultMessageStore) limits() commitlog.Limits {
	return commitlog.Limits{MaxMessageSize: s.cfg.MaxMessageSize}
}

// checkStoreStatus is Java's checkStoreStatus (minus the page-cache-busy probe).
func (s *DefaultMessageStore) checkStoreStatus() (PutMessageStatus, error) {
	switch {
	case s.shutdown.Load():
		return ServiceNotAvailable, ErrShutdown
	case !s.started.Load():
		return ServiceNotAvailable, ErrNotStarted
	case s.cfg.BrokerRole == Slave:
		return ServiceNotAvailable, errors.New("store: a SLAVE does not accept messages")
	case s.logicsError.Load() != nil:
		return ServiceNotAvailable, fmt.Errorf("store: the message store is not writable: %w; restart the broker once there is space (recovery rebuilds what is missing)", *s.logicsError.Load())
	case s.diskFull.Load():
		return ServiceNotAvailable, fmt.Errorf(diskFullRemarkTemplate, s.cfg.commitLogDir(),
			float64(s.diskFullRatio.Load())/10, s.cfg.DiskSpaceWarningLevelRatio)
	}
	return PutOK, nil
}

func statusOf(err error) PutMessageStatus {
	switch {
	case errors.Is(err, commitlog.ErrTopicTooLong), errors.Is(err, commitlog.ErrBodyTooLarge),
		errors.Is(err, commitlog.ErrBadBatch), errors.Is(err, commitlog.ErrMessageTooBig):
		return MessageIllegal
	case errors.Is(err, commitlog.ErrPropsTooLong):
		return PropertiesSizeExceeded
	case errors.Is(err, commitlog.ErrNotWritable):
		return ServiceNotAvailable
	case errors.Is(err, mmapfile.ErrNoSpace):
		return CreateMappedFileFailed // Java: CREATE_MAPEDFILE_FAILED, answered SYSTEM_ERROR
	}
	return UnknownError
}

// PutMessage stores one message. A message with DELAY > 0 (and transaction type NOT/COMMIT) is redirected
// to SCHEDULE_TOPIC_XXXX queue level-1 with REAL_TOPIC/REAL_QID added, as Java's CommitLog does. With
// SYNC_FLUSH and WAIT != false it returns after the record is durable (or FLUSH_DISK_TIMEOUT).
func (s *DefaultMessageStore) PutMessage(ctx context.Context, msg *Message) PutResult {
	if st, err := s.checkStoreStatus(); err != nil {
		return PutResult{Status: st, Err: err}
	}
	if msg.Properties == nil && storeReadsProperties(msg.PropertiesString) {
		cp := *msg // the store redirects or checks it: work on the decoded map, as for any other caller
		cp.Properties = compat.DecodeProperties(msg.PropertiesString)
		msg = &cp
	}
	m := commitlog.Message{
		Topic: msg.Topic, QueueID: msg.QueueID, Flag: msg.Flag, Body: msg.Body, Properties: msg.PropertiesString,
		SysFlag: msg.SysFlag, BornTimestamp: msg.BornTimestamp, BornHost: msg.BornHost, StoreHost: msg.StoreHost,
		ReconsumeTimes: msg.ReconsumeTimes, PreparedTransactionOffset: msg.PreparedTransactionOffset,
	}
	if m.Properties == "" && len(msg.Properties) > 0 {
		m.Properties = compat.EncodeProperties(msg.Properties)
	}
	if st, err := checkMessage(m.Topic, m.Properties); err != nil {
		return PutResult{Status: st, Err: err}
	}
	tran := compat.TransactionValue(msg.SysFlag)
	if tran == compat.TransactionNotType || tran == compat.TransactionCommitType {
		if lvl := delayLevel(msg.Properties); lvl > 0 {
			props := make(map[string]string, len(msg.Properties)+2)
			for k, v := range msg.Properties {
				props[k] = v
			}
			dropTimerProperties(props)
			if lvl > s.delays.MaxLevel() {
				lvl = s.delays.MaxLevel()
				props[compat.PropertyDelayTimeLevel] = strconv.Itoa(lvl)
			}
			props[compat.PropertyRealTopic] = msg.Topic
			props[compat.PropertyRealQueueID] = strconv.Itoa(int(msg.QueueID))
			m.Properties = compat.EncodeProperties(props)
			m.Topic = ScheduleTopic
			m.QueueID = int32(lvl - 1)
		} else if st, err := s.timerRedirect(msg, &m.Topic, &m.QueueID, &m.Properties); err != nil {
			return PutResult{Status: st, Err: err}
		}
	}
	bp := encBufPool.Get().(*[]byte)
	defer encBufPool.Put(bp)
	buf, err := commitlog.Encode((*bp)[:0], &m, s.limits())
	*bp = buf
	if err != nil {
		return PutResult{Status: statusOf(err), Err: err}
	}
	res, err := s.cl.Append(&commitlog.Batch{Buf: buf, Topic: m.Topic, QueueID: m.QueueID, Count: 1, SysFlag: m.SysFlag})
	if err != nil {
		s.log.Error("append failed", "topic", m.Topic, "err", err)
		return PutResult{Status: statusOf(err), Err: err}
	}
	out := PutResult{Status: PutOK, WroteOffset: res.WroteOffset, WroteBytes: res.WroteBytes, LogicsOffset: res.LogicsOffset,
		StoreTimestamp: res.StoreTimestamp, MsgNum: 1}
	if !msg.NoMsgID {
		out.MsgID = string(compat.AppendOffsetMessageID(make([]byte, 0, 56), msg.StoreHost, res.WroteOffset))
	}
	if waitStoreMsgOK(msg.Properties) && !msg.SkipFlushWait {
		if err := s.cl.WaitFlushed(ctx, res.WroteOffset+int64(res.WroteBytes)); err != nil {
			out.Status, out.Err = FlushDiskTimeout, err
		}
	}
	return out
}

// PutMessages stores a client batch: every inner message becomes its own record with consecutive queue
// offsets and one store timestamp. Batches cannot be delayed or transactional.
func (s *DefaultMessageStore) PutMessages(ctx context.Context, batch *MessageBatch) PutResult {
	if st, err := s.checkStoreStatus(); err != nil {
		return PutResult{Status: st, Err: err}
	}
	if compat.TransactionValue(batch.SysFlag) != compat.TransactionNotType {
		return PutResult{Status: MessageIllegal, Err: errors.New("store: batch messages cannot be transactional")}
	}
	if delayLevel(batch.Properties) > 0 {
		return PutResult{Status: MessageIllegal, Err: errors.New("store: batch messages cannot be delayed")}
	}
	if _, ok, _, _ := timerDueMs(batch.Properties, s.now(), true, 1<<30); ok {
		// 5.x refuses them too: its timer hook only sees single messages.
		return PutResult{Status: MessageIllegal, Err: errors.New("store: batch messages cannot carry TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS; send them one by one")}
	}
	props := batch.PropertiesString
	if props == "" && len(batch.Properties) > 0 {
		props = compat.EncodeProperties(batch.Properties)
	}
	if st, err := checkMessage(batch.Topic, ""); err != nil {
		return PutResult{Status: st, Err: err}
	}
	if s.cfg.MaxMessageSize > 0 && len(batch.Body) > s.cfg.MaxMessageSize {
		return PutResult{Status: MessageIllegal, Err: fmt.Errorf("store: batch body of %d bytes exceeds maxMessageSize %d", len(batch.Body), s.cfg.MaxMessageSize)}
	}
	tmpl := commitlog.Message{Topic: batch.Topic, QueueID: batch.QueueID, Properties: props, SysFlag: batch.SysFlag,
		BornTimestamp: batch.BornTimestamp, BornHost: batch.BornHost, StoreHost: batch.StoreHost}
	bp := encBufPool.Get().(*[]byte)
	defer encBufPool.Put(bp)
	buf, n, err := commitlog.EncodeBatch((*bp)[:0], &tmpl, batch.Body, s.limits())
	*bp = buf
	if err != nil {
		return PutResult{Status: statusOf(err), Err: err}
	}
	res, err := s.cl.Append(&commitlog.Batch{Buf: buf, Topic: batch.Topic, QueueID: batch.QueueID, Count: n, SysFlag: batch.SysFlag})
	if err != nil {
		s.log.Error("batch append failed", "topic", batch.Topic, "err", err)
		return PutResult{Status: statusOf(err), Err: err}
	}
	out := PutResult{Status: PutOK, WroteOffset: res.WroteOffset, WroteBytes: res.WroteBytes, LogicsOffset: res.LogicsOffset,
		StoreTimestamp: res.StoreTimestamp, MsgNum: n}
	ids := make([]byte, 0, n*33)
	for p := 0; p < len(buf); {
		rec, err := commitlog.Decode(buf[p:], false)
		if err != nil {
			break
		}
		if p > 0 {
			ids = append(ids, ',')
		}
		ids = compat.AppendOffsetMessageID(ids, batch.StoreHost, rec.PhysicalOffset)
		p += int(rec.TotalSize)
	}
	out.MsgID = string(ids)
	if waitStoreMsgOK(batch.Properties) && !batch.SkipFlushWait {
		if err := s.cl.WaitFlushed(ctx, res.WroteOffset+int64(res.WroteBytes)); err != nil {
			out.Status, out.Err = FlushDiskTimeout, err
		}
	}
	return out
}

// checkMessage mirrors Java's checkMessage, which counts UTF-16 units: a topic over 127 or a properties
// string over 32767 is MESSAGE_ILLEGAL. The encoder then checks bytes (PROPERTIES_SIZE_EXCEEDED, or for a
// topic MESSAGE_ILLEGAL where Java would write a corrupt length byte).
func checkMessage(topic, props string) (PutMessageStatus, error) {
	if n := compat.JavaStringLength(topic); n > commitlog.MaxTopicLength {
		return MessageIllegal, fmt.Errorf("store: topic length %d > %d", n, commitlog.MaxTopicLength)
	}
	if n := compat.JavaStringLength(props); n > commitlog.MaxPropertiesLength {
		return MessageIllegal, fmt.Errorf("store: properties length %d > %d", n, commitlog.MaxPropertiesLength)
	}
	return PutOK, nil
}

// storeReadsProperties reports whether an encoded properties string holds a key PutMessage acts on (DELAY,
// TIMER_*, WAIT): a message without a map and without such keys is stored as it is.
func storeReadsProperties(props string) bool {
	found := false
	compat.RangeProperties(props, func(k, _ string) bool {
		found = k == compat.PropertyDelayTimeLevel || k == compat.PropertyWaitStoreMsgOK || strings.HasPrefix(k, "TIMER_")
		return !found
	})
	return found
}

func delayLevel(props map[string]string) int {
	v, ok := props[compat.PropertyDelayTimeLevel]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

// waitStoreMsgOK is Java's isWaitStoreMsgOK: true without WAIT, else Boolean.parseBoolean(WAIT).
func waitStoreMsgOK(props map[string]string) bool {
	v, ok := props[compat.PropertyWaitStoreMsgOK]
	return !ok || strings.EqualFold(v, "true")
}

// WaitDurable waits, under SYNC_FLUSH, until r's records are flushed, and turns r into FLUSH_DISK_TIMEOUT when
// that takes longer than syncFlushTimeout. Under ASYNC_FLUSH, or for a failed put, it returns r at once. It is
// for callers that put with SkipFlushWait.
func (s *DefaultMessageStore) WaitDurable(ctx context.Context, r PutResult) PutResult {
	if r.Status != PutOK {
		return r
	}
	if err := s.cl.WaitFlushed(ctx, r.WroteOffset+int64(r.WroteBytes)); err != nil {
		r.Status, r.Err = FlushDiskTimeout, err
	}
	return r
}

// WhenDurable is WaitDurable without waiting: done gets r, or r turned into FLUSH_DISK_TIMEOUT, from the
// flush completion (see commitlog.WhenFlushed: done must not block). No goroutine or timer per call.
func (s *DefaultMessageStore) WhenDurable(r PutResult, done func(PutResult)) {
	if r.Status != PutOK {
		done(r)
		return
	}
	s.cl.WhenFlushed(r.WroteOffset+int64(r.WroteBytes), func(ok bool) {
		if !ok {
			r.Status, r.Err = FlushDiskTimeout, commitlog.ErrFlushTimeout
		}
		done(r)
	})
}

// SyncFlush reports whether puts that wait for the store wait for a flush (flushDiskType=SYNC_FLUSH).
func (s *DefaultMessageStore) SyncFlush() bool { return s.cfg.FlushDiskType == SyncFlush }
