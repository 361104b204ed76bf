package admin

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

func req(c int32, ext map[string]string, body []byte) func() *remoting.Command {
	return func() *remoting.Command {
		var e map[string]string
		if ext != nil {
			e = make(map[string]string, len(ext))
			for k, v := range ext {
				e[k] = v
			}
		}
		return remoting.NewRequest(c, e, body)
	}
}

// ClusterInfo is GET_BROKER_CLUSTER_INFO (106).
func (c *Client) ClusterInfo(ctx context.Context) (*ClusterInfo, error) {
	resp, err := c.callNS(ctx, req(code.GetBrokerClusterInfo, nil, nil))
	if err != nil {
		return nil, err
	}
	var ci ClusterInfo
	return &ci, decode(resp.Body, &ci)
}

// TopicList is GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206): every topic, in the order of the body.
func (c *Client) TopicList(ctx context.Context) ([]string, error) {
	resp, err := c.callNS(ctx, req(code.GetAllTopicListFromNameserver, nil, nil))
	if err != nil {
		return nil, err
	}
	var tl struct {
		TopicList []string `json:"topicList"`
	}
	return tl.TopicList, decode(resp.Body, &tl)
}

// TopicsByCluster is GET_TOPICS_BY_CLUSTER (224).
func (c *Client) TopicsByCluster(ctx context.Context, cluster string) ([]string, error) {
	resp, err := c.callNS(ctx, req(code.GetTopicsByCluster, map[string]string{"cluster": cluster}, nil))
	if err != nil {
		return nil, err
	}
	var tl struct {
		TopicList []string `json:"topicList"`
	}
	return tl.TopicList, decode(resp.Body, &tl)
}

// TopicRoute is GET_ROUTEINFO_BY_TOPIC (105); raw is the body as the name server sent it.
func (c *Client) TopicRoute(ctx context.Context, topic string) (route *TopicRouteData, raw []byte, err error) {
	resp, err := c.callNS(ctx, req(code.GetRouteinfoByTopic, map[string]string{"topic": topic}, nil))
	if err != nil {
		return nil, nil, err
	}
	var rd TopicRouteData
	return &rd, resp.Body, decode(resp.Body, &rd)
}

// TopicStatsOn is GET_TOPIC_STATS_INFO (202) on one broker.
func (c *Client) TopicStatsOn(ctx context.Context, addr, topic string) (TopicStats, error) {
	resp, err := c.call(ctx, addr, req(code.GetTopicStatsInfo, map[string]string{"topic": topic}, nil)())
	if err != nil {
		return nil, err
	}
	var body struct {
		OffsetTable Pairs[MessageQueue, TopicOffset] `json:"offsetTable"`
	}
	if err := decode(resp.Body, &body); err != nil {
		return nil, err
	}
	return body.OffsetTable, nil
}

// TopicStats is Java examineTopicStats: GET_TOPIC_STATS_INFO on every broker of the topic's route, merged
// and sorted by queue.
func (c *Client) TopicStats(ctx context.Context, topic string) (TopicStats, error) {
	route, _, err := c.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	var all TopicStats
	for _, bd := range route.BrokerDatas {
		if addr := bd.SelectAddr(); addr != "" {
			st, err := c.TopicStatsOn(ctx, addr, topic)
			if err != nil {
				return nil, err
			}
			all = append(all, st...)
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("Not found the topic stats info")
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].K.Less(all[j].K) })
	return all, nil
}

// CreateTopic is UPDATE_AND_CREATE_TOPIC (17) on one broker.
func (c *Client) CreateTopic(ctx context.Context, addr string, tc TopicConfig) error {
	ext := map[string]string{"topic": tc.TopicName, "defaultTopic": "TBW102",
		"readQueueNums": strconv.Itoa(int(tc.ReadQueueNums)), "writeQueueNums": strconv.Itoa(int(tc.WriteQueueNums)),
		"perm": strconv.Itoa(int(tc.Perm)), "topicFilterType": tc.TopicFilterType,
		"topicSysFlag": strconv.Itoa(int(tc.TopicSysFlag)), "order": strconv.FormatBool(tc.Order)}
	_, err := c.call(ctx, addr, req(code.UpdateAndCreateTopic, ext, nil)())
	return err
}

