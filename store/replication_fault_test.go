package store

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/store/ha"
)

// dialStall connects to a master's HA port, reports off once and then reads and discards whatever comes.
func dialStall(t *testing.T, addr string, off int64) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(off))
	_, err = c.Write(b[:])
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, c) }()
	return c
}

// requireClosedByPeer waits until the peer closes c.
func requireClosedByPeer(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "the master did not close the connection")
		return
	}
}

// The master refuses a slave whose offset is beyond its log, and garbage, and keeps serving a real slave.
func TestHAMasterRefusesBadSlaves(t *testing.T) {
	m, addr := startHAStore(t, AsyncMaster, nil)
	for i := 0; i < 20; i++ {
		put(t, m, newMsg("T", 0, "before", nil))
	}

	beyond, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer beyond.Close()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(m.GetMaxPhyOffset()+1<<30))
	_, err = beyond.Write(b[:])
	require.NoError(t, err)
	requireClosedByPeer(t, beyond)

	garbage, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer garbage.Close()
	_, err = garbage.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	require.NoError(t, err)
	requireClosedByPeer(t, garbage)

	// A report that never completes (3 bytes) is held until housekeeping; meanwhile a real slave replicates.
	partial, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer partial.Close()
	_, err = partial.Write([]byte{0, 0, 0})
	require.NoError(t, err)

	s, _ := startHAStore(t, Slave, nil)
	s.UpdateHaMasterAddress(addr)
	for i := 0; i < 20; i++ {
		put(t, m, newMsg("T", 0, "after", nil))
	}
	waitCaughtUp(t, m, s)
	requireSameCommitLog(t, m.cfg.commitLogDir(), s.cfg.commitLogDir())
}

// fakeMaster accepts one slave connection at a time and hands it to the test.
func fakeMaster(t *testing.T) (string, <-chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	ch := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			ch <- c
		}
	}()
	return ln.Addr().String(), ch
}

func readReport(t *testing.T, c net.Conn) int64 {
	t.Helper()
	var b [8]byte
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.ReadFull(c, b[:])
	require.NoError(t, err)
	return int64(binary.BigEndian.Uint64(b[:]))
}

func frame(phy int64, body []byte) []byte {
	b := make([]byte, ha.HeaderSize+len(body))
	binary.BigEndian.PutUint64(b, uint64(phy))
	binary.BigEndian.PutUint32(b[8:], uint32(len(body)))
	copy(b[ha.HeaderSize:], body)
	return b
}

func acceptOne(t *testing.T, ch <-chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-ch:
		t.Cleanup(func() { _ = c.Close() })
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("the slave did not (re)connect")
		return nil
	}
}

