package filterdata

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/compat/fastjson"
)

// Vectors printed by Java 4.9.8's filter.util.BloomFilter (jshell on the reference classpath).
func TestBloomMatchesJava(t *testing.T) {
	b, err := NewBloom(20, 32)
	require.NoError(t, err)
	require.Equal(t, Bloom{K: 3, M: 112}, b)
	for s, want := range map[string][]int32{
		"":                  {0, 0, 0},
		"a":                 {94, 99, 7},
		"g#t":               {22, 87, 58},
		"0123456789abcdef":  {11, 47, 60},
		"0123456789abcdefX": {60, 79, 75},
		"CID_grp#TopicTest": {101, 61, 21},
		"组#主题":              {38, 9, 19},
		"SG_push_sql92_selector_128wg6_2#T_push_sql92_selector_128wg6_1": {55, 79, 70},
	} {
		require.Equal(t, want, b.Positions(s), "%q", s)
	}
	b, err = NewBloom(10, 64)
	require.NoError(t, err)
	require.Equal(t, Bloom{K: 4, M: 312}, b)
	require.Equal(t, []int32{302, 127, 10, 148}, b.Positions("g#t"))
	b, err = NewBloom(1, 1000)
	require.NoError(t, err)
	require.Equal(t, Bloom{K: 7, M: 9592}, b)
	require.Equal(t, []int32{7798, 2895, 1418, 5732, 4961, 647, 3666}, b.Positions("g#t"))
	for _, bad := range [][2]int{{0, 32}, {100, 32}, {20, 0}} {
		_, err := NewBloom(bad[0], bad[1])
		require.Error(t, err, "%v", bad)
	}
}

func testOpts(now *time.Time) Options {
	b, _ := NewBloom(20, 32)
	return Options{Bloom: b, CleanSpan: 24 * time.Hour, Now: func() time.Time { return *now }}
}

// A file written by a Java 4.9.8 broker after an SQL92 push consumer ran and shut down is read and written
// back byte for byte.
func TestJavaFileRoundTrip(t *testing.T) {
	golden, err := os.ReadFile("testdata/java-consumerFilter.json")
	require.NoError(t, err)
	dir := t.TempDir()
	path := filepath.Join(dir, "consumerFilter.json")
	require.NoError(t, os.WriteFile(path, golden, 0o644))
	now := time.UnixMilli(1796664244011).Add(time.Minute)
	m, err := Open(path, testOpts(&now))
	require.NoError(t, err)
	d, ok := m.Get("T_push_sql92_selector_128wg6_1", "SG_push_sql92_selector_128wg6_2")
	require.True(t, ok)
	require.Equal(t, "a > 4 AND color = 'red'", d.Expression)
	require.True(t, d.Dead())
	require.NoError(t, m.Persist())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(golden), string(got))
	bak, err := os.ReadFile(path + ".bak")
	require.NoError(t, err)
	require.Equal(t, string(golden), string(bak), "the previous file is kept as .bak, as Java does")

	// Dead for the clean span: dropped with its topic.
	now = time.UnixMilli(1796664244011).Add(24 * time.Hour)
	require.Equal(t, `{"filterDataByTopic":{}}`, string(m.Encode(fastjson.Compact)))
}

