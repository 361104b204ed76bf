// Package index implements RocketMQ 4.9.8's IndexFile: a hash index from "topic#key" to CommitLog offsets
// (store.md §7).
//
// File name: creation time yyyyMMddHHmmssSSS in local time (17 digits). Size = 40 + slots*4 + entries*20
// (420,000,040 bytes with the defaults maxHashSlotNum 5,000,000 and maxIndexNum 20,000,000). The slot and
// entry counts are not stored in the file: both sides must be configured alike. Big-endian:
//
//	header (40 B)
//	  0  8 beginTimestamp   store time of the first entry
//	  8  8 endTimestamp     store time of the last entry
//	 16  8 beginPhyOffset   CommitLog offset of the first indexed record
//	 24  8 endPhyOffset     CommitLog offset (start) of the last indexed record
//	 32  4 hashSlotCount    slots in use (not the table size)
//	 36  4 indexCount       next entry number; starts at 1 (values <= 0 read as 1)
//	slot table at 40: slots x int32, entry number of the newest entry in the chain (0 = empty)
//	entry k at 40 + slots*4 + k*20 (entry 0 is never used):
//	  0  4 keyHash          abs(String.hashCode("topic#key")), Integer.MIN_VALUE -> 0; slot = keyHash % slots
//	  4  8 phyOffset
//	 12  4 timeDiff         (storeTimestamp - beginTimestamp) / 1000, seconds, clamped to [0, MaxInt32]
//	 16  4 prevIndex        previous entry in the slot's chain (0 = end)
package index
