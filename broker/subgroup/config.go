package subgroup

import (
	"fmt"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// Built-in groups Java 4.9.8 creates in every SubscriptionGroupManager (common.MixAll).
const (
	ToolsConsumerGroup       = "TOOLS_CONSUMER"
	FiltersrvConsumerGroup   = "FILTERSRV_CONSUMER"
	SelfTestConsumerGroup    = "SELF_TEST_C_GROUP"
	OnsHTTPProxyGroup        = "CID_ONS-HTTP-PROXY"
	CIDOnsAPIPullGroup       = "CID_ONSAPI_PULL"
	CIDOnsAPIPermissionGroup = "CID_ONSAPI_PERMISSION"
	CIDOnsAPIOwnerGroup      = "CID_ONSAPI_OWNER"
	// SysGroupPrefix groups are created on first use even when autoCreateSubscriptionGroup is false.
	SysGroupPrefix = "CID_RMQ_SYS_"
	// TransGroup is the internal group holding transaction check progress in consumerOffset.json.
	TransGroup = "CID_RMQ_SYS_TRANS"
)

// DefaultGroups lists the built-in groups in Java's insertion order.
var DefaultGroups = []string{
	ToolsConsumerGroup, FiltersrvConsumerGroup, SelfTestConsumerGroup, OnsHTTPProxyGroup,
	CIDOnsAPIPullGroup, CIDOnsAPIPermissionGroup, CIDOnsAPIOwnerGroup,
}

// SubscriptionGroupConfig is Java's common.subscription.SubscriptionGroupConfig. JSON keys (sorted): brokerId,
// consumeBroadcastEnable, consumeEnable, consumeFromMinEnable, groupName, notifyConsumerIdsChangedEnable,
// retryMaxTimes, retryQueueNums, whichBrokerWhenConsumeSlowly.
type SubscriptionGroupConfig struct {
	GroupName                      string `json:"groupName"`
	ConsumeEnable                  bool   `json:"consumeEnable"`
	ConsumeFromMinEnable           bool   `json:"consumeFromMinEnable"`
	ConsumeBroadcastEnable         bool   `json:"consumeBroadcastEnable"`
	RetryQueueNums                 int32  `json:"retryQueueNums"`
	RetryMaxTimes                  int32  `json:"retryMaxTimes"`
	BrokerID                       int64  `json:"brokerId"`
	WhichBrokerWhenConsumeSlowly   int64  `json:"whichBrokerWhenConsumeSlowly"`
	NotifyConsumerIdsChangedEnable bool   `json:"notifyConsumerIdsChangedEnable"`
}

// New returns a config with Java's defaults: everything enabled, 1 retry queue, 16 retries, broker 0,
// slow consumers redirected to broker 1.
func New(group string) SubscriptionGroupConfig {
	return SubscriptionGroupConfig{
		GroupName:                      group,
		ConsumeEnable:                  true,
		ConsumeFromMinEnable:           true,
		ConsumeBroadcastEnable:         true,
		RetryQueueNums:                 1,
		RetryMaxTimes:                  16,
		BrokerID:                       0,
		WhichBrokerWhenConsumeSlowly:   1,
		NotifyConsumerIdsChangedEnable: true,
	}
}

// UnmarshalJSON fills missing fields with Java's defaults (fastjson starts from `new SubscriptionGroupConfig()`).
func (c *SubscriptionGroupConfig) UnmarshalJSON(b []byte) error {
	type plain SubscriptionGroupConfig
	v := plain(New(""))
	if err := fastjson.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = SubscriptionGroupConfig(v)
	return nil
}

// Write emits the config through w with fastjson's field order.
func (c SubscriptionGroupConfig) Write(w *fastjson.Writer) {
	w.BeginObject()
	w.Key("brokerId")
	w.Int(c.BrokerID)
	w.Key("consumeBroadcastEnable")
	w.Bool(c.ConsumeBroadcastEnable)
	w.Key("consumeEnable")
	w.Bool(c.ConsumeEnable)
	w.Key("consumeFromMinEnable")
	w.Bool(c.ConsumeFromMinEnable)
	w.Key("groupName")
	w.String(c.GroupName)
	w.Key("notifyConsumerIdsChangedEnable")
	w.Bool(c.NotifyConsumerIdsChangedEnable)
	w.Key("retryMaxTimes")
	w.Int(int64(c.RetryMaxTimes))
	w.Key("retryQueueNums")
	w.Int(int64(c.RetryQueueNums))
	w.Key("whichBrokerWhenConsumeSlowly")
	w.Int(c.WhichBrokerWhenConsumeSlowly)
	w.EndObject()
}

// MarshalJSON is the compact Java form.
func (c SubscriptionGroupConfig) MarshalJSON() ([]byte, error) {
	w := fastjson.NewWriter(fastjson.Compact, nil)
	c.Write(w)
	return w.Bytes(), nil
}

// String is for logs, shaped like Java's toString.
func (c SubscriptionGroupConfig) String() string {
	return fmt.Sprintf("SubscriptionGroupConfig [groupName=%s, consumeEnable=%t, consumeFromMinEnable=%t, consumeBroadcastEnable=%t, retryQueueNums=%d, retryMaxTimes=%d, brokerId=%d, whichBrokerWhenConsumeSlowly=%d, notifyConsumerIdsChangedEnable=%t]",
		c.GroupName, c.ConsumeEnable, c.ConsumeFromMinEnable, c.ConsumeBroadcastEnable, c.RetryQueueNums, c.RetryMaxTimes,
		c.BrokerID, c.WhichBrokerWhenConsumeSlowly, c.NotifyConsumerIdsChangedEnable)
}
