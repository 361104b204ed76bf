package compat

// Property keys of RocketMQ 5.x's timer messages (MessageConst 5.x). A 4.x client sets the first three as
// plain user properties (Message.putUserProperty); the broker adds the others.
const (
	PropertyTimerDeliverMS  = "TIMER_DELIVER_MS"  // absolute due time, epoch milliseconds
	PropertyTimerDelaySec   = "TIMER_DELAY_SEC"   // due in this many seconds after the broker received it
	PropertyTimerDelayMS    = "TIMER_DELAY_MS"    // due in this many milliseconds after the broker received it
	PropertyTimerOutMS      = "TIMER_OUT_MS"      // set by the broker: the computed due time, epoch ms
	PropertyTimerRollTimes  = "TIMER_ROLL_TIMES"  // set by the broker: how often a far-off message was re-put
	PropertyTimerDelUniqKey = "TIMER_DEL_UNIQKEY" // 5.x cancel marker; refused by rocketd
)
