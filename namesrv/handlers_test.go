package namesrv

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

func sampleBody(counter int64, topics ...TopicConfig) *RegisterBody {
	return &RegisterBody{DataVersion: DataVersion{Timestamp: 1700000000000, Counter: counter}, Topics: topics, FilterServers: []string{}}
}

func topic(name string, queues, perm, sysFlag int32) TopicConfig {
	return TopicConfig{TopicName: name, ReadQueueNums: queues, WriteQueueNums: queues, Perm: perm, TopicSysFlag: sysFlag}
}

func register(t *testing.T, cl *remoting.Client, nsAddr, cluster, name, addr string, id int64, body *RegisterBody) *remoting.Command {
	t.Helper()
	ext, raw := registration(cluster, name, addr, id, body, false)
	resp := invoke(t, cl, nsAddr, code.RegisterBroker, ext, raw)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	return resp
}

func route(t *testing.T, cl *remoting.Client, nsAddr, topicName string, ext map[string]string) *remoting.Command {
	t.Helper()
	if ext == nil {
		ext = map[string]string{}
	}
	ext["topic"] = topicName
	return invoke(t, cl, nsAddr, code.GetRouteinfoByTopic, ext, nil)
}

func TestRegisterAndRoute(t *testing.T) {
	s := startServer(t, nil)
	cl := newClient(t)
	ns := s.Addr()
	resp := register(t, cl, ns, "C1", "broker-a", "10.0.0.1:10911", 0, sampleBody(1, topic("T1", 4, 6, 0)))
	require.NotNil(t, resp.ExtFields, "Java always sends the (empty) header map")
	require.Empty(t, resp.Ext("masterAddr"))

	slave := register(t, cl, ns, "C1", "broker-a", "10.0.0.2:10911", 1, sampleBody(1, topic("T1", 4, 6, 0)))
	require.Equal(t, "10.0.0.1:10911", slave.Ext("masterAddr"))
	require.Equal(t, "10.0.0.1:10912", slave.Ext("haServerAddr"))

	std := route(t, cl, ns, "T1", nil) // NewRequest sends version 409
	require.Equal(t, code.Success, std.Code)
	require.Equal(t, `{"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"C1"}],`+
		`"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}`, string(std.Body))

	req := remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": "T1"}, nil)
	req.Version = 317
	legacy, err := cl.InvokeSync(t.Context(), ns, req, 3e9)
	require.NoError(t, err)
	require.Contains(t, string(legacy.Body), `"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}`)

	req = remoting.NewRequest(code.GetRouteinfoByTopic, map[string]string{"topic": "T1", "acceptStandardJsonOnly": "true"}, nil)
	req.Version = 317
	accepted, err := cl.InvokeSync(t.Context(), ns, req, 3e9)
	require.NoError(t, err)
	require.Equal(t, string(std.Body), string(accepted.Body))

	missing := route(t, cl, ns, "Nope", nil)
	require.Equal(t, code.TopicNotExist, missing.Code)
	require.Equal(t, "No topic route info in name server for the topic: Nope"+faqApplyTopic, missing.Remark)
}

