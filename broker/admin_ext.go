package broker

// Admin codes Java mqadmin uses beyond the basics: UPDATE_BROKER_CONFIG (25), GET_CONSUMER_RUNNING_INFO (307),
// CONSUME_MESSAGE_DIRECTLY (309), QUERY_CORRECTION_OFFSET (308), CLONE_GROUP_OFFSET (314),
// VIEW_BROKER_STATS_DATA (315), GET_BROKER_CONSUME_STATS (317), QUERY_CONSUME_QUEUE (321),
// GET_ALL_PRODUCER_INFO (328), CLEAN_EXPIRED_CONSUMEQUEUE (306), CLEAN_UNUSED_TOPIC (316),
// DELETE_EXPIRED_COMMITLOG (329).
// Not implemented yet: every handler here answers REQUEST_CODE_NOT_SUPPORTED.

import "github.com/rocketd/rocketd/remoting"

// adminExt holds the state of broker statistics and the extra admin codes.
type adminExt struct{}

// initAdminExt runs in New, after the managers and the store exist.
func (b *Broker) initAdminExt() error { return nil }

// startAdminExt runs at the end of Start.
func (b *Broker) startAdminExt() {}

// stopAdminExt runs in Close before the store shuts down.
func (b *Broker) stopAdminExt() {}

func (b *Broker) handleUpdateBrokerConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleConsumerRunningInfo(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleConsumeMessageDirectly(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleQueryCorrectionOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleCloneGroupOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleViewBrokerStatsData(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleBrokerConsumeStats(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleQueryConsumeQueue(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleAllProducerInfo(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleCleanExpiredConsumeQueue(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleCleanUnusedTopic(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleDeleteExpiredCommitLog(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}
