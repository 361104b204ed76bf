package broker

// routes.go is the one place that maps every request code the broker serves to its handler and pool, for
// both listeners. The VIP (fast) listener serves the same table minus PULL_MESSAGE, as Java does.
// Codes not listed get REQUEST_CODE_NOT_SUPPORTED (Java's AdminBrokerProcessor default).

import (
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

type routeEntry struct {
	code int32
	pool *remoting.Pool
	h    remoting.HandlerFunc
	opts []remoting.RouteOption
}

func (b *Broker) routers() (main, vip *remoting.Router, err error) {
	bc := b.cfg.Broker
	mk := func(name string, workers, queue int) *remoting.Pool {
		if err != nil {
			return nil
		}
		var p *remoting.Pool
		p, err = remoting.NewPool(name, workers, queue)
		if p != nil {
			b.pools = append(b.pools, p)
		}
		return p
	}
	send := mk("SendMessageThread", bc.SendMessageThreadPoolNums, bc.SendThreadPoolQueueCapacity)
	pull := mk("PullMessageThread", bc.PullMessageThreadPoolNums, bc.PullThreadPoolQueueCapacity)
	query := mk("QueryMessageThread", bc.QueryMessageThreadPoolNums, bc.QueryThreadPoolQueueCapacity)
	admin := mk("AdminBrokerThread", bc.AdminBrokerThreadPoolNums, 10000)
	clientMgr := mk("ClientManageThread", bc.ClientManageThreadPoolNums, bc.ClientManagerThreadPoolQueueCapacity)
	heartbeat := mk("HeartbeatThread", bc.HeartbeatThreadPoolNums, bc.HeartbeatThreadPoolQueueCapacity)
	consumerMgr := mk("ConsumerManageThread", bc.ConsumerManageThreadPoolNums, bc.ConsumerManagerThreadPoolQueueCapacity)
	endTx := mk("EndTransactionThread", bc.EndTransactionThreadPoolNums, bc.EndTransactionPoolQueueCapacity)
	if err != nil {
		return nil, nil, err
	}
	sendReject := remoting.WithReject(b.sendBusy)
	raw := remoting.WithRawExt() // handleSend reads the header from the raw extFields (send_header.go)
	// handleSend keeps nothing that aliases the request frame once it returned (the store copies the body,
	// send_header.go copies or interns the strings), so the frame buffer goes back to the pool.
	reuse := remoting.WithFrameReuse()
	// handleSend never waits for the disk or a slave (a waiting send is answered from the flush / replica
	// completion), so when the send pool is idle the reader runs it itself: no hand-off to a worker. The pool
	// still runs at most sendMessageThreadPoolNums sends at once, in arrival order.
	inline := remoting.WithInline()

	table := []routeEntry{
		// Produce (SendMessageProcessor).
		{code.SendMessage, send, b.handleSend, []remoting.RouteOption{sendReject, reuse, inline}},
		{code.SendMessageV2, send, b.handleSend, []remoting.RouteOption{sendReject, raw, reuse, inline}},
		{code.SendBatchMessage, send, b.handleSend, []remoting.RouteOption{sendReject, raw, reuse, inline}},
		// Consume (PullMessageProcessor): main listener only.
		{code.PullMessage, pull, b.handlePull, []remoting.RouteOption{raw}}, // pull_header.go reads the raw extFields
		// Lookup (QueryMessageProcessor).
		{code.QueryMessage, query, b.handleQueryMessage, nil},
		{code.ViewMessageById, query, b.handleViewMessage, nil},
		// Clients (ClientManageProcessor, ConsumerManageProcessor).
		{code.HeartBeat, heartbeat, b.handleHeartbeat, nil},
		{code.UnregisterClient, clientMgr, b.handleUnregisterClient, nil},
		{code.CheckClientConfig, clientMgr, b.handleCheckClientConfig, nil},
		{code.GetConsumerListByGroup, consumerMgr, b.handleConsumerListByGroup, nil},
		{code.QueryConsumerOffset, consumerMgr, b.handleQueryConsumerOffset, nil},
		{code.UpdateConsumerOffset, consumerMgr, b.handleUpdateConsumerOffset, nil},
		// Offsets (AdminBrokerProcessor).
		{code.GetMaxOffset, admin, b.handleGetMaxOffset, nil},
		{code.GetMinOffset, admin, b.handleGetMinOffset, nil},
		{code.SearchOffsetByTimestamp, admin, b.handleSearchOffset, nil},
		{code.GetEarliestMsgStoretime, admin, b.handleEarliestMsgStoretime, nil},
		// Orderly consumption.
		{code.LockBatchMq, admin, b.handleLockBatch, nil},
		{code.UnlockBatchMq, admin, b.handleUnlockBatch, nil},
		// Topic and group administration.
		{code.UpdateAndCreateTopic, admin, b.handleCreateTopic, nil},
		{code.DeleteTopicInBroker, admin, b.handleDeleteTopic, nil},
		{code.GetAllTopicConfig, admin, b.handleGetAllTopicConfig, nil},
		{code.UpdateAndCreateSubscriptiongroup, admin, b.handleCreateSubscriptionGroup, nil},
		{code.GetAllSubscriptiongroupConfig, admin, b.handleGetAllSubscriptionGroup, nil},
		{code.DeleteSubscriptiongroup, admin, b.handleDeleteSubscriptionGroup, nil},
		{code.GetAllConsumerOffset, admin, b.handleGetAllConsumerOffset, nil},
		// Runtime information.
		{code.GetBrokerRuntimeInfo, admin, b.handleRuntimeInfo, nil},
		{code.GetBrokerConfig, admin, b.handleGetBrokerConfig, nil},
		{code.GetTopicStatsInfo, admin, b.handleTopicStats, nil},
		{code.GetConsumeStats, admin, b.handleConsumeStats, nil},
		{code.GetConsumerConnectionList, admin, b.handleConsumerConnectionList, nil},
		{code.GetProducerConnectionList, admin, b.handleProducerConnectionList, nil},
		{code.QueryTopicConsumeByWho, admin, b.handleTopicConsumeByWho, nil},
		{code.GetSystemTopicListFromBroker, admin, b.handleSystemTopicList, nil},
		// Delivery semantics (delivery.go): retry, transactions, delay, reset, request-reply.
		{code.ConsumerSendMsgBack, send, b.handleSendBack, nil},
		{code.EndTransaction, endTx, b.handleEndTransaction, nil},
		{code.ResumeCheckHalfMessage, admin, b.handleResumeCheckHalf, nil},
		{code.GetAllDelayOffset, admin, b.handleGetAllDelayOffset, nil},
		{code.InvokeBrokerToResetOffset, admin, b.handleResetOffset, nil},
		{code.InvokeBrokerToGetConsumerStatus, admin, b.handleGetConsumerStatus, nil},
		{code.QueryConsumeTimeSpan, admin, b.handleConsumeTimeSpan, nil},
		{code.SendReplyMessage, send, b.handleSendReply, nil},
		{code.SendReplyMessageV2, send, b.handleSendReply, nil},
		// Admin codes beyond the basics (admin_ext.go).
		{code.UpdateBrokerConfig, admin, b.handleUpdateBrokerConfig, nil},
		{code.GetConsumerRunningInfo, admin, b.handleConsumerRunningInfo, nil},
		{code.ConsumeMessageDirectly, admin, b.handleConsumeMessageDirectly, nil},
		{code.QueryCorrectionOffset, admin, b.handleQueryCorrectionOffset, nil},
		{code.CloneGroupOffset, admin, b.handleCloneGroupOffset, nil},
		{code.ViewBrokerStatsData, admin, b.handleViewBrokerStatsData, nil},
		{code.GetBrokerConsumeStats, admin, b.handleBrokerConsumeStats, nil},
		{code.QueryConsumeQueue, admin, b.handleQueryConsumeQueue, nil},
		{code.GetAllProducerInfo, admin, b.handleAllProducerInfo, nil},
		{code.CleanExpiredConsumequeue, admin, b.handleCleanExpiredConsumeQueue, nil},
		{code.CleanUnusedTopic, admin, b.handleCleanUnusedTopic, nil},
		{code.DeleteExpiredCommitlog, admin, b.handleDeleteExpiredCommitLog, nil},
		// ACL administration (handle_acl_admin.go).
		{code.UpdateAndCreateAclConfig, admin, b.handleUpdateAclConfig, nil},
		{code.DeleteAclConfig, admin, b.handleDeleteAclConfig, nil},
		{code.GetBrokerClusterAclInfo, admin, b.handleGetBrokerClusterAclInfo, nil},
		{code.UpdateGlobalWhiteAddrsConfig, admin, b.handleUpdateGlobalWhiteAddrs, nil},
	}
	main = remoting.NewRouter(b.log)
	vip = remoting.NewRouter(b.log)
	for _, e := range table {
		h := b.guard(e.h)
		main.Handle(e.code, e.pool, h, e.opts...)
		if e.code != code.PullMessage {
			vip.Handle(e.code, e.pool, h, e.opts...)
		}
	}
	if b.acl != nil {
		main.HandleDefault(admin, b.guard(notSupported))
		vip.HandleDefault(admin, b.guard(notSupported))
	}
	return main, vip, nil
}
