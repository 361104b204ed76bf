package broker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/broker/acl"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/namesrv"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// The accounts of the ACL tests: the judge's file (compat/java/conf/acl/plain_acl.yml), which the Java
// reference answers the same cases with (make acl-judge).
const aclJudgeFile = "../compat/java/conf/acl/plain_acl.yml"

const aclEx = "org.apache.rocketmq.acl.common.AclException: "

type aclCluster struct {
	ns, broker string
	file       string
	raw        *remoting.Client
}

// envACLRef names a ref.env file (compat/java/acl.sh writes one): the Go-client ACL tests then run against that
// Java 4.9.8 broker, started with aclJudgeFile, instead of an in-process rocketd.
const envACLRef = "ROCKETD_ACL_REF_ENV"

// startACLCluster runs a name server and a broker with aclEnable=true, the ACL file polled every 50 ms (or uses
// the Java reference named by ROCKETD_ACL_REF_ENV; c.file is then empty).
func startACLCluster(t *testing.T, aclYAML []byte) *aclCluster {
	t.Helper()
	if env := os.Getenv(envACLRef); env != "" {
		data, err := os.ReadFile(env)
		require.NoError(t, err)
		c := &aclCluster{raw: &remoting.Client{}}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "REF_NAMESRV_ADDR="); ok {
				c.ns = v
			}
			if v, ok := strings.CutPrefix(line, "REF_BROKER_ADDR="); ok {
				c.broker = v
			}
		}
		require.NotEmpty(t, c.ns, env)
		require.NotEmpty(t, c.broker, env)
		t.Cleanup(func() { _ = c.raw.Close() })
		c.createTopics(t)
		return c
	}
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	nc := conf.DefaultNamesrv()
	nc.Namesrv.KvConfigPath = filepath.Join(dir, "namesrv", "kvConfig.json")
	ns, err := namesrv.New(nc, log)
	require.NoError(t, err)
	require.NoError(t, ns.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = ns.Close() })

	home := filepath.Join(dir, "home")
	require.NoError(t, os.MkdirAll(filepath.Join(home, "conf"), 0o755))
	file := filepath.Join(home, "conf", "plain_acl.yml")
	require.NoError(t, os.WriteFile(file, aclYAML, 0o644))

	cfg := conf.DefaultBroker()
	cfg.Broker.NamesrvAddr = ns.Addr()
	cfg.Broker.BrokerIP1 = "127.0.0.1"
	cfg.Broker.BrokerName = "broker-acl"
	cfg.Broker.ACLEnable = true
	cfg.Broker.RocketmqHome = home
	cfg.Broker.WaitTimeMillsInSendQueue = 5000
	cfg.Store.StorePathRootDir = filepath.Join(dir, "store")
	cfg.Store.MappedFileSizeCommitLog = 16 << 20
	b, err := New(cfg, log, Options{ListenAddr: "127.0.0.1:0", RegisterPeriod: time.Second, ACLWatchInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, b.Start())
	c := &aclCluster{ns: ns.Addr(), broker: b.Addr().String(), file: file, raw: &remoting.Client{Logger: log}}
	t.Cleanup(func() {
		_ = c.raw.Close()
		require.NoError(t, b.Close())
	})
	c.createTopics(t)
	return c
}

func (c *aclCluster) createTopics(t *testing.T) {
	t.Helper()
	for _, topic := range []string{"aclTopicPub", "aclTopicSub", "aclTopicBoth", "aclTopicOther"} {
		resp := c.call(t, c.signed(code.UpdateAndCreateTopic, "adminuser", "adminsecret", map[string]string{"topic": topic,
			"defaultTopic": "TBW102", "readQueueNums": "2", "writeQueueNums": "2", "perm": "6",
			"topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false"}, nil))
		require.Equal(t, code.Success, resp.Code, resp.Remark)
	}
}

// signed signs a request the way AclClientRPCHook does.
func (c *aclCluster) signed(cd int32, ak, sk string, ext map[string]string, body []byte) *remoting.Command {
	e := map[string]string{"AccessKey": ak}
	for k, v := range ext {
		e[k] = v
	}
	e["Signature"] = acl.Sign(acl.Content(e, body), sk)
	return remoting.NewRequest(cd, e, body)
}

func (c *aclCluster) call(t *testing.T, req *remoting.Command) *remoting.Command {
	t.Helper()
	resp, err := c.raw.InvokeSync(context.Background(), c.broker, req, 10*time.Second)
	require.NoError(t, err)
	return resp
}

