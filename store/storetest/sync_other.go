//go:build !linux

package storetest

import "os"

// syncData flushes f (no fdatasync here; os.File.Sync).
func syncData(f *os.File) error { return f.Sync() }
