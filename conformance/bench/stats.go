package bench

import (
	"fmt"
	"slices"
	"time"
)

// Stat summarizes the samples of one figure measured several times (bench-compare repeats each point,
// interleaved between the servers, so that one noisy run does not decide).
type Stat struct {
	N                int
	Median, Min, Max float64
}

// NewStat summarizes the samples that are > 0 (a 0 is a run that measured nothing); the median of an even
// count is the mean of the middle two.
func NewStat(samples []float64) Stat {
	var v []float64
	for _, s := range samples {
		if s > 0 {
			v = append(v, s)
		}
	}
	if len(v) == 0 {
		return Stat{}
	}
	slices.Sort(v)
	n := len(v)
	med := v[n/2]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return Stat{N: n, Median: med, Min: v[0], Max: v[n-1]}
}

// Ratios pairs a[i] with b[i] (the i-th interleaved repetition of each server) and summarizes a[i]/b[i] over
// the pairs where both were measured.
func Ratios(a, b []float64) Stat {
	var r []float64
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] > 0 && b[i] > 0 {
			r = append(r, a[i]/b[i])
		}
	}
	return NewStat(r)
}

// g3 formats a figure with 3 significant digits.
func g3(v float64) string { return fmt.Sprintf("%.3g", v) }

// RatioCell is "median (min-max)", or the single value when there was one pair, or "-" when none.
func (s Stat) RatioCell() string {
	switch {
	case s.N == 0:
		return "-"
	case s.N == 1 || s.Min == s.Max:
		return g3(s.Median)
	default:
		return fmt.Sprintf("%s (%s-%s)", g3(s.Median), g3(s.Min), g3(s.Max))
	}
}

// durs converts durations to float64 nanoseconds (for NewStat/Ratios).
func durs(d []time.Duration) []float64 {
	out := make([]float64, len(d))
	for i, x := range d {
		out[i] = float64(x)
	}
	return out
}
