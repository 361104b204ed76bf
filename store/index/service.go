package index

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rocketd/rocketd/compat"
)

// ErrIndexFile means no index file could be created.
var ErrIndexFile = errors.New("index: cannot create index file")

// Config of the index service.
type Config struct {
	Dir             string // storePathRootDir/index
	MaxHashSlotNum  int
	MaxIndexNum     int
	MaxMsgsNumBatch int
	Logger          *slog.Logger
	// OnFileFull is called after a full file was flushed, with its end timestamp (checkpoint index time).
	OnFileFull func(endTimestamp int64)
}

// Service is IndexService: the ordered list of index files.
type Service struct {
	cfg Config
	log *slog.Logger

	mu    sync.RWMutex
	files []*File
}

// NewService returns a service; call Load.
func NewService(cfg Config) *Service {
	if cfg.MaxHashSlotNum <= 0 {
		cfg.MaxHashSlotNum = DefaultMaxHashSlots
	}
	if cfg.MaxIndexNum <= 0 {
		cfg.MaxIndexNum = DefaultMaxIndexNum
	}
	if cfg.MaxMsgsNumBatch <= 0 {
		cfg.MaxMsgsNumBatch = DefaultMaxMsgsBatch
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, log: cfg.Logger.With("component", "store")}
}

// FileName formats t as yyyyMMddHHmmssSSS in local time.
func FileName(t time.Time) string {
	t = t.Local()
	return fmt.Sprintf("%s%03d", t.Format("20060102150405"), t.Nanosecond()/1e6)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Load opens the files sorted by name; names that are not numbers are skipped. After an abnormal exit,
// files whose end timestamp is newer than checkpointIndexTs are deleted (they may hold entries for records
// recovery is about to cut).
func (s *Service) Load(lastExitOK bool, checkpointIndexTs int64) error {
	entries, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("index: read %s: %w", s.cfg.Dir, err)
	}
	var names []string
	for _, e := range entries {
		if !isDigits(e.Name()) || !e.Type().IsRegular() {
			s.log.Warn("skipping non-index file", "path", filepath.Join(s.cfg.Dir, e.Name()))
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var files []*File
	for _, n := range names {
		f, err := Open(filepath.Join(s.cfg.Dir, n), s.cfg.MaxHashSlotNum, s.cfg.MaxIndexNum)
		if err != nil {
			for _, g := range files {
				g.Close()
			}
			return err
		}
		if !lastExitOK && f.Header().EndTimestamp > checkpointIndexTs {
			s.log.Info("deleting index file newer than the checkpoint", "path", f.Path())
			if err := f.Destroy(); err != nil {
				return err
			}
			continue
		}
		files = append(files, f)
	}
	s.mu.Lock()
	s.files = files
	s.mu.Unlock()
	return nil
}

// last returns the file to write to, creating one if needed; a full file is flushed first.
func (s *Service) last() (*File, error) {
	s.mu.RLock()
	var cur *File
	if n := len(s.files); n > 0 {
		cur = s.files[n-1]
	}
	s.mu.RUnlock()
	if cur != nil && !cur.IsFull() {
		return cur, nil
	}
	var prevPhy, prevTs int64
	if cur != nil {
		h := cur.Header()
		prevPhy, prevTs = h.EndPhyOffset, h.EndTimestamp
		if err := cur.Flush(); err != nil {
			s.log.Error("index flush failed", "path", cur.Path(), "err", err)
		} else if s.cfg.OnFileFull != nil {
			s.cfg.OnFileFull(prevTs)
		}
	}
	if err := os.MkdirAll(s.cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIndexFile, err)
	}
	now := time.Now()
	var path string
	for i := 0; i < 1000; i++ {
		path = filepath.Join(s.cfg.Dir, FileName(now.Add(time.Duration(i)*time.Millisecond)))
		if _, err := os.Stat(path); os.IsNotExist(err) {
			break
		}
	}
	f, err := Create(path, s.cfg.MaxHashSlotNum, s.cfg.MaxIndexNum, prevPhy, prevTs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIndexFile, err)
	}
	s.mu.Lock()
	s.files = append(s.files, f)
	s.mu.Unlock()
	return f, nil
}

