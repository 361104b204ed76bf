package store

import (
	"os"
	"path/filepath"

	"github.com/rocketd/rocketd/store/commitlog"
	"github.com/rocketd/rocketd/store/consumequeue"
)

// Topic-level clean-up of consume queues (Java DefaultMessageStore.cleanUnusedTopic / deleteTopics /
// cleanExpiredConsumerQueue): the admin codes DELETE_TOPIC_IN_BROKER, CLEAN_UNUSED_TOPIC and
// CLEAN_EXPIRED_CONSUMEQUEUE. The CommitLog keeps its records; only the queues and their files go, and the
// CommitLog forgets the queues' next offsets so a topic created again starts at 0, as in Java.

// transOpHalfTopic is kept by CleanUnusedTopic like the schedule topic: it has no topic config in Java.
const transOpHalfTopic = "RMQ_SYS_TRANS_OP_HALF_TOPIC"

func (s *DefaultMessageStore) destroyQueues(qs []*consumequeue.ConsumeQueue) {
	for _, cq := range qs {
		s.cl.RemoveQueue(commitlog.QueueKey{Topic: cq.Topic(), QueueID: cq.QueueID()})
		if err := cq.Destroy(); err != nil {
			s.log.Warn("destroying consume queue failed", "topic", cq.Topic(), "queueId", cq.QueueID(), "err", err)
		}
	}
}

// DeleteTopic destroys every consume queue of topic, and its directory once empty.
func (s *DefaultMessageStore) DeleteTopic(topic string) {
	qs := s.cqs.Remove(topic)
	s.destroyQueues(qs)
	_ = os.Remove(filepath.Join(s.cfg.consumeQueueDir(), topic)) // fails harmlessly if something is left in it
	if len(qs) > 0 {
		s.log.Info("deleted topic's consume queues", "topic", topic, "queues", len(qs))
	}
}

// CleanUnusedTopic destroys the consume queues of every topic keep rejects (the schedule and transaction-op
// topics are always kept) and returns how many topics went.
func (s *DefaultMessageStore) CleanUnusedTopic(keep func(topic string) bool) int {
	seen := map[string]bool{}
	for _, cq := range s.cqs.All() {
		seen[cq.Topic()] = true
	}
	n := 0
	for topic := range seen {
		if topic == ScheduleTopic || topic == transOpHalfTopic || keep(topic) {
			continue
		}
		s.DeleteTopic(topic)
		n++
	}
	return n
}

// CleanExpiredConsumerQueue destroys queues whose every unit points below the CommitLog's minimum offset
// (their messages were all deleted) and returns how many went. Queues with no unit yet are kept.
func (s *DefaultMessageStore) CleanExpiredConsumerQueue() int {
	minPhy := s.cl.MinOffset()
	n := 0
	for _, cq := range s.cqs.All() {
		last := cq.MaxPhysicOffset()
		if last <= 0 || cq.MaxOffset() == 0 || last >= minPhy {
			continue
		}
		if s.cqs.RemoveQueue(cq.Topic(), cq.QueueID()) {
			s.destroyQueues([]*consumequeue.ConsumeQueue{cq})
			s.log.Info("cleaned expired consume queue", "topic", cq.Topic(), "queueId", cq.QueueID(), "maxPhyOffset", last, "commitLogMin", minPhy)
			n++
		}
	}
	return n
}
