package ops

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/rocketd/rocketd/conf"
)

// ParseLevel reads a log level name: debug, info, warn (or warning), error, case-insensitive.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug", "trace":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log level %q is not one of debug, info, warn, error; set logLevel or --log-level to one of them", s)
}

// NewLogger builds the process logger from the ops keys: text lines at o.LogLevel to stderr, or, when
// o.LogFile is set, to that file, rotated when it reaches o.LogFileMaxSize MB (o.LogFileMaxBackups old files
// kept, named <file>-<timestamp><ext>). Close the returned closer at exit.
//
// The rotation is gopkg.in/natefinch/lumberjack.v2: the Go client already brings it into the module graph,
// and size rotation with backup pruning is what it does, small and widely used.
func NewLogger(stderr io.Writer, o conf.Ops) (*slog.Logger, io.Closer, error) {
	level, err := ParseLevel(o.LogLevel)
	if err != nil {
		return nil, nil, err
	}
	w, closer := stderr, io.Closer(nopCloser{})
	if o.LogFile != "" {
		if o.LogFileMaxSize <= 0 {
			return nil, nil, fmt.Errorf("logFileMaxSize %d: give the size in megabytes at which %s is rotated (default 100)", o.LogFileMaxSize, o.LogFile)
		}
		if err := os.MkdirAll(filepath.Dir(o.LogFile), 0o755); err != nil {
			return nil, nil, fmt.Errorf("log file %s: %w; fix logFile / --log-file", o.LogFile, err)
		}
		f, err := os.OpenFile(o.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("log file %s: %w; fix logFile / --log-file", o.LogFile, err)
		}
		_ = f.Close()
		lj := &lumberjack.Logger{Filename: o.LogFile, MaxSize: o.LogFileMaxSize, MaxBackups: o.LogFileMaxBackups}
		w, closer = lj, lj
	}
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(OneComponent(h)), closer, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// ComponentKey names the subsystem a log line comes from: namesrv, broker, store, transaction, schedule...
const ComponentKey = "component"

// OneComponent wraps h so that a line carries one ComponentKey attribute: a logger derived with
// With("component", x) from one that already has a component (the broker hands its logger to the store,
// which names itself "store") replaces the value instead of adding a second key. slog itself appends
// attributes, which printed "component=broker component=store" before.
func OneComponent(h slog.Handler) slog.Handler {
	return &componentHandler{base: h, h: h}
}

type componentHandler struct {
	base    slog.Handler // h before any attribute was added through this wrapper
	attrs   []slog.Attr  // attributes added so far (component at most once)
	grouped bool         // a group was opened: later attributes go inside it, no duplicate possible at top level
	h       slog.Handler // base with attrs (and groups)
}

func (c *componentHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return c.h.Enabled(ctx, l)
}

func (c *componentHandler) Handle(ctx context.Context, r slog.Record) error {
	if c.grouped || !c.hasComponent() {
		return c.h.Handle(ctx, r)
	}
	var comp *slog.Attr
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == ComponentKey {
			comp = &a
			return false
		}
		return true
	})
	if comp == nil {
		return c.h.Handle(ctx, r)
	}
	// A component given on the line itself wins over the logger's.
	nr := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != ComponentKey {
			nr.AddAttrs(a)
		}
		return true
	})
	return c.with([]slog.Attr{*comp}).(*componentHandler).h.Handle(ctx, nr)
}

func (c *componentHandler) hasComponent() bool {
	for _, a := range c.attrs {
		if a.Key == ComponentKey {
			return true
		}
	}
	return false
}

func (c *componentHandler) WithAttrs(as []slog.Attr) slog.Handler { return c.with(as) }

func (c *componentHandler) with(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return c
	}
	replaces := false
	if !c.grouped && c.hasComponent() {
		for _, a := range as {
			if a.Key == ComponentKey {
				replaces = true
			}
		}
	}
	if !replaces {
		attrs := append(append([]slog.Attr(nil), c.attrs...), as...)
		if c.grouped {
			attrs = c.attrs
		}
		return &componentHandler{base: c.base, attrs: attrs, grouped: c.grouped, h: c.h.WithAttrs(as)}
	}
	attrs := append([]slog.Attr(nil), c.attrs...)
	for _, a := range as {
		done := false
		if a.Key == ComponentKey {
			for i := range attrs {
				if attrs[i].Key == ComponentKey {
					attrs[i], done = a, true
				}
			}
		}
		if !done {
			attrs = append(attrs, a)
		}
	}
	return &componentHandler{base: c.base, attrs: attrs, h: c.base.WithAttrs(attrs)}
}

func (c *componentHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return c
	}
	return &componentHandler{base: c.base, attrs: c.attrs, grouped: true, h: c.h.WithGroup(name)}
}
