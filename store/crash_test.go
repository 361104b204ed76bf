package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rocketd/rocketd/store/commitlog"

	"github.com/stretchr/testify/require"
)

// The crash test runs this test binary as a child process that appends with SYNC_FLUSH and prints one line
// per acknowledged put; the parent SIGKILLs it at a random moment, reopens the directory (abnormal
// recovery) and checks that every acknowledged message is there and the log continues right after the last
// valid record.
const envCrashChild = "ROCKETD_STORE_CRASH_CHILD_DIR"

func crashConfig(root string) MessageStoreConfig {
	c := testConfig(root)
	c.FlushDiskType = SyncFlush
	c.MappedFileSizeCommitLog = 64 * 1024
	return c
}

// TestCrashChild is the child side; it does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(envCrashChild)
	if dir == "" {
		t.Skip("child process of TestKill9DuringSyncFlushSends")
	}
	round, _ := strconv.Atoi(os.Getenv("ROCKETD_STORE_CRASH_ROUND"))
	s, err := Open(crashConfig(dir), Options{})
	if err != nil {
		fmt.Println("open-error", err)
		os.Exit(2)
	}
	if err := s.Start(); err != nil {
		fmt.Println("start-error", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	fmt.Fprintf(out, "ready %d\n", s.GetMaxPhyOffset())
	out.Flush()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(round), uint64(w)))
			for i := 0; ; i++ {
				qid := int32(rng.IntN(3))
				body := crashBody(round, w, i, rng.IntN(3000))
				r := s.PutMessage(context.Background(), newMsg("CrashTopic", qid, string(body), map[string]string{"KEYS": fmt.Sprintf("r%dw%di%d", round, w, i)}))
				if r.Status != PutOK {
					mu.Lock()
					fmt.Fprintf(out, "error %v %v\n", r.Status, r.Err)
					out.Flush()
					mu.Unlock()
					return
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %d %d %d %d %d %s\n", qid, r.LogicsOffset, r.WroteOffset, r.WroteBytes, len(body), body[:24])
				out.Flush()
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
}

// crashBody is a self-describing body: a 24-byte header "rRR-wW-iIIIIIIII-" padded, then filler.
func crashBody(round, w, i, extra int) []byte {
	h := fmt.Sprintf("r%02d-w%d-i%08d-", round, w, i)
	b := make([]byte, 24+extra)
	copy(b, h+strings.Repeat("#", 24-len(h)))
	for k := 24; k < len(b); k++ {
		b[k] = byte('a' + (k+i)%26)
	}
	return b
}

type ack struct {
	qid          int32
	queueOffset  int64
	phy          int64
	size, bodyLn int
	head         string
}

func runCrashChild(t *testing.T, dir string, round int, runFor time.Duration) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashChild+"="+dir, "ROCKETD_STORE_CRASH_ROUND="+strconv.Itoa(round))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	lines := make(chan string, 1<<16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var acks []ack
	deadline := time.After(20 * time.Second)
	var kill <-chan time.Time
	killed := false
	for {
		select {
		case <-deadline:
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("round %d: child never became ready / never stopped", round)
		case <-kill:
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
			kill = nil
		case l, ok := <-lines:
			if !ok {
				err := cmd.Wait()
				require.True(t, killed, "round %d: child exited by itself: %v", round, err)
				return acks
			}
			f := strings.Fields(l)
			switch f[0] {
			case "ready":
				kill = time.After(runFor)
			case "ack":
				if len(f) != 7 {
					continue // a line cut by the kill is not an acknowledgement
				}
				var a ack
				q, _ := strconv.Atoi(f[1])
				a.qid = int32(q)
				a.queueOffset, _ = strconv.ParseInt(f[2], 10, 64)
				a.phy, _ = strconv.ParseInt(f[3], 10, 64)
				a.size, _ = strconv.Atoi(f[4])
				a.bodyLn, _ = strconv.Atoi(f[5])
				a.head = f[6]
				acks = append(acks, a)
			default:
				if !killed {
					t.Fatalf("round %d: child: %s", round, l)
				}
			}
		}
	}
}

