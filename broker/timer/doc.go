// Package timer delivers timer messages: a message whose user properties carry RocketMQ 5.x's
// TIMER_DELIVER_MS (absolute epoch ms), TIMER_DELAY_SEC or TIMER_DELAY_MS (relative) is held by the broker and
// put back to its real topic at that time, to the millisecond. Any 4.x client can send one (Java:
// msg.putUserProperty("TIMER_DELIVER_MS", ...); Go: msg.WithProperty(...)); level delays (DELAY) keep
// working exactly as Java 4.9.8's and win when both are set, as in 5.x.
//
// # Flow (as RocketMQ 5.x's TimerMessageStore; facts learnt from 5.x, code and files are rocketd's)
//
//  1. Send (store/timer.go): a due time in the future moves the message to topic rmq_sys_wheel_timer queue 0
//     with TIMER_OUT_MS=<due ms>, REAL_TOPIC and REAL_QID added; msgId, UNIQ_KEY, KEYS, TAGS and the body
//     are untouched. A due time not in the future is stored as a plain message (5.x). A due time beyond
//     timerMaxDelaySec, a non-numeric value, or any TIMER_* key while timerWheelEnable=false is refused with
//     MESSAGE_ILLEGAL and a remark saying which. The CommitLog record is the message's only copy.
//  2. Enqueue (one goroutine): reads rmq_sys_wheel_timer queue 0 in order and, for each message, appends a
//     64-byte record to the timerlog and links it at the head of the wheel slot of its due time. When that
//     slot was already loaded (step 3), the record is linked into the next slot to load instead, so a
//     restart finds it, and pushed to the heap at once; that slot's load skips it.
//  3. Load (one goroutine): shortly before a slot's time it walks the slot's list (newest first, through
//     prevPos) and pushes the records into an in-memory heap ordered by due ms.
//  4. Deliver: a scheduler pops records as they fall due and hands them to put workers, which read the
//     message from the CommitLog and put it to REAL_TOPIC / REAL_QID through broker/schedule.Restore, the
//     level-delay path (same record fields, properties string kept, so REAL_TOPIC / REAL_QID / TIMER_OUT_MS
//     stay visible as with level delays). Tag and SQL92 filters apply when the real topic is pulled, as for
//     any message; keys and msgId stay queryable.
//
// Memory is independent of the number of pending messages: pending messages live in the CommitLog, the
// timerlog and the wheel (files, page cache); the heap holds only the records due within about one slot
// (lookahead), capped at maxHeap; a backlog is walked slot by slot.
//
// # Files under storePathRootDir (big-endian, as every RocketMQ file)
//
// timerwheel: 2*timerRollWindowSlot slots of 32 bytes, slot index = (timeMs/timerPrecisionMs) mod slots
// (5.x's layout). A slot whose timeSlot is not the one asked for is empty (stale from an earlier lap).
//
//	0        8         16        24   28    32
//	+--------+---------+---------+----+-----+
//	|timeSlot|firstPos |lastPos  |num |magic|   timeSlot = slot start ms / timerPrecisionMs
//	+--------+---------+---------+----+-----+   firstPos/lastPos: timerlog positions, -1 when none
//
// timerlog/<20-digit start offset>: mappedFileSizeTimerLog bytes each (rounded down to whole records), fixed
// 64-byte records; a record never spans two files. An invalid record (zero bytes, crc) ends a file's data.
//
//	0      4      8        16      24      32         40    44          52      60     64
//	+------+------+--------+-------+-------+----------+-----+-----------+-------+------+
//	|magic |flags |prevPos |slotMs |dueMs  |phyOffset |size |queueOffset|writeMs|crc32 |
//	+------+------+--------+-------+-------+----------+-----+-----------+-------+------+
//	magic 0x52445401 ("RDT", version 1); flags bit 0 = roll; prevPos = the slot's previous head (-1);
//	slotMs = the slot it is linked into; dueMs = when to act (exact ms); phyOffset/size = the CommitLog
//	record; queueOffset = its offset in rmq_sys_wheel_timer queue 0; writeMs = when it was appended
//	(never decreasing); crc32 (IEEE) of bytes 0..59.
//
// config/timercheck: 40 bytes, written to a temporary file and renamed, every timerFlushIntervalMs after
// the timerlog and wheel are flushed, and at Stop:
//
//	0           8            16           24          32       36      40
//	+-----------+------------+------------+-----------+--------+-------+
//	|readSlotMs |timerlogPos |queueOffset |precision  |slots   |crc32  |
//	+-----------+------------+------------+-----------+--------+-------+
//	readSlotMs: every slot before it is delivered; timerlogPos: the log is flushed up to here;
//	queueOffset: next rmq_sys_wheel_timer offset to enqueue; precision/slots: the wheel's geometry.
//
// config/timerdone (written with every checkpoint): the timerlog positions already delivered of the partly
// delivered slots at or after readSlotMs, 8 bytes each, then a crc32 of them; a restart skips them, so a
// clean restart delivers nothing twice.
//
// # Far-off messages (roll) and retention
//
// A message due timerRollWindowSlot*timerPrecisionMs (2 days) or more ahead is linked, with the roll flag,
// into the slot half a window ahead; when that slot comes it is put again to rmq_sys_wheel_timer with
// TIMER_ROLL_TIMES+1 (5.x does the same) and so enters the wheel again, nearer. A pending message's
// CommitLog record is therefore never older than one window, well inside fileReservedTime (72 h).
// A timerlog file is deleted once its last record's writeMs + one window + 2 slots is behind the read
// slot: every record links into a slot at most that far after it was written.
//
// # Crash safety
//
// Records and slots are written to the page cache at once (pwrite, shared mapping), so kill -9 loses
// nothing that was enqueued. On Open the log is scanned from the checkpoint's timerlogPos: a record that
// is not yet linked into its slot (killed between the two writes) is linked; the enqueue offset continues
// after the largest queueOffset found; the read slot restarts at the checkpoint's, skipping the positions
// in timerdone, so only what was delivered within the last flush interval is delivered again (Java's
// schedule service likewise redelivers after a crash). Messages put to rmq_sys_wheel_timer and not yet enqueued are in the
// CommitLog and are enqueued after the restart. Against power loss the guarantee is that of
// ASYNC_FLUSH: the files are flushed every timerFlushIntervalMs.
//
// # Limits
//
//   - Batch sends carrying TIMER_* in the batch header are refused (5.x ignores them); TIMER_* inside the
//     messages of a batch are stored as plain properties (delivered at once), as in 5.x.
//   - Transactional messages: the half message is stored as usual (never held) and the timer starts when
//     the transaction commits: the commit puts the message with its TIMER_* properties through the same path.
//   - TIMER_DEL_UNIQKEY (5.x's cancel) is refused.
//   - A backlog longer than one window (the broker down for more than 2 days) can alias wheel slots; 5.x
//     has the same bound.
//   - Runs on a master only, like broker/schedule: a slave keeps the files but delivers nothing.
package timer
