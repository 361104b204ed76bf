// Package namesrv is rocketd's NameServer: the route service that RocketMQ 4.9.8 clients, brokers and mqadmin
// query for topic routes, cluster membership and KV configuration. It answers every code Java 4.9.8's
// DefaultRequestProcessor serves, with the same response codes, remarks and body bytes.
//
// Files:
//   - server.go: New / Start / Run / Close, the expiry scan, the optional HTTP address server;
//   - routes.go: request code -> handler; handle_broker.go, handle_route.go, handle_kv.go, handle_config.go;
//   - routeinfo.go, routeinfo_read.go: the tables of Java's RouteInfoManager behind one RWMutex;
//   - kvconfig.go: KVConfigManager and kvConfig.json;
//   - body_register.go: REGISTER_BROKER bodies (JSON, zlib-compressed, pre-3.0.11), DataVersion;
//   - fastjson.go, jmap.go: fastjson's output format and java.util.HashMap iteration order, so bodies match a
//     Java NameServer byte for byte (see testdata/java and TestJavaFixtureReplay).
//
// One deliberate difference: Java's NameServer never answers a code it does not serve (the caller times out);
// rocketd answers REQUEST_CODE_NOT_SUPPORTED.
package namesrv
