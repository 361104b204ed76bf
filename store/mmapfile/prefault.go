package mmapfile

import (
	"log/slog"
	"sync/atomic"
	"unsafe"
)

// Pre-faulting (issue #15). A write into a page of a fresh segment that was never touched takes a page fault
// on the writer: the kernel reads (zero-fills) the page into the page cache and maps it writable. On the send
// path that is the memmove in Append. A prefaulter goroutine keeps the pages from the write position to `ahead`
// bytes after it populated instead, so that the appender finds them mapped:
//
//	segment:  | written ........ | populated (ahead) ....... | untouched ......................... |
//	          0                  wrote                       prefaulted                           size
//
// Read-ahead is turned off (MADV_RANDOM) on the segment being written, from the write position it had when the
// prefaulter took it over, and back on when the next segment takes over: a fault in a mapping with read-ahead adds the page to the page cache
// as part of a large folio (2 MiB on Linux 6.x with a large read_ahead_kb), and the page cache tracks dirtiness
// per folio, so after every msync the next append re-dirtied, and the next msync wrote, the whole 2 MiB: under
// SYNC_FLUSH that was ~80x the data written (7.4 GB to the disk for 90 MB of 1 KiB messages in 5 s).
//
// Populating never changes a byte of the file: MADV_POPULATE_WRITE (Linux >= 5.14) only faults the pages in;
// where it is missing, each page is touched with an atomic add of 0 to one 4-byte word, which cannot lose a
// concurrent write of the appender (Append of a put or AppendRaw of a slave) to the same word. Only segments
// whose blocks are all reserved are populated (see alloc.go): a page the filesystem cannot back is never touched.
//
// A flush undoes part of that: msync writes back whole folios (large folios reach 2 MiB on Linux 6.x) and maps
// them read-only again, so that the next write to each of their pages faults (the kernel's dirty tracking). So
// with refill, after a flush the prefaulter populates again from the flushed write position to the end of its
// 2 MiB block.
// The goroutine is woken by Append when the write position comes within ahead/2 of the populated end, and by
// LastOrCreate when a segment is created, so the first pages of a new segment are populated at once.

type prefaulter struct {
	q          *Queue
	ahead      int64
	wake       chan struct{}
	stop       chan struct{}
	done       chan struct{}
	afterFlush bool         // populate again after each flush
	bytes      atomic.Int64 // populated so far (PrefaultedBytes)
	warn       atomic.Bool
}

// StartPrefault starts a goroutine that keeps the ahead bytes after the newest segment's write position
// populated (ahead <= 0: none); with refill, also the pages a flush mapped read-only again (see above: worth it
// when flushes are rare, as under ASYNC_FLUSH; when every few appends are flushed, as under SYNC_FLUSH, the
// appender would race the refill for those pages anyway and the refill only costs a wake-up per flush).
// Queue.Close stops it.
func (q *Queue) StartPrefault(ahead int, refill bool) {
	if ahead <= 0 {
		return
	}
	ahead = (ahead + OSPageSize - 1) &^ (OSPageSize - 1)
	p := &prefaulter{q: q, ahead: int64(ahead), afterFlush: refill, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if !q.pf.CompareAndSwap(nil, p) {
		return
	}
	go p.loop()
	p.poke()
}

// StopPrefault stops the prefault goroutine and waits for it.
func (q *Queue) StopPrefault() {
	if p := q.pf.Swap(nil); p != nil {
		close(p.stop)
		<-p.done
	}
}

// PrefaultedBytes is how many bytes the prefaulter has populated (tests, benchmarks).
func (q *Queue) PrefaultedBytes() int64 {
	if p := q.pf.Load(); p != nil {
		return p.bytes.Load()
	}
	return 0
}

func (p *prefaulter) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *prefaulter) loop() {
	defer close(p.done)
	var active *File
	defer func() { p.release(active) }()
	for {
		select {
		case <-p.stop:
			return
		case <-p.wake:
		}
		f := p.q.Last()
		if f != active {
			p.release(active)
			active = nil
			if f != nil && f.Hold() { // held while it is the active segment: its mapping stays valid for madvise
				active = f
				f.pf.Store(p)
				// From the write position on: what is already written keeps read-ahead for readers.
				advise(f.data[f.wrote.Load()&^(OSPageSize-1):], false)
			}
		}
		if active != nil {
			p.refill(f)
			p.fill(f)
		}
	}
}

// release hands a segment that is no longer written back to normal read-ahead.
func (p *prefaulter) release(f *File) {
	if f != nil {
		advise(f.data, true)
		f.Release()
	}
}

// fill populates f from its write position (rounded up to a page) to ahead bytes after it.
func (p *prefaulter) fill(f *File) {
	if f.chunk > 0 || f.Writable() != nil {
		return
	}
	w := f.wrote.Load()
	from := max(f.prefaulted.Load(), (w+OSPageSize-1)&^(OSPageSize-1))
	to := min(int64(f.size), (w+p.ahead+OSPageSize-1)&^(OSPageSize-1))
	if to <= from || !f.Hold() {
		return
	}
	defer f.Release()
	const step = 1 << 20 // small steps: stop promptly, and publish progress as it is made
	for at := from; at < to; {
		select {
		case <-p.stop:
			return
		default:
		}
		end := min(to, at+step)
		if err := populate(f.data[at:end]); err != nil {
			if !p.warn.Swap(true) {
				slog.Warn("pre-faulting segment pages failed; appends fault them in instead", "component", "store",
					"file", f.path, "err", err)
			}
			return
		}
		p.bytes.Add(end - at)
		f.prefaulted.Store(end)
		at = end
	}
}

// hugeBlock bounds the folios one msync can write-protect around the write position (PMD size on x86-64 and
// arm64 with 4 KiB pages).
const hugeBlock = 2 << 20

// refill populates again, after a flush, from the flushed write position to the end of its hugeBlock.
func (p *prefaulter) refill(f *File) {
	r := f.refault.Swap(0)
	if r <= 0 || f.chunk > 0 || f.Writable() != nil {
		return
	}
	from := r - 1
	to := min(f.prefaulted.Load(), (from/hugeBlock+1)*hugeBlock)
	if to <= from || !f.Hold() {
		return
	}
	defer f.Release()
	if err := populate(f.data[from:to]); err == nil {
		p.bytes.Add(to - from)
	}
}

// noteFlushed asks the prefaulter to populate again the pages a flush up to w mapped read-only.
func (f *File) noteFlushed(w int) {
	p := f.pf.Load()
	if p == nil || !p.afterFlush {
		return
	}
	from := int64(w)&^(OSPageSize-1) + 1
	for {
		cur := f.refault.Load()
		if (cur > 0 && cur <= from) || f.refault.CompareAndSwap(cur, from) {
			break
		}
	}
	p.poke()
}

// touch faults each page of b in for writing without changing it (the fallback of populate).
func touch(b []byte) {
	for off := 0; off+4 <= len(b); off += OSPageSize {
		atomic.AddUint32((*uint32)(unsafe.Pointer(&b[off])), 0)
	}
}

// notePrefault wakes the prefaulter when the write position end comes within ahead/2 of the populated end.
func (f *File) notePrefault(end int) {
	if p := f.pf.Load(); p != nil && int64(end)+p.ahead/2 > f.prefaulted.Load() && f.prefaulted.Load() < int64(f.size) {
		p.poke()
	}
}
