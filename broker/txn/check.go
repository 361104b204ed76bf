package txn

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

const (
	halfQueue    int32 = 0      // half messages are always written to queue 0
	maxRunMillis       = 60_000 // Java's MAX_PROCESS_TIME_LIMIT per queue and pass
)

func (s *Service) startOffset(topic string) int64 {
	if off, ok := s.opts.Offsets.Query(Group, topic, halfQueue); ok {
		return off
	}
	return s.opts.Store.GetMinOffsetInQueue(topic, halfQueue)
}

// readOps reads op records from opOff to the end: removed maps a half queue offset (>= halfOff) to the op
// queue offsets resolving it; done lists the op offsets that resolve half offsets below halfOff.
func (s *Service) readOps(ctx context.Context, opOff, halfOff int64) (removed map[int64][]int64, done []int64) {
	removed = map[int64][]int64{}
	next := opOff
	for ctx.Err() == nil {
		res := s.opts.Store.GetMessage(Group, OpTopic, halfQueue, next, 32, nil)
		if res == nil {
			return
		}
		if res.Status != store.Found {
			res.Release()
			if res.Status == store.OffsetTooSmall && res.NextBeginOffset > next {
				next = res.NextBeginOffset
				continue
			}
			return
		}
		for i, raw := range res.Messages {
			rec, err := commitlog.Decode(raw, false)
			if err != nil {
				continue
			}
			tags, _ := compat.GetProperty(string(rec.Properties), compat.PropertyTags)
			hoff, err := strconv.ParseInt(string(rec.Body), 10, 64)
			if tags != RemoveTag || err != nil {
				done = append(done, res.QueueOffsets[i])
				continue
			}
			if hoff < halfOff {
				done = append(done, res.QueueOffsets[i])
			} else {
				removed[hoff] = append(removed[hoff], res.QueueOffsets[i])
			}
		}
		next = res.NextBeginOffset
		res.Release()
	}
	return
}

// readHalf returns the half record at offset, or the offset to continue from when there is none (ok false,
// next == off means the end of the queue).
func (s *Service) readHalf(off int64) (hm *half, next int64, ok bool) {
	res := s.opts.Store.GetMessage(Group, HalfTopic, halfQueue, off, 1, nil)
	if res == nil {
		return nil, off, false
	}
	defer res.Release()
	if res.Status != store.Found || len(res.Messages) == 0 {
		if res.NextBeginOffset > off && res.Status != store.OffsetOverflowOne {
			return nil, res.NextBeginOffset, false
		}
		return nil, off, false
	}
	h, err := decodeHalf(append([]byte(nil), res.Messages[0]...))
	if err != nil {
		s.log.Error("undecodable half message skipped", "offset", off, "err", err)
		return nil, off + 1, false
	}
	return h, off, true
}

