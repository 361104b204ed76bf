package store

import (
	"path/filepath"

	"github.com/rocketd/rocketd/store/checkpoint"
)

// FlushDiskType values (Java enum names).
const (
	AsyncFlush = "ASYNC_FLUSH"
	SyncFlush  = "SYNC_FLUSH"
)

// BrokerRole values (Java enum names).
const (
	AsyncMaster = "ASYNC_MASTER"
	SyncMaster  = "SYNC_MASTER"
	Slave       = "SLAVE"
)

// MessageStoreConfig is the subset of Java's MessageStoreConfig this store reads. Field names are the Java
// property keys with the first letter upper-cased (storePathRootDir -> StorePathRootDir); units are Java's
// (milliseconds, bytes). conf.MessageStoreConfig will be mapped onto it.
type MessageStoreConfig struct {
	StorePathRootDir                  string
	StorePathCommitLog                string // default <root>/commitlog; multi-path (',') not supported yet
	MappedFileSizeCommitLog           int
	MappedFileSizeConsumeQueue        int
	FlushDiskType                     string // ASYNC_FLUSH | SYNC_FLUSH
	BrokerRole                        string // ASYNC_MASTER | SYNC_MASTER | SLAVE
	FlushIntervalCommitLog            int
	FlushCommitLogLeastPages          int
	FlushCommitLogThoroughInterval    int
	FlushCommitLogTimed               bool
	SyncFlushTimeout                  int64
	FlushIntervalConsumeQueue         int
	FlushConsumeQueueLeastPages       int
	FlushConsumeQueueThoroughInterval int
	MaxMessageSize                    int
	CheckCRCOnRecover                 bool
	MessageIndexEnable                bool
	MessageIndexSafe                  bool
	MaxHashSlotNum                    int
	MaxIndexNum                       int
	MaxMsgsNumBatch                   int
	MessageDelayLevel                 string
	MaxTransferBytesOnMessageInMemory int
	MaxTransferCountOnMessageInMemory int
	MaxTransferBytesOnMessageInDisk   int
	MaxTransferCountOnMessageInDisk   int
	AccessMessageInMemoryMaxRatio     int
	OffsetCheckInSlave                bool
	TimerWheelEnable                  bool // accept TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS messages (timer.go)
	TimerMaxDelaySec                  int  // largest accepted timer delay, seconds

	// HA (store.md §15; store/ha). HaMasterAddress is set through UpdateHaMasterAddress, not here.
	HaSendHeartbeatInterval int   // ms (5000)
	HaHousekeepingInterval  int   // ms (20000)
	HaTransferBatchSize     int   // bytes per frame (32 KiB)
	HaSlaveFallbehindMax    int64 // bytes (256 MiB): farther behind, SYNC_MASTER puts get SLAVE_NOT_AVAILABLE
	SlaveTimeout            int   // ms a SYNC_MASTER put waits for a slave (3000)

	// Retention (store.md §11; CleanCommitLogService / CleanConsumeQueueService).
	DeleteWhen                       string  // ";"-separated local hours ("04") when expired files are deleted
	FileReservedTime                 int     // hours a CommitLog file is kept after its mtime
	DiskMaxUsedSpaceRatio            int     // percent (clamped 10..95); above it expired files go at any hour
	CleanFileForciblyEnable          bool    // above DiskSpaceCleanForciblyRatio delete the oldest files regardless of age
	CleanResourceInterval            int     // ms between cleanup passes (first pass 60 s after Start)
	DeleteCommitLogFilesInterval     int     // ms pause between two CommitLog file deletions
	DeleteConsumeQueueFilesInterval  int     // ms pause between two ConsumeQueue deletions
	DestroyMapedFileIntervalForcibly int     // ms; accepted for compatibility (files are unlinked at once, unmapped on release)
	RedeleteHangedFileInterval       int     // ms; accepted for compatibility (see DestroyMapedFileIntervalForcibly)
	DiskSpaceWarningLevelRatio       float64 // Java sysprop rocketmq.broker.diskSpaceWarningLevelRatio: above it puts are refused
	DiskSpaceCleanForciblyRatio      float64 // Java sysprop rocketmq.broker.diskSpaceCleanForciblyRatio
}

