package store

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseDelayLevels(t *testing.T) {
	d, err := ParseDelayLevels(DefaultMessageStoreConfig("").MessageDelayLevel)
	require.NoError(t, err)
	require.Equal(t, 18, d.MaxLevel())
	require.Equal(t, int64(1000), d[0])
	require.Equal(t, int64(2*3600*1000), d[17])
	require.Equal(t, int64(100+60_000), d.DeliverTimestamp(5, 100))
	require.Equal(t, int64(100+1000), d.DeliverTimestamp(99, 100)) // unknown level: +1 s
	d, err = ParseDelayLevels("2d")
	require.NoError(t, err)
	require.Equal(t, int64(2*24*3600*1000), d[0])
	for _, bad := range []string{"1x", "s", "1.5s"} {
		_, err := ParseDelayLevels(bad)
		require.Error(t, err, bad)
	}
}
