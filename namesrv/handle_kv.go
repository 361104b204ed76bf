package namesrv

// KV configuration: PUT_KV_CONFIG (100), GET_KV_CONFIG (101), DELETE_KV_CONFIG (102),
// GET_KVLIST_BY_NAMESPACE (219). Java: DefaultRequestProcessor and kvconfig/KVConfigManager.
// Not done: nothing known. A failed kvConfig.json write is logged (as in Java) and does not fail the request.

import (
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

func (s *Server) putKVConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.PutKVConfigRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	_ = s.kv.Put(h.Namespace, h.Key, h.Value)
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (s *Server) getKVConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetKVConfigRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	v, ok := s.kv.Get(h.Namespace, h.Key)
	if !ok {
		return withHeader(req, code.QueryNotFound, "No config item, Namespace: "+h.Namespace+" Key: "+h.Key), nil
	}
	resp := withHeader(req, code.Success, "")
	resp.ExtFields["value"] = v // set even when empty, as Java does for a non-null value
	return resp, nil
}

func (s *Server) deleteKVConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.DeleteKVConfigRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	_ = s.kv.Delete(h.Namespace, h.Key)
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (s *Server) getKVListByNamespace(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.GetKVListByNamespaceRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	body, ok := s.kv.ListBody(h.Namespace)
	if !ok {
		return remoting.NewResponse(req, code.QueryNotFound, "No config item, Namespace: "+h.Namespace), nil
	}
	return withBody(req, body), nil
}
