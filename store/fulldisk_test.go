package store

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const fullDiskEnv = "ROCKETD_TEST_FULLDISK_DIR"

// TestFullDisk fills a small filesystem from another process while messages are put. The broker's store must
// not die of SIGBUS: puts are refused with CREATE_MAPEDFILE_FAILED (or SERVICE_NOT_AVAILABLE once a queue
// file could not be created), every acknowledged message can still be read, the store verifies record by
// record, and a restart on the full disk recovers and serves reads.
//
// The filesystem is a 24 MiB tmpfs mounted in a private mount namespace (unshare -rm); the test re-runs
// itself inside it, so a SIGBUS kills only the child and is reported. Where no namespace can be made, the
// test skips (the allocation seam tests in store/mmapfile still run).
func TestFullDisk(t *testing.T) {
	if dir := os.Getenv(fullDiskEnv); dir != "" {
		fullDiskChild(t, dir)
		return
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not found: cannot mount a small filesystem; the mmapfile allocation-failure tests cover the seam")
	}
	probe := t.TempDir()
	if out, err := exec.Command("unshare", "-rm", "sh", "-c", `mount -t tmpfs -o size=1m none "$0"`, probe).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs in a private mount namespace here (%v: %s); the mmapfile allocation-failure tests cover the seam", err, out)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-rm", "sh", "-c",
		`mount -t tmpfs -o size=24m none "$0" && exec "$1" -test.run '^TestFullDisk$' -test.v -test.count=1`, dir, os.Args[0])
	cmd.Env = append(os.Environ(), fullDiskEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	s := string(out)
	if i := strings.Index(s, "fatal error"); i >= 0 || strings.Contains(s, "SIGBUS") {
		t.Fatalf("the store crashed on a full disk:\n%s", s[max(0, i-2000):min(len(s), max(0, i)+3000)])
	}
	require.NoError(t, err, "child output:\n%s", tail(s, 6000))
	require.Contains(t, s, "FULLDISK-OK", tail(s, 6000))
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "fulldisk_test.go") {
			t.Log(strings.TrimSpace(l))
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

type acked struct {
	qid  int32
	off  int64
	body string
}

func fullDiskChild(t *testing.T, root string) {
	cfg := testConfig(filepath.Join(root, "store"))
	cfg.MappedFileSizeCommitLog = 1 << 20
	cfg.MappedFileSizeConsumeQueue = 1000 * 20
	cfg.MaxHashSlotNum = 1000
	cfg.MaxIndexNum = 4000
	// The periodic disk-ratio check must not be what refuses the puts: this test is about the gap between two checks.
	opts := Options{DiskUsage: func(string) (float64, error) { return 0, nil }}
	s, err := Open(cfg, opts)
	require.NoError(t, err)
	require.NoError(t, s.Start())

	body := strings.Repeat("x", 900)
	var ok []acked
	var refused []PutResult
	filled := false
	start := time.Now()
	for i := 0; i < 200000 && len(refused) < 50 && time.Since(start) < 60*time.Second; i++ {
		if i == 3000 && !filled {
			// Another process fills the rest of the filesystem while we keep sending.
			out, _ := exec.Command("sh", "-c", fmt.Sprintf(`cat /dev/zero > %q/filler; df -k %q | tail -1`, root, root)).CombinedOutput()
			t.Logf("filler: %s", strings.TrimSpace(string(out)))
			filled = true
		}
		m := newMsg("FullDisk", int32(i%4), fmt.Sprintf("%d-%s", i, body), map[string]string{"KEYS": fmt.Sprintf("k%d", i)})
		r := s.PutMessage(context.Background(), m)
		switch r.Status {
		case PutOK:
			ok = append(ok, acked{m.QueueID, r.LogicsOffset, string(m.Body)})
		case CreateMappedFileFailed, ServiceNotAvailable:
			refused = append(refused, r)
		default:
			t.Fatalf("put %d: unexpected status %v: %v", i, r.Status, r.Err)
		}
	}
	require.True(t, filled)
	require.NotEmpty(t, refused, "puts never refused on a full disk")
	t.Logf("%d puts acknowledged, then refused: %v: %v", len(ok), refused[0].Status, refused[0].Err)
	var sawCreate bool
	for _, r := range refused {
		sawCreate = sawCreate || r.Status == CreateMappedFileFailed
		require.Error(t, r.Err)
		require.Contains(t, r.Err.Error(), root, "the refusal names the disk")
	}
	require.True(t, sawCreate, "at least one put must be refused with CREATE_MAPEDFILE_FAILED")

	readAll := func(s *DefaultMessageStore) {
		t.Helper()
		require.Eventually(t, func() bool { return s.DispatchBehindBytes() <= 0 }, 10*time.Second, 10*time.Millisecond)
		missing := 0
		for _, a := range ok {
			g := s.GetMessage("g", "FullDisk", a.qid, a.off, 1, nil)
			if g.Status != Found || len(g.Messages) != 1 {
				missing++
				g.Release()
				continue
			}
			rec := decode(t, g.Messages[0])
			require.Equal(t, a.body, string(rec.Body))
			g.Release()
		}
		require.Zero(t, missing, "acknowledged messages that cannot be read")
	}
	readAll(s)
	require.NoError(t, s.Shutdown())

	rep, err := VerifyDir(cfg)
	require.NoError(t, err)
	require.Empty(t, rep.Problems)
	require.GreaterOrEqual(t, rep.Records, int64(len(ok)))
	t.Logf("verify: %d records in %d CommitLog files, %d units in %d queues, %d index entries", rep.Records, rep.CommitLogFiles, rep.Units, rep.Queues, rep.IndexEntries)

	// Restart on the still-full disk: recovery starts, serves reads, refuses puts cleanly.
	t0 := time.Now()
	s2, err := Open(cfg, opts)
	require.NoError(t, err)
	require.NoError(t, s2.Start())
	t.Logf("recovery on the full disk took %v", time.Since(t0))
	readAll(s2)
	r := s2.PutMessage(context.Background(), newMsg("FullDisk", 0, "after restart", nil))
	require.NotEqual(t, PutOK, r.Status)
	t.Logf("put after restart on the full disk: %v: %v", r.Status, r.Err)
	require.NoError(t, s2.Shutdown())
	fmt.Println("FULLDISK-OK")
}
