package store

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/store/checkpoint"
	"github.com/rocketd/rocketd/store/commitlog"

	"github.com/stretchr/testify/require"
)

// Golden store written by a Java 4.9.8 broker (compat/testdata/store/java-4.9.8, scenario in
// compat/testdata/README.md; regenerate with make compat-store-fixtures).
const goldenDir = "../compat/testdata/store/java-4.9.8"

func goldenConfig(root string) MessageStoreConfig {
	c := DefaultMessageStoreConfig(root)
	c.MappedFileSizeCommitLog = 1048576
	c.MappedFileSizeConsumeQueue = 6000
	c.MaxHashSlotNum = 1000
	c.MaxIndexNum = 2000
	return c
}

type goldenMsg struct {
	topic, msgID, offsetMsgID, tags, keys, body string
	queueID                                     int32
	queueOffset                                 int64
	delay                                       int
}

func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.Split(l, "\t"))
		}
	}
	return out
}

// unpackGolden copies the fixture into a fresh root, re-padding every file to its full size with zeros.
func unpackGolden(t *testing.T, skip func(rel string) bool) string {
	t.Helper()
	root := t.TempDir()
	for _, row := range readTSV(t, filepath.Join(goldenDir, "MANIFEST.tsv")) {
		rel := row[0]
		if skip != nil && skip(rel) {
			continue
		}
		full, err := strconv.Atoi(row[1])
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(goldenDir, filepath.FromSlash(rel)))
		require.NoError(t, err)
		padded := make([]byte, full)
		copy(padded, b)
		dst := filepath.Join(root, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, padded, 0o644))
	}
	return root
}

func goldenMessages(t *testing.T) []goldenMsg {
	t.Helper()
	var out []goldenMsg
	for _, r := range readTSV(t, filepath.Join(goldenDir, "messages.tsv")) {
		q, _ := strconv.Atoi(r[1])
		off, _ := strconv.ParseInt(r[2], 10, 64)
		d, _ := strconv.Atoi(r[8])
		out = append(out, goldenMsg{topic: r[0], queueID: int32(q), queueOffset: off, msgID: r[3], offsetMsgID: r[4],
			tags: r[5], keys: r[6], body: r[7], delay: d})
	}
	require.Len(t, out, 7)
	return out
}

func TestGoldenJavaStoreReadsBack(t *testing.T) {
	root := unpackGolden(t, nil)
	cfg := goldenConfig(root)
	rep, err := VerifyDir(cfg)
	require.NoError(t, err)
	require.Equal(t, []string(nil), rep.Problems)
	require.Equal(t, int64(7), rep.Records)
	require.Equal(t, int64(7), rep.Units)

	// Java's checkpoint after a run shorter than flushCommitLogThoroughInterval (10 s, ASYNC_FLUSH) and a
	// clean stop: physicMsgTimestamp is still 0 (only the thorough flush sets it; shutdown does not),
	// logicsMsgTimestamp is set (the shutdown CQ flush), no index file ever filled.
	b, err := os.ReadFile(filepath.Join(root, "checkpoint"))
	require.NoError(t, err)
	physic, logics, idx, ok := checkpoint.Decode(b)
	require.True(t, ok)
	require.Equal(t, int64(0), physic)
	require.True(t, logics > 0, "logics %d", logics)
	require.Equal(t, int64(0), idx)

	s := openStarted(t, cfg)
	defer s.Shutdown()
	require.True(t, s.LastExitOK())
	for _, m := range goldenMessages(t) {
		var rec commitlog.Record
		if m.delay == 0 {
			g := s.GetMessage("g", m.topic, m.queueID, m.queueOffset, 1, nil)
			require.Equal(t, Found, g.Status, "%+v", m)
			rec = decode(t, append([]byte(nil), g.Messages[0]...))
			g.Release()
			_, phy, err := compat.DecodeOffsetMessageID(m.offsetMsgID)
			require.NoError(t, err)
			require.Equal(t, phy, rec.PhysicalOffset)
			require.Equal(t, m.queueOffset, rec.QueueOffset)
			var code int64
			g = s.GetMessage("g", m.topic, m.queueID, m.queueOffset, 1, codeFilter{&code})
			g.Release()
			require.Equal(t, compat.TagsCode(m.tags), code, "CQ tags code of %q", m.tags)
		} else {
			// Java answers a delayed send with the real queue id but the SCHEDULE_TOPIC_XXXX queue offset.
			qid := int32(m.delay - 1)
			var code int64
			g := s.GetMessage("g", ScheduleTopic, qid, m.queueOffset, 1, codeFilter{&code})
			require.Equal(t, Found, g.Status)
			rec = decode(t, append([]byte(nil), g.Messages[0]...))
			g.Release()
			require.Equal(t, rec.StoreTimestamp+30000, code, "delivery time of level 4")
			props := compat.DecodeProperties(string(rec.Properties))
			require.Equal(t, m.topic, props[compat.PropertyRealTopic])
			require.Equal(t, strconv.Itoa(int(m.queueID)), props[compat.PropertyRealQueueID])
		}
		require.Equal(t, m.body, string(rec.Body))
		props := compat.DecodeProperties(string(rec.Properties))
		require.Equal(t, m.msgID, props["UNIQ_KEY"])
		require.Equal(t, m.keys, props["KEYS"])
		require.Equal(t, m.tags, props["TAGS"])
		topic := string(rec.Topic)
		for _, k := range append(strings.Fields(m.keys), m.msgID) {
			q := s.QueryMessage(topic, k, 64, 0, time.Now().UnixMilli())
			found := false
			for _, b := range q.Messages {
				found = found || decode(t, b).PhysicalOffset == rec.PhysicalOffset
			}
			require.True(t, found, "index %s#%s", topic, k)
		}
	}
}

