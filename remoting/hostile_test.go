package remoting

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Many connections that send only a length prefix (announcing 4 MiB each) must not make the server reserve
// the announced memory: frame memory grows with the bytes that arrived.
func TestLengthPrefixOnlyDoesNotReserveMemory(t *testing.T) {
	s := startServer(t, echoRouter(), nil)
	addr := s.Addr().String()
	const conns, announced = 64, 4 << 20

	before := heapInUse()
	var ncs []net.Conn
	for i := 0; i < conns; i++ {
		nc, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		ncs = append(ncs, nc)
		var head [8]byte
		binary.BigEndian.PutUint32(head[:], announced)
		binary.BigEndian.PutUint32(head[4:], 100) // JSON, 100-byte header: consistent with the length
		_, err = nc.Write(head[:])
		require.NoError(t, err)
	}
	t.Cleanup(func() {
		for _, nc := range ncs {
			_ = nc.Close()
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Conns()) < conns && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.Len(t, s.Conns(), conns)
	time.Sleep(300 * time.Millisecond) // let every reader reach the point where it would allocate
	after := heapInUse()
	grown := int64(after) - int64(before)
	t.Logf("%d connections announcing %d bytes each: heap grew by %d KiB", conns, announced, grown/1024)
	// Each connection owns a 64 KiB read buffer plus at most one 64 KiB first chunk; 32 MiB is far below the
	// 256 MiB the announced lengths add up to.
	require.Less(t, grown, int64(32<<20), "the server reserved memory the peers never sent")

	// The connections still work: finishing a frame on one of them gets an answer.
	hdr := []byte(`{"code":1000,"flag":0,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":0}`)
	hdr = append(hdr, bytes.Repeat([]byte(" "), 100-len(hdr))...)
	nc := ncs[0]
	_, err := nc.Write(append(hdr, make([]byte, announced-4-100)...))
	require.NoError(t, err)
	require.NoError(t, nc.SetReadDeadline(time.Now().Add(10*time.Second)))
	fr := NewFrameReader(nc, 0)
	frame, err := fr.ReadFrame()
	require.NoError(t, err)
	resp, err := Decode(frame)
	require.NoError(t, err)
	require.Equal(t, int32(7), resp.Opaque)
	require.Len(t, resp.Body, announced-4-100)
}

// A length below the minimum closes the connection as soon as the 4 length bytes arrive.
func TestShortLengthClosesAtOnce(t *testing.T) {
	s := startServer(t, echoRouter(), nil)
	for _, n := range []uint32{0, 1, 3} {
		nc, err := net.Dial("tcp", s.Addr().String())
		require.NoError(t, err)
		var head [4]byte
		binary.BigEndian.PutUint32(head[:], n)
		_, err = nc.Write(head[:])
		require.NoError(t, err)
		require.NoError(t, nc.SetReadDeadline(time.Now().Add(3*time.Second)))
		_, err = nc.Read(make([]byte, 1))
		require.ErrorIs(t, err, io.EOF, "length %d: the server must close the connection without waiting for more bytes", n)
		_ = nc.Close()
	}
}

// Frames larger than the first chunk still arrive whole through the growing buffer.
func TestLargeFrameRoundTrip(t *testing.T) {
	s := startServer(t, echoRouter(), nil)
	cl := newClient(t)
	body := bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/16+5)
	resp, err := cl.InvokeSync(context.Background(), s.Addr().String(), NewRequest(1000, nil, body), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, body, resp.Body)
}
