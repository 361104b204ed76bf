package broker

// Disk and flush keys of GET_BROKER_RUNTIME_INFO that Java's DefaultMessageStore.getRuntimeInfo and
// AdminBrokerProcessor add: commitLogDiskRatio (also per path as commitLogDiskRatio_<path>),
// consumeQueueDiskRatio, commitLogDirCapacity, remainHowManyDataToFlush, remainTransientStoreBufferNumbs.

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"syscall"
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
	var st syscall.Statfs_t
	if err := syscall.Statfs(root, &st); err == nil {
		out["commitLogDirCapacity"] = fmt.Sprintf("Total : %s, Free : %s.",
			humanBytes(int64(st.Blocks)*st.Bsize), humanBytes(int64(st.Bavail)*st.Bsize))
	}
	return out
}

func javaDouble(f float64) string { return string(appendJavaDouble(nil, f)) }