// DeleteTopicInBroker is DELETE_TOPIC_IN_BROKER (215).
func (c *Client) DeleteTopicInBroker(ctx context.Context, addr, topic string) error {
	_, err := c.call(ctx, addr, req(code.DeleteTopicInBroker, map[string]string{"topic": topic}, nil)())
	return err
}

// DeleteTopicInNamesrv is DELETE_TOPIC_IN_NAMESRV (216) on every name server.
func (c *Client) DeleteTopicInNamesrv(ctx context.Context, topic, cluster string) error {
	ext := map[string]string{"topic": topic}
	if cluster != "" {
		ext["clusterName"] = cluster
	}
	return c.callAllNS(ctx, req(code.DeleteTopicInNamesrv, ext, nil), nil)
}

// TopicConfigOn is Java examineTopicConfig: the topic's configuration as one broker holds it
// (GET_ALL_TOPIC_CONFIG, 21).
func (c *Client) TopicConfigOn(ctx context.Context, addr, topic string) (*TopicConfig, error) {
	resp, err := c.call(ctx, addr, req(code.GetAllTopicConfig, nil, nil)())
	if err != nil {
		return nil, err
	}
	var body struct {
		TopicConfigTable map[string]struct {
			TopicName       string `json:"topicName"`
			ReadQueueNums   int32  `json:"readQueueNums"`
			WriteQueueNums  int32  `json:"writeQueueNums"`
			Perm            int32  `json:"perm"`
			TopicFilterType string `json:"topicFilterType"`
			TopicSysFlag    int32  `json:"topicSysFlag"`
			Order           bool   `json:"order"`
		} `json:"topicConfigTable"`
	}
	if err := decode(resp.Body, &body); err != nil {
		return nil, err
	}
	t, ok := body.TopicConfigTable[topic]
	if !ok {
		return nil, nil
	}
	return &TopicConfig{TopicName: t.TopicName, ReadQueueNums: t.ReadQueueNums, WriteQueueNums: t.WriteQueueNums,
		Perm: t.Perm, TopicFilterType: t.TopicFilterType, TopicSysFlag: t.TopicSysFlag, Order: t.Order}, nil
}

// CreateSubscriptionGroup is UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200).
func (c *Client) CreateSubscriptionGroup(ctx context.Context, addr string, sg SubscriptionGroupConfig) error {
	body, err := jsonAPI.Marshal(sg)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, addr, req(code.UpdateAndCreateSubscriptiongroup, nil, body)())
	return err
}

// DeleteSubscriptionGroup is DELETE_SUBSCRIPTIONGROUP (207).
func (c *Client) DeleteSubscriptionGroup(ctx context.Context, addr, group string, removeOffset bool) error {
	ext := map[string]string{"groupName": group, "removeOffset": strconv.FormatBool(removeOffset)}
	_, err := c.call(ctx, addr, req(code.DeleteSubscriptiongroup, ext, nil)())
	return err
}

// ConsumeStatsOn is GET_CONSUME_STATS (208) on one broker (topic "" for every topic).
func (c *Client) ConsumeStatsOn(ctx context.Context, addr, group, topic string) (*ConsumeStats, error) {
	ext := map[string]string{"consumerGroup": group}
	if topic != "" {
		ext["topic"] = topic
	}
	resp, err := c.call(ctx, addr, req(code.GetConsumeStats, ext, nil)())
	if err != nil {
		return nil, err
	}
	var body struct {
		OffsetTable Pairs[MessageQueue, OffsetWrapper] `json:"offsetTable"`
		ConsumeTps  float64                            `json:"consumeTps"`
	}
	if err := decode(resp.Body, &body); err != nil {
		return nil, err
	}
	return &ConsumeStats{Offsets: body.OffsetTable, ConsumeTps: body.ConsumeTps}, nil
}

// ConsumeStats is Java examineConsumeStats: GET_CONSUME_STATS on every broker of the group's retry topic,
// merged and sorted by queue. An empty result is CONSUMER_NOT_ONLINE (206) as in Java.
func (c *Client) ConsumeStats(ctx context.Context, group, topic string) (*ConsumeStats, error) {
	route, _, err := c.TopicRoute(ctx, "%RETRY%"+group)
	if err != nil {
		return nil, err
	}
	all := &ConsumeStats{}
	for _, bd := range route.BrokerDatas {
		if addr := bd.SelectAddr(); addr != "" {
			st, err := c.ConsumeStatsOn(ctx, addr, group, topic)
			if err != nil {
				return nil, err
			}
			all.Offsets = append(all.Offsets, st.Offsets...)
			all.ConsumeTps += st.ConsumeTps
		}
	}
	if len(all.Offsets) == 0 {
		return nil, &ResponseError{Code: code.ConsumerNotOnline, Remark: "Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message"}
	}
	sort.SliceStable(all.Offsets, func(i, j int) bool { return all.Offsets[i].K.Less(all.Offsets[j].K) })
	return all, nil
}

