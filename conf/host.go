package conf

import (
	"net"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
)

// Environment-dependent defaults, computed the way the Java classes compute
// them when they are constructed.

// processors stands for Java's Runtime.availableProcessors(). GOMAXPROCS
// defaults to the CPU count bounded by the cgroup CPU limit, which is what a
// container-aware JVM reports too.
func processors() int { return runtime.GOMAXPROCS(0) }

// userHome stands for the Java system property user.home: $HOME, else the
// passwd entry, else the working directory.
func userHome() string {
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return h
	}
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		return u.HomeDir
	}
	return "."
}

func homePath(parts ...string) string {
	return filepath.Join(append([]string{userHome()}, parts...)...)
}

// rocketmqHome is the environment variable ROCKETMQ_HOME (Java also reads the
// system property rocketmq.home.dir first; there is no such thing here). When
// it is unset or empty, it is the installation directory, the parent of the
// directory holding the executable (symlinks resolved), which is what Java's
// bin/mqnamesrv and bin/mqbroker scripts export as ROCKETMQ_HOME before starting
// the JVM: getBrokerConfig / getNamesrvConfig then report a directory, as on
// Java, instead of nothing.
func rocketmqHome() string {
	if h := os.Getenv("ROCKETMQ_HOME"); h != "" {
		return h
	}
	return installDir()
}

// installDir is the parent of the executable's directory, or "" if the
// executable cannot be located.
func installDir() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return filepath.Dir(filepath.Dir(exe))
}

// namesrvAddrFromEnv is the environment variable NAMESRV_ADDR (Java also
// reads the system property rocketmq.namesrv.addr first).
func namesrvAddrFromEnv() string { return os.Getenv("NAMESRV_ADDR") }

// localHostName is the default brokerName; Java falls back to DEFAULT_BROKER.
func localHostName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "DEFAULT_BROKER"
}

// localAddress picks the default brokerIP1/brokerIP2 like Java's
// RemotingUtil.getLocalAddress: walk the interfaces (bridges skipped), keep
// non-loopback addresses; prefer the first IPv4 address that starts with
// neither "127.0" nor "192.168", else the last IPv4 address, else the first
// IPv6 address in brackets. Without any, 127.0.0.1.
func localAddress() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return "127.0.0.1"
	}
	var v4, v6 []string
	for _, ifc := range ifaces {
		if isBridge(ifc.Name) {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() {
				continue
			}
			if ip4 := ipn.IP.To4(); ip4 != nil {
				v4 = append(v4, ip4.String())
			} else {
				v6 = append(v6, "["+ipn.IP.String()+"]") // Java brackets IPv6
			}
		}
	}
	return pickLocalAddress(v4, v6)
}

func pickLocalAddress(v4, v6 []string) string {
	for _, ip := range v4 {
		if !strings.HasPrefix(ip, "127.0") && !strings.HasPrefix(ip, "192.168") {
			return ip
		}
	}
	if len(v4) > 0 {
		return v4[len(v4)-1]
	}
	if len(v6) > 0 {
		return v6[0]
	}
	return "127.0.0.1"
}

// isBridge reports a Linux bridge device, which Java skips as well.
func isBridge(name string) bool {
	if runtime.GOOS != "linux" {
		return false
	}
	_, err := os.Stat(filepath.Join("/sys/class/net", name, "bridge"))
	return err == nil
}
