package store

import (
	"fmt"
	"sort"

	"github.com/rocketd/rocketd/store/commitlog"
	"github.com/rocketd/rocketd/store/consumequeue"
	"github.com/rocketd/rocketd/store/mmapfile"
)

func (s *DefaultMessageStore) nextOffsetCorrection(oldOffset, newOffset int64) int64 {
	if s.cfg.BrokerRole != Slave || s.offsetCheckInSlave.Load() {
		return newOffset
	}
	return oldOffset
}

func (s *DefaultMessageStore) inDisk(phy, maxPhy int64) bool {
	if s.memBytes <= 0 {
		return false
	}
	return maxPhy-phy > s.inMemoryBytes()
}

// inMemoryBytes is Java's TOTAL_PHYSICAL_MEMORY_SIZE * accessMessageInMemoryMaxRatio / 100: how much of the
// CommitLog behind its end is taken to be in memory.
func (s *DefaultMessageStore) inMemoryBytes() int64 {
	return s.memBytes * s.memRatio.Load() / 100
}

// SetPullTuning changes accessMessageInMemoryMaxRatio and offsetCheckInSlave while serving (Java reads both
// from its config on every pull, so UPDATE_BROKER_CONFIG changes them at once).
func (s *DefaultMessageStore) SetPullTuning(accessMessageInMemoryMaxRatio int, offsetCheckInSlave bool) {
	s.memRatio.Store(int64(accessMessageInMemoryMaxRatio))
	s.offsetCheckInSlave.Store(offsetCheckInSlave)
}

func (s *DefaultMessageStore) batchFull(sizePy, maxMsgNums, bufferTotal, messageTotal int, inDisk bool) bool {
	if bufferTotal == 0 || messageTotal == 0 {
		return false
	}
	if maxMsgNums <= messageTotal {
		return true
	}
	if inDisk {
		return bufferTotal+sizePy > s.cfg.MaxTransferBytesOnMessageInDisk || messageTotal > s.cfg.MaxTransferCountOnMessageInDisk-1
	}
	return bufferTotal+sizePy > s.cfg.MaxTransferBytesOnMessageInMemory || messageTotal > s.cfg.MaxTransferCountOnMessageInMemory-1
}

// GetMessage follows Java's DefaultMessageStore.getMessage: offset checks against the queue's min/max,
// then a scan of at most max(16000, maxMsgNums*20) bytes of units within one CQ file, filtering by tags code
// and record, stopping at maxMsgNums or the transfer limits (256 KiB / 32 messages in memory, 64 KiB / 8
// on disk). The returned records alias the mapped CommitLog: call Release. It returns nil once the store
// is shut down.
func (s *DefaultMessageStore) GetMessage(group, topic string, queueID int32, offset int64, maxMsgNums int, filter MessageFilter) *GetMessageResult {
	if s.shutdown.Load() {
		return nil // Java returns null here too; the broker answers SYSTEM_ERROR
	}
	r := &GetMessageResult{Status: NoMessageInQueue, NextBeginOffset: offset}
	cq := s.cqs.Get(topic, queueID)
	if cq == nil {
		// Java creates the queue lazily here and answers NO_MESSAGE_IN_QUEUE for it.
		r.NextBeginOffset = s.nextOffsetCorrection(offset, 0)
		return r
	}
	minOff, maxOff := cq.MinOffset(), cq.MaxOffset()
	r.MinOffset, r.MaxOffset = minOff, maxOff
	switch {
	case maxOff == 0:
		r.Status = NoMessageInQueue
		r.NextBeginOffset = s.nextOffsetCorrection(offset, 0)
	case offset < minOff:
		r.Status = OffsetTooSmall
		r.NextBeginOffset = s.nextOffsetCorrection(offset, minOff)
	case offset == maxOff:
		r.Status = OffsetOverflowOne
		r.NextBeginOffset = s.nextOffsetCorrection(offset, offset)
	case offset > maxOff:
		r.Status = OffsetOverflowBadly
		r.NextBeginOffset = s.nextOffsetCorrection(offset, maxOff)
	default:
		s.scanQueue(r, cq, offset, maxMsgNums, filter)
	}
	return r
}

