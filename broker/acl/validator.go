package acl

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketd/rocketd/broker/client"
	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// DefaultFile is the default ACL file relative to ROCKETMQ_HOME (Java's default for rocketmq.acl.plain.file).
const DefaultFile = "conf/plain_acl.yml"

// FileEnv names the environment variable that replaces DefaultFile (a path relative to ROCKETMQ_HOME, as
// Java's system property rocketmq.acl.plain.file).
const FileEnv = "ROCKETMQ_ACL_PLAIN_FILE"

// WatchInterval is how often the files are polled (Java's AclFileWatchService: 5 s).
const WatchInterval = 5 * time.Second

// Options configure a Validator.
type Options struct {
	// Home is ROCKETMQ_HOME; required.
	Home string
	// File is the default file relative to Home; "" means $ROCKETMQ_ACL_PLAIN_FILE or DefaultFile.
	File string
	// Interval overrides WatchInterval (tests).
	Interval time.Duration
	Logger   *slog.Logger
}

// Validator checks requests against the ACL files and reloads them when they change.
type Validator struct {
	home, dir, defaultFile string
	log                    *slog.Logger
	cur                    atomic.Pointer[snapshot]
	mu                     sync.Mutex // serialises reloads and admin writes
	stop                   chan struct{}
	done                   chan struct{}
	closeOnce              sync.Once
	startedAt              int64 // ms
}

// Open loads the files (creating an empty default file when missing, as Java does) and starts watching them.
// A file that cannot be read or holds an invalid account is an error: the broker must not start with an
// ACL it cannot apply.
func Open(o Options) (*Validator, error) {
	if o.Home == "" {
		return nil, errors.New("acl: aclEnable=true needs ROCKETMQ_HOME (the ACL file is $ROCKETMQ_HOME/" + DefaultFile + "); set the ROCKETMQ_HOME environment variable or rocketmqHome in broker.conf")
	}
	file := o.File
	if file == "" {
		file = os.Getenv(FileEnv)
	}
	if file == "" {
		file = DefaultFile
	}
	v := &Validator{
		home:        filepath.Clean(o.Home),
		dir:         filepath.Join(o.Home, "conf", "acl"),
		defaultFile: filepath.Join(o.Home, file),
		log:         o.Logger,
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
		startedAt:   time.Now().UnixMilli(),
	}
	if v.log == nil {
		v.log = slog.Default()
	}
	v.log = v.log.With("component", "acl")
	if _, err := os.Stat(v.defaultFile); errors.Is(err, os.ErrNotExist) {
		f, err := os.OpenFile(v.defaultFile, os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("acl: create %s: %w (create the directory or point ROCKETMQ_HOME elsewhere)", v.defaultFile, err)
		}
		_ = f.Close()
	}
	s, err := load(v.dir, v.defaultFile)
	if err != nil {
		return nil, fmt.Errorf("acl: %w; fix the file and start again", err)
	}
	v.cur.Store(s)
	v.log.Info("acl loaded", "files", s.files, "accounts", len(s.accounts), "globalWhiteRemoteAddresses", len(s.global))
	interval := o.Interval
	if interval <= 0 {
		interval = WatchInterval
	}
	go v.watch(interval)
	return v, nil
}

// Close stops watching the files.
func (v *Validator) Close() {
	v.closeOnce.Do(func() { close(v.stop); <-v.done })
}

// DefaultFilePath is the absolute path of the default ACL file.
func (v *Validator) DefaultFilePath() string { return v.defaultFile }

func (v *Validator) watch(interval time.Duration) {
	defer close(v.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-v.stop:
			return
		case <-t.C:
			v.reloadIfChanged()
		}
	}
}

// reloadIfChanged reloads every file when the set of files or a modification time changed. A reload that
// fails keeps the previous rules.
func (v *Validator) reloadIfChanged() {
	v.mu.Lock()
	defer v.mu.Unlock()
	old := v.cur.Load()
	files := listFiles(v.dir, v.defaultFile)
	changed := len(files) != len(old.files)
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.ModTime().UnixNano() != old.mtimes[f] {
			changed = true
		}
	}
	if !changed {
		return
	}
	s, err := load(v.dir, v.defaultFile)
	if err != nil {
		// Remember the times so a broken file is reported once, not every poll.
		old.files, old.mtimes = s.files, s.mtimes
		v.log.Warn("acl files changed but cannot be applied; the previous rules stay in force", "err", err)
		return
	}
	if len(files) == len(old.files) {
		keepGhosts(old, s)
		keepEmptied(old, s)
	}
	v.cur.Store(s)
	v.log.Info("acl reloaded", "files", s.files, "accounts", len(s.accounts), "globalWhiteRemoteAddresses", len(s.global))
}

