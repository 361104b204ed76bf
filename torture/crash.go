package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/store"
)

// storeConfig is the store configuration the torture brokers run with, for store.VerifyDir.
func storeConfig(root string) store.MessageStoreConfig {
	cfg := store.DefaultMessageStoreConfig(root)
	cfg.MappedFileSizeCommitLog = commitLogFileSize
	cfg.MaxHashSlotNum = 10000
	cfg.MaxIndexNum = 40000
	return cfg
}

func verifyStore(r *report, name, root string, atLeast int) {
	rep, err := store.VerifyDir(storeConfig(root))
	if err != nil {
		r.check(name+" store verify", false, "%v", err)
		return
	}
	r.check(name+" store verify", len(rep.Problems) == 0 && rep.Records >= int64(atLeast),
		"%d records in %d CommitLog files, %d units in %d queues, %d index entries; problems: %v",
		rep.Records, rep.CommitLogFiles, rep.Units, rep.Queues, rep.IndexEntries, rep.Problems)
}

// crashPhase: kill -9 cycles under send load, for SYNC_FLUSH and ASYNC_FLUSH.
func crashPhase(r *report, c *cluster, cycles int) {
	ns, err := c.startNamesrv("crash-ns")
	if !r.check("crash namesrv start", err == nil, "%v", err) {
		return
	}
	defer ns.stop()
	const topic, queues, senders = "Torture", 4, 4
	pad := strings.Repeat("p", 200)
	for _, mode := range []string{"SYNC_FLUSH", "ASYNC_FLUSH"} {
		name := "crash/" + mode
		bc, err := c.newBrokerConf("crash-"+strings.ToLower(mode), mode, ns.addr, "", "")
		if !r.check(name+" config", err == nil, "%v", err) {
			continue
		}
		var acks []acked
		var recov []time.Duration
		var mu sync.Mutex
		ok := true
		for cyc := 0; cyc < cycles && ok; cyc++ {
			p, d, err := c.startBroker(bc)
			if !r.check(fmt.Sprintf("%s cycle %d start", name, cyc), err == nil, "recovered and serving in %v %v", d.Round(time.Millisecond), errOrEmpty(err)) {
				ok = false
				break
			}
			recov = append(recov, d)
			cl := &remoting.Client{}
			if cyc == 0 {
				if err := createTopic(cl, bc.addr(), topic, queues); !r.check(name+" create topic", err == nil, "%v", err) {
					p.kill9()
					ok = false
					break
				}
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for g := 0; g < senders; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := 0; i < 1_000_000; i++ {
						select {
						case <-stop:
							return
						default:
						}
						body := fmt.Sprintf("%s-c%d-g%d-%d-%s", mode, cyc, g, i, pad)
						a, _, err := send(cl, bc.addr(), topic, (g+i)%queues, body, 3*time.Second)
						if err != nil {
							time.Sleep(5 * time.Millisecond)
							continue
						}
						mu.Lock()
						acks = append(acks, a)
						mu.Unlock()
					}
				}(g)
			}
			time.Sleep(300*time.Millisecond + rand.N(1200*time.Millisecond))
			p.kill9()
			close(stop)
			wg.Wait()
			_ = cl.Close()
			if s := p.crashed(); s != "" {
				r.check(fmt.Sprintf("%s cycle %d no crash", name, cyc), false, "%s", s)
			}
		}
		if !ok {
			continue
		}
		p, d, err := c.startBroker(bc)
		if !r.check(name+" final start", err == nil, "serving in %v %v", d.Round(time.Millisecond), errOrEmpty(err)) {
			continue
		}
		recov = append(recov, d)
		cl := &remoting.Client{}
		lost, wrong, err := checkAcked(cl, bc.addr(), topic, queues, acks)
		_ = cl.Close()
		r.check(name+" every acknowledged message read back", err == nil && lost == 0 && wrong == 0,
			"%d acknowledged over %d kill -9 cycles: %d lost, %d differ %v", len(acks), cycles, lost, wrong, errOrEmpty(err))
		clean := p.stop()
		r.check(name+" clean stop", clean && p.crashed() == "", "exit %v %s", p.err, p.crashed())
		verifyStore(r, name, filepath.Join(bc.dir, "store"), len(acks))
		slices.Sort(recov)
		r.figure("%s: %d kill -9 cycles, %d acknowledged messages, 0 allowed lost; restart-to-serving min %v, median %v, max %v",
			mode, cycles, len(acks), recov[0].Round(time.Millisecond), recov[len(recov)/2].Round(time.Millisecond), recov[len(recov)-1].Round(time.Millisecond))
	}
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return "(" + err.Error() + ")"
}
