// Package store holds rocketd's message store: CommitLog, ConsumeQueue and IndexFile in the exact on-disk
// formats of RocketMQ 4.9.8, so a Java broker's store directory can be served by rocketd and the reverse.
//
// Layout under storePathRootDir (store.md §1), one package per format, each documenting its bytes:
//
//	commitlog/<20-digit offset>              store/commitlog   (segments: store/mmapfile)
//	consumequeue/<topic>/<queueId>/<offset>  store/consumequeue
//	index/<yyyyMMddHHmmssSSS>                store/index
//	checkpoint                               store/checkpoint
//	rocketd-flushmark                        store/checkpoint (rocketd only; Java never lists the root)
//	abort                                    empty; present while running (crash marker)
//	lock                                     "lock"; POSIX fcntl write lock on byte 0 while open
//
// MessageStore is the interface the broker calls; DefaultMessageStore implements it:
//
//   - Open takes the lock (a Java broker on the same directory makes it fail with ErrLocked, and vice
//     versa), maps every file (wrong sizes, foreign names or gaps fail with an error naming the file), and
//     recovers: ConsumeQueues from their last 3 files, then the CommitLog, normally (no abort file: last 3
//     files) or abnormally (abort file: from the checkpoint, re-dispatching every valid record), cutting at
//     the first invalid record (bad magic, length or CRC) and truncating ConsumeQueues to match. Abnormal
//     recovery re-computes body CRCs only above the flush mark (below).
//   - Start dispatches whatever the ConsumeQueues lack, rebuilds the per-queue offset table from them,
//     starts the CommitLog flusher, the dispatch (reput) goroutine and the ConsumeQueue flusher, and creates
//     the abort file.
//   - PutMessage / PutMessages encode outside any lock, append under the CommitLog put lock and return;
//     SYNC_FLUSH callers wait for the group commit. Dispatch to ConsumeQueues and the index happens off the
//     send path; the ArrivingListener hears about every ConsumeQueue unit (long polling).
//   - Shutdown lets dispatch catch up, flushes CommitLog, ConsumeQueues and index, writes the checkpoint,
//     removes the abort file and releases the lock.
//
// # Flush mark (rocketd-flushmark)
//
// Java's checkpoint holds timestamps written every 60 s, so after a kill -9 Java re-reads and CRC-checks
// everything from the file that held the data of about a minute earlier: gigabytes after a burst. rocketd keeps
// the checkpoint exactly as Java does (same walk start, same records dispatched, same index rules) and adds
// one 64-byte file, written (pwrite + fsync) by the ConsumeQueue flush loop every flushIntervalConsumeQueue
// and at shutdown, holding the CommitLog's newest flushed point:
//
//	off size field
//	  0    4 magic        0x5244464D "RDFM"
//	  4    4 version      1
//	  8    8 end          every CommitLog byte below it was msynced before the mark was written
//	 16    8 lastOffset   PHYSICALOFFSET of the record that ends at end
//	 24    4 lastSize     its TOTALSIZE
//	 28    4 lastBodyCRC  its BODYCRC
//	 32    8 lastStoreTs  its STORETIMESTAMP (ms)
//	 40   20 zero
//	 60    4 crc          crc32 IEEE of bytes 0..59
//
// The mark only comes from a flush that covered a record put by Append (a slave's replicated bytes never
// give one). At abnormal recovery it is trusted only if its CRC is right and the record at lastOffset is a
// message with a valid body CRC and the same size, body CRC and store time; the walk from the checkpoint's
// file then decodes the records below end without re-computing their body CRC (they were flushed before the
// mark, the same trust the checkpoint gives to everything before its start file) and checks every CRC above
// it. If the walk does not pass through end exactly (a record or BLANK straddles it, or the data ends or
// breaks before it) it starts over checking every CRC. A missing, torn or foreign mark is ignored. A Java
// broker neither reads nor updates it; when it takes over and rewrites or deletes the records the mark
// names, the record check fails and rocketd falls back to the full check.
//
// Configuration is MessageStoreConfig, whose fields are the Java property keys (storePathRootDir ->
// StorePathRootDir) in Java's units. VerifyDir checks a stopped store directory read-only; the Java interop
// tests can run it on a directory a Java broker wrote, and hand a directory rocketd wrote to Java.
//
// Retention (clean.go) deletes expired CommitLog files at the deleteWhen hours or when the disk is over
// diskMaxUsedSpaceRatio, forcibly above 85 %, refuses puts above 90 %, then drops ConsumeQueue and index files
// below the new CommitLog min offset. storetest holds the contract suite every MessageStore passes and the
// append benchmark; store/interop swaps Java 4.9.8 and rocketd on the same directory (make compat-store,
// store/interop/interop.mk); golden_test.go reads a store written by Java (compat/testdata/store).
//
// Master/slave replication (replication.go, store/ha): StartHA opens the HA listener and the HA client;
// a master streams its CommitLog, a slave appends the bytes unchanged (commitlog.AppendRaw) and dispatches
// its own ConsumeQueues and index; WaitReplica completes SYNC_MASTER puts.
//
// Not yet here: multi-path CommitLog, transient store pool, the config JSON managers, ConsumeQueueExt and
// DLedger.
package store