func (c *aclCluster) producer(t *testing.T, cred *primitive.Credentials) rocketmq.Producer {
	t.Helper()
	opts := []producer.Option{
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.ns})),
		producer.WithGroupName(fmt.Sprintf("aclPG_%d", time.Now().UnixNano())),
		// One client instance per producer: the Go client shares an instance (and its credentials) per name.
		producer.WithInstanceName(fmt.Sprintf("acl_%d", time.Now().UnixNano())),
		producer.WithRetry(0),
		producer.WithSendMsgTimeout(5 * time.Second),
	}
	if cred != nil {
		opts = append(opts, producer.WithCredentials(*cred))
	}
	p, err := producer.NewDefaultProducer(opts...)
	require.NoError(t, err)
	require.NoError(t, p.Start())
	t.Cleanup(func() { _ = p.Shutdown() })
	return p
}

func sendErr(p rocketmq.Producer, topic string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.SendSync(ctx, primitive.NewMessage(topic, []byte("acl")))
	if err == nil && res.Status != primitive.SendOK {
		return fmt.Errorf("status %v", res.Status)
	}
	return err
}

// goDenied is how the Go client v2.1.2 reports a SYSTEM_ERROR send answer.
func goDenied(remark string) string { return "CODE: 1, DESC: " + remark }

func TestACLWithGoClient(t *testing.T) {
	yml, err := os.ReadFile(aclJudgeFile)
	require.NoError(t, err)
	c := startACLCluster(t, yml)
	const validate = "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:"
	const checkPerm = "org.apache.rocketmq.acl.plain.PlainPermissionManager.checkPerm(PlainPermissionManager.java:"

	right := c.producer(t, &primitive.Credentials{AccessKey: "rocketmq2", SecretKey: "12345678"})
	require.NoError(t, sendErr(right, "aclTopicPub"), "right key passes")
	require.NoError(t, sendErr(right, "aclTopicBoth"))
	require.EqualError(t, sendErr(right, "aclTopicSub"),
		goDenied(aclEx+"No default permission for topic:aclTopicSub, "+checkPerm+"611)"), "topic without PUB")
	require.EqualError(t, sendErr(right, "aclTopicOther"),
		goDenied(aclEx+"No default permission for topic:aclTopicOther, "+checkPerm+"606)"), "default DENY")

	wrong := c.producer(t, &primitive.Credentials{AccessKey: "rocketmq2", SecretKey: "wrongsecret"})
	require.EqualError(t, sendErr(wrong, "aclTopicPub"),
		goDenied(aclEx+"Check signature failed for accessKey=rocketmq2, "+validate+"684)"), "wrong secret")

	unknown := c.producer(t, &primitive.Credentials{AccessKey: "nobody1234", SecretKey: "12345678"})
	require.EqualError(t, sendErr(unknown, "aclTopicPub"),
		goDenied(aclEx+"No acl config for nobody1234, "+validate+"668)"), "unknown key")

	none := c.producer(t, nil)
	require.EqualError(t, sendErr(none, "aclTopicPub"),
		goDenied(aclEx+"No accessKey is configured, "+validate+"664)"), "no credentials")

	notOurs := c.producer(t, &primitive.Credentials{AccessKey: "whiteuser1", SecretKey: "wrongsecret"})
	require.EqualError(t, sendErr(notOurs, "aclTopicPub"),
		goDenied(aclEx+"Check signature failed for accessKey=whiteuser1, "+validate+"684)"), "white list of another network")

	// Missing signature, admin code from a non-admin and group without SUB, on one connection that stays usable.
	noSig := remoting.NewRequest(code.SendMessageV2, map[string]string{"AccessKey": "rocketmq2", "a": "g", "b": "aclTopicPub"}, []byte("x"))
	resp := c.call(t, noSig)
	require.Equal(t, code.SystemError, resp.Code)
	require.Equal(t, aclEx+"Check signature failed for accessKey=rocketmq2, "+validate+"684)", resp.Remark)
	resp = c.call(t, c.signed(code.UpdateAndCreateTopic, "rocketmq2", "12345678", map[string]string{"topic": "x"}, nil))
	require.Equal(t, code.SystemError, resp.Code)
	require.Equal(t, aclEx+"Need admin permission for request code=17, but accessKey=rocketmq2 is not, "+checkPerm+"581)", resp.Remark)
	resp = c.call(t, c.signed(code.PullMessage, "rocketmq2", "12345678", pullExt("aclGroupDeny", "aclTopicSub", 0, 0, 0, 0), nil))
	require.Equal(t, code.SystemError, resp.Code)
	require.Equal(t, aclEx+"No default permission for group:aclGroupDeny, "+checkPerm+"611)", resp.Remark)
	resp = c.call(t, c.signed(code.GetBrokerRuntimeInfo, "rocketmq2", "12345678", nil, nil))
	require.Equal(t, code.Success, resp.Code, "the connection is still usable")

	// A Go push consumer with credentials receives what the right key sent (heartbeat, pull, offsets signed).
	// The Go client v2.1.2 races with itself in its push consumer (rebalance vs route refresh), so this part runs
	// only without -race: `make acl-judge` runs the test that way against rocketd and against Java.
	if raceEnabled {
		t.Log("push consumer part skipped under -race (the Go client's own data races); make acl-judge runs it")
		return
	}
	var got atomic.Int32
	pc, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.ns})),
		consumer.WithGroupName("aclGroupOk"),
		consumer.WithInstance(fmt.Sprintf("acl_%d", time.Now().UnixNano())),
		consumer.WithCredentials(primitive.Credentials{AccessKey: "rocketmq2", SecretKey: "12345678"}),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	require.NoError(t, err)
	require.NoError(t, pc.Subscribe("aclTopicBoth", consumer.MessageSelector{}, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for _, m := range msgs {
			if string(m.Body) == "acl" {
				got.Add(1)
			}
		}
		return consumer.ConsumeSuccess, nil
	}))
	require.NoError(t, pc.Start())
	defer func() { _ = pc.Shutdown() }()
	require.Eventually(t, func() bool { return got.Load() >= 1 }, 60*time.Second, 50*time.Millisecond, "the consumer received the message")
}

