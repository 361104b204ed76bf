//go:build !linux

package mmapfile

// populate faults b's pages in writable by touching them.
func populate(b []byte) error {
	touch(b)
	return nil
}

func advise([]byte, bool) {}
