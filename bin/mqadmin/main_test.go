package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every command's help is byte for byte the text Java 4.9.8's mqadmin prints for "<command> -h"
// (testdata/usage, captured from compat/java/mqadmin.sh), and -h exits 0 as in Java.
func TestUsageMatchesJava(t *testing.T) {
	files, err := filepath.Glob("testdata/usage/*.txt")
	require.NoError(t, err)
	require.Len(t, files, len(commands()), "one Java usage capture per command")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		want, err := os.ReadFile(f)
		require.NoError(t, err)
		var out, errOut bytes.Buffer
		status := run(context.Background(), []string{name, "-h"}, &out, &errOut)
		require.Equal(t, 0, status, name)
		require.Equal(t, string(want), out.String(), name)
	}
}

// Bad arguments: usage on stdout with status 1 (as Java) plus one line on stderr naming the problem.
func TestBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		stdout string
		stderr string
	}{
		{[]string{"topicRoute"}, 1, "usage: mqadmin topicRoute", "missing required option -t (--topic)"},
		{[]string{"updateTopic", "-t", "T"}, 1, "usage: mqadmin updateTopic -b <arg> | -c <arg> ", "give one of -b, -c"},
		{[]string{"updateTopic", "-t", "T", "-b", "x", "-c", "y"}, 1, "usage:", "exclude each other"},
		{[]string{"topicRoute", "-t", "T", "--bogus"}, 1, "usage: mqadmin topicRoute", "bogus"},
		{[]string{"queryCq", "-t", "T", "-q", "x", "-i", "0", "-n", "127.0.0.1:1"}, 1, "usage: mqadmin queryCq", `"x" is not a queue id`},
		{[]string{"nosuch"}, 1, "The sub command nosuch not exist.", "unknown command"},
		{[]string{"updateSubGroup", "-g", "G", "-n", "127.0.0.1:1"}, 1, "usage: mqadmin updateSubGroup", "give -b"},
		{[]string{"help", "nosuch"}, 1, "The sub command nosuch not exist.", ""},
		{[]string{"help", "topicRoute"}, 0, "usage: mqadmin topicRoute [-h] [-l] [-n <arg>] -t <arg>", ""},
		{nil, 0, "The most commonly used mqadmin commands are:", ""},
	} {
		var out, errOut bytes.Buffer
		status := run(context.Background(), tc.args, &out, &errOut)
		require.Equal(t, tc.status, status, "%v: %s %s", tc.args, out.String(), errOut.String())
		require.Contains(t, out.String(), tc.stdout, tc.args)
		require.Contains(t, errOut.String(), tc.stderr, tc.args)
	}
}

// A server that cannot be reached is one line on stderr and status 1 (Java prints a stack trace, status 0).
func TestUnreachableNamesrv(t *testing.T) {
	var out, errOut bytes.Buffer
	status := run(context.Background(), []string{"clusterList", "-n", "127.0.0.1:1"}, &out, &errOut)
	require.Equal(t, 1, status)
	require.Contains(t, errOut.String(), "mqadmin clusterList: 127.0.0.1:1")
}