func TestRegisterSemantics(t *testing.T) {
	s := startServer(t, nil)
	cl := newClient(t)
	ns := s.Addr()
	register(t, cl, ns, "C1", "b", "10.0.0.1:1", 0, sampleBody(1, topic("T1", 4, 6, 0), topic("T2", 2, 6, 0)))

	// A slave's table never updates queue data.
	register(t, cl, ns, "C1", "b", "10.0.0.2:1", 1, sampleBody(5, topic("T1", 8, 6, 0), topic("SlaveOnly", 1, 6, 0)))
	require.Equal(t, code.TopicNotExist, route(t, cl, ns, "SlaveOnly", nil).Code)
	require.Contains(t, string(route(t, cl, ns, "T1", nil).Body), `"readQueueNums":4`)

	// Same DataVersion: the master's new table is ignored.
	register(t, cl, ns, "C1", "b", "10.0.0.1:1", 0, sampleBody(1, topic("T1", 16, 6, 0)))
	require.Contains(t, string(route(t, cl, ns, "T1", nil).Body), `"readQueueNums":4`)

	// New DataVersion: queues update, but topics missing from the table stay.
	register(t, cl, ns, "C1", "b", "10.0.0.1:1", 0, sampleBody(2, topic("T1", 16, 6, 0)))
	require.Contains(t, string(route(t, cl, ns, "T1", nil).Body), `"readQueueNums":16`)
	require.Equal(t, code.Success, route(t, cl, ns, "T2", nil).Code)

	// The slave becomes master at the same address: its old id goes away.
	register(t, cl, ns, "C1", "b", "10.0.0.2:1", 0, sampleBody(9, topic("T1", 16, 6, 0)))
	require.Contains(t, string(route(t, cl, ns, "T1", nil).Body), `"brokerAddrs":{"0":"10.0.0.2:1"}`)

	// QUERY_DATA_VERSION: unchanged and changed.
	ident := map[string]string{"brokerName": "b", "brokerAddr": "10.0.0.2:1", "clusterName": "C1", "brokerId": "0"}
	q := invoke(t, cl, ns, code.QueryDataVersion, ident, DataVersion{Timestamp: 1700000000000, Counter: 9}.AppendJSON(nil))
	require.Equal(t, code.Success, q.Code)
	require.Equal(t, "false", q.Ext("changed"))
	require.Equal(t, `{"counter":9,"timestamp":1700000000000}`, string(q.Body))
	q = invoke(t, cl, ns, code.QueryDataVersion, ident, DataVersion{Timestamp: 1700000000000, Counter: 10}.AppendJSON(nil))
	require.Equal(t, "true", q.Ext("changed"))
	ident["brokerAddr"] = "10.9.9.9:1"
	q = invoke(t, cl, ns, code.QueryDataVersion, ident, DataVersion{Timestamp: 1, Counter: 1}.AppendJSON(nil))
	require.Equal(t, "true", q.Ext("changed"))
	require.Empty(t, q.Body)

	// UNREGISTER of the last address removes name, cluster and queues.
	u := invoke(t, cl, ns, code.UnregisterBroker, map[string]string{"brokerName": "b", "brokerAddr": "10.0.0.2:1", "clusterName": "C1", "brokerId": "0"}, nil)
	require.Equal(t, code.Success, u.Code)
	require.Equal(t, code.TopicNotExist, route(t, cl, ns, "T1", nil).Code)
	ci := invoke(t, cl, ns, code.GetBrokerClusterInfo, nil, nil)
	require.Equal(t, `{"brokerAddrTable":{},"clusterAddrTable":{}}`, string(ci.Body))
}

func TestCompressedAndOldRegistration(t *testing.T) {
	s := startServer(t, nil)
	cl := newClient(t)
	ns := s.Addr()
	body := sampleBody(3, topic("Z1", 4, 6, 1), topic("Z2", 2, 4, 0))
	body.FilterServers = []string{"10.0.0.1:30000"}
	ext, raw := registration("C1", "bz", "10.0.0.1:10911", 0, body, true)
	resp := invoke(t, cl, ns, code.RegisterBroker, ext, raw)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	r := route(t, cl, ns, "Z1", nil)
	require.Equal(t, code.Success, r.Code)
	// The compressed form carries neither topicSysFlag nor order.
	require.Contains(t, string(r.Body), `{"brokerName":"bz","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}`)
	require.Contains(t, string(r.Body), `"filterServerTable":{"10.0.0.1:10911":["10.0.0.1:30000"]}`)

	// Version < 37: the body is a bare TopicConfigSerializeWrapper.
	req := remoting.NewRequest(code.RegisterBroker, map[string]string{
		"brokerName": "old", "brokerAddr": "10.0.0.5:10911", "clusterName": "C1", "haServerAddr": "x", "brokerId": "0",
	}, []byte(`{"dataVersion":{"counter":1,"timestamp":2},"topicConfigTable":{"OldT":{"perm":6,"readQueueNums":3,"topicName":"OldT","writeQueueNums":3}}}`))
	req.Version = 30
	old, err := cl.InvokeSync(t.Context(), ns, req, 3e9)
	require.NoError(t, err)
	require.Equal(t, code.Success, old.Code, old.Remark)
	require.Contains(t, string(route(t, cl, ns, "OldT", nil).Body), `"readQueueNums":3`)

	// Empty body: an empty table with DataVersion 0/0.
	ext, _ = registration("C1", "empty", "10.0.0.6:10911", 0, sampleBody(0), false)
	ext["bodyCrc32"] = "0"
	require.Equal(t, code.Success, invoke(t, cl, ns, code.RegisterBroker, ext, nil).Code)
}

