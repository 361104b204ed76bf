package mmapfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestFileName(t *testing.T) {
	if got := FileName(1073741824); got != "00000000001073741824" {
		t.Fatal(got)
	}
	if got := FileName(6000000); got != "00000000000006000000" {
		t.Fatal(got)
	}
	v, err := ParseFileName("00000000001073741824")
	must(t, err)
	if v != 1073741824 {
		t.Fatal(v)
	}
	for _, bad := range []string{"abc", "0000000000000000000x", "1", "+0000000000000000001"} {
		if _, err := ParseFileName(bad); !errors.Is(err, ErrBadFileName) {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}

func TestQueueAppendFindTruncate(t *testing.T) {
	dir := t.TempDir()
	q := NewQueue(dir, 8192)
	var written int64
	for i := 0; i < 5; i++ {
		f, err := q.LastOrCreate(0)
		must(t, err)
		for f.Remaining() >= 3000 {
			if !f.Append(make([]byte, 3000)) {
				t.Fatal("append failed")
			}
			written += 3000
		}
		f.SetWrotePos(f.Size()) // pad like a BLANK tail
	}
	if q.Len() != 5 {
		t.Fatal(q.Len())
	}
	if f := q.FindByOffset(8192*3+5, false); f == nil || f.From() != 8192*3 {
		t.Fatal("find")
	}
	if q.FindByOffset(8192*5, false) != nil {
		t.Fatal("find beyond")
	}
	if _, err := q.Flush(0); err != nil {
		t.Fatal(err)
	}
	if q.FlushedWhere() != 8192*5 {
		t.Fatal(q.FlushedWhere())
	}
	f := q.FindByOffset(8192*2, false)
	copy(f.Data()[100:], "garbage")
	must(t, q.TruncateDirty(8192*2+50))
	if q.Len() != 3 || q.MaxOffset() != 8192*2+50 {
		t.Fatal(q.Len(), q.MaxOffset())
	}
	if f.Data()[100] != 0 {
		t.Fatal("tail not zeroed")
	}
	q.Close()

	q2 := NewQueue(dir, 8192)
	must(t, q2.Load())
	if q2.Len() != 3 || q2.MaxOffset() != 8192*3 {
		t.Fatal(q2.Len(), q2.MaxOffset())
	}
	// Retention by mtime.
	old := time.Now().Add(-100 * time.Hour)
	for _, f := range q2.Files() {
		must(t, os.Chtimes(f.Path(), old, old))
	}
	n, err := q2.DeleteExpiredByTime(72*time.Hour, time.Now(), 1)
	must(t, err)
	if n != 1 || q2.MinOffset() != 8192 {
		t.Fatal(n, q2.MinOffset())
	}
	n, err = q2.DeleteExpiredByTime(72*time.Hour, time.Now(), 0)
	must(t, err)
	if n != 1 || q2.Len() != 1 {
		t.Fatal(n, q2.Len(), "last file must stay")
	}
	q2.Close()
}

func TestQueueLoadRejects(t *testing.T) {
	dir := t.TempDir()
	q := NewQueue(dir, 4096)
	_, err := q.LastOrCreate(0)
	must(t, err)
	q.Close()

	short := make([]byte, 100)
	short[10] = 1 // a short file with data is refused; an all-zero one is repaired (TestQueueLoadRepairsShortEmptyLast)
	must(t, os.WriteFile(filepath.Join(dir, FileName(4096)), short, 0o644))
	if err := NewQueue(dir, 4096).Load(); !errors.Is(err, ErrBadFileSize) {
		t.Fatal(err)
	}
	must(t, os.Remove(filepath.Join(dir, FileName(4096))))
	must(t, os.WriteFile(filepath.Join(dir, FileName(8192)), make([]byte, 4096), 0o644))
	if err := NewQueue(dir, 4096).Load(); !errors.Is(err, ErrNotContigous) {
		t.Fatal(err)
	}
	must(t, os.Remove(filepath.Join(dir, FileName(8192))))
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644))
	if err := NewQueue(dir, 4096).Load(); !errors.Is(err, ErrBadFileName) {
		t.Fatal(err)
	}
}

func TestHoldAfterDestroy(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, FileName(0)), 0, 4096)
	must(t, err)
	if !f.Append([]byte("abc")) {
		t.Fatal("append")
	}
	if !f.Hold() {
		t.Fatal("hold")
	}
	must(t, f.Destroy())
	if string(f.Data()[:3]) != "abc" {
		t.Fatal("mapping must survive while held")
	}
	if f.Hold() {
		t.Fatal("hold after destroy")
	}
	f.Release()
}

// A crash while a segment was being created (by Java, which maps the file to extend it) can leave the
// newest file short and empty; Load extends it instead of refusing the directory. Create itself allocates
// under a temporary name in the parent directory and renames, so it never leaves such a file.
func TestQueueLoadRepairsShortEmptyLast(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "commitlog")
	q := NewQueue(dir, 4096)
	_, err := q.LastOrCreate(0)
	must(t, err)
	q.Close()
	entries, err := os.ReadDir(root)
	must(t, err)
	if len(entries) != 1 {
		t.Fatalf("allocation temp file left behind: %v", entries)
	}
	must(t, os.WriteFile(filepath.Join(dir, FileName(4096)), nil, 0o644))
	q = NewQueue(dir, 4096)
	must(t, q.Load())
	if q.Len() != 2 {
		t.Fatal(q.Len())
	}
	q.Close()
	st, err := os.Stat(filepath.Join(dir, FileName(4096)))
	must(t, err)
	if st.Size() != 4096 {
		t.Fatal(st.Size())
	}
}