func TestACLHotReloadWhileClientRuns(t *testing.T) {
	yml, err := os.ReadFile(aclJudgeFile)
	require.NoError(t, err)
	c := startACLCluster(t, yml)
	if c.file == "" {
		t.Skip("edits the in-process broker's ACL file")
	}
	p := c.producer(t, &primitive.Credentials{AccessKey: "rocketmq2", SecretKey: "12345678"})
	require.ErrorContains(t, sendErr(p, "aclTopicOther"), "No default permission for topic:aclTopicOther")

	// Grant PUB on aclTopicOther while the producer keeps sending.
	edit := func(from, to string) {
		t.Helper()
		st, err := os.Stat(c.file)
		require.NoError(t, err)
		cur, err := os.ReadFile(c.file)
		require.NoError(t, err)
		require.Contains(t, string(cur), from)
		require.NoError(t, os.WriteFile(c.file, []byte(strings.Replace(string(cur), from, to, 1)), 0o644))
		require.NoError(t, os.Chtimes(c.file, time.Now(), st.ModTime().Add(time.Second)))
	}
	edit("      - aclTopicBoth=PUB|SUB\n", "      - aclTopicBoth=PUB|SUB\n      - aclTopicOther=PUB\n")
	require.Eventually(t, func() bool { return sendErr(p, "aclTopicOther") == nil }, 20*time.Second, 50*time.Millisecond)

	// White-list 127.0.0.1 for everyone: a client without credentials gets through.
	none := c.producer(t, nil)
	require.ErrorContains(t, sendErr(none, "aclTopicPub"), "No accessKey is configured")
	edit("  - 10.10.103.*\n", "  - 10.10.103.*\n  - 127.0.0.1\n")
	require.Eventually(t, func() bool { return sendErr(none, "aclTopicPub") == nil }, 20*time.Second, 50*time.Millisecond)

	// And back.
	edit("  - 127.0.0.1\n", "")
	require.Eventually(t, func() bool { return sendErr(none, "aclTopicPub") != nil }, 20*time.Second, 50*time.Millisecond)
	require.NoError(t, sendErr(p, "aclTopicOther"), "the credentialed client was never disturbed")
}