func TestBadRequestsGetErrorsAndServerStaysUp(t *testing.T) {
	s := startServer(t, nil)
	cl := newClient(t)
	ns := s.Addr()
	good, raw := registration("C1", "b", "10.0.0.1:1", 0, sampleBody(1, topic("T", 1, 6, 0)), false)

	for name, tc := range map[string]struct {
		code int32
		ext  map[string]string
		body []byte
		want int32
		rem  string
	}{
		"register without brokerName": {code.RegisterBroker, without(good, "brokerName"), raw, code.SystemError, "the custom field <brokerName> is null"},
		"register bad brokerId":       {code.RegisterBroker, with(good, "brokerId", "x"), raw, code.SystemError, "brokerId"},
		"register bad crc":            {code.RegisterBroker, with(good, "bodyCrc32", "12345"), raw, code.SystemError, "crc32 not match"},
		"register bad json":           {code.RegisterBroker, with(good, "bodyCrc32", "0"), []byte(`{"topicConfigSerializeWrapper":[`), code.SystemError, "RegisterBrokerBody"},
		"register not json":           {code.RegisterBroker, with(good, "bodyCrc32", "0"), []byte(`hello`), code.SystemError, "RegisterBrokerBody"},
		"register bad zlib":           {code.RegisterBroker, with(with(good, "bodyCrc32", "0"), "compressed", "true"), raw, code.SystemError, "compressed"},
		"unregister without id":       {code.UnregisterBroker, map[string]string{"brokerName": "b", "brokerAddr": "a", "clusterName": "c"}, nil, code.SystemError, "the custom field <brokerId> is null"},
		"data version without body":   {code.QueryDataVersion, map[string]string{"brokerName": "b", "brokerAddr": "a", "clusterName": "c", "brokerId": "0"}, nil, code.SystemError, "DataVersion"},
		"data version bad body":       {code.QueryDataVersion, map[string]string{"brokerName": "b", "brokerAddr": "a", "clusterName": "c", "brokerId": "0"}, []byte(`[1]`), code.SystemError, "DataVersion"},
		"route without topic":         {code.GetRouteinfoByTopic, nil, nil, code.SystemError, "the custom field <topic> is null"},
		"wipe without name":           {code.WipeWritePermOfBroker, nil, nil, code.SystemError, "<brokerName>"},
		"add without name":            {code.AddWritePermOfBroker, nil, nil, code.SystemError, "<brokerName>"},
		"delete topic without topic":  {code.DeleteTopicInNamesrv, nil, nil, code.SystemError, "<topic>"},
		"put kv without value":        {code.PutKvConfig, map[string]string{"namespace": "n", "key": "k"}, nil, code.SystemError, "<value>"},
		"get kv without key":          {code.GetKvConfig, map[string]string{"namespace": "n"}, nil, code.SystemError, "<key>"},
		"delete kv without namespace": {code.DeleteKvConfig, map[string]string{"key": "k"}, nil, code.SystemError, "<namespace>"},
		"kv list without namespace":   {code.GetKvlistByNamespace, nil, nil, code.SystemError, "<namespace>"},
		"topics by cluster no name":   {code.GetTopicsByCluster, nil, nil, code.SystemError, "<cluster>"},
		"update config bad escape":    {code.UpdateNamesrvConfig, nil, []byte("a=\\uZZZZ"), code.SystemError, "string2Properties error"},
		"update config bad value":     {code.UpdateNamesrvConfig, nil, []byte("serverWorkerThreads=many"), code.SystemError, "serverWorkerThreads"},
		"unknown code":                {9999, nil, nil, code.RequestCodeNotSupported, "request type 9999 not supported"},
		"broker code":                 {code.SendMessage, nil, nil, code.RequestCodeNotSupported, "not supported"},
	} {
		t.Run(name, func(t *testing.T) {
			resp := invoke(t, cl, ns, tc.code, tc.ext, tc.body)
			require.Equal(t, tc.want, resp.Code, resp.Remark)
			require.Contains(t, resp.Remark, tc.rem)
		})
	}
	require.Equal(t, code.Success, invoke(t, cl, ns, code.RegisterBroker, good, raw).Code, "still serving")
	require.Equal(t, code.Success, route(t, cl, ns, "T", nil).Code)
}

