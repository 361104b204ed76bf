package store

import (
	"github.com/rocketd/rocketd/store/commitlog"
)

// recover mirrors DefaultMessageStore.recover: ConsumeQueues first (last 3 files each), then the CommitLog
// (normal: last 3 files; abnormal: from the checkpoint, dispatching every valid record), then every CQ is
// cut at the CommitLog end.
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
		s.log.Warn("abort file found: the last shutdown was not clean, running abnormal recovery", "fromTimestamp", minTs)
		end, err = s.cl.RecoverAbnormally(func(ts int64) bool { return ts <= minTs }, func(rec *commitlog.Record) {
			s.dispatch(rec)
		})
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
		if err := s.cqs.TruncateByPhy(end); err != nil {
			return err
		}
	}
	return nil
}
