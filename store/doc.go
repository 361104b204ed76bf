// Package store holds rocketd's message store: CommitLog, ConsumeQueue and IndexFile in the exact on-disk
// formats of RocketMQ 4.9.8, so a Java broker's store directory can be served by rocketd and the reverse.
//
// Layout under storePathRootDir (store.md §1), one package per format, each documenting its bytes:
//
//	commitlog/<20-digit offset>              store/commitlog   (segments: store/mmapfile)
//	consumequeue/<topic>/<queueId>/<offset>  store/consumequeue
//	index/<yyyyMMddHHmmssSSS>                store/index
//	checkpoint                               store/checkpoint
//	abort                                    empty; present while running (crash marker)
//	lock                                     "lock"; POSIX fcntl write lock on byte 0 while open
//
// MessageStore is the interface the broker calls; DefaultMessageStore implements it:
//
//   - Open takes the lock (a Java broker on the same directory makes it fail with ErrLocked, and vice
//     versa), maps every file (wrong sizes, foreign names or gaps fail with an error naming the file), and
//     recovers: ConsumeQueues from their last 3 files, then the CommitLog, normally (no abort file: last 3
//     files) or abnormally (abort file: from the checkpoint, re-dispatching every valid record), cutting at
//     the first invalid record (bad magic, length or CRC) and truncating ConsumeQueues to match.
//   - Start dispatches whatever the ConsumeQueues lack, rebuilds the per-queue offset table from them,
//     starts the CommitLog flusher, the dispatch (reput) goroutine and the ConsumeQueue flusher, and creates
//     the abort file.
//   - PutMessage / PutMessages encode outside any lock, append under the CommitLog put lock and return;
//     SYNC_FLUSH callers wait for the group commit. Dispatch to ConsumeQueues and the index happens off the
//     send path; the ArrivingListener hears about every ConsumeQueue unit (long polling).
//   - Shutdown lets dispatch catch up, flushes CommitLog, ConsumeQueues and index, writes the checkpoint,
//     removes the abort file and releases the lock.
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