func (s *DefaultMessageStore) scanQueue(r *GetMessageResult, cq *consumequeue.ConsumeQueue, offset int64, maxMsgNums int, filter MessageFilter) {
	units, uf, ok := cq.Units(offset)
	if !ok {
		r.Status = OffsetFoundNull
		r.NextBeginOffset = s.nextOffsetCorrection(offset, cq.RollNextFile(offset))
		s.log.Warn("consume queue unit not found", "topic", cq.Topic(), "queueId", cq.QueueID(), "offset", offset)
		return
	}
	defer uf.Release()
	r.Status = NoMatchedMessage
	maxPhy := s.cl.MaxOffset()
	nextFileStart := int64(-1)
	var maxPhyPulling int64
	limit := max(16000, maxMsgNums*consumequeue.UnitSize)
	r.Messages, r.QueueOffsets, r.held = r.msgBuf[:0], r.offBuf[:0], r.heldBuf[:0]
	var cur *mmapfile.File // the file of the last record returned, held by r: records in it need no lookup
	i := 0
	for ; i+consumequeue.UnitSize <= len(units) && i < limit; i += consumequeue.UnitSize {
		u, _ := consumequeue.DecodeUnit(units[i:])
		maxPhyPulling = u.PhyOffset
		if nextFileStart >= 0 && u.PhyOffset < nextFileStart {
			continue
		}
		if s.batchFull(int(u.Size), maxMsgNums, r.BufferTotalSize, len(r.Messages), s.inDisk(u.PhyOffset, maxPhy)) {
			break
		}
		if filter != nil && !filter.IsMatchedByConsumeQueue(u.TagsCode) {
			if r.BufferTotalSize == 0 {
				r.Status = NoMatchedMessage
			}
			continue
		}
		b, f, fresh, ok := s.sliceIn(cur, u.PhyOffset, int(u.Size))
		if !ok {
			if r.BufferTotalSize == 0 {
				r.Status = MessageWasRemoving
			}
			nextFileStart = s.cl.RollNextFile(u.PhyOffset)
			continue
		}
		if filter != nil && !filter.IsMatchedByCommitLog(b) {
			if fresh {
				f.Release()
			}
			if r.BufferTotalSize == 0 {
				r.Status = NoMatchedMessage
			}
			continue
		}
		r.Messages = append(r.Messages, b)
		r.QueueOffsets = append(r.QueueOffsets, offset+int64(i/consumequeue.UnitSize))
		if fresh {
			r.held = append(r.held, f)
			cur = f
		}
		r.BufferTotalSize += len(b)
		r.Status = Found
		nextFileStart = -1
	}
	r.NextBeginOffset = offset + int64(i/consumequeue.UnitSize)
	if s.memBytes > 0 {
		r.SuggestPullingFromSlave = maxPhy-maxPhyPulling > s.inMemoryBytes()
	}
}

// sliceIn is CommitLog.Slice that reuses cur (a file already held) when the record lies in it: no file lookup
// and no new reference. fresh reports a new reference on f, which the caller keeps or releases.
func (s *DefaultMessageStore) sliceIn(cur *mmapfile.File, phy int64, size int) (b []byte, f *mmapfile.File, fresh, ok bool) {
	if cur != nil && size > 0 && phy >= cur.From() {
		if pos := phy - cur.From(); pos+int64(size) <= int64(cur.WrotePos()) {
			return cur.Data()[pos : pos+int64(size) : pos+int64(size)], cur, false, true
		}
	}
	b, f, ok = s.cl.Slice(phy, size)
	return b, f, ok, ok
}

// LookMessageByOffset returns a copy of the whole record at phyOffset.
func (s *DefaultMessageStore) LookMessageByOffset(phyOffset int64) ([]byte, error) {
	rec, f, err := s.cl.RecordAt(phyOffset)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	defer f.Release()
	b, f2, ok := s.cl.Slice(phyOffset, int(rec.TotalSize))
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrNotFound, phyOffset)
	}
	defer f2.Release()
	return append([]byte(nil), b...), nil
}

