package acl

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// matcher is one compiled address pattern (Java's RemoteAddressStrategy). ip is the peer's address without
// the port, as Java's parse() strips it.
type matcher interface{ match(ip string) bool }

type matchNone struct{}

func (matchNone) match(string) bool { return false }

type matchAll struct{}

func (matchAll) match(string) bool { return true }

// matchSet is MultipleRemoteAddressStrategy: IPv4 as written, IPv6 expanded.
type matchSet map[string]bool

func (m matchSet) match(ip string) bool {
	if isIPv6(ip) {
		ip = expandIP(ip, 8)
	}
	return m[ip]
}

// matchOne is OneRemoteAddressStrategy: equal after expanding and upper-casing.
type matchOne string

func (m matchOne) match(ip string) bool {
	return strings.ToUpper(expandIP(ip, 8)) == strings.ToUpper(expandIP(string(m), 8))
}

// matchRange is RangeRemoteAddressStrategy: head, then one component in [start, end].
type matchRange struct {
	head       string
	start, end int
	index      int
	valid      bool
}

func (m *matchRange) match(ip string) bool {
	if !m.valid {
		return false
	}
	if isIPv4(ip) {
		if !strings.HasPrefix(ip, m.head) {
			return false
		}
		var v string
		switch m.index {
		case 3:
			v = ip[len(m.head):]
		case 2:
			v = ip[len(m.head):strings.LastIndexByte(ip, '.')]
		default:
			last := strings.LastIndexByte(ip, '.')
			v = ip[len(m.head):strings.LastIndexByte(ip[:last], '.')]
		}
		n, err := strconv.Atoi(v)
		return err == nil && n >= m.start && n <= m.end
	}
	if isIPv6(ip) {
		ip = strings.ToUpper(expandIP(ip, 8))
		if !strings.HasPrefix(ip, m.head) || len(ip) < 5*m.index+4 {
			return false
		}
		n, err := strconv.ParseInt(ip[5*m.index:5*m.index+4], 16, 32)
		return err == nil && int(n) >= m.start && int(n) <= m.end
	}
	return false
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4() && !strings.Contains(s, ":")
}

func isIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && strings.Contains(s, ":") && a.Zone() == "" && (a.Is6())
}

// splitNonEmpty is commons-lang StringUtils.split(s, sep): empty tokens dropped.
func splitNonEmpty(s string, sep byte) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == rune(sep) })
}

// expandIP is AclUtils.expandIP: upper case, "::" widened to part groups, every group padded to 4 digits.
func expandIP(addr string, part int) string {
	addr = strings.ToUpper(addr)
	if pad := part - strings.Count(addr, ":"); pad > 0 {
		addr = strings.ReplaceAll(addr, "::", ":"+strings.Repeat(":", pad))
	}
	groups := strings.Split(addr, ":")
	for i, g := range groups {
		if len(g) < 4 {
			groups[i] = strings.Repeat("0", 4-len(g)) + g
		}
	}
	return strings.Join(groups, ":")
}

func badAddr(addr string) error {
	return fmt.Errorf("Netaddress examine Exception netaddress is %s", addr)
}

// compileAddr is RemoteAddressStrategyFactory.getRemoteAddressStrategy.
func compileAddr(addr string) (matcher, error) {
	if strings.TrimSpace(addr) == "" {
		return matchNone{}, nil
	}
	if addr == "*" || addr == "*.*.*.*" || addr == "*:*:*:*:*:*:*:*" {
		return matchAll{}, nil
	}
	if strings.HasSuffix(addr, "}") {
		sep := byte('.')
		if strings.Contains(addr, ":") {
			sep = ':'
		}
		parts := splitNonEmpty(addr, sep)
		if sep == '.' && len(parts) < 4 {
			return nil, fmt.Errorf("MultipleRemoteAddressStrategy has got a/some wrong format IP(s) ")
		}
		last := parts[len(parts)-1]
		if !strings.HasPrefix(last, "{") {
			return nil, fmt.Errorf("MultipleRemoteAddressStrategy netaddress examine scope Exception netaddress")
		}
		prefix := addr[:strings.IndexByte(addr, '{')]
		var list []string
		for _, p := range splitNonEmpty(last[1:len(last)-1], ',') {
			list = append(list, prefix+p)
		}
		return newSet(list)
	}
	if strings.Contains(addr, ",") {
		return newSet(splitNonEmpty(addr, ','))
	}
	if strings.ContainsAny(addr, "*-") {
		return newRange(addr)
	}
	if !isIPv4(addr) && !isIPv6(addr) {
		return nil, badAddr(addr)
	}
	return matchOne(addr), nil
}

func newSet(list []string) (matcher, error) {
	m := matchSet{}
	for _, a := range list {
		switch {
		case isIPv4(a):
			m[a] = true
		case isIPv6(a):
			m[expandIP(a, 8)] = true
		default:
			return nil, badAddr(a)
		}
	}
	return m, nil
}

