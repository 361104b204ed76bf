package mmapfile

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Queue is a directory of equally sized, contiguous segments (Java's MappedFileQueue).
type Queue struct {
	dir      string
	fileSize int

	mu    sync.RWMutex
	files []*File

	reserveChunk int // 0: segments reserve all their blocks when created or opened

	pf atomic.Pointer[prefaulter] // StartPrefault
}

// ReserveLazily makes the queue's segments reserve disk blocks chunk bytes at a time as they are written
// (File.Ensure), instead of all at creation: for directories of many small, mostly empty segments such as
// consume queues. Call it before Load.
func (q *Queue) ReserveLazily(chunk int) { q.reserveChunk = max(chunk, OSPageSize) }

// NewQueue returns an empty queue over dir; call Load to map existing files.
func NewQueue(dir string, fileSize int) *Queue {
	return &Queue{dir: dir, fileSize: fileSize}
}

// Dir is the directory.
func (q *Queue) Dir() string { return q.dir }

// FileSize is the segment size.
func (q *Queue) FileSize() int { return q.fileSize }

// Load maps every segment in the directory (a missing directory is an empty queue). All loaded files are
// marked fully written and flushed; recovery then sets the real positions. It fails, naming the file, on a
// name that is not 20 digits, a size different from the configured one, a non-regular file, or a gap.
func (q *Queue) Load() error {
	entries, err := os.ReadDir(q.dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("mmapfile: read dir %s: %w", q.dir, err)
	}
	type named struct {
		name string
		off  int64
	}
	var list []named
	for _, e := range entries {
		path := filepath.Join(q.dir, e.Name())
		off, err := ParseFileName(e.Name())
		if err != nil {
			return fmt.Errorf("%w in %s; a Java broker would refuse this directory too: move the file out of it", err, q.dir)
		}
		if !e.Type().IsRegular() {
			return fmt.Errorf("%w: %s is not a regular file; move it out of %s", ErrBadFileName, path, q.dir)
		}
		list = append(list, named{e.Name(), off})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	for i := 1; i < len(list); i++ {
		if list[i].off != list[i-1].off+int64(q.fileSize) {
			return fmt.Errorf("%w: %s follows %s in %s (size %d); restore the missing segment or check the size config",
				ErrNotContigous, list[i].name, list[i-1].name, q.dir, q.fileSize)
		}
	}
	if len(list) > 0 {
		if err := repairShortLast(filepath.Join(q.dir, list[len(list)-1].name), q.fileSize); err != nil {
			return err
		}
	}
	files := make([]*File, 0, len(list))
	for _, n := range list {
		f, err := open(filepath.Join(q.dir, n.name), n.off, q.fileSize, q.reserveChunk)
		if err != nil {
			for _, g := range files {
				g.Close()
			}
			return err
		}
		f.SetWrotePos(q.fileSize)
		f.SetFlushedPos(q.fileSize)
		files = append(files, f)
	}
	q.mu.Lock()
	q.files = files
	q.mu.Unlock()
	return nil
}

// Files returns a snapshot of the segments, oldest first.
func (q *Queue) Files() []*File {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return append([]*File(nil), q.files...)
}

// Len is the number of segments.
func (q *Queue) Len() int {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return len(q.files)
}

// First is the oldest segment or nil.
func (q *Queue) First() *File {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if len(q.files) == 0 {
		return nil
	}
	return q.files[0]
}

// Last is the newest segment or nil.
func (q *Queue) Last() *File {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if len(q.files) == 0 {
		return nil
	}
	return q.files[len(q.files)-1]
}

// LastOrCreate returns the newest segment if it has room, else creates the next one. For an empty queue the
// new file starts at startOffset rounded down to a multiple of the file size.
func (q *Queue) LastOrCreate(startOffset int64) (*File, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var from int64
	if n := len(q.files); n > 0 {
		last := q.files[n-1]
		if !last.IsFull() {
			return last, nil
		}
		from = last.From() + int64(q.fileSize)
	} else {
		from = startOffset - startOffset%int64(q.fileSize)
	}
	if err := os.MkdirAll(q.dir, 0o755); err != nil {
		return nil, fmt.Errorf("mmapfile: create dir %s: %w", q.dir, err)
	}
	f, err := create(filepath.Join(q.dir, FileName(from)), from, q.fileSize, q.reserveChunk)
	if err != nil {
		return nil, err
	}
	q.files = append(q.files, f)
	if p := q.pf.Load(); p != nil {
		f.pf.Store(p)
		p.poke()
	}
	return f, nil
}

// MinOffset is the first segment's start, or -1 when empty (Java getMinOffset).
func (q *Queue) MinOffset() int64 {
	if f := q.First(); f != nil {
		return f.From()
	}
	return -1
}

// MaxOffset is the last segment's start plus its write position, or 0 when empty.
func (q *Queue) MaxOffset() int64 {
	if f := q.Last(); f != nil {
		return f.From() + int64(f.WrotePos())
	}
	return 0
}

// FlushedWhere is the offset up to which data is durable: the flushed position of the oldest segment
// that is not completely flushed. Only the newest segments are ever unflushed, so it scans backwards.
func (q *Queue) FlushedWhere() int64 {
	q.mu.RLock()
	defer q.mu.RUnlock()
	n := len(q.files)
	if n == 0 {
		return 0
	}
	at := n - 1
	for i := n - 1; i >= 0; i-- {
		f := q.files[i]
		if f.FlushedPos() >= f.Size() {
			break
		}
		at = i
	}
	return q.files[at].From() + int64(q.files[at].FlushedPos())
}

// FindByOffset returns the segment holding offset, or nil. With firstIfNotFound an offset below the
// first segment returns the first one.
func (q *Queue) FindByOffset(offset int64, firstIfNotFound bool) *File {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if len(q.files) == 0 {
		return nil
	}
	first := q.files[0]
	if offset >= first.From() {
		i := (offset - first.From()) / int64(q.fileSize)
		if i < int64(len(q.files)) {
			return q.files[i]
		}
	}
	if firstIfNotFound {
		return first
	}
	return nil
}

// Flush flushes dirty segments (see File.Flush); with leastPages 0 everything written becomes durable.
// It returns the durable offset.
func (q *Queue) Flush(leastPages int) (int64, error) {
	q.mu.RLock()
	var dirty [4]*File
	list := dirty[:0]
	for i := len(q.files) - 1; i >= 0; i-- {
		f := q.files[i]
		if f.FlushedPos() >= f.Size() {
			break
		}
		if f.FlushedPos() < f.WrotePos() {
			list = append(list, f)
		}
	}
	q.mu.RUnlock()
	for i := len(list) - 1; i >= 0; i-- {
		if _, err := list[i].Flush(leastPages); err != nil {
			return q.FlushedWhere(), err
		}
	}
	return q.FlushedWhere(), nil
}

// TruncateDirty drops everything at and after offset: the segment holding it gets its positions set to
// offset and its tail zeroed; later segments are deleted.
func (q *Queue) TruncateDirty(offset int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	keep := q.files[:0:0]
	var firstErr error
	for _, f := range q.files {
		end := f.From() + int64(q.fileSize)
		switch {
		case end <= offset:
			keep = append(keep, f)
		case offset >= f.From():
			pos := int(offset - f.From())
			f.SetWrotePos(pos)
			if f.FlushedPos() > pos {
				f.SetFlushedPos(pos)
			}
			if err := f.ZeroFrom(pos); err != nil && firstErr == nil {
				firstErr = fmt.Errorf("mmapfile: zero tail of %s from %d: %w", f.Path(), pos, err)
			}
			keep = append(keep, f)
		default:
			slog.Warn("deleting segment beyond truncation point", "component", "store", "file", f.Path(), "offset", offset)
			if err := f.Destroy(); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	q.files = keep
	return firstErr
}

// DeleteFirst removes the first n segments (retention), never the last one.
func (q *Queue) DeleteFirst(n int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n > len(q.files)-1 {
		n = len(q.files) - 1
	}
	var firstErr error
	for i := 0; i < n; i++ {
		if err := q.files[i].Destroy(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if n > 0 {
		q.files = append(q.files[:0:0], q.files[n:]...)
	}
	return firstErr
}

// DeleteExpiredByTime deletes, oldest first, segments (never the last) whose mtime + keep ≤ now, at most
// maxFiles per call (0 = no limit), stopping at the first one that has not expired. Java judges retention by
// file mtime too (store.md §11).
func (q *Queue) DeleteExpiredByTime(keep time.Duration, now time.Time, maxFiles int) (int, error) {
	files := q.Files()
	n := 0
	for i := 0; i < len(files)-1; i++ {
		if maxFiles > 0 && n >= maxFiles {
			break
		}
		mt, err := files[i].ModTime()
		if err != nil {
			return n, err
		}
		if mt.Add(keep).After(now) {
			break
		}
		n++
	}
	return n, q.DeleteFirst(n)
}

// Close unmaps every segment (after readers release them).
func (q *Queue) Close() {
	q.StopPrefault()
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, f := range q.files {
		f.Close()
	}
	q.files = nil
}

// Destroy deletes every segment and the directory if it is empty.
func (q *Queue) Destroy() error {
	q.StopPrefault()
	q.mu.Lock()
	defer q.mu.Unlock()
	var firstErr error
	for _, f := range q.files {
		if err := f.Destroy(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	q.files = nil
	_ = os.Remove(q.dir)
	return firstErr
}

// repairShortLast extends the newest segment to full size when it is shorter than the configured size and
// holds nothing but zeros: what a crash while another implementation (Java's MappedFile, or rocketd before
// it allocated by rename) was creating the file leaves behind. A short file with data is left alone, and
// Open then refuses it.
func repairShortLast(path string, size int) error {
	st, err := os.Stat(path)
	if err != nil || st.Size() >= int64(size) || !st.Mode().IsRegular() {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("mmapfile: read %s: %w", path, err)
	}
	for _, c := range b {
		if c != 0 {
			return nil
		}
	}
	slog.Warn("extending a short, empty newest segment left by a crash while it was being created", "component", "store",
		"file", path, "size", st.Size(), "want", size)
	if err := os.Truncate(path, int64(size)); err != nil {
		return fmt.Errorf("mmapfile: extend %s to %d bytes: %w; move the empty file away", path, size, err)
	}
	return nil
}
