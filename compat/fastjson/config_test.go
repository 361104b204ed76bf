package fastjson

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, path string) (got string, calls int, err error) {
	t.Helper()
	err = ReadConfig(path, func(b []byte) error {
		calls++
		var v map[string]any
		if err := Unmarshal(b, &v); err != nil {
			return err
		}
		got = string(b)
		return nil
	})
	return got, calls, err
}

func TestWriteConfigOrderAndBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config", "topics.json") // parent created on demand

	require.NoError(t, WriteConfig(path, []byte(`{"v":1}`)))
	_, err := os.Stat(path + BakSuffix)
	require.True(t, errors.Is(err, os.ErrNotExist), "no .bak before a previous version exists")

	require.NoError(t, WriteConfig(path, []byte(`{"v":2}`)))
	cur, _ := os.ReadFile(path)
	bak, _ := os.ReadFile(path + BakSuffix)
	require.Equal(t, `{"v":2}`, string(cur))
	require.Equal(t, `{"v":1}`, string(bak))
	_, err = os.Stat(path + TmpSuffix)
	require.True(t, errors.Is(err, os.ErrNotExist), ".tmp is renamed away")

	// an empty current file never replaces a good backup
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	require.NoError(t, WriteConfig(path, []byte(`{"v":3}`)))
	bak, _ = os.ReadFile(path + BakSuffix)
	require.Equal(t, `{"v":1}`, string(bak))
}

func TestReadConfigFallbacks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "consumerOffset.json")

	// nothing at all: success, decode never called
	got, calls, err := readAll(t, path)
	require.NoError(t, err)
	require.Equal(t, 0, calls)
	require.Empty(t, got)

	// good file
	require.NoError(t, os.WriteFile(path, []byte(`{"a":{0:1}}`), 0o644))
	got, _, err = readAll(t, path)
	require.NoError(t, err)
	require.Equal(t, `{"a":{0:1}}`, got)

	// empty / blank / missing file → .bak
	require.NoError(t, os.WriteFile(path+BakSuffix, []byte(`{"b":1}`), 0o644))
	for _, content := range []string{"", " \n\t"} {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		got, _, err = readAll(t, path)
		require.NoError(t, err)
		require.Equal(t, `{"b":1}`, got)
	}
	require.NoError(t, os.Remove(path))
	got, _, err = readAll(t, path)
	require.NoError(t, err)
	require.Equal(t, `{"b":1}`, got)

	// corrupt file → .bak
	require.NoError(t, os.WriteFile(path, []byte(`{"a":`), 0o644))
	got, calls, err = readAll(t, path)
	require.NoError(t, err)
	require.Equal(t, 2, calls)
	require.Equal(t, `{"b":1}`, got)

	// corrupt file and corrupt .bak → error naming both files
	require.NoError(t, os.WriteFile(path+BakSuffix, []byte(`garbage`), 0o644))
	_, _, err = readAll(t, path)
	require.ErrorIs(t, err, ErrConfig)
	require.Contains(t, err.Error(), path+BakSuffix)
	require.Contains(t, err.Error(), "repair")

	// missing file and corrupt .bak → error too
	require.NoError(t, os.Remove(path))
	_, _, err = readAll(t, path)
	require.ErrorIs(t, err, ErrConfig)
	require.Contains(t, err.Error(), "missing or empty")

	// corrupt file and no .bak → empty table, like Java
	require.NoError(t, os.WriteFile(path, []byte(`{"a":`), 0o644))
	require.NoError(t, os.Remove(path+BakSuffix))
	got, calls, err = readAll(t, path)
	require.NoError(t, err)
	require.Equal(t, 1, calls)
	require.Empty(t, got)
}

func TestReadConfigUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "topics.json")
	require.NoError(t, os.WriteFile(path, []byte(`{}`), 0o000))
	require.NoError(t, os.WriteFile(path+BakSuffix, []byte(`{"x":1}`), 0o644))
	got, _, err := readAll(t, path)
	require.NoError(t, err)
	require.Equal(t, `{"x":1}`, got)
}

func TestWriteThenReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	w := NewWriter(Pretty, nil)
	w.BeginObject()
	w.Key("offsetTable")
	w.BeginObject()
	w.Key("T@g")
	w.BeginIntMap()
	w.IntKey(0)
	w.Int(5)
	w.EndObject()
	w.EndObject()
	w.EndObject()
	require.NoError(t, WriteConfig(path, w.Bytes()))
	var v struct {
		OffsetTable map[string]map[int32]int64 `json:"offsetTable"`
	}
	require.NoError(t, ReadConfig(path, func(b []byte) error { return Unmarshal(b, &v) }))
	require.Equal(t, int64(5), v.OffsetTable["T@g"][0])
}
