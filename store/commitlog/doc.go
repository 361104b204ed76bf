// Package commitlog implements RocketMQ 4.9.8's CommitLog: message format v1 records appended to 1 GiB
// mapped segments (store.md §2, §8, §10).
//
// # Record (all integers big-endian)
//
//	off  size  field
//	  0     4  TOTALSIZE        whole record incl. this field = 75 + B + S + L + T + P
//	  4     4  MAGICCODE        0xDAA320A7 message; 0xCBD43194 BLANK (end of file)
//	  8     4  BODYCRC          crc32.ChecksumIEEE(body) & 0x7FFFFFFF (0 for an empty body)
//	 12     4  QUEUEID
//	 16     4  FLAG             producer flag
//	 20     8  QUEUEOFFSET      index of the ConsumeQueue unit (0 for PREPARED/ROLLBACK)
//	 28     8  PHYSICALOFFSET   CommitLog offset of this record's first byte
//	 36     4  SYSFLAG          compat.MessageSysFlag bits
//	 40     8  BORNTIMESTAMP    ms
//	 48     B  BORNHOST         IPv4: 4 B addr + 4 B port; IPv6 (SYSFLAG 0x10): 16 B + 4 B
//	 48+B   8  STORETIMESTAMP   ms, set inside the append lock
//	 56+B   S  STOREHOST        like BORNHOST; IPv6 iff SYSFLAG 0x20
//	 56+B+S 4  RECONSUMETIMES
//	 60+B+S 8  PREPARED TRANSACTION OFFSET
//	 68+B+S 4  BODYLEN          L
//	 72+B+S L  BODY
//	   ...  1  TOPICLEN         T, signed byte: T ≤ 127
//	   ...  T  TOPIC            UTF-8
//	   ...  2  PROPERTIESLEN    P, signed short: P ≤ 32767
//	   ...  P  PROPERTIES       name\x01value\x02name\x01value (no trailing \x02)
//
// With IPv4 hosts TOTALSIZE = 91 + L + T + P; each IPv6 host adds 12.
//
// # End of a segment
//
// A record (or a whole batch) is placed only if its size + 8 ≤ the bytes left in the segment. Otherwise the
// writer puts the 8-byte BLANK header [remaining int32][0xCBD43194] at the write position, marks the
// segment full and retries in the next one. Every full segment therefore ends in a BLANK header; Java's
// recovery relies on it (store.md §16.2).
//
// # Recovery
//
// A record is valid iff its magic is the message magic, TOTALSIZE equals the length recomputed from
// SYSFLAG/L/T/P, and (when CRC checking is on and L > 0) the masked body CRC matches. The first invalid record
// ends the log: the segment holding it is cut there (tail zeroed) and later segments are deleted.
//
// # Concurrency: mutex-protected append + separate flusher with waiters
//
// Callers encode their record into their own buffer outside any lock (CRC, properties, hosts). The append
// lock covers only what must be serial: choosing the segment, the BLANK roll, patching QUEUEOFFSET,
// PHYSICALOFFSET and STORETIMESTAMP, one memcpy into the mapping, and bumping the queue offset. That is a
// few hundred nanoseconds per message, so a mutex beats a dedicated writer goroutine, which would add a
// channel hand-off and two goroutine switches to every put without shortening the serial section.
// Durability is decoupled: ASYNC_FLUSH has a timed flusher (500 ms / 4 pages / 10 s thorough); SYNC_FLUSH
// has a group-commit flusher that msyncs once for all waiters queued since its last pass, then completes
// each waiter whose end offset is durable. Only callers that asked to wait (WAIT=true) block, and never
// longer than syncFlushTimeout (then FLUSH_DISK_TIMEOUT; the message is stored regardless).
package commitlog
