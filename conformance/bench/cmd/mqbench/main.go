// Command mqbench drives load at a RocketMQ 4.x broker (rocketd or the Java 4.9.8 reference) and compares
// servers. Subcommands:
//
//	mqbench send     producer load: raw protocol (-addr, SEND_MESSAGE_V2 pipelined by opaque) or the
//	                 official Go client v2.1.2 (-mode client -namesrv); TPS, MB/s, latency percentiles
//	mqbench consume  consumer load: raw PULL_MESSAGE per queue (-addr) or the Go client push consumer
//	mqbench echo     the canned-SEND_OK echo server (the send path's physical limit)
//	mqbench disk     sequential write rate of a directory's disk (dd-like, fsync at the end)
//	mqbench compare  rocketd vs Java 4.9.8 side by side, with the limits (make bench-compare)
//
// Run `mqbench <subcommand> -h` for the options.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rocketd/rocketd/conformance/bench"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "send":
		err = cmdSend(ctx, os.Args[2:])
	case "consume":
		err = cmdConsume(ctx, os.Args[2:])
	case "echo":
		err = cmdEcho(ctx, os.Args[2:])
	case "disk":
		err = cmdDisk(os.Args[2:])
	case "compare":
		err = cmdCompare(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mqbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: mqbench send|consume|echo|disk|compare [flags]  (-h for each)")
	os.Exit(2)
}

func cmdSend(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("send", flag.ExitOnError)
	var c bench.SendConfig
	mode := fs.String("mode", "raw", "raw (rocketd remoting.Client, direct to -addr) or client (official Go client via -namesrv)")
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:10911", "broker address (raw mode)")
	namesrv := fs.String("namesrv", "127.0.0.1:9876", "name server (client mode)")
	fs.StringVar(&c.Topic, "topic", "BenchTopic", "topic")
	fs.StringVar(&c.Group, "group", "benchmark_producer", "producer group")
	fs.IntVar(&c.Size, "size", 128, "message body bytes")
	fs.IntVar(&c.InFlight, "inflight", 64, "requests in flight (sync: sender goroutines, like the Java tool's -w threads)")
	fs.IntVar(&c.InFlight, "threads", 64, "alias of -inflight")
	fs.IntVar(&c.Conns, "conns", 1, "TCP connections (raw mode)")
	fs.IntVar(&c.Queues, "queues", 8, "queues used round-robin; also the queue count of -create")
	fs.StringVar(&c.Tags, "tags", "", "TAGS property of every message")
	fs.BoolVar(&c.Keys, "keys", false, "a unique KEYS property per message")
	fs.IntVar(&c.Batch, "batch", 1, "messages per request (SEND_BATCH_MESSAGE when > 1)")
	fs.BoolVar(&c.Async, "async", false, "asynchronous sends with a window of -inflight")
	fs.BoolVar(&c.Wait, "wait", true, "WAIT=true property (producers' default; SYNC_FLUSH brokers answer after the flush)")
	fs.BoolVar(&c.Binary, "binary-header", false, "ROCKETMQ binary headers instead of JSON (raw mode)")
	fs.DurationVar(&c.Warmup, "warmup", time.Second, "unmeasured load first")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "measured time")
	fs.Float64Var(&c.Rate, "rate", 0, "paced: at most this many messages per second (0: as fast as answered; sync mode)")
	fs.Int64Var(&c.MaxMsgs, "n", 0, "stop after this many messages (0: -duration only)")
	fs.DurationVar(&c.Timeout, "timeout", 3*time.Second, "per-request timeout")
	create := fs.Bool("create", true, "create the topic first (UPDATE_AND_CREATE_TOPIC to -addr)")
	consume := fs.Bool("consume", false, "also consume the topic while sending (raw pull, or a push consumer in client mode)")
	_ = fs.Parse(args)
	if *create {
		if err := bench.CreateTopic(ctx, c.Addr, c.Topic, c.Queues); err != nil {
			return err
		}
		if *mode == "client" {
			time.Sleep(time.Second) // the broker registers the new topic with the name server
		}
	}
	var cres chan *bench.ConsumeResult
	if *consume {
		cres = make(chan *bench.ConsumeResult, 1)
		go func() {
			var r *bench.ConsumeResult
			var err error
			if *mode == "client" {
				r, err = bench.ClientConsume(ctx, *namesrv, c.Topic, "benchmark_consumer", c.Warmup+c.Duration, 0)
			} else {
				r, err = bench.Consume(ctx, bench.ConsumeConfig{Addr: c.Addr, Topic: c.Topic, Queues: c.Queues, Duration: c.Warmup + c.Duration})
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "consume:", err)
			}
			cres <- r
		}()
	}
	var res *bench.SendResult
	var err error
	if *mode == "client" {
		res, err = bench.ClientSend(ctx, *namesrv, c)
	} else {
		res, err = bench.Send(ctx, c)
	}
	if err != nil {
		return err
	}
	fmt.Printf("send %s size=%d inflight=%d batch=%d async=%v: %.0f msg/s %.2f MB/s (%d msgs in %s) latency ms p50 %.3f p99 %.3f p99.9 %.3f max %.3f errors %d %s\n",
		*mode, c.Size, c.InFlight, c.Batch, c.Async, res.TPS(), res.MBps(), res.Msgs, res.Elapsed.Round(time.Millisecond),
		msf(res.Lat.Quantile(.5)), msf(res.Lat.Quantile(.99)), msf(res.Lat.Quantile(.999)), msf(res.Lat.Max()), res.Errors, res.FirstErr)
	if cres != nil {
		if r := <-cres; r != nil {
			fmt.Printf("consume: %.0f msg/s (%d msgs in %s, errors %d %s)\n", r.TPS(), r.Msgs, r.Elapsed.Round(time.Millisecond), r.Errors, r.First)
		}
	}
	return nil
}

