package bench

import (
	"encoding/json"
	"math"
	"math/bits"
	"time"
)

// Histogram is a log-linear latency histogram in the spirit of HdrHistogram: values (nanoseconds) below 2^subBits
// are counted exactly; above that every power-of-two range is split into 2^(subBits-1) equal buckets, so a
// recorded value is reported at most 1/128 (0.8 %) above its true value. Recording is a few instructions and
// never allocates; one Histogram per goroutine, merged at the end.
//
// Written here rather than importing HdrHistogram-go: the module would be the benchmark's only new dependency
// and this needs ~60 lines (record, merge, quantile); exact min/max/mean are kept on the side.
type Histogram struct {
	counts [numBuckets]uint64
	n      uint64
	sum    float64
	min    int64
	max    int64
}

const (
	subBits    = 8                     // 256 exact values, then 128 buckets per octave
	half       = 1 << (subBits - 1)    // buckets per octave
	maxShift   = 40                    // up to 2^(40+8) ns, far beyond any timeout
	numBuckets = (maxShift + 2) * half // 0..255 exact, then 128 per shift
)

func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	}
	u := uint64(v)
	if u < 1<<subBits {
		return int(u)
	}
	shift := bits.Len64(u) - subBits // ≥ 1; u>>shift in [128, 255]
	if shift > maxShift {
		shift, u = maxShift, (1<<(maxShift+subBits))-1
	}
	return (shift+1)*half + int(u>>shift) - half
}

// bucketHigh is the largest value that lands in bucket i.
func bucketHigh(i int) int64 {
	if i < 1<<subBits {
		return int64(i)
	}
	shift := i/half - 1
	sub := i%half + half
	return int64(sub+1)<<shift - 1
}

// Record adds one value.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the exact largest value.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Min is the exact smallest value.
func (h *Histogram) Min() time.Duration { return time.Duration(h.min) }

// Mean is the exact mean.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns the value at or below which a fraction q (0..1) of the values lie, as the upper edge of
// its bucket (never above Max).
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketHigh(i), h.max))
		}
	}
	return time.Duration(h.max)
}

// MarshalJSON writes the summary (microseconds), not the buckets.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	us := func(d time.Duration) float64 { return float64(d) / 1e3 }
	return json.Marshal(map[string]any{
		"count": h.n, "mean_us": us(h.Mean()), "min_us": us(h.Min()), "p50_us": us(h.Quantile(.5)),
		"p99_us": us(h.Quantile(.99)), "p999_us": us(h.Quantile(.999)), "max_us": us(h.Max()),
	})
}