// keepGhosts carries into s the access keys an edit removed from a file that still exists (Java reloads only
// the changed file and keeps such keys in its table; a change in the number of files reloads everything).
func keepGhosts(old, s *snapshot) {
	add := func(ak, f string) {
		if _, ok := s.keyFile[ak]; ok || !slices.Contains(s.files, f) {
			return
		}
		if s.ghosts == nil {
			s.ghosts = map[string]string{}
		}
		s.ghosts[ak] = f
	}
	for ak, f := range old.keyFile {
		add(ak, f)
	}
	for ak, f := range old.ghosts {
		add(ak, f)
	}
}

// Denied is an ACL refusal; Error is the remark Java puts in its SYSTEM_ERROR response.
type Denied struct {
	Msg   string // the AclException message ("" for none)
	Frame string // the first stack frame Java prints
}

func (d *Denied) Error() string {
	s := "org.apache.rocketmq.acl.common.AclException"
	if d.Msg != "" {
		s += ": " + d.Msg
	}
	return s + ", " + d.Frame
}

// Java 4.9.8 stack frames of the throws (their source lines), part of the remark clients see.
const (
	frameParse          = "org.apache.rocketmq.acl.plain.PlainAccessValidator.parse(PlainAccessValidator.java:134)"
	frameNoAccessKey    = "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:664)"
	frameNoAccount      = "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:668)"
	frameNoResource     = "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:675)"
	frameSignature      = "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:684)"
	frameAdmin          = "org.apache.rocketmq.acl.plain.PlainPermissionManager.checkPerm(PlainPermissionManager.java:581)"
	frameDefaultPerm    = "org.apache.rocketmq.acl.plain.PlainPermissionManager.checkPerm(PlainPermissionManager.java:606)"
	frameResourcePerm   = "org.apache.rocketmq.acl.plain.PlainPermissionManager.checkPerm(PlainPermissionManager.java:611)"
	noDefaultPermFormat = "No default permission for %s"
)

// needs is the resources a request needs, in Java's HashMap iteration order.
type needs struct {
	keys  []string
	perms map[string]byte
}

func (n *needs) add(res string, ok bool, perm byte) {
	if !ok {
		return // Java skips a null resource
	}
	if n.perms == nil {
		n.perms = map[string]byte{}
	}
	if _, seen := n.perms[res]; !seen {
		n.keys = append(n.keys, res)
	}
	n.perms[res] = perm
}

func retryOf(group string, ok bool) (string, bool) { return retryPrefix + group, ok }

// required fails like Java's decodeCommandCustomHeader for a missing @CFNotNull field.
func required(ext map[string]string, names ...string) error {
	for _, n := range names {
		if _, ok := ext[n]; !ok {
			return fmt.Errorf("the custom field <%s> is null", n)
		}
	}
	return nil
}

