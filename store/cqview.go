package store

import "github.com/rocketd/rocketd/store/consumequeue"

// ConsumeQueueView is one read of a consume queue for QUERY_CONSUME_QUEUE (mqadmin queryCq).
type ConsumeQueueView struct {
	MinIndex int64 // first readable unit index (Java getMinOffsetInQueue)
	MaxIndex int64 // next unit index to be written (Java getMaxOffsetInQueue)
	// Units read from index on, at most count of them and never past the end of the file holding index (Java
	// ConsumeQueue.getIndexBuffer reads one mapped file). Nil when index is below MinIndex or not written.
	Units []consumequeue.Unit
}

// ViewConsumeQueue reads up to count units of topic/queueID from index on. ok is false when the store has no
// consume queue for topic/queueID. count <= 0 reads nothing (an empty, non-nil Units when index is written).
func (s *DefaultMessageStore) ViewConsumeQueue(topic string, queueID int32, index int64, count int) (v ConsumeQueueView, ok bool) {
	cq := s.cqs.Get(topic, queueID)
	if cq == nil {
		return v, false
	}
	v.MinIndex, v.MaxIndex = cq.MinOffset(), cq.MaxOffset()
	b, f, found := cq.Units(index)
	if !found {
		return v, true
	}
	defer f.Release()
	n := len(b) / consumequeue.UnitSize
	if count < n {
		n = max(count, 0)
	}
	v.Units = make([]consumequeue.Unit, 0, n)
	for i := 0; i < n; i++ {
		u, _ := consumequeue.DecodeUnit(b[i*consumequeue.UnitSize:])
		v.Units = append(v.Units, u)
	}
	return v, true
}
