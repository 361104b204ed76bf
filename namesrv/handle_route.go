package namesrv

// Routes and topic lists: GET_ROUTEINFO_BY_TOPIC (105), GET_BROKER_CLUSTER_INFO (106),
// GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206), DELETE_TOPIC_IN_NAMESRV (216), GET_TOPICS_BY_CLUSTER (224),
// GET_SYSTEM_TOPIC_LIST_FROM_NS (304), GET_UNIT_TOPIC_LIST (311), GET_HAS_UNIT_SUB_TOPIC_LIST (312),
// GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST (313).
// Java: DefaultRequestProcessor and RouteInfoManager (pickupTopicRouteData, getAllClusterInfo, topic lists).
// Not done: nothing known.

import (
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// versionStandardRoute is MQVersion V4_9_4: from it on clients get the standard route JSON.
const versionStandardRoute = 401

// faqApplyTopic is what Java appends to "no route" remarks (FAQUrl.suggestTodo(APPLY_TOPIC_URL)).
const faqApplyTopic = "\nSee http://rocketmq.apache.org/docs/faq/ for further details."

func (s *Server) getRouteInfoByTopic(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetRouteInfoRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	tr := s.routes.PickupTopicRoute(h.Topic)
	if tr == nil {
		return remoting.NewResponse(req, code.TopicNotExist,
			"No topic route info in name server for the topic: "+h.Topic+faqApplyTopic), nil
	}
	s.cfgMu.RLock()
	orderEnable := s.cfg.Namesrv.OrderMessageEnable
	s.cfgMu.RUnlock()
	if orderEnable {
		tr.OrderTopicConf, _ = s.kv.Get(NamespaceOrderTopicConfig, h.Topic)
	}
	standard := req.Version >= versionStandardRoute || h.AcceptStandardJSONOnly.Or(false)
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = tr.encode(standard)
	return resp, nil
}

func (s *Server) getBrokerClusterInfo(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return withBody(req, s.routes.ClusterInfoBody()), nil
}

func withBody(req *remoting.Command, body []byte) *remoting.Command {
	resp := remoting.NewResponse(req, code.Success, "")
	resp.Body = body
	return resp
}

func (s *Server) getAllTopicList(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return withBody(req, s.routes.AllTopics()), nil
}

func (s *Server) deleteTopicInNamesrv(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.DeleteTopicFromNamesrvRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	s.routes.DeleteTopic(h.Topic, h.ClusterName)
	s.log.Info("topic deleted", "topic", h.Topic, "cluster", h.ClusterName, "client", c.RemoteAddr())
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (s *Server) getTopicsByCluster(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetTopicsByClusterRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	return withBody(req, s.routes.TopicsByCluster(h.Cluster)), nil
}

func (s *Server) getSystemTopicList(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return withBody(req, s.routes.SystemTopics()), nil
}

func (s *Server) getUnitTopicList(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return withBody(req, s.routes.TopicsWhere(func(f int32) bool { return f&flagUnit != 0 })), nil
}

func (s *Server) getHasUnitSubTopicList(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return withBody(req, s.routes.TopicsWhere(func(f int32) bool { return f&flagUnitSub != 0 })), nil
}

func (s *Server) getHasUnitSubUnUnitTopicList(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return withBody(req, s.routes.TopicsWhere(func(f int32) bool { return f&flagUnit == 0 && f&flagUnitSub != 0 })), nil
}
