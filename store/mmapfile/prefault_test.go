package mmapfile

import (
	"bytes"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The prefaulter populates pages ahead of the write position while appends (with flushes, which make it
// populate again) run concurrently, and every byte on disk is what was appended: populating changes nothing.
func TestPrefaultKeepsContentAndRunsAhead(t *testing.T) {
	dir := t.TempDir()
	const size = 4 << 20
	q := NewQueue(dir, size)
	q.StartPrefault(1<<20, true)
	rec := make([]byte, 1000)
	var want []byte
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; len(want) < 3*size-size/2 && time.Now().Before(deadline); i++ {
		for j := range rec {
			rec[j] = byte(i + j)
		}
		f, err := q.LastOrCreate(0)
		must(t, err)
		if f.Remaining() < len(rec) { // pad the tail like a BLANK, so offsets stay simple
			pad := make([]byte, f.Remaining())
			if !f.Append(pad) {
				t.Fatal("pad did not fit")
			}
			want = append(want, pad...)
			continue
		}
		if !f.Append(rec) {
			t.Fatal("append did not fit")
		}
		want = append(want, rec...)
		if i%50 == 0 {
			_, err := q.Flush(0)
			must(t, err)
		}
	}
	_, err := q.Flush(0)
	must(t, err)
	ok := false
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if q.PrefaultedBytes() > 0 {
			ok = true
			break
		}
	}
	if !ok {
		t.Fatal("the prefaulter populated nothing")
	}
	q.Close()
	var got []byte
	for off := int64(0); off < int64(len(want)); off += size {
		b, err := os.ReadFile(dir + "/" + FileName(off))
		must(t, err)
		got = append(got, b...)
	}
	if !bytes.Equal(got[:len(want)], want) {
		t.Fatal("file content differs from what was appended")
	}
	for _, c := range got[len(want):] {
		if c != 0 {
			t.Fatal("bytes after the write position are not zero")
		}
	}
}

// touch, the fallback where MADV_POPULATE_WRITE is missing, never changes a byte, even while another goroutine
// writes the same words.
func TestTouchLeavesBytes(t *testing.T) {
	// Mapped memory, like a segment (the race detector does not watch it; Go heap memory it would).
	b, err := unix.Mmap(-1, 0, 64*OSPageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	must(t, err)
	defer unix.Munmap(b)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			touch(b)
		}
	}()
	for i := 0; i < len(b); i++ {
		b[i] = byte(i%251 + 1)
	}
	<-done
	for i := range b {
		if b[i] != byte(i%251+1) {
			t.Fatalf("byte %d changed", i)
		}
	}
}
