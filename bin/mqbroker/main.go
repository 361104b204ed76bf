// Command mqbroker starts a rocketd broker. It accepts the flags of Apache
// RocketMQ 4.9.8's mqbroker: -c/--configFile, -n/--namesrvAddr,
// -p/--printConfigItem, -m/--printImportantConfig, -h/--help; and rocketd's
// own --version, --log-level, --log-file, --metrics-addr, --bind-address
// (package ops).
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
		slog.Error("mqbroker stopped", "component", "broker", "err", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	app := &cli.App{
		Name:            "mqbroker",
		Usage:           "RocketMQ 4.9.8 compatible broker",
		HideHelpCommand: true,
		UsageText:       "mqbroker [-c file] [-n addr] [-p | -m] [--version] [--log-level l] [--log-file f] [--metrics-addr host:port] [--bind-address a]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "configFile", Aliases: []string{"c"}, Usage: "broker config properties `file`"},
			&cli.StringFlag{Name: "namesrvAddr", Aliases: []string{"n"}, Usage: "name server address list, e.g. '192.168.0.1:9876;192.168.0.2:9876'"},
			&cli.BoolFlag{Name: "printConfigItem", Aliases: []string{"p"}, Usage: "print all config items and exit"},
			&cli.BoolFlag{Name: "printImportantConfig", Aliases: []string{"m"}, Usage: "print important config items and exit"},
		}, ops.Flags()...),
		Action: func(c *cli.Context) error {
			log := slog.New(ops.OneComponent(slog.NewTextHandler(c.App.ErrWriter, nil))).With("component", "broker")
			overrides := map[string]string{}
			if c.IsSet("namesrvAddr") {
				overrides["namesrvAddr"] = c.String("namesrvAddr")
			}
			cfg, warnings, err := conf.LoadBroker(c.String("configFile"), overrides)
			if err != nil || c.Bool("printConfigItem") || c.Bool("printImportantConfig") {
				for _, w := range warnings {
					log.Warn(w)
				}
				if err != nil {
					return err
				}
				return conf.PrintAll(c.App.Writer, !c.Bool("printConfigItem"), cfg.Targets()...)
			}
			plog, closeLog, err := ops.Setup(c, &cfg.Ops)
			if err != nil {
				return err
			}
			defer closeLog()
			log = plog.With("component", "broker")
			for _, w := range warnings {
				log.Warn(w)
			}
			if err := cfg.CheckSupported(); err != nil {
				return err
			}
			if cfg.Path != "" {
				log.Info("config file loaded", "file", cfg.Path)
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			return run(ctx, cfg, c.App.Writer, plog)
		},
	}
	ops.SetVersion(app)
	return app
}
