// Package conformance holds black-box tests that drive rocketd (started in-process on port 0) or any
// external RocketMQ 4.x cluster (named by ROCKETD_CONFORMANCE_NAMESRV) with the official clients.
package conformance
