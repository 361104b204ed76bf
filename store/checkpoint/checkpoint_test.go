package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "checkpoint")
	c, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	c.SetPhysicMsgTimestamp(1700000010000)
	c.SetLogicsMsgTimestamp(1700000005000)
	c.SetIndexMsgTimestamp(1700000000000)
	if got := c.MinTimestamp(); got != 1700000002000 {
		t.Fatal(got)
	}
	if got := c.MinTimestampIndex(); got != 1700000000000 {
		t.Fatal(got)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != FileSize {
		t.Fatal(len(b))
	}
	ph, lo, ix, ok := Decode(b)
	if !ok || ph != 1700000010000 || lo != 1700000005000 || ix != 1700000000000 {
		t.Fatal(ph, lo, ix)
	}
	// 0x0000018BCFE56800 = 1700000000000, big-endian at offset 16.
	if b[16] != 0 || b[17] != 0 || b[18] != 0x01 || b[19] != 0x8B || b[20] != 0xCF || b[21] != 0xE5 || b[22] != 0x68 || b[23] != 0x00 {
		t.Fatalf("% X", b[16:24])
	}
	c2, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if c2.PhysicMsgTimestamp() != 1700000010000 || c2.IndexMsgTimestamp() != 1700000000000 {
		t.Fatal("reload")
	}
	c2.SetPhysicMsgTimestamp(1)
	if c2.MinTimestamp() != 0 {
		t.Fatal("floor at 0")
	}
	_ = c2.Close()
}