// ConsumerConnection is Java examineConsumerConnectionInfo: GET_CONSUMER_CONNECTION_LIST (203) on the
// first master of the group's retry topic that answers.
// With broker set, only that broker is asked.
func (c *Client) ConsumerConnection(ctx context.Context, group, broker string) (*ConsumerConnection, error) {
	route := &TopicRouteData{BrokerDatas: []BrokerData{{BrokerAddrs: map[string]string{"0": broker}}}}
	if broker == "" {
		var err error
		if route, _, err = c.TopicRoute(ctx, "%RETRY%"+group); err != nil {
			return nil, err
		}
	}
	var last error = &ResponseError{Code: code.ConsumerNotOnline, Remark: "Not found the consumer group connection"}
	for _, bd := range route.BrokerDatas {
		addr := bd.SelectAddr()
		if addr == "" {
			continue
		}
		resp, err := c.call(ctx, addr, req(code.GetConsumerConnectionList, map[string]string{"consumerGroup": group}, nil)())
		if err != nil {
			last = err
			continue
		}
		var cc ConsumerConnection
		if err := decode(resp.Body, &cc); err != nil {
			return nil, err
		}
		if len(cc.ConnectionSet) == 0 {
			continue
		}
		return &cc, nil
	}
	return nil, last
}

// ProducerConnection is Java examineProducerConnectionInfo: GET_PRODUCER_CONNECTION_LIST (204) on the
// brokers of topic's route, connections merged.
func (c *Client) ProducerConnection(ctx context.Context, group, topic string) ([]Connection, error) {
	route, _, err := c.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	var out []Connection
	for _, bd := range route.BrokerDatas {
		addr := bd.SelectAddr()
		if addr == "" {
			continue
		}
		resp, err := c.call(ctx, addr, req(code.GetProducerConnectionList, map[string]string{"producerGroup": group}, nil)())
		if err != nil {
			return nil, err
		}
		var pc struct {
			ConnectionSet []Connection `json:"connectionSet"`
		}
		if err := decode(resp.Body, &pc); err != nil {
			return nil, err
		}
		out = append(out, pc.ConnectionSet...)
	}
	if len(out) == 0 {
		return nil, &ResponseError{Code: code.SystemError, Remark: "Not found the producer group connection"}
	}
	return out, nil
}

// BrokerRuntimeInfo is GET_BROKER_RUNTIME_INFO (28): the broker's KVTable.
func (c *Client) BrokerRuntimeInfo(ctx context.Context, addr string) (map[string]string, error) {
	resp, err := c.call(ctx, addr, req(code.GetBrokerRuntimeInfo, nil, nil)())
	if err != nil {
		return nil, err
	}
	var kv struct {
		Table map[string]string `json:"table"`
	}
	return kv.Table, decode(resp.Body, &kv)
}

// BrokerConfig is GET_BROKER_CONFIG (26): the properties text, parsed.
func (c *Client) BrokerConfig(ctx context.Context, addr string) (*conf.Properties, error) {
	resp, err := c.call(ctx, addr, req(code.GetBrokerConfig, nil, nil)())
	if err != nil {
		return nil, err
	}
	return conf.Parse(resp.Body)
}

// UpdateBrokerConfig is UPDATE_BROKER_CONFIG (25) with one key.
func (c *Client) UpdateBrokerConfig(ctx context.Context, addr, key, value string) error {
	_, err := c.call(ctx, addr, req(code.UpdateBrokerConfig, nil, propertiesBody(key, value))())
	return err
}

func propertiesBody(kv ...string) []byte {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		b = append(b, kv[i]...)
		b = append(b, '=')
		b = append(b, kv[i+1]...)
		b = append(b, '\n')
	}
	return b
}

// NamesrvConfig is GET_NAMESRV_CONFIG (319) on each name server, in order.
func (c *Client) NamesrvConfig(ctx context.Context) (map[string]*conf.Properties, error) {
	out := map[string]*conf.Properties{}
	err := c.callAllNS(ctx, req(code.GetNamesrvConfig, nil, nil), func(addr string, resp *remoting.Command) {
		if p, err := conf.Parse(resp.Body); err == nil {
			out[addr] = p
		}
	})
	return out, err
}

