package index

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestKeyHashVectors(t *testing.T) {
	// store.md §17
	require.Equal(t, int32(1656969516), KeyHash("TopicTest#KEY1"))
	require.Equal(t, 1969516, int(KeyHash("TopicTest#KEY1"))%DefaultMaxHashSlots)
	require.Equal(t, int32(0), KeyHash("polygenelubricants"))
	require.Equal(t, int32(2041809), KeyHash("中文标签")%DefaultMaxHashSlots)
}

func TestFileName(t *testing.T) {
	ts := time.Date(2024, 3, 5, 7, 8, 9, 123_000_000, time.Local)
	require.Equal(t, "20240305070809123", FileName(ts))
}

func newTestService(t *testing.T, dir string, maxIndex int, full *[]int64) *Service {
	t.Helper()
	s := NewService(Config{Dir: dir, MaxHashSlotNum: 16, MaxIndexNum: maxIndex, OnFileFull: func(ts int64) {
		if full != nil {
			*full = append(*full, ts)
		}
	}})
	require.NoError(t, s.Load(true, 0))
	return s
}

func TestBuildAndQuery(t *testing.T) {
	dir := t.TempDir()
	var full []int64
	s := newTestService(t, dir, 8, &full)
	base := int64(1700000000000)
	for i := int64(0); i < 20; i++ {
		require.NoError(t, s.BuildIndex(&Request{Topic: "T", Keys: "k" + string(rune('a'+i%3)) + " all", UniqKey: "U" + string(rune('A'+i)),
			PhyOffset: i * 100, StoreTimestamp: base + i*1000}))
	}
	// 3 entries per record, 7 per file (entries 1..7) -> several files; full ones were flushed.
	require.True(t, len(s.Files()) >= 8, len(s.Files()))
	require.Equal(t, len(s.Files())-1, len(full))
	res := s.QueryOffset("T", "all", 100, 0, base+1_000_000)
	sort.Slice(res.PhyOffsets, func(i, j int) bool { return res.PhyOffsets[i] < res.PhyOffsets[j] })
	want := make([]int64, 20)
	for i := range want {
		want[i] = int64(i) * 100
	}
	require.Equal(t, want, res.PhyOffsets)
	require.Equal(t, int64(1900), res.IndexLastUpdatePhyOffset)
	res = s.QueryOffset("T", "UC", 10, 0, base+1_000_000)
	require.Equal(t, []int64{200}, res.PhyOffsets)
	res = s.QueryOffset("T", "all", 3, 0, base+1_000_000)
	require.Len(t, res.PhyOffsets, 3)
	// Time range: records 5..9.
	res = s.QueryOffset("T", "all", 64, base+5000, base+9000)
	sort.Slice(res.PhyOffsets, func(i, j int) bool { return res.PhyOffsets[i] < res.PhyOffsets[j] })
	require.Equal(t, []int64{500, 600, 700, 800, 900}, res.PhyOffsets)
	require.Len(t, s.QueryOffset("Other", "all", 10, 0, base*2).PhyOffsets, 0)
	// Re-dispatch of an old record is ignored.
	n := s.Files()[len(s.Files())-1].Header().IndexCount
	require.NoError(t, s.BuildIndex(&Request{Topic: "T", Keys: "all", PhyOffset: 0, StoreTimestamp: base}))
	require.Equal(t, n, s.Files()[len(s.Files())-1].Header().IndexCount)
	require.NoError(t, s.Flush())
	files := len(s.Files())
	s.Close()

	// Reopen: files kept after a clean exit; after a crash, files newer than the checkpoint go.
	s2 := newTestService(t, dir, 8, nil)
	require.Equal(t, files, len(s2.Files()))
	s2.Close()
	s3 := NewService(Config{Dir: dir, MaxHashSlotNum: 16, MaxIndexNum: 8})
	require.NoError(t, s3.Load(false, full[0]))
	require.Equal(t, 1, len(s3.Files()))
	s3.Close()
	// A wrong size config is refused with a clear error.
	s4 := NewService(Config{Dir: dir, MaxHashSlotNum: 17, MaxIndexNum: 8})
	require.Error(t, s4.Load(true, 0))
}

func TestHeaderLayout(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "x"), 16, 8, 0, 0)
	require.NoError(t, err)
	require.True(t, f.PutKey("T#k", 4096, 1700000000000))
	require.True(t, f.PutKey("T#k", 8192, 1700000002500))
	f.Close()
	b, err := os.ReadFile(filepath.Join(dir, "x"))
	require.NoError(t, err)
	require.Equal(t, FileSize(16, 8), len(b))
	h, _ := DecodeHeader(b)
	require.Equal(t, Header{BeginTimestamp: 1700000000000, EndTimestamp: 1700000002500, BeginPhyOffset: 4096, EndPhyOffset: 8192, HashSlotCount: 1, IndexCount: 3}, h)
	e, _ := DecodeEntry(b[HeaderSize+16*SlotSize+2*EntrySize:])
	require.Equal(t, Entry{KeyHash: KeyHash("T#k"), PhyOffset: 8192, TimeDiff: 2, PrevIndex: 1}, e)
}

func FuzzSelectPhyOffsets(f *testing.F) {
	f.Add(make([]byte, FileSize(4, 4)), "k")
	f.Fuzz(func(t *testing.T, b []byte, key string) {
		path := filepath.Join(t.TempDir(), "f")
		img := make([]byte, FileSize(4, 4))
		copy(img, b)
		if err := os.WriteFile(path, img, 0o644); err != nil {
			t.Fatal(err)
		}
		file, err := Open(path, 4, 4)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		_ = file.SelectPhyOffsets(nil, key, 64, -1<<62, 1<<62)
		_ = file.PutKey(key, 1, 2)
		_ = file.SelectPhyOffsets(nil, key, 64, -1<<62, 1<<62)
		_, _ = DecodeEntry(b)
		_, _ = DecodeHeader(b)
	})
}
