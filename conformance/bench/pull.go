package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// ConsumeConfig describes a raw-protocol consume run: one puller per queue, each with one PULL_MESSAGE
// outstanding (as a Java or Go push consumer does per queue), subscription "*" sent in the request so no
// heartbeat is needed, long polling on.
type ConsumeConfig struct {
	Addr     string
	Topic    string
	Group    string
	Queues   int
	Batch    int32         // maxMsgNums (default 32, the Java consumer's pullBatchSize)
	Duration time.Duration // upper bound of the run
	Until    int64         // stop once this many messages arrived (0: run for Duration)
}

// ConsumeResult: messages and body bytes received.
type ConsumeResult struct {
	Msgs    int64
	Bytes   int64
	Elapsed time.Duration
	Errors  int64
	First   string
}

// TPS is messages per second.
func (r *ConsumeResult) TPS() float64 { return rate(r.Msgs, r.Elapsed) }

// Consume pulls from every queue of the topic, starting at offset 0.
func Consume(ctx context.Context, cfg ConsumeConfig) (*ConsumeResult, error) {
	if cfg.Queues <= 0 {
		cfg.Queues = 8
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 32
	}
	if cfg.Group == "" {
		cfg.Group = "benchmark_consumer"
	}
	cl := &remoting.Client{Logger: quietLog(), IdleTimeout: -1}
	defer cl.Close()
	conn, err := cl.Conn(ctx, cfg.Addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var msgs, bytes, errs atomic.Int64
	var firstMu sync.Mutex
	var first string
	start := time.Now()
	var wg sync.WaitGroup
	for q := 0; q < cfg.Queues; q++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var off int64
			for ctx.Err() == nil {
				h := header.PullMessageRequestHeader{
					ConsumerGroup: cfg.Group, Topic: cfg.Topic, QueueID: int32(q), QueueOffset: off,
					MaxMsgNums: cfg.Batch, SysFlag: header.PullFlagSuspend | header.PullFlagSubscription,
					SuspendTimeoutMillis: 1000, Subscription: "*", SubVersion: 1, ExpressionType: "TAG",
				}
				ext := map[string]string{}
				h.Encode(ext)
				resp, err := conn.Invoke(ctx, remoting.NewRequest(code.PullMessage, ext, nil), 5*time.Second)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
						firstMu.Lock()
						if first == "" {
							first = err.Error()
						}
						firstMu.Unlock()
						if errors.Is(err, remoting.ErrClosed) {
							cancel()
							return
						}
					}
					continue
				}
				var rh header.PullMessageResponseHeader
				_ = rh.Decode(resp.ExtFields)
				switch resp.Code {
				case code.Success:
					n := countRecords(resp.Body)
					bytes.Add(int64(len(resp.Body)))
					if m := msgs.Add(n); cfg.Until > 0 && m >= cfg.Until {
						cancel()
					}
					off = rh.NextBeginOffset
				case code.PullNotFound, code.PullRetryImmediately, code.PullOffsetMoved:
					if rh.NextBeginOffset > 0 {
						off = rh.NextBeginOffset
					}
					if resp.Code != code.PullNotFound {
						time.Sleep(time.Millisecond)
					}
				default:
					errs.Add(1)
					firstMu.Lock()
					if first == "" {
						first = fmt.Sprintf("pull code %d: %s", resp.Code, resp.Remark)
					}
					firstMu.Unlock()
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	return &ConsumeResult{Msgs: msgs.Load(), Bytes: bytes.Load(), Elapsed: time.Since(start), Errors: errs.Load(), First: first}, nil
}

// countRecords counts the CommitLog records in a pull body (each starts with its TOTALSIZE).
func countRecords(b []byte) int64 {
	var n int64
	for len(b) >= 4 {
		sz := int(binary.BigEndian.Uint32(b))
		if sz <= 0 || sz > len(b) {
			break
		}
		b = b[sz:]
		n++
	}
	return n
}

// CreateTopic sends UPDATE_AND_CREATE_TOPIC (read/write, SINGLE_TAG) to the broker.
func CreateTopic(ctx context.Context, addr, topic string, queues int) error {
	cl := &remoting.Client{Logger: quietLog()}
	defer cl.Close()
	h := header.CreateTopicRequestHeader{
		Topic: topic, DefaultTopic: "TBW102", ReadQueueNums: int32(queues), WriteQueueNums: int32(queues),
		Perm: 6, TopicFilterType: header.TopicFilterSingleTag,
	}
	ext := map[string]string{}
	h.Encode(ext)
	resp, err := cl.InvokeSync(ctx, addr, remoting.NewRequest(code.UpdateAndCreateTopic, ext, nil), 10*time.Second)
	if err != nil {
		return err
	}
	if resp.Code != code.Success {
		return fmt.Errorf("bench: create topic %s: code %d %s", topic, resp.Code, resp.Remark)
	}
	return nil
}

// FirstSendOK sends one small message to addr every few milliseconds until one is answered SEND_OK, and
// returns the CLOCK_BOOTTIME instant of that answer (comparable with ProcStat.Start). The topic is created
// from TBW102 by the broker (autoCreateTopicEnable, on by default in both servers).
// pid > 0 is the broker's process: if it dies, FirstSendOK gives up at once.
func FirstSendOK(ctx context.Context, addr, topic string, limit time.Duration, pid int) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		if pid > 0 {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
				return 0, fmt.Errorf("bench: broker pid %d exited before SEND_OK (last: %v)", pid, last)
			}
		}
		cl := &remoting.Client{Logger: quietLog(), DialTimeout: 200 * time.Millisecond}
		ext := map[string]string{}
		h := header.SendMessageRequestHeaderV2{
			ProducerGroup: "benchmark_start", Topic: topic, DefaultTopic: "TBW102", DefaultTopicQueueNums: 4,
			QueueID: 0, BornTimestamp: time.Now().UnixMilli(),
		}
		h.Encode(ext)
		resp, err := cl.InvokeSync(ctx, addr, remoting.NewRequest(code.SendMessageV2, ext, []byte("hello")), time.Second)
		at := SinceBoot()
		_ = cl.Close()
		if err == nil && resp.Code == code.Success {
			return at, nil
		}
		if err == nil {
			err = fmt.Errorf("code %d %s", resp.Code, resp.Remark)
		}
		last = err
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
		}
	}
	return 0, fmt.Errorf("bench: no SEND_OK from %s within %v: %v", addr, limit, last)
}
