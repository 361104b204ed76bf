package mmapfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// OSPageSize is MappedFile.OS_PAGE_SIZE in Java; flush thresholds are counted in these pages.
const OSPageSize = 4096

// Sentinel errors, usable with errors.Is.
var (
	ErrBadFileName  = errors.New("mmapfile: file name is not a 20-digit offset")
	ErrBadFileSize  = errors.New("mmapfile: file size differs from the configured size")
	ErrNotContigous = errors.New("mmapfile: file names are not contiguous")
	ErrClosed       = errors.New("mmapfile: file is closed")
)

// FileName returns the 20-digit zero-padded name of a segment starting at offset.
func FileName(offset int64) string { return fmt.Sprintf("%020d", offset) }

// ParseFileName parses a 20-digit segment name.
func ParseFileName(name string) (int64, error) {
	if len(name) != 20 {
		return 0, fmt.Errorf("%w: %q", ErrBadFileName, name)
	}
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return 0, fmt.Errorf("%w: %q", ErrBadFileName, name)
		}
	}
	v, err := strconv.ParseInt(name, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrBadFileName, name, err)
	}
	return v, nil
}

// File is one mapped segment.
type File struct {
	path string
	from int64
	size int
	fd   *os.File
	data []byte

	wrote   atomic.Int64
	flushed atomic.Int64

	refs     atomic.Int64 // 1 owner reference + holders
	shutdown atomic.Bool
	unmapMu  sync.Mutex
	unmapped bool
	flushMu  sync.Mutex

	noSpace atomic.Pointer[error] // set when the file's blocks could not be reserved: it must not be written

	// chunk > 0: blocks are reserved as writing advances, chunk bytes at a time, up to reservedTo (a file
	// with many siblings, like a consume queue, then holds only what it uses). 0: all reserved up front.
	chunk      int
	reservedTo atomic.Int64

	pf         atomic.Pointer[prefaulter] // the queue's prefaulter, once it has seen this file (prefault.go)
	prefaulted atomic.Int64               // end of the bytes it populated
	refault    atomic.Int64               // 1 + where to populate again after a flush (0: nothing to do)
}

// Create creates (or reuses, if it has the exact size) a segment file and maps it. The file is extended to
// size with ftruncate, so it is sparse until written.
//
// A new file appears under its final name only at full size: it is allocated under a dot-name in the
// parent directory (which neither Java nor rocketd lists as a segment) and renamed into place, so a crash
// (kill -9, power cut) while allocating never leaves a short segment that would make the next start, Java's
// or ours, refuse the directory.
func Create(path string, from int64, size int) (*File, error) { return create(path, from, size, 0) }

func create(path string, from int64, size, chunk int) (*File, error) {
	fd, err := os.OpenFile(path, os.O_RDWR, 0)
	fresh := false
	if errors.Is(err, os.ErrNotExist) {
		fd, err = allocate(path, size, chunk)
		fresh = true
	}
	if errors.Is(err, ErrNoSpace) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("mmapfile: create %s: %w", path, err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("mmapfile: stat %s: %w", path, err)
	}
	if st.Size() != int64(size) {
		if st.Size() > int64(size) {
			fd.Close()
			return nil, fmt.Errorf("%w: %s is %d bytes, want %d; move it away or fix the size config", ErrBadFileSize, path, st.Size(), size)
		}
		if err := fd.Truncate(int64(size)); err != nil {
			fd.Close()
			return nil, fmt.Errorf("mmapfile: extend %s to %d bytes: %w", path, size, err)
		}
	}
	if chunk == 0 {
		if err := reserveAll(fd, path, size, false); err != nil {
			fd.Close()
			return nil, err
		}
	}
	f, err := mapFile(fd, path, from, size)
	if err != nil {
		return nil, err
	}
	f.chunk = chunk
	if fresh && chunk > 0 {
		f.reservedTo.Store(int64(min(size, chunk)))
	}
	syncDir(filepath.Dir(path))
	return f, nil
}

// allocTemp is where Create allocates path before renaming it into place.
func allocTemp(path string) string {
	dir := filepath.Dir(path)
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+"-"+filepath.Base(path)+".alloc")
}