// resources is PlainAccessValidator.parse's table of what each request code needs.
func resources(req *remoting.Command) (*needs, error) {
	n := &needs{}
	ext := req.ExtFields
	get := func(k string) (string, bool) { v, ok := ext[k]; return v, ok }
	switch req.Code {
	case code.SendMessage, code.SendMessageV2:
		tk, gk := "topic", "group"
		if req.Code == code.SendMessageV2 {
			tk, gk = "b", "a"
		}
		if t, ok := get(tk); ok && strings.HasPrefix(t, retryPrefix) {
			g, gok := get(gk)
			r, rok := retryOf(g, gok)
			n.add(r, rok, permSub)
		} else {
			n.add(t, ok, permPub)
		}
	case code.ConsumerSendMsgBack:
		g, ok := get("group")
		r, rok := retryOf(g, ok)
		n.add(r, rok, permSub)
	case code.PullMessage:
		t, ok := get("topic")
		n.add(t, ok, permSub)
		g, gok := get("consumerGroup")
		r, rok := retryOf(g, gok)
		n.add(r, rok, permSub)
	case code.QueryMessage:
		t, ok := get("topic")
		n.add(t, ok, permSub)
	case code.HeartBeat:
		if len(req.Body) == 0 {
			return nil, &Denied{Frame: frameParse} // Java: NullPointerException, no message
		}
		hb, err := client.ParseHeartbeat(req.Body)
		if err != nil {
			return nil, &Denied{Msg: err.Error(), Frame: frameParse}
		}
		for _, cd := range hb.ConsumerDataSet {
			n.add(retryPrefix+cd.GroupName, true, permSub)
			for _, sd := range cd.SubscriptionDataSet {
				n.add(sd.Topic, true, permSub)
			}
		}
	case code.UnregisterClient:
		if err := required(ext, "clientID"); err != nil {
			return nil, &Denied{Msg: err.Error(), Frame: frameParse}
		}
		g, ok := get("consumerGroup")
		r, rok := retryOf(g, ok)
		n.add(r, rok, permSub)
	case code.GetConsumerListByGroup:
		if err := required(ext, "consumerGroup"); err != nil {
			return nil, &Denied{Msg: err.Error(), Frame: frameParse}
		}
		n.add(retryPrefix+ext["consumerGroup"], true, permSub)
	case code.UpdateConsumerOffset:
		if err := required(ext, "consumerGroup", "topic", "queueId", "commitOffset"); err != nil {
			return nil, &Denied{Msg: err.Error(), Frame: frameParse}
		}
		n.add(retryPrefix+ext["consumerGroup"], true, permSub)
		n.add(ext["topic"], true, permSub)
	}
	compat.JavaHashMapOrder(n.keys, 0)
	return n, nil
}

// Check decides one request from remoteAddr ("ip:port") as Java's PlainAccessValidator does. nil allows it;
// otherwise the error is a *Denied whose text is the remark of Java's SYSTEM_ERROR response.
func (v *Validator) Check(remoteAddr string, req *remoting.Command) error {
	ip := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		ip = h
	}
	var need *needs
	if req.ExtFields != nil {
		var err error
		if need, err = resources(req); err != nil {
			return err
		}
	} else {
		need = &needs{}
	}
	s := v.cur.Load()
	for _, g := range s.global {
		if g.match(ip) {
			return nil
		}
	}
	ak, ok := req.ExtFields[accessKeyField]
	if !ok {
		return &Denied{Msg: "No accessKey is configured", Frame: frameNoAccessKey}
	}
	acct := s.accounts[ak]
	if acct == nil {
		if _, ghost := s.ghosts[ak]; ghost {
			return &Denied{Msg: "No PlainAccessResource for accessKey=" + ak, Frame: frameNoResource}
		}
		return &Denied{Msg: "No acl config for " + ak, Frame: frameNoAccount}
	}
	if acct.white.match(ip) {
		return nil
	}
	if !signatureOK(Content(req.ExtFields, req.Body), acct.secretKey, req.ExtFields[signatureField]) {
		return &Denied{Msg: "Check signature failed for accessKey=" + ak, Frame: frameSignature}
	}
	if p, ok := need.perms[traceTopic]; ok && p == permPub {
		return nil
	}
	if adminCodes[req.Code] && !acct.admin {
		return &Denied{Msg: "Need admin permission for request code=" + strconv.Itoa(int(req.Code)) + ", but accessKey=" + ak + " is not", Frame: frameAdmin}
	}
	if len(need.keys) == 0 {
		return nil
	}
	if acct.perms == nil && acct.admin {
		return nil
	}
	for _, res := range need.keys {
		isGroup := strings.HasPrefix(res, retryPrefix)
		owned, has := acct.perms[res]
		if !has {
			owned = acct.defTopic
			if isGroup {
				owned = acct.defGroup
			}
			if !checkPerm(need.perms[res], owned) {
				return &Denied{Msg: fmt.Sprintf(noDefaultPermFormat, printRes(res, isGroup)), Frame: frameDefaultPerm}
			}
			continue
		}
		if !checkPerm(need.perms[res], owned) {
			return &Denied{Msg: fmt.Sprintf(noDefaultPermFormat, printRes(res, isGroup)), Frame: frameResourcePerm}
		}
	}
	return nil
}
