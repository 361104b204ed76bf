package broker

// Delivery semantics (issue "Delivery semantics"): CONSUMER_SEND_MSG_BACK (36), END_TRANSACTION (37),
// RESUME_CHECK_HALF_MESSAGE (323), GET_ALL_DELAY_OFFSET (45), INVOKE_BROKER_TO_RESET_OFFSET (222),
// INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223), QUERY_CONSUME_TIME_SPAN (303), SEND_REPLY_MESSAGE(_V2) (324/325).
// Not implemented yet: every handler here answers REQUEST_CODE_NOT_SUPPORTED.

import "github.com/rocketd/rocketd/remoting"

// delivery holds the state of the schedule (delay) service, the transaction check service and filters.
type delivery struct{}

// initDelivery runs in New, after the managers and the store exist.
func (b *Broker) initDelivery() error { return nil }

// startDelivery runs at the end of Start.
func (b *Broker) startDelivery() {}

// stopDelivery runs in Close before the store shuts down.
func (b *Broker) stopDelivery() {}

func (b *Broker) handleSendBack(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleEndTransaction(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleResumeCheckHalf(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleGetAllDelayOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleResetOffset(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleGetConsumerStatus(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleConsumeTimeSpan(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}

func (b *Broker) handleSendReply(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	return remoting.NotSupported(req), nil
}