// Check runs one pass over the half queue (Java TransactionalMessageServiceImpl.check): resolved half messages
// are passed, the ones checked CheckMax times (or older than Reserved) go to TRANS_CHECK_MAX_TIME_TOPIC,
// messages younger than Timeout end the pass, ones inside their CHECK_IMMUNITY_TIME_IN_SECONDS are re-queued
// (requeueImmune) and the pass goes on, every other one is
// re-put as a fresh copy with TRANSACTION_CHECK_TIMES+1 and a producer of its group is asked about the copy.
// The pass commits how far it got as CID_RMQ_SYS_TRANS offsets.
func (s *Service) Check(ctx context.Context) {
	s.checkMu.Lock()
	defer s.checkMu.Unlock()
	start := time.Now().UnixMilli()
	timeout, _, checkMax := s.settings()
	halfOff := s.startOffset(HalfTopic)
	opOff := s.startOffset(OpTopic)
	removed, done := s.readOps(ctx, opOff, halfOff)

	newHalf := halfOff
	for off := halfOff; ctx.Err() == nil; {
		if time.Now().UnixMilli()-start > maxRunMillis {
			s.log.Info("transaction check pass stopped after its time budget", "halfOffset", off)
			break
		}
		if opAt, ok := removed[off]; ok {
			delete(removed, off)
			done = append(done, opAt...)
			off++
			newHalf = off
			continue
		}
		hm, next, ok := s.readHalf(off)
		if !ok {
			if next == off {
				break
			}
			off, newHalf = next, next
			continue
		}
		if s.isResolved(hm.props[compat.PropertyUniqClientMessageIDKeyIdx]) {
			// A copy of a transaction already resolved: mark it so for good.
			if err := s.writeOp(hm); err != nil {
				break
			}
			off++
			newHalf = off
			continue
		}
		now := time.Now().UnixMilli()
		checkTimes, _ := strconv.Atoi(hm.props[compat.PropertyTransactionCheckTimes])
		if checkTimes >= checkMax || now-hm.rec.BornTimestamp > s.opts.Reserved.Milliseconds() {
			s.discard(hm)
			off++
			newHalf = off
			continue
		}
		if hm.rec.StoreTimestamp >= start {
			break
		}
		age := now - hm.rec.BornTimestamp
		if v, ok := hm.props[compat.PropertyCheckImmunityTimeInSeconds]; ok {
			immunity := timeout.Milliseconds()
			if sec, err := strconv.ParseInt(v, 10, 64); err == nil && sec != -1 {
				immunity = sec * 1000
			}
			if age < immunity {
				// Not due yet: Java re-queues it (a copy marked with its first queue offset) and goes on, so one
				// long immunity does not hold back the half messages behind it.
				if !s.requeueImmune(hm, removed, &done, checkTimes+1) {
					break
				}
				off++
				newHalf = off
				continue
			}
		} else if age >= 0 && age < timeout.Milliseconds() {
			break
		}
		if !s.checkBack(ctx, hm, checkTimes+1) {
			break
		}
		off++
		newHalf = off
	}
	if newHalf != halfOff {
		s.opts.Offsets.Commit(Group, HalfTopic, halfQueue, newHalf)
	}
	slices.Sort(done)
	newOp := opOff
	for _, d := range done {
		if d == newOp {
			newOp++
		} else if d > newOp {
			break
		}
	}
	if newOp != opOff {
		s.opts.Offsets.Commit(Group, OpTopic, halfQueue, newOp)
	}
}

// requeueImmune is Java's checkPrepareQueueOffset for a half message inside its CHECK_IMMUNITY_TIME_IN_SECONDS:
// a copy whose first half (TRAN_PREPARED_QUEUE_OFFSET) has an op record is done; otherwise a copy is written back
// to the half queue with TRAN_PREPARED_QUEUE_OFFSET kept (or set to this record's queue offset) and
// TRANSACTION_CHECK_TIMES = times (Java counts every examination). False: -1 (or an unreadable) prepared offset,
// or the copy could not be written; the pass stops there.
func (s *Service) requeueImmune(hm *half, removed map[int64][]int64, done *[]int64, times int) bool {
	prepared, has := hm.props[compat.PropertyTransactionPreparedQueueOffset]
	if has {
		po, err := strconv.ParseInt(prepared, 10, 64)
		if err != nil || po == -1 {
			return false
		}
		if opAt, ok := removed[po]; ok {
			delete(removed, po)
			*done = append(*done, opAt...)
			return true
		}
	} else {
		prepared = strconv.FormatInt(hm.rec.QueueOffset, 10)
	}
	m := hm.halfCopy(hm.rec.QueueID, map[string]string{compat.PropertyTransactionCheckTimes: strconv.Itoa(times),
		compat.PropertyTransactionPreparedQueueOffset: prepared})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if res := s.opts.Store.PutMessage(ctx, m); !res.OK() {
		s.log.Error("re-queueing a half message inside its check immunity failed", "status", res.Status.String(), "err", res.Err)
		return false
	}
	return true
}

