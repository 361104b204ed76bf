package store

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// mapped reports whether the process maps path (Linux: /proc/self/maps; a deleted file shows as "path (deleted)").
func mapped(t *testing.T, path string) bool {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip("needs /proc/self/maps")
	}
	return strings.Contains(string(b), path)
}

// TakeBody hands out the records as slices of the mapping, merged where they lie next to each other, and keeps
// their file mapped through a deletion by the time-based clean-up until the release; the release then unmaps it.
func TestTakeBodyPinsDeletedFile(t *testing.T) {
	s, _, now := retentionStore(t, 500, func(c *MessageStoreConfig) { c.DeleteWhen = "10" })
	first := s.cl.Queue().Files()[0].Path()
	g := s.GetMessage("g", "TopicR", 0, 0, 32, nil)
	require.Equal(t, Found, g.Status)
	require.Len(t, g.Messages, 32)
	var want []byte
	for _, m := range g.Messages {
		want = append(want, m...)
	}
	require.Equal(t, g.BufferTotalSize, len(want))
	segs, release := g.TakeBody()
	require.Len(t, segs, 1, "one queue written in order: the records are one run of the mapping")
	require.Equal(t, want, bytes.Join(segs, nil))
	g.Release() // does nothing now: the pins belong to release
	require.Equal(t, want, bytes.Join(segs, nil))

	age(t, s, 3, now, 100*time.Hour)
	st, err := s.CleanOnce()
	require.NoError(t, err)
	require.Equal(t, 3, st.CommitLogFiles)
	_, err = os.Stat(first)
	require.True(t, os.IsNotExist(err), "the file is deleted from disk")
	require.True(t, mapped(t, first), "a deleted file stays mapped while a pull body points into it")
	require.Equal(t, want, bytes.Join(segs, nil), "and its bytes are intact")
	require.Equal(t, OffsetTooSmall, s.GetMessage("g", "TopicR", 0, 0, 32, nil).Status)

	release()
	require.False(t, mapped(t, first), "the last release unmaps it")
}

// Records of one pull that are not next to each other (a filter skipped some) stay separate segments, in queue
// order, and an empty result hands out nothing.
func TestTakeBodySegments(t *testing.T) {
	s, _, _ := retentionStore(t, 40, nil)
	odd := 0
	f := funcFilter(func(rec []byte) bool { odd++; return odd%2 == 1 })
	g := s.GetMessage("g", "TopicR", 0, 0, 32, f)
	require.Equal(t, Found, g.Status)
	var want []byte
	for _, m := range g.Messages {
		want = append(want, m...)
	}
	n := len(g.Messages)
	segs, release := g.TakeBody()
	require.Len(t, segs, n, "every other record: no two are adjacent")
	require.Equal(t, want, bytes.Join(segs, nil))
	release()

	g = s.GetMessage("g", "TopicR", 0, 40, 32, nil)
	require.Equal(t, OffsetOverflowOne, g.Status)
	segs, release = g.TakeBody()
	require.Empty(t, segs)
	release()
}

type funcFilter func([]byte) bool

func (funcFilter) IsMatchedByConsumeQueue(int64) bool     { return true }
func (f funcFilter) IsMatchedByCommitLog(rec []byte) bool { return f(rec) }
