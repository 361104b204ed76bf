package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times; 100 on every Linux this runs on.
const clockTicks = 100

// ProcStat is what the comparison reads about a server process.
type ProcStat struct {
	RSS   int64         // VmRSS, bytes
	HWM   int64         // VmHWM (peak RSS), bytes
	Anon  int64         // RssAnon: heap, stacks, anonymous maps (RSS minus mapped files and shmem), bytes
	CPU   time.Duration // utime + stime
	Start time.Duration // process start, since boot (CLOCK_BOOTTIME, 10 ms resolution)
}

// ReadProc reads /proc/<pid>/status and /proc/<pid>/stat.
func ReadProc(pid int) (ProcStat, error) {
	var ps ProcStat
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ps, err
	}
	for _, line := range strings.Split(string(st), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch k {
		case "VmRSS":
			ps.RSS = parseKB(v)
		case "VmHWM":
			ps.HWM = parseKB(v)
		case "RssAnon":
			ps.Anon = parseKB(v)
		}
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ps, err
	}
	// The command name (field 2) may hold spaces; fields after the last ')' start at field 3 (state).
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return ps, fmt.Errorf("bench: odd /proc/%d/stat", pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 20 {
		return ps, fmt.Errorf("bench: short /proc/%d/stat", pid)
	}
	num := func(idx int) int64 { n, _ := strconv.ParseInt(f[idx-3], 10, 64); return n } // idx: 1-based field number
	ps.CPU = time.Duration(num(14)+num(15)) * time.Second / clockTicks
	ps.Start = time.Duration(num(22)) * time.Second / clockTicks
	return ps, nil
}

func parseKB(v string) int64 {
	f := strings.Fields(v)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(f[0], 10, 64)
	return n << 10
}
