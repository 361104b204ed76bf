package consumequeue

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Set holds every consume queue under consumequeue/.
type Set struct {
	root     string
	fileSize int
	log      *slog.Logger

	mu sync.RWMutex
	m  map[string]map[int32]*ConsumeQueue
}

// NewSet returns an empty set rooted at root (storePathRootDir/consumequeue).
func NewSet(root string, fileSize int, log *slog.Logger) *Set {
	if log == nil {
		log = slog.Default()
	}
	return &Set{root: root, fileSize: RoundFileSize(fileSize), log: log, m: make(map[string]map[int32]*ConsumeQueue)}
}

// Load maps consumequeue/<topic>/<queueId>/ for every topic. Non-numeric queue directories are skipped
// (as Java does); a bad file inside a queue directory fails the load.
func (s *Set) Load() error {
	topics, err := os.ReadDir(s.root)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("consumequeue: read %s: %w", s.root, err)
	}
	for _, t := range topics {
		if !t.IsDir() {
			continue
		}
		qs, err := os.ReadDir(filepath.Join(s.root, t.Name()))
		if err != nil {
			return fmt.Errorf("consumequeue: read %s: %w", filepath.Join(s.root, t.Name()), err)
		}
		for _, qd := range qs {
			id, err := strconv.ParseInt(qd.Name(), 10, 32)
			if err != nil || !qd.IsDir() {
				s.log.Warn("skipping non-queue entry", "component", "store", "path", filepath.Join(s.root, t.Name(), qd.Name()))
				continue
			}
			cq := New(s.root, t.Name(), int32(id), s.fileSize, s.log)
			if err := cq.Load(); err != nil {
				return err
			}
			s.put(cq)
		}
	}
	return nil
}

func (s *Set) put(cq *ConsumeQueue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	qs := s.m[cq.topic]
	if qs == nil {
		qs = make(map[int32]*ConsumeQueue)
		s.m[cq.topic] = qs
	}
	qs[cq.queueID] = cq
}

// Get returns the queue or nil.
func (s *Set) Get(topic string, queueID int32) *ConsumeQueue {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[topic][queueID]
}

// GetOrCreate returns the queue, creating an empty one (no files yet) if needed.
func (s *Set) GetOrCreate(topic string, queueID int32) *ConsumeQueue {
	if cq := s.Get(topic, queueID); cq != nil {
		return cq
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	qs := s.m[topic]
	if qs == nil {
		qs = make(map[int32]*ConsumeQueue)
		s.m[topic] = qs
	}
	if cq := qs[queueID]; cq != nil {
		return cq
	}
	cq := New(s.root, topic, queueID, s.fileSize, s.log)
	qs[queueID] = cq
	return cq
}

// All returns every queue.
func (s *Set) All() []*ConsumeQueue {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*ConsumeQueue
	for _, qs := range s.m {
		for _, cq := range qs {
			out = append(out, cq)
		}
	}
	return out
}

// Recover recovers every queue and returns the greatest max physic offset (-1 if none).
func (s *Set) Recover() (int64, error) {
	maxPhy := int64(-1)
	for _, cq := range s.All() {
		if err := cq.Recover(); err != nil {
			return maxPhy, err
		}
		if p := cq.MaxPhysicOffset(); p > maxPhy {
			maxPhy = p
		}
	}
	return maxPhy, nil
}

// TruncateByPhy cuts every queue at phy.
func (s *Set) TruncateByPhy(phy int64) error {
	for _, cq := range s.All() {
		if err := cq.TruncateByPhy(phy); err != nil {
			return err
		}
	}
	return nil
}

// CorrectMinOffsets recomputes every queue's min offset against the CommitLog min offset.
func (s *Set) CorrectMinOffsets(phyMin int64) {
	for _, cq := range s.All() {
		cq.CorrectMinOffset(phyMin)
	}
}

// Flush flushes every queue.
func (s *Set) Flush(leastPages int) error {
	var firstErr error
	for _, cq := range s.All() {
		if err := cq.Flush(leastPages); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// DestroyAll deletes every queue (the CommitLog is empty).
func (s *Set) DestroyAll() error {
	var firstErr error
	for _, cq := range s.All() {
		if err := cq.Destroy(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// Close unmaps everything.
func (s *Set) Close() {
	for _, cq := range s.All() {
		cq.Close()
	}
}

// Remove takes every queue of topic out of the set and returns them (the caller destroys their files).
func (s *Set) Remove(topic string) []*ConsumeQueue {
	s.mu.Lock()
	defer s.mu.Unlock()
	qs := s.m[topic]
	delete(s.m, topic)
	out := make([]*ConsumeQueue, 0, len(qs))
	for _, cq := range qs {
		out = append(out, cq)
	}
	return out
}

// RemoveQueue takes one queue out of the set; it reports whether it was there.
func (s *Set) RemoveQueue(topic string, queueID int32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	qs := s.m[topic]
	if qs[queueID] == nil {
		return false
	}
	delete(qs, queueID)
	if len(qs) == 0 {
		delete(s.m, topic)
	}
	return true
}
