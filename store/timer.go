package store

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/rocketd/rocketd/compat"
)

// TimerTopic holds timer messages until they are due (5.x TimerMessageStore.TIMER_TOPIC); broker/timer
// reads its queue 0 and puts each message back to its REAL_TOPIC / REAL_QID at TIMER_OUT_MS.
const TimerTopic = "rmq_sys_wheel_timer"

// ErrTimerNotEnabled and ErrTimerIllegal explain WheelTimerNotEnable and WheelTimerMsgIllegal.
var (
	ErrTimerNotEnabled = errors.New("store: timer messages (TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS) are turned off on this broker: set timerWheelEnable=true in broker.conf")
	ErrTimerIllegal    = errors.New("store: illegal timer message")
)

// timerDueMs is 5.x's checkIfTimerMessage + transformTimerMessage decision for a message that may carry
// TIMER_* properties: ok=false when it is not a timer message (no TIMER_* key, a DELAY level wins, or it
// already went through the wheel: TIMER_OUT_MS is set); otherwise the absolute due time in epoch ms, or a
// refusal status. TIMER_DELAY_SEC wins over TIMER_DELAY_MS, which wins over TIMER_DELIVER_MS (5.x order).
func timerDueMs(props map[string]string, now time.Time, enabled bool, maxDelaySec int) (due int64, ok bool, st PutMessageStatus, err error) {
	sec, hasSec := props[compat.PropertyTimerDelaySec]
	ms, hasMs := props[compat.PropertyTimerDelayMS]
	at, hasAt := props[compat.PropertyTimerDeliverMS]
	if !hasSec && !hasMs && !hasAt {
		if _, del := props[compat.PropertyTimerDelUniqKey]; del {
			return 0, true, WheelTimerMsgIllegal, fmt.Errorf("%w: cancelling a timer message (TIMER_DEL_UNIQKEY) is not supported", ErrTimerIllegal)
		}
		return 0, false, PutOK, nil
	}
	if _, done := props[compat.PropertyTimerOutMS]; done {
		return 0, false, PutOK, nil
	}
	if !enabled {
		return 0, true, WheelTimerNotEnable, ErrTimerNotEnabled
	}
	nowMs := now.UnixMilli()
	var n int64
	switch {
	case hasSec:
		n, err = strconv.ParseInt(sec, 10, 64)
		if err == nil && (n > 1<<40 || n < -(1<<40)) {
			err = errors.New("out of range")
		}
		due = nowMs + n*1000
	case hasMs:
		n, err = strconv.ParseInt(ms, 10, 64)
		if err == nil && (n > 1<<50 || n < -(1<<50)) {
			err = errors.New("out of range")
		}
		due = nowMs + n
	default:
		due, err = strconv.ParseInt(at, 10, 64)
	}
	if err != nil {
		return 0, true, WheelTimerMsgIllegal, fmt.Errorf("%w: TIMER_DELAY_SEC / TIMER_DELAY_MS / TIMER_DELIVER_MS must be a whole number: %v", ErrTimerIllegal, err)
	}
	if due-nowMs > int64(maxDelaySec)*1000 {
		return 0, true, WheelTimerMsgIllegal, fmt.Errorf("%w: due in %d ms, beyond timerMaxDelaySec=%d s of this broker (send it later or raise timerMaxDelaySec)",
			ErrTimerIllegal, due-nowMs, maxDelaySec)
	}
	return due, true, PutOK, nil
}

type timerSettings struct {
	enabled     bool
	maxDelaySec int
}

// SetTimerSettings changes timerWheelEnable / timerMaxDelaySec for the puts that follow (UPDATE_BROKER_CONFIG).
func (s *DefaultMessageStore) SetTimerSettings(enabled bool, maxDelaySec int) {
	s.timerSet.Store(&timerSettings{enabled: enabled, maxDelaySec: maxDelaySec})
}

// timerRedirect applies the timer decision to a message about to be stored: a due time in the future
// moves it to TimerTopic queue 0 with TIMER_OUT_MS, REAL_TOPIC and REAL_QID added (5.x); a due time not
// in the future leaves it a plain message. props is the caller's copy, re-encoded when redirected.
func (s *DefaultMessageStore) timerRedirect(msg *Message, topic *string, queueID *int32, encoded *string) (PutMessageStatus, error) {
	switch msg.Topic {
	case TimerTopic, ScheduleTopic,
		// Half messages (stored with TRANSACTION_NOT_TYPE, as in Java) and the transaction service's own
		// records: the timer applies to the message the commit puts.
		"RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC":
		return PutOK, nil
	}
	if delayLevel(msg.Properties) > 0 {
		return PutOK, nil
	}
	now := s.now()
	enabled, maxDelay := s.cfg.TimerWheelEnable, s.cfg.TimerMaxDelaySec
	if t := s.timerSet.Load(); t != nil {
		enabled, maxDelay = t.enabled, t.maxDelaySec
	}
	due, ok, st, err := timerDueMs(msg.Properties, now, enabled, maxDelay)
	if !ok || err != nil {
		return st, err
	}
	if due <= now.UnixMilli() {
		return PutOK, nil
	}
	props := make(map[string]string, len(msg.Properties)+3)
	for k, v := range msg.Properties {
		props[k] = v
	}
	props[compat.PropertyTimerOutMS] = strconv.FormatInt(due, 10)
	props[compat.PropertyRealTopic] = msg.Topic
	props[compat.PropertyRealQueueID] = strconv.Itoa(int(msg.QueueID))
	*encoded = compat.EncodeProperties(props)
	*topic, *queueID = TimerTopic, 0
	return PutOK, nil
}

// dropTimerProperties removes the TIMER_* request keys from a level-delayed message's properties: as in 5.x,
// a DELAY level wins and the message must not enter the wheel when the schedule service puts it back.
func dropTimerProperties(props map[string]string) {
	delete(props, compat.PropertyTimerDeliverMS)
	delete(props, compat.PropertyTimerDelaySec)
	delete(props, compat.PropertyTimerDelayMS)
}
