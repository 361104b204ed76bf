package store

import (
	"github.com/rocketd/rocketd/store/checkpoint"
	"github.com/rocketd/rocketd/store/commitlog"
)

// recover mirrors DefaultMessageStore.recover: ConsumeQueues first (last 3 files each), then the CommitLog
// (normal: last 3 files; abnormal: from the checkpoint, dispatching every valid record), then every CQ is
// cut at the CommitLog end.
//
// Abnormal recovery starts where Java's would (the checkpoint timestamps) and dispatches the same records,
// but re-computes body CRCs only above rocketd's flush mark (store/checkpoint MarkFileName) when the mark
// matches the CommitLog: below it the bytes were flushed before the mark was written, which is what the
// checkpoint itself vouches for below its start file.
func (s *DefaultMessageStore) recover() error {
	maxPhyOfCQ, err := s.cqs.Recover()
	if err != nil {
		return err
	}
	var end int64
	if s.lastExitOK {
		end, err = s.cl.RecoverNormally()
	} else {
		minTs := s.cp.MinTimestamp()
		if s.cfg.MessageIndexEnable && s.cfg.MessageIndexSafe {
			minTs = s.cp.MinTimestampIndex()
		}
		flushed := s.trustedMark()
		s.log.Warn("abort file found: the last shutdown was not clean, running abnormal recovery", "fromTimestamp", minTs,
			"flushMark", flushed)
		end, err = s.cl.RecoverAbnormally(func(ts int64) bool { return ts <= minTs }, func(rec *commitlog.Record) {
			s.dispatch(rec)
		}, flushed)
		if err == nil && end < flushed {
			// Cannot happen (the walk checks that it passes the mark), but a mark above the end must never
			// survive into the next recovery.
			err = s.mark.Clear()
		}
	}
	if err != nil {
		return err
	}
	if s.cl.Queue().Len() == 0 {
		if err := s.cqs.DestroyAll(); err != nil {
			return err
		}
		return nil
	}
	if maxPhyOfCQ >= end || !s.lastExitOK {
		s.log.Info("truncating consume queues at the commitlog end", "offset", end)
		// Only queues holding a unit that ends past the end can hold one at or past it: the others are
		// left alone, which saves scanning a 6 MB file per queue.
		for _, cq := range s.cqs.All() {
			if cq.MaxPhysicOffset() <= end {
				continue
			}
			if err := cq.TruncateByPhy(end); err != nil {
				return err
			}
		}
	}
	return nil
}

// trustedMark returns the end of the flush mark read at Open if it matches the CommitLog, else 0.
func (s *DefaultMessageStore) trustedMark() int64 {
	if !s.markOK {
		return 0
	}
	m := s.markAtOpen
	if !s.cfg.CheckCRCOnRecover {
		return 0 // nothing to skip
	}
	if err := s.cl.CheckMark(commitlog.FlushMark(m)); err != nil {
		s.log.Warn("ignoring the flush mark: every record walked is checked", "file", checkpoint.MarkFileName, "err", err)
		return 0
	}
	return m.End
}

// writeFlushMark persists the CommitLog's newest durable point (the flush mark) if it moved.
func (s *DefaultMessageStore) writeFlushMark() {
	m, ok := s.cl.DurableMark()
	if !ok {
		return
	}
	if err := s.mark.Write(checkpoint.Mark(m)); err != nil {
		s.log.Error("flush mark write failed", "err", err)
	}
}
