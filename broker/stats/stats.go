// Package stats keeps the broker statistics Java mqadmin reads: the named per-key counters of Java's
// BrokerStatsManager (TOPIC_PUT_NUMS, GROUP_GET_NUMS, ...) with their minute/hour/day windows, served by
// VIEW_BROKER_STATS_DATA (315), and the store-wide counters of Java's StoreStatsService (putTps,
// getTransferedTps, putMessageTimesTotal, ...) and BrokerStats (msgPutTotal*, msgGetTotal*) that
// GET_BROKER_RUNTIME_INFO (28) reports.
//
// Windows follow Java's StatsItem: a sample of (value, times, timestamp) every 10 s kept 7 deep for the
// minute view, every 10 min kept 7 deep for the hour view, every hour kept 25 deep for the day view. A view's
// sum is last-first over its samples, tps is sum per second over their time span, avgpt is sum per call.
// The first sampling also records a zero sample one period earlier (as Java does), so a counter created
// between two samplings is fully counted; before the first sampling a view is all zeros.
package stats

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stats names (Java BrokerStatsManager constants).
const (
	TopicPutNums         = "TOPIC_PUT_NUMS"
	TopicPutSize         = "TOPIC_PUT_SIZE"
	GroupGetNums         = "GROUP_GET_NUMS"
	GroupGetSize         = "GROUP_GET_SIZE"
	SndbckPutNums        = "SNDBCK_PUT_NUMS"
	BrokerPutNums        = "BROKER_PUT_NUMS"
	BrokerGetNums        = "BROKER_GET_NUMS"
	GroupGetFromDiskNums = "GROUP_GET_FROM_DISK_NUMS"
)

type sample struct {
	value, times, at int64 // at: unix ms
}

// Item is one counter (Java StatsItem).
type Item struct {
	value, times atomic.Int64

	mu                sync.Mutex
	minute, hour, day []sample
}

// Add adds value (e.g. a message count) and times (calls).
func (it *Item) Add(value, times int64) {
	it.value.Add(value)
	it.times.Add(times)
}

// Value is the running total.
func (it *Item) Value() int64 { return it.value.Load() }

func (it *Item) sampleInto(list *[]sample, keep int, now, period int64) {
	it.mu.Lock()
	if len(*list) == 0 {
		// Like Java, the first sampling also records a zero one period earlier, so counts made before the
		// first sample show up in the views.
		*list = append(*list, sample{0, 0, now - period})
	}
	*list = append(*list, sample{it.value.Load(), it.times.Load(), now})
	if len(*list) > keep {
		*list = append((*list)[:0], (*list)[len(*list)-keep:]...)
	}
	it.mu.Unlock()
}

// Snapshot is one window's view (Java StatsSnapshot / BrokerStatsItem).
type Snapshot struct {
	Sum   int64
	Tps   float64
	Avgpt float64
}

func compute(list []sample) Snapshot {
	var s Snapshot
	if len(list) < 2 {
		return s
	}
	first, last := list[0], list[len(list)-1]
	s.Sum = last.value - first.value
	if span := last.at - first.at; span > 0 {
		s.Tps = float64(s.Sum) * 1000 / float64(span)
	}
	if dt := last.times - first.times; dt > 0 {
		s.Avgpt = float64(s.Sum) / float64(dt)
	}
	return s
}

// Minute, Hour and Day are the three views.
func (it *Item) Minute() Snapshot { it.mu.Lock(); defer it.mu.Unlock(); return compute(it.minute) }
func (it *Item) Hour() Snapshot   { it.mu.Lock(); defer it.mu.Unlock(); return compute(it.hour) }
func (it *Item) Day() Snapshot    { it.mu.Lock(); defer it.mu.Unlock(); return compute(it.day) }

// Manager holds every named item set. Items are keyed by (a, b) so that hot paths need no string
// concatenation: TOPIC_* use (topic, ""), GROUP_* use (topic, group) for Java's "topic@group" key.
type Manager struct {
	mu    sync.RWMutex
	items map[string]*sync.Map // name -> itemKey -> *Item
}

type itemKey struct{ a, b string }

func splitKey(key string) itemKey {
	if i := strings.IndexByte(key, '@'); i >= 0 {
		return itemKey{key[:i], key[i+1:]}
	}
	return itemKey{key, ""}
}

func (k itemKey) String() string {
	if k.b == "" {
		return k.a
	}
	return k.a + "@" + k.b
}

