// Package mmapfile holds the memory-mapped segment files shared by the CommitLog, ConsumeQueue and
// IndexFile formats, and MappedFileQueue-style directories of them.
//
// A segment is a regular file of a fixed size, created at full length, zero-filled, and mapped read-write
// with MAP_SHARED, as Java's MappedFile does. Unlike Java, every block is reserved before the file is mapped
// (fallocate; where the filesystem lacks it, zeros are written into the holes and each write is checked): a
// store on a full disk then gets ErrNoSpace when it creates a segment, instead of a SIGBUS when it writes into
// a page the filesystem cannot back. A sparse segment found on open (Java's, or an older rocketd's) is backed
// then; if the disk is full it is opened read-only (File.Writable reports why) and can still be read. Its name is its start offset, 20 decimal
// digits, zero-padded:
//
//	commitlog/00000000000000000000   bytes [0, size)
//	commitlog/00000000001073741824   bytes [size, 2*size)
//
// A directory must hold only such files, every one exactly the configured size, names contiguous
// (name[i+1] == name[i] + size); anything else makes Load fail with an error naming the file, because a Java
// broker would refuse the same directory (store.md §16.3).
//
// Creation is crash-safe: a new segment is allocated at full size under a dot-name in the parent directory
// (".commitlog-00000000001073741824.alloc", never listed as a segment by Java or rocketd) and renamed into
// place, so a kill -9 mid-creation cannot leave a short segment that makes the next start refuse the
// directory. Load also extends a short, all-zero newest segment (what a crash while Java created one leaves).
//
// Positions: each File tracks a write position (bytes appended) and a flushed position (bytes msync'ed).
// Readers must not look past the write position they loaded; the position is published with an atomic
// store after the bytes are written, which gives readers a happens-before edge.
//
// Pre-faulting (prefault.go): Queue.StartPrefault keeps the pages ahead of the newest segment's write position
// populated, with read-ahead off on the part being written, so that appends neither fault nor dirty 2 MiB folios.
//
// Lifetime: a File is reference counted. Readers that keep slices of the mapping call Hold/Release; Destroy
// unlinks the file at once and unmaps it when the last holder releases it.
package mmapfile
