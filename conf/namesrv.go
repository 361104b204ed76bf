package conf

// NamesrvConfig is the name server's own settings (Java
// common.namesrv.NamesrvConfig). No key is marked important in Java.
type NamesrvConfig struct {
	// From ROCKETMQ_HOME; when unset, the installation directory (bin/..) as Java's start scripts set it.
	RocketmqHome string `prop:"rocketmqHome" nullable:"true"`
	// Where the KV config table is persisted; default $HOME/namesrv/kvConfig.json.
	KvConfigPath string `prop:"kvConfigPath"`
	// Where UPDATE_NAMESRV_CONFIG persists; default $HOME/namesrv/namesrv.properties,
	// replaced by the -c file when one is given.
	ConfigStorePath    string `prop:"configStorePath"`
	ProductEnvName     string `prop:"productEnvName"`
	ClusterTest        bool   `prop:"clusterTest"`
	OrderMessageEnable bool   `prop:"orderMessageEnable"`
	// Keys that UPDATE_NAMESRV_CONFIG may not change, separated by ';'.
	ConfigBlackList string `prop:"configBlackList"`
}

// DefaultNamesrvConfig returns the Java defaults for this machine and
// environment.
func DefaultNamesrvConfig() NamesrvConfig {
	return NamesrvConfig{
		RocketmqHome:       rocketmqHome(),
		KvConfigPath:       homePath("namesrv", "kvConfig.json"),
		ConfigStorePath:    homePath("namesrv", "namesrv.properties"),
		ProductEnvName:     "center",
		ClusterTest:        false,
		OrderMessageEnable: false,
		ConfigBlackList:    "configBlackList;configStorePath;kvConfigPath",
	}
}
