package stats

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The per-minute stats lines: one per item that moved in the last minute, Java's wording and numbers (the
// first sampling adds a zero sample 10 s earlier, as Java does, so the span is 70 s: 600/70 = 8.57).
func TestLogMinute(t *testing.T) {
	m := NewManager()
	var s Store
	t0 := time.Unix(1_700_000_000, 0)
	m.Add(TopicPutNums, "T1", 0, 0) // create the items before the first sample
	m.AddPair(GroupGetNums, "T1", "G1", 0, 0)
	m.Add(TopicPutNums, "Idle", 0, 0)
	m.Sample(t0, 0)
	m.Add(TopicPutNums, "T1", 600, 3)
	m.AddPair(GroupGetNums, "T1", "G1", 120, 4)
	m.Sample(t0.Add(60*time.Second), 6)

	var buf bytes.Buffer
	LogMinute(slog.New(slog.NewTextHandler(&buf, nil)), m, &s)
	out := buf.String()
	require.Contains(t, out, `msg="[TOPIC_PUT_NUMS] [T1] Stats In One Minute" stats=TOPIC_PUT_NUMS key=T1 sum=600 tps=8.57 avgpt=200.00`)
	require.Contains(t, out, `msg="[GROUP_GET_NUMS] [T1@G1] Stats In One Minute" stats=GROUP_GET_NUMS key=T1@G1 sum=120 tps=1.71 avgpt=30.00`)
	require.NotContains(t, out, "Idle", "items that did not move print nothing")
	require.Contains(t, out, `msg="store stats in one minute"`)
	require.Equal(t, 3, strings.Count(out, "\n"))
}
