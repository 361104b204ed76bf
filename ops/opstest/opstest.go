// Package opstest helps tests of the operating surface (package ops): a buffer safe to read while a server
// writes to it, waiting for a log line, and scraping /metrics into parsed families.
package opstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Buffer is a bytes.Buffer safe for one writer and concurrent readers.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) { b.mu.Lock(); defer b.mu.Unlock(); return b.b.Write(p) }

// String returns everything written so far.
func (b *Buffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// WaitFor polls read() until re matches (at most d) and returns the first submatch (or the match).
func WaitFor(t testing.TB, d time.Duration, read func() string, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if m := re.FindStringSubmatch(read()); m != nil {
			return m[len(m)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %s in:\n%s", re, d, read())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// File reads a file as a string ("" when it does not exist yet).
func File(path string) func() string {
	return func() string { b, _ := os.ReadFile(path); return string(b) }
}

// Get fetches url and returns the status code and body.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// Scrape fetches and parses a /metrics page.
func Scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := Get(t, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

// Value returns the value of the sample of family name whose labels include want (counter, gauge, untyped,
// or a histogram's or summary's sample count), and whether there is one.
func Value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Summary != nil:
			return float64(m.Summary.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// Labels lists the label names of family name's first sample, sorted as exposed.
func Labels(fams map[string]*dto.MetricFamily, name string) []string {
	f := fams[name]
	if f == nil || len(f.Metric) == 0 {
		return nil
	}
	var out []string
	for _, l := range f.Metric[0].Label {
		out = append(out, l.GetName())
	}
	return out
}

// Describe is a short dump of a family for failure messages.
func Describe(fams map[string]*dto.MetricFamily, name string) string {
	if f := fams[name]; f != nil {
		return fmt.Sprint(f.Metric)
	}
	return name + ": absent"
}

// Run runs a server in the background until the returned stop is called (or the test ends): stop cancels
// its context and fails the test if it returns an error or does not return within d. Calling stop twice is
// fine.
func Run(t testing.TB, d time.Duration, run func(ctx context.Context) error) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("server returned: %v", err)
				}
			case <-time.After(d):
				t.Errorf("server did not stop within %s", d)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}
