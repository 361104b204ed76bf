// Package namesrv is rocketd's NameServer: the route service that RocketMQ 4.9.8 clients, brokers and mqadmin
// query for topic routes, cluster membership and KV configuration.
package namesrv
