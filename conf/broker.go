package conf

// BrokerConfig is the broker's own settings (Java common.BrokerConfig), field
// order as in Java so that -p prints the same sequence.
type BrokerConfig struct {
	// From ROCKETMQ_HOME; when unset, the installation directory (bin/..) as Java's start scripts set it.
	RocketmqHome string `prop:"rocketmqHome" nullable:"true"`
	// Name servers, "host:port;host:port". Default NAMESRV_ADDR; -n overrides.
	NamesrvAddr string `prop:"namesrvAddr" important:"true" nullable:"true"`
	// Address registered for clients; default: first non-loopback IPv4.
	BrokerIP1 string `prop:"brokerIP1" important:"true"`
	// Address registered for HA (slaves connect to brokerIP2:haListenPort).
	BrokerIP2         string `prop:"brokerIP2"`
	BrokerName        string `prop:"brokerName" important:"true"` // default: host name
	BrokerClusterName string `prop:"brokerClusterName" important:"true"`
	// 0 is the master; forced to 0 for master roles, -1 with DLedger.
	BrokerID int64 `prop:"brokerId" important:"true"`
	// PERM_READ|PERM_WRITE = 6.
	BrokerPermission            int    `prop:"brokerPermission"`
	DefaultTopicQueueNums       int    `prop:"defaultTopicQueueNums"`
	AutoCreateTopicEnable       bool   `prop:"autoCreateTopicEnable" important:"true"`
	ClusterTopicEnable          bool   `prop:"clusterTopicEnable"`
	BrokerTopicEnable           bool   `prop:"brokerTopicEnable"`
	AutoCreateSubscriptionGroup bool   `prop:"autoCreateSubscriptionGroup" important:"true"`
	MessageStorePlugIn          string `prop:"messageStorePlugIn"`
	MsgTraceTopicName           string `prop:"msgTraceTopicName" important:"true"`
	TraceTopicEnable            bool   `prop:"traceTopicEnable" important:"true"`

	// Thread pool sizes, several derived from the processor count.
	SendMessageThreadPoolNums         int `prop:"sendMessageThreadPoolNums"`
	PutMessageFutureThreadPoolNums    int `prop:"putMessageFutureThreadPoolNums"`
	PullMessageThreadPoolNums         int `prop:"pullMessageThreadPoolNums"`
	ProcessReplyMessageThreadPoolNums int `prop:"processReplyMessageThreadPoolNums"`
	QueryMessageThreadPoolNums        int `prop:"queryMessageThreadPoolNums"`
	AdminBrokerThreadPoolNums         int `prop:"adminBrokerThreadPoolNums"`
	ClientManageThreadPoolNums        int `prop:"clientManageThreadPoolNums"`
	ConsumerManageThreadPoolNums      int `prop:"consumerManageThreadPoolNums"`
	HeartbeatThreadPoolNums           int `prop:"heartbeatThreadPoolNums"`
	EndTransactionThreadPoolNums      int `prop:"endTransactionThreadPoolNums"`

	FlushConsumerOffsetInterval        int  `prop:"flushConsumerOffsetInterval"`
	FlushConsumerOffsetHistoryInterval int  `prop:"flushConsumerOffsetHistoryInterval"`
	RejectTransactionMessage           bool `prop:"rejectTransactionMessage" important:"true"`
	FetchNamesrvAddrByAddressServer    bool `prop:"fetchNamesrvAddrByAddressServer" important:"true"`

	// Request queue capacities per pool.
	SendThreadPoolQueueCapacity            int `prop:"sendThreadPoolQueueCapacity"`
	PutThreadPoolQueueCapacity             int `prop:"putThreadPoolQueueCapacity"`
	PullThreadPoolQueueCapacity            int `prop:"pullThreadPoolQueueCapacity"`
	ReplyThreadPoolQueueCapacity           int `prop:"replyThreadPoolQueueCapacity"`
	QueryThreadPoolQueueCapacity           int `prop:"queryThreadPoolQueueCapacity"`
	ClientManagerThreadPoolQueueCapacity   int `prop:"clientManagerThreadPoolQueueCapacity"`
	ConsumerManagerThreadPoolQueueCapacity int `prop:"consumerManagerThreadPoolQueueCapacity"`
	HeartbeatThreadPoolQueueCapacity       int `prop:"heartbeatThreadPoolQueueCapacity"`
	EndTransactionPoolQueueCapacity        int `prop:"endTransactionPoolQueueCapacity"`

	FilterServerNums               int    `prop:"filterServerNums"`
	LongPollingEnable              bool   `prop:"longPollingEnable"`
	ShortPollingTimeMills          int64  `prop:"shortPollingTimeMills"`
	NotifyConsumerIdsChangedEnable bool   `prop:"notifyConsumerIdsChangedEnable"`
	HighSpeedMode                  bool   `prop:"highSpeedMode"`
	CommercialEnable               bool   `prop:"commercialEnable"`
	CommercialTimerCount           int    `prop:"commercialTimerCount"`
	CommercialTransCount           int    `prop:"commercialTransCount"`
	CommercialBigCount             int    `prop:"commercialBigCount"`
	CommercialBaseCount            int    `prop:"commercialBaseCount"`
	TransferMsgByHeap              bool   `prop:"transferMsgByHeap"`
	MaxDelayTime                   int    `prop:"maxDelayTime"`
	RegionID                       string `prop:"regionId"`
	RegisterBrokerTimeoutMills     int    `prop:"registerBrokerTimeoutMills"`
	SlaveReadEnable                bool   `prop:"slaveReadEnable"`

	DisableConsumeIfConsumerReadSlowly bool  `prop:"disableConsumeIfConsumerReadSlowly"`
	ConsumerFallbehindThreshold        int64 `prop:"consumerFallbehindThreshold"`

	// Fast failure: requests that waited longer than these in a pool queue
	// are answered SYSTEM_BUSY.
	BrokerFastFailureEnable         bool  `prop:"brokerFastFailureEnable"`
	WaitTimeMillsInSendQueue        int64 `prop:"waitTimeMillsInSendQueue"`
	WaitTimeMillsInPullQueue        int64 `prop:"waitTimeMillsInPullQueue"`
	WaitTimeMillsInHeartbeatQueue   int64 `prop:"waitTimeMillsInHeartbeatQueue"`
	WaitTimeMillsInTransactionQueue int64 `prop:"waitTimeMillsInTransactionQueue"`

	StartAcceptSendRequestTimeStamp int64 `prop:"startAcceptSendRequestTimeStamp"`
	TraceOn                         bool  `prop:"traceOn"`

	// Consumer filtering (SQL92 / bloom filter bit maps).
	EnableCalcFilterBitMap     bool  `prop:"enableCalcFilterBitMap"`
	ExpectConsumerNumUseFilter int   `prop:"expectConsumerNumUseFilter"`
	MaxErrorRateOfBloomFilter  int   `prop:"maxErrorRateOfBloomFilter"` // percent, 1..100
	FilterDataCleanTimeSpan    int64 `prop:"filterDataCleanTimeSpan"`
	FilterSupportRetry         bool  `prop:"filterSupportRetry"`
	EnablePropertyFilter       bool  `prop:"enablePropertyFilter"`

	CompressedRegister bool `prop:"compressedRegister"`
	ForceRegister      bool `prop:"forceRegister"`
	// Registration period to the name servers, ms (Java clamps to 10 s..60 s).
	RegisterNameServerPeriod int `prop:"registerNameServerPeriod"`

	// Transactions: first check after transactionTimeOut ms, at most
	// transactionCheckMax checks, one scan every transactionCheckInterval ms.
	TransactionTimeOut       int64 `prop:"transactionTimeOut" important:"true"`
	TransactionCheckMax      int   `prop:"transactionCheckMax" important:"true"`
	TransactionCheckInterval int64 `prop:"transactionCheckInterval" important:"true"`

	ACLEnable               bool `prop:"aclEnable" important:"true"`
	StoreReplyMessageEnable bool `prop:"storeReplyMessageEnable"`
	EnableDetailStat        bool `prop:"enableDetailStat"`
	AutoDeleteUnusedStats   bool `prop:"autoDeleteUnusedStats"`
	IsolateLogEnable        bool `prop:"isolateLogEnable"`
	// Keys that UPDATE_BROKER_CONFIG may not change, separated by ';'.
	ConfigBlackList string `prop:"configBlackList"`
}

