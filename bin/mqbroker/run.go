package main

import (
	"context"
	"log/slog"

	"github.com/rocketd/rocketd/broker"
	"github.com/rocketd/rocketd/conf"
)

// run serves the broker on listenPort (and the VIP port listenPort-2) until ctx is cancelled
// (SIGINT/SIGTERM), then shuts down cleanly: unregister, flush, checkpoint, abort file removed.
func run(ctx context.Context, cfg *conf.Broker) error {
	b, err := broker.New(cfg, slog.Default(), broker.Options{})
	if err != nil {
		return err
	}
	return b.Run(ctx)
}
