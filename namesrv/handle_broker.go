package namesrv

// Broker membership: REGISTER_BROKER (103), UNREGISTER_BROKER (104), QUERY_DATA_VERSION (322),
// WIPE_WRITE_PERM_OF_BROKER (205), ADD_WRITE_PERM_OF_BROKER (327).
// Java: namesrv/.../processor/DefaultRequestProcessor (registerBrokerWithFilterServer, registerBroker,
// unregisterBroker, queryBrokerTopicConfig, wipe/addWritePermOfBroker) and RouteInfoManager.
// Not done: nothing known.

import (
	"fmt"
	"hash/crc32"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// versionRegisterBody is MQVersion V3_0_11: from it on brokers send RegisterBrokerBody, before it a bare
// TopicConfigSerializeWrapper.
const versionRegisterBody = 37

// withHeader is a response whose Java counterpart has a custom header class: its extFields is always a map,
// even when every field is null.
func withHeader(req *remoting.Command, c int32, remark string) *remoting.Command {
	resp := remoting.NewResponse(req, c, remark)
	resp.ExtFields = map[string]string{}
	return resp
}

func (s *Server) registerBroker(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.RegisterBrokerRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if h.BodyCrc32 != 0 && int32(crc32.ChecksumIEEE(req.Body)&0x7FFFFFFF) != h.BodyCrc32 {
		s.log.Warn("register broker: body crc32 does not match", "remote", c.RemoteAddr(), "broker", h.BrokerAddr)
		return withHeader(req, code.SystemError, "crc32 not match"), nil
	}
	body := &RegisterBody{}
	switch {
	case len(req.Body) == 0:
		if req.Version >= versionRegisterBody {
			body.FilterServers = []string{}
		}
	case req.Version >= versionRegisterBody:
		b, err := DecodeRegisterBody(req.Body, h.Compressed)
		if err != nil {
			return nil, fmt.Errorf("Failed to decode RegisterBrokerBody (compressed=%t): %w", h.Compressed, err)
		}
		body = b
	default:
		b, err := DecodeTopicConfigWrapper(req.Body)
		if err != nil {
			return nil, fmt.Errorf("Failed to decode TopicConfigSerializeWrapper: %w", err)
		}
		body = b
	}
	res := s.routes.Register(Registration{
		Cluster:      h.ClusterName,
		BrokerAddr:   h.BrokerAddr,
		BrokerName:   h.BrokerName,
		BrokerID:     h.BrokerID,
		HaServerAddr: h.HaServerAddr,
		Body:         body,
		Conn:         c,
	})
	resp := withHeader(req, code.Success, "")
	rh := header.RegisterBrokerResponseHeader{HaServerAddr: res.HaServerAddr, MasterAddr: res.MasterAddr}
	rh.Encode(resp.ExtFields)
	if b, ok := s.kv.ListBody(NamespaceOrderTopicConfig); ok {
		resp.Body = b
	}
	return resp, nil
}

func (s *Server) unregisterBroker(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.UnRegisterBrokerRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	s.routes.Unregister(h.ClusterName, h.BrokerAddr, h.BrokerName, h.BrokerID)
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (s *Server) queryDataVersion(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.QueryDataVersionRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	dv, err := DecodeDataVersion(req.Body)
	if err != nil {
		return nil, err
	}
	changed, held, ok := s.routes.QueryDataVersion(h.BrokerAddr, dv)
	resp := withHeader(req, code.Success, "")
	(&header.QueryDataVersionResponseHeader{Changed: changed}).Encode(resp.ExtFields)
	if ok {
		resp.Body = held.AppendJSON(nil)
	}
	return resp, nil
}

func (s *Server) wipeWritePermOfBroker(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.WipeWritePermOfBrokerRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	n := s.routes.WipeWritePerm(h.BrokerName)
	s.log.Info("wiped write perm of broker", "brokerName", h.BrokerName, "client", c.RemoteAddr(), "topics", n)
	resp := withHeader(req, code.Success, "")
	(&header.WipeWritePermOfBrokerResponseHeader{WipeTopicCount: int32(n)}).Encode(resp.ExtFields)
	return resp, nil
}

func (s *Server) addWritePermOfBroker(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.AddWritePermOfBrokerRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	n := s.routes.AddWritePerm(h.BrokerName)
	s.log.Info("added write perm of broker", "brokerName", h.BrokerName, "client", c.RemoteAddr(), "topics", n)
	resp := withHeader(req, code.Success, "")
	(&header.AddWritePermOfBrokerResponseHeader{AddTopicCount: int32(n)}).Encode(resp.ExtFields)
	return resp, nil
}