func allocate(path string, size, chunk int) (*os.File, error) {
	tmp := allocTemp(path)
	fd, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	if err := fd.Truncate(int64(size)); err != nil {
		fd.Close()
		_ = os.Remove(tmp)
		return nil, err
	}
	reserve := size
	if chunk > 0 { // a lazily reserved file starts with one chunk; Ensure reserves the rest as it grows
		reserve = min(size, chunk)
	}
	if err := reserveAll(fd, path, reserve, true); err != nil {
		fd.Close()
		_ = os.Remove(tmp)
		return nil, err
	}
	if err := fd.Sync(); err != nil {
		fd.Close()
		_ = os.Remove(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		fd.Close()
		_ = os.Remove(tmp)
		return nil, err
	}
	return fd, nil
}

// Open maps an existing segment; its size must be exactly size.
func Open(path string, from int64, size int) (*File, error) { return open(path, from, size, 0) }

func open(path string, from int64, size, chunk int) (*File, error) {
	fd, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("mmapfile: open %s: %w", path, err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("mmapfile: stat %s: %w", path, err)
	}
	if st.Size() != int64(size) {
		fd.Close()
		return nil, fmt.Errorf("%w: %s is %d bytes, want %d; the size settings must match the ones that wrote the store", ErrBadFileSize, path, st.Size(), size)
	}
	// A sparse file (Java's, or one written before rocketd reserved space) is backed now; if the disk is full
	// it is still opened so that it can be read, but every write to it is refused (see Writable).
	var allocErr error
	if chunk == 0 {
		allocErr = reserveAll(fd, path, size, false)
	}
	f, err := mapFile(fd, path, from, size)
	if err != nil {
		return nil, err
	}
	f.chunk = chunk
	if allocErr != nil {
		f.noSpace.Store(&allocErr)
	}
	return f, nil
}

func mapFile(fd *os.File, path string, from int64, size int) (*File, error) {
	if size <= 0 {
		fd.Close()
		return nil, fmt.Errorf("mmapfile: %s: size %d must be positive", path, size)
	}
	data, err := unix.Mmap(int(fd.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("mmapfile: mmap %s (%d bytes): %w", path, size, err)
	}
	f := &File{path: path, from: from, size: size, fd: fd, data: data}
	f.refs.Store(1)
	return f, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Path is the file's path.
func (f *File) Path() string { return f.path }

// From is the offset of the file's first byte (its name).
func (f *File) From() int64 { return f.from }

// Size is the file size.
func (f *File) Size() int { return f.size }

// Data is the whole mapping. Callers must hold a reference (or own the file) while using it.
func (f *File) Data() []byte { return f.data }

// WrotePos is the number of bytes written.
func (f *File) WrotePos() int { return int(f.wrote.Load()) }

// SetWrotePos sets the write position (load and recovery).
func (f *File) SetWrotePos(p int) { f.wrote.Store(int64(p)) }

// FlushedPos is the number of bytes known durable.
func (f *File) FlushedPos() int { return int(f.flushed.Load()) }

// SetFlushedPos sets the flushed position (load and recovery).
func (f *File) SetFlushedPos(p int) { f.flushed.Store(int64(p)) }

// IsFull reports whether the write position reached the end.
func (f *File) IsFull() bool { return f.WrotePos() >= f.size }

// Remaining is the space left after the write position.
func (f *File) Remaining() int { return f.size - f.WrotePos() }

// Append copies b at the write position and publishes the new position. Only one goroutine may append
// to a file at a time. It returns false if b does not fit.
func (f *File) Append(b []byte) bool {
	p := f.WrotePos()
	if p+len(b) > f.size || f.Ensure(p+len(b)) != nil {
		return false
	}
	copy(f.data[p:], b)
	f.wrote.Store(int64(p + len(b)))
	f.notePrefault(p + len(b))
	return true
}

// Writable is nil when the file's blocks are reserved, else the ErrNoSpace error that says why writing to
// it is refused (a sparse file opened on a full disk). Such a file can still be read.
func (f *File) Writable() error {
	if p := f.noSpace.Load(); p != nil {
		return *p
	}
	return nil
}

// Ensure makes sure bytes up to end are backed by disk blocks before the caller writes them through Data(),
// reserving the next chunk for a lazily reserved file. The error is ErrNoSpace (or what Writable reports).
// Writers are serialised by their owner (the CommitLog or ConsumeQueue lock), so Ensure is too.
func (f *File) Ensure(end int) error {
	if err := f.Writable(); err != nil {
		return err
	}
	// The page after the written data stays reserved too: recovery reads it to find the end, and on tmpfs a
	// read fault on a hole allocates a page (SIGBUS on a full filesystem).
	want := min(int64(f.size), int64(end)+OSPageSize)
	if f.chunk == 0 || want <= f.reservedTo.Load() {
		return nil
	}
	from := f.reservedTo.Load() &^ (OSPageSize - 1)
	to := min(int64(f.size), (want+int64(f.chunk)-1)/int64(f.chunk)*int64(f.chunk))
	if err := Reserve(f.fd, from, to-from, false); err != nil {
		return noSpace(f.path, int(to-from), err)
	}
	f.reservedTo.Store(to)
	return nil
}

// Hold takes a reader reference; it fails once the file is being destroyed or closed.
func (f *File) Hold() bool {
	for {
		n := f.refs.Load()
		if n <= 0 || f.shutdown.Load() {
			return false
		}
		if f.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release drops a reference taken by Hold.
func (f *File) Release() {
	if f.refs.Add(-1) == 0 {
		f.unmap()
	}
}

func (f *File) unmap() {
	f.unmapMu.Lock()
	defer f.unmapMu.Unlock()
	if f.unmapped {
		return
	}
	f.unmapped = true
	_ = unix.Munmap(f.data)
	_ = f.fd.Close()
}

// Flush msyncs the bytes between the flushed and the write position if at least leastPages OS pages are
// dirty (0 = any), or the file is full. It returns the new flushed position.
func (f *File) Flush(leastPages int) (int, error) {
	f.flushMu.Lock()
	defer f.flushMu.Unlock()
	w, fl := f.WrotePos(), f.FlushedPos()
	if w <= fl {
		return fl, nil
	}
	if leastPages > 0 && w < f.size && w/OSPageSize-fl/OSPageSize < leastPages {
		return fl, nil
	}
	if !f.Hold() {
		return fl, ErrClosed
	}
	defer f.Release()
	start := fl &^ (OSPageSize - 1)
	if err := unix.Msync(f.data[start:w], unix.MS_SYNC); err != nil {
		return fl, fmt.Errorf("mmapfile: msync %s: %w", f.path, err)
	}
	f.flushed.Store(int64(w))
	f.noteFlushed(w)
	return w, nil
}

// ZeroFrom makes every byte from pos to the end of the file zero, so that recovery can never resurrect stale
// records beyond a truncation point. It punches a hole (cheap, keeps the size) and falls back to clearing
// the non-zero pages through the mapping (always, where the platform cannot punch holes: punch_*.go).
func (f *File) ZeroFrom(pos int) error {
	if pos >= f.size {
		return nil
	}
	if !f.Hold() {
		return ErrClosed
	}
	defer f.Release()
	err := punchHole(f.fd, int64(pos), int64(f.size-pos))
	if err == nil {
		// The hole must be backed again before anything is appended there.
		if f.chunk > 0 {
			// Keep the page at pos backed (recovery reads it to find the end); Ensure reserves the rest.
			page := int64(pos) &^ (OSPageSize - 1)
			f.reservedTo.Store(min(f.reservedTo.Load(), page))
			if Reserve(f.fd, page, min(int64(f.size)-page, OSPageSize), false) == nil {
				f.reservedTo.Store(min(int64(f.size), page+OSPageSize))
			}
		} else if err := Reserve(f.fd, int64(pos), int64(f.size-pos), false); err != nil {
			err = noSpace(f.path, f.size-pos, err)
			f.noSpace.Store(&err)
		}
		return nil
	}
	for p := pos; p < f.size; {
		end := (p + OSPageSize) &^ (OSPageSize - 1)
		if end > f.size {
			end = f.size
		}
		seg := f.data[p:end]
		for _, c := range seg {
			if c != 0 {
				clear(seg)
				break
			}
		}
		p = end
	}
	return unix.Msync(f.data[pos&^(OSPageSize-1):], unix.MS_SYNC)
}

// ModTime is the file's modification time (retention uses it, like Java).
func (f *File) ModTime() (time.Time, error) {
	st, err := os.Stat(f.path)
	if err != nil {
		return time.Time{}, err
	}
	return st.ModTime(), nil
}

// Close drops the owner reference; the mapping goes away when no reader holds it.
func (f *File) Close() {
	if f.shutdown.CompareAndSwap(false, true) {
		f.Release()
	}
}

// Destroy closes the file and removes it from disk.
func (f *File) Destroy() error {
	f.Close()
	if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("mmapfile: remove %s: %w", f.path, err)
	}
	return nil
}
