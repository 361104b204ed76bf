package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// fullDiskPhase re-runs this program inside a private mount namespace with a 48 MiB tmpfs for the store.
func fullDiskPhase(r *report, c *cluster) {
	probe := filepath.Join(c.dir, "fulldisk-probe")
	_ = os.MkdirAll(probe, 0o755)
	if out, err := exec.Command("unshare", "-rm", "sh", "-c", `mount -t tmpfs -o size=1m none "$0"`, probe).CombinedOutput(); err != nil {
		r.figure("fulldisk skipped: cannot mount a tmpfs in a private mount namespace (%v: %s)", err, bytes.TrimSpace(out))
		return
	}
	mnt := filepath.Join(c.dir, "fulldisk-mnt")
	_ = os.MkdirAll(mnt, 0o755)
	self, err := os.Executable()
	if err != nil {
		r.check("fulldisk", false, "%v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-rm", "sh", "-c", `mount -t tmpfs -o size=48m none "$0" && exec "$1" -bin "$2" -fulldisk-child "$0"`, mnt, self, c.bin)
	out, err := cmd.CombinedOutput()
	sawResult := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "CHILD-RESULT "):
			f := strings.Fields(l)
			p, _ := strconv.Atoi(f[1])
			m, _ := strconv.Atoi(f[2])
			r.mu.Lock()
			r.passed += p
			r.failed += m
			r.mu.Unlock()
			sawResult = true
		case strings.HasPrefix(l, "CHILD-FIGURE "):
			r.mu.Lock()
			r.figures = append(r.figures, strings.TrimPrefix(l, "CHILD-FIGURE "))
			r.mu.Unlock()
		default:
			fmt.Println("  |", l)
		}
	}
	r.check("fulldisk child finished", sawResult, "exit %v", err)
}

// fullDiskChild runs inside the namespace: root is the tmpfs; logs and configs go next to it on the real disk.
func fullDiskChild(r *report, bin, root string) {
	c := &cluster{dir: filepath.Join(filepath.Dir(root), "fulldisk-logs"), bin: bin}
	storeRoot := filepath.Join(root, "store")
	bc, err := c.newBrokerConf("fulldisk-broker", "ASYNC_FLUSH", "", storeRoot, "")
	if !r.check("fulldisk config", err == nil, "%v", err) {
		return
	}
	b, _, err := c.startBroker(bc)
	if !r.check("fulldisk broker start", err == nil, "%v", err) {
		return
	}
	cl := &remoting.Client{}
	defer cl.Close()
	if err := createTopic(cl, bc.addr(), "Full", 4); !r.check("fulldisk create topic", err == nil, "%v", err) {
		b.kill9()
		return
	}
	body := strings.Repeat("f", 1000)
	var acks []acked
	var refusals []*remoting.Command
	var filler *exec.Cmd
	start := time.Now()
sending:
	for i := 0; i < 200_000 && len(refusals) < 50 && time.Since(start) < 90*time.Second; i++ {
		if i == 2000 {
			// Another process fills the filesystem while the sends go on.
			filler = exec.Command("sh", "-c", `cat /dev/zero > "$0"/filler 2>/dev/null; true`, root)
			_ = filler.Start()
		}
		a, resp, err := send(cl, bc.addr(), "Full", i%4, fmt.Sprintf("%d-%s", i, body), 5*time.Second)
		switch {
		case err == nil:
			acks = append(acks, a)
		case resp != nil:
			refusals = append(refusals, resp)
		default:
			cl.CloseConn(bc.addr())
			if !b.alive() {
				break sending
			}
		}
	}
	if filler != nil {
		_ = filler.Wait()
	}
	r.check("fulldisk broker survives the disk filling up", b.alive() && b.crashed() == "", "alive %v %s", b.alive(), b.crashed())
	sawCreate, namesDisk := false, false
	for _, resp := range refusals {
		if resp.Code == code.SystemError && strings.Contains(resp.Remark, "create mapped file failed") {
			sawCreate = true
		}
		namesDisk = namesDisk || strings.Contains(resp.Remark, root)
	}
	first := ""
	if len(refusals) > 0 {
		first = fmt.Sprintf("code %d %q", refusals[0].Code, refusals[0].Remark)
	}
	r.check("fulldisk puts refused cleanly", len(refusals) > 0 && sawCreate && namesDisk,
		"%d acknowledged, then %d refused; first refusal %s", len(acks), len(refusals), first)
	lost, wrong, err := checkAcked(cl, bc.addr(), "Full", 4, acks)
	r.check("fulldisk reads served on the full disk", err == nil && lost == 0 && wrong == 0, "%d acknowledged: %d lost, %d differ %v", len(acks), lost, wrong, errOrEmpty(err))

	// kill -9 on the full disk, then recovery on the full disk.
	b.kill9()
	b, d, err := c.startBroker(bc)
	if !r.check("fulldisk recovery on the full disk starts", err == nil, "serving after %v %v", d.Round(time.Millisecond), errOrEmpty(err)) {
		return
	}
	cl.CloseConn(bc.addr())
	lost, wrong, err = checkAcked(cl, bc.addr(), "Full", 4, acks)
	r.check("fulldisk reads after recovery on the full disk", err == nil && lost == 0 && wrong == 0, "%d lost, %d differ %v", lost, wrong, errOrEmpty(err))
	// A put that still fits in the reserved space of the last segment is accepted; one that needs a new segment
	// is refused with a response. Either way the broker stays up.
	_, resp, err := send(cl, bc.addr(), "Full", 0, "after restart-"+body, 5*time.Second)
	r.check("fulldisk put after restart answered cleanly", (err == nil || resp != nil) && b.alive(), "accepted %v %v", err == nil, errOrEmpty(err))
	r.check("fulldisk clean stop", b.stop() && b.crashed() == "", "exit %v %s", b.err, b.crashed())
	verifyStore(r, "fulldisk", storeRoot, len(acks))

	// Space comes back: puts work again after a restart.
	_ = os.Remove(filepath.Join(root, "filler"))
	b, _, err = c.startBroker(bc)
	if r.check("fulldisk restart with space", err == nil, "%v", err) {
		cl.CloseConn(bc.addr())
		_, _, err = send(cl, bc.addr(), "Full", 0, "space is back", 5*time.Second)
		r.check("fulldisk puts accepted once space is back", err == nil, "%v", err)
		r.check("fulldisk final stop", b.stop() && b.crashed() == "", "exit %v", b.err)
	}
	r.figure("full disk (48 MiB tmpfs filled by another process): %d acknowledged, %d refused, 0 lost; recovery on the full disk %v",
		len(acks), len(refusals), d.Round(time.Millisecond))
}
