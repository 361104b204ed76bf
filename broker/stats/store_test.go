package stats

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// putMessageDistributeTime is Java's previous-minute distribution: "null" until the first minute rolls, then
// that minute's counts only.
func TestPutMessageDistributeTimeIsThePreviousMinute(t *testing.T) {
	var s Store
	require.Equal(t, "null", s.RuntimeInfo()["putMessageDistributeTime"])
	s.ObservePut(true, 1, 100, 0)
	s.ObservePut(true, 1, 100, 20*time.Millisecond)
	require.Equal(t, "null", s.RuntimeInfo()["putMessageDistributeTime"], "still the first minute")
	s.RollMinute()
	require.Equal(t, "[<=0ms]:1 [0~10ms]:0 [10~50ms]:1 [50~100ms]:0 [100~200ms]:0 [200~500ms]:0 [500ms~1s]:0 "+
		"[1~2s]:0 [2~3s]:0 [3~4s]:0 [4~5s]:0 [5~10s]:0 [10s~]:0 ", s.RuntimeInfo()["putMessageDistributeTime"])
	s.RollMinute()
	require.Equal(t, "[<=0ms]:0 [0~10ms]:0 [10~50ms]:0 [50~100ms]:0 [100~200ms]:0 [200~500ms]:0 [500ms~1s]:0 "+
		"[1~2s]:0 [2~3s]:0 [3~4s]:0 [4~5s]:0 [5~10s]:0 [10s~]:0 ", s.RuntimeInfo()["putMessageDistributeTime"])
	require.Equal(t, "2", s.RuntimeInfo()["putMessageTimesTotal"], "the totals are not reset")
}
