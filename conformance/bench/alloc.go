package bench

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// AllocResult is the send path micro-benchmark: allocations and bytes per SEND_MESSAGE_V2 round trip over the
// broker's real request path (broker/send_alloc_test.go), the median of N runs of `go test -bench`.
type AllocResult struct {
	Bench                            string
	N                                int
	NsPerOp, BytesPerOp, AllocsPerOp float64
	MinAllocs, MaxAllocs             float64
	Output                           string `json:"-"`
}

// Cell is "allocs / B per op (ns/op)".
func (a *AllocResult) Cell() string {
	if a == nil || a.N == 0 {
		return "-"
	}
	s := fmt.Sprintf("%.0f / %.0f B (%.0f ns/op)", a.AllocsPerOp, a.BytesPerOp, a.NsPerOp)
	if a.MinAllocs != a.MaxAllocs {
		s += fmt.Sprintf(" allocs %.0f-%.0f", a.MinAllocs, a.MaxAllocs)
	}
	return s
}

var (
	benchNameRe    = regexp.MustCompile(`^(Benchmark[^\s-]+)(?:-\d+)?\s`)
	benchFiguresRe = regexp.MustCompile(`(?:^|\s)\d+\s+([0-9.]+) ns/op(?:\s+[0-9.]+ MB/s)?\s+([0-9.]+) B/op\s+([0-9.]+) allocs/op`)
)

// ParseAllocBench reads `go test -bench X -benchmem` output: the median of the results of the benchmark
// named. The code under test may log while it runs, so a result's figures can come lines after its name.
func ParseAllocBench(out, name string) *AllocResult {
	a := &AllocResult{Bench: name, Output: out}
	var ns, bs, al []float64
	cur := ""
	for _, line := range strings.Split(out, "\n") {
		if m := benchNameRe.FindStringSubmatch(line); m != nil {
			cur = m[1]
		}
		m := benchFiguresRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if cur == name {
			f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
			ns, bs, al = append(ns, f(m[1])), append(bs, f(m[2])), append(al, f(m[3]))
		}
		cur = ""
	}
	a.N = len(al)
	if a.N == 0 {
		return a
	}
	// 0 allocs is a real figure here: shift by 1 so NewStat (which drops zeros) keeps it.
	shift := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = x + 1
		}
		return out
	}
	sa, sb := NewStat(shift(al)), NewStat(shift(bs))
	a.AllocsPerOp, a.MinAllocs, a.MaxAllocs = sa.Median-1, sa.Min-1, sa.Max-1
	a.BytesPerOp = sb.Median - 1
	a.NsPerOp = NewStat(ns).Median
	return a
}

// RunAllocBench runs `go test ./broker -run '^$' -bench '^BenchmarkSendV2RoundTrip$' -benchmem -count n` in
// root and parses it.
func RunAllocBench(ctx context.Context, goBin, root string, count int) (*AllocResult, error) {
	const name = "BenchmarkSendV2RoundTrip"
	cmd := exec.CommandContext(ctx, goBin, "test", "./broker", "-run", "^$", "-bench", "^"+name+"$", "-benchmem",
		"-count", strconv.Itoa(max(count, 1)))
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	a := ParseAllocBench(string(out), name)
	if err != nil {
		return a, fmt.Errorf("bench: go test -bench %s: %w\n%s", name, err, out)
	}
	if a.N == 0 {
		return a, fmt.Errorf("bench: no %s line in go test output:\n%s", name, out)
	}
	return a, nil
}