// DefaultMessageStoreConfig returns the 4.9.8 defaults with the given root directory.
func DefaultMessageStoreConfig(root string) MessageStoreConfig {
	return MessageStoreConfig{
		StorePathRootDir:                  root,
		MappedFileSizeCommitLog:           1024 * 1024 * 1024,
		MappedFileSizeConsumeQueue:        300000 * 20,
		FlushDiskType:                     AsyncFlush,
		BrokerRole:                        AsyncMaster,
		FlushIntervalCommitLog:            500,
		FlushCommitLogLeastPages:          4,
		FlushCommitLogThoroughInterval:    10000,
		FlushCommitLogTimed:               true,
		SyncFlushTimeout:                  5000,
		HaSendHeartbeatInterval:           5000,
		HaHousekeepingInterval:            20000,
		HaTransferBatchSize:               32 * 1024,
		HaSlaveFallbehindMax:              256 << 20,
		SlaveTimeout:                      3000,
		FlushIntervalConsumeQueue:         1000,
		FlushConsumeQueueLeastPages:       2,
		FlushConsumeQueueThoroughInterval: 60000,
		MaxMessageSize:                    4 * 1024 * 1024,
		CheckCRCOnRecover:                 true,
		MessageIndexEnable:                true,
		MessageIndexSafe:                  false,
		MaxHashSlotNum:                    5000000,
		MaxIndexNum:                       5000000 * 4,
		MaxMsgsNumBatch:                   64,
		MessageDelayLevel:                 "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h",
		TimerWheelEnable:                  true,
		TimerMaxDelaySec:                  3600 * 24 * 3,
		MaxTransferBytesOnMessageInMemory: 256 * 1024,
		MaxTransferCountOnMessageInMemory: 32,
		MaxTransferBytesOnMessageInDisk:   64 * 1024,
		MaxTransferCountOnMessageInDisk:   8,
		AccessMessageInMemoryMaxRatio:     40,
		DeleteWhen:                        "04",
		FileReservedTime:                  72,
		DiskMaxUsedSpaceRatio:             75,
		CleanFileForciblyEnable:           true,
		CleanResourceInterval:             10000,
		DeleteCommitLogFilesInterval:      100,
		DeleteConsumeQueueFilesInterval:   100,
		DestroyMapedFileIntervalForcibly:  1000 * 120,
		RedeleteHangedFileInterval:        1000 * 120,
		DiskSpaceWarningLevelRatio:        0.90,
		DiskSpaceCleanForciblyRatio:       0.85,
	}
}

// diskMaxUsedRatio is Java's getDiskMaxUsedSpaceRatio: the setting clamped to 10..95, as a fraction.
func (c *MessageStoreConfig) diskMaxUsedRatio() float64 {
	r := c.DiskMaxUsedSpaceRatio
	if r < 10 {
		r = 10
	}
	if r > 95 {
		r = 95
	}
	return float64(r) / 100
}

func (c *MessageStoreConfig) commitLogDir() string {
	if c.StorePathCommitLog != "" {
		return c.StorePathCommitLog
	}
	return filepath.Join(c.StorePathRootDir, "commitlog")
}

func (c *MessageStoreConfig) consumeQueueDir() string {
	return filepath.Join(c.StorePathRootDir, "consumequeue")
}
func (c *MessageStoreConfig) indexDir() string { return filepath.Join(c.StorePathRootDir, "index") }
func (c *MessageStoreConfig) flushMarkPath() string {
	return filepath.Join(c.StorePathRootDir, checkpoint.MarkFileName)
}

func (c *MessageStoreConfig) checkpointPath() string {
	return filepath.Join(c.StorePathRootDir, "checkpoint")
}
func (c *MessageStoreConfig) abortPath() string { return filepath.Join(c.StorePathRootDir, "abort") }
func (c *MessageStoreConfig) lockPath() string  { return filepath.Join(c.StorePathRootDir, "lock") }
