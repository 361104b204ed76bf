package consumequeue

// OffsetByTime is getOffsetInQueueByTime: pick the first file whose mtime is >= ts (else the last file),
// then binary-search its units by CommitLog store time; an exact hit wins, else the nearer neighbour.
// storeTime returns the store timestamp of a record (or < 0 if unreadable); phyMin is the CommitLog min
// offset (units below it are treated as older than ts).
func (cq *ConsumeQueue) OffsetByTime(ts int64, phyMin int64, storeTime func(phy int64, size int32) int64) int64 {
	files := cq.q.Files()
	if len(files) == 0 {
		return 0
	}
	f := files[len(files)-1]
	for _, g := range files {
		if mt, err := g.ModTime(); err == nil && mt.UnixMilli() >= ts {
			f = g
			break
		}
	}
	if !f.Hold() {
		return 0
	}
	defer f.Release()
	d := f.Data()[:f.WrotePos()]
	if len(d) == 0 {
		return 0
	}
	var low int64
	if m := cq.minLogicOffset.Load(); m > f.From() {
		low = m - f.From()
	}
	high := int64(len(d)) - UnitSize
	target, left, right := int64(-1), int64(-1), int64(-1)
	leftVal, rightVal := int64(-1), int64(-1)
	for high >= low {
		mid := (low + high) / (2 * UnitSize) * UnitSize
		u, _ := DecodeUnit(d[mid:])
		if u.PhyOffset < phyMin {
			low = mid + UnitSize
			left = mid
			continue
		}
		st := storeTime(u.PhyOffset, u.Size)
		switch {
		case st < 0:
			return 0
		case st == ts:
			target = mid
		case st > ts:
			high = mid - UnitSize
			right, rightVal = mid, st
			continue
		default:
			low = mid + UnitSize
			left, leftVal = mid, st
			continue
		}
		break
	}
	var off int64
	switch {
	case target != -1:
		off = target
	case leftVal == -1:
		off = right
	case rightVal == -1:
		off = left
	default:
		if abs(ts-leftVal) > abs(ts-rightVal) {
			off = right
		} else {
			off = left
		}
	}
	return (f.From() + off) / UnitSize
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
