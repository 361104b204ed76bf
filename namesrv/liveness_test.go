package namesrv

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting/code"
)

func TestBrokerExpiresWithoutRegistration(t *testing.T) {
	s := startServer(t, func(_ *conf.Namesrv, s *Server) {
		if s != nil {
			s.BrokerExpiry = 300 * time.Millisecond
			s.ScanInterval = 50 * time.Millisecond
		}
	})
	brokerSide := newClient(t)
	admin := newClient(t)
	ns := s.Addr()
	register(t, brokerSide, ns, "C1", "a", "10.0.0.1:1", 0, sampleBody(1, topic("T", 4, 6, 0)))
	conn, err := brokerSide.Conn(t.Context(), ns)
	require.NoError(t, err)
	require.Equal(t, code.Success, route(t, admin, ns, "T", nil).Code)

	require.Eventually(t, func() bool { return route(t, admin, ns, "T", nil).Code == code.TopicNotExist },
		5*time.Second, 20*time.Millisecond, "the broker expires")
	select {
	case <-conn.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("namesrv should close an expired broker's connection")
	}
	ci := invoke(t, admin, ns, code.GetBrokerClusterInfo, nil, nil)
	require.Equal(t, `{"brokerAddrTable":{},"clusterAddrTable":{}}`, string(ci.Body))
}

func TestRegistrationKeepsBrokerAlive(t *testing.T) {
	s := startServer(t, func(_ *conf.Namesrv, s *Server) {
		if s != nil {
			s.BrokerExpiry = 400 * time.Millisecond
			s.ScanInterval = 50 * time.Millisecond
		}
	})
	cl := newClient(t)
	ns := s.Addr()
	deadline := time.Now().Add(1200 * time.Millisecond)
	for time.Now().Before(deadline) {
		register(t, cl, ns, "C1", "a", "10.0.0.1:1", 0, sampleBody(1, topic("T", 4, 6, 0)))
		require.Equal(t, code.Success, route(t, cl, ns, "T", nil).Code)
		time.Sleep(100 * time.Millisecond) // the broker's registration period, not a wait for a condition
	}
}

func TestConnectionCloseRemovesBroker(t *testing.T) {
	s := startServer(t, nil)
	master := newClient(t)
	slave := newClient(t)
	admin := newClient(t)
	ns := s.Addr()
	register(t, master, ns, "C1", "a", "10.0.0.1:1", 0, sampleBody(1, topic("T", 4, 6, 0)))
	register(t, slave, ns, "C1", "a", "10.0.0.2:1", 1, sampleBody(1, topic("T", 4, 6, 0)))
	register(t, admin, ns, "C1", "other", "10.0.0.3:1", 0, sampleBody(1, topic("T2", 1, 6, 0)))

	// A slave's connection closing removes only its address.
	slave.CloseConn(ns)
	require.Eventually(t, func() bool {
		return string(route(t, admin, ns, "T", nil).Body) != "" && !contains(route(t, admin, ns, "T", nil).Body, "10.0.0.2:1")
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, code.Success, route(t, admin, ns, "T", nil).Code)

	// The master's: the broker name, its queues and the topic go.
	master.CloseConn(ns)
	require.Eventually(t, func() bool { return route(t, admin, ns, "T", nil).Code == code.TopicNotExist }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, code.Success, route(t, admin, ns, "T2", nil).Code, "other brokers stay")
	ci := invoke(t, admin, ns, code.GetBrokerClusterInfo, nil, nil)
	require.Contains(t, string(ci.Body), `"clusterAddrTable":{"C1":["other"]}`)
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

func TestKVConfigPersistsAndReloads(t *testing.T) {
	dir := t.TempDir()
	cfg := conf.DefaultNamesrv()
	cfg.Namesrv.KvConfigPath = filepath.Join(dir, "sub", "kvConfig.json")
	cfg.Namesrv.ConfigStorePath = filepath.Join(dir, "namesrv.properties")
	s, err := New(cfg, quietLog())
	require.NoError(t, err)
	require.NoError(t, s.Start("127.0.0.1:0"))
	cl := newClient(t)
	invoke(t, cl, s.Addr(), code.PutKvConfig, map[string]string{"namespace": "ns1", "key": "k1", "value": "v1"}, nil)
	invoke(t, cl, s.Addr(), code.PutKvConfig, map[string]string{"namespace": "ns1", "key": "k2", "value": "v\"2"}, nil)
	data, err := os.ReadFile(cfg.Namesrv.KvConfigPath)
	require.NoError(t, err)
	require.Equal(t, `{"configTable":{"ns1":{"k1":"v1","k2":"v\"2"}}}`, string(data))
	bak, err := os.ReadFile(cfg.Namesrv.KvConfigPath + ".bak")
	require.NoError(t, err)
	require.Equal(t, `{"configTable":{"ns1":{"k1":"v1"}}}`, string(bak), "the previous file is kept as .bak")
	_, err = os.Stat(cfg.Namesrv.KvConfigPath + ".tmp")
	require.True(t, os.IsNotExist(err))
	require.NoError(t, s.Close())

	s2, err := New(cfg, quietLog())
	require.NoError(t, err)
	require.NoError(t, s2.Start("127.0.0.1:0"))
	defer s2.Close()
	cl2 := newClient(t)
	got := invoke(t, cl2, s2.Addr(), code.GetKvConfig, map[string]string{"namespace": "ns1", "key": "k2"}, nil)
	require.Equal(t, `v"2`, got.Ext("value"))
}

func TestKVConfigLoadsJavaFileAndToleratesGarbage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kvConfig.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"configTable":{"ORDER_TOPIC_CONFIG":{"T":"b:4"},"other":{"a":"1"}}}`), 0o644))
	kv := NewKVConfig(path, quietLog())
	require.NoError(t, kv.Load())
	v, ok := kv.Get(NamespaceOrderTopicConfig, "T")
	require.True(t, ok)
	require.Equal(t, "b:4", v)

	require.NoError(t, os.WriteFile(path, []byte(`{"configTable":{`), 0o644))
	kv = NewKVConfig(path, quietLog())
	require.NoError(t, kv.Load(), "Java logs and starts empty")
	_, ok = kv.Get(NamespaceOrderTopicConfig, "T")
	require.False(t, ok)
}

func TestNsAddrHTTP(t *testing.T) {
	s := startServer(t, func(_ *conf.Namesrv, s *Server) {
		if s != nil {
			s.NsAddrHTTP = "127.0.0.1:0"
			s.NsAddrList = "10.0.0.1:9876;10.0.0.2:9876"
		}
	})
	resp, err := http.Get("http://" + s.NsAddrHTTPAddr() + "/rocketmq/nsaddr")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "10.0.0.1:9876;10.0.0.2:9876", string(body))
}

func TestRunStopsWithContext(t *testing.T) {
	cfg := conf.DefaultNamesrv()
	cfg.Namesrv.KvConfigPath = filepath.Join(t.TempDir(), "kv.json")
	cfg.Server.ListenPort = 0
	s, err := New(cfg, quietLog())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	require.Eventually(t, func() bool { return s.Addr() != "" }, 5*time.Second, 5*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the context was cancelled")
	}
}
