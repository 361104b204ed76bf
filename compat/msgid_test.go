package compat

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOffsetMessageIDIPv4(t *testing.T) {
	ap := netip.MustParseAddrPort("192.168.1.10:10911")
	id := OffsetMessageID(ap, 0x1234)
	require.Equal(t, "C0A8010A00002A9F0000000000001234", id)
	got, off, err := DecodeOffsetMessageID(id)
	require.NoError(t, err)
	require.Equal(t, ap, got)
	require.Equal(t, int64(0x1234), off)
	// Lowercase accepted.
	got, off, err = DecodeOffsetMessageID(strings.ToLower(id))
	require.NoError(t, err)
	require.Equal(t, ap, got)
	require.Equal(t, int64(0x1234), off)
	// IPv4-mapped IPv6 written as IPv4.
	require.Equal(t, id, OffsetMessageID(netip.MustParseAddrPort("[::ffff:192.168.1.10]:10911"), 0x1234))
	raw := []byte{192, 168, 1, 10, 0, 0, 0x2A, 0x9F}
	require.Equal(t, id, string(OffsetMessageIDFromRaw(nil, raw, 0x1234)))
}

func TestOffsetMessageIDIPv6(t *testing.T) {
	ap := netip.MustParseAddrPort("[fe80::1]:10911")
	id := OffsetMessageID(ap, 1<<40)
	require.Len(t, id, 56)
	require.Equal(t, strings.ToUpper(id), id)
	got, off, err := DecodeOffsetMessageID(id)
	require.NoError(t, err)
	require.Equal(t, ap, got)
	require.Equal(t, int64(1<<40), off)
}

func TestDecodeOffsetMessageIDErrors(t *testing.T) {
	for _, s := range []string{"", "ABC", strings.Repeat("G", 32), strings.Repeat("0", 33)} {
		_, _, err := DecodeOffsetMessageID(s)
		require.True(t, errors.Is(err, ErrBadMessageID), s)
	}
}

func FuzzDecodeOffsetMessageID(f *testing.F) {
	f.Add("C0A8010A00002A9F0000000000001234")
	f.Add(strings.Repeat("F", 56))
	f.Fuzz(func(t *testing.T, s string) {
		ap, off, err := DecodeOffsetMessageID(s)
		if err != nil {
			return
		}
		require.Equal(t, strings.ToUpper(s), OffsetMessageID(ap, off))
	})
}

func TestOffsetMessageIDNoAddress(t *testing.T) {
	require.Equal(t, "00000000000000000000000000000001", OffsetMessageID(netip.AddrPort{}, 1))
}
