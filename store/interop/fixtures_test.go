package interop

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/store/commitlog"
)

// TestJavaGoldenFixtures regenerates compat/testdata/store/java-4.9.8 (ROCKETD_INTEROP_FIXTURES=1,
// make compat-store-fixtures): a Java 4.9.8 broker writes six messages to GoldenTopic (2 queues; tags,
// keys, one non-ASCII tag, one message without tag) and one delayed message (level 4, 30 s, so it stays in
// SCHEDULE_TOPIC_XXXX), then stops cleanly. Only the used prefix of every non-empty segment is kept;
// MANIFEST.tsv gives each file's full size so the unit test (store/golden_test.go) can re-pad them, and
// messages.tsv what the producer was told. Store timestamps and message ids differ on every run.
func TestJavaGoldenFixtures(t *testing.T) {
	needInterop(t)
	if os.Getenv("ROCKETD_INTEROP_FIXTURES") == "" {
		t.Skip("set ROCKETD_INTEROP_FIXTURES=1 to rewrite compat/testdata/store")
	}
	dir := storeDir(t)
	nsPort, brokerPort := freePorts(t)
	j := startJava(t, dir, nsPort, brokerPort)
	brokerAddr := fmt.Sprintf("127.0.0.1:%d", brokerPort)
	const topic = "GoldenTopic"
	createTopic(t, brokerAddr, topic, 2)
	waitRoute(t, j.nsAddr, topic)
	p := newProducer(t, j.nsAddr)
	tags := []string{"TagA", "TagB", "中文标签", "", "TagA", "TagB"}
	var rows []string
	for i, tg := range tags {
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("golden body %d", i)))
		if tg != "" {
			m.WithTag(tg)
		}
		keys := []string{fmt.Sprintf("gk%d", i)}
		if i%2 == 0 {
			keys = append(keys, "even")
		}
		m.WithKeys(keys)
		r, err := p.SendSync(context.Background(), m)
		require.NoError(t, err)
		rows = append(rows, strings.Join([]string{topic, fmt.Sprint(r.MessageQueue.QueueId), fmt.Sprint(r.QueueOffset),
			r.MsgID, r.OffsetMsgID, tg, strings.Join(keys, " "), string(m.Body), "0"}, "\t"))
	}
	m := primitive.NewMessage(topic, []byte("golden delayed"))
	m.WithTag("TagD")
	m.WithKeys([]string{"gkd"})
	m.WithDelayTimeLevel(4)
	r, err := p.SendSync(context.Background(), m)
	require.NoError(t, err)
	rows = append(rows, strings.Join([]string{topic, fmt.Sprint(r.MessageQueue.QueueId), fmt.Sprint(r.QueueOffset),
		r.MsgID, r.OffsetMsgID, "TagD", "gkd", "golden delayed", "4"}, "\t"))
	require.NoError(t, p.Shutdown())
	time.Sleep(1500 * time.Millisecond) // let the CQ flush run once; the clean stop flushes everything anyway
	j.stop(t)
	require.False(t, abortPresent(dir))

	out := filepath.Join(repoRoot(t), "compat/testdata/store/java-4.9.8")
	require.NoError(t, os.RemoveAll(out))
	var manifest []string
	err = filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "lock" || strings.HasSuffix(rel, ".bak") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		used := usedPrefix(rel, b)
		if used == 0 && !strings.HasPrefix(rel, "config/") {
			return nil // an empty pre-allocated segment
		}
		manifest = append(manifest, fmt.Sprintf("%s\t%d\t%d", rel, len(b), used))
		dst := filepath.Join(out, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b[:used], 0o644)
	})
	require.NoError(t, err)
	sort.Strings(manifest)
	require.NoError(t, os.WriteFile(filepath.Join(out, "MANIFEST.tsv"),
		[]byte("# path\tfull size\tstored prefix (the rest is zeros)\n"+strings.Join(manifest, "\n")+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(out, "messages.tsv"),
		[]byte("# topic\tqueueId\tqueueOffset\tmsgId\toffsetMsgId\ttags\tkeys\tbody\tdelayLevel\n"+strings.Join(rows, "\n")+"\n"), 0o644))
	t.Logf("wrote %d files to %s", len(manifest), out)
}

// usedPrefix is the length up to the last non-zero byte, rounded to the format's unit.
func usedPrefix(rel string, b []byte) int {
	switch {
	case strings.HasPrefix(rel, "config/"):
		return len(b)
	case strings.HasPrefix(rel, "index/"):
		count := int(binary.BigEndian.Uint32(b[36:]))
		return 40 + 1000*4 + count*20
	case strings.HasPrefix(rel, "commitlog/"):
		p := 0
		for p+8 <= len(b) {
			rec, err := commitlog.Decode(b[p:], true)
			if err != nil {
				break
			}
			p += int(rec.TotalSize)
		}
		return p
	}
	n := len(b)
	for n > 0 && b[n-1] == 0 {
		n--
	}
	if strings.HasPrefix(rel, "consumequeue/") {
		n = (n + 19) / 20 * 20
	}
	if rel == "checkpoint" {
		n = 24
	}
	return n
}
