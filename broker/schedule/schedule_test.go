package schedule

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

var host = netip.MustParseAddrPort("127.0.0.1:10911")

func openStore(t *testing.T, dir, levels string) *store.DefaultMessageStore {
	t.Helper()
	cfg := store.DefaultMessageStoreConfig(dir)
	cfg.MappedFileSizeCommitLog = 4 << 20
	cfg.MessageDelayLevel = levels
	s, err := store.Open(cfg, store.Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	return s
}

func put(t *testing.T, s store.MessageStore, topic string, qid int32, body string, props map[string]string) {
	t.Helper()
	res := s.PutMessage(context.Background(), &store.Message{Topic: topic, QueueID: qid, Body: []byte(body),
		Properties: props, BornTimestamp: time.Now().UnixMilli(), BornHost: host, StoreHost: host})
	require.Equal(t, store.PutOK, res.Status, "%v", res.Err)
}

func messages(t *testing.T, s store.MessageStore, topic string, qid int32) []commitlog.Record {
	t.Helper()
	res := s.GetMessage("g", topic, qid, 0, 32, nil)
	require.NotNil(t, res)
	defer res.Release()
	var out []commitlog.Record
	for _, raw := range res.Messages {
		rec, err := commitlog.Decode(append([]byte(nil), raw...), true)
		require.NoError(t, err)
		out = append(out, rec)
	}
	return out
}

func TestDeliversOnTimeAndRestoresTheMessage(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, "1s 2s")
	defer s.Shutdown()
	levels, err := store.ParseDelayLevels("1s 2s")
	require.NoError(t, err)
	path := filepath.Join(dir, "config", "delayOffset.json")
	svc, err := Open(Options{Path: path, Levels: levels, Store: s, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	svc.Start()
	sent := time.Now()
	put(t, s, "T", 3, "hello", map[string]string{compat.PropertyDelayTimeLevel: "1", compat.PropertyTags: "a", compat.PropertyKeys: "k"})
	require.Eventually(t, func() bool { return len(messages(t, s, "T", 3)) == 1 }, 5*time.Second, 5*time.Millisecond)
	took := time.Since(sent)
	require.GreaterOrEqual(t, took, 950*time.Millisecond)
	require.Less(t, took, 1500*time.Millisecond)
	rec := messages(t, s, "T", 3)[0]
	require.Equal(t, "hello", string(rec.Body))
	p := compat.DecodeProperties(string(rec.Properties))
	require.Equal(t, "1", p[compat.PropertyDelayTimeLevel], "the stored string keeps DELAY, as Java's")
	require.Equal(t, "T", p[compat.PropertyRealTopic])
	require.Equal(t, "3", p[compat.PropertyRealQueueID])
	require.Equal(t, "k", p[compat.PropertyKeys])
	require.EqualValues(t, 1, svc.Offset(1))

	require.NoError(t, svc.Stop())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), `"offsetTable":{1:1`, "pretty, unquoted level keys")
	require.Equal(t, `{"offsetTable":{1:1}}`, string(svc.Encode(fastjson.Compact)))

	// A restart resumes from the file: nothing is delivered twice.
	svc2, err := Open(Options{Path: path, Levels: levels, Store: s, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	svc2.Start()
	defer svc2.Stop()
	put(t, s, "T", 3, "second", map[string]string{compat.PropertyDelayTimeLevel: "1"})
	require.Eventually(t, func() bool { return len(messages(t, s, "T", 3)) == 2 }, 5*time.Second, 5*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	require.Len(t, messages(t, s, "T", 3), 2)
}

func TestOffsetsAreCorrectedAndBadBackupRefused(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, "1s")
	defer s.Shutdown()
	levels, _ := store.ParseDelayLevels("1s")
	path := filepath.Join(dir, "config", "delayOffset.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("{\n\t\"offsetTable\":{1:7,2:3}\n}"), 0o644))
	svc, err := Open(Options{Path: path, Levels: levels, Store: s})
	require.NoError(t, err)
	require.EqualValues(t, 0, svc.Offset(1), "beyond the queue's max: corrected")
	require.EqualValues(t, 3, svc.Offset(2), "levels not configured are kept")

	// An unusable file without a backup starts empty (Java does the same); a bad backup is an error.
	require.NoError(t, os.WriteFile(path, []byte(`{"offsetTable":{"x":1}}`), 0o644))
	svc, err = Open(Options{Path: path, Levels: levels, Store: s})
	require.NoError(t, err)
	require.EqualValues(t, 0, svc.Offset(2))
	require.NoError(t, os.WriteFile(path+".bak", []byte(`{"offsetTable":{"x":1}}`), 0o644))
	_, err = Open(Options{Path: path, Levels: levels, Store: s})
	require.Error(t, err)
}

func TestRestoreRefusesRecordsWithoutRealTopic(t *testing.T) {
	rec, err := commitlog.Encode(nil, &commitlog.Message{Topic: store.ScheduleTopic, Body: []byte("x"), BornHost: host,
		StoreHost: host, Properties: compat.EncodeProperties(map[string]string{"DELAY": "1"})}, commitlog.Limits{MaxMessageSize: 1024})
	require.NoError(t, err)
	_, err = Restore(rec)
	require.ErrorIs(t, err, ErrNoRealTopic)
	_, err = Restore(rec[:20])
	require.Error(t, err)
}

type boundsOnly struct{ Store }

func (boundsOnly) GetMinOffsetInQueue(string, int32) int64 { return 0 }
func (boundsOnly) GetMaxOffsetInQueue(string, int32) int64 { return 1000 }

// The file Java 4.9.8 wrote is read, and written back byte for byte.
func TestJavaWrittenFile(t *testing.T) {
	golden, err := os.ReadFile("testdata/java-delayOffset.json")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "delayOffset.json")
	require.NoError(t, os.WriteFile(path, golden, 0o644))
	levels, _ := store.ParseDelayLevels("1s 5s 10s")
	svc, err := Open(Options{Path: path, Levels: levels, Store: boundsOnly{}})
	require.NoError(t, err)
	require.EqualValues(t, 12, svc.Offset(1))
	require.EqualValues(t, 8, svc.Offset(2))
	require.Equal(t, string(golden), string(svc.Encode(fastjson.Pretty)))
}
