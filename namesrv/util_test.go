package namesrv

import (
	"hash/crc32"
	"net"
	"os"
	"strconv"
)

func itoa(v int64) string   { return strconv.FormatInt(v, 10) }
func boolStr(b bool) string { return strconv.FormatBool(b) }
func crc(b []byte) int32    { return int32(crc32.ChecksumIEEE(b) & 0x7FFFFFFF) }
func haAddr(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return net.JoinHostPort(host, strconv.Itoa(p+1))
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
