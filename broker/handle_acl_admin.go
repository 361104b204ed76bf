package broker

// handle_acl_admin.go: the ACL admin requests of AdminBrokerProcessor (UPDATE_AND_CREATE_ACL_CONFIG 50,
// DELETE_ACL_CONFIG 51, GET_BROKER_CLUSTER_ACL_INFO 52, UPDATE_GLOBAL_WHITE_ADDRS_CONFIG 53). The files are
// changed by package acl. Without aclEnable Java fails them with a NullPointerException: 50, 51 and 53
// answer their *_FAILED code with the exception's message as remark (JDK 17's helpful message, what the
// reference prints; null on JDK 8), 52 does not answer at all; rocketd does the same.

import (
	"github.com/rocketd/rocketd/broker/acl"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// npeNoValidator starts the NullPointerException message the Java reference (JDK 17) answers without aclEnable.
const npeNoValidator = `Cannot invoke "org.apache.rocketmq.acl.AccessValidator`

func optExt(ext map[string]string, k string) *string {
	if v, ok := ext[k]; ok {
		return &v
	}
	return nil
}

func (b *Broker) handleUpdateAclConfig(_ *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.CreateAccessConfigRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if b.acl == nil {
		return remoting.NewResponse(req, code.UpdateAndCreateAclConfigFailed, npeNoValidator+`.updateAccessConfig(org.apache.rocketmq.common.PlainAccessConfig)" because "accessValidator" is null`), nil
	}
	ext := req.ExtFields
	tp, tok := ext["topicPerms"]
	gp, gok := ext["groupPerms"]
	err := b.acl.UpdateAccount(acl.AccountUpdate{
		AccessKey:          optExt(ext, "accessKey"),
		SecretKey:          optExt(ext, "secretKey"),
		WhiteRemoteAddress: optExt(ext, "whiteRemoteAddress"),
		Admin:              h.Admin,
		DefaultTopicPerm:   optExt(ext, "defaultTopicPerm"),
		DefaultGroupPerm:   optExt(ext, "defaultGroupPerm"),
		TopicPerms:         acl.JavaSplit(tp, tok, ","),
		GroupPerms:         acl.JavaSplit(gp, gok, ","),
	})
	if err != nil {
		// Java's remark can echo the secret key the requester sent: it goes back to them, not to the log.
		b.log.Warn("updating an ACL account failed", "accessKey", h.AccessKey)
		return remoting.NewResponse(req, code.UpdateAndCreateAclConfigFailed, err.Error()), nil
	}
	b.log.Info("ACL account updated", "accessKey", h.AccessKey, "by", req.Ext("AccessKey"))
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleDeleteAclConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.DeleteAccessConfigRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	b.log.Info("DeleteAccessConfig called", "remote", c.RemoteAddr())
	if b.acl == nil {
		return remoting.NewResponse(req, code.DeleteAclConfigFailed, npeNoValidator+`.deleteAccessConfig(String)" because "accessValidator" is null`), nil
	}
	ok, err := b.acl.DeleteAccount(h.AccessKey)
	if err != nil {
		return remoting.NewResponse(req, code.DeleteAclConfigFailed, err.Error()), nil
	}
	if !ok {
		return remoting.NewResponse(req, code.DeleteAclConfigFailed,
			"The accesskey["+h.AccessKey+"] corresponding to accessConfig has been deleted failed."), nil
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleUpdateGlobalWhiteAddrs(_ *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	var h header.UpdateGlobalWhiteAddrsConfigRequestHeader
	if err := h.Decode(req.ExtFields); err != nil {
		return nil, err
	}
	if b.acl == nil {
		return remoting.NewResponse(req, code.UpdateGlobalWhiteAddrsConfigFailed, npeNoValidator+`.updateGlobalWhiteAddrsConfig(java.util.List, String)" because "accessValidator" is null`), nil
	}
	ok, err := b.acl.UpdateGlobalWhiteAddrs(acl.JavaSplit(h.GlobalWhiteAddrs, true, ","), h.AclFileFullPath)
	if err != nil {
		return remoting.NewResponse(req, code.UpdateGlobalWhiteAddrsConfigFailed, err.Error()), nil
	}
	if !ok {
		return remoting.NewResponse(req, code.UpdateGlobalWhiteAddrsConfigFailed,
			"The globalWhiteAddresses["+h.GlobalWhiteAddrs+"] has been updated failed."), nil
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}

func (b *Broker) handleGetBrokerClusterAclInfo(_ *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	if b.acl == nil {
		return nil, nil // Java: NullPointerException caught and logged, no answer
	}
	version, all := b.acl.Versions()
	resp := remoting.NewResponse(req, code.Success, "")
	h := header.GetBrokerAclConfigResponseHeader{
		Version:           version,
		AllAclFileVersion: all,
		BrokerName:        b.cfg.Broker.BrokerName,
		BrokerAddr:        b.brokerAddr(),
		ClusterName:       b.cfg.Broker.BrokerClusterName,
	}
	resp.ExtFields = map[string]string{}
	h.Encode(resp.ExtFields)
	return resp, nil
}