// discard copies a half message that was checked too often to TRANS_CHECK_MAX_TIME_TOPIC.
func (s *Service) discard(hm *half) {
	s.opts.EnsureTopic(CheckMaxTimeTopic)
	props := make(map[string]string, len(hm.props)+1)
	for k, v := range hm.props {
		props[k] = v
	}
	props[compat.PropertyWaitStoreMsgOK] = "false"
	m := &store.Message{
		Topic: CheckMaxTimeTopic, QueueID: 0, Flag: hm.rec.Flag, Body: hm.rec.Body, Properties: props,
		PropertiesString: string(hm.rec.Properties), SysFlag: hm.rec.SysFlag, BornTimestamp: hm.rec.BornTimestamp,
		BornHost: commitlog.DecodeHost(hm.rec.BornHost), StoreHost: commitlog.DecodeHost(hm.rec.StoreHost),
		ReconsumeTimes: hm.rec.ReconsumeTimes,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := s.opts.Store.PutMessage(ctx, m)
	s.log.Warn("half message checked too often (or too old), moved to "+CheckMaxTimeTopic,
		"uniqKey", hm.props[compat.PropertyUniqClientMessageIDKeyIdx], "producerGroup", hm.props[compat.PropertyProducerGroup],
		"status", res.Status.String())
}

// checkBack re-puts hm with TRANSACTION_CHECK_TIMES = times and sends CHECK_TRANSACTION_STATE about the copy
// to a producer of its group. False when the copy could not be written.
func (s *Service) checkBack(ctx context.Context, hm *half, times int) bool {
	m := hm.halfCopy(hm.rec.QueueID, map[string]string{compat.PropertyTransactionCheckTimes: strconv.Itoa(times)})
	propStr := m.PropertiesString
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	res := s.opts.Store.PutMessage(pctx, m)
	cancel()
	if !res.OK() {
		s.log.Error("re-putting a half message for its check failed; retrying next interval", "status", res.Status.String(), "err", res.Err)
		return false
	}
	group := hm.props[compat.PropertyProducerGroup]
	conn := s.opts.Producers.AvailableChannel(group)
	if conn == nil {
		s.log.Warn("no producer of the group is online to check a transaction", "producerGroup", group,
			"uniqKey", hm.props[compat.PropertyUniqClientMessageIDKeyIdx])
		return true
	}
	body, err := checkBody(m, propStr, res)
	if err != nil {
		s.log.Error("cannot build the check body", "err", err)
		return true
	}
	uniq := hm.props[compat.PropertyUniqClientMessageIDKeyIdx]
	h := header.CheckTransactionStateRequestHeader{
		TranStateTableOffset: res.LogicsOffset, CommitLogOffset: res.WroteOffset,
		MsgID: uniq, TransactionID: uniq, OffsetMsgID: res.MsgID,
	}
	ext := make(map[string]string, 5)
	h.Encode(ext)
	if err := conn.InvokeOneway(remoting.NewRequest(code.CheckTransactionState, ext, body)); err != nil {
		s.log.Warn("sending CHECK_TRANSACTION_STATE failed", "producerGroup", group, "remote", conn.RemoteAddr(), "err", err)
	}
	return true
}

// checkBody is the record of the copy with its real topic and queue (Java MessageDecoder.encode of the
// restored message): offsets of the copy, the properties as stored.
func checkBody(m *store.Message, propStr string, res store.PutResult) ([]byte, error) {
	qid, _ := strconv.Atoi(m.Properties[compat.PropertyRealQueueID])
	cm := commitlog.Message{
		Topic: m.Properties[compat.PropertyRealTopic], QueueID: int32(qid), Flag: m.Flag, Body: m.Body,
		Properties: propStr, SysFlag: m.SysFlag, BornTimestamp: m.BornTimestamp, BornHost: m.BornHost,
		StoreHost: m.StoreHost, ReconsumeTimes: m.ReconsumeTimes,
	}
	rec, err := commitlog.Encode(nil, &cm, commitlog.Limits{MaxMessageSize: 1 << 30})
	if err != nil {
		return nil, err
	}
	commitlog.Patch(rec, res.LogicsOffset, res.WroteOffset, res.StoreTimestamp)
	return rec, nil
}
