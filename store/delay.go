package store

import (
	"fmt"
	"strconv"
	"strings"
)

// ScheduleTopic is the delay topic (TopicValidator.RMQ_SYS_SCHEDULE_TOPIC).
const ScheduleTopic = "SCHEDULE_TOPIC_XXXX"

// DelayLevels maps delay level (1-based) to milliseconds, parsed from messageDelayLevel.
type DelayLevels []int64

// ParseDelayLevels parses "1s 5s 10s 30s 1m ... 2h" (units s, m, h, d) like Java's parseDelayLevel.
func ParseDelayLevels(s string) (DelayLevels, error) {
	var out DelayLevels
	for _, f := range strings.Fields(s) {
		unit := f[len(f)-1]
		var mul int64
		switch unit {
		case 's':
			mul = 1000
		case 'm':
			mul = 60 * 1000
		case 'h':
			mul = 60 * 60 * 1000
		case 'd':
			mul = 24 * 60 * 60 * 1000
		default:
			return nil, fmt.Errorf("store: messageDelayLevel %q: unit of %q must be s, m, h or d", s, f)
		}
		n, err := strconv.ParseInt(f[:len(f)-1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("store: messageDelayLevel %q: bad number in %q", s, f)
		}
		out = append(out, n*mul)
	}
	return out, nil
}

// MaxLevel is the highest level.
func (d DelayLevels) MaxLevel() int { return len(d) }

// DeliverTimestamp is the CQ tags code of a delayed record: store time + delay(level); an unknown level
// gives store time + 1000 (Java computeDeliverTimestamp).
func (d DelayLevels) DeliverTimestamp(level int, storeTimestamp int64) int64 {
	if level >= 1 && level <= len(d) {
		return storeTimestamp + d[level-1]
	}
	return storeTimestamp + 1000
}