// A slave drops frames from a master that vanishes mid-frame, sends a wrong offset, an impossible size or
// garbage; its log stays untouched and it reconnects.
func TestHASlaveSurvivesBadMasters(t *testing.T) {
	addr, conns := fakeMaster(t)
	s, _ := startHAStore(t, Slave, nil)
	s.UpdateHaMasterAddress(addr)

	// Real bytes to replicate: one record from a scratch master store.
	src, _ := startHAStore(t, AsyncMaster, nil)
	put(t, src, newMsg("T", 0, strings.Repeat("z", 100), nil))
	rec, rel, ok := haLog{src}.Read(0)
	require.True(t, ok)
	body := append([]byte(nil), rec...)
	rel()

	// 1. Vanishes mid-frame.
	c := acceptOne(t, conns)
	require.Equal(t, int64(0), readReport(t, c))
	f := frame(0, body)
	_, err := c.Write(f[:len(f)-10])
	require.NoError(t, err)
	_ = c.Close()

	// 2. Wrong offset.
	c = acceptOne(t, conns)
	require.Equal(t, int64(0), readReport(t, c))
	_, _ = c.Write(frame(12345, body))

	// 3. Impossible size (no 2 GiB allocation, connection dropped).
	c = acceptOne(t, conns)
	require.Equal(t, int64(0), readReport(t, c))
	hdr := frame(0, nil)
	binary.BigEndian.PutUint32(hdr[8:], 0x7FFFFFFF)
	_, _ = c.Write(hdr)

	// 4. Negative size.
	c = acceptOne(t, conns)
	require.Equal(t, int64(0), readReport(t, c))
	binary.BigEndian.PutUint32(hdr[8:], 0xFFFFFFFF)
	_, _ = c.Write(hdr)

	// 5. A good frame finally lands, byte for byte, and is acknowledged.
	c = acceptOne(t, conns)
	require.Equal(t, int64(0), readReport(t, c), "nothing from the bad masters reached the slave's log")
	require.Equal(t, int64(0), s.GetMaxPhyOffset())
	_, err = c.Write(frame(0, body))
	require.NoError(t, err)
	require.Equal(t, int64(len(body)), readReport(t, c))
	got, rel2, ok := haLog{s}.Read(0)
	require.True(t, ok)
	require.Equal(t, body, got)
	rel2()
	waitDispatched(t, s)
	require.Equal(t, int64(1), s.GetMaxOffsetInQueue("T", 0))

	// 6. A master whose log does not continue this slave's (another cluster's store): its bytes at the
	// slave's end do not start a record; refused, nothing appended.
	_ = c.Close()
	c = acceptOne(t, conns)
	end := int64(len(body))
	require.Equal(t, end, readReport(t, c))
	_, _ = c.Write(frame(end, []byte(strings.Repeat("not a record ", 8))))
	c = acceptOne(t, conns)
	require.Equal(t, end, readReport(t, c), "the slave reconnected with its log unchanged")
	require.Equal(t, end, s.GetMaxPhyOffset())
}

// haSlaveFallbehindMax: a connected slave that is too far behind makes SYNC_MASTER puts SLAVE_NOT_AVAILABLE.
func TestSyncMasterSlaveTooFarBehind(t *testing.T) {
	m, addr := startHAStore(t, SyncMaster, func(c *MessageStoreConfig) { c.HaSlaveFallbehindMax = 2000; c.SlaveTimeout = 200 })
	stall := dialStall(t, addr, 0) // reports 0, never acknowledges more
	defer stall.Close()
	require.Eventually(t, func() bool { return m.HAStatus().SlaveConnections == 1 }, 5*time.Second, 5*time.Millisecond)
	status := func(r PutResult) PutMessageStatus {
		ch := make(chan PutResult, 1)
		m.WaitReplica(r, func(r PutResult) { ch <- r })
		return (<-ch).Status
	}
	require.Equal(t, FlushSlaveTimeout, status(put(t, m, newMsg("T", 0, "small", nil))), "within haSlaveFallbehindMax: waits, times out")
	require.Equal(t, SlaveNotAvailable, status(put(t, m, newMsg("T", 0, strings.Repeat("b", 3000), nil))), "beyond it: at once")
}

// haHousekeepingInterval: a silent peer (half-open connection, frozen process) is dropped on both sides.
func TestHAHousekeepingDropsSilentPeers(t *testing.T) {
	fast := func(c *MessageStoreConfig) { c.HaHousekeepingInterval = 300; c.HaSendHeartbeatInterval = 100 }

	// A slave that goes silent after its first report: the master closes the connection.
	m, addr := startHAStore(t, AsyncMaster, fast)
	silent, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer silent.Close()
	_, err = silent.Write(make([]byte, 8))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return m.HAStatus().SlaveConnections == 1 }, 5*time.Second, 5*time.Millisecond)
	requireClosedByPeer(t, silent)
	require.Eventually(t, func() bool { return m.HAStatus().SlaveConnections == 0 }, 5*time.Second, 5*time.Millisecond)

	// A master that accepts and then sends nothing (not even heartbeats): the slave drops it and reconnects.
	faddr, conns := fakeMaster(t)
	s, _ := startHAStore(t, Slave, fast)
	s.UpdateHaMasterAddress(faddr)
	c := acceptOne(t, conns)
	require.Equal(t, int64(0), readReport(t, c))
	start := time.Now()
	c2 := acceptOne(t, conns)
	require.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond, "dropped only after haHousekeepingInterval")
	require.Equal(t, int64(0), readReport(t, c2))
}