func TestRegisterLifecycle(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	path := filepath.Join(t.TempDir(), "config", "consumerFilter.json")
	m, err := Open(path, testOpts(&now))
	require.NoError(t, err)

	m.Register("g", []Subscription{
		{Topic: "t1", Expression: "a > 1", ExpressionType: "SQL92", Version: 10},
		{Topic: "t2", Expression: "TagA", ExpressionType: "TAG", Version: 10},
		{Topic: "t3", Expression: "a >", ExpressionType: "SQL92", Version: 10},   // does not compile
		{Topic: "t4", Expression: "a > 1", ExpressionType: "CLASS", Version: 10}, // unknown type
	})
	d, ok := m.Get("t1", "g")
	require.True(t, ok)
	require.Equal(t, Data{ConsumerGroup: "g", Topic: "t1", Expression: "a > 1", ExpressionType: "SQL92",
		BornTime: now.UnixMilli(), ClientVersion: 10,
		BloomFilterData: &BloomFilterData{BitNum: 112, BitPos: m.opts.Bloom.Positions("g#t1")}}, d)
	for _, tp := range []string{"t2", "t3", "t4"} {
		_, ok := m.Get(tp, "g")
		require.False(t, ok, tp)
	}

	// An older or equal version changes nothing; a newer one with another expression replaces it.
	now = now.Add(time.Second)
	m.Register("g", []Subscription{{Topic: "t1", Expression: "b = 2", ExpressionType: "SQL92", Version: 10}})
	d, _ = m.Get("t1", "g")
	require.Equal(t, "a > 1", d.Expression)
	m.Register("g", []Subscription{{Topic: "t1", Expression: "b = 2", ExpressionType: "SQL92", Version: 11}})
	d, _ = m.Get("t1", "g")
	require.Equal(t, "b = 2", d.Expression)
	require.Equal(t, now.UnixMilli(), d.BornTime)

	// The last consumer leaves: dead; the same version comes back: alive again.
	now = now.Add(time.Second)
	m.Unregister("g")
	d, _ = m.Get("t1", "g")
	require.True(t, d.Dead())
	require.Equal(t, now.UnixMilli(), d.DeadTime)
	m.Register("g", []Subscription{{Topic: "t1", Expression: "b = 2", ExpressionType: "SQL92", Version: 11}})
	d, _ = m.Get("t1", "g")
	require.False(t, d.Dead())

	// A heartbeat without t1 marks it dead; a newer version that no longer compiles removes it.
	now = now.Add(time.Second)
	m.Register("g", []Subscription{{Topic: "t5", Expression: "c = 1", ExpressionType: "SQL92", Version: 12}})
	d, _ = m.Get("t1", "g")
	require.True(t, d.Dead())
	m.Register("g", []Subscription{{Topic: "t5", Expression: "c = ", ExpressionType: "SQL92", Version: 13}})
	_, ok = m.Get("t5", "g")
	require.False(t, ok)

	// Written and read back: live entries come back dead (no consumer is online after a restart).
	m.Register("g2", []Subscription{{Topic: "t1", Expression: "x = 1", ExpressionType: "SQL92", Version: 1}})
	require.NoError(t, m.Persist())
	now = now.Add(time.Minute)
	m2, err := Open(path, testOpts(&now))
	require.NoError(t, err)
	d, ok = m2.Get("t1", "g2")
	require.True(t, ok)
	require.True(t, d.Dead())
	require.Equal(t, now.UnixMilli()-30_000, d.DeadTime)
	d, ok = m2.Get("t1", "g")
	require.True(t, ok)
	require.Equal(t, "b = 2", d.Expression)

	// Other bloom parameters: the persisted data is ignored, as Java ignores it.
	o := testOpts(&now)
	o.Bloom, _ = NewBloom(10, 64)
	m3, err := Open(path, o)
	require.NoError(t, err)
	_, ok = m3.Get("t1", "g2")
	require.False(t, ok)
}

func FuzzDecode(f *testing.F) {
	golden, err := os.ReadFile("testdata/java-consumerFilter.json")
	require.NoError(f, err)
	f.Add(golden)
	f.Add([]byte(`{"filterDataByTopic":{"t":{"groupFilterData":{"g":null}}}}`))
	f.Add([]byte(`{"filterDataByTopic":{"t":null}}`))
	now := time.Now()
	m := &Manager{opts: testOpts(&now), byTopic: map[string]map[string]*Data{}}
	m.opts.Log = quiet()
	f.Fuzz(func(t *testing.T, b []byte) {
		tbl, err := m.decode(b)
		if err != nil {
			return
		}
		m2 := &Manager{opts: m.opts, byTopic: tbl}
		out := m2.Encode(fastjson.Compact)
		_, err = m.decode(out)
		require.NoError(t, err, "re-reading our own output: %s", out)
	})
}

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}