func msf(d time.Duration) float64 { return float64(d) / 1e6 }

func cmdConsume(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("consume", flag.ExitOnError)
	var c bench.ConsumeConfig
	mode := fs.String("mode", "raw", "raw (PULL_MESSAGE per queue to -addr) or client (Go client push consumer via -namesrv)")
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:10911", "broker address (raw mode)")
	namesrv := fs.String("namesrv", "127.0.0.1:9876", "name server (client mode)")
	fs.StringVar(&c.Topic, "topic", "BenchTopic", "topic")
	fs.StringVar(&c.Group, "group", "benchmark_consumer", "consumer group")
	fs.IntVar(&c.Queues, "queues", 8, "queues to pull (raw mode)")
	batch := fs.Int("batch", 32, "maxMsgNums per pull (raw mode)")
	fs.DurationVar(&c.Duration, "duration", 30*time.Second, "at most this long")
	fs.Int64Var(&c.Until, "n", 0, "stop after this many messages (0: -duration only)")
	_ = fs.Parse(args)
	c.Batch = int32(*batch)
	var r *bench.ConsumeResult
	var err error
	if *mode == "client" {
		r, err = bench.ClientConsume(ctx, *namesrv, c.Topic, c.Group, c.Duration, c.Until)
	} else {
		r, err = bench.Consume(ctx, c)
	}
	if err != nil {
		return err
	}
	fmt.Printf("consume %s: %.0f msg/s %.2f MB/s (%d msgs in %s, errors %d %s)\n", *mode, r.TPS(), float64(r.Bytes)/r.Elapsed.Seconds()/1e6,
		r.Msgs, r.Elapsed.Round(time.Millisecond), r.Errors, r.First)
	return nil
}

func cmdEcho(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	_ = fs.Parse(args)
	e, err := bench.NewEcho(*addr)
	if err != nil {
		return err
	}
	fmt.Printf("echo listening %s\n", e.Addr())
	go func() { <-ctx.Done(); _ = e.Close() }()
	_ = e.Serve()
	return nil
}

func cmdDisk(args []string) error {
	fs := flag.NewFlagSet("disk", flag.ExitOnError)
	dir := fs.String("dir", os.TempDir(), "directory on the disk to measure")
	size := fs.Int64("mb", 1024, "MiB to write")
	_ = fs.Parse(args)
	r, err := bench.DiskWrite(*dir, *size<<20, 1<<20)
	if err != nil {
		return err
	}
	fmt.Printf("disk %s: %d MiB in %s = %.0f MB/s with fsync (%.0f MB/s into the page cache)\n", *dir, r.Bytes>>20,
		r.Elapsed.Round(time.Millisecond), r.MBps(), float64(r.Bytes)/r.Buffered.Seconds()/1e6)
	return nil
}
