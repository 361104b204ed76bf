package filterdata

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Bloom is Java's filter.util.BloomFilter parameters: k hash functions over m bits, sized for an error rate of
// f percent with n expected consumers (BrokerConfig maxErrorRateOfBloomFilter, expectConsumerNumUseFilter;
// 20 and 32 give k=3, m=112). Java persists a group's positions in consumerFilter.json and, on load, drops the
// whole file when they were computed with other parameters.
type Bloom struct {
	K, M int
}

// NewBloom computes k = ceil(log0.5(f/100)) and m = ceil(n*log2(100/f)*log2(e)) rounded up to a multiple of 8,
// as Java's BloomFilter.createByFn does; Java refuses f outside 1..99 or n < 1 (the broker does not start).
func NewBloom(f, n int) (Bloom, error) {
	if f < 1 || f >= 100 {
		return Bloom{}, fmt.Errorf("maxErrorRateOfBloomFilter=%d: must be at least 1 and less than 100 (percent)", f)
	}
	if n < 1 {
		return Bloom{}, fmt.Errorf("expectConsumerNumUseFilter=%d: must be greater than 0", n)
	}
	rate := float64(f) / 100.0
	k := int(math.Ceil(math.Log(rate) / math.Log(0.5)))
	m := int(math.Ceil(float64(n) * (math.Log(1/rate) / math.Log(2)) * (math.Log(math.E) / math.Log(2))))
	m = int(8 * math.Ceil(float64(m)/8.0))
	return Bloom{K: k, M: m}, nil
}

// Positions is Java's calcBitPositions: the low 64 bits of MurmurHash3 x64 128 (seed 0) of the UTF-8 bytes of
// s, split into two int32 halves h1 (low) and h2 (high); position i (1..k) is h1+i*h2 (int32 arithmetic), bits
// flipped when negative, modulo m.
func (b Bloom) Positions(s string) []int32 {
	h := murmur3x64Low([]byte(s))
	h1, h2 := int32(uint32(h)), int32(uint32(h>>32))
	out := make([]int32, b.K)
	for i := 1; i <= b.K; i++ {
		c := h1 + int32(i)*h2
		if c < 0 {
			c = ^c
		}
		out[i-1] = c % int32(b.M)
	}
	return out
}

// Valid is Java's isValid: data made by a filter with the same m and k.
func (b Bloom) Valid(d *BloomFilterData) bool {
	return d != nil && d.BitNum == b.M && d.BitPos != nil && len(d.BitPos) == b.K
}

// murmur3x64Low is the first 64-bit half (h1) of MurmurHash3_x64_128 with seed 0, the value Guava's
// murmur3_128().hashString(s, UTF_8).asLong() returns.
func murmur3x64Low(data []byte) uint64 {
	const c1, c2 = 0x87c37b91114253d5, 0x4cf5ad432745937f
	var h1, h2 uint64
	n := len(data)
	for len(data) >= 16 {
		k1 := binary.LittleEndian.Uint64(data)
		k2 := binary.LittleEndian.Uint64(data[8:])
		data = data[16:]
		h1 ^= bits.RotateLeft64(k1*c1, 31) * c2
		h1 = bits.RotateLeft64(h1, 27) + h2
		h1 = h1*5 + 0x52dce729
		h2 ^= bits.RotateLeft64(k2*c2, 33) * c1
		h2 = bits.RotateLeft64(h2, 31) + h1
		h2 = h2*5 + 0x38495ab5
	}
	var k1, k2 uint64
	for i := len(data) - 1; i >= 8; i-- {
		k2 = k2<<8 | uint64(data[i])
	}
	for i := min(len(data), 8) - 1; i >= 0; i-- {
		k1 = k1<<8 | uint64(data[i])
	}
	if len(data) > 8 {
		h2 ^= bits.RotateLeft64(k2*c2, 33) * c1
	}
	if len(data) > 0 {
		h1 ^= bits.RotateLeft64(k1*c1, 31) * c2
	}
	h1 ^= uint64(n)
	h2 ^= uint64(n)
	h1 += h2
	h2 += h1
	h1, h2 = fmix64(h1), fmix64(h2)
	return h1 + h2
}

func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}
