package compat

import (
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/require"
)

// Vectors from store.md §17 (computed with OpenJDK 17).
func TestJavaStringHashCodeVectors(t *testing.T) {
	cases := []struct {
		in       string
		hash     int32
		tagsCode uint64
		crc      uint32
	}{
		{"TagA", 2598919, 0x000000000027A807, 123300504},
		{"Hello RocketMQ", 148680518, 0x0000000008DCAF46, 1774740973},
		{"TopicTest#KEY1", -1656969516, 0xFFFFFFFF9D3CA6D4, 261667888},
		{"polygenelubricants", -2147483648, 0xFFFFFFFF80000000, 1162270733},
		{"中文标签", 622041809, 0x0000000025139AD1, 1068696245},
		{"tag😀", 111890045, 0x0000000006AB4E7D, 0},
		{"", 0, 0, 0},
	}
	for _, c := range cases {
		require.Equal(t, c.hash, JavaStringHashCode(c.in), c.in)
		require.Equal(t, c.tagsCode, uint64(TagsCode(c.in)), c.in)
		if c.crc != 0 || c.in == "" {
			require.Equal(t, c.crc, crc32.ChecksumIEEE([]byte(c.in))&0x7FFFFFFF, c.in)
		}
	}
}

func TestTransactionValue(t *testing.T) {
	require.Equal(t, TransactionCommitType, TransactionValue(0x8|BornHostV6Flag))
	require.Equal(t, BornHostV6Flag|TransactionPreparedType, ResetTransactionValue(BornHostV6Flag|TransactionRollbackType, TransactionPreparedType))
}

func TestJavaStringLength(t *testing.T) {
	require.Equal(t, 4, JavaStringLength("TagA"))
	require.Equal(t, 4, JavaStringLength("中文标签"))
	require.Equal(t, 5, JavaStringLength("tag😀"))
	require.Equal(t, 0, JavaStringLength(""))
}