// DefaultBrokerConfig returns the Java defaults for this machine and
// environment (host name, local address, processor count, NAMESRV_ADDR).
func DefaultBrokerConfig() BrokerConfig {
	cpus := processors()
	send := min(cpus, 4)
	ip := localAddress()
	return BrokerConfig{
		RocketmqHome:                rocketmqHome(),
		NamesrvAddr:                 namesrvAddrFromEnv(),
		BrokerIP1:                   ip,
		BrokerIP2:                   ip,
		BrokerName:                  localHostName(),
		BrokerClusterName:           "DefaultCluster",
		BrokerID:                    0,
		BrokerPermission:            6,
		DefaultTopicQueueNums:       8,
		AutoCreateTopicEnable:       true,
		ClusterTopicEnable:          true,
		BrokerTopicEnable:           true,
		AutoCreateSubscriptionGroup: true,
		MessageStorePlugIn:          "",
		MsgTraceTopicName:           "RMQ_SYS_TRACE_TOPIC",
		TraceTopicEnable:            false,

		SendMessageThreadPoolNums:         send,
		PutMessageFutureThreadPoolNums:    min(cpus, 4),
		PullMessageThreadPoolNums:         16 + cpus*2,
		ProcessReplyMessageThreadPoolNums: 16 + cpus*2,
		QueryMessageThreadPoolNums:        8 + cpus,
		AdminBrokerThreadPoolNums:         16,
		ClientManageThreadPoolNums:        32,
		ConsumerManageThreadPoolNums:      32,
		HeartbeatThreadPoolNums:           min(32, cpus),
		EndTransactionThreadPoolNums:      max(8+cpus*2, send*4),

		FlushConsumerOffsetInterval:        5 * 1000,
		FlushConsumerOffsetHistoryInterval: 60 * 1000,
		RejectTransactionMessage:           false,
		FetchNamesrvAddrByAddressServer:    false,

		SendThreadPoolQueueCapacity:            10000,
		PutThreadPoolQueueCapacity:             10000,
		PullThreadPoolQueueCapacity:            100000,
		ReplyThreadPoolQueueCapacity:           10000,
		QueryThreadPoolQueueCapacity:           20000,
		ClientManagerThreadPoolQueueCapacity:   1000000,
		ConsumerManagerThreadPoolQueueCapacity: 1000000,
		HeartbeatThreadPoolQueueCapacity:       50000,
		EndTransactionPoolQueueCapacity:        100000,

		FilterServerNums:               0,
		LongPollingEnable:              true,
		ShortPollingTimeMills:          1000,
		NotifyConsumerIdsChangedEnable: true,
		HighSpeedMode:                  false,
		CommercialEnable:               true,
		CommercialTimerCount:           1,
		CommercialTransCount:           1,
		CommercialBigCount:             1,
		CommercialBaseCount:            1,
		TransferMsgByHeap:              true,
		MaxDelayTime:                   40,
		RegionID:                       "DefaultRegion",
		RegisterBrokerTimeoutMills:     6000,
		SlaveReadEnable:                false,

		DisableConsumeIfConsumerReadSlowly: false,
		ConsumerFallbehindThreshold:        16 * 1024 * 1024 * 1024,

		BrokerFastFailureEnable:         true,
		WaitTimeMillsInSendQueue:        200,
		WaitTimeMillsInPullQueue:        5 * 1000,
		WaitTimeMillsInHeartbeatQueue:   31 * 1000,
		WaitTimeMillsInTransactionQueue: 3 * 1000,

		StartAcceptSendRequestTimeStamp: 0,
		TraceOn:                         true,

		EnableCalcFilterBitMap:     false,
		ExpectConsumerNumUseFilter: 32,
		MaxErrorRateOfBloomFilter:  20,
		FilterDataCleanTimeSpan:    24 * 3600 * 1000,
		FilterSupportRetry:         false,
		EnablePropertyFilter:       false,

		CompressedRegister:       false,
		ForceRegister:            true,
		RegisterNameServerPeriod: 30 * 1000,

		TransactionTimeOut:       6 * 1000,
		TransactionCheckMax:      15,
		TransactionCheckInterval: 60 * 1000,

		ACLEnable:               false,
		StoreReplyMessageEnable: true,
		EnableDetailStat:        true,
		AutoDeleteUnusedStats:   false,
		IsolateLogEnable:        false,
		ConfigBlackList:         "configBlackList;brokerConfigPath",
	}
}