func without(m map[string]string, k string) map[string]string {
	out := with(m, "", "")
	delete(out, k)
	delete(out, "")
	return out
}

func with(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

func TestTopicAdminCodes(t *testing.T) {
	s := startServer(t, nil)
	cl := newClient(t)
	ns := s.Addr()
	register(t, cl, ns, "C1", "a", "10.0.0.1:1", 0, sampleBody(1, topic("T", 4, 6, 0), topic("U", 1, 6, 1), topic("S", 1, 6, 2), topic("US", 1, 6, 3)))
	register(t, cl, ns, "C2", "b", "10.0.0.2:1", 0, sampleBody(1, topic("T", 4, 6, 0), topic("Only2", 1, 6, 0)))

	topics := func(c int32, ext map[string]string) []string {
		resp := invoke(t, cl, ns, c, ext, nil)
		require.Equal(t, code.Success, resp.Code, resp.Remark)
		var tl struct {
			TopicList  []string `json:"topicList"`
			BrokerAddr string   `json:"brokerAddr"`
		}
		require.NoError(t, json.Unmarshal(resp.Body, &tl), "strict JSON: %s", resp.Body)
		require.NotNil(t, tl.TopicList, "topicList is always present")
		return tl.TopicList
	}
	require.ElementsMatch(t, []string{"T", "U", "S", "US", "Only2"}, topics(code.GetAllTopicListFromNameserver, nil))
	require.ElementsMatch(t, []string{"T", "Only2"}, topics(code.GetTopicsByCluster, map[string]string{"cluster": "C2"}))
	require.Empty(t, topics(code.GetTopicsByCluster, map[string]string{"cluster": "none"}))
	require.ElementsMatch(t, []string{"U", "US"}, topics(code.GetUnitTopicList, nil))
	require.ElementsMatch(t, []string{"S", "US"}, topics(code.GetHasUnitSubTopicList, nil))
	require.ElementsMatch(t, []string{"S"}, topics(code.GetHasUnitSubUnunitTopicList, nil))
	require.ElementsMatch(t, []string{"C1", "C2", "a", "b"}, topics(code.GetSystemTopicListFromNs, nil))

	wipe := invoke(t, cl, ns, code.WipeWritePermOfBroker, map[string]string{"brokerName": "a"}, nil)
	require.Equal(t, "4", wipe.Ext("wipeTopicCount"))
	require.Contains(t, string(route(t, cl, ns, "U", nil).Body), `"perm":4`)
	add := invoke(t, cl, ns, code.AddWritePermOfBroker, map[string]string{"brokerName": "a"}, nil)
	require.Equal(t, "4", add.Ext("addTopicCount"))
	require.Contains(t, string(route(t, cl, ns, "U", nil).Body), `"perm":6`)
	require.Equal(t, "0", invoke(t, cl, ns, code.WipeWritePermOfBroker, map[string]string{"brokerName": "zzz"}, nil).Ext("wipeTopicCount"))

	// Delete limited to a cluster keeps the other cluster's queues.
	require.Equal(t, code.Success, invoke(t, cl, ns, code.DeleteTopicInNamesrv, map[string]string{"topic": "T", "clusterName": "C1"}, nil).Code)
	r := route(t, cl, ns, "T", nil)
	require.Equal(t, code.Success, r.Code)
	require.NotContains(t, string(r.Body), `"brokerName":"a"`)
	require.Equal(t, code.Success, invoke(t, cl, ns, code.DeleteTopicInNamesrv, map[string]string{"topic": "T"}, nil).Code)
	require.Equal(t, code.TopicNotExist, route(t, cl, ns, "T", nil).Code)

	ci := invoke(t, cl, ns, code.GetBrokerClusterInfo, nil, nil)
	require.Contains(t, string(ci.Body), `"brokerAddrs":{0:"10.0.0.1:1"}`, "Java writes ClusterInfo with bare keys")
}

func TestKVCodesAndOrderTopicConf(t *testing.T) {
	s := startServer(t, func(cfg *conf.Namesrv, _ *Server) { cfg.Namesrv.OrderMessageEnable = true })
	cl := newClient(t)
	ns := s.Addr()
	register(t, cl, ns, "C1", "a", "10.0.0.1:1", 0, sampleBody(1, topic("O", 4, 6, 0)))

	put := invoke(t, cl, ns, code.PutKvConfig, map[string]string{"namespace": NamespaceOrderTopicConfig, "key": "O", "value": "a:4"}, nil)
	require.Equal(t, code.Success, put.Code)
	get := invoke(t, cl, ns, code.GetKvConfig, map[string]string{"namespace": NamespaceOrderTopicConfig, "key": "O"}, nil)
	require.Equal(t, "a:4", get.Ext("value"))
	miss := invoke(t, cl, ns, code.GetKvConfig, map[string]string{"namespace": "x", "key": "y"}, nil)
	require.Equal(t, code.QueryNotFound, miss.Code)
	require.Equal(t, "No config item, Namespace: x Key: y", miss.Remark)

	list := invoke(t, cl, ns, code.GetKvlistByNamespace, map[string]string{"namespace": NamespaceOrderTopicConfig}, nil)
	require.Equal(t, `{"table":{"O":"a:4"}}`, string(list.Body))
	require.Equal(t, code.QueryNotFound, invoke(t, cl, ns, code.GetKvlistByNamespace, map[string]string{"namespace": "x"}, nil).Code)

	r := route(t, cl, ns, "O", nil)
	require.Contains(t, string(r.Body), `"orderTopicConf":"a:4","queueDatas"`)
	reg := register(t, cl, ns, "C1", "a", "10.0.0.1:1", 0, sampleBody(1))
	require.Equal(t, `{"table":{"O":"a:4"}}`, string(reg.Body), "registration answers the ORDER_TOPIC_CONFIG table")

	require.Equal(t, code.Success, invoke(t, cl, ns, code.DeleteKvConfig, map[string]string{"namespace": NamespaceOrderTopicConfig, "key": "O"}, nil).Code)
	require.NotContains(t, string(route(t, cl, ns, "O", nil).Body), "orderTopicConf")
	require.Equal(t, `{"table":{}}`, string(invoke(t, cl, ns, code.GetKvlistByNamespace, map[string]string{"namespace": NamespaceOrderTopicConfig}, nil).Body))
}

func TestNamesrvConfigCodes(t *testing.T) {
	s := startServer(t, nil)
	cl := newClient(t)
	ns := s.Addr()
	get := invoke(t, cl, ns, code.GetNamesrvConfig, nil, nil)
	require.Equal(t, code.Success, get.Code)
	require.Contains(t, string(get.Body), "orderMessageEnable=false\n")

	for _, k := range []string{"configBlackList", "configStorePath", "kvConfigPath", "rocketmqHome"} {
		resp := invoke(t, cl, ns, code.UpdateNamesrvConfig, nil, []byte(k+"=/tmp/x\n"))
		require.Equal(t, code.NoPermission, resp.Code, k)
		require.Equal(t, "Can not update config in black list.", resp.Remark)
	}
	resp := invoke(t, cl, ns, code.UpdateNamesrvConfig, nil, []byte("orderMessageEnable=true\nnoSuchKey=1\n"))
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	get = invoke(t, cl, ns, code.GetNamesrvConfig, nil, nil)
	require.Contains(t, string(get.Body), "orderMessageEnable=true\n")
	require.NotContains(t, string(get.Body), "noSuchKey")
	require.Equal(t, code.Success, invoke(t, cl, ns, code.UpdateNamesrvConfig, nil, nil).Code, "no body: nothing to do")

	s.cfgMu.RLock()
	path := s.cfg.Namesrv.ConfigStorePath
	s.cfgMu.RUnlock()
	data, err := readFile(path)
	require.NoError(t, err)
	require.True(t, strings.Contains(data, "orderMessageEnable=true"), "persisted at configStorePath")
}
