package store

import (
	"errors"
	"fmt"
	"github.com/rocketd/rocketd/internal/intern"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/store/checkpoint"
	"github.com/rocketd/rocketd/store/commitlog"
	"github.com/rocketd/rocketd/store/consumequeue"
	"github.com/rocketd/rocketd/store/ha"
	"github.com/rocketd/rocketd/store/index"
)

// Options are the non-config inputs of Open.
type Options struct {
	Logger *slog.Logger

	// Tests: a fake clock for deleteWhen/fileReservedTime, a fake disk gauge, and shorter retention timers.
	Now               func() time.Time
	DiskUsage         DiskUsageFunc
	CleanFirstDelay   time.Duration // default 60 s
	DiskCheckInterval time.Duration // default 10 s
	// RecoveryProgressEvery is the period of the "recovery progress" log lines (default 5 s).
	RecoveryProgressEvery time.Duration

	// HAReconnectInterval is the slave's wait between connections to the master (default 5 s, as Java).
	HAReconnectInterval time.Duration
}

// DefaultMessageStore is the CommitLog + ConsumeQueue + IndexFile store.
type DefaultMessageStore struct {
	topicNames intern.Pool // topics of dispatched records (dispatch.go)
	cfg        MessageStoreConfig
	opts       Options
	log        *slog.Logger
	delays     DelayLevels
	// timerSet overrides cfg's timerWheelEnable / timerMaxDelaySec after UPDATE_BROKER_CONFIG (timer.go).
	timerSet atomic.Pointer[timerSettings]

	lock       *storeLock
	cl         *commitlog.CommitLog
	cqs        *consumequeue.Set
	idx        *index.Service
	cp         *checkpoint.Checkpoint
	mark       *checkpoint.MarkFile // rocketd's flush mark (recovery.go)
	markAtOpen checkpoint.Mark
	markOK     bool
	lastExitOK bool

	arriving ArrivingListener
	// dispatchInfo is what dispatch hands the listener (reused: one dispatching goroutine at a time).
	dispatchInfo DispatchInfo

	// replication (replication.go)
	haSrv atomic.Pointer[ha.Service]
	haCli atomic.Pointer[ha.Client]

	reputFrom    atomic.Int64
	reputWake    chan struct{}
	dispatchedTs atomic.Int64 // store time of the newest record dispatched to a CQ

	started  atomic.Bool
	shutdown atomic.Bool
	stop     chan struct{}
	wg       sync.WaitGroup
	memBytes int64 // total physical memory, for the in-memory / on-disk pull limits
	// accessMessageInMemoryMaxRatio and offsetCheckInSlave, changeable while serving (SetPullTuning) as
	// Java's UPDATE_BROKER_CONFIG changes them.
	memRatio           atomic.Int64
	offsetCheckInSlave atomic.Bool

	// retention (clean.go)
	cleanMu           sync.Mutex
	lastCleanedPhyMin int64
	manualDeletes     atomic.Int32
	diskFull          atomic.Bool
	logicsError       atomic.Pointer[error] // a consume queue or index write failed for lack of disk (Java's WRITE_LOGICS_QUEUE_ERROR / WRITE_INDEX_FILE_ERROR)
	diskFullRatio     atomic.Uint64         // permille, for the refusal remark

	shutdownOnce sync.Once
	shutdownErr  error
}

var _ MessageStore = (*DefaultMessageStore)(nil)

