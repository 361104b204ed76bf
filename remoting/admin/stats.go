package admin

import (
	"context"
	"strconv"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// StatsItem is one window of VIEW_BROKER_STATS_DATA.
type StatsItem struct {
	Sum   int64   `json:"sum"`
	Tps   float64 `json:"tps"`
	Avgpt float64 `json:"avgpt"`
}

// BrokerStatsData is VIEW_BROKER_STATS_DATA's body.
type BrokerStatsData struct {
	StatsMinute StatsItem `json:"statsMinute"`
	StatsHour   StatsItem `json:"statsHour"`
	StatsDay    StatsItem `json:"statsDay"`
}

// Sum24h is Java StatsAllSubCommand.compute24HourSum: the day's sum, else the hour's, else the minute's.
func (b BrokerStatsData) Sum24h() int64 {
	switch {
	case b.StatsDay.Sum != 0:
		return b.StatsDay.Sum
	case b.StatsHour.Sum != 0:
		return b.StatsHour.Sum
	}
	return b.StatsMinute.Sum
}

// ViewBrokerStatsData is VIEW_BROKER_STATS_DATA (315).
func (c *Client) ViewBrokerStatsData(ctx context.Context, addr, statsName, statsKey string) (*BrokerStatsData, error) {
	resp, err := c.call(ctx, addr, remoting.NewRequest(code.ViewBrokerStatsData, map[string]string{"statsName": statsName, "statsKey": statsKey}, nil))
	if err != nil {
		return nil, err
	}
	var b BrokerStatsData
	return &b, decode(resp.Body, &b)
}

// GroupConsumeStats is one group's entry of GET_BROKER_CONSUME_STATS: one ConsumeStats per topic.
type GroupConsumeStats struct {
	Group string
	Stats []ConsumeStats
}

// BrokerConsumeStats is GET_BROKER_CONSUME_STATS (317): every group's consume stats on one broker, and the
// total diff.
func (c *Client) BrokerConsumeStats(ctx context.Context, addr string, isOrder bool) ([]GroupConsumeStats, int64, error) {
	resp, err := c.call(ctx, addr, remoting.NewRequest(code.GetBrokerConsumeStats, map[string]string{"isOrder": strconv.FormatBool(isOrder)}, nil))
	if err != nil {
		return nil, 0, err
	}
	type cs struct {
		OffsetTable Pairs[MessageQueue, OffsetWrapper] `json:"offsetTable"`
		ConsumeTps  float64                            `json:"consumeTps"`
	}
	var body struct {
		ConsumeStatsList []map[string][]cs `json:"consumeStatsList"`
		TotalDiff        int64             `json:"totalDiff"`
	}
	if err := decode(resp.Body, &body); err != nil {
		return nil, 0, err
	}
	var out []GroupConsumeStats
	for _, m := range body.ConsumeStatsList {
		for g, list := range m {
			gs := GroupConsumeStats{Group: g}
			for _, s := range list {
				gs.Stats = append(gs.Stats, ConsumeStats{Offsets: s.OffsetTable, ConsumeTps: s.ConsumeTps})
			}
			out = append(out, gs)
		}
	}
	return out, body.TotalDiff, nil
}
