package acl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

func TestSignIsBase64HMACSHA1(t *testing.T) {
	// RFC 2202 test case 2.
	require.Equal(t, "7/zfauXrL6LSdBbV8YTfnCWafHk=", Sign([]byte("what do ya want for nothing?"), "Jefe"))
}

func TestContentSortsValuesAndSkipsSignatureAndUniqueKeyQuery(t *testing.T) {
	ext := map[string]string{"b": "2", "AccessKey": "ak", "a": "1", "Signature": "sig", "_UNIQUE_KEY_QUERY": "true", "Z": "z"}
	require.Equal(t, "akz12body", string(Content(ext, []byte("body"))))
	require.Equal(t, "", string(Content(nil, nil)))
}

const testACL = `
globalWhiteRemoteAddresses:
  - 10.10.103.*
accounts:
  - accessKey: rocketmq2
    secretKey: "12345678"
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms: [topicPub=PUB, topicSub=SUB, topicBoth=PUB|SUB, topicDeny=DENY]
    groupPerms: [groupDeny=DENY, groupPub=PUB]
  - accessKey: adminuser
    secretKey: adminsecret
    admin: true
  - accessKey: localuser1
    secretKey: localsecret
    whiteRemoteAddress: 127.0.0.*
`

func openTest(t *testing.T, content string) (*Validator, string) {
	t.Helper()
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "conf"), 0o755))
	file := filepath.Join(home, "conf", "plain_acl.yml")
	require.NoError(t, os.WriteFile(file, []byte(content), 0o644))
	v, err := Open(Options{Home: home, Interval: 20 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(v.Close)
	return v, file
}

// signed builds a request the way AclClientRPCHook does.
func signed(c int32, ak, sk string, ext map[string]string, body []byte) *remoting.Command {
	e := map[string]string{"AccessKey": ak}
	for k, v := range ext {
		e[k] = v
	}
	e["Signature"] = Sign(Content(e, body), sk)
	return remoting.NewRequest(c, e, body)
}

const remote = "192.0.2.7:4567"

func TestCheckDecisionOrder(t *testing.T) {
	v, _ := openTest(t, testACL)
	send := func(topic string) map[string]string { return map[string]string{"a": "pg", "b": topic} }
	pull := func(topic, group string) map[string]string {
		return map[string]string{"topic": topic, "consumerGroup": group}
	}
	const ex = "org.apache.rocketmq.acl.common.AclException: "
	cases := []struct {
		name   string
		addr   string
		req    *remoting.Command
		remark string // "" = allowed
	}{
		{"right key", remote, signed(code.SendMessageV2, "rocketmq2", "12345678", send("topicPub"), []byte("x")), ""},
		{"global white list", "10.10.103.9:1", remoting.NewRequest(code.SendMessageV2, send("topicDeny"), nil), ""},
		{"no ext fields", remote, remoting.NewRequest(code.HeartBeat, nil, nil), ex + "No accessKey is configured, " + frameNoAccessKey},
		{"unknown key", remote, signed(code.SendMessageV2, "nobody12", "12345678", send("topicPub"), nil), ex + "No acl config for nobody12, " + frameNoAccount},
		{"wrong secret", remote, signed(code.SendMessageV2, "rocketmq2", "nope5678", send("topicPub"), nil), ex + "Check signature failed for accessKey=rocketmq2, " + frameSignature},
		{"body tampered", remote, func() *remoting.Command {
			r := signed(code.SendMessageV2, "rocketmq2", "12345678", send("topicPub"), []byte("x"))
			r.Body = []byte("y")
			return r
		}(), ex + "Check signature failed for accessKey=rocketmq2, " + frameSignature},
		{"account white list skips signature", "127.0.0.9:1", signed(code.UpdateAndCreateTopic, "localuser1", "wrong", send("t"), nil), ""},
		{"trace topic", remote, signed(code.SendMessageV2, "rocketmq2", "12345678", send("RMQ_SYS_TRACE_TOPIC"), nil), ""},
		{"admin code", remote, signed(code.UpdateAndCreateTopic, "rocketmq2", "12345678", nil, nil), ex + "Need admin permission for request code=17, but accessKey=rocketmq2 is not, " + frameAdmin},
		{"admin allowed", remote, signed(code.UpdateAndCreateTopic, "adminuser", "adminsecret", nil, nil), ""},
		{"admin without perms", remote, signed(code.SendMessageV2, "adminuser", "adminsecret", send("anything"), nil), ""},
		{"SUB topic, no PUB", remote, signed(code.SendMessageV2, "rocketmq2", "12345678", send("topicSub"), nil), ex + "No default permission for topic:topicSub, " + frameResourcePerm},
		{"default DENY", remote, signed(code.SendMessageV2, "rocketmq2", "12345678", send("other"), nil), ex + "No default permission for topic:other, " + frameDefaultPerm},
		{"retry topic send needs the sender group's SUB", remote, signed(code.SendMessageV2, "rocketmq2", "12345678", map[string]string{"a": "groupDeny", "b": "%RETRY%x"}, nil), ex + "No default permission for group:groupDeny, " + frameResourcePerm},
		{"pull ok", remote, signed(code.PullMessage, "rocketmq2", "12345678", pull("topicBoth", "g1"), nil), ""},
		{"pull group PUB only", remote, signed(code.PullMessage, "rocketmq2", "12345678", pull("topicSub", "groupPub"), nil), ex + "No default permission for group:groupPub, " + frameResourcePerm},
		{"send batch: signature only", remote, signed(code.SendBatchMessage, "rocketmq2", "12345678", send("other"), nil), ""},
		{"unique key query is not signed", remote, func() *remoting.Command {
			r := signed(code.QueryMessage, "rocketmq2", "12345678", map[string]string{"topic": "topicSub"}, nil)
			r.ExtFields["_UNIQUE_KEY_QUERY"] = "true"
			return r
		}(), ""},
		{"heartbeat body undecodable", remote, signed(code.HeartBeat, "rocketmq2", "12345678", nil, nil), "org.apache.rocketmq.acl.common.AclException, " + frameParse},
		{"consumer list needs its header", remote, signed(code.GetConsumerListByGroup, "rocketmq2", "12345678", nil, nil), ex + "the custom field <consumerGroup> is null, " + frameParse},
	}
	for _, c := range cases {
		err := v.Check(c.addr, c.req)
		if c.remark == "" {
			require.NoError(t, err, c.name)
		} else {
			require.EqualError(t, err, c.remark, c.name)
		}
	}
}

func TestDeniedOrderFollowsJavaHashMap(t *testing.T) {
	v, _ := openTest(t, testACL)
	// Both resources are denied; Java reports the one its HashMap iterates first (checked with jshell:
	// [topicDeny, %RETRY%groupDeny]), not the one added first.
	req := signed(code.PullMessage, "rocketmq2", "12345678", map[string]string{"topic": "topicDeny", "consumerGroup": "groupDeny"}, nil)
	require.ErrorContains(t, v.Check(remote, req), "topic:topicDeny")
	req = signed(code.PullMessage, "rocketmq2", "12345678", map[string]string{"topic": "topicDeny", "consumerGroup": "zzzz"}, nil)
	require.ErrorContains(t, v.Check(remote, req), "topic:topicDeny")
}

func TestSecretsNeverInErrors(t *testing.T) {
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "conf"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(home, "conf", "plain_acl.yml"),
		[]byte("accounts:\n  - accessKey: ab\n    secretKey: topsecretvalue\n"), 0o644))
	_, err := Open(Options{Home: home})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "topsecretvalue")
	require.Contains(t, err.Error(), "accessKey=ab")
}

