package conf

import (
	"math"
	"path/filepath"
)

// ConsumeQueueUnitSize is the size of one consume queue entry in bytes
// (commit log offset 8 + size 4 + tags code 8).
const ConsumeQueueUnitSize = 20

// MessageStoreConfig is the store's settings (Java store.config.MessageStoreConfig),
// field order as in Java.
//
// Empty strings in fields marked nullable stand for Java null. The Java
// getters that derive a value are methods here: CommitLogPath,
// ConsumeQueueFileSize, DiskMaxUsedRatio, TransientStorePoolInUse.
type MessageStoreConfig struct {
	// Store root: consumequeue/, index/, config/, checkpoint, abort, lock live
	// here. Default $HOME/store.
	StorePathRootDir string `prop:"storePathRootDir" important:"true"`
	// Commit log directory; empty means <storePathRootDir>/commitlog, derived
	// each time CommitLogPath is called (so a later storePathRootDir in the
	// file still counts). Java accepts several directories separated by ','.
	StorePathCommitLog          string `prop:"storePathCommitLog" important:"true" nullable:"true"`
	StorePathDLedgerCommitLog   string `prop:"storePathDLedgerCommitLog" important:"true" nullable:"true"`
	ReadOnlyCommitLogStorePaths string `prop:"readOnlyCommitLogStorePaths" nullable:"true"`

	// Commit log file size, 1 GiB. Files are created at full size with every block reserved (fallocate).
	MappedFileSizeCommitLog int `prop:"mappedFileSizeCommitLog"`
	// Consume queue file size, 300 000 entries; the effective size is rounded
	// up to a whole entry (ConsumeQueueFileSize).
	MappedFileSizeConsumeQueue    int  `prop:"mappedFileSizeConsumeQueue"`
	EnableConsumeQueueExt         bool `prop:"enableConsumeQueueExt"`
	MappedFileSizeConsumeQueueExt int  `prop:"mappedFileSizeConsumeQueueExt"`
	BitMapLengthConsumeQueueExt   int  `prop:"bitMapLengthConsumeQueueExt"`

	FlushIntervalCommitLog           int    `prop:"flushIntervalCommitLog" important:"true"`  // ms, async flush
	CommitIntervalCommitLog          int    `prop:"commitIntervalCommitLog" important:"true"` // ms, transient pool only
	UseReentrantLockWhenPutMessage   bool   `prop:"useReentrantLockWhenPutMessage"`
	FlushCommitLogTimed              bool   `prop:"flushCommitLogTimed" important:"true"`
	FlushIntervalConsumeQueue        int    `prop:"flushIntervalConsumeQueue"`
	CleanResourceInterval            int    `prop:"cleanResourceInterval"`
	DeleteCommitLogFilesInterval     int    `prop:"deleteCommitLogFilesInterval"`
	DeleteConsumeQueueFilesInterval  int    `prop:"deleteConsumeQueueFilesInterval"`
	DestroyMapedFileIntervalForcibly int    `prop:"destroyMapedFileIntervalForcibly"`
	RedeleteHangedFileInterval       int    `prop:"redeleteHangedFileInterval"`
	DeleteWhen                       string `prop:"deleteWhen" important:"true"` // hours "HH;HH"
	// Percent; the effective value is clamped to 10..95 (DiskMaxUsedRatio).
	DiskMaxUsedSpaceRatio int `prop:"diskMaxUsedSpaceRatio"`
	FileReservedTime      int `prop:"fileReservedTime" important:"true"` // hours
	PutMsgIndexHightWater int `prop:"putMsgIndexHightWater"`
	// Largest accepted message body, 4 MiB.
	MaxMessageSize    int  `prop:"maxMessageSize"`
	CheckCRCOnRecover bool `prop:"checkCRCOnRecover"`

	FlushCommitLogLeastPages          int `prop:"flushCommitLogLeastPages"`
	CommitCommitLogLeastPages         int `prop:"commitCommitLogLeastPages"`
	FlushLeastPagesWhenWarmMapedFile  int `prop:"flushLeastPagesWhenWarmMapedFile"`
	FlushConsumeQueueLeastPages       int `prop:"flushConsumeQueueLeastPages"`
	FlushCommitLogThoroughInterval    int `prop:"flushCommitLogThoroughInterval"`
	CommitCommitLogThoroughInterval   int `prop:"commitCommitLogThoroughInterval"`
	FlushConsumeQueueThoroughInterval int `prop:"flushConsumeQueueThoroughInterval"`

	// Pull batch limits for data in page cache and on disk.
	MaxTransferBytesOnMessageInMemory int `prop:"maxTransferBytesOnMessageInMemory" important:"true"`
	MaxTransferCountOnMessageInMemory int `prop:"maxTransferCountOnMessageInMemory" important:"true"`
	MaxTransferBytesOnMessageInDisk   int `prop:"maxTransferBytesOnMessageInDisk" important:"true"`
	MaxTransferCountOnMessageInDisk   int `prop:"maxTransferCountOnMessageInDisk" important:"true"`
	// Percent of RAM beyond which a read counts as "from disk".
	AccessMessageInMemoryMaxRatio int `prop:"accessMessageInMemoryMaxRatio" important:"true"`

	MessageIndexEnable bool `prop:"messageIndexEnable" important:"true"`
	MaxHashSlotNum     int  `prop:"maxHashSlotNum"`
	MaxIndexNum        int  `prop:"maxIndexNum"`
	MaxMsgsNumBatch    int  `prop:"maxMsgsNumBatch"`
	MessageIndexSafe   bool `prop:"messageIndexSafe" important:"true"`

	// HA listener; always replaced by listenPort+1 at broker start.
	HaListenPort            int    `prop:"haListenPort"`
	HaSendHeartbeatInterval int    `prop:"haSendHeartbeatInterval"`
	HaHousekeepingInterval  int    `prop:"haHousekeepingInterval"`
	HaTransferBatchSize     int    `prop:"haTransferBatchSize"`
	HaMasterAddress         string `prop:"haMasterAddress" important:"true" nullable:"true"`
	HaSlaveFallbehindMax    int    `prop:"haSlaveFallbehindMax"`

	BrokerRole                  BrokerRole    `prop:"brokerRole" important:"true"`
	FlushDiskType               FlushDiskType `prop:"flushDiskType" important:"true"`
	SyncFlushTimeout            int           `prop:"syncFlushTimeout"` // ms
	SlaveTimeout                int           `prop:"slaveTimeout"`
	MessageDelayLevel           string        `prop:"messageDelayLevel"`
	FlushDelayOffsetInterval    int64         `prop:"flushDelayOffsetInterval"`
	CleanFileForciblyEnable     bool          `prop:"cleanFileForciblyEnable" important:"true"`
	WarmMapedFileEnable         bool          `prop:"warmMapedFileEnable"`
	OffsetCheckInSlave          bool          `prop:"offsetCheckInSlave"`
	DebugLockEnable             bool          `prop:"debugLockEnable"`
	DuplicationEnable           bool          `prop:"duplicationEnable"`
	DiskFallRecorded            bool          `prop:"diskFallRecorded"`
	OsPageCacheBusyTimeOutMills int64         `prop:"osPageCacheBusyTimeOutMills"`
	DefaultQueryMaxNum          int           `prop:"defaultQueryMaxNum"`

	// Off-heap write buffers; only in effect with ASYNC_FLUSH on a master
	// (TransientStorePoolInUse).
	TransientStorePoolEnable      bool `prop:"transientStorePoolEnable" important:"true"`
	TransientStorePoolSize        int  `prop:"transientStorePoolSize"`
	FastFailIfNoBufferInStorePool bool `prop:"fastFailIfNoBufferInStorePool"`

	EnableDLegerCommitLog bool   `prop:"enableDLegerCommitLog"`
	DLegerGroup           string `prop:"dLegerGroup" nullable:"true"`
	DLegerPeers           string `prop:"dLegerPeers" nullable:"true"`
	DLegerSelfID          string `prop:"dLegerSelfId" nullable:"true"`
	PreferredLeaderID     string `prop:"preferredLeaderId" nullable:"true"`
	// Java's field is named isEnableBatchPush but its setter makes the key
	// enableBatchPush; -p prints the field name.
	EnableBatchPush bool `prop:"enableBatchPush" print:"isEnableBatchPush"`

	EnableScheduleMessageStats bool `prop:"enableScheduleMessageStats"`
	EnableLmq                  bool `prop:"enableLmq"`
	EnableMultiDispatch        bool `prop:"enableMultiDispatch"`
	MaxLmqConsumeQueueNum      int  `prop:"maxLmqConsumeQueueNum"`

	EnableScheduleAsyncDeliver               bool `prop:"enableScheduleAsyncDeliver"`
	ScheduleAsyncDeliverMaxPendingLimit      int  `prop:"scheduleAsyncDeliverMaxPendingLimit"`
	ScheduleAsyncDeliverMaxResendNum2Blocked int  `prop:"scheduleAsyncDeliverMaxResendNum2Blocked"`

	// Timer messages (RocketMQ 5.x keys; broker/timer): TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS
	// set as user properties by any 4.x client.
	TimerWheelEnable       bool `prop:"timerWheelEnable" since:"5.x"`       // false: such sends are refused (MESSAGE_ILLEGAL)
	TimerMaxDelaySec       int  `prop:"timerMaxDelaySec" since:"5.x"`       // later due times are refused (MESSAGE_ILLEGAL)
	TimerPrecisionMs       int  `prop:"timerPrecisionMs" since:"5.x"`       // wheel slot width; delivery is to the ms regardless
	TimerRollWindowSlot    int  `prop:"timerRollWindowSlot" since:"5.x"`    // slots; later messages are re-put ("rolled") on the way
	TimerFlushIntervalMs   int  `prop:"timerFlushIntervalMs" since:"5.x"`   // timerlog + wheel flush and checkpoint period
	MappedFileSizeTimerLog int  `prop:"mappedFileSizeTimerLog" since:"5.x"` // bytes per timerlog file
}