// Open locks the store directory, loads every file and recovers (normal, or abnormal if the abort file is
// present). Call Start to serve.
func Open(cfg MessageStoreConfig, opts Options) (_ *DefaultMessageStore, err error) {
	if cfg.StorePathRootDir == "" {
		return nil, fmt.Errorf("%w: storePathRootDir is empty", ErrBadConfig)
	}
	if cfg.FlushDiskType != AsyncFlush && cfg.FlushDiskType != SyncFlush {
		return nil, fmt.Errorf("%w: flushDiskType %q must be ASYNC_FLUSH or SYNC_FLUSH", ErrBadConfig, cfg.FlushDiskType)
	}
	if strings.Contains(cfg.StorePathCommitLog, ",") {
		return nil, fmt.Errorf("%w: storePathCommitLog %q lists several directories; multi-path CommitLog is not supported yet, use one directory", ErrBadConfig, cfg.StorePathCommitLog)
	}
	delays, err := ParseDelayLevels(cfg.MessageDelayLevel)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &DefaultMessageStore{cfg: cfg, opts: opts, log: log.With("component", "store"), delays: delays,
		reputWake: make(chan struct{}, 1), stop: make(chan struct{})}
	s.memRatio.Store(int64(cfg.AccessMessageInMemoryMaxRatio))
	s.offsetCheckInSlave.Store(cfg.OffsetCheckInSlave)
	s.memBytes = totalMemory()
	if err := os.MkdirAll(cfg.StorePathRootDir, 0o755); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", cfg.StorePathRootDir, err)
	}
	if s.lock, err = acquireLock(cfg.lockPath()); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.closeFiles()
		}
	}()
	_, statErr := os.Stat(cfg.abortPath())
	s.lastExitOK = errors.Is(statErr, os.ErrNotExist)

	s.cl, err = commitlog.Open(commitlog.Config{
		Dir:                   cfg.commitLogDir(),
		MappedFileSize:        cfg.MappedFileSizeCommitLog,
		FlushDiskType:         flushType(cfg.FlushDiskType),
		FlushInterval:         ms(cfg.FlushIntervalCommitLog),
		FlushLeastPages:       cfg.FlushCommitLogLeastPages,
		FlushThoroughInterval: ms(cfg.FlushCommitLogThoroughInterval),
		FlushTimed:            cfg.FlushCommitLogTimed,
		SyncFlushTimeout:      time.Duration(cfg.SyncFlushTimeout) * time.Millisecond,
		CheckCRCOnRecover:     cfg.CheckCRCOnRecover,
		Logger:                log,
		ProgressEvery:         opts.RecoveryProgressEvery,
		OnFlushed:             func(ts int64) { s.cp.SetPhysicMsgTimestamp(ts) },
		OnAppend:              s.notifyAppend,
	})
	if err != nil {
		return nil, err
	}
	s.cqs = consumequeue.NewSet(cfg.consumeQueueDir(), cfg.MappedFileSizeConsumeQueue, log)
	if err = s.cqs.Load(); err != nil {
		return nil, err
	}
	if s.cp, err = checkpoint.Open(cfg.checkpointPath()); err != nil {
		return nil, err
	}
	if s.mark, s.markAtOpen, s.markOK, err = checkpoint.OpenMark(cfg.flushMarkPath()); err != nil {
		return nil, err
	}
	s.idx = index.NewService(index.Config{
		Dir: cfg.indexDir(), MaxHashSlotNum: cfg.MaxHashSlotNum, MaxIndexNum: cfg.MaxIndexNum,
		MaxMsgsNumBatch: cfg.MaxMsgsNumBatch, Logger: log,
		OnFileFull: func(ts int64) {
			s.cp.SetIndexMsgTimestamp(ts)
			if err := s.cp.Flush(); err != nil {
				s.log.Error("checkpoint flush failed", "err", err)
			}
		},
	})
	if err = s.idx.Load(s.lastExitOK, s.cp.IndexMsgTimestamp()); err != nil {
		return nil, err
	}
	if err = s.recover(); err != nil {
		return nil, err
	}
	s.log.Info("store loaded", "root", cfg.StorePathRootDir, "lastExitOK", s.lastExitOK,
		"minPhyOffset", s.cl.MinOffset(), "maxPhyOffset", s.cl.MaxOffset())
	return s, nil
}

func ms(v int) time.Duration { return time.Duration(v) * time.Millisecond }

func flushType(s string) commitlog.FlushDiskType {
	if s == SyncFlush {
		return commitlog.SyncFlush
	}
	return commitlog.AsyncFlush
}

// SetArrivingListener installs the dispatch hook; call before Start.
func (s *DefaultMessageStore) SetArrivingListener(l ArrivingListener) { s.arriving = l }

