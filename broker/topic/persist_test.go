package topic

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Update returns before the file is written; the background writer folds a burst of changes into a few
// whole-file writes, and Flush waits for them. Persist (Put, Delete, the auto-create paths) still returns
// after a write that includes its change.
func TestUpdateBatchesFileWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "topics.json")
	m, err := Open(path, DefaultOptions())
	require.NoError(t, err)
	// Creates in flight at the same time share whole-file writes (group commit).
	const n, conns = 2000, 16
	var cw sync.WaitGroup
	for c := 0; c < conns; c++ {
		cw.Add(1)
		go func(c int) {
			defer cw.Done()
			for i := c; i < n; i += conns {
				_, _, err := m.Update(New(fmt.Sprintf("T-%04d", i)))
				assert.NoError(t, err)
			}
		}(c)
	}
	cw.Wait()
	require.NoError(t, m.Flush())
	require.Less(t, m.FileWrites(), int64(n/4), "one file write per change")

	// Update, like Put, returns only once the file holds the change (Java writes before answering a create).
	_, _, err = m.Update(New("CreatedAndAnswered"))
	require.NoError(t, err)
	onDisk, err := Open(path, DefaultOptions())
	require.NoError(t, err)
	require.True(t, onDisk.Contains("CreatedAndAnswered"))
	back, err := Open(path, DefaultOptions())
	require.NoError(t, err)
	require.Equal(t, m.Names(), back.Names())
	require.Equal(t, m.DataVersion(), back.DataVersion())

	// Put is durable when it returns, even while the writer is busy with others' changes.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				_, _, _ = m.Update(New(fmt.Sprintf("U-%d-%d", i, j)))
			}
		}(i)
	}
	require.NoError(t, m.Put(New("Durable")))
	back, err = Open(path, DefaultOptions())
	require.NoError(t, err)
	require.True(t, back.Contains("Durable"))
	wg.Wait()
	require.NoError(t, m.Flush())
}
