package main

import (
	"context"
	"log/slog"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
)

// run serves the name server on listenPort until ctx is cancelled (SIGINT/SIGTERM).
func run(ctx context.Context, cfg *conf.Namesrv) error {
	s, err := namesrv.New(cfg, slog.Default())
	if err != nil {
		return err
	}
	return s.Run(ctx)
}
