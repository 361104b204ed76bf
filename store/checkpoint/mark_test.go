package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestMarkRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), MarkFileName)
	mf, _, ok, err := OpenMark(p)
	if err != nil || ok {
		t.Fatalf("new file: ok=%v err=%v", ok, err)
	}
	m := Mark{End: 1<<30 + 300, LastOffset: 1<<30 + 100, LastSize: 200, LastBodyCRC: 0x1234567, LastStoreTs: 1700000000123}
	if err := mf.Write(m); err != nil {
		t.Fatal(err)
	}
	if err := mf.Close(); err != nil {
		t.Fatal(err)
	}
	mf, got, ok, err := OpenMark(p)
	if err != nil || !ok || got != m {
		t.Fatalf("reopen: %+v ok=%v err=%v", got, ok, err)
	}
	if err := mf.Clear(); err != nil {
		t.Fatal(err)
	}
	mf.Close()
	if _, _, ok, _ := OpenMark(p); ok {
		t.Fatal("a cleared mark must not be trusted")
	}
}

// A torn or altered file is never trusted.
func TestMarkRejectsDamage(t *testing.T) {
	m := Mark{End: 4096, LastOffset: 4000, LastSize: 96, LastBodyCRC: 7, LastStoreTs: 1}
	img := EncodeMark(m)
	for i := 0; i < MarkSize; i++ {
		b := img
		b[i] ^= 0x40
		if _, err := DecodeMark(b[:]); !errors.Is(err, ErrBadMark) {
			t.Fatalf("byte %d flipped: accepted", i)
		}
	}
	if _, err := DecodeMark(img[:40]); !errors.Is(err, ErrBadMark) {
		t.Fatal("short image accepted")
	}
	// end must be lastOffset + lastSize even when the CRC is right.
	bad := EncodeMark(Mark{End: 5000, LastOffset: 4000, LastSize: 96})
	if _, err := DecodeMark(bad[:]); !errors.Is(err, ErrBadMark) {
		t.Fatal("inconsistent mark accepted")
	}
	p := filepath.Join(t.TempDir(), MarkFileName)
	if err := os.WriteFile(p, img[:MarkSize-1], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := OpenMark(p); ok || err != nil {
		t.Fatalf("torn file: ok=%v err=%v", ok, err)
	}
}

func FuzzDecodeMark(f *testing.F) {
	img := EncodeMark(Mark{End: 300, LastOffset: 100, LastSize: 200, LastBodyCRC: 1, LastStoreTs: 2})
	f.Add(img[:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMark(b)
		if err != nil {
			return
		}
		if !m.Valid() {
			t.Fatalf("accepted an invalid mark %+v", m)
		}
		if again := EncodeMark(m); string(again[:]) != string(b) {
			t.Fatal("decode/encode does not round-trip")
		}
	})
}
