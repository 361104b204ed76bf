// Command mqnamesrv starts a rocketd name server. It accepts the flags of
// Apache RocketMQ 4.9.8's mqnamesrv: -c/--configFile, -p/--printConfigItem,
// -h/--help and, hidden, the -n that Java parses for every server but the name
// server ignores. Like Java's, it has no -m (no name server key is marked
// important): `mqnamesrv -m` prints the usage and exits with status 1, as Java
// 4.9.8's NamesrvStartup does. rocketd's own flags: --version, --log-level,
// --log-file, --metrics-addr, --bind-address (package ops).
package main

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/ops"
)

func main() {
	slog.SetDefault(slog.New(ops.OneComponent(slog.NewTextHandler(os.Stderr, nil))))
	if err := newApp().Run(os.Args); err != nil {
		slog.Error("mqnamesrv stopped", "component", "namesrv", "err", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	app := &cli.App{
		Name:            "mqnamesrv",
		Usage:           "RocketMQ 4.9.8 compatible name server",
		HideHelpCommand: true,
		UsageText:       "mqnamesrv [-c file] [-p] [--version] [--log-level l] [--log-file f] [--metrics-addr host:port] [--bind-address a]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "configFile", Aliases: []string{"c"}, Usage: "name server config properties `file`"},
			&cli.BoolFlag{Name: "printConfigItem", Aliases: []string{"p"}, Usage: "print all config items and exit"},
			&cli.StringFlag{Name: "namesrvAddr", Aliases: []string{"n"}, Hidden: true},
		}, ops.Flags()...),
		Action: func(c *cli.Context) error {
			log := slog.New(ops.OneComponent(slog.NewTextHandler(c.App.ErrWriter, nil))).With("component", "namesrv")
			cfg, warnings, err := conf.LoadNamesrv(c.String("configFile"), nil)
			if err != nil || c.Bool("printConfigItem") {
				if c.IsSet("namesrvAddr") {
					log.Warn("-n has no effect on the name server; accepted for compatibility with Java mqnamesrv")
				}
				for _, w := range warnings {
					log.Warn(w)
				}
				if err != nil {
					return err
				}
				return conf.PrintAll(c.App.Writer, false, cfg.Targets()...)
			}
			plog, closeLog, err := ops.Setup(c, &cfg.Ops)
			if err != nil {
				return err
			}
			defer closeLog()
			log = plog.With("component", "namesrv")
			if c.IsSet("namesrvAddr") {
				log.Warn("-n has no effect on the name server; accepted for compatibility with Java mqnamesrv")
			}
			for _, w := range warnings {
				log.Warn(w)
			}
			if err := cfg.CheckSupported(); err != nil {
				return err
			}
			if c.IsSet("configFile") {
				log.Info("config file loaded", "file", c.String("configFile"))
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			return run(ctx, cfg, c.App.Writer, plog)
		},
	}
	ops.SetVersion(app)
	return app
}