// UpdateNamesrvConfig is UPDATE_NAMESRV_CONFIG (318) with one key, on every name server.
func (c *Client) UpdateNamesrvConfig(ctx context.Context, key, value string) error {
	return c.callAllNS(ctx, req(code.UpdateNamesrvConfig, nil, propertiesBody(key, value)), nil)
}

// PutKVConfig is PUT_KV_CONFIG (100) on every name server.
func (c *Client) PutKVConfig(ctx context.Context, namespace, key, value string) error {
	return c.callAllNS(ctx, req(code.PutKvConfig, map[string]string{"namespace": namespace, "key": key, "value": value}, nil), nil)
}

// DeleteKVConfig is DELETE_KV_CONFIG (102) on every name server.
func (c *Client) DeleteKVConfig(ctx context.Context, namespace, key string) error {
	return c.callAllNS(ctx, req(code.DeleteKvConfig, map[string]string{"namespace": namespace, "key": key}, nil), nil)
}

// WipeWritePerm is WIPE_WRITE_PERM_OF_BROKER (205) on one name server; it returns how many topics changed.
func (c *Client) WipeWritePerm(ctx context.Context, namesrv, brokerName string) (int, error) {
	return c.writePerm(ctx, namesrv, code.WipeWritePermOfBroker, brokerName, "wipeTopicCount")
}

// AddWritePerm is ADD_WRITE_PERM_OF_BROKER (327) on one name server; it returns how many topics changed.
func (c *Client) AddWritePerm(ctx context.Context, namesrv, brokerName string) (int, error) {
	return c.writePerm(ctx, namesrv, code.AddWritePermOfBroker, brokerName, "addTopicCount")
}

func (c *Client) writePerm(ctx context.Context, namesrv string, rc int32, brokerName, countKey string) (int, error) {
	resp, err := c.call(ctx, namesrv, req(rc, map[string]string{"brokerName": brokerName}, nil)())
	if err != nil {
		return 0, err
	}
	n, _ := strconv.Atoi(resp.Ext(countKey))
	return n, nil
}

// QueryConsumeQueue is QUERY_CONSUME_QUEUE (321). body is nil when the broker answered without one (index not
// in the queue); remark is then the broker's reason.
func (c *Client) QueryConsumeQueue(ctx context.Context, addr, topic string, queueID int32, index int64, count int32, group string) (body *ConsumeQueueBody, remark string, err error) {
	ext := map[string]string{"topic": topic, "queueId": strconv.Itoa(int(queueID)),
		"index": strconv.FormatInt(index, 10), "count": strconv.Itoa(int(count))}
	if group != "" {
		ext["consumerGroup"] = group
	}
	resp, err := c.call(ctx, addr, req(code.QueryConsumeQueue, ext, nil)())
	if err != nil {
		return nil, "", err
	}
	if len(resp.Body) == 0 {
		return nil, resp.Remark, nil
	}
	var b ConsumeQueueBody
	return &b, resp.Remark, decode(resp.Body, &b)
}

// TopicConsumeByWho is QUERY_TOPIC_CONSUME_BY_WHO (300) on the brokers of route: the groups with offsets on
// topic, merged in first-seen order.
func (c *Client) TopicConsumeByWho(ctx context.Context, route *TopicRouteData, topic string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, bd := range route.BrokerDatas {
		addr := bd.SelectAddr()
		if addr == "" {
			continue
		}
		resp, err := c.call(ctx, addr, req(code.QueryTopicConsumeByWho, map[string]string{"topic": topic}, nil)())
		if err != nil {
			return nil, err
		}
		var gl struct {
			GroupList []string `json:"groupList"`
		}
		if err := decode(resp.Body, &gl); err != nil {
			return nil, err
		}
		for _, g := range gl.GroupList {
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out, nil
}

// KVConfig is GET_KV_CONFIG (101) on the first name server that answers.
func (c *Client) KVConfig(ctx context.Context, namespace, key string) (string, error) {
	resp, err := c.callNS(ctx, req(code.GetKvConfig, map[string]string{"namespace": namespace, "key": key}, nil))
	if err != nil {
		return "", err
	}
	return resp.Ext("value"), nil
}
