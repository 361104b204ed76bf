package commitlog

import (
	"log/slog"
	"time"
)

// DefaultProgressEvery is how often a long CommitLog recovery logs its progress.
const DefaultProgressEvery = 5 * time.Second

// progress logs "recovery progress" lines while the CommitLog is walked at start: files and bytes done out of
// the total, the rate and an estimate of the time left. Nothing is logged for a walk shorter than every.
type progress struct {
	log        *slog.Logger
	every      time.Duration
	totalFiles int
	totalBytes int64
	doneFiles  int
	doneBytes  int64 // bytes of the files finished
	start      time.Time
	last       time.Time
}

func newProgress(log *slog.Logger, every time.Duration, sizes []int) *progress {
	if every <= 0 {
		every = DefaultProgressEvery
	}
	p := &progress{log: log, every: every, totalFiles: len(sizes), start: time.Now()}
	for _, s := range sizes {
		p.totalBytes += int64(s)
	}
	p.last = p.start
	return p
}

// at reports the walk at pos bytes into the current file; it logs when every has passed since the last line.
func (p *progress) at(pos int) {
	now := time.Now()
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	done := p.doneBytes + int64(pos)
	elapsed := now.Sub(p.start)
	rate := float64(done) / max(elapsed.Seconds(), 1e-9) // bytes per second
	eta := time.Duration(0)
	if rate > 0 && p.totalBytes > done {
		eta = time.Duration(float64(p.totalBytes-done) / rate * float64(time.Second))
	}
	p.log.Info("recovery progress", "what", "commitlog", "files", p.doneFiles, "filesTotal", p.totalFiles,
		"bytes", done, "bytesTotal", p.totalBytes, "rateMBps", float64(int64(rate/(1<<20)*10))/10,
		"elapsed", elapsed.Round(time.Millisecond), "eta", eta.Round(time.Second))
}

// fileDone counts a finished file of size bytes.
func (p *progress) fileDone(size int) {
	p.doneFiles++
	p.doneBytes += int64(size)
	p.at(0)
}
