package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/rocketd/rocketd/broker"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/ops"
)

// run serves the broker on listenPort (and the VIP port listenPort-2) until ctx is cancelled
// (SIGINT/SIGTERM), then shuts down cleanly: unregister, flush, checkpoint, abort file removed. The
// monitoring listener, when configured, starts first so that /healthz answers while the store recovers.
// Once serving it prints Java's "boot success" line on stdout, which start scripts wait for.
func run(ctx context.Context, cfg *conf.Broker, stdout io.Writer, log *slog.Logger) error {
	mon, err := ops.StartMonitor(cfg.Ops, log.With("component", "broker"))
	if err != nil {
		return err
	}
	defer func() { _ = mon.Close() }()
	stopGC, err := ops.TuneGC(cfg.Ops.GCHeadroomMB, log.With("component", "broker"))
	if err != nil {
		return err
	}
	defer stopGC()
	mon.SetReady(func() error { return fmt.Errorf("store recovering") })
	b, err := broker.New(cfg, log, broker.Options{Metrics: mon != nil})
	if err != nil {
		return err
	}
	if err := mon.Register(b.Collectors()...); err != nil {
		return err
	}
	if err := b.Start(); err != nil {
		_ = b.Close()
		return err
	}
	mon.SetReady(b.Ready)
	_, _ = fmt.Fprintln(stdout, b.BootMessage())
	<-ctx.Done()
	return b.Close()
}
