package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/rocketd/rocketd/conf"
)

// run serves until ctx is cancelled (SIGINT/SIGTERM). Placeholder until the
// broker exists: this file is the only one to replace.
func run(ctx context.Context, cfg *conf.Broker) error {
	_ = ctx
	slog.Error("broker not implemented yet", "component", "broker", "listenPort", cfg.Server.ListenPort)
	return errors.New("broker not implemented yet; only -p and -m work for now")
}