func TestOpenCreatesDefaultFileAndReadsAclDir(t *testing.T) {
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "conf", "acl", "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(home, "conf", "acl", "sub", "team.yaml"),
		[]byte("accounts:\n  - accessKey: teamkey1\n    secretKey: teamsecret\n    defaultTopicPerm: PUB\n"), 0o644))
	v, err := Open(Options{Home: home})
	require.NoError(t, err)
	defer v.Close()
	_, err = os.Stat(filepath.Join(home, "conf", "plain_acl.yml"))
	require.NoError(t, err, "the default file is created empty, as Java does")
	require.NoError(t, v.Check(remote, signed(code.SendMessageV2, "teamkey1", "teamsecret", map[string]string{"b": "t"}, nil)))

	_, err = Open(Options{})
	require.ErrorContains(t, err, "ROCKETMQ_HOME")
}

func TestReloadOnChangeKeepsOldRulesOnBrokenFile(t *testing.T) {
	v, file := openTest(t, testACL)
	req := func() *remoting.Command {
		return signed(code.SendMessageV2, "rocketmq2", "12345678", map[string]string{"b": "other"}, nil)
	}
	require.Error(t, v.Check(remote, req()))

	granted := strings.Replace(testACL, "topicDeny=DENY]", "topicDeny=DENY, other=PUB]", 1)
	writeLater(t, file, granted)
	require.Eventually(t, func() bool { return v.Check(remote, req()) == nil }, 10*time.Second, 10*time.Millisecond)

	writeLater(t, file, "accounts: [ {accessKey: short, secretKey: x} ]")
	time.Sleep(200 * time.Millisecond) // ten polls
	require.NoError(t, v.Check(remote, req()), "a broken file leaves the previous rules in force")

	writeLater(t, file, testACL)
	require.Eventually(t, func() bool { return v.Check(remote, req()) != nil }, 10*time.Second, 10*time.Millisecond)
}

