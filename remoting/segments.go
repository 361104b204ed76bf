package remoting

// SetBodySegments makes the command's body the concatenation of segs, written to the socket from where the
// slices are (one writev with the frame's header, no copy): a PULL_MESSAGE response sends the CommitLog
// records straight from the mapping. Body is set to nil. release is called exactly once, when the bytes have
// been written to the socket, or the command is dropped (the connection closed, Send failed, the command
// could not be encoded): until then the slices must stay valid (e.g. their mapped file pinned).
//
// Only Conn.Send honours the release; a command given segments must be sent (or released with
// ReleaseBody). Encode copies the segments into the frame and does not release them.
func (c *Command) SetBodySegments(segs [][]byte, release func()) {
	c.Body = nil
	c.segs = segs
	c.release = release
}

// BodySegments is the body set by SetBodySegments (nil otherwise).
func (c *Command) BodySegments() [][]byte { return c.segs }

// ReleaseBody drops the segments and runs their release callback, if any (at most once).
func (c *Command) ReleaseBody() {
	rel := c.release
	c.segs, c.release = nil, nil
	if rel != nil {
		rel()
	}
}

// bodyLen is the length of the body on the wire: Body, or the sum of the segments.
func (c *Command) bodyLen() int {
	n := len(c.Body)
	for _, s := range c.segs {
		n += len(s)
	}
	return n
}
