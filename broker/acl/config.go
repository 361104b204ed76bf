package acl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// AccountConfig is one entry of "accounts" (Java's PlainAccessConfig).
type AccountConfig struct {
	AccessKey          string   `yaml:"accessKey" json:"accessKey"`
	SecretKey          string   `yaml:"secretKey" json:"secretKey"`
	WhiteRemoteAddress string   `yaml:"whiteRemoteAddress" json:"whiteRemoteAddress"`
	Admin              bool     `yaml:"admin" json:"admin"`
	DefaultTopicPerm   string   `yaml:"defaultTopicPerm" json:"defaultTopicPerm"`
	DefaultGroupPerm   string   `yaml:"defaultGroupPerm" json:"defaultGroupPerm"`
	TopicPerms         []string `yaml:"topicPerms" json:"topicPerms"`
	GroupPerms         []string `yaml:"groupPerms" json:"groupPerms"`
}

// DataVersion is the "dataVersion" element the admin requests maintain.
type DataVersion struct {
	Timestamp int64 `yaml:"timestamp" json:"timestamp"`
	Counter   int64 `yaml:"counter" json:"counter"`
}

// FileConfig is one ACL file.
type FileConfig struct {
	GlobalWhiteRemoteAddresses []string        `yaml:"globalWhiteRemoteAddresses"`
	Accounts                   []AccountConfig `yaml:"accounts"`
	DataVersion                []DataVersion   `yaml:"dataVersion"`
}

// ParseFile decodes one ACL file. Empty input is an empty config.
func ParseFile(data []byte) (*FileConfig, error) {
	var fc FileConfig
	if err := yaml.Unmarshal(data, &fc); err != nil {
		return nil, err
	}
	return &fc, nil
}

// account is an AccountConfig compiled for checking (Java's PlainAccessResource).
type account struct {
	accessKey string
	secretKey string
	admin     bool
	white     matcher
	defTopic  byte
	defGroup  byte
	perms     map[string]byte // nil when the account lists no topicPerms nor groupPerms
}

// compileAccount is Java's buildPlainAccessResource. Errors never contain the secret key.
func compileAccount(c AccountConfig) (*account, error) {
	if len(c.AccessKey) <= 6 || len(c.SecretKey) <= 6 {
		return nil, fmt.Errorf("account accessKey=%s: accessKey and secretKey must both be longer than 6 characters", c.AccessKey)
	}
	a := &account{
		accessKey: c.AccessKey,
		secretKey: c.SecretKey,
		admin:     c.Admin,
		defTopic:  parsePerm(c.DefaultTopicPerm, c.DefaultTopicPerm != ""),
		defGroup:  parsePerm(c.DefaultGroupPerm, c.DefaultGroupPerm != ""),
	}
	if len(c.TopicPerms)+len(c.GroupPerms) > 0 {
		a.perms = map[string]byte{}
		if err := parseResourcePerms(a.perms, false, c.GroupPerms); err != nil {
			return nil, fmt.Errorf("account accessKey=%s: %w", c.AccessKey, err)
		}
		if err := parseResourcePerms(a.perms, true, c.TopicPerms); err != nil {
			return nil, fmt.Errorf("account accessKey=%s: %w", c.AccessKey, err)
		}
		if len(a.perms) == 0 {
			a.perms = nil
		}
	}
	var err error
	if a.white, err = compileAddr(c.WhiteRemoteAddress); err != nil {
		return nil, fmt.Errorf("account accessKey=%s: whiteRemoteAddress: %w", c.AccessKey, err)
	}
	return a, nil
}

// snapshot is everything the files said at one load; it is replaced whole on reload.
type snapshot struct {
	global []matcher
	// globalOf and empty record, per file, its global white list and whether it held no data: Java's
	// per-file reload skips a file that became empty, keeping what it said before.
	globalOf map[string][]matcher
	empty    map[string]bool
	accounts map[string]*account
	keyFile  map[string]string // access key -> file defining it
	// ghosts are access keys removed from a file by an edit: Java's per-file reload leaves them in its key
	// table, so they are refused with "No PlainAccessResource" until the number of files changes.
	ghosts   map[string]string
	files    []string
	versions map[string]DataVersion
	mtimes   map[string]int64
	loadedAt int64 // ms; Java's DataVersion of a file without one carries its load time
}

// listFiles is the files Java reads: every *.yml / *.yaml under dir (recursively, sorted), then the default
// file if it exists and is not already listed.
func listFiles(dir, defaultFile string) []string {
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	if _, err := os.Stat(defaultFile); err == nil && !slices.Contains(files, defaultFile) {
		files = append(files, defaultFile)
	}
	return files
}

// load reads every file into a new snapshot. An access key defined twice counts in its first file.
func load(dir, defaultFile string) (*snapshot, error) {
	s := &snapshot{accounts: map[string]*account{}, keyFile: map[string]string{},
		versions: map[string]DataVersion{}, mtimes: map[string]int64{}, loadedAt: time.Now().UnixMilli(),
		globalOf: map[string][]matcher{}, empty: map[string]bool{}}
	s.files = listFiles(dir, defaultFile)
	var errs []error
	for _, f := range s.files {
		if st, err := os.Stat(f); err == nil {
			s.mtimes[f] = st.ModTime().UnixNano()
		}
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("acl file %s: %w", f, err))
			continue
		}
		fc, err := ParseFile(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("acl file %s: %w", f, err))
			continue
		}
		for _, g := range fc.GlobalWhiteRemoteAddresses {
			m, err := compileAddr(g)
			if err != nil {
				errs = append(errs, fmt.Errorf("acl file %s: globalWhiteRemoteAddresses: %w", f, err))
				continue
			}
			s.global = append(s.global, m)
			s.globalOf[f] = append(s.globalOf[f], m)
		}
		for _, ac := range fc.Accounts {
			a, err := compileAccount(ac)
			if err != nil {
				errs = append(errs, fmt.Errorf("acl file %s: %w", f, err))
				continue
			}
			if _, dup := s.accounts[a.accessKey]; !dup {
				s.accounts[a.accessKey] = a
				s.keyFile[a.accessKey] = f
			}
		}
		if fc.GlobalWhiteRemoteAddresses == nil && fc.Accounts == nil && fc.DataVersion == nil {
			s.empty[f] = true
			continue // Java skips an empty file, dataVersion included
		}
		var dv DataVersion
		if len(fc.DataVersion) > 0 {
			dv = fc.DataVersion[0]
		}
		s.versions[f] = dv
	}
	return s, errors.Join(errs...)
}

// keepEmptied carries into s what old had from each file that is now empty: Java's per-file reload skips an
// empty file, so its accounts and white list stay in force until the number of files changes.
func keepEmptied(old, s *snapshot) {
	for f := range s.empty {
		if old.empty[f] {
			continue
		}
		for ak, kf := range old.keyFile {
			if _, taken := s.keyFile[ak]; kf == f && !taken {
				s.keyFile[ak] = f
				s.accounts[ak] = old.accounts[ak]
			}
		}
		for ak, gf := range old.ghosts {
			if gf == f {
				if s.ghosts == nil {
					s.ghosts = map[string]string{}
				}
				s.ghosts[ak] = f
			}
		}
		s.globalOf[f] = old.globalOf[f]
		s.global = append(s.global, old.globalOf[f]...)
		if dv, ok := old.versions[f]; ok {
			s.versions[f] = dv
		}
		s.empty[f] = old.empty[f]
	}
}