// DefaultMessageStoreConfig returns the Java defaults; storePathRootDir is
// $HOME/store.
func DefaultMessageStoreConfig() MessageStoreConfig {
	return MessageStoreConfig{
		StorePathRootDir: homePath("store"),

		MappedFileSizeCommitLog:       1024 * 1024 * 1024,
		MappedFileSizeConsumeQueue:    300000 * ConsumeQueueUnitSize,
		EnableConsumeQueueExt:         false,
		MappedFileSizeConsumeQueueExt: 48 * 1024 * 1024,
		BitMapLengthConsumeQueueExt:   64,

		FlushIntervalCommitLog:           500,
		CommitIntervalCommitLog:          200,
		UseReentrantLockWhenPutMessage:   true,
		FlushCommitLogTimed:              true,
		FlushIntervalConsumeQueue:        1000,
		CleanResourceInterval:            10000,
		DeleteCommitLogFilesInterval:     100,
		DeleteConsumeQueueFilesInterval:  100,
		DestroyMapedFileIntervalForcibly: 120 * 1000,
		RedeleteHangedFileInterval:       120 * 1000,
		DeleteWhen:                       "04",
		DiskMaxUsedSpaceRatio:            75,
		FileReservedTime:                 72,
		PutMsgIndexHightWater:            600000,
		MaxMessageSize:                   4 * 1024 * 1024,
		CheckCRCOnRecover:                true,

		FlushCommitLogLeastPages:          4,
		CommitCommitLogLeastPages:         4,
		FlushLeastPagesWhenWarmMapedFile:  1024 / 4 * 16,
		FlushConsumeQueueLeastPages:       2,
		FlushCommitLogThoroughInterval:    10 * 1000,
		CommitCommitLogThoroughInterval:   200,
		FlushConsumeQueueThoroughInterval: 60 * 1000,

		MaxTransferBytesOnMessageInMemory: 256 * 1024,
		MaxTransferCountOnMessageInMemory: 32,
		MaxTransferBytesOnMessageInDisk:   64 * 1024,
		MaxTransferCountOnMessageInDisk:   8,
		AccessMessageInMemoryMaxRatio:     40,

		MessageIndexEnable: true,
		MaxHashSlotNum:     5000000,
		MaxIndexNum:        5000000 * 4,
		MaxMsgsNumBatch:    64,
		MessageIndexSafe:   false,

		HaListenPort:            10912,
		HaSendHeartbeatInterval: 5 * 1000,
		HaHousekeepingInterval:  20 * 1000,
		HaTransferBatchSize:     32 * 1024,
		HaSlaveFallbehindMax:    256 * 1024 * 1024,

		BrokerRole:                  AsyncMaster,
		FlushDiskType:               AsyncFlush,
		SyncFlushTimeout:            5 * 1000,
		SlaveTimeout:                3000,
		MessageDelayLevel:           "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h",
		TimerWheelEnable:            true,
		TimerMaxDelaySec:            3600 * 24 * 3,
		TimerPrecisionMs:            1000,
		TimerRollWindowSlot:         3600 * 24 * 2,
		TimerFlushIntervalMs:        1000,
		MappedFileSizeTimerLog:      100 * 1024 * 1024,
		FlushDelayOffsetInterval:    10 * 1000,
		CleanFileForciblyEnable:     true,
		WarmMapedFileEnable:         false,
		OffsetCheckInSlave:          false,
		DebugLockEnable:             false,
		DuplicationEnable:           false,
		DiskFallRecorded:            true,
		OsPageCacheBusyTimeOutMills: 1000,
		DefaultQueryMaxNum:          32,

		TransientStorePoolEnable:      false,
		TransientStorePoolSize:        5,
		FastFailIfNoBufferInStorePool: false,

		EnableDLegerCommitLog: false,
		EnableBatchPush:       false,

		EnableScheduleMessageStats: true,
		EnableLmq:                  false,
		EnableMultiDispatch:        false,
		MaxLmqConsumeQueueNum:      20000,

		EnableScheduleAsyncDeliver:               false,
		ScheduleAsyncDeliverMaxPendingLimit:      2000,
		ScheduleAsyncDeliverMaxResendNum2Blocked: 3,
	}
}

