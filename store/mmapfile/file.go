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
}

// Create creates (or reuses, if it has the exact size) a segment file and maps it. The file is extended to
// size with ftruncate, so it is sparse until written.
//
// A new file appears under its final name only at full size: it is allocated under a dot-name in the
// parent directory (which neither Java nor rocketd lists as a segment) and renamed into place, so a crash
// (kill -9, power cut) while allocating never leaves a short segment that would make the next start, Java's
// or ours, refuse the directory.
func Create(path string, from int64, size int) (*File, error) {
	fd, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		fd, err = allocate(path, size)
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
	f, err := mapFile(fd, path, from, size)
	if err != nil {
		return nil, err
	}
	syncDir(filepath.Dir(path))
	return f, nil
}

// allocTemp is where Create allocates path before renaming it into place.
func allocTemp(path string) string {
	dir := filepath.Dir(path)
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+"-"+filepath.Base(path)+".alloc")
}

func allocate(path string, size int) (*os.File, error) {
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
func Open(path string, from int64, size int) (*File, error) {
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
	return mapFile(fd, path, from, size)
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
	if p+len(b) > f.size {
		return false
	}
	copy(f.data[p:], b)
	f.wrote.Store(int64(p + len(b)))
	return true
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
