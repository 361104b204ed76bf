package fastjson

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// ErrConfig is wrapped by ReadConfig when neither a config file nor its .bak can be loaded.
var ErrConfig = errors.New("config file unreadable")

// Suffixes Java uses beside every config file.
const (
	TmpSuffix = ".tmp"
	BakSuffix = ".bak"
)

// logger is looked up on each use so a later slog.SetDefault takes effect.
func logger() *slog.Logger { return slog.Default().With("component", "store") }

// WriteConfig persists data at path with Java's MixAll.string2File order, so that a Java broker reading the
// directory afterwards (or while we crash half-way) sees what it would see after its own write:
//
//  1. write <path>.tmp (fsync'd; Java does not fsync);
//  2. copy the previous content of <path> to <path>.bak (skipped when <path> is missing or empty, so a good
//     .bak is never replaced by nothing; Java copies an empty file too);
//  3. rename <path>.tmp over <path>, then fsync the directory. Java deletes <path> first and then renames,
//     leaving a moment with no file; rename(2) replaces atomically, which ReadConfig's .bak fallback covers
//     either way.
//
// Parent directories are created as needed.
func WriteConfig(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("config: create directory for %s: %w (check permissions and free space)", path, err)
	}
	tmp := path + TmpSuffix
	if err := writeFileSync(tmp, data); err != nil {
		return fmt.Errorf("config: write %s: %w (check permissions and free space)", tmp, err)
	}
	prev, err := os.ReadFile(path)
	switch {
	case err == nil && len(prev) > 0:
		if err := writeFileSync(path+BakSuffix, prev); err != nil {
			return fmt.Errorf("config: write backup %s: %w (check permissions and free space)", path+BakSuffix, err)
		}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		logger().Warn("config: previous file unreadable, not backed up", "file", path, "err", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("config: rename %s to %s: %w", tmp, path, err)
	}
	syncDir(dir)
	return nil
}

func writeFileSync(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync() // best effort: some file systems refuse fsync on directories
	_ = d.Close()
}

// ReadConfig loads path the way Java's ConfigManager.load does and calls decode with the content:
//
//   - <path> missing, unreadable, empty or blank → try <path>.bak;
//   - decode(<path>) fails → try <path>.bak;
//   - <path>.bak missing, empty or blank → nil, decode not called (start with an empty table; Java does the same
//     even when <path> was corrupt, which is logged loudly here);
//   - decode(<path>.bak) fails → an error wrapping ErrConfig that names the files to repair or remove.
//
// decode must leave its target untouched when it returns an error (decode into a fresh value, then apply).
func ReadConfig(path string, decode func([]byte) error) error {
	data, err := os.ReadFile(path)
	var mainErr error
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		// normal on a first start, or in the moment Java's string2File leaves no file
	case err != nil:
		mainErr = err
		logger().Error("config: cannot read file, trying the backup", "file", path, "err", err)
	case len(bytes.TrimSpace(data)) == 0:
		if len(data) > 0 {
			logger().Warn("config: file is blank, trying the backup", "file", path)
		}
	default:
		if err := decode(data); err != nil {
			mainErr = err
			logger().Error("config: cannot parse file, trying the backup", "file", path, "err", err)
		} else {
			logger().Info("config: loaded", "file", path)
			return nil
		}
	}

	bak := path + BakSuffix
	data, err = os.ReadFile(bak)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist), err == nil && len(bytes.TrimSpace(data)) == 0:
		if mainErr != nil {
			logger().Error("config: file unusable and no backup; starting with an empty table (the next persist overwrites it)",
				"file", path, "err", mainErr)
		}
		return nil
	case err != nil:
		return fmt.Errorf("%w: %s: %v; backup %s: %v: fix the permissions of %s, or remove both files to start with an empty table",
			ErrConfig, path, errOrMissing(mainErr), bak, err, bak)
	}
	if err := decode(data); err != nil {
		return fmt.Errorf("%w: %s: %v; backup %s: %v: repair %s (or %s), or remove both files to start with an empty table",
			ErrConfig, path, errOrMissing(mainErr), bak, err, path, bak)
	}
	logger().Warn("config: loaded from the backup file", "file", bak, "mainErr", mainErr)
	return nil
}

func errOrMissing(err error) string {
	if err == nil {
		return "missing or empty"
	}
	return err.Error()
}
