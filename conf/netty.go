package conf

// NettyServerConfig holds the listener settings shared by the name server and
// the broker (Java remoting.netty.NettyServerConfig). Several Java defaults
// come from -Dcom.rocketmq.remoting.* system properties; the values below are
// the ones Java uses when those properties are absent.
type NettyServerConfig struct {
	// Java's class default is 8888; the name server sets 9876 and the broker
	// 10911 before reading the file (see DefaultNamesrv, DefaultBroker).
	ListenPort                         int  `prop:"listenPort"`
	ServerWorkerThreads                int  `prop:"serverWorkerThreads"`
	ServerCallbackExecutorThreads      int  `prop:"serverCallbackExecutorThreads"` // 0: Java uses 4
	ServerSelectorThreads              int  `prop:"serverSelectorThreads"`
	ServerOnewaySemaphoreValue         int  `prop:"serverOnewaySemaphoreValue"`
	ServerAsyncSemaphoreValue          int  `prop:"serverAsyncSemaphoreValue"`
	ServerChannelMaxIdleTimeSeconds    int  `prop:"serverChannelMaxIdleTimeSeconds"`
	ServerSocketSndBufSize             int  `prop:"serverSocketSndBufSize"` // 0: OS default
	ServerSocketRcvBufSize             int  `prop:"serverSocketRcvBufSize"` // 0: OS default
	WriteBufferHighWaterMark           int  `prop:"writeBufferHighWaterMark"`
	WriteBufferLowWaterMark            int  `prop:"writeBufferLowWaterMark"`
	ServerSocketBacklog                int  `prop:"serverSocketBacklog"`
	ServerPooledByteBufAllocatorEnable bool `prop:"serverPooledByteBufAllocatorEnable"`
	UseEpollNativeSelector             bool `prop:"useEpollNativeSelector"`
}

// DefaultNettyServerConfig returns the Java class defaults (listenPort 8888).
func DefaultNettyServerConfig() NettyServerConfig {
	return NettyServerConfig{
		ListenPort:                         8888,
		ServerWorkerThreads:                8,
		ServerCallbackExecutorThreads:      0,
		ServerSelectorThreads:              3,
		ServerOnewaySemaphoreValue:         256,
		ServerAsyncSemaphoreValue:          64,
		ServerChannelMaxIdleTimeSeconds:    120,
		ServerSocketSndBufSize:             0,
		ServerSocketRcvBufSize:             0,
		WriteBufferHighWaterMark:           0,
		WriteBufferLowWaterMark:            0,
		ServerSocketBacklog:                1024,
		ServerPooledByteBufAllocatorEnable: true,
		UseEpollNativeSelector:             false,
	}
}

// NettyClientConfig holds the broker's outbound connection settings (to name
// servers and, for slaves, to the master). Java remoting.netty.NettyClientConfig.
type NettyClientConfig struct {
	ClientWorkerThreads                int   `prop:"clientWorkerThreads"`
	ClientCallbackExecutorThreads      int   `prop:"clientCallbackExecutorThreads"`
	ClientOnewaySemaphoreValue         int   `prop:"clientOnewaySemaphoreValue"`
	ClientAsyncSemaphoreValue          int   `prop:"clientAsyncSemaphoreValue"`
	ConnectTimeoutMillis               int   `prop:"connectTimeoutMillis"`
	ChannelNotActiveInterval           int64 `prop:"channelNotActiveInterval"`
	ClientChannelMaxIdleTimeSeconds    int   `prop:"clientChannelMaxIdleTimeSeconds"`
	ClientSocketSndBufSize             int   `prop:"clientSocketSndBufSize"`
	ClientSocketRcvBufSize             int   `prop:"clientSocketRcvBufSize"`
	ClientPooledByteBufAllocatorEnable bool  `prop:"clientPooledByteBufAllocatorEnable"`
	ClientCloseSocketIfTimeout         bool  `prop:"clientCloseSocketIfTimeout"`
	UseTLS                             bool  `prop:"useTLS"`
	WriteBufferHighWaterMark           int   `prop:"writeBufferHighWaterMark"`
	WriteBufferLowWaterMark            int   `prop:"writeBufferLowWaterMark"`
}

// DefaultNettyClientConfig returns the Java class defaults;
// clientCallbackExecutorThreads is the processor count.
func DefaultNettyClientConfig() NettyClientConfig {
	return NettyClientConfig{
		ClientWorkerThreads:                4,
		ClientCallbackExecutorThreads:      processors(),
		ClientOnewaySemaphoreValue:         65535,
		ClientAsyncSemaphoreValue:          65535,
		ConnectTimeoutMillis:               3000,
		ChannelNotActiveInterval:           60 * 1000,
		ClientChannelMaxIdleTimeSeconds:    120,
		ClientSocketSndBufSize:             0,
		ClientSocketRcvBufSize:             0,
		ClientPooledByteBufAllocatorEnable: false,
		ClientCloseSocketIfTimeout:         true,
		UseTLS:                             false,
		WriteBufferHighWaterMark:           0,
		WriteBufferLowWaterMark:            0,
	}
}
