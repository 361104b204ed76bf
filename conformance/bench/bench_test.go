package bench

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	for v := 1; v <= 100000; v++ {
		h.Record(time.Duration(v) * time.Microsecond)
	}
	require.Equal(t, uint64(100000), h.Count())
	for _, q := range []float64{0.5, 0.99, 0.999} {
		want := q * 100000 * float64(time.Microsecond)
		got := float64(h.Quantile(q))
		require.InEpsilon(t, want, got, 1.0/128, "q=%v", q)
		require.GreaterOrEqual(t, got, want, "quantiles are bucket upper edges")
	}
	require.Equal(t, 100*time.Millisecond, h.Quantile(1))
	require.Equal(t, 100*time.Millisecond, h.Max())
	require.Equal(t, time.Microsecond, h.Min())

	var m Histogram
	m.Merge(&h)
	m.Record(time.Hour)
	require.Equal(t, time.Hour, m.Max())
	require.Equal(t, h.Quantile(0.5), m.Quantile(0.5))
}

func TestHistogramBuckets(t *testing.T) {
	prev := -1
	for v := int64(0); v < 1<<20; v += 7 {
		b := bucketOf(v)
		require.GreaterOrEqual(t, b, prev)
		require.GreaterOrEqual(t, bucketHigh(b), v)
		prev = b
	}
	require.Less(t, bucketOf(1<<62), numBuckets)
}

func TestEchoRawSend(t *testing.T) {
	e, err := NewEcho("127.0.0.1:0")
	require.NoError(t, err)
	go e.Serve()
	defer e.Close()
	for _, bin := range []bool{false, true} {
		for _, async := range []bool{false, true} {
			res, err := Send(context.Background(), SendConfig{
				Addr: e.Addr(), Topic: "T", Size: 128, InFlight: 16, Duration: 200 * time.Millisecond,
				Binary: bin, Async: async, Keys: !async, Tags: "TagA",
			})
			require.NoError(t, err)
			require.Zero(t, res.Errors, res.FirstErr)
			require.Positive(t, res.Msgs)
			require.Equal(t, uint64(res.Msgs), res.Lat.Count())
		}
	}
	res, err := Send(context.Background(), SendConfig{Addr: e.Addr(), Topic: "T", Size: 100, InFlight: 4, Batch: 8, MaxMsgs: 800, Duration: 5 * time.Second})
	require.NoError(t, err)
	require.GreaterOrEqual(t, res.Total, int64(800))
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	for i := 0; i < b.N; i++ {
		h.Record(time.Duration(i&0xFFFFF) * time.Microsecond)
	}
}

func BenchmarkEchoSend(b *testing.B) {
	e, err := NewEcho("127.0.0.1:0")
	require.NoError(b, err)
	go e.Serve()
	defer e.Close()
	b.ReportAllocs()
	b.SetBytes(1024)
	res, err := Send(context.Background(), SendConfig{Addr: e.Addr(), Topic: "T", Size: 1024, InFlight: 16, MaxMsgs: int64(b.N), Duration: time.Minute})
	require.NoError(b, err)
	require.Zero(b, res.Errors)
}
