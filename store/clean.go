package store

// Retention: Java's CleanCommitLogService, CleanConsumeQueueService and the disk check (store.md §11).
//
// Every cleanResourceInterval (first pass one minute after Start) the CommitLog deletes its oldest files
// when one of these holds:
//   - time: the local hour is listed in deleteWhen ("04" or "03;15");
//   - space: the CommitLog or ConsumeQueue partition is fuller than diskMaxUsedSpaceRatio (10..95 %);
//   - manual: ExecuteDeleteFilesManually asked for it (20 passes, like the admin command).
//
// A file goes when its mtime + fileReservedTime hours has passed, oldest first, never the last file, at most
// 10 per pass, stopping at the first file that is still young. Above diskSpaceCleanForciblyRatio (0.85) with
// cleanFileForciblyEnable the age is ignored. Above diskSpaceWarningLevelRatio (0.90) the store is marked
// disk-full and refuses puts with SERVICE_NOT_AVAILABLE until usage drops to the forcible ratio or below.
// Then every ConsumeQueue deletes the files whose last unit points below the new CommitLog min offset and
// recomputes its min offset, and index files whose last entry is below it are deleted.
//
// Deliberate difference: files at or beyond the dispatch (reput) position are never deleted, so a lagging
// dispatch cannot lose messages to retention (Java does not check; a lag of a whole file does not happen
// there in practice).

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

const (
	deleteFilesBatchMax    = 10 // MappedFileQueue.DELETE_FILES_BATCH_MAX
	manualDeletePasses     = 20 // executeDeleteFilesManually
	cleanFirstDelay        = time.Minute
	diskCheckInterval      = 10 * time.Second
	diskCheckInitialDelay  = time.Second
	defaultCleanInterval   = 10 * time.Second
	diskUsageUnknown       = -1.0
	diskFullRemarkTemplate = "store: the disk holding %s is %.1f%% full (above diskSpaceWarningLevelRatio %.2f); puts are refused until retention frees space: delete old files, lower fileReservedTime or add disk"
)

// DiskUsageFunc returns the used fraction (0..1) of the partition holding path; Options.DiskUsage lets
// tests fake it.
type DiskUsageFunc func(path string) (float64, error)

// DiskPartitionUsedRatio is Java's UtilAll.getDiskPartitionSpaceUsedPercent: (total - free) / total of the
// file system holding path, from statfs (free counts blocks available to unprivileged users, like Java's
// File.getFreeSpace counts all free blocks; the difference is the root reserve, a few percent at most).
func DiskPartitionUsedRatio(path string) (float64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return diskUsageUnknown, fmt.Errorf("store: statfs %s: %w", path, err)
	}
	total := float64(st.Blocks) * float64(st.Bsize)
	if total <= 0 {
		return diskUsageUnknown, fmt.Errorf("store: statfs %s: zero-sized file system", path)
	}
	free := float64(st.Bfree) * float64(st.Bsize)
	return (total - free) / total, nil
}

// isItTimeToDo is UtilAll.isItTimeToDo: true when the hour of now is one of the ";"-separated hours.
// Tokens that are not numbers are ignored (Java would throw and silently stop its cleanup task).
func isItTimeToDo(when string, now time.Time) bool {
	for _, w := range strings.Split(when, ";") {
		h, err := strconv.Atoi(strings.TrimSpace(w))
		if err == nil && h == now.Hour() {
			return true
		}
	}
	return false
}

// CleanStats reports what one cleanup pass did.
type CleanStats struct {
	CommitLogFiles    int
	ConsumeQueueFiles int
	IndexFiles        int
	TimeUp, SpaceFull bool
	Forced            bool // age ignored (disk above diskSpaceCleanForciblyRatio)
	Manual            bool
}

func (s *DefaultMessageStore) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

