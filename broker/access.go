package broker

// access.go hooks the plain ACL (package acl) in front of every handler of both listeners when
// aclEnable=true, the place Java's server RPC hook runs: in the request's pool, after the busy check.

import (
	"github.com/rocketd/rocketd/broker/acl"
	"github.com/rocketd/rocketd/remoting"
)

// openACL loads the ACL files when aclEnable=true.
func (b *Broker) openACL() error {
	if !b.cfg.Broker.ACLEnable {
		return nil
	}
	v, err := acl.Open(acl.Options{Home: b.cfg.Broker.RocketmqHome, Interval: b.aclInterval, Logger: b.log})
	if err != nil {
		return err
	}
	b.acl = v
	return nil
}

// guard wraps h with the ACL check; a refusal becomes Java's SYSTEM_ERROR with the AclException remark
// (nothing for a oneway request) and the connection stays open.
func (b *Broker) guard(h remoting.HandlerFunc) remoting.HandlerFunc {
	if b.acl == nil {
		return h
	}
	return func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
		if err := req.LoadExtFields(); err != nil { // the signature covers every extField: the map is needed
			return nil, err
		}
		if err := b.acl.Check(c.RemoteAddr(), req); err != nil {
			return nil, err
		}
		return h(c, req)
	}
}

// notSupported is the default route under ACL: Java checks a request before finding that no processor
// serves its code.
func notSupported(_ *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}