// NewManager returns an empty manager.
func NewManager() *Manager { return &Manager{items: map[string]*sync.Map{}} }

func (m *Manager) set(name string, create bool) *sync.Map {
	m.mu.RLock()
	set := m.items[name]
	m.mu.RUnlock()
	if set != nil || !create {
		return set
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if set = m.items[name]; set == nil {
		set = &sync.Map{}
		m.items[name] = set
	}
	return set
}

// Add adds to the item name/key ("topic" or "topic@group"), creating it.
func (m *Manager) Add(name, key string, value, times int64) { m.add(name, splitKey(key), value, times) }

// AddPair adds to the item name/"a@b" without building the key string.
func (m *Manager) AddPair(name, a, b string, value, times int64) {
	m.add(name, itemKey{a, b}, value, times)
}

func (m *Manager) add(name string, k itemKey, value, times int64) {
	set := m.set(name, true)
	v, ok := set.Load(k)
	if !ok {
		v, _ = set.LoadOrStore(k, &Item{})
	}
	v.(*Item).Add(value, times)
}

// Get returns the item name/key, or nil when nothing was ever counted there (Java answers "not exist").
func (m *Manager) Get(name, key string) *Item {
	set := m.set(name, false)
	if set == nil {
		return nil
	}
	if v, ok := set.Load(splitKey(key)); ok {
		return v.(*Item)
	}
	return nil
}

// Keys lists the keys of a name, sorted (tests, debugging).
func (m *Manager) Keys(name string) []string {
	var out []string
	if set := m.set(name, false); set != nil {
		set.Range(func(k, _ any) bool {
			out = append(out, k.(itemKey).String())
			return true
		})
	}
	sort.Strings(out)
	return out
}

// Each calls f for every item of a name with its key split at '@' (topic, group; group "" for TOPIC_*).
func (m *Manager) Each(name string, f func(a, b string, it *Item)) {
	if set := m.set(name, false); set != nil {
		set.Range(func(k, v any) bool {
			ik := k.(itemKey)
			f(ik.a, ik.b, v.(*Item))
			return true
		})
	}
}

func (m *Manager) each(f func(*Item)) {
	m.mu.RLock()
	sets := make([]*sync.Map, 0, len(m.items))
	for _, set := range m.items {
		sets = append(sets, set)
	}
	m.mu.RUnlock()
	for _, set := range sets {
		set.Range(func(_, v any) bool {
			f(v.(*Item))
			return true
		})
	}
}

// Sample takes the samples due at now; tick counts 10 s periods since start.
func (m *Manager) Sample(now time.Time, tick int64) {
	ms := now.UnixMilli()
	m.each(func(it *Item) {
		it.sampleInto(&it.minute, 7, ms, 10_000)
		if tick%60 == 0 {
			it.sampleInto(&it.hour, 7, ms, 600_000)
		}
		if tick%360 == 0 {
			it.sampleInto(&it.day, 25, ms, 3_600_000)
		}
	})
}

// Store counts what Java's StoreStatsService and BrokerStats count.
type Store struct {
	PutTimes, PutSize, PutFailed   atomic.Int64
	GetFound, GetMiss, Transferred atomic.Int64
	PutMaxMs, GetMaxMs             atomic.Int64
	dist                           [13]atomic.Int64 // since start: putLatency99/999

	// Java's putMessageDistributeTime is the previous minute's distribution (rotated every 60 s by its
	// printTps), and "null" until the first rotation.
	minute     [13]atomic.Int64
	lastMinute atomic.Pointer[[13]int64]

	mu      sync.Mutex
	samples []storeSample // one per second, newest last, at most 601

	dayMu                                          sync.Mutex
	putYesterday, putToday, getYesterday, getToday int64
}

type storeSample struct {
	at                                 int64
	put, found, miss, total, transfers int64
}

// distribution bucket bounds in ms, as Java's putMessageDistributeTime prints them.
var distBounds = []int64{0, 10, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 10000}
var distNames = []string{"<=0ms", "0~10ms", "10~50ms", "50~100ms", "100~200ms", "200~500ms", "500ms~1s", "1~2s", "2~3s", "3~4s", "4~5s", "5~10s", "10s~"}

// ObservePut records one put call of n messages and size bytes that took d.
func (s *Store) ObservePut(ok bool, n, size int64, d time.Duration) {
	if !ok {
		s.PutFailed.Add(1)
		return
	}
	s.PutTimes.Add(n)
	s.PutSize.Add(size)
	ms := d.Milliseconds()
	for {
		cur := s.PutMaxMs.Load()
		if ms <= cur || s.PutMaxMs.CompareAndSwap(cur, ms) {
			break
		}
	}
	i := sort.Search(len(distBounds), func(i int) bool { return ms <= distBounds[i] })
	s.dist[i].Add(1)
	s.minute[i].Add(1)
}

// RollMinute makes the last minute's put distribution the reported one and starts a new minute.
func (s *Store) RollMinute() {
	var last [13]int64
	for i := range last {
		last[i] = s.minute[i].Swap(0)
	}
	s.lastMinute.Store(&last)
}

// distributeTime formats the last full minute's distribution as Java does, or "null" before the first one.
func (s *Store) distributeTime() string {
	last := s.lastMinute.Load()
	if last == nil {
		return "null"
	}
	out := ""
	for i, v := range last {
		out += "[" + distNames[i] + "]:" + strconv.FormatInt(v, 10) + " "
	}
	return out
}

// ObserveGet records one read: found (with n messages) or missed.
func (s *Store) ObserveGet(found bool, n int64, d time.Duration) {
	if found {
		s.GetFound.Add(1)
		s.Transferred.Add(n)
	} else {
		s.GetMiss.Add(1)
	}
	ms := d.Milliseconds()
	for {
		cur := s.GetMaxMs.Load()
		if ms <= cur || s.GetMaxMs.CompareAndSwap(cur, ms) {
			break
		}
	}
}

// SampleSecond appends the per-second sample behind the tps windows.
func (s *Store) SampleSecond(now time.Time) {
	found, miss := s.GetFound.Load(), s.GetMiss.Load()
	smp := storeSample{now.UnixMilli(), s.PutTimes.Load(), found, miss, found + miss, s.Transferred.Load()}
	s.mu.Lock()
	s.samples = append(s.samples, smp)
	if len(s.samples) > 601 {
		s.samples = append(s.samples[:0], s.samples[len(s.samples)-601:]...)
	}
	s.mu.Unlock()
}

// RollDay moves today's counters to yesterday at local midnight (Java BrokerStats.record).
func (s *Store) RollDay() {
	s.dayMu.Lock()
	s.putYesterday, s.putToday = s.putToday, s.PutTimes.Load()
	s.getYesterday, s.getToday = s.getToday, s.Transferred.Load()
	s.dayMu.Unlock()
}

// javaDouble formats like Java's Double.toString for ordinary magnitudes.
func javaDouble(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s
		}
	}
	return s + ".0"
}

