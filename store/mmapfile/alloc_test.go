package mmapfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func allocatedBytes(t *testing.T, path string) int64 {
	t.Helper()
	var st unix.Stat_t
	require.NoError(t, unix.Stat(path, &st))
	return st.Blocks * 512
}

// A new segment has every block reserved before it is mapped: a write through the mapping can never meet a
// full disk (SIGBUS).
func TestCreateReservesBlocks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "commitlog")
	q := NewQueue(dir, 1<<20)
	f, err := q.LastOrCreate(0)
	require.NoError(t, err)
	defer q.Close()
	require.NoError(t, f.Writable())
	require.GreaterOrEqual(t, allocatedBytes(t, f.Path()), int64(1<<20), "the segment is sparse")
}

// When the blocks cannot be reserved, Create fails with ErrNoSpace naming the disk, and leaves nothing behind.
func TestCreateFailsCleanlyWithoutSpace(t *testing.T) {
	old := Reserve
	Reserve = func(*os.File, int64, int64, bool) error { return unix.ENOSPC }
	t.Cleanup(func() { Reserve = old })
	dir := filepath.Join(t.TempDir(), "commitlog")
	q := NewQueue(dir, 1<<20)
	_, err := q.LastOrCreate(0)
	require.ErrorIs(t, err, ErrNoSpace)
	require.Contains(t, err.Error(), dir)
	require.Zero(t, q.Len())
	ents, _ := os.ReadDir(dir)
	require.Empty(t, ents)
	ents, _ = os.ReadDir(filepath.Dir(dir))
	require.Len(t, ents, 1, "the .alloc temporary file must be removed")
}

// A sparse segment (Java's, or an old rocketd's) opened on a full disk can be read but refuses writes.
func TestOpenSparseOnFullDiskIsReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName(0))
	fd, err := os.Create(path)
	require.NoError(t, err)
	_, err = fd.WriteAt([]byte("data"), 0)
	require.NoError(t, err)
	require.NoError(t, fd.Truncate(1<<20))
	require.NoError(t, fd.Close())

	old := Reserve
	Reserve = func(*os.File, int64, int64, bool) error { return unix.ENOSPC }
	f, err := Open(path, 0, 1<<20)
	Reserve = old
	require.NoError(t, err)
	defer f.Close()
	require.ErrorIs(t, f.Writable(), ErrNoSpace)
	require.Equal(t, "data", string(f.Data()[:4]))
	f.SetWrotePos(4)
	require.False(t, f.Append([]byte("more")))

	// With space, the same file is backed on open, its data untouched.
	f2, err := Open(path, 0, 1<<20)
	require.NoError(t, err)
	defer f2.Close()
	require.NoError(t, f2.Writable())
	require.Equal(t, "data", string(f2.Data()[:4]))
	require.GreaterOrEqual(t, allocatedBytes(t, path), int64(1<<20))
}

// The fallback for filesystems without fallocate fills only the holes.
func TestFillHolesKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	fd, err := os.Create(path)
	require.NoError(t, err)
	defer fd.Close()
	require.NoError(t, fd.Truncate(3<<20))
	_, err = fd.WriteAt([]byte("middle"), 1<<20)
	require.NoError(t, err)
	require.NoError(t, fillHoles(fd, 0, 3<<20, false))
	b := make([]byte, 6)
	_, err = fd.ReadAt(b, 1<<20)
	require.NoError(t, err)
	require.Equal(t, "middle", string(b))
	require.GreaterOrEqual(t, allocatedBytes(t, path), int64(3<<20))
}

// A lazily reserved segment (consume queues) holds only the chunks it has written, and refuses a write whose
// chunk cannot be reserved.
func TestLazyReserve(t *testing.T) {
	q := NewQueue(filepath.Join(t.TempDir(), "cq"), 6<<20)
	q.ReserveLazily(64 << 10)
	f, err := q.LastOrCreate(0)
	require.NoError(t, err)
	defer q.Close()
	require.True(t, f.Append(make([]byte, 20)))
	got := allocatedBytes(t, f.Path())
	require.GreaterOrEqual(t, got, int64(64<<10))
	require.Less(t, got, int64(1<<20), "a consume queue file must not reserve its whole size up front")

	f.SetWrotePos(64 << 10)
	old := Reserve
	Reserve = func(*os.File, int64, int64, bool) error { return unix.ENOSPC }
	defer func() { Reserve = old }()
	require.ErrorIs(t, f.Ensure(f.WrotePos()+20), ErrNoSpace)
	require.False(t, f.Append(make([]byte, 20)))
	require.Equal(t, 64<<10, f.WrotePos())
}