func TestACLAdminCodes(t *testing.T) {
	yml, err := os.ReadFile(aclJudgeFile)
	require.NoError(t, err)
	c := startACLCluster(t, yml)
	if c.file == "" {
		t.Skip("edits the in-process broker's ACL file")
	}
	admin := func(cd int32, ext map[string]string) *remoting.Command {
		return c.call(t, c.signed(cd, "adminuser", "adminsecret", ext, nil))
	}
	resp := admin(code.UpdateAndCreateAclConfig, map[string]string{"accessKey": "newuser01", "secretKey": "newsecret01",
		"admin": "false", "defaultTopicPerm": "PUB", "topicPerms": "t1=SUB,t2=PUB|SUB"})
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	// The new account works at once.
	resp = c.call(t, c.signed(code.SendMessageV2, "newuser01", "newsecret01", sendV2("aclTopicOther", 0, ""), []byte("x")))
	require.Equal(t, code.Success, resp.Code, resp.Remark)

	resp = admin(code.GetBrokerClusterAclInfo, nil)
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	require.Regexp(t, `^\{"counter":1,"timestamp":\d{13}\}$`, resp.Ext("version"))
	require.Contains(t, resp.Ext("allAclFileVersion"), c.file)
	require.Equal(t, "broker-acl", resp.Ext("brokerName"))
	require.Equal(t, "DefaultCluster", resp.Ext("clusterName"))
	require.Equal(t, c.broker, resp.Ext("brokerAddr"))

	resp = admin(code.UpdateGlobalWhiteAddrsConfig, map[string]string{"globalWhiteAddrs": "127.0.0.1", "aclFileFullPath": c.file})
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	resp = c.call(t, remoting.NewRequest(code.GetBrokerRuntimeInfo, nil, nil))
	require.Equal(t, code.Success, resp.Code, "127.0.0.1 is now globally white-listed")

	resp = admin(code.DeleteAclConfig, map[string]string{"accessKey": "newuser01"})
	require.Equal(t, code.Success, resp.Code, resp.Remark)
	resp = admin(code.DeleteAclConfig, map[string]string{"accessKey": "newuser01"})
	require.Equal(t, code.DeleteAclConfigFailed, resp.Code)
	require.Equal(t, "The accesskey[newuser01] corresponding to accessConfig has been deleted failed.", resp.Remark)
	resp = admin(code.UpdateGlobalWhiteAddrsConfig, map[string]string{"globalWhiteAddrs": "1.1.1.1", "aclFileFullPath": "/nonexistent.yml"})
	require.Equal(t, code.UpdateGlobalWhiteAddrsConfigFailed, resp.Code)
	require.Equal(t, "The globalWhiteAddresses[1.1.1.1] has been updated failed.", resp.Remark)
}

func TestACLAdminCodesWithoutACL(t *testing.T) {
	tb := startTestBroker(t)
	// Java fails these with a NullPointerException: *_FAILED with its message (as the Java 4.9.8 reference on
	// JDK 17 answered, checked with compat/java Call), and no answer at all for 52.
	resp := tb.call(t, code.UpdateAndCreateAclConfig, map[string]string{"accessKey": "newuser01", "secretKey": "newsecret01"}, nil)
	require.Equal(t, code.UpdateAndCreateAclConfigFailed, resp.Code)
	require.Equal(t, `Cannot invoke "org.apache.rocketmq.acl.AccessValidator.updateAccessConfig(org.apache.rocketmq.common.PlainAccessConfig)" because "accessValidator" is null`, resp.Remark)
	resp = tb.call(t, code.DeleteAclConfig, map[string]string{"accessKey": "newuser01"}, nil)
	require.Equal(t, code.DeleteAclConfigFailed, resp.Code)
	require.Equal(t, `Cannot invoke "org.apache.rocketmq.acl.AccessValidator.deleteAccessConfig(String)" because "accessValidator" is null`, resp.Remark)
	resp = tb.call(t, code.UpdateGlobalWhiteAddrsConfig, map[string]string{"globalWhiteAddrs": "1.1.1.1", "aclFileFullPath": "x"}, nil)
	require.Equal(t, code.UpdateGlobalWhiteAddrsConfigFailed, resp.Code)
	require.Equal(t, `Cannot invoke "org.apache.rocketmq.acl.AccessValidator.updateGlobalWhiteAddrsConfig(java.util.List, String)" because "accessValidator" is null`, resp.Remark)
	_, err := tb.cl.InvokeSync(context.Background(), tb.addr, remoting.NewRequest(code.GetBrokerClusterAclInfo, nil, nil), 300*time.Millisecond)
	require.Error(t, err, "no answer")
}

// The Go client v2.1.2 sends SecurityToken but leaves it out of what it signs, while Java's verifier includes
// it: such a client is refused (the spec noted this from the code; acl.sh runs this against Java 4.9.8 too).
func TestACLGoClientSecurityTokenIsRefused(t *testing.T) {
	yml, err := os.ReadFile(aclJudgeFile)
	require.NoError(t, err)
	c := startACLCluster(t, yml)
	p := c.producer(t, &primitive.Credentials{AccessKey: "rocketmq2", SecretKey: "12345678", SecurityToken: "token"})
	require.EqualError(t, sendErr(p, "aclTopicPub"), goDenied(aclEx+"Check signature failed for accessKey=rocketmq2, "+
		"org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:684)"))
}