// tps over the last `secs` seconds of field; "" when there are not enough samples yet (Java prints nothing).
func (s *Store) tps(secs int, field func(storeSample) int64) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) <= secs {
		return "", false
	}
	last, old := s.samples[len(s.samples)-1], s.samples[len(s.samples)-1-secs]
	span := last.at - old.at
	if span <= 0 {
		return "0.0", true
	}
	return javaDouble(float64(field(last)-field(old)) * 1000 / float64(span)), true
}

func (s *Store) tpsTriple(field func(storeSample) int64, zeroWhenMissing bool) string {
	out := ""
	for i, w := range []int{10, 60, 600} {
		v, ok := s.tps(w, field)
		if !ok && zeroWhenMissing {
			v = "0.0"
		}
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}

// putLatency is the upper bound (ms) of the distribution bucket holding the p-quantile of put latencies.
func (s *Store) putLatency(p float64) string {
	var counts [13]int64
	var total int64
	for i := range counts {
		counts[i] = s.dist[i].Load()
		total += counts[i]
	}
	if total == 0 {
		return "0.00"
	}
	need := int64(p*float64(total) + 0.5)
	var acc int64
	for i, c := range counts {
		acc += c
		if acc >= need && i < len(distBounds) {
			return strconv.FormatFloat(float64(distBounds[i]), 'f', 2, 64)
		} else if acc >= need {
			break
		}
	}
	return "10000.00"
}

// RuntimeInfo returns the store and day keys of GET_BROKER_RUNTIME_INFO.
func (s *Store) RuntimeInfo() map[string]string {
	put, size := s.PutTimes.Load(), s.PutSize.Load()
	avg := 0.0
	if put > 0 {
		avg = float64(size) / float64(put)
	}
	s.dayMu.Lock()
	py, pt, gy, gt := s.putYesterday, s.putToday, s.getYesterday, s.getToday
	s.dayMu.Unlock()
	return map[string]string{
		"putMessageTimesTotal":        strconv.FormatInt(put, 10),
		"putMessageSizeTotal":         strconv.FormatInt(size, 10),
		"putMessageAverageSize":       javaDouble(avg),
		"putMessageFailedTimes":       strconv.FormatInt(s.PutFailed.Load(), 10),
		"putMessageEntireTimeMax":     strconv.FormatInt(s.PutMaxMs.Load(), 10),
		"getMessageEntireTimeMax":     strconv.FormatInt(s.GetMaxMs.Load(), 10),
		"putMessageDistributeTime":    s.distributeTime(),
		"putLatency99":                s.putLatency(0.99),
		"putLatency999":               s.putLatency(0.999),
		"dispatchMaxBuffer":           "0",
		"putTps":                      s.tpsTriple(func(x storeSample) int64 { return x.put }, false),
		"getFoundTps":                 s.tpsTriple(func(x storeSample) int64 { return x.found }, false),
		"getMissTps":                  s.tpsTriple(func(x storeSample) int64 { return x.miss }, false),
		"getTotalTps":                 s.tpsTriple(func(x storeSample) int64 { return x.total }, true),
		"getTransferedTps":            s.tpsTriple(func(x storeSample) int64 { return x.transfers }, false),
		"msgPutTotalYesterdayMorning": strconv.FormatInt(py, 10),
		"msgPutTotalTodayMorning":     strconv.FormatInt(pt, 10),
		"msgPutTotalTodayNow":         strconv.FormatInt(put, 10),
		"msgGetTotalYesterdayMorning": strconv.FormatInt(gy, 10),
		"msgGetTotalTodayMorning":     strconv.FormatInt(gt, 10),
		"msgGetTotalTodayNow":         strconv.FormatInt(s.Transferred.Load(), 10),
	}
}

// Run samples until ctx is done: the store every second, the named items every 10 s, and the day roll at
// local midnight. Every minute it logs LogMinute's lines to log (nil: no lines).
func Run(ctx context.Context, m *Manager, s *Store, log *slog.Logger) {
	sec := time.NewTicker(time.Second)
	defer sec.Stop()
	var n int64
	next := nextMidnight(time.Now())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-sec.C:
			s.SampleSecond(now)
			if n%10 == 0 {
				m.Sample(now, n/10)
			}
			if n > 0 && n%60 == 0 {
				s.RollMinute()
				if log != nil {
					LogMinute(log, m, s)
				}
			}
			n++
			if !now.Before(next) {
				s.RollDay()
				next = nextMidnight(now)
			}
		}
	}
}