// Request is what indexing needs from one dispatched record.
type Request struct {
	Topic          string
	Keys           string // KEYS property (space-separated)
	UniqKey        string // UNIQ_KEY property
	PhyOffset      int64
	StoreTimestamp int64
	SysFlag        int32
}

// BuildIndex indexes UNIQ_KEY then every KEYS token of a record (ROLLBACK records and records below the
// last file's endPhyOffset are skipped).
func (s *Service) BuildIndex(r *Request) error {
	f, err := s.last()
	if err != nil {
		return err
	}
	if err := f.Writable(); err != nil {
		return fmt.Errorf("%w: %w", ErrIndexFile, err)
	}
	if r.PhyOffset < f.Header().EndPhyOffset {
		return nil
	}
	if compat.TransactionValue(r.SysFlag) == compat.TransactionRollbackType {
		return nil
	}
	if r.UniqKey != "" {
		if f, err = s.put(f, r.Topic, r.UniqKey, r); err != nil {
			return err
		}
	}
	keys := r.Keys
	for keys != "" {
		k := keys
		if i := strings.IndexByte(keys, ' '); i >= 0 {
			k, keys = keys[:i], keys[i+1:]
		} else {
			keys = ""
		}
		if k == "" {
			continue
		}
		if f, err = s.put(f, r.Topic, k, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) put(f *File, topic, key string, r *Request) (*File, error) {
	hash := TopicKeyHash(topic, key)
	for i := 0; i < 3; i++ {
		if f.putHash(hash, r.PhyOffset, r.StoreTimestamp) {
			return f, nil
		}
		var err error
		if f, err = s.last(); err != nil {
			return f, err
		}
	}
	return f, fmt.Errorf("%w: could not add key %q", ErrIndexFile, BuildKey(topic, key))
}

// QueryResult is the outcome of QueryOffset.
type QueryResult struct {
	PhyOffsets               []int64
	IndexLastUpdateTimestamp int64
	IndexLastUpdatePhyOffset int64
}

// QueryOffset returns up to min(maxNum, maxMsgsNumBatch) offsets for topic#key stored in [begin, end],
// newest file first.
func (s *Service) QueryOffset(topic, key string, maxNum int, begin, end int64) QueryResult {
	maxNum = min(maxNum, s.cfg.MaxMsgsNumBatch)
	var res QueryResult
	s.mu.RLock()
	files := append([]*File(nil), s.files...)
	s.mu.RUnlock()
	k := BuildKey(topic, key)
	for i := len(files) - 1; i >= 0; i-- {
		f := files[i]
		h := f.Header()
		if i == len(files)-1 {
			res.IndexLastUpdateTimestamp, res.IndexLastUpdatePhyOffset = h.EndTimestamp, h.EndPhyOffset
		}
		if f.TimeMatched(begin, end) {
			res.PhyOffsets = f.SelectPhyOffsets(res.PhyOffsets, k, maxNum, begin, end)
		}
		if h.BeginTimestamp < begin || len(res.PhyOffsets) >= maxNum {
			break
		}
	}
	return res
}

// Files returns a snapshot of the open files, oldest first.
func (s *Service) Files() []*File {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*File(nil), s.files...)
}

// DeleteBefore deletes files (never the last) whose endPhyOffset < phyMin (retention).
func (s *Service) DeleteBefore(phyMin int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := s.files[:0:0]
	var firstErr error
	for i, f := range s.files {
		if i < len(s.files)-1 && f.Header().EndPhyOffset < phyMin {
			if err := f.Destroy(); err != nil && firstErr == nil {
				firstErr = err
			}
			continue
		}
		keep = append(keep, f)
	}
	s.files = keep
	return firstErr
}

// Flush msyncs every file (shutdown; Java only forces full files, flushing more is harmless).
func (s *Service) Flush() error {
	var firstErr error
	for _, f := range s.Files() {
		if err := f.Flush(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// Close unmaps every file.
func (s *Service) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		f.Close()
	}
	s.files = nil
}

// DestroyAll deletes every index file.
func (s *Service) DestroyAll() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var firstErr error
	for _, f := range s.files {
		if err := f.Destroy(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	s.files = nil
	return firstErr
}
