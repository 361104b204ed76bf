package acl

// admin.go: the ACL admin requests (UPDATE_AND_CREATE_ACL_CONFIG 50, DELETE_ACL_CONFIG 51,
// GET_BROKER_CLUSTER_ACL_INFO 52, UPDATE_GLOBAL_WHITE_ADDRS_CONFIG 53) as Java's PlainPermissionManager
// performs them: read the file as an ordered document, change it, bump its dataVersion, write it back in
// snakeyaml's layout (yamlfile.go), then apply it at once (the file watcher would within 5 s anyway).

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	jsoniter "github.com/json-iterator/go"

	"github.com/rocketd/rocketd/compat"
)

// AccountUpdate is an UPDATE_AND_CREATE_ACL_CONFIG request. Nil pointers and nil slices are fields the
// request did not carry (Java null), which leave the stored value alone.
type AccountUpdate struct {
	AccessKey          *string
	SecretKey          *string
	WhiteRemoteAddress *string
	Admin              bool
	DefaultTopicPerm   *string
	DefaultGroupPerm   *string
	TopicPerms         []string
	GroupPerms         []string
}

// JavaSplit is Java's String.split(sep) for a one-character literal: trailing empty strings removed, but
// "" gives [""]. UtilAll.split returns nil for a null string; callers pass ok=false for that.
func JavaSplit(s string, ok bool, sep string) []string {
	if !ok {
		return nil
	}
	parts := strings.Split(s, sep)
	if s == "" {
		return parts
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func javaStr(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

// readDoc reads an ACL file as an ordered map; nil when missing or empty (Java: null).
func readDoc(path string) (*ymap, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	doc, err := parseDoc(data)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, nil
	}
	m, ok := doc.(*ymap)
	if !ok {
		return nil, fmt.Errorf("%s: the document is not a mapping", path)
	}
	return m, nil
}

// bumpVersion is updateAclConfigFileVersion: counter+1 and the current time, written as the first element.
func bumpVersion(m *ymap) {
	var counter int64
	if l, ok := m.vals["dataVersion"].([]any); ok && len(l) > 0 {
		if dv, ok := l[0].(*ymap); ok {
			switch c := dv.vals["counter"].(type) {
			case int64:
				counter = c
			case string:
				fmt.Sscan(c, &counter)
			}
		}
	}
	dv := newYmap(false)
	dv.put("counter", counter+1)
	dv.put("timestamp", time.Now().UnixMilli())
	m.put("dataVersion", []any{dv})
}

// writeDoc writes m (with a new dataVersion) to path, atomically, and reloads.
func (v *Validator) writeDoc(path string, m *ymap) error {
	bumpVersion(m)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, dump(m), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	s, err := load(v.dir, v.defaultFile)
	if err != nil {
		v.log.Warn("acl file written but cannot be applied; the previous rules stay in force", "file", path, "err", err)
		return nil
	}
	// Java's admin requests keep its key table exact: only keys already orphaned by an edit stay orphaned.
	keepGhosts(&snapshot{ghosts: v.cur.Load().ghosts}, s)
	v.cur.Store(s)
	return nil
}

func strList(items []string) []any {
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out
}

// accountMap is createAclAccessConfigMap: the account's fields put into m (a new map when nil).
func accountMap(m *ymap, u AccountUpdate) (*ymap, error) {
	if m == nil {
		m = newYmap(false)
	}
	if u.AccessKey == nil || len(*u.AccessKey) <= 6 {
		return nil, fmt.Errorf("The accessKey=%s cannot be null and length should longer than 6", javaStr(u.AccessKey))
	}
	m.put("accessKey", *u.AccessKey)
	if u.SecretKey != nil && *u.SecretKey != "" {
		m.put("secretKey", *u.SecretKey)
	}
	if u.WhiteRemoteAddress != nil {
		m.put("whiteRemoteAddress", *u.WhiteRemoteAddress)
	}
	m.put("admin", u.Admin)
	if u.DefaultTopicPerm != nil && *u.DefaultTopicPerm != "" {
		m.put("defaultTopicPerm", *u.DefaultTopicPerm)
	}
	if u.DefaultGroupPerm != nil && *u.DefaultGroupPerm != "" {
		m.put("defaultGroupPerm", *u.DefaultGroupPerm)
	}
	if u.TopicPerms != nil {
		m.put("topicPerms", strList(u.TopicPerms))
	}
	if u.GroupPerms != nil {
		m.put("groupPerms", strList(u.GroupPerms))
	}
	return m, nil
}

// UpdateAccount creates or updates an account (updateAccessConfig). The error text is Java's remark.
func (v *Validator) UpdateAccount(u AccountUpdate) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if u.AccessKey == nil || u.SecretKey == nil || len(*u.AccessKey) <= 6 || len(*u.SecretKey) <= 6 {
		return fmt.Errorf("The accessKey=%s and secretKey=%s cannot be null and length should longer than 6",
			javaStr(u.AccessKey), javaStr(u.SecretKey))
	}
	if err := checkResourcePerms(u.TopicPerms); err != nil {
		return err
	}
	if err := checkResourcePerms(u.GroupPerms); err != nil {
		return err
	}
	s := v.cur.Load()
	if file, ok := s.ghosts[*u.AccessKey]; ok {
		// Java finds the key in its table but not in the file: it writes the file back unchanged but for a
		// new dataVersion, and the account stays absent.
		doc, err := readDoc(file)
		if err != nil {
			return err
		}
		if doc == nil {
			return errors.New("")
		}
		return v.writeDoc(file, doc)
	}
	if file, ok := s.keyFile[*u.AccessKey]; ok {
		doc, err := readDoc(file)
		if err != nil {
			return err
		}
		if doc == nil {
			return errors.New("") // Java: NullPointerException (no message)
		}
		accounts, ok := doc.vals["accounts"].([]any)
		if ok {
			for i, a := range accounts {
				am, _ := a.(*ymap)
				if am != nil && am.vals["accessKey"] == *u.AccessKey {
					updated, err := accountMap(am, u)
					if err != nil {
						return err
					}
					accounts = append(append(accounts[:i:i], accounts[i+1:]...), updated)
					doc.put("accounts", accounts)
					break
				}
			}
		} else {
			am, err := accountMap(nil, u)
			if err != nil {
				return err
			}
			doc.put("accounts", []any{am})
		}
		return v.writeDoc(file, doc)
	}
	doc, err := readDoc(v.defaultFile)
	if err != nil {
		return err
	}
	if doc == nil {
		doc = newYmap(true) // Java: new HashMap with "accounts"
		doc.put("accounts", []any{})
	}
	accounts, _ := doc.vals["accounts"].([]any)
	am, err := accountMap(nil, u)
	if err != nil {
		return err
	}
	doc.put("accounts", append(accounts, am))
	return v.writeDoc(v.defaultFile, doc)
}

// DeleteAccount removes an account (deleteAccessConfig): false when the key is unknown or empty.
func (v *Validator) DeleteAccount(ak string) (bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if ak == "" {
		return false, nil
	}
	file, ok := v.cur.Load().keyFile[ak]
	if !ok {
		return false, nil
	}
	doc, err := readDoc(file)
	if err != nil {
		return false, err
	}
	if doc == nil || len(doc.keys) == 0 {
		return true, nil
	}
	accounts, ok := doc.vals["accounts"].([]any)
	if !ok {
		return false, errors.New("") // Java: NullPointerException
	}
	for i, a := range accounts {
		if am, _ := a.(*ymap); am != nil && am.vals["accessKey"] == ak {
			doc.put("accounts", append(accounts[:i:i], accounts[i+1:]...))
			return true, v.writeDoc(file, doc)
		}
	}
	return false, nil
}

// UpdateGlobalWhiteAddrs replaces globalWhiteRemoteAddresses in file ("" = the default file); false when
// the file is missing, a directory, outside ROCKETMQ_HOME or named *.yaml (Java's check, as it is).
func (v *Validator) UpdateGlobalWhiteAddrs(addrs []string, file string) (bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if file == "" {
		file = v.defaultFile
	}
	if addrs == nil {
		return false, nil
	}
	st, err := os.Stat(file)
	if err != nil || st.IsDir() {
		return false, nil
	}
	if !strings.HasPrefix(file, v.home) {
		return false, nil
	}
	if !strings.HasSuffix(file, ".yml") && strings.HasSuffix(file, ".yaml") {
		return false, nil
	}
	doc, err := readDoc(file)
	if err != nil {
		return false, err
	}
	if doc == nil {
		doc = newYmap(true)
	}
	doc.put("globalWhiteRemoteAddresses", strList(addrs))
	return true, v.writeDoc(file, doc)
}

// dataVersionJSON is DataVersion as fastjson writes it.
type dataVersionJSON struct {
	Counter   int64 `json:"counter"`
	Timestamp int64 `json:"timestamp"`
}

// Versions is GET_BROKER_CLUSTER_ACL_INFO's version (the default file's dataVersion) and allAclFileVersion
// (every file's, by path, in Java's HashMap order) as fastjson writes them.
func (v *Validator) Versions() (version, all string) {
	s := v.cur.Load()
	dv := func(f string) dataVersionJSON {
		d, ok := s.versions[f]
		if !ok || (d.Counter == 0 && d.Timestamp == 0) {
			return dataVersionJSON{Timestamp: s.loadedAt}
		}
		return dataVersionJSON{Counter: d.Counter, Timestamp: d.Timestamp}
	}
	def := dataVersionJSON{Timestamp: v.startedAt}
	if _, ok := s.versions[v.defaultFile]; ok {
		def = dv(v.defaultFile)
	}
	b, _ := jsoniter.Marshal(def)
	version = string(b)
	files := make([]string, 0, len(s.versions))
	for f := range s.versions {
		files = append(files, f)
	}
	compat.JavaHashMapOrder(files, 0)
	var sb strings.Builder
	sb.WriteByte('{')
	for i, f := range files {
		if i > 0 {
			sb.WriteByte(',')
		}
		k, _ := jsoniter.Marshal(f)
		val, _ := jsoniter.Marshal(dv(f))
		sb.Write(k)
		sb.WriteByte(':')
		sb.Write(val)
	}
	sb.WriteByte('}')
	return version, sb.String()
}
