// Package consumequeue implements RocketMQ 4.9.8's ConsumeQueue: per topic/queue, a dense array of 20-byte
// units indexing the CommitLog (store.md §6).
//
// Directory: consumequeue/<topic>/<queueId>/, files of mappedFileSizeConsumeQueue bytes (default
// 6,000,000 = 300,000 units) named by their start byte offset in the logical queue, 20 digits.
//
// Unit n (the message with QUEUEOFFSET n) lives at logical byte n*20 (big-endian):
//
//	off size field
//	  0    8 CommitLog physical offset of the record
//	  8    4 record size (TOTALSIZE)
//	 12    8 tags code: String.hashCode(TAGS) sign-extended, or the delivery time for SCHEDULE_TOPIC_XXXX
//
// A unit is valid iff offset >= 0 and size > 0; an all-zero unit ends the data. When the first file of a
// queue is created for a non-zero queue offset, the units before it are filled with the pre-blank unit
// (0, 0x7FFFFFFF, 0) and the min offset starts at the first real unit.
package consumequeue
