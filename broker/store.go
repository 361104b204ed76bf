package broker

import (
	"fmt"
	"log/slog"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/store"
)

// storeConfig maps the broker's MessageStoreConfig onto the store's.
func storeConfig(c *conf.MessageStoreConfig) store.MessageStoreConfig {
	sc := store.DefaultMessageStoreConfig(c.StorePathRootDir)
	sc.StorePathCommitLog = c.CommitLogPath()
	sc.MappedFileSizeCommitLog = c.MappedFileSizeCommitLog
	sc.MappedFileSizeConsumeQueue = c.MappedFileSizeConsumeQueue
	sc.FlushDiskType = string(c.FlushDiskType)
	sc.BrokerRole = string(c.BrokerRole)
	sc.FlushIntervalCommitLog = c.FlushIntervalCommitLog
	sc.FlushCommitLogLeastPages = c.FlushCommitLogLeastPages
	sc.FlushCommitLogThoroughInterval = c.FlushCommitLogThoroughInterval
	sc.FlushCommitLogTimed = c.FlushCommitLogTimed
	sc.SyncFlushTimeout = int64(c.SyncFlushTimeout)
	sc.FlushIntervalConsumeQueue = c.FlushIntervalConsumeQueue
	sc.FlushConsumeQueueLeastPages = c.FlushConsumeQueueLeastPages
	sc.FlushConsumeQueueThoroughInterval = c.FlushConsumeQueueThoroughInterval
	sc.MaxMessageSize = c.MaxMessageSize
	sc.CheckCRCOnRecover = c.CheckCRCOnRecover
	sc.MessageIndexEnable = c.MessageIndexEnable
	sc.MessageIndexSafe = c.MessageIndexSafe
	sc.MaxHashSlotNum = c.MaxHashSlotNum
	sc.MaxIndexNum = c.MaxIndexNum
	sc.MaxMsgsNumBatch = c.MaxMsgsNumBatch
	sc.MessageDelayLevel = c.MessageDelayLevel
	sc.TimerWheelEnable = c.TimerWheelEnable
	sc.TimerMaxDelaySec = c.TimerMaxDelaySec
	sc.MaxTransferBytesOnMessageInMemory = c.MaxTransferBytesOnMessageInMemory
	sc.MaxTransferCountOnMessageInMemory = c.MaxTransferCountOnMessageInMemory
	sc.MaxTransferBytesOnMessageInDisk = c.MaxTransferBytesOnMessageInDisk
	sc.MaxTransferCountOnMessageInDisk = c.MaxTransferCountOnMessageInDisk
	sc.AccessMessageInMemoryMaxRatio = c.AccessMessageInMemoryMaxRatio
	sc.OffsetCheckInSlave = c.OffsetCheckInSlave
	sc.HaSendHeartbeatInterval = c.HaSendHeartbeatInterval
	sc.HaHousekeepingInterval = c.HaHousekeepingInterval
	sc.HaTransferBatchSize = c.HaTransferBatchSize
	sc.HaSlaveFallbehindMax = int64(c.HaSlaveFallbehindMax)
	sc.SlaveTimeout = c.SlaveTimeout
	sc.DeleteWhen = c.DeleteWhen
	sc.FileReservedTime = c.FileReservedTime
	sc.DiskMaxUsedSpaceRatio = c.DiskMaxUsedSpaceRatio
	sc.CleanFileForciblyEnable = c.CleanFileForciblyEnable
	sc.CleanResourceInterval = c.CleanResourceInterval
	sc.DeleteCommitLogFilesInterval = c.DeleteCommitLogFilesInterval
	sc.DeleteConsumeQueueFilesInterval = c.DeleteConsumeQueueFilesInterval
	sc.DestroyMapedFileIntervalForcibly = c.DestroyMapedFileIntervalForcibly
	sc.RedeleteHangedFileInterval = c.RedeleteHangedFileInterval
	return sc
}

// openStore opens (and recovers) the store under storePathRootDir.
func openStore(cfg *conf.Broker, log *slog.Logger) (store.MessageStore, error) {
	s, err := store.Open(storeConfig(&cfg.Store), store.Options{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("broker: open store at %s: %w", cfg.Store.StorePathRootDir, err)
	}
	return s, nil
}

// topicDeleter and runtimeInfo are optional store capabilities.
type topicDeleter interface{ DeleteTopic(topic string) }
type runtimeInfo interface{ RuntimeInfo() map[string]string }

// tagFilter is the consume-queue tag filter of a TAG subscription.
type tagFilter struct{ match func(int64) bool }

func (f tagFilter) IsMatchedByConsumeQueue(tc int64) bool { return f.match == nil || f.match(tc) }
func (f tagFilter) IsMatchedByCommitLog([]byte) bool      { return true }
