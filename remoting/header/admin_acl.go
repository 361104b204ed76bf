package header

// ACL administration headers: UPDATE_AND_CREATE_ACL_CONFIG (50), DELETE_ACL_CONFIG (51),
// GET_BROKER_CLUSTER_ACL_INFO (52, response), UPDATE_GLOBAL_WHITE_ADDRS_CONFIG (53).
// Java: CreateAccessConfigRequestHeader, DeleteAccessConfigRequestHeader, GetBrokerAclConfigResponseHeader,
// UpdateGlobalWhiteAddrsConfigRequestHeader.

// CreateAccessConfigRequestHeader is the UPDATE_AND_CREATE_ACL_CONFIG request.
type CreateAccessConfigRequestHeader struct {
	AccessKey          string // accessKey, required
	SecretKey          string // secretKey, optional
	WhiteRemoteAddress string // whiteRemoteAddress, optional
	Admin              bool   // admin, default false
	DefaultTopicPerm   string // defaultTopicPerm, optional
	DefaultGroupPerm   string // defaultGroupPerm, optional
	TopicPerms         string // topicPerms, optional: comma-separated topic=PERM
	GroupPerms         string // groupPerms, optional: comma-separated group=PERM
}

func (h *CreateAccessConfigRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = CreateAccessConfigRequestHeader{
		AccessKey:          d.str("accessKey"),
		SecretKey:          d.optStr("secretKey"),
		WhiteRemoteAddress: d.optStr("whiteRemoteAddress"),
		Admin:              d.boolOr("admin", false),
		DefaultTopicPerm:   d.optStr("defaultTopicPerm"),
		DefaultGroupPerm:   d.optStr("defaultGroupPerm"),
		TopicPerms:         d.optStr("topicPerms"),
		GroupPerms:         d.optStr("groupPerms"),
	}
	return d.err
}

func (h *CreateAccessConfigRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "accessKey", h.AccessKey)
	putOptStr(ext, "secretKey", h.SecretKey)
	putOptStr(ext, "whiteRemoteAddress", h.WhiteRemoteAddress)
	putBool(ext, "admin", h.Admin)
	putOptStr(ext, "defaultTopicPerm", h.DefaultTopicPerm)
	putOptStr(ext, "defaultGroupPerm", h.DefaultGroupPerm)
	putOptStr(ext, "topicPerms", h.TopicPerms)
	putOptStr(ext, "groupPerms", h.GroupPerms)
}

// DeleteAccessConfigRequestHeader is the DELETE_ACL_CONFIG request.
type DeleteAccessConfigRequestHeader struct {
	AccessKey string // accessKey, required
}

func (h *DeleteAccessConfigRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = DeleteAccessConfigRequestHeader{AccessKey: d.str("accessKey")}
	return d.err
}

func (h *DeleteAccessConfigRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "accessKey", h.AccessKey)
}

// UpdateGlobalWhiteAddrsConfigRequestHeader is the UPDATE_GLOBAL_WHITE_ADDRS_CONFIG request.
type UpdateGlobalWhiteAddrsConfigRequestHeader struct {
	GlobalWhiteAddrs string // globalWhiteAddrs, required: comma-separated
	AclFileFullPath  string // aclFileFullPath, required
}

func (h *UpdateGlobalWhiteAddrsConfigRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = UpdateGlobalWhiteAddrsConfigRequestHeader{
		GlobalWhiteAddrs: d.str("globalWhiteAddrs"),
		AclFileFullPath:  d.str("aclFileFullPath"),
	}
	return d.err
}

func (h *UpdateGlobalWhiteAddrsConfigRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "globalWhiteAddrs", h.GlobalWhiteAddrs)
	putStr(ext, "aclFileFullPath", h.AclFileFullPath)
}

// GetBrokerAclConfigResponseHeader answers GET_BROKER_CLUSTER_ACL_INFO.
type GetBrokerAclConfigResponseHeader struct {
	Version           string // version, required
	AllAclFileVersion string // allAclFileVersion, optional
	BrokerName        string // brokerName, required
	BrokerAddr        string // brokerAddr, required
	ClusterName       string // clusterName, required
}

func (h *GetBrokerAclConfigResponseHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = GetBrokerAclConfigResponseHeader{
		Version:           d.str("version"),
		AllAclFileVersion: d.optStr("allAclFileVersion"),
		BrokerName:        d.str("brokerName"),
		BrokerAddr:        d.str("brokerAddr"),
		ClusterName:       d.str("clusterName"),
	}
	return d.err
}

func (h *GetBrokerAclConfigResponseHeader) Encode(ext map[string]string) {
	putStr(ext, "version", h.Version)
	putOptStr(ext, "allAclFileVersion", h.AllAclFileVersion)
	putStr(ext, "brokerName", h.BrokerName)
	putStr(ext, "brokerAddr", h.BrokerAddr)
	putStr(ext, "clusterName", h.ClusterName)
}
