package broker

// Disk and flush keys of GET_BROKER_RUNTIME_INFO that Java's DefaultMessageStore.getRuntimeInfo and
// AdminBrokerProcessor add: commitLogDiskRatio (also per path as commitLogDiskRatio_<path>),
// consumeQueueDiskRatio, commitLogDirCapacity, remainHowManyDataToFlush, remainTransientStoreBufferNumbs,
// earliestMessageTimeStamp and scheduleMessageOffset_<level>.

import (
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"

	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/store"
)

// diskUsedRatio is Java UtilAll.getDiskPartitionSpaceUsedPercent: used/(used+usable), rounded up to a
// hundredth; -1 when the path cannot be measured.
func diskUsedRatio(path string) float64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil || st.Blocks == 0 {
		return -1
	}
	bs := uint64(st.Bsize)
	used := (st.Blocks - st.Bfree) * bs
	entire := used + st.Bavail*bs
	if entire == 0 {
		return -1
	}
	pct := used * 100 / entire
	if used*100%entire != 0 {
		pct++
	}
	return float64(pct) / 100
}

// humanBytes is Java MixAll.humanReadableByteCount(bytes, false): "512 B", "9.9 KiB", "252.0 GiB".
func humanBytes(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	exp := int(math.Log(float64(n)) / math.Log(1024))
	return fmt.Sprintf("%.1f %ciB", float64(n)/math.Pow(1024, float64(exp)), "KMGTPE"[exp-1])
}

func (b *Broker) diskInfo() map[string]string {
	root := b.cfg.Store.StorePathRootDir
	cl := b.cfg.Store.CommitLogPath()
	out := map[string]string{
		"commitLogDiskRatio":              javaDouble(diskUsedRatio(cl)),
		"commitLogDiskRatio_" + cl:        javaDouble(diskUsedRatio(cl)),
		"consumeQueueDiskRatio":           javaDouble(diskUsedRatio(filepath.Join(root, "consumequeue"))),
		"remainTransientStoreBufferNumbs": strconv.Itoa(math.MaxInt32),
		"remainHowManyDataToFlush":        humanBytes(0),
	}
	if f, ok := b.store.(interface{ FlushBehindBytes() int64 }); ok && f.FlushBehindBytes() > 0 {
		out["remainHowManyDataToFlush"] = humanBytes(f.FlushBehindBytes())
	}
	if d, ok := b.store.(interface{ DispatchBehindBytes() int64 }); ok && d.DispatchBehindBytes() >= 0 {
		out["dispatchBehindBytes"] = strconv.FormatInt(d.DispatchBehindBytes(), 10)
	}
	for k, v := range b.scheduleInfo() {
		out[k] = v
	}
	for k, v := range b.timerInfo() {
		out[k] = v
	}
	if ts := b.earliestMessageTime(); ts > 0 {
		out["earliestMessageTimeStamp"] = strconv.FormatInt(ts, 10)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(root, &st); err == nil {
		out["commitLogDirCapacity"] = fmt.Sprintf("Total : %s, Free : %s.",
			humanBytes(int64(st.Blocks)*int64(st.Bsize)), humanBytes(int64(st.Bavail)*int64(st.Bsize)))
	}
	return out
}

func javaDouble(f float64) string { return string(appendJavaDouble(nil, f)) }

// earliestMessageTime is the store timestamp of the first record in the CommitLog (Java
// getEarliestMessageTime), 0 when there is none. Record layout: sysFlag at 36, bornTimestamp at 40, bornHost
// (8 bytes, or 20 when sysFlag has BORNHOST_V6_FLAG 1<<4), then storeTimestamp.
func (b *Broker) earliestMessageTime() int64 {
	minOff := b.store.GetMinPhyOffset()
	if minOff < 0 || b.store.GetMaxPhyOffset() <= minOff {
		return 0
	}
	rec, err := b.store.LookMessageByOffset(minOff)
	if err != nil || len(rec) < 76 {
		return 0
	}
	sysFlag := int32(binary.BigEndian.Uint32(rec[36:40]))
	at := 48 + 8
	if sysFlag&(1<<4) != 0 {
		at = 48 + 20
	}
	if len(rec) < at+8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(rec[at : at+8]))
}

var delayOffsetEntry = regexp.MustCompile(`(\d+):(-?\d+)`)

// scheduleInfo is Java ScheduleMessageService.buildRunningStats: for every delay level with a stored offset,
// scheduleMessageOffset_<level> = "<delivered offset>,<max offset of SCHEDULE_TOPIC_XXXX queue level-1>".
func (b *Broker) scheduleInfo() map[string]string {
	s := b.dl.sched.Load()
	if s == nil {
		return nil
	}
	out := map[string]string{}
	for _, m := range delayOffsetEntry.FindAllStringSubmatch(string(s.Encode(fastjson.Compact)), -1) {
		lvl, err := strconv.Atoi(m[1])
		if err != nil || lvl < 1 {
			continue
		}
		maxOff := b.store.GetMaxOffsetInQueue(store.ScheduleTopic, int32(lvl-1))
		out["scheduleMessageOffset_"+m[1]] = m[2] + "," + strconv.FormatInt(maxOff, 10)
	}
	return out
}