// TestKill9DuringSyncFlushSends: several rounds of "append with SYNC_FLUSH from 4 goroutines, SIGKILL at a
// random moment, reopen"; one round also gets a torn record appended after the crash (a prefix of a valid
// record, as a power cut mid-write leaves), which recovery must cut at the last valid CRC.
func TestKill9DuringSyncFlushSends(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess crash test")
	}
	dir := t.TempDir()
	cfg := crashConfig(dir)
	var all []ack
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	trusted := 0 // rounds whose recovery trusted a flush mark (CRC-checked only above it)
	for round := 1; round <= 4; round++ {
		runFor := time.Duration(50+rng.IntN(250)) * time.Millisecond
		acks := runCrashChild(t, dir, round, runFor)
		require.NotEmpty(t, acks, "round %d acknowledged nothing in %v", round, runFor)
		all = append(all, acks...)
		_, err := os.Stat(cfg.abortPath())
		require.NoError(t, err, "abort file stays after kill -9")

		var lastEnd int64
		for _, a := range all {
			lastEnd = max(lastEnd, a.phy+int64(a.size))
		}
		if round == 2 {
			tearTail(t, cfg, lastEnd)
		}

		marks := &markRecorder{}
		s, err := Open(cfg, Options{Logger: slog.New(marks)})
		require.NoError(t, err)
		require.False(t, s.LastExitOK())
		if marks.mark > 0 {
			trusted++
		}
		require.NoError(t, s.Start())
		end := s.GetMaxPhyOffset()
		require.True(t, end >= lastEnd, "round %d: recovered end %d below the last acknowledged record end %d", round, end, lastEnd)
		for _, a := range all {
			g := s.GetMessage("g", "CrashTopic", a.qid, a.queueOffset, 1, nil)
			require.Equal(t, Found, g.Status, "round %d: acked message q%d@%d (phy %d) lost", round, a.qid, a.queueOffset, a.phy)
			rec, err := commitlog.Decode(g.Messages[0], true)
			require.NoError(t, err)
			require.Equal(t, a.phy, rec.PhysicalOffset)
			require.Equal(t, a.bodyLn, len(rec.Body))
			require.Equal(t, a.head, string(rec.Body[:24]))
			g.Release()
		}
		// The log continues right after the last valid record.
		r := put(t, s, newMsg("CrashTopic", 9, "after-recovery", nil))
		require.True(t, r.WroteOffset == end || r.WroteOffset == s.cl.RollNextFile(end),
			"round %d: next append at %d, recovered end %d", round, r.WroteOffset, end)
		require.NoError(t, s.Shutdown())
		rep, err := VerifyDir(cfg)
		require.NoError(t, err)
		require.Equal(t, []string(nil), rep.Problems, "round %d", round)
		t.Logf("round %d: %d acks in %v, recovered end %d (flush mark %d), %d records in all", round, len(acks), runFor, end, marks.mark, rep.Records)
	}
	// The child writes its flush mark every 10 ms (flushIntervalConsumeQueue): the bounded re-check is exercised.
	require.Positive(t, trusted, "no round's recovery used a flush mark")
}

// tearTail writes the first 60% of a copy of the record at the end of the log right after it, with its
// PHYSICALOFFSET patched, and a non-zero garbage word after that: a torn write.
func tearTail(t *testing.T, cfg MessageStoreConfig, lastEnd int64) {
	t.Helper()
	size := int64(cfg.MappedFileSizeCommitLog)
	name := filepath.Join(cfg.commitLogDir(), fmt.Sprintf("%020d", lastEnd-lastEnd%size))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	pos := lastEnd % size
	// Find some record in this file to copy: the first one.
	hdr := make([]byte, 8)
	_, err = f.ReadAt(hdr, 0)
	require.NoError(t, err)
	total := int64(binary.BigEndian.Uint32(hdr))
	if pos+total+8 > size || total <= 0 {
		t.Logf("no room for a torn record at %d", lastEnd)
		return
	}
	// The crash may have left records past the last ack: tear after the real end of data.
	buf := make([]byte, size-pos)
	_, err = f.ReadAt(buf, pos)
	require.NoError(t, err)
	for p := int64(0); p+8 <= int64(len(buf)); {
		rec, err := commitlog.Decode(buf[p:], true)
		if err != nil {
			break
		}
		p += int64(rec.TotalSize)
		pos += int64(rec.TotalSize)
	}
	if pos+total+8 > size {
		return
	}
	rec := make([]byte, total)
	_, err = f.ReadAt(rec, 0)
	require.NoError(t, err)
	binary.BigEndian.PutUint64(rec[28:], uint64(lastEnd-lastEnd%size+pos))
	torn := rec[:total*6/10]
	torn = append(torn, 0xde, 0xad, 0xbe, 0xef)
	_, err = f.WriteAt(torn, pos)
	require.NoError(t, err)
}
