package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

func loadPhase(r *report, c *cluster, topics int) {
	ns, b, bc, ok := c.startPair(r, "load")
	if !ok {
		return
	}
	defer ns.stop()
	defer b.stop()
	cl := &remoting.Client{}
	defer cl.Close()

	hostileConnections(r, cl, ns, func() *remoting.Command { return remoting.NewRequest(code.GetBrokerClusterInfo, nil, nil) })
	hostileConnections(r, cl, b, func() *remoting.Command { return remoting.NewRequest(code.GetBrokerRuntimeInfo, nil, nil) })
	slowReader(r, cl, b, bc)
	manyConnections(r, b)
	topicLoad(r, cl, ns, b, topics)
	r.check("load servers survive", ns.alive() && b.alive() && ns.crashed() == "" && b.crashed() == "", "%s %s", ns.crashed(), b.crashed())
}

// hostileConnections: 500 connections each announce a 16 MiB frame and send nothing more.
func hostileConnections(r *report, cl *remoting.Client, p *proc, live func() *remoting.Command) {
	const conns = 500
	before := rssKB(p.pid())
	var ncs []net.Conn
	for i := 0; i < conns; i++ {
		nc, err := net.DialTimeout("tcp", p.addr, 2*time.Second)
		if err != nil {
			break
		}
		ncs = append(ncs, nc)
		var h [8]byte
		binary.BigEndian.PutUint32(h[:], 16<<20-8)
		binary.BigEndian.PutUint32(h[4:], 100)
		_, _ = nc.Write(h[:])
	}
	time.Sleep(time.Second)
	after := rssKB(p.pid())
	t0 := time.Now()
	_, err := cl.InvokeSync(context.Background(), p.addr, live(), 5*time.Second)
	lat := time.Since(t0)
	for _, nc := range ncs {
		_ = nc.Close()
	}
	grown := (after - before) / 1024
	r.check("load/"+p.name+" length-prefix-only connections", len(ncs) == conns && err == nil && grown < 200,
		"%d connections announcing 16 MiB each: RSS %d -> %d MiB (+%d MiB), a normal request answered in %v %v",
		len(ncs), before/1024, after/1024, grown, lat.Round(time.Millisecond), errOrEmpty(err))
	r.figure("%s RSS with %d length-prefix-only connections: %d MiB -> %d MiB", p.name, conns, before/1024, after/1024)
}

// slowReader: one connection pipelines pulls of large messages and never reads; another client keeps sending.
func slowReader(r *report, cl *remoting.Client, b *proc, bc *brokerConf) {
	if err := createTopic(cl, b.addr, "Slow", 1); err != nil {
		r.check("load/slow reader setup", false, "%v", err)
		return
	}
	big := strings.Repeat("s", 16<<10)
	for i := 0; i < 64; i++ {
		if _, _, err := send(cl, b.addr, "Slow", 0, big, 5*time.Second); err != nil {
			r.check("load/slow reader setup", false, "%v", err)
			return
		}
	}
	nc, err := net.Dial("tcp", b.addr)
	if err != nil {
		r.check("load/slow reader setup", false, "%v", err)
		return
	}
	defer nc.Close()
	var written atomic.Int64
	floodDone := make(chan struct{})
	go func() {
		defer close(floodDone)
		for i := 0; i < 5000; i++ {
			req := pullReq("Slow", 0, 0)
			req.Opaque = int32(i + 1)
			f, _ := req.Encode()
			_ = nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := nc.Write(f); err != nil {
				return
			}
			written.Add(1)
		}
	}()
	var lat []time.Duration
	fails := 0
	for i := 0; i < 200; i++ {
		t0 := time.Now()
		if _, _, err := send(cl, b.addr, "Slow", 0, "small", 5*time.Second); err != nil {
			fails++
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-floodDone:
	case <-time.After(30 * time.Second):
	}
	slices.Sort(lat)
	closed := b.logContains("slow consumer")
	r.check("load/slow reader", fails == 0 && lat[len(lat)-1] < 2*time.Second && closed,
		"%d pipelined pulls (about 256 KiB each) never read; another client's 200 sends: %d failed, p50 %v, max %v; slow consumer closed and logged: %v",
		written.Load(), fails, lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)-1].Round(time.Millisecond), closed)
	r.figure("slow reader: other client's send p50 %v, max %v", lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)-1].Round(time.Millisecond))
}

// manyConnections: 1,000 concurrent connections each send one request and read its answer.
func manyConnections(r *report, b *proc) {
	const conns = 1000
	before := rssKB(b.pid())
	var ok atomic.Int64
	var wg sync.WaitGroup
	var ncs []net.Conn
	var mu sync.Mutex
	t0 := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			nc, err := net.DialTimeout("tcp", b.addr, 5*time.Second)
			if err != nil {
				return
			}
			mu.Lock()
			ncs = append(ncs, nc)
			mu.Unlock()
			req := remoting.NewRequest(code.GetBrokerRuntimeInfo, nil, nil)
			req.Opaque = int32(i)
			f, _ := req.Encode()
			_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := nc.Write(f); err != nil {
				return
			}
			if _, err := remoting.NewFrameReader(nc, 0).ReadFrame(); err == nil {
				ok.Add(1)
			}
		}(i)
	}
	wg.Wait()
	d := time.Since(t0)
	after := rssKB(b.pid())
	for _, nc := range ncs {
		_ = nc.Close()
	}
	r.check("load/1000 connections", ok.Load() == conns, "%d of %d answered in %v; RSS %d -> %d MiB", ok.Load(), conns, d.Round(time.Millisecond), before/1024, after/1024)
	r.figure("1,000 concurrent connections answered in %v, broker RSS %d -> %d MiB", d.Round(time.Millisecond), before/1024, after/1024)
}

// topicLoad: create topics from 16 connections, then look routes up on the name server.
func topicLoad(r *report, cl *remoting.Client, ns, b *proc, n int) {
	const workers = 16
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			wc := &remoting.Client{}
			defer wc.Close()
			for i := w; i < n; i += workers {
				if err := createTopic(wc, b.addr, fmt.Sprintf("Load-%05d", i), 4); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}(w)
	}
	wg.Wait()
	d := time.Since(t0)
	var lat []time.Duration
	missing := 0
	for i := 0; i < 2000; i++ {
		t := fmt.Sprintf("Load-%05d", (i*7919)%n)
		t1 := time.Now()
		resp, err := cl.InvokeSync(context.Background(), ns.addr, remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": t}, nil), 5*time.Second)
		lat = append(lat, time.Since(t1))
		if err != nil || resp.Code != code.Success {
			missing++
		}
	}
	slices.Sort(lat)
	p99 := lat[len(lat)*99/100]
	r.check("load/topics", failed.Load() == 0 && missing == 0, "%d topics by %d connections in %v (%d failed %v); 2,000 route lookups: %d missing, p50 %v, p99 %v",
		n, workers, d.Round(time.Millisecond), failed.Load(), firstErr.Load(), missing, lat[len(lat)/2].Round(time.Microsecond), p99.Round(time.Microsecond))
	r.figure("%d topics created in %v (%.0f/s); route lookup p50 %v, p99 %v", n, d.Round(time.Millisecond), float64(n)/d.Seconds(),
		lat[len(lat)/2].Round(time.Microsecond), p99.Round(time.Microsecond))
}
