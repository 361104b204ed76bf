package namesrv

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServer runs a namesrv on a free port with its files in a temp dir.
func startServer(t *testing.T, tune func(cfg *conf.Namesrv, s *Server)) *Server {
	t.Helper()
	cfg := conf.DefaultNamesrv()
	dir := t.TempDir()
	cfg.Namesrv.KvConfigPath = filepath.Join(dir, "kvConfig.json")
	cfg.Namesrv.ConfigStorePath = filepath.Join(dir, "namesrv.properties")
	var s *Server
	var err error
	if tune != nil {
		tune(cfg, nil)
	}
	s, err = New(cfg, quietLog())
	require.NoError(t, err)
	if tune != nil {
		tune(cfg, s)
	}
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newClient(t *testing.T) *remoting.Client {
	t.Helper()
	cl := &remoting.Client{Logger: quietLog()}
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

func invoke(t *testing.T, cl *remoting.Client, addr string, code int32, ext map[string]string, body []byte) *remoting.Command {
	t.Helper()
	req := remoting.NewRequest(code, ext, body)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cl.InvokeSync(ctx, addr, req, 5*time.Second)
	require.NoError(t, err)
	return resp
}

// rawConn is a bare TCP connection for replaying captured frames.
type rawConn struct {
	nc net.Conn
	fr *remoting.FrameReader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 3*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	return &rawConn{nc: nc, fr: remoting.NewFrameReader(nc, 0)}
}

// roundTrip writes one whole frame (length prefix included) and returns the next frame with its prefix.
func (r *rawConn) roundTrip(t *testing.T, frame []byte) []byte {
	t.Helper()
	require.NoError(t, r.nc.SetDeadline(time.Now().Add(5*time.Second)))
	_, err := r.nc.Write(frame)
	require.NoError(t, err)
	got, err := r.fr.ReadFrame()
	require.NoError(t, err)
	n := len(got)
	return append([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, got...)
}

func decodeFrame(t *testing.T, frame []byte) *remoting.Command {
	t.Helper()
	c, err := remoting.Decode(frame[4:])
	require.NoError(t, err)
	return c
}

// registration builds a REGISTER_BROKER request as a Java 4.9.8 broker sends it.
func registration(cluster, name, addr string, id int64, body *RegisterBody, compressed bool) (map[string]string, []byte) {
	raw := EncodeRegisterBody(body, compressed)
	ext := map[string]string{
		"brokerName": name, "brokerAddr": addr, "clusterName": cluster, "haServerAddr": haAddr(addr),
		"brokerId": itoa(id), "compressed": boolStr(compressed), "bodyCrc32": itoa(int64(crc(raw))),
	}
	return ext, raw
}
