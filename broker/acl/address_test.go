package acl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddressPatterns(t *testing.T) {
	cases := []struct {
		pattern string
		match   []string
		miss    []string
	}{
		{"", nil, []string{"127.0.0.1"}},
		{"*", []string{"127.0.0.1", "10.1.2.3", "::1"}, nil},
		{"*.*.*.*", []string{"8.8.8.8"}, nil},
		{"127.0.0.1", []string{"127.0.0.1"}, []string{"127.0.0.2"}},
		{"192.168.1.1,192.168.1.2", []string{"192.168.1.2"}, []string{"192.168.1.3"}},
		{"192.168.1.{1,2,30}", []string{"192.168.1.30", "192.168.1.1"}, []string{"192.168.1.3"}},
		{"192.168.1.*", []string{"192.168.1.0", "192.168.1.255"}, []string{"192.168.2.1", "10.168.1.1"}},
		{"192.168.*.*", []string{"192.168.7.9"}, []string{"192.169.0.1"}},
		{"192.168.1.10-20", []string{"192.168.1.10", "192.168.1.20"}, []string{"192.168.1.9", "192.168.1.21"}},
		{"192.168.0-10.*", []string{"192.168.10.200"}, []string{"192.168.11.1"}},
		{"10.10.103.*", []string{"10.10.103.5"}, []string{"127.0.0.1"}},
		{"::1", []string{"::1", "0:0:0:0:0:0:0:1"}, []string{"::2"}},
		{"1050::5:600:300c:*", []string{"1050:0:0:0:5:600:300c:1"}, []string{"1050:0:0:0:5:600:300d:1"}},
		{"1050::5:600:300c:1-10", []string{"1050:0:0:0:5:600:300c:a"}, []string{"1050:0:0:0:5:600:300c:11"}},
	}
	for _, c := range cases {
		m, err := compileAddr(c.pattern)
		require.NoError(t, err, c.pattern)
		for _, ip := range c.match {
			require.True(t, m.match(ip), "%q should match %s", c.pattern, ip)
		}
		for _, ip := range c.miss {
			require.False(t, m.match(ip), "%q should not match %s", c.pattern, ip)
		}
	}
}

func TestBadAddressPatterns(t *testing.T) {
	for _, p := range []string{"not-an-ip", "192.168.1", "192.168.1.256", "192.168.1.1,x", "192.168.{1,2}",
		"192.168.1.20-10", "192.168.1.-5", "1.2.3.{1.5}", "1050::*:5"} {
		_, err := compileAddr(p)
		require.Error(t, err, p)
	}
}
