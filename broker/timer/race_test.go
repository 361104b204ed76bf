//go:build race

package timer

// The race detector slows every goroutine several times over on a loaded 2-core machine; the 100 ms bound
// is proven without it (conformance/timer_test.go, `make timer-full`, BENCHMARKS.md).
const lateBoundMs = 300
