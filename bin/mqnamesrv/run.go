package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/ops"
)

// run serves the name server on listenPort until ctx is cancelled (SIGINT/SIGTERM). Once serving it prints
// Java's "boot success" line on stdout, which start scripts wait for.
func run(ctx context.Context, cfg *conf.Namesrv, stdout io.Writer, log *slog.Logger) error {
	mon, err := ops.StartMonitor(cfg.Ops, log.With("component", "namesrv"))
	if err != nil {
		return err
	}
	defer func() { _ = mon.Close() }()
	stopGC, err := ops.TuneGC(cfg.Ops.GCHeadroomMB, log.With("component", "namesrv"))
	if err != nil {
		return err
	}
	defer stopGC()
	s, err := namesrv.New(cfg, log)
	if err != nil {
		return err
	}
	if err := mon.Register(s.Collectors()...); err != nil {
		return err
	}
	if err := s.Start(ops.ListenAddr(cfg.Ops, cfg.Server.ListenPort)); err != nil {
		return err
	}
	mon.SetReady(s.Ready)
	_, _ = fmt.Fprintln(stdout, namesrv.BootMessage)
	<-ctx.Done()
	return s.Close()
}