type codeFilter struct{ code *int64 }

func (f codeFilter) IsMatchedByConsumeQueue(c int64) bool { *f.code = c; return true }
func (codeFilter) IsMatchedByCommitLog([]byte) bool       { return true }

// Every Java record re-encodes to the same bytes with rocketd's encoder.
func TestGoldenJavaRecordsReencodeIdentically(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(goldenDir, "commitlog", "00000000000000000000"))
	require.NoError(t, err)
	n := 0
	for p := 0; p < len(b); n++ {
		rec := decode(t, b[p:])
		m := commitlog.Message{Topic: string(rec.Topic), QueueID: rec.QueueID, Flag: rec.Flag, Body: rec.Body,
			Properties: string(rec.Properties), SysFlag: rec.SysFlag, BornTimestamp: rec.BornTimestamp,
			BornHost: commitlog.DecodeHost(rec.BornHost), StoreHost: commitlog.DecodeHost(rec.StoreHost),
			ReconsumeTimes: rec.ReconsumeTimes, PreparedTransactionOffset: rec.PreparedTransactionOffset}
		out, err := commitlog.Encode(nil, &m, commitlog.Limits{MaxMessageSize: 4 << 20})
		require.NoError(t, err)
		commitlog.Patch(out, rec.QueueOffset, rec.PhysicalOffset, rec.StoreTimestamp)
		require.Equal(t, b[p:p+int(rec.TotalSize)], out, "record %d at %d", n, p)
		p += int(rec.TotalSize)
	}
	require.Equal(t, 7, n)
}

// rocketd's dispatch rebuilds Java's ConsumeQueue and index files byte for byte from Java's CommitLog.
func TestGoldenJavaDispatchRebuildsIdenticalFiles(t *testing.T) {
	root := unpackGolden(t, func(rel string) bool {
		return strings.HasPrefix(rel, "consumequeue/") || strings.HasPrefix(rel, "index/") || rel == "checkpoint"
	})
	require.NoError(t, os.WriteFile(filepath.Join(root, "abort"), nil, 0o644)) // abnormal: dispatch everything
	s := openStarted(t, goldenConfig(root))
	require.NoError(t, s.Shutdown())
	javaRoot := unpackGolden(t, nil)
	for _, row := range readTSV(t, filepath.Join(goldenDir, "MANIFEST.tsv")) {
		rel := row[0]
		if !strings.HasPrefix(rel, "consumequeue/") {
			continue
		}
		want, err := os.ReadFile(filepath.Join(javaRoot, rel))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(root, rel))
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "%s differs", rel)
	}
	javaIdx, err := filepath.Glob(filepath.Join(javaRoot, "index", "*"))
	require.NoError(t, err)
	ourIdx, err := filepath.Glob(filepath.Join(root, "index", "*"))
	require.NoError(t, err)
	require.Len(t, javaIdx, 1)
	require.Len(t, ourIdx, 1)
	want, err := os.ReadFile(javaIdx[0])
	require.NoError(t, err)
	got, err := os.ReadFile(ourIdx[0])
	require.NoError(t, err)
	require.Equal(t, len(want), len(got))
	require.Equal(t, want[:40], got[:40], "index header")
	require.True(t, bytes.Equal(want, got), "index slots/entries differ")
}

// Java writes a stored record's properties in the iteration order of its HashMap(128); compat.EncodeProperties
// reproduces it, so a property map rocketd builds is stored with Java's exact bytes.
func TestGoldenJavaPropertiesOrder(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(goldenDir, "commitlog", "00000000000000000000"))
	require.NoError(t, err)
	n := 0
	for p := 0; p < len(b); n++ {
		rec := decode(t, b[p:])
		props := string(rec.Properties)
		require.Equal(t, props, compat.EncodeProperties(compat.DecodeProperties(props)), "record %d", n)
		p += int(rec.TotalSize)
	}
	require.Equal(t, 7, n)
}