// writeLater rewrites file with a modification time that surely differs from the last one.
func writeLater(t *testing.T, file, content string) {
	t.Helper()
	st, err := os.Stat(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(content), 0o644))
	require.NoError(t, os.Chtimes(file, time.Now(), st.ModTime().Add(time.Second)))
}

func TestAccountRemovedByEditIsAGhostAsInJava(t *testing.T) {
	v, file := openTest(t, testACL)
	req := func() *remoting.Command {
		return signed(code.SendMessageV2, "localuser1", "localsecret", map[string]string{"b": "t"}, nil)
	}
	require.NoError(t, v.Check("127.0.0.5:1", req()))
	writeLater(t, file, strings.Replace(testACL, "  - accessKey: localuser1\n    secretKey: localsecret\n    whiteRemoteAddress: 127.0.0.*\n", "", 1))
	// Java reloads the one file and keeps the key in its table: a different remark than for an unknown key.
	require.Eventually(t, func() bool {
		err := v.Check("127.0.0.5:1", req())
		return err != nil && err.Error() == "org.apache.rocketmq.acl.common.AclException: No PlainAccessResource for accessKey=localuser1, "+frameNoResource
	}, 10*time.Second, 10*time.Millisecond)
	// A new file in conf/acl changes the number of files: Java reloads everything and forgets the key.
	require.NoError(t, os.MkdirAll(filepath.Join(filepath.Dir(file), "acl"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(file), "acl", "x.yml"), []byte("accounts: []\n"), 0o644))
	require.Eventually(t, func() bool {
		err := v.Check("127.0.0.5:1", req())
		return err != nil && strings.Contains(err.Error(), "No acl config for localuser1")
	}, 10*time.Second, 10*time.Millisecond)
}

func TestEmptiedFileKeepsItsRulesAsInJava(t *testing.T) {
	v, file := openTest(t, testACL)
	req := signed(code.SendMessageV2, "rocketmq2", "12345678", map[string]string{"b": "topicPub"}, nil)
	require.NoError(t, v.Check(remote, req))
	writeLater(t, file, "")
	time.Sleep(300 * time.Millisecond) // fifteen polls
	require.NoError(t, v.Check(remote, req), "Java skips a file that became empty")
	require.NoError(t, v.Check("10.10.103.1:1", remoting.NewRequest(code.SendMessageV2, nil, nil)), "its white list too")
	writeLater(t, file, testACL)
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, v.Check(remote, req))
}