func (s *DefaultMessageStore) diskUsage(path string) float64 {
	f := s.opts.DiskUsage
	if f == nil {
		f = DiskPartitionUsedRatio
	}
	// A directory not created yet (no message stored) lives on its parent's file system.
	for p := path; ; {
		if _, err := os.Stat(p); err == nil || filepath.Dir(p) == p {
			path = p
			break
		}
		p = filepath.Dir(p)
	}
	r, err := f(path)
	if err != nil {
		s.log.Warn("disk usage unknown", "path", path, "err", err)
		return diskUsageUnknown
	}
	return r
}

// ExecuteDeleteFilesManually asks the next 20 cleanup passes to delete expired CommitLog files regardless
// of deleteWhen (Java's executeDeleteFilesManualy, the DELETE_EXPIRED_COMMITLOG admin path).
func (s *DefaultMessageStore) ExecuteDeleteFilesManually() {
	s.manualDeletes.Store(manualDeletePasses)
	s.log.Info("executeDeleteFilesManually was invoked")
}

// IsDiskFull reports whether puts are refused because the disk is above diskSpaceWarningLevelRatio.
func (s *DefaultMessageStore) IsDiskFull() bool { return s.diskFull.Load() }

// checkDisk measures the CommitLog and ConsumeQueue partitions, sets or clears the disk-full flag, and
// reports (spaceFull: above diskMaxUsedSpaceRatio or unknown, forced: above the forcible ratio).
func (s *DefaultMessageStore) checkDisk() (spaceFull, forced bool) {
	ratio := s.cfg.diskMaxUsedRatio()
	phys := s.diskUsage(s.cfg.commitLogDir())
	switch {
	case phys > s.cfg.DiskSpaceWarningLevelRatio:
		if !s.diskFull.Swap(true) {
			s.log.Error("commitlog disk maybe full soon, so mark disk full: puts are refused", "usedRatio", phys,
				"diskSpaceWarningLevelRatio", s.cfg.DiskSpaceWarningLevelRatio)
		}
		s.diskFullRatio.Store(uint64(phys * 1000))
		forced = true
	case phys > s.cfg.DiskSpaceCleanForciblyRatio:
		forced = true
	default:
		if s.diskFull.Swap(false) {
			s.log.Info("commitlog disk space is OK again: puts are accepted", "usedRatio", phys)
		}
	}
	if phys < 0 || phys > ratio {
		s.log.Debug("commitlog disk maybe full soon, so reclaim space", "usedRatio", phys, "diskMaxUsedSpaceRatio", ratio)
		spaceFull = true
	}
	logics := s.diskUsage(s.cfg.StorePathRootDir)
	if logics > s.cfg.DiskSpaceWarningLevelRatio || logics > s.cfg.DiskSpaceCleanForciblyRatio {
		forced = true
	}
	if logics < 0 || logics > ratio {
		s.log.Debug("consumequeue disk maybe full soon, so reclaim space", "usedRatio", logics, "diskMaxUsedSpaceRatio", ratio)
		spaceFull = true
	}
	return spaceFull, forced
}

// CleanOnce runs one cleanup pass (the periodic service calls it every cleanResourceInterval): CommitLog
// files first, then the ConsumeQueue and index files that only pointed into them.
func (s *DefaultMessageStore) CleanOnce() (CleanStats, error) {
	var st CleanStats
	if s.shutdown.Load() {
		return st, ErrShutdown
	}
	s.cleanMu.Lock()
	defer s.cleanMu.Unlock()
	now := s.now()
	st.TimeUp = isItTimeToDo(s.cfg.DeleteWhen, now)
	st.SpaceFull, st.Forced = s.checkDisk()
	if m := s.manualDeletes.Load(); m > 0 {
		s.manualDeletes.Add(-1)
		st.Manual = true
	}
	st.Forced = st.Forced && s.cfg.CleanFileForciblyEnable
	if st.TimeUp || st.SpaceFull || st.Manual {
		n, err := s.deleteExpiredCommitLog(now, st.Forced)
		st.CommitLogFiles = n
		if err != nil {
			return st, err
		}
		if n == 0 && st.SpaceFull {
			s.log.Warn("disk space will be full soon, but no commitlog file could be deleted")
		}
	}
	cq, idx, err := s.cleanConsumeQueues()
	st.ConsumeQueueFiles, st.IndexFiles = cq, idx
	return st, err
}