// logNames are the items LogMinute prints, in Java's stats log order.
var logNames = []string{TopicPutNums, TopicPutSize, GroupGetNums, GroupGetSize, SndbckPutNums, BrokerPutNums, BrokerGetNums}

// LogMinute logs the last minute like Java's stats log: for every item that moved, one line
// "[TOPIC_PUT_NUMS] [topic] Stats In One Minute" with sum, tps and avgpt; then one "store stats" line with the
// store's put and get rates over the last 60 s. Idle items print nothing.
func LogMinute(log *slog.Logger, m *Manager, s *Store) {
	for _, name := range logNames {
		m.Each(name, func(a, b string, it *Item) {
			snap := it.Minute()
			if snap.Sum == 0 {
				return
			}
			key := itemKey{a, b}.String()
			log.Info("["+name+"] ["+key+"] Stats In One Minute", "stats", name, "key", key, "sum", snap.Sum,
				"tps", strconv.FormatFloat(snap.Tps, 'f', 2, 64), "avgpt", strconv.FormatFloat(snap.Avgpt, 'f', 2, 64))
		})
	}
	if s != nil {
		ri := s.RuntimeInfo()
		log.Info("store stats in one minute", "putTps", ri["putTps"], "getTotalTps", ri["getTotalTps"],
			"getFoundTps", ri["getFoundTps"], "putMessageTimesTotal", ri["putMessageTimesTotal"])
	}
}

func nextMidnight(t time.Time) time.Time {
	y, mo, d := t.Date()
	return time.Date(y, mo, d+1, 0, 0, 0, 0, t.Location())
}
