package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// report counts checks and collects figures.
type report struct {
	mu      sync.Mutex
	passed  int
	failed  int
	figures []string
}

func (r *report) check(name string, ok bool, format string, args ...any) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	detail := fmt.Sprintf(format, args...)
	if ok {
		r.passed++
		fmt.Printf("PASS %s: %s\n", name, detail)
	} else {
		r.failed++
		fmt.Printf("FAIL %s: %s\n", name, detail)
	}
	return ok
}

func (r *report) figure(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := fmt.Sprintf(format, args...)
	r.figures = append(r.figures, s)
	fmt.Println("  figure:", s)
}

func main() {
	bin := flag.String("bin", "build", "directory holding the mqnamesrv and mqbroker binaries")
	phases := flag.String("phases", "crash,malformed,load,fulldisk", "comma-separated phases to run")
	cycles := flag.Int("cycles", 25, "kill -9 cycles per flush mode")
	inputs := flag.Int("inputs", 50000, "malformed inputs per server (upper bound)")
	topics := flag.Int("topics", 5000, "topics created in the topic load")
	keep := flag.Bool("keep", false, "keep the work directory")
	child := flag.String("fulldisk-child", "", "internal: run the full-disk phase in this (tmpfs) directory")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

	absBin, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	r := &report{}
	if *child != "" {
		fullDiskChild(r, absBin, *child)
		fmt.Printf("CHILD-RESULT %d %d\n", r.passed, r.failed)
		for _, f := range r.figures {
			fmt.Println("CHILD-FIGURE", f)
		}
		return
	}
	for _, b := range []string{"mqnamesrv", "mqbroker"} {
		if _, err := os.Stat(filepath.Join(absBin, b)); err != nil {
			fmt.Fprintf(os.Stderr, "torture: %v; run `make build` first (make torture does)\n", err)
			os.Exit(2)
		}
	}
	dir, err := os.MkdirTemp("", "rocketd-torture-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("torture: work directory", dir)
	c := &cluster{dir: dir, bin: absBin}
	start := time.Now()
	for _, ph := range strings.Split(*phases, ",") {
		t0 := time.Now()
		fmt.Printf("== phase %s\n", ph)
		switch strings.TrimSpace(ph) {
		case "crash":
			crashPhase(r, c, *cycles)
		case "malformed":
			malformedPhase(r, c, *inputs)
		case "load":
			loadPhase(r, c, *topics)
		case "fulldisk":
			fullDiskPhase(r, c)
		default:
			fmt.Fprintf(os.Stderr, "torture: unknown phase %q\n", ph)
			os.Exit(2)
		}
		r.figure("phase %s took %v", ph, time.Since(t0).Round(time.Second))
	}
	fmt.Printf("\n%d passed, %d failed (%v)\n", r.passed, r.failed, time.Since(start).Round(time.Second))
	fmt.Println("figures:")
	for _, f := range r.figures {
		fmt.Println("  -", f)
	}
	if r.failed == 0 && !*keep {
		_ = os.RemoveAll(dir)
	} else {
		fmt.Println("work directory kept:", dir)
	}
	if r.failed > 0 {
		os.Exit(1)
	}
}
