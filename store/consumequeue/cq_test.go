package consumequeue

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const testFileSize = 100 * UnitSize // 100 units per file

func TestPutRecoverTruncate(t *testing.T) {
	root := t.TempDir()
	s := NewSet(root, testFileSize, nil)
	cq := s.GetOrCreate("TopicTest", 1)
	for i := int64(0); i < 250; i++ {
		require.NoError(t, cq.PutUnit(i*100, 100, i, i))
	}
	// Idempotent: already covered units are skipped.
	require.NoError(t, cq.PutUnit(0, 100, 0, 0))
	require.Equal(t, int64(250), cq.MaxOffset())
	require.Equal(t, int64(0), cq.MinOffset())
	require.Equal(t, int64(250*100), cq.MaxPhysicOffset())
	u, ok := cq.UnitAt(123)
	require.True(t, ok)
	require.Equal(t, Unit{PhyOffset: 12300, Size: 100, TagsCode: 123}, u)
	require.Equal(t, int64(200), cq.RollNextFile(150))
	require.NoError(t, s.Flush(0))
	s.Close()

	s2 := NewSet(root, testFileSize, nil)
	require.NoError(t, s2.Load())
	maxPhy, err := s2.Recover()
	require.NoError(t, err)
	require.Equal(t, int64(25000), maxPhy)
	cq2 := s2.Get("TopicTest", 1)
	require.Equal(t, int64(250), cq2.MaxOffset())
	require.Equal(t, 3, cq2.Files().Len())

	require.NoError(t, s2.TruncateByPhy(12000)) // keep units 0..119
	require.Equal(t, int64(120), cq2.MaxOffset())
	require.Equal(t, int64(11900+100), cq2.MaxPhysicOffset())
	require.Equal(t, 2, cq2.Files().Len())
	require.NoError(t, cq2.PutUnit(12000, 100, 0, 120))
	require.Equal(t, int64(121), cq2.MaxOffset())
	require.NoError(t, s2.TruncateByPhy(0))
	require.Equal(t, int64(0), cq2.MaxOffset())
	s2.Close()
}

func TestPreBlankFill(t *testing.T) {
	s := NewSet(t.TempDir(), testFileSize, nil)
	cq := s.GetOrCreate("T", 0)
	require.NoError(t, cq.PutUnit(500, 10, 7, 150))
	require.Equal(t, int64(150), cq.MinOffset())
	require.Equal(t, int64(151), cq.MaxOffset())
	first := cq.Files().First()
	require.Equal(t, int64(100*UnitSize), first.From()) // file of unit 150 starts at unit 100
	u, _ := DecodeUnit(first.Data()[10*UnitSize:])      // unit 110: pre-blank
	require.Equal(t, Unit{PhyOffset: 0, Size: preBlankSize}, u)
	_, ok := cq.UnitAt(149)
	require.False(t, ok)
	u, ok = cq.UnitAt(150)
	require.True(t, ok)
	require.Equal(t, int64(500), u.PhyOffset)
	cq.CorrectMinOffset(0)
	require.Equal(t, int64(150), cq.MinOffset())
	s.Close()
}

func TestOffsetByTime(t *testing.T) {
	s := NewSet(t.TempDir(), testFileSize, nil)
	cq := s.GetOrCreate("T", 0)
	for i := int64(0); i < 50; i++ {
		require.NoError(t, cq.PutUnit(i*10, 10, 0, i))
	}
	storeTime := func(phy int64, _ int32) int64 { return 1000 + phy } // record i stored at 1000+10i
	require.Equal(t, int64(20), cq.OffsetByTime(1200, 0, storeTime))
	require.Equal(t, int64(0), cq.OffsetByTime(0, 0, storeTime))
	require.Equal(t, int64(49), cq.OffsetByTime(1<<40, 0, storeTime))
	require.Equal(t, int64(21), cq.OffsetByTime(1206, 0, storeTime))
	s.Close()
}

func FuzzDecodeUnit(f *testing.F) {
	f.Add(make([]byte, 20))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, ok := DecodeUnit(b)
		if !ok {
			return
		}
		var out [UnitSize]byte
		PutUnitBytes(out[:], u)
		if string(out[:]) != string(b[:UnitSize]) {
			t.Fatal("round trip")
		}
	})
}
