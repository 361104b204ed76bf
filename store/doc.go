// Package store holds rocketd's message store: CommitLog, ConsumeQueue and IndexFile in the exact on-disk
// formats of RocketMQ 4.9.8, so a Java broker's store directory can be served by rocketd and the reverse.
package store
