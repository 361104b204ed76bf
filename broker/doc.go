// Package broker is rocketd's Broker: produce, consume, offsets, client management and admin requests,
// wire-compatible with the RocketMQ 4.9.8 broker.
package broker
