//go:build race

package broker

// raceEnabled: the race detector slows the broker about tenfold; load tests scale down under it.
const raceEnabled = true
