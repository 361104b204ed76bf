package broker

// Timer messages (issue #18): TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS sends are held in
// rmq_sys_wheel_timer by the store and delivered by broker/timer, which runs on a master only, like the
// schedule service. Its figures are in GET_BROKER_RUNTIME_INFO (mqadmin brokerStatus) once the broker has
// held a timer message.

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rocketd/rocketd/broker/timer"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/store"
)

// openTimer opens the timer store; a bad setting or damaged file stops the broker from starting, since
// accepting timer messages it cannot deliver would lose them.
func (b *Broker) openTimer() error {
	sc := &b.cfg.Store
	if !sc.BrokerRole.IsMaster() {
		return nil // a slave delivers nothing; after a promotion the wheel is rebuilt from rmq_sys_wheel_timer
	}
	if sc.TimerMaxDelaySec <= 0 {
		return fmt.Errorf("broker: timerMaxDelaySec=%d is not valid: set a number of seconds > 0 in broker.conf (default 259200, 3 days)", sc.TimerMaxDelaySec)
	}
	if w := int64(sc.TimerRollWindowSlot) * int64(sc.TimerPrecisionMs) / 1000; int64(sc.FileReservedTime)*3600 < w {
		b.log.Warn("fileReservedTime is shorter than the timer roll window: timer messages pending longer than fileReservedTime may be lost with their CommitLog file",
			"fileReservedTimeHours", sc.FileReservedTime, "rollWindowSec", w)
	}
	s, err := timer.Open(timer.Options{
		Root:           sc.StorePathRootDir,
		PrecisionMs:    sc.TimerPrecisionMs,
		RollWindowSlot: sc.TimerRollWindowSlot,
		FlushInterval:  time.Duration(sc.TimerFlushIntervalMs) * time.Millisecond,
		LogFileSize:    int64(sc.MappedFileSizeTimerLog),
		Store:          b.store,
		Log:            b.log,
	})
	if err != nil {
		return err
	}
	b.dl.timer.Store(s)
	return nil
}

// timerInfo is the timer part of GET_BROKER_RUNTIME_INFO.
func (b *Broker) timerInfo() map[string]string {
	s := b.dl.timer.Load()
	if s == nil {
		return nil
	}
	st := s.Stats()
	if st.Pending == 0 && st.Enqueued == 0 && st.Delivered == 0 {
		return nil
	}
	out := map[string]string{
		"timerPendingNum":   strconv.FormatInt(st.Pending, 10),
		"timerOffsetBehind": strconv.FormatInt(st.OffsetBehind, 10),
		"timerReadBehind":   strconv.FormatInt(max(0, time.Now().UnixMilli()-st.ReadSlotMs)/1000, 10),
		"timerDeliveredNum": strconv.FormatInt(st.Delivered, 10),
	}
	if st.NextDueMs > 0 {
		out["timerNextDueTimeMs"] = strconv.FormatInt(st.NextDueMs, 10)
	}
	return out
}

// timerSettingsChanged applies an UPDATE_BROKER_CONFIG of timerWheelEnable / timerMaxDelaySec to the sends
// that follow (the other timer keys take effect at the next start, as they shape the files).
func (b *Broker) timerSettingsChanged(apply *conf.Properties) {
	_, e := apply.Get("timerWheelEnable")
	_, m := apply.Get("timerMaxDelaySec")
	if !e && !m {
		return
	}
	if ts, ok := b.rawStore().(interface{ SetTimerSettings(bool, int) }); ok {
		ts.SetTimerSettings(b.cfg.Store.TimerWheelEnable, b.cfg.Store.TimerMaxDelaySec)
	}
}

// timerArriving wakes the timer enqueue for a new rmq_sys_wheel_timer unit.
func (b *Broker) timerArriving(info *store.DispatchInfo) {
	if info.Topic != store.TimerTopic {
		return
	}
	if s := b.dl.timer.Load(); s != nil {
		s.Wake()
	}
}
