package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// GCSample is the garbage collection seen in a broker during one paced send run.
//
// rocketd: Count is the growth of go_gc_duration_seconds_count on the broker's /metrics (the monitoring
// listener, metricsListenAddr) across the run; MaxPause is the largest stop-the-world time of one of those
// collections (sweep termination + mark termination, from the GODEBUG=gctrace=1 lines the broker writes to its
// log). Without gctrace lines it falls back to go_gc_duration_seconds{quantile="1"} after the run, which is the
// largest of the last 256 collections (Source says which).
//
// Java: Count is the number of young/mixed/full collections and MaxPause the largest "Pause" in the broker's
// -Xlog:gc file over the run.
type GCSample struct {
	TPS      float64 // messages per second the paced run reached
	Secs     float64 // run length (warmup included)
	Count    int64
	MaxPause time.Duration
	Source   string
}

// PerSec is collections per second.
func (g GCSample) PerSec() float64 {
	if g.Secs <= 0 {
		return 0
	}
	return float64(g.Count) / g.Secs
}

// GoGCMetrics is what the prometheus Go collector exports about collections.
type GoGCMetrics struct {
	Count    int64
	MaxPause time.Duration // quantile="1": largest of the last 256 pauses
}

// ScrapeGoGC reads go_gc_duration_seconds from a /metrics URL.
func ScrapeGoGC(ctx context.Context, url string) (GoGCMetrics, error) {
	var m GoGCMetrics
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return m, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return m, fmt.Errorf("bench: %s: %s", url, resp.Status)
	}
	return parseGoGC(resp.Body)
}

func parseGoGC(r io.Reader) (GoGCMetrics, error) {
	var m GoGCMetrics
	found := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, val, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		switch name {
		case "go_gc_duration_seconds_count":
			f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil {
				return m, fmt.Errorf("bench: %q: %w", line, err)
			}
			m.Count, found = int64(f), true
		case `go_gc_duration_seconds{quantile="1"}`:
			f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil {
				return m, fmt.Errorf("bench: %q: %w", line, err)
			}
			m.MaxPause = time.Duration(f * 1e9)
		}
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if !found {
		return m, fmt.Errorf("bench: no go_gc_duration_seconds_count in /metrics")
	}
	return m, nil
}

// gctraceRe matches a GODEBUG=gctrace=1 line: "gc 12 @3.456s 2%: 0.018+1.2+0.003 ms clock, ...". The first and
// third clock figures are the two stop-the-world phases.
var gctraceRe = regexp.MustCompile(`(?m)^gc (\d+) @[0-9.]+s [0-9]+%: ([0-9.]+)\+[0-9.]+\+([0-9.]+) ms clock`)

// GCTracePauses returns the stop-the-world time of each collection numbered in (after, upto] found in text.
func GCTracePauses(text string, after, upto int64) []time.Duration {
	var out []time.Duration
	for _, m := range gctraceRe.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if n <= after || n > upto {
			continue
		}
		a, _ := strconv.ParseFloat(m[2], 64)
		b, _ := strconv.ParseFloat(m[3], 64)
		out = append(out, time.Duration((a+b)*1e6))
	}
	return out
}

// javaPauseRe matches a -Xlog:gc line: "[1.234s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause)
// 200M->50M(8192M) 3.456ms".
var javaPauseRe = regexp.MustCompile(`(?m)GC\((\d+)\) (Pause [A-Za-z]+)[^\n]* ([0-9.]+)ms$`)

// JavaGCPauses reads -Xlog:gc text: the number of collections (Pause Young / Pause Full ids) and the largest
// pause of any kind (also Remark and Cleanup).
func JavaGCPauses(text string) (count int64, maxPause time.Duration) {
	ids := map[string]bool{}
	for _, m := range javaPauseRe.FindAllStringSubmatch(text, -1) {
		if m[2] == "Pause Young" || m[2] == "Pause Full" {
			ids[m[1]] = true
		}
		f, _ := strconv.ParseFloat(m[3], 64)
		if d := time.Duration(f * 1e6); d > maxPause {
			maxPause = d
		}
	}
	return int64(len(ids)), maxPause
}

// fileTail returns what was appended to path since offset (bounded to 64 MiB).
func fileTail(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, 64<<20))
	return string(b)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