// deleteExpiredCommitLog is MappedFileQueue.deleteExpiredFileByTime on the CommitLog.
func (s *DefaultMessageStore) deleteExpiredCommitLog(now time.Time, force bool) (int, error) {
	keep := time.Duration(s.cfg.FileReservedTime) * time.Hour
	pause := ms(s.cfg.DeleteCommitLogFilesInterval)
	q := s.cl.Queue()
	deleted := 0
	for deleted < deleteFilesBatchMax {
		files := q.Files()
		if len(files) < 2 {
			break
		}
		f := files[0]
		if f.From()+int64(f.Size()) > s.reputFrom.Load() {
			break // not fully dispatched yet
		}
		if !force {
			mt, err := f.ModTime()
			if err != nil {
				return deleted, err
			}
			if mt.Add(keep).After(now) {
				break
			}
		}
		if err := q.DeleteFirst(1); err != nil {
			return deleted, err
		}
		deleted++
		s.log.Info("deleted expired commitlog file", "file", f.Path(), "forced", force)
		if pause > 0 && deleted < deleteFilesBatchMax {
			select {
			case <-s.stop:
				return deleted, nil
			case <-time.After(pause):
			}
		}
	}
	return deleted, nil
}

// cleanConsumeQueues is CleanConsumeQueueService: when the CommitLog min offset has moved, drop the
// ConsumeQueue and index files below it.
func (s *DefaultMessageStore) cleanConsumeQueues() (cqFiles, idxFiles int, err error) {
	min := s.cl.MinOffset()
	if min <= s.lastCleanedPhyMin {
		return 0, 0, nil
	}
	pause := ms(s.cfg.DeleteConsumeQueueFilesInterval)
	for _, cq := range s.cqs.All() {
		n, derr := cq.DeleteExpired(min)
		cqFiles += n
		if derr != nil && err == nil {
			err = derr
		}
		if n > 0 && pause > 0 {
			select {
			case <-s.stop:
				return cqFiles, idxFiles, err
			case <-time.After(pause):
			}
		}
	}
	before := len(s.idx.Files())
	if derr := s.idx.DeleteBefore(min); derr != nil && err == nil {
		err = derr
	}
	idxFiles = before - len(s.idx.Files())
	if err == nil {
		s.lastCleanedPhyMin = min
	}
	return cqFiles, idxFiles, err
}

// cleanLoop runs CleanOnce every cleanResourceInterval and the disk check every 10 s.
func (s *DefaultMessageStore) cleanLoop() {
	defer s.wg.Done()
	interval := ms(s.cfg.CleanResourceInterval)
	if interval <= 0 {
		interval = defaultCleanInterval
	}
	first := cleanFirstDelay
	if s.opts.CleanFirstDelay > 0 {
		first = s.opts.CleanFirstDelay
	}
	diskEvery := diskCheckInterval
	if s.opts.DiskCheckInterval > 0 {
		diskEvery = s.opts.DiskCheckInterval
	}
	cleanT := time.NewTimer(first)
	defer cleanT.Stop()
	diskT := time.NewTimer(diskCheckInitialDelay)
	defer diskT.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-diskT.C:
			s.checkDisk()
			diskT.Reset(diskEvery)
		case <-cleanT.C:
			if st, err := s.CleanOnce(); err != nil {
				s.log.Error("cleanup pass failed", "err", err)
			} else if st.CommitLogFiles+st.ConsumeQueueFiles+st.IndexFiles > 0 {
				s.log.Info("cleanup pass", "commitLogFiles", st.CommitLogFiles, "consumeQueueFiles", st.ConsumeQueueFiles,
					"indexFiles", st.IndexFiles, "timeUp", st.TimeUp, "spaceFull", st.SpaceFull, "forced", st.Forced, "manual", st.Manual)
			}
			cleanT.Reset(interval)
		}
	}
}