// Start dispatches whatever the ConsumeQueues lack, rebuilds the queue offset table, starts the flush and
// dispatch services and creates the abort file.
func (s *DefaultMessageStore) Start() error {
	if s.shutdown.Load() {
		return ErrShutdown
	}
	if !s.started.CompareAndSwap(false, true) {
		return nil
	}
	from := s.cl.MinOffset()
	for _, cq := range s.cqs.All() {
		if p := cq.MaxPhysicOffset(); p > from {
			from = p
		}
	}
	s.reputFrom.Store(from)
	s.doReput() // catch up synchronously, like Java's start() waiting for dispatchBehindBytes == 0
	s.rebuildQueueTable()

	s.cl.StartFlusher()
	s.cl.SetWritable(s.cfg.BrokerRole != Slave)
	s.wg.Add(3)
	go s.reputLoop()
	go s.flushConsumeQueueLoop()
	go s.cleanLoop()

	f, err := os.OpenFile(s.cfg.abortPath(), os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("store: create abort file: %w", err)
	}
	f.Close()
	s.log.Info("store started", "reputFrom", from, "maxPhyOffset", s.cl.MaxOffset(), "flushDiskType", s.cfg.FlushDiskType)
	return nil
}

func (s *DefaultMessageStore) rebuildQueueTable() {
	m := make(map[commitlog.QueueKey]int64)
	min := s.cl.MinOffset()
	for _, cq := range s.cqs.All() {
		m[commitlog.QueueKey{Topic: cq.Topic(), QueueID: cq.QueueID()}] = cq.MaxOffset()
		cq.CorrectMinOffset(min)
	}
	s.cl.SetQueueOffsets(m)
}

// Shutdown stops writes, lets dispatch catch up, flushes CommitLog, ConsumeQueues and index, writes the
// checkpoint, removes the abort file (only if everything was dispatched) and releases the lock.
func (s *DefaultMessageStore) Shutdown() error {
	s.shutdownOnce.Do(func() { s.shutdownErr = s.doShutdown() })
	return s.shutdownErr
}

func (s *DefaultMessageStore) doShutdown() error {
	s.shutdown.Store(true)
	s.stopHA()
	if !s.started.Load() {
		s.closeFiles()
		return nil
	}
	s.cl.SetWritable(false)
	close(s.stop)
	s.wg.Wait()
	s.doReput()
	var errs []error
	if err := s.cl.StopFlusher(); err != nil {
		errs = append(errs, err)
	}
	ts := s.dispatchedTs.Load()
	if err := s.cqs.Flush(0); err != nil {
		errs = append(errs, err)
	} else if ts > 0 {
		s.cp.SetLogicsMsgTimestamp(ts)
	}
	if err := s.idx.Flush(); err != nil {
		errs = append(errs, err)
	}
	if err := s.cp.Flush(); err != nil {
		errs = append(errs, err)
	}
	s.writeFlushMark()
	behind := s.cl.MaxOffset() - s.reputFrom.Load()
	if len(errs) == 0 && behind <= 0 {
		if err := os.Remove(s.cfg.abortPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("store: remove abort file: %w", err))
		}
	} else {
		s.log.Warn("keeping the abort file: next start runs abnormal recovery", "dispatchBehindBytes", behind, "errors", len(errs))
	}
	s.closeFiles()
	s.log.Info("store shut down")
	return errors.Join(errs...)
}

func (s *DefaultMessageStore) closeFiles() {
	if s.cl != nil {
		s.cl.Close()
	}
	if s.cqs != nil {
		s.cqs.Close()
	}
	if s.idx != nil {
		s.idx.Close()
	}
	if s.cp != nil {
		_ = s.cp.Close()
	}
	if s.mark != nil {
		_ = s.mark.Close()
	}
	s.lock.release()
}

// GetMinPhyOffset is the CommitLog min offset, -1 when the log has no file (as in Java).
func (s *DefaultMessageStore) GetMinPhyOffset() int64 { return s.cl.Queue().MinOffset() }

// GetMaxPhyOffset is the CommitLog max offset.
func (s *DefaultMessageStore) GetMaxPhyOffset() int64 { return s.cl.MaxOffset() }

// DispatchBehindBytes is how far dispatch lags behind the CommitLog.
func (s *DefaultMessageStore) DispatchBehindBytes() int64 {
	return s.cl.MaxOffset() - s.reputFrom.Load()
}

// FlushBehindBytes is how far the CommitLog's flushed position lags behind its end (Java's
// remainHowManyDataToFlush).
func (s *DefaultMessageStore) FlushBehindBytes() int64 {
	return max(s.cl.MaxOffset()-s.cl.FlushedWhere(), 0)
}

// LastExitOK reports whether the previous run shut down cleanly (no abort file at Open).
func (s *DefaultMessageStore) LastExitOK() bool { return s.lastExitOK }
