package mmapfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrNoSpace: a segment's bytes could not be reserved on disk (the disk is full, or the filesystem refused).
// The segment is not mapped for writing: a write into a mapped page the filesystem cannot back would kill the
// process with SIGBUS. Free space on the disk named in the error.
var ErrNoSpace = errors.New("mmapfile: cannot reserve disk space for the segment")

// Reserve makes sure the bytes [off, off+n) of fd are backed by disk blocks, without changing any byte that is
// already there. It is a variable so that tests can make allocation fail; production code never changes it.
var Reserve = reserve

// reserve uses fallocate (mode 0: allocate, keep data). Where the filesystem has no fallocate it writes zeros
// into the holes only (found with SEEK_HOLE/SEEK_DATA), checking every write; fresh says the range holds
// nothing yet, so a filesystem without SEEK_HOLE can simply be written over.
func reserve(fd *os.File, off, n int64, fresh bool) error {
	err := fallocate(fd, off, n)
	if err == nil || !(errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS)) {
		return err
	}
	return fillHoles(fd, off, off+n, fresh)
}

func fillHoles(fd *os.File, off, end int64, fresh bool) error {
	zeros := make([]byte, 1<<20)
	write := func(from, to int64) error {
		for p := from; p < to; {
			k := min(int64(len(zeros)), to-p)
			if _, err := fd.WriteAt(zeros[:k], p); err != nil {
				return err
			}
			p += k
		}
		return nil
	}
	for pos := off; pos < end; {
		hole, err := unix.Seek(int(fd.Fd()), pos, unix.SEEK_HOLE)
		if err != nil {
			if errors.Is(err, unix.ENXIO) {
				return nil
			}
			if fresh {
				return write(pos, end)
			}
			return nil // no way to find holes without overwriting data: leave the file as it is
		}
		if hole >= end {
			return nil
		}
		data, err := unix.Seek(int(fd.Fd()), hole, unix.SEEK_DATA)
		if err != nil || data > end {
			data = end
		}
		if err := write(hole, data); err != nil {
			return err
		}
		pos = data
	}
	return nil
}

// backed reports whether every byte of a file of size bytes has a disk block (no holes).
func backed(fd *os.File, size int) bool {
	var st unix.Stat_t
	if err := unix.Fstat(int(fd.Fd()), &st); err != nil {
		return false
	}
	return st.Blocks*512 >= int64(size)
}

// reserveAll backs the whole file, returning an ErrNoSpace error that names the file and its directory.
func reserveAll(fd *os.File, path string, size int, fresh bool) error {
	if !fresh && backed(fd, size) {
		return nil
	}
	if err := Reserve(fd, 0, int64(size), fresh); err != nil {
		return noSpace(path, size, err)
	}
	return nil
}

func noSpace(path string, size int, err error) error {
	return fmt.Errorf("%w: %d bytes for %s on the disk holding %s: %v; free space on that disk or add disk",
		ErrNoSpace, size, filepath.Base(path), filepath.Dir(path), err)
}