func scopeErr(v string) error {
	return fmt.Errorf("RangeRemoteAddressStrategy netaddress examine scope Exception value %s ", v)
}

// newRange compiles "a.b.*", "a.b.c.1-10" and the IPv6 forms.
func newRange(addr string) (matcher, error) {
	m := &matchRange{}
	if strings.Contains(addr, ":") {
		if err := ipv6AddressCheck(addr); err != nil {
			return nil, err
		}
		parts := splitNonEmpty(addr, ':')
		for i := 1; i < len(parts); i++ {
			ok, err := m.analyse(parts, i, 16, 0xffff)
			if err != nil {
				return nil, err
			}
			if ok {
				if !ipv6Scope(expandIP(addr, 8), m.index-1) {
					return nil, scopeErrAddr(addr)
				}
				pre := v6Prefix(addr)
				m.index = len(splitNonEmpty(pre, ':'))
				m.head = pre
				m.valid = true
				break
			}
		}
		return m, nil
	}
	parts := splitNonEmpty(addr, '.')
	for i := 1; i <= 3; i++ {
		if i >= len(parts) {
			return nil, scopeErrAddr(addr) // Java: ArrayIndexOutOfBoundsException
		}
		ok, err := m.analyse(parts, i, 10, 255)
		if err != nil {
			return nil, err
		}
		if ok {
			if len(parts) != 4 {
				return nil, scopeErrAddr(addr)
			}
			for j := 0; j < m.index-1; j++ {
				n, err := strconv.Atoi(strings.TrimSpace(parts[j]))
				if err != nil || n < 0 || n > 255 {
					return nil, scopeErrAddr(addr)
				}
			}
			var head strings.Builder
			for j := 0; j < m.index; j++ {
				head.WriteString(strings.TrimSpace(parts[j]))
				head.WriteByte('.')
			}
			m.head = head.String()
			m.valid = true
			break
		}
	}
	return m, nil
}

func scopeErrAddr(addr string) error {
	return fmt.Errorf("Netaddress examine scope Exception netaddress is %s", addr)
}

// analyse is RangeRemoteAddressStrategy.analysis / ipv6Analysis for component i.
func (m *matchRange) analyse(parts []string, i, base int, maxV int) (bool, error) {
	v := strings.TrimSpace(parts[i])
	m.index = i
	switch {
	case v == "*":
		m.start, m.end = 0, maxV
	case strings.Contains(v, "-"):
		if strings.HasPrefix(v, "-") {
			return false, scopeErr(v)
		}
		se := splitNonEmpty(v, '-')
		if len(se) != 2 {
			return false, scopeErr(v)
		}
		s, err1 := strconv.ParseInt(se[0], base, 32)
		e, err2 := strconv.ParseInt(se[1], base, 32)
		if err1 != nil || err2 != nil {
			return false, scopeErr(v)
		}
		m.start, m.end = int(s), int(e)
		if !(m.start >= 0 && m.end <= maxV && m.start <= m.end) {
			return false, fmt.Errorf("RangeRemoteAddressStrategy netaddress examine scope Exception start is %d , end is %d", m.start, m.end)
		}
	}
	return m.end > 0, nil
}

// ipv6AddressCheck is AclUtils.IPv6AddressCheck: '*' only last, '-' only in the last (or, with '*', the
// second last) group.
func ipv6AddressCheck(addr string) error {
	ast, minus := strings.IndexByte(addr, '*'), strings.IndexByte(addr, '-')
	if ast > -1 && ast != len(addr)-1 {
		return scopeErrAddr(addr)
	}
	if minus > -1 {
		last := strings.LastIndexByte(addr, ':')
		if ast == -1 {
			if minus <= last {
				return scopeErrAddr(addr)
			}
		} else if minus <= strings.LastIndexByte(addr[:last], ':') {
			return scopeErrAddr(addr)
		}
	}
	return nil
}

func ipv6Scope(expanded string, index int) bool {
	parts := splitNonEmpty(expanded, ':')
	for i := 0; i < index && i < len(parts); i++ {
		n, err := strconv.ParseInt(parts[i], 16, 32)
		if err != nil || n < 0 || n > 0xffff {
			return false
		}
	}
	return true
}

// v6Prefix is AclUtils.v6ipProcess: the fixed groups before the range, expanded.
func v6Prefix(addr string) string {
	ast, minus := strings.Contains(addr, "*"), strings.Contains(addr, "-")
	switch {
	case ast && minus:
		last := strings.LastIndexByte(addr, ':')
		second := strings.LastIndexByte(addr[:last], ':')
		return expandIP(addr[:second], 6)
	case !ast && !minus:
		return expandIP(addr, 8)
	default:
		return expandIP(addr[:strings.LastIndexByte(addr, ':')], 7)
	}
}
