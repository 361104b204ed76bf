package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rocketd/rocketd/remoting/admin"
)

// option is one command-line option in Java's commons-cli terms.
type option struct {
	short, long string
	hasArg      bool
	required    bool
	group       string // options of one group are mutually exclusive (commons-cli OptionGroup)
	desc        string
}

// command is one mqadmin sub-command.
type command struct {
	name string
	desc string
	opts []option
	// groupRequired names the option groups one of whose options must be given.
	groupRequired map[string]bool
	run           func(x *invocation) error
}

// invocation is one parsed command line.
type invocation struct {
	ctx    context.Context
	c      *cli.Context
	out    io.Writer
	admin  *admin.Client
	stderr io.Writer
}

// has reports whether the option was given (by its short name).
func (x *invocation) has(short string) bool { return x.c.IsSet(short) }

// str is the trimmed value of an option ("" if absent).
func (x *invocation) str(short string) string { return strings.TrimSpace(x.c.String(short)) }

func (x *invocation) printf(format string, a ...any) { fmt.Fprintf(x.out, format, a...) }

// common options every command has (Java ServerUtil.buildCommandlineOptions).
var commonOpts = []option{
	{short: "h", long: "help", desc: "Print help"},
	{short: "n", long: "namesrvAddr", hasArg: true, desc: "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'"},
}

func allOpts(c *command) []option {
	out := append(append([]option(nil), commonOpts...), c.opts...)
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(key(out[i])) < strings.ToLower(key(out[j])) })
	return out
}

func key(o option) string {
	if o.short != "" {
		return o.short
	}
	return o.long
}

// Java's -h/--help is an ordinary option here (printUsage), not urfave/cli's help.
func init() { cli.HelpFlag = nil }

// execute parses args with urfave/cli and runs the command.
func execute(ctx context.Context, cmd *command, args []string, stdout, stderr io.Writer) int {
	status := 0
	var flags []cli.Flag
	for _, o := range allOpts(cmd) {
		var aliases []string
		// Java declares some long names with a trailing space (printMsg's "charsetName "): shown, not usable.
		if o.long != "" && o.short != "" && !strings.ContainsRune(o.long, ' ') {
			aliases = []string{o.long}
		}
		name := key(o)
		if o.hasArg {
			flags = append(flags, &cli.StringFlag{Name: name, Aliases: aliases})
		} else {
			flags = append(flags, &cli.BoolFlag{Name: name, Aliases: aliases})
		}
	}
	app := &cli.App{
		Name:            "mqadmin " + cmd.name,
		HideHelp:        true,
		HideHelpCommand: true,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           flags,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			printUsage(stdout, cmd)
			fmt.Fprintf(stderr, "mqadmin %s: %v\n", cmd.name, err)
			status = 1
			return nil
		},
		Action: func(c *cli.Context) error {
			if c.Bool("h") {
				printUsage(stdout, cmd)
				return nil
			}
			for _, o := range cmd.opts {
				if o.required && !c.IsSet(key(o)) {
					printUsage(stdout, cmd)
					fmt.Fprintf(stderr, "mqadmin %s: missing required option -%s (--%s)\n", cmd.name, o.short, o.long)
					status = 1
					return nil
				}
			}
			given := map[string]string{}
			for _, o := range cmd.opts {
				if o.group == "" || !c.IsSet(key(o)) {
					continue
				}
				if prev, dup := given[o.group]; dup {
					printUsage(stdout, cmd)
					fmt.Fprintf(stderr, "mqadmin %s: options -%s and -%s exclude each other\n", cmd.name, prev, o.short)
					status = 1
					return nil
				}
				given[o.group] = o.short
			}
			for g := range cmd.groupRequired {
				if _, ok := given[g]; !ok {
					var names []string
					for _, o := range cmd.opts {
						if o.group == g {
							names = append(names, "-"+o.short)
						}
					}
					printUsage(stdout, cmd)
					fmt.Fprintf(stderr, "mqadmin %s: give one of %s\n", cmd.name, strings.Join(names, ", "))
					status = 1
					return nil
				}
			}
			ns := strings.TrimSpace(c.String("n"))
			if ns == "" {
				ns = os.Getenv("NAMESRV_ADDR")
			}
			cl, err := admin.New(ns, admin.DefaultTimeout)
			if err != nil {
				return err
			}
			defer cl.Close()
			rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			x := &invocation{ctx: rctx, c: c, out: stdout, admin: cl, stderr: stderr}
			if err := cmd.run(x); err != nil {
				var ue usageError
				if errors.As(err, &ue) {
					printUsage(stdout, cmd)
				}
				fmt.Fprintf(stderr, "mqadmin %s: %v\n", cmd.name, err)
				status = 1
			}
			return nil
		},
	}
	if err := app.Run(append([]string{"mqadmin " + cmd.name}, args...)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, cmd)
			return 0
		}
		printUsage(stdout, cmd)
		fmt.Fprintf(stderr, "mqadmin %s: %v\n", cmd.name, err)
		return 1
	}
	return status
}

// usageError is a bad option value: the usage is printed before the message.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func badValue(opt, value, want string) error {
	return usageError{fmt.Sprintf("option -%s: %q is not %s", opt, value, want)}
}

// printUsage prints the help text in commons-cli HelpFormatter's layout (width 110), as Java's mqadmin does.
func printUsage(w io.Writer, cmd *command) {
	const width = 110
	opts := allOpts(cmd)
	var sb strings.Builder
	sb.WriteString("usage: mqadmin " + cmd.name)
	done := map[string]bool{}
	for _, o := range opts {
		if o.group != "" {
			// A group prints where its first option sorts: "-b <arg> | -c <arg> " (bracketed unless required).
			if done[o.group] {
				continue
			}
			done[o.group] = true
			var alts []string
			for _, g := range opts {
				if g.group == o.group {
					alt := "-" + key(g)
					if g.hasArg {
						alt += " <arg>"
					}
					alts = append(alts, alt)
				}
			}
			s := strings.Join(alts, " | ")
			if cmd.groupRequired[o.group] {
				sb.WriteString(" " + s + " ")
			} else {
				sb.WriteString(" [" + s + "]")
			}
			continue
		}
		s := "-" + key(o)
		if o.hasArg {
			s += " <arg>"
		}
		if !o.required {
			s = "[" + s + "]"
		}
		sb.WriteString(" " + s)
	}
	wrap(w, sb.String(), width, len("usage: "))
	// Option lines: " -s,--long <arg>" padded to the longest, then three spaces and the description.
	left := make([]string, len(opts))
	maxLen := 0
	for i, o := range opts {
		s := " -" + o.short + ",--" + o.long
		if o.short == "" {
			s = "    --" + o.long
		}
		if o.hasArg {
			s += " <arg>"
		}
		left[i] = s
		maxLen = max(maxLen, len(s))
	}
	for i, o := range opts {
		line := left[i] + strings.Repeat(" ", maxLen-len(left[i])+3) + o.desc
		wrap(w, line, width, maxLen+3)
	}
}

// wrap prints s in lines of at most width, breaking at spaces; continuation lines are indented by indent.
func wrap(w io.Writer, s string, width, indent int) {
	for len(s) > width {
		cut := strings.LastIndex(s[:width+1], " ")
		if cut <= indent {
			cut = width
		}
		fmt.Fprintln(w, strings.TrimRight(s[:cut], " "))
		s = strings.Repeat(" ", indent) + strings.TrimLeft(s[cut:], " ")
	}
	fmt.Fprintln(w, s)
}

func asResponse(err error, target **admin.ResponseError) bool { return errors.As(err, target) }
