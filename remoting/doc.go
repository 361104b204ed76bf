// Package remoting speaks RocketMQ 4.9.8's RemotingCommand protocol over TCP: the frame codec, both header
// serializations (JSON and the binary "ROCKETMQ" form), per-connection reader and writer goroutines, request
// dispatch by code onto worker pools, and a client with sync, async and oneway calls.
//
// # Frame
//
// Every integer is big-endian.
//
//	 0               4   5           8                    8+H                  4+L
//	+---------------+---+-----------+--------------------+--------------------+
//	| L (int32)     | T | H (24 bit)| header (H bytes)   | body (L-4-H bytes) |
//	+---------------+---+-----------+--------------------+--------------------+
//
//	L  byte count after the length field: 4 + H + body length. L+4 must not exceed MaxFrameSize (16 MiB).
//	T  serialize type: 0 = JSON, 1 = ROCKETMQ.
//	H  header byte count; H must not exceed L-4.
//
// A length above the limit or below 4 closes the connection as soon as its 4 bytes arrive, a header length
// inconsistent with it as soon as its 4 bytes arrive, before anything is allocated, as Java's
// LengthFieldBasedFrameDecoder does. A frame's memory then grows with the bytes that arrived (64 KiB first,
// doubling), so a peer that announces 16 MiB and sends 8 bytes holds 64 KiB, not 16 MiB.
//
// # Writing
//
// Conn.Send queues a command and returns at once; each connection's writer goroutine, and only it, waits on
// the socket. A connection whose queued, unwritten bytes would pass MaxPendingBytes (64 MiB by default) is
// closed and logged as a slow consumer (ErrSlowConsumer), as nats-server does: a peer that does not read its
// responses cannot hold memory or any worker.
//
// The writer batches what is queued into one writev: headers are encoded into a reused buffer, bodies are
// written from where they are. A body may also be a list of slices (Command.SetBodySegments: a PULL_MESSAGE
// response's records, straight from the mapped CommitLog) with a release callback that the writer runs once
// the bytes are written, or when the command is dropped (connection closed, Send refused); the slices count
// toward MaxPendingBytes like a Body.
//
// # JSON header (T = 0)
//
// What Java 4.9.8 (fastjson) emits and rocketd emits too, keys in alphabetical order, null fields omitted:
//
//	{"code":0,"extFields":{"k":"v"},"flag":1,"language":"JAVA","opaque":7,"remark":"..","serializeTypeCurrentRPC":"JSON","version":409}
//
// Decoding accepts any key order, missing optional keys, unknown keys and language given as a name or number.
// extFields values are always written as JSON strings (the Go client drops a frame with a numeric value), and
// in the iteration order of a Java HashMap holding them (both serializations), so that rocketd's frames are
// byte-identical to Java's; testdata/java holds frames Java 4.9.8 encoded and TestJavaGoldenFrames checks it.
//
// Hot path (jsonfast.go): for a route registered WithRawExt, a header that starts {"code":N and has the plain
// shape above is scanned without json-iterator and its extFields stay raw (Command.RangeExt), so the handler
// reads its keys without a map; any other shape goes through the general decoder. Frames up to 64 KiB are
// read into pooled buffers, and WithFrameReuse routes give theirs back when the handler returns.
//
// # ROCKETMQ binary header (T = 1)
//
//	 0      2    3       5        9       13       17         17+R     21+R
//	+------+----+-------+--------+-------+--------+----------+--------+-----------------------------+
//	| code |lang|version| opaque | flag  | R      | remark   | E      | E bytes of ext entries      |
//	| i16  | u8 | i16   | i32    | i32   | i32    | R bytes  | i32    | (keyLen i16, key, valLen i32,|
//	|      |    |       |        |       |        |          |        |  value) repeated            |
//	+------+----+-------+--------+-------+--------+----------+--------+-----------------------------+
//
// A zero length decodes as null (absent). Duplicate ext keys are accepted, the last one wins.
package remoting
