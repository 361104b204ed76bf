package store

import "context"

// MessageStore is what the broker calls. DefaultMessageStore implements it.
type MessageStore interface {
	// Start runs recovery catch-up and background services and marks the store as running (abort file).
	Start() error
	// Shutdown flushes everything, writes the checkpoint, removes the abort file and releases the lock.
	Shutdown() error

	PutMessage(ctx context.Context, msg *Message) PutResult
	PutMessages(ctx context.Context, batch *MessageBatch) PutResult

	// GetMessage reads up to maxMsgNums messages of topic/queueId starting at logical offset; nil after
	// Shutdown (Java returns null).
	GetMessage(group, topic string, queueID int32, offset int64, maxMsgNums int, filter MessageFilter) *GetMessageResult
	// LookMessageByOffset returns a copy of the record at a CommitLog offset.
	LookMessageByOffset(phyOffset int64) ([]byte, error)
	// QueryMessage finds records by KEYS / UNIQ_KEY through the index.
	QueryMessage(topic, key string, maxNum int, begin, end int64) *QueryMessageResult

	GetMaxOffsetInQueue(topic string, queueID int32) int64
	GetMinOffsetInQueue(topic string, queueID int32) int64
	GetOffsetInQueueByTime(topic string, queueID int32, timestamp int64) int64
	GetEarliestMessageTime(topic string, queueID int32) int64
	GetMessageStoreTimeStamp(topic string, queueID int32, consumeQueueOffset int64) int64
	GetCommitLogOffsetInQueue(topic string, queueID int32, consumeQueueOffset int64) int64
	GetMinPhyOffset() int64
	GetMaxPhyOffset() int64

	// SetArrivingListener installs the dispatch hook (long polling). Call before Start.
	SetArrivingListener(l ArrivingListener)
}
