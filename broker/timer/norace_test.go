//go:build !race

package timer

// lateBoundMs is the bound: delivered within 100 ms after the due time.
const lateBoundMs = 100
