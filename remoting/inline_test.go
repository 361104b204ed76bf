package remoting

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A WithInline route runs on the reader when its pool is idle, but a pool of N workers still runs at most N
// handlers at once whatever the number of connections, and with one worker (Java's single SendMessageThread)
// a connection's requests are handled in the order they arrived.
func TestInlinePoolLimitsConcurrency(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(strconv.Itoa(workers), func(t *testing.T) {
			pool, err := NewPool("send", workers, 10000)
			require.NoError(t, err)
			defer pool.Release()
			var running, most atomic.Int32
			var mu sync.Mutex
			last := map[string]int{}
			outOfOrder := 0
			r := NewRouter(nil)
			r.Handle(10, pool, func(c *Conn, req *Command) (*Command, error) {
				n := running.Add(1)
				defer running.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				seq, _ := strconv.Atoi(req.Ext("seq"))
				mu.Lock()
				if seq <= last[req.Ext("conn")] {
					outOfOrder++
				}
				last[req.Ext("conn")] = seq
				mu.Unlock()
				time.Sleep(100 * time.Microsecond)
				return NewResponse(req, 0, ""), nil
			}, WithInline(), WithFrameReuse())
			s := startServer(t, r, nil)
			addr := s.Addr().String()
			const conns, each = 4, 50
			var wg sync.WaitGroup
			errs := make(chan error, conns*each)
			for i := range conns {
				cl := newClient(t)
				for j := 1; j <= each; j++ {
					wg.Add(1)
					req := NewRequest(10, map[string]string{"conn": strconv.Itoa(i), "seq": strconv.Itoa(j)}, nil)
					require.NoError(t, cl.InvokeAsync(context.Background(), addr, req, 10*time.Second, func(c *Command, err error) {
						if err == nil && c.Code != 0 {
							err = errFromCode(c)
						}
						errs <- err
						wg.Done()
					}))
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			require.LessOrEqual(t, most.Load(), int32(workers), "handlers running at once")
			require.Positive(t, most.Load())
			if workers == 1 {
				require.Zero(t, outOfOrder, "one worker handles a connection's requests in arrival order")
			}
			require.Zero(t, pool.Running())
			require.Zero(t, pool.Waiting())
		})
	}
}

func errFromCode(c *Command) error { return &codeError{c.Code} }

type codeError struct{ code int32 }

func (e *codeError) Error() string { return "response code " + strconv.Itoa(int(e.code)) }

// A handler running inline on one connection's reader holds up that connection only: another connection's
// requests (here for another pool) are read and answered meanwhile.
func TestInlineHandlerBlocksOnlyItsConnection(t *testing.T) {
	pool, err := NewPool("send", 1, 10000)
	require.NoError(t, err)
	defer pool.Release()
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	r := echoRouter()
	r.Handle(10, pool, func(c *Conn, req *Command) (*Command, error) {
		started <- struct{}{}
		<-release
		return NewResponse(req, 0, ""), nil
	}, WithInline())
	s := startServer(t, r, nil)
	addr := s.Addr().String()
	slow := make(chan *Command, 1)
	require.NoError(t, newClient(t).InvokeAsync(context.Background(), addr, NewRequest(10, nil, nil), 10*time.Second,
		func(c *Command, err error) { slow <- c }))
	<-started
	resp, err := newClient(t).InvokeSync(context.Background(), addr, NewRequest(1000, nil, []byte("x")), 3*time.Second)
	require.NoError(t, err)
	require.Equal(t, "x", string(resp.Body))
	close(release)
	select {
	case c := <-slow:
		require.Equal(t, int32(0), c.Code)
	case <-time.After(10 * time.Second):
		t.Fatal("the held request was never answered")
	}
}
