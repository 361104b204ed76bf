package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/rocketd/rocketd/conf"
)

// run serves until ctx is cancelled (SIGINT/SIGTERM). Placeholder until the
// name server exists: this file is the only one to replace.
func run(ctx context.Context, cfg *conf.Namesrv) error {
	_ = ctx
	slog.Error("namesrv not implemented yet", "component", "namesrv", "listenPort", cfg.Server.ListenPort)
	return errors.New("namesrv not implemented yet; only -p works for now")
}
