package namesrv

import (
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// register maps every request code Java 4.9.8's DefaultRequestProcessor serves to its handler. Other codes get
// REQUEST_CODE_NOT_SUPPORTED from the router (Java's namesrv sends no reply at all; an answer lets clients fail
// fast instead of timing out). ClusterTestRequestProcessor (clusterTest=true) is not implemented.
func (s *Server) register(r *remoting.Router) {
	for c, h := range map[int32]remoting.HandlerFunc{
		// handle_kv.go
		code.PutKvConfig:          s.putKVConfig,
		code.GetKvConfig:          s.getKVConfig,
		code.DeleteKvConfig:       s.deleteKVConfig,
		code.GetKvlistByNamespace: s.getKVListByNamespace,
		// handle_broker.go
		code.RegisterBroker:        s.registerBroker,
		code.UnregisterBroker:      s.unregisterBroker,
		code.QueryDataVersion:      s.queryDataVersion,
		code.WipeWritePermOfBroker: s.wipeWritePermOfBroker,
		code.AddWritePermOfBroker:  s.addWritePermOfBroker,
		// handle_route.go
		code.GetRouteinfoByTopic:           s.getRouteInfoByTopic,
		code.GetBrokerClusterInfo:          s.getBrokerClusterInfo,
		code.GetAllTopicListFromNameserver: s.getAllTopicList,
		code.DeleteTopicInNamesrv:          s.deleteTopicInNamesrv,
		code.GetTopicsByCluster:            s.getTopicsByCluster,
		code.GetSystemTopicListFromNs:      s.getSystemTopicList,
		code.GetUnitTopicList:              s.getUnitTopicList,
		code.GetHasUnitSubTopicList:        s.getHasUnitSubTopicList,
		code.GetHasUnitSubUnunitTopicList:  s.getHasUnitSubUnUnitTopicList,
		// handle_config.go
		code.UpdateNamesrvConfig: s.updateConfig,
		code.GetNamesrvConfig:    s.getConfig,
	} {
		r.Handle(c, s.pool, h)
	}
}
