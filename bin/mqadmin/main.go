// Command mqadmin is a Go port of Apache RocketMQ 4.9.8's mqadmin for the 38 commands operators use most (not
// the ACL and HA ones yet): the same command names, options, help text, output layout and exit status for bad
// arguments, against rocketd or Java servers. compat/java/mqadmin-compare.sh runs each command beside Java's on
// both and compares the outputs.
//
//	mqadmin clusterList -n 127.0.0.1:9876
//	mqadmin updateTopic -n 127.0.0.1:9876 -c DefaultCluster -t Orders -r 8 -w 8
//	mqadmin help topicRoute
//
// The name server comes from -n, else NAMESRV_ADDR. Deliberate differences from Java's (for scripts): an unknown
// command, a bad option value and a failed command exit with status 1 (Java exits 0, after a stack trace for the
// last two); a failure is one line on stderr, "mqadmin <command>: <reason>", where reason carries the server's
// CODE and DESC as Java prints them; -h exits 0 even on a command with required options (Java: 1). A missing
// required option or an unknown one prints the same usage text as Java (status 1) plus one line naming it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one mqadmin invocation and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	switch {
	case len(args) == 0:
		printHelp(stdout, cmds)
		return 0
	case len(args) == 2 && args[0] == "help":
		cmd := find(cmds, args[1])
		if cmd == nil {
			fmt.Fprintf(stdout, "The sub command %s not exist.\n", args[1])
			return 1
		}
		printUsage(stdout, cmd)
		return 0
	}
	cmd := find(cmds, args[0])
	if cmd == nil {
		fmt.Fprintf(stdout, "The sub command %s not exist.\n", args[0])
		fmt.Fprintf(stderr, "mqadmin: unknown command %q; run mqadmin without arguments for the list\n", args[0])
		return 1
	}
	return execute(ctx, cmd, args[1:], stdout, stderr)
}

func find(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

// printHelp is the command list Java prints without arguments.
func printHelp(w io.Writer, cmds []*command) {
	fmt.Fprintf(w, "The most commonly used mqadmin commands are:\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "   %-20s %s\n", c.name, c.desc)
	}
	fmt.Fprintf(w, "\nSee 'mqadmin help <command>' for more information on a specific command.\n")
}
