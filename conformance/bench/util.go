package bench

import (
	"io"
	"log/slog"
)

// quietLog drops the remoting layer's connection chatter (closed connections at the end of every run).
func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// FreePort returns a loopback port that is free now and outside the kernel's ephemeral range (see portRange),
// so a restarted broker can bind it again.
func FreePort() (int, error) { return freePort(0, 0) }
