package namesrv

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The expected orders below were printed by java.util.HashMap/HashSet (OpenJDK 17, jshell) for the same
// operations.

func keysOf[V any](m *jmap[string, V]) string { return strings.Join(m.Keys(), ",") }

func TestJMapOrderMatchesJava(t *testing.T) {
	m := newStringMap[int](javaDefaultTable)
	for i := 0; i < 40; i++ {
		m.Put(fmt.Sprintf("Topic%d", i), i)
	}
	for i := 0; i < 40; i += 3 {
		m.Delete(fmt.Sprintf("Topic%d", i))
	}
	for i := 0; i < 40; i += 6 {
		m.Put(fmt.Sprintf("Topic%d", i), i)
	}
	for _, k := range []string{"%RETRY%g", "TBW102", "Aa", "BB"} {
		m.Put(k, 1)
	}
	require.Equal(t, "Topic23,Aa,BB,Topic24,Topic25,Topic26,Topic28,Topic29,TBW102,Topic20,Topic22,Topic34,Topic6,Topic12,"+
		"Topic5,Topic13,Topic35,Topic4,Topic14,Topic36,Topic37,Topic2,Topic16,Topic38,Topic1,Topic17,Topic0,Topic18,Topic19,"+
		"%RETRY%g,Topic8,Topic7,Topic30,Topic31,Topic10,Topic32,Topic11", keysOf(m))

	big := newStringMap[int](1024)
	for i := 0; i < 30; i++ {
		big.Put(fmt.Sprintf("T-%d", i*7919), i)
	}
	require.Equal(t, "T-39595,T-63352,T-134623,T-110866,T-87109,T-31676,T-95028,T-142542,T-0,T-79190,T-126704,T-205894,"+
		"T-71271,T-102947,T-182137,T-158380,T-197975,T-221732,T-15838,T-229651,T-174218,T-166299,T-118785,T-190056,"+
		"T-23757,T-55433,T-150461,T-7919,T-47514,T-213813", keysOf(big))
	require.Equal(t, "T-110866,T-31676,T-182137,T-150461,T-7919,T-71271,T-39595,T-158380,T-166299,T-190056,T-142542,"+
		"T-23757,T-79190,T-229651,T-221732,T-63352,T-15838,T-134623,T-55433,T-87109,T-213813,T-126704,T-95028,"+
		"T-118785,T-47514,T-197975,T-0,T-102947,T-174218,T-205894", strings.Join(hashSetOf(big.Keys()), ","))

	// Ten keys with one hashCode: a bucket of 8+ in a table under 64 slots makes Java resize (16 -> 64) instead of
	// building a tree. (An 11th would be treeified, which jmap does not model.)
	g := newStringMap[int](javaDefaultTable)
	g.Put("k1", 1)
	g.Put("zeta", 1)
	for i := 0; i < 10; i++ {
		var sb strings.Builder
		for j := 0; j < 4; j++ {
			sb.WriteString([]string{"Aa", "BB"}[(i>>j)&1])
		}
		g.Put(sb.String(), 1)
	}
	for _, k := range []string{"k2", "omega", "k3"} {
		g.Put(k, 1)
	}
	require.Equal(t, "AaAaAaAa,BBAaAaAa,AaBBAaAa,BBBBAaAa,AaAaBBAa,BBAaBBAa,AaBBBBAa,BBBBBBAa,AaAaAaBB,BBAaAaBB,"+
		"zeta,k1,k2,k3,omega", keysOf(g))

	ids := newBrokerAddrs()
	for _, id := range []int64{5, 0, 17, 1, -3, 100000000000} {
		ids.Put(id, "a")
	}
	want := []int64{0, 17, 1, 100000000000, -3, 5}
	require.Equal(t, want, ids.Keys())
	require.Equal(t, want, (&BrokerData{Addrs: ids}).clone().Addrs.Keys())

	pa := newStringMap[int](capForCopy(3)) // HashMap.putAll of 3 entries into an empty map
	for _, k := range []string{"zz", "ns1", "ORDER_TOPIC_CONFIG"} {
		pa.Put(k, 1)
	}
	pa.Put("q1", 1)
	pa.Put("q2", 1)
	require.Equal(t, "zz,q1,q2,ORDER_TOPIC_CONFIG,ns1", keysOf(pa))
}