// QueryMessage finds records indexed under topic#key stored in [begin, end] (KEYS tokens and UNIQ_KEY),
// sorted by physical offset. Hash collisions are returned too; callers filter by the real key, as Java's
// clients do.
func (s *DefaultMessageStore) QueryMessage(topic, key string, maxNum int, begin, end int64) *QueryMessageResult {
	out := &QueryMessageResult{}
	lastQueryMsgTime := end
	for round := 0; round < 3; round++ {
		res := s.idx.QueryOffset(topic, key, maxNum, begin, lastQueryMsgTime)
		if len(res.PhyOffsets) == 0 {
			break
		}
		sort.Slice(res.PhyOffsets, func(i, j int) bool { return res.PhyOffsets[i] < res.PhyOffsets[j] })
		out.IndexLastUpdateTimestamp = res.IndexLastUpdateTimestamp
		out.IndexLastUpdatePhyOffset = res.IndexLastUpdatePhyOffset
		for m, off := range res.PhyOffsets {
			rec, err := s.LookMessageByOffset(off)
			if err != nil {
				continue
			}
			if m == 0 {
				if r, err := commitlog.Decode(rec, false); err == nil {
					lastQueryMsgTime = r.StoreTimestamp
				}
			}
			out.Messages = append(out.Messages, rec)
			out.BufferTotalSize += len(rec)
		}
		if out.BufferTotalSize > 0 || lastQueryMsgTime < begin {
			break
		}
	}
	return out
}

// GetMaxOffsetInQueue is the next logical offset of the queue (0 if unknown).
func (s *DefaultMessageStore) GetMaxOffsetInQueue(topic string, queueID int32) int64 {
	if cq := s.cqs.Get(topic, queueID); cq != nil {
		return cq.MaxOffset()
	}
	return 0
}

// GetMinOffsetInQueue is the first readable logical offset (0 if the queue was never written: Java's
// findConsumeQueue creates an empty consume queue on lookup, and clients such as DefaultMQPullConsumer.minOffset
// and mqadmin printMsg treat a negative answer as an error).
func (s *DefaultMessageStore) GetMinOffsetInQueue(topic string, queueID int32) int64 {
	if cq := s.cqs.Get(topic, queueID); cq != nil {
		return cq.MinOffset()
	}
	return 0
}

func (s *DefaultMessageStore) storeTime(phy int64, size int32) int64 {
	ts, ok := s.cl.StoreTimeAt(phy, int(size))
	if !ok {
		return -1
	}
	return ts
}

// GetOffsetInQueueByTime is the logical offset whose store time is nearest timestamp (0 if unknown).
func (s *DefaultMessageStore) GetOffsetInQueueByTime(topic string, queueID int32, timestamp int64) int64 {
	if cq := s.cqs.Get(topic, queueID); cq != nil {
		return cq.OffsetByTime(timestamp, s.cl.MinOffset(), s.storeTime)
	}
	return 0
}

// GetMessageStoreTimeStamp is the store time of the message at a logical offset (-1 if unavailable).
func (s *DefaultMessageStore) GetMessageStoreTimeStamp(topic string, queueID int32, consumeQueueOffset int64) int64 {
	cq := s.cqs.Get(topic, queueID)
	if cq == nil {
		return -1
	}
	u, ok := cq.UnitAt(consumeQueueOffset)
	if !ok {
		return -1
	}
	return s.storeTime(u.PhyOffset, u.Size)
}

// GetEarliestMessageTime is the store time of the queue's first readable message (-1 if none).
func (s *DefaultMessageStore) GetEarliestMessageTime(topic string, queueID int32) int64 {
	cq := s.cqs.Get(topic, queueID)
	if cq == nil {
		return -1
	}
	return s.GetMessageStoreTimeStamp(topic, queueID, cq.MinOffset())
}

// GetCommitLogOffsetInQueue is the physical offset of the unit at a logical offset (0 if unavailable).
func (s *DefaultMessageStore) GetCommitLogOffsetInQueue(topic string, queueID int32, consumeQueueOffset int64) int64 {
	cq := s.cqs.Get(topic, queueID)
	if cq == nil {
		return 0
	}
	u, ok := cq.UnitAt(consumeQueueOffset)
	if !ok {
		return 0
	}
	return u.PhyOffset
}