// CommitLogPath is the effective commit log directory (or ','-separated
// directories): storePathCommitLog when set, else <storePathRootDir>/commitlog.
func (c *MessageStoreConfig) CommitLogPath() string {
	if c.StorePathCommitLog != "" {
		return c.StorePathCommitLog
	}
	return c.StorePathRootDir + string(filepath.Separator) + "commitlog"
}

// ConsumeQueueFileSize is mappedFileSizeConsumeQueue rounded up to a whole
// number of 20-byte entries, as Java's getter does.
func (c *MessageStoreConfig) ConsumeQueueFileSize() int {
	units := math.Ceil(float64(c.MappedFileSizeConsumeQueue) / ConsumeQueueUnitSize)
	return int(units) * ConsumeQueueUnitSize
}

// DiskMaxUsedRatio is diskMaxUsedSpaceRatio clamped to 10..95.
func (c *MessageStoreConfig) DiskMaxUsedRatio() int {
	return min(max(c.DiskMaxUsedSpaceRatio, 10), 95)
}

// TransientStorePoolInUse reports whether the transient store pool is active:
// enabled, ASYNC_FLUSH, and not a slave.
func (c *MessageStoreConfig) TransientStorePoolInUse() bool {
	return c.TransientStorePoolEnable && c.FlushDiskType == AsyncFlush && c.BrokerRole != Slave
}
