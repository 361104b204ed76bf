// Package ha is RocketMQ 4.9.8's classic master/slave CommitLog replication (Java store/ha: HAService,
// HAConnection), byte-compatible in both directions with a Java 4.9.8 broker (store.md §15).
//
// # Wire format (plain TCP on the master's haListenPort = listenPort+1; no framing, handshake or auth)
//
// slave -> master, repeated: the slave's CommitLog max offset (its write position)
//
//	0       8
//	+-------+
//	| int64 |  big-endian; the first one asks for data from there (0: from the start of the master's last
//	+-------+  file), every later one acknowledges everything below it
//
// master -> slave, repeated: a slice of the master's CommitLog
//
//	0            8         12             12+size
//	+------------+---------+--------------+
//	| phy int64  | size i32| size bytes   |  big-endian; the raw CommitLog bytes [phy, phy+size): whole or
//	+------------+---------+--------------+  partial records and BLANK tails, never crossing a file end,
//	                                         size ≤ haTransferBatchSize; size 0 = heartbeat
//
// # Master (Server, conn)
//
// Server accepts slaves; each connection has a reader goroutine (acks: the last complete 8-byte value read
// wins; an ack beyond the master's log, a negative one, or 20 s (haHousekeepingInterval) without a byte closes
// it) and a writer goroutine (waits for the first report, starts there, or for 0 at the start of the last
// file, sends up to haTransferBatchSize per frame with writev, heartbeats after haSendHeartbeatInterval idle,
// sleeps on the append signal otherwise). The writer holds a CommitLog file only while writing one frame and
// every write has a deadline, so a slow or vanished slave costs its own two goroutines and nothing else.
// Every ack raises push2SlaveMaxOffset (the max over all slaves) and wakes the group transfer.
//
// # SYNC_MASTER (transfer.go)
//
// A WAIT=true put is answered only when some slave acknowledged its end offset: Submit registers a callback
// with the target offset and deadline (slaveTimeout); one goroutine completes every registered callback when
// acks arrive (PUT_OK) or deadlines pass (FLUSH_SLAVE_TIMEOUT), with a single timer for the earliest deadline
// — no goroutine or timer per waiting put. With no slave connected, or the slaves more than
// haSlaveFallbehindMax behind, the put is answered SLAVE_NOT_AVAILABLE at once (Java isSlaveOK).
//
// # Slave (Client)
//
// Client connects to the master's HA address (haMasterAddress, or the haServerAddr of the REGISTER_BROKER
// result), reports its max offset at once and then after every frame that grew the log and at least every
// haSendHeartbeatInterval. It reads into one fixed 4 MiB buffer (a frame whose size is negative or larger is
// refused before any byte of its body is read), checks each frame's offset against its own write position
// (a mismatch — unless its log is empty — closes the connection; the next connection reports the real
// position), and appends the bytes unchanged (commitlog.AppendRaw), so its files are identical to the
// master's, BLANK tails included. When its log ends at a known record boundary, the first data of a session
// must start a record (or BLANK) there, else the master's log is not the one this store copies (Java does not
// check this and would append another broker's bytes). The store dispatches its own ConsumeQueues and index from them. On any
// error it closes the connection, logs why, and reconnects after 5 s; nothing but complete frames ever
// reaches the log.
package ha
