package bench

import (
	"io"
	"log/slog"
)

// quietLog drops the remoting layer's connection chatter (closed connections at the end of every run).
func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
