package store

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/store/ha"
)

// TestReplicationLargestTransferBatch: conf refuses haTransferBatchSize above conf.MaxHaTransferBatchSize (a
// slave's 4 MiB read buffer minus the frame header, as Java's HAClient). The largest accepted value works: a
// slave 5 MiB behind catches up with full 4 MiB frames; one byte more and the slave cannot take the first
// frame and never catches up (Java's slave stalls on it the same way).
func TestReplicationLargestTransferBatch(t *testing.T) {
	require.Equal(t, ha.MaxFrameBody, conf.MaxHaTransferBatchSize, "conf's bound is the slave's buffer")
	for _, tc := range []struct {
		batch     int
		catchesUp bool
	}{{conf.MaxHaTransferBatchSize, true}, {conf.MaxHaTransferBatchSize + 1, false}} {
		tune := func(c *MessageStoreConfig) {
			c.MappedFileSizeCommitLog = 8 << 20
			c.HaTransferBatchSize = tc.batch
		}
		m, addr := startHAStore(t, AsyncMaster, tune)
		body := strings.Repeat("x", 64<<10)
		for i := 0; i < 80; i++ { // ~5 MiB: the first frame is a full batch
			put(t, m, newMsg("batch", 0, body, nil))
		}
		s, _ := startHAStore(t, Slave, tune)
		s.UpdateHaMasterAddress(addr)
		caughtUp := func() bool { return s.GetMaxPhyOffset() == m.GetMaxPhyOffset() }
		if tc.catchesUp {
			require.Eventually(t, caughtUp, 20*time.Second, 10*time.Millisecond,
				"batch %d: slave at %d, master at %d", tc.batch, s.GetMaxPhyOffset(), m.GetMaxPhyOffset())
			continue
		}
		require.Never(t, caughtUp, 3*time.Second, 50*time.Millisecond, "batch %d: a frame above the slave's buffer", tc.batch)
		require.Zero(t, s.GetMaxPhyOffset(), "nothing of the oversized frame is written")
	}
}
