package store

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stretchr/testify/require"
)

// TestLockHelperProcess is not a real test: run as a child, it takes the kind of lock a Java broker takes
// (classic fcntl F_SETLK write lock on byte 0 of `lock`), prints "locked" and holds it until stdin closes.
func TestLockHelperProcess(t *testing.T) {
	path := os.Getenv("ROCKETD_LOCK_HELPER")
	if path == "" {
		t.Skip("helper process only")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		os.Exit(2)
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 1}
	if err := unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk); err != nil {
		os.Stdout.WriteString("busy\n")
		os.Exit(0)
	}
	os.Stdout.WriteString("locked\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

func startLockHelper(t *testing.T, path string) (string, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), "ROCKETD_LOCK_HELPER="+path)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lineCh := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		lineCh <- l
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("helper did not answer")
	}
	return line, func() {
		stdin.Close()
		_ = cmd.Wait()
	}
}

// A Java-style (classic POSIX) lock held by another process keeps us out, and ours keeps it out.
func TestLockExcludesClassicFcntlLockOfAnotherProcess(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(root)
	lockPath := filepath.Join(root, "lock")

	line, done := startLockHelper(t, lockPath)
	require.Equal(t, "locked\n", line)
	_, err := Open(cfg, Options{})
	require.ErrorIs(t, err, ErrLocked)
	done()

	s, err := Open(cfg, Options{})
	require.NoError(t, err)
	line, done = startLockHelper(t, lockPath)
	require.Equal(t, "busy\n", line)
	done()
	require.NoError(t, s.Shutdown())
}
