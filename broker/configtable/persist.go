package configtable

import "github.com/rocketd/rocketd/compat/fastjson"

// Persist writes the file (pretty, Java's .tmp/.bak order) and returns once the caller's change is on disk.
//
// Writes are made by one background writer that runs while there are changes it has not written: every write
// is the whole table, in Java's format, with the .tmp/.bak protocol (a crash never leaves a torn file), and all
// changes made while a write runs share the next one (group commit), so a burst of changes from many
// connections costs a few writes, not one each. Persist returns once a write that started after the call has
// finished, with that write's error.
func (t *Table[V]) Persist() error {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	mine := t.requestWriteLocked()
	for t.pdone < mine {
		t.pcond.Wait()
	}
	return t.perr
}

// PersistSoon asks for a write of the table and returns at once.
func (t *Table[V]) PersistSoon() {
	t.pmu.Lock()
	t.requestWriteLocked()
	t.pmu.Unlock()
}

// Flush waits until every change requested so far is written (broker shutdown).
func (t *Table[V]) Flush() error {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	for t.pdone < t.pwant {
		t.pcond.Wait()
	}
	return t.perr
}

// FileWrites is the number of times the file was written.
func (t *Table[V]) FileWrites() int64 { return t.pwrites.Load() }

func (t *Table[V]) requestWriteLocked() uint64 {
	t.pwant++
	if !t.pwriting {
		t.pwriting = true
		go t.writer()
	}
	return t.pwant
}

// writer writes the table until it has written every requested change.
func (t *Table[V]) writer() {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	for t.pdone < t.pwant {
		target := t.pwant
		t.pmu.Unlock()
		err := fastjson.WriteConfig(t.opts.Path, t.Encode(fastjson.Pretty))
		t.pwrites.Add(1)
		t.pmu.Lock()
		t.pdone, t.perr = target, err
		if err != nil {
			t.log.Error(t.opts.Name+": persist failed", "file", t.opts.Path, "err", err)
		}
		t.pcond.Broadcast()
	}
	t.pwriting = false
}
