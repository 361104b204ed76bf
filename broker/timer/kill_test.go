package timer

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store"
)

// The kill test runs this test binary as a child that sends timer messages and delivers them; the parent
// SIGKILLs it in the middle, reopens the directory (abnormal recovery of the store, recovery of the timer
// files) and checks that every acknowledged message arrives, none before its time.
const envKillChild = "ROCKETD_TIMER_KILL_CHILD_DIR"

// TestKillChild is the child side; it does nothing in a normal test run.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(envKillChild)
	if dir == "" {
		t.Skip("child process of TestKill9LosesNoTimerMessage")
	}
	n, _ := strconv.Atoi(os.Getenv("ROCKETD_TIMER_KILL_N"))
	spread, _ := strconv.Atoi(os.Getenv("ROCKETD_TIMER_KILL_SPREAD_MS"))
	st := openStore(t, dir)
	svc := openService(t, testOptions(dir, st), st)
	_ = svc
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "ready")
	out.Flush()
	start := time.Now().UnixMilli()
	for i := range n {
		body := fmt.Sprintf("k%d", i)
		due := start + 1000 + rand.Int64N(int64(spread))
		r := sendTimer(t, st, "K", int32(i%2), body, fmt.Sprintf("UK%d", i), map[string]string{compat.PropertyTimerDeliverMS: strconv.FormatInt(due, 10)})
		if r.Status != store.PutOK {
			fmt.Fprintf(out, "error %v %v\n", r.Status, r.Err)
			out.Flush()
			return
		}
		fmt.Fprintf(out, "ack %s %d\n", body, due)
		out.Flush()
		// Spread the sends over the first half of the run.
		time.Sleep(time.Duration(spread/2/n) * time.Millisecond)
	}
	fmt.Fprintln(out, "sent")
	out.Flush()
	time.Sleep(time.Hour) // killed by the parent
}

// runKillChild starts the child, kills it after killAfter and returns the acknowledged sends.
func runKillChild(t *testing.T, dir string, n, spreadMs int, killAfter time.Duration) map[string]int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envKillChild+"="+dir, "ROCKETD_TIMER_KILL_N="+strconv.Itoa(n),
		"ROCKETD_TIMER_KILL_SPREAD_MS="+strconv.Itoa(spreadMs))
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
	acks := map[string]int64{}
	deadline := time.After(killAfter + 30*time.Second)
	var kill <-chan time.Time
	killed := false
	for {
		select {
		case <-deadline:
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatal("timer kill child never became ready")
		case <-kill:
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed, kill = true, nil
		case l, ok := <-lines:
			if !ok {
				err := cmd.Wait()
				require.True(t, killed, "child exited by itself: %v", err)
				return acks
			}
			f := strings.Fields(l)
			switch {
			case len(f) == 1 && f[0] == "ready":
				kill = time.After(killAfter)
			case len(f) == 3 && f[0] == "ack":
				d, err := strconv.ParseInt(f[2], 10, 64)
				require.NoError(t, err)
				acks[f[1]] = d
			case len(f) > 0 && f[0] == "error":
				t.Fatalf("child: %s", l)
			}
		}
	}
}

func TestKill9LosesNoTimerMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	const n, spread = 1000, 8000
	// Killed while it still sends and delivers: due times run from 1 s to 9 s after the start.
	acks := runKillChild(t, dir, n, spread, time.Duration(2500+rand.IntN(2000))*time.Millisecond)
	require.NotEmpty(t, acks)
	st := openStore(t, dir)
	defer st.Shutdown()
	before := len(collect(t, st, "K", 2))
	svc := openService(t, testOptions(dir, st), st)
	defer svc.Stop()
	var last int64
	for _, d := range acks {
		last = max(last, d)
	}
	// Wait until every acknowledged message is there (duplicates and unacknowledged sends also arrive, so
	// a count is not enough), then a little more for late duplicates.
	deadline := time.UnixMilli(last).Add(15 * time.Second)
	var got []arrival
	seen := map[string]bool{}
	for {
		got = collect(t, st, "K", 2)
		clear(seen)
		for _, a := range got {
			seen[string(a.rec.Body)] = true
		}
		missing := 0
		for body := range acks {
			if !seen[body] {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	t.Logf("%d acknowledged before the kill, %d delivered before it, %d deliveries in all", len(acks), before, len(got))
	for body := range acks {
		if !seen[body] {
			t.Errorf("acknowledged timer message %s lost by kill -9: %s", body, explainLoss(t, st, svc, dir, body))
		}
	}
	if t.Failed() {
		return
	}
	checkOnTime(t, filterAcked(got, acks), acks, false, -1)
}

// filterAcked drops deliveries of messages whose send was not acknowledged before the kill (stored, but
// the child died before printing the ack).
func filterAcked(got []arrival, acks map[string]int64) []arrival {
	var out []arrival
	for _, a := range got {
		if _, ok := acks[string(a.rec.Body)]; ok {
			out = append(out, a)
		}
	}
	return out
}

// explainLoss says where a lost message is: its rmq_sys_wheel_timer queue offset and timerlog record.
func explainLoss(t *testing.T, st store.MessageStore, svc *Service, dir, body string) string {
	var qo, phy int64 = -1, -1
	for _, a := range collect(t, st, store.TimerTopic, 1) {
		if string(a.rec.Body) == body {
			qo, phy = a.rec.QueueOffset, a.rec.PhysicalOffset
		}
	}
	ck, _, _ := readCheckpoint(svc.ckptPath)
	out := fmt.Sprintf("timer queue offset %d phy %d; checkpoint %+v; service queueOffset %d; ", qo, phy, ck, svc.queueOffset)
	svc.lg.scan(svc.lg.minPos(), func(pos int64, r record) {
		if r.phyOffset == phy {
			sl := svc.wh.get(r.slotMs)
			out += fmt.Sprintf("record at %d %+v, slot %+v; ", pos, r, sl)
		}
	})
	return out
}
