package main

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// headerKeys are the extFields keys request headers use; the campaign fills them with garbage.
var headerKeys = []string{"topic", "group", "consumerGroup", "producerGroup", "queueId", "queueOffset", "maxMsgNums",
	"sysFlag", "commitOffset", "suspendTimeoutMillis", "subscription", "subVersion", "expressionType", "brokerName",
	"brokerAddr", "clusterName", "brokerId", "haServerAddr", "compressed", "bodyCrc32", "namespace", "key", "value",
	"offset", "timestamp", "msgId", "offsetMsgId", "defaultTopic", "readQueueNums", "writeQueueNums", "perm",
	"topicFilterType", "order", "topicSysFlag", "tranStateTableOffset", "commitLogOffset", "commitOrRollback",
	"fromTransactionCheck", "beginTimestamp", "endTimestamp", "maxNum", "clientId", "isForce", "delayLevel",
	"originMsgId", "originTopic", "unitMode", "maxReconsumeTimes", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
	"k", "l", "m"}

var garbage = []string{"", "-1", "0", "1", "2147483648", "-2147483649", "99999999999999999999", "-9223372036854775808",
	"abc", "\x00\xff\xfe", "%RETRY%", "%DLQ%x", "TBW102", "SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC",
	"true", "NaN", "1e309", "../../etc/passwd", "a b c", "\u00e9\u4e2d", strings.Repeat("x", 300), strings.Repeat("9", 40)}

func randBytes(rnd *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rnd.UintN(256))
	}
	return b
}

// rawSend writes b on a fresh connection and closes it.
func rawSend(addr string, b []byte) {
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return
	}
	_ = nc.SetDeadline(time.Now().Add(2 * time.Second))
	_, _ = nc.Write(b)
	_ = nc.Close()
}

func frame(n uint32, hl uint32, rest []byte) []byte {
	b := make([]byte, 8, 8+len(rest))
	binary.BigEndian.PutUint32(b, n)
	binary.BigEndian.PutUint32(b[4:], hl)
	return append(b, rest...)
}

// malformedInputs yields the raw (connection-level) inputs: random bytes, bad lengths, truncated frames.
func malformedInputs(rnd *rand.Rand, n int, emit func([]byte)) {
	valid, _ := remoting.NewRequest(code.GetBrokerClusterInfo, map[string]string{"topic": "T"}, []byte("body")).Encode()
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			emit(randBytes(rnd, 1+rnd.IntN(2000)))
		case 1: // bad lengths
			switch rnd.IntN(6) {
			case 0:
				emit(frame(uint32(rnd.IntN(4)), 0, nil)) // below the minimum
			case 1:
				emit(frame(16<<20+uint32(rnd.IntN(1<<20)), 10, nil)) // over the limit
			case 2:
				emit(frame(0xFFFFFFFF, 0, nil)) // negative as int32
			case 3:
				emit(frame(100, 200, randBytes(rnd, 100))) // header longer than the frame
			case 4:
				emit(frame(uint32(8+rnd.IntN(1000)), uint32(rnd.IntN(8)), randBytes(rnd, rnd.IntN(50)))) // short header
			default:
				emit(frame(uint32(4+rnd.IntN(100)), 1<<24|uint32(rnd.IntN(100)), randBytes(rnd, 100))) // ROCKETMQ garbage header
			}
		case 2: // truncated valid frame
			emit(valid[:rnd.IntN(len(valid))])
		default: // valid length, garbage JSON header
			h := randBytes(rnd, 1+rnd.IntN(300))
			if rnd.IntN(2) == 0 {
				h = []byte(`{"code":` + garbage[rnd.IntN(len(garbage))] + `,"extFields":{"topic":` + string(randBytes(rnd, 5)) + `}}`)
			}
			emit(frame(uint32(4+len(h)), uint32(len(h)), h))
		}
	}
}

// requestCampaign sends every request code with no headers, garbage headers and garbage bodies, answered or not.
func requestCampaign(rnd *rand.Rand, addr string, rounds int) (sent int, answered int64) {
	cl := &remoting.Client{}
	defer cl.Close()
	var got atomic.Int64
	var wg sync.WaitGroup
	codes := code.AllRequests()
	for round := 0; round < rounds; round++ {
		for _, c := range codes {
			var ext map[string]string
			var body []byte
			switch round % 3 {
			case 0: // missing headers
			case 1:
				ext = map[string]string{}
				for _, k := range headerKeys {
					if rnd.IntN(2) == 0 {
						ext[k] = garbage[rnd.IntN(len(garbage))]
					}
				}
			default:
				ext = map[string]string{headerKeys[rnd.IntN(len(headerKeys))]: garbage[rnd.IntN(len(garbage))]}
				body = randBytes(rnd, rnd.IntN(4096))
			}
			req := remoting.NewRequest(c, ext, body)
			if rnd.IntN(2) == 0 {
				req.SerializeType = remoting.RocketMQ
			}
			wg.Add(1)
			err := cl.InvokeAsync(context.Background(), addr, req, 5*time.Second, func(_ *remoting.Command, err error) {
				if err == nil {
					got.Add(1)
				}
				wg.Done()
			})
			if err != nil {
				wg.Done()
				cl.CloseConn(addr)
			}
			sent++
		}
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	return sent, got.Load()
}

// malformedPhase runs the campaign against a name server and a broker of their own.
func malformedPhase(r *report, c *cluster, maxInputs int) {
	ns, b, _, ok := c.startPair(r, "malformed")
	if !ok {
		return
	}
	defer ns.stop()
	defer b.stop()
	type target struct {
		name string
		p    *proc
		live func() *remoting.Command
	}
	targets := []target{
		{"namesrv", ns, func() *remoting.Command { return remoting.NewRequest(code.GetBrokerClusterInfo, nil, nil) }},
		{"broker", b, func() *remoting.Command { return remoting.NewRequest(code.GetBrokerRuntimeInfo, nil, nil) }},
	}
	for ti, tg := range targets {
		rnd := rand.New(rand.NewPCG(uint64(ti)+1, 42))
		cl := &remoting.Client{}
		var worst time.Duration
		stalls := 0
		probe := func() {
			t0 := time.Now()
			_, err := cl.InvokeSync(context.Background(), tg.p.addr, tg.live(), 5*time.Second)
			if err != nil {
				stalls++
				cl.CloseConn(tg.p.addr)
			}
			worst = max(worst, time.Since(t0))
		}
		deadline := time.Now().Add(90 * time.Second)
		n := 0
		work := make(chan []byte, 64)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range work {
					rawSend(tg.p.addr, b)
				}
			}()
		}
		raw := maxInputs * 3 / 4
		malformedInputs(rnd, raw, func(b []byte) {
			if time.Now().After(deadline) {
				return
			}
			work <- b
			n++
			if n%1000 == 0 {
				probe()
			}
		})
		close(work)
		wg.Wait()
		rounds := max(3, (maxInputs-raw)/len(code.AllRequests()))
		sent, answered := requestCampaign(rnd, tg.p.addr, rounds)
		probe()
		r.check("malformed/"+tg.name+" survives", tg.p.alive() && tg.p.crashed() == "" && stalls == 0,
			"%d connection-level inputs, %d requests over %d codes (%d answered); alive %v; stalled probes %d; slowest probe %v %s",
			n, sent, len(code.AllRequests()), answered, tg.p.alive(), stalls, worst.Round(time.Millisecond), tg.p.crashed())
		r.figure("malformed/%s: %d connection-level inputs + %d requests, slowest liveness probe %v", tg.name, n, sent, worst.Round(time.Millisecond))
		_ = cl.Close()
	}
}
