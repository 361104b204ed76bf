package intern

import (
	"strconv"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func TestPool(t *testing.T) {
	var p Pool
	b := []byte("TopicTest")
	s1 := p.Bytes(b)
	b[0] = 'X' // the pool's copy must not alias b
	require.Equal(t, "TopicTest", s1)
	s2 := p.String("TopicTest")
	require.Equal(t, unsafe.StringData(s1), unsafe.StringData(s2), "one copy")
	require.Zero(t, testing.AllocsPerRun(100, func() { p.Bytes([]byte("TopicTest")) }))
	for i := range MaxStrings + 10 {
		p.String(strconv.Itoa(i))
	}
	require.LessOrEqual(t, len(p.m), MaxStrings, "bounded")
	require.Equal(t, "", p.Bytes(nil))

	long := make([]byte, MaxLen+1)
	for i := range long {
		long[i] = 'a'
	}
	n := len(p.m)
	l1 := p.Bytes(long)
	require.Equal(t, string(long), l1)
	require.Len(t, p.m, n, "a string longer than MaxLen is not kept")
	long[0] = 'b'
	require.Equal(t, byte('a'), l1[0], "the copy does not alias the caller's bytes")
}
